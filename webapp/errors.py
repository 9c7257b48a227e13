"""Error pages in the layout, JSON errors under /api/."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        message = "Your session form token was missing or expired. Reload the page and try again."
        if request.path.startswith("/api/"):
            return jsonify(error="csrf", message=message), 400
        return render_template("errors/error.html", code=400, title="Bad request", message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), error.code
        return (
            render_template("errors/error.html", code=error.code, title=error.name, message=error.description),
            error.code,
        )
