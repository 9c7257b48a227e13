"""Error pages in the layout, JSON errors under /api/."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .logging_setup import request_id

FAILED = "Something went wrong on our side. Nothing you did caused it; please try again in a moment."


def init_app(app: Flask) -> None:
    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):
        """Unhandled exceptions: logged in full (Flask logs them first), never shown."""
        message = f"{FAILED} (Reference: {request_id()})"
        if request.path.startswith("/api/"):
            return jsonify(error="internal_error", message=message, request_id=request_id()), 500
        try:
            return render_template("errors/error.html", code=500, title="Internal error", message=message), 500
        except Exception:  # the page itself needs what failed (the database, say): plain text then
            return message, 500, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        message = "Your session form token was missing or expired. Reload the page and try again."
        if request.path.startswith("/api/"):
            return jsonify(error="csrf", message=message), 400
        return render_template("errors/error.html", code=400, title="Bad request", message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.response is not None:  # an answer already made (the sign-in throttle's page, say)
            return error.response
        if request.path.startswith("/api/"):
            return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), error.code
        return (
            render_template("errors/error.html", code=error.code, title=error.name, message=error.description),
            error.code,
        )
