"""My Profile → Calendar Configuration: Primary Calendar and Check for Conflicts.

Each segment is a self-replacing HTMX widget: summary ⇄ form. The rules live in
`calendar_roles.configure_calendars`, shared with PUT /api/v1/calendar-configuration.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import accounts, busy
from .. import calendar_roles as roles
from ..calendars import rules
from ..htmx import FORM_ERRORS, trigger
from ..ids import parse_id
from ..models import CalendarAccount, RemoteCalendar

bp = Blueprint("calendar_config", __name__, url_prefix="/settings/profile/calendar-configuration")

CHANGED = "calendar-configuration-changed"


def _primary(editing: bool = False, error: str | None = None, status: int = 200, account_id: int | None = None):
    primary = roles.primary_calendar(current_user)
    account = None
    if editing:
        if account_id is not None:
            account = accounts.account_of(current_user, account_id)
        elif primary is not None:
            account = primary.account
    return render_template(
        "profile/_primary_segment.html",
        primary=primary,
        editing=editing,
        error=error,
        accounts=list(CalendarAccount.icloud_of(current_user)),  # never a subscribed calendar
        account=account,
        calendars=_calendars_of(account),
    ), status


def _conflicts(editing: bool = False, error: str | None = None, status: int = 200):
    return render_template(
        "profile/_conflicts_segment.html",
        primary=roles.primary_calendar(current_user),
        conflicts=roles.conflict_calendars(current_user),
        groups=roles.calendars_by_account(current_user) if editing else [],
        editing=editing,
        error=error,
    ), status


def _calendars_of(account: CalendarAccount | None) -> list[RemoteCalendar]:
    if account is None:
        return []
    return list(account.calendars.order_by(RemoteCalendar.name, RemoteCalendar.id))


def _saved(body: tuple[str, int]):
    return trigger(body, CHANGED)  # the other segment's summary refreshes itself


@bp.get("")
@login_required
def index():
    return render_template(
        "profile/calendar_configuration.html",
        tab="calendar_configuration",
        has_accounts=CalendarAccount.of(current_user).exists(),
        primary=roles.primary_calendar(current_user),
        conflicts=roles.conflict_calendars(current_user),
    )


@bp.get("/primary/calendars")
@login_required
def primary_calendars():
    """The calendar dropdown for the account chosen in the Primary Calendar form."""
    raw = request.args.get("account_id", "")
    account = None
    if raw:
        account = accounts.account_of(current_user, raw)
        if account is None:
            abort(404, "There is no such iCloud account among yours.")
    return render_template("profile/_primary_calendar_field.html", account=account, calendars=_calendars_of(account))


@bp.post("/primary")
@login_required
def save_primary():
    raw_account = request.form.get("account_id", "").strip()
    raw_calendar = request.form.get("calendar_id", "").strip()
    account_id = parse_id(raw_account)
    try:
        if not raw_account:
            primary_id = None  # "None — keep appointments only in Slotwise"
        elif not raw_calendar:
            return _primary(True, "Choose one of this account's calendars, or None.", FORM_ERRORS, account_id)
        else:
            primary_id = roles.parse_calendar_id(raw_calendar)
        conflicts = [cal.id for cal in roles.conflict_calendars(current_user)]
        # 0 names no account: an account id that is not a number matches no calendar
        roles.configure_calendars(current_user, primary_id, conflicts, primary_account_id=account_id or 0)
    except roles.ConfigurationRefused as exc:
        return _primary(True, str(exc), FORM_ERRORS)
    return _saved(_primary())


@bp.post("/conflicts")
@login_required
def save_conflicts():
    try:
        ids = [roles.parse_calendar_id(raw) for raw in request.form.getlist("calendar_ids")]
        primary = roles.primary_calendar(current_user)
        roles.configure_calendars(current_user, primary.id if primary else None, ids)
    except roles.ConfigurationRefused as exc:
        return _conflicts(True, str(exc), FORM_ERRORS)
    return _saved(_conflicts())


# --- the rules of one chosen calendar (all-day, travel time, unanswered invitations) -------------

CHECKED = frozenset({"on", "true", "1"})  # what a checked checkbox sends; unchecked sends nothing


@bp.context_processor
def _rule_labels() -> dict:
    return {"rule_labels": rules.LABELS}  # every segment shows each chosen calendar's rules form


def _rules_form(cal: RemoteCalendar, error: str | None = None, saved: bool = False, status: int = 200):
    return render_template("profile/_calendar_rules.html", cal=cal, error=error, saved=saved), status


def _own_calendar(calendar_id: int) -> RemoteCalendar:
    cal = busy.calendar_of(current_user, calendar_id)
    if cal is None:
        abort(404, "There is no such calendar among yours.")
    return cal


@bp.get("/calendars/<id:calendar_id>/rules")
@login_required
def calendar_rules(calendar_id: int):
    return _rules_form(_own_calendar(calendar_id))


@bp.post("/calendars/<id:calendar_id>/rules")
@login_required
def save_rules(calendar_id: int):
    """Save the three rules; they apply at once (no sync: nothing needs fetching again)."""
    cal = _own_calendar(calendar_id)
    wrong = [key for key in rules.FIELDS if request.form.get(key, "on").strip().lower() not in CHECKED]
    if wrong:
        return _rules_form(cal, f"{rules.LABELS[wrong[0]]}: tick the box or leave it empty.", status=FORM_ERRORS)
    busy.set_rules(cal, {key: key in request.form for key in rules.FIELDS})
    return _rules_form(cal, saved=True)


# Each segment's summary (`primary`, `conflicts`) and form (`edit_primary`, `edit_conflicts`).
for _name, _render in (("primary", _primary), ("conflicts", _conflicts)):
    bp.add_url_rule(f"/{_name}", _name, login_required(lambda render=_render: render()))
    bp.add_url_rule(f"/{_name}/edit", f"edit_{_name}", login_required(lambda render=_render: render(editing=True)))
