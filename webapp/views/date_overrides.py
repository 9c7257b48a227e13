"""My Profile → Availability: date overrides and time off, listed with their own Edit.

The list reloads on `date-overrides-changed`; Add and Edit load a form into the editor below the list;
a form with errors answers 422 with the messages next to the fields.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import date_overrides
from ..calendars.availability import RulesError
from ..availability_settings import parse_ranges, ranges_text
from ..htmx import FORM_ERRORS, is_partial, trigger
from ..models import DateOverride, User

bp = Blueprint("date_overrides", __name__, url_prefix="/settings/profile/availability/overrides")
CHANGED = "date-overrides-changed"
KINDS = ("date", "time_off")


def _me() -> User:
    return User.get_by_id(current_user.id)


def _own(override_id: int) -> DateOverride:
    row = date_overrides.of(_me(), override_id)
    if row is None:
        abort(404, "There is no such date override among yours.")
    return row


def _form_of(row: DateOverride | None, kind: str) -> dict[str, str]:
    if row is None:
        return {"kind": kind, "date": "", "closed": "on", "ranges": "", "start_date": "", "end_date": ""}
    return {"kind": "time_off" if row.is_time_off else "date", "date": row.start_date.isoformat(),
            "closed": "on" if row.closed else "", "ranges": ranges_text(row.ranges),
            "start_date": row.start_date.isoformat(), "end_date": row.end_date.isoformat()}


def _render_form(form: dict, errors: dict, row: DateOverride | None, status: int = 200):
    html = render_template("profile/_override_form.html", form=form, errors=errors, row=row)
    if is_partial():
        return html, status
    return render_template("profile/override_page.html", tab="availability", form=form, errors=errors,
                           row=row), status


@bp.get("")
@login_required
def listing():
    return render_template("profile/_overrides.html", overrides=list(DateOverride.of(_me())))


@bp.get("/new")
@login_required
def new():
    kind = request.args.get("kind", "date")
    return _render_form(_form_of(None, kind if kind in KINDS else "date"), {}, None)


@bp.get("/<id:override_id>/edit")
@login_required
def edit(override_id: int):
    row = _own(override_id)
    return _render_form(_form_of(row, ""), {}, row)


def _read() -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(the form as typed, the API-shaped data date_overrides.clean checks, errors found on the way)."""
    form = {key: request.form.get(key, "").strip() for key in ("kind", "date", "ranges", "start_date", "end_date")}
    form["closed"] = "on" if request.form.get("closed") else ""
    if form["kind"] not in KINDS:
        form["kind"] = "date"
    errors: dict[str, str] = {}
    if form["kind"] == "time_off":
        return form, {"start_date": form["start_date"], "end_date": form["end_date"], "closed": True}, errors
    data: dict[str, Any] = {"date": form["date"], "closed": form["closed"] == "on"}
    if not data["closed"]:
        try:
            data["ranges"] = parse_ranges(form["ranges"])
        except RulesError as exc:
            errors["ranges"] = str(exc)
    return form, data, errors


def _save(row: DateOverride | None):
    form, data, errors = _read()
    if not errors:
        try:
            row = date_overrides.update(row, data) if row else date_overrides.create(_me(), data)
        except date_overrides.Invalid as exc:
            errors[exc.field] = str(exc)
    if errors:
        return _render_form(form, errors, row, FORM_ERRORS)
    message = "Time off saved." if row.is_time_off else "Date override saved."
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("availability.index"))
    return trigger(make_response(render_template("_message.html", message=message)), CHANGED)


@bp.post("")
@login_required
def create():
    return _save(None)


@bp.post("/<id:override_id>")
@login_required
def save(override_id: int):
    return _save(_own(override_id))


@bp.post("/<id:override_id>/delete")
@login_required
def delete(override_id: int):
    _own(override_id).delete_instance()
    if not is_partial():
        flash("Date override deleted.", "success")
        return redirect(url_for("availability.index"))
    return trigger(make_response(render_template("_message.html", message="Deleted.")), CHANGED)
