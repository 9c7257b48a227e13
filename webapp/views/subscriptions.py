"""My Profile → Integrations → Subscribed calendar: add, sync and remove ICS feeds (rules in `subscriptions.py`)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import htmx, subscriptions, sync
from ..subscriptions import Subscription

bp = Blueprint("subscriptions", __name__, url_prefix="/settings/profile/integrations/subscriptions")


def _own(subscription_id: int) -> Subscription:
    sub = subscriptions.subscription_of(current_user, subscription_id)
    if sub is None:
        abort(404, "There is no such subscribed calendar among yours.")
    return sub


def _section(**extra):
    return render_template("profile/_subscriptions.html", subscriptions=subscriptions.subscriptions_of(current_user),
                           **extra)


@bp.get("")
@login_required
def section():
    """The Subscribed calendar section with its Add button (also what Cancel goes back to)."""
    return _section()


@bp.get("/add")
@login_required
def add_form():
    return render_template("profile/_subscription_form.html", name="", errors={})


@bp.post("/add")
@login_required
def add():
    name = request.form.get("name", "")
    try:
        sub = subscriptions.add_subscription(current_user, name, request.form.get("url", ""))
    except subscriptions.SubscriptionProblem as problem:
        # The address is not sent back: it is a secret, and the user pastes it again.
        return render_template("profile/_subscription_form.html", name=name.strip(), errors=problem.errors), \
            htmx.FORM_ERRORS
    return htmx.retarget(_section(just_added=sub), "#subscribed-calendars")


@bp.get("/<id:subscription_id>")
@login_required
def card(subscription_id: int):
    return render_template("profile/_subscription_card.html", sub=_own(subscription_id))


@bp.post("/<id:subscription_id>/sync")
@login_required
def sync_now(subscription_id: int):
    sub = _own(subscription_id)
    run = sync.sync_account_now(sub.account.id)
    sub = subscriptions.subscription_of(current_user, sub.account.id)
    if sub is None:
        return ""
    if run is None:
        message = "Not fetched: choose it under Check for Conflicts first."
    else:
        message = "Could not be fetched (see the last error)." if run.error else "Sync finished."
    return render_template("profile/_subscription_card.html", sub=sub, message=message,
                           message_is_error=run is None or bool(run.error))


@bp.post("/<id:subscription_id>/remove")
@login_required
def remove(subscription_id: int):
    subscriptions.remove_subscription(_own(subscription_id))
    return _section()
