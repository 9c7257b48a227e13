"""My Profile → Integrations: connect, reconnect, sync and disconnect iCloud Calendar accounts.

The page also holds the Subscribed calendar section, whose routes are in `subscriptions.py`.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import accounts, htmx, sync
from ..caldav_store import StoreError
from ..models import CalendarAccount
from ..subscriptions import subscriptions_of

bp = Blueprint("integrations", __name__, url_prefix="/settings/profile/integrations")


def _own_account(account_id: int) -> CalendarAccount:
    account = accounts.account_of(current_user, account_id)
    if account is None or account.provider != CalendarAccount.ICLOUD:
        abort(404, "There is no such iCloud account among yours.")
    return account


def _icloud_section(**extra):
    return render_template("profile/_icloud.html", accounts=list(CalendarAccount.icloud_of(current_user)), **extra)


@bp.get("")
@login_required
def index():
    return render_template("profile/integrations.html", tab="integrations",
                           accounts=list(CalendarAccount.icloud_of(current_user)),
                           subscriptions=subscriptions_of(current_user))


@bp.get("/icloud")
@login_required
def icloud():
    """The iCloud Calendar card with the Connect button (also what Cancel goes back to)."""
    return _icloud_section()


@bp.get("/icloud/connect")
@login_required
def connect_form():
    return render_template("profile/_connect_form.html", email="", errors={}, kind="")


@bp.post("/icloud/connect")
@login_required
def connect():
    email = request.form.get("email", "")
    try:
        accounts.connect_account(current_user, email, request.form.get("password", ""))
    except accounts.ConnectProblem as problem:
        # The password is never sent back: the user types it again.
        return render_template("profile/_connect_form.html", email=email.strip(), errors=problem.errors,
                               kind=problem.kind), 422
    # The form swaps itself on errors; on success the whole iCloud card shows the connected account.
    return htmx.retarget(_icloud_section(just_connected=True), "#icloud-calendar")


@bp.get("/accounts/<id:account_id>")
@login_required
def account_card(account_id: int):
    return render_template("profile/_account_card.html", account=_own_account(account_id))


@bp.get("/accounts/<id:account_id>/reconnect")
@login_required
def reconnect_form(account_id: int):
    return render_template("profile/_account_card.html", account=_own_account(account_id), reconnect=True,
                           errors={}, kind="")


@bp.post("/accounts/<id:account_id>/reconnect")
@login_required
def reconnect(account_id: int):
    account = _own_account(account_id)
    try:
        accounts.reconnect_account(account, request.form.get("password", ""))
    except accounts.ConnectProblem as problem:
        account = CalendarAccount.get_by_id(account.id)
        return render_template("profile/_account_card.html", account=account, reconnect=True,
                               errors=problem.errors, kind=problem.kind), 422
    return render_template("profile/_account_card.html", account=account,
                           message="Reconnected. Apple accepted the new app-specific password.")


@bp.post("/accounts/<id:account_id>/sync")
@login_required
def sync_now(account_id: int):
    account = _own_account(account_id)
    message = None
    try:
        sync.sync_account_now(account.id)
    except StoreError as exc:
        # The sync engine records failures on the account itself; this covers one that escapes.
        message = str(exc)
    account = CalendarAccount.get_or_none(CalendarAccount.id == account.id)
    if account is None:
        return ""
    return render_template("profile/_account_card.html", account=account,
                           message=message or "Sync finished.", message_is_error=bool(message))


@bp.post("/accounts/<id:account_id>/disconnect")
@login_required
def disconnect(account_id: int):
    accounts.disconnect_account(_own_account(account_id))
    return _icloud_section()
