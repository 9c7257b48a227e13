"""Settings → Notifications: whether e-mail can be sent, the owner's switch, and the mail outbox."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..mail import outbox, settings
from ..models import OutboxMail, User

bp = Blueprint("notifications", __name__, url_prefix="/settings/notifications")


@bp.get("")
@login_required
def index():
    config = current_app.config
    server = settings.parse_mail_url(config.get("MAIL_URL"))
    rows = (OutboxMail.select().where(OutboxMail.owner == current_user.id)
            .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()).limit(100))
    return render_template("profile/notifications.html", tab="notifications", problems=settings.problems(config),
                           server=server.label if server else None, mail_from=config.get("MAIL_FROM"),
                           public_url=settings.public_url(config), user=User.get_by_id(current_user.id),
                           rows=list(rows))


@bp.post("")
@login_required
def save():
    User.update(notify_bookings=request.form.get("notify_bookings") == "on").where(User.id == current_user.id).execute()
    flash("Notifications saved.", "success")
    return redirect(url_for("notifications.index"), 303)


@bp.post("/<id:mail_id>/retry")
@login_required
def retry(mail_id: int):
    row = OutboxMail.get_or_none((OutboxMail.id == mail_id) & (OutboxMail.owner == current_user.id))
    if row is None:
        abort(404, "This message is not in your outbox.")
    outbox.retry(row)
    outbox.request_send()
    flash("The message will be sent again now.", "success")
    return redirect(url_for("notifications.index"), 303)
