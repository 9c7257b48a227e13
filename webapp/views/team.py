"""Settings → Team: members, invitations, admins and removal; and the public page an invitation link opens.

Everyone signed in sees the members; admins invite (the form answers 422 with its messages), resend or
revoke invitations, make or unmake admins, and remove a member after a page that lists each step. Every
change answers a message and the `team-changed` event, on which the lists reload.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from .. import members
from ..htmx import FORM_ERRORS, is_partial, trigger
from ..ids import parse_id
from ..models import Invitation, Team, User
from ..times import utcnow, zone_names

bp = Blueprint("team", __name__)
CHANGED = "team-changed"


def _me() -> User:
    return User.get_by_id(current_user.id)


def _admin() -> User:
    me = _me()
    if not me.is_admin:
        abort(403, "Only an admin can change the team: ask one of the admins listed under Settings → Team.")
    return me


def _member(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id, User.removed_at.is_null())
    if user is None:
        abort(404, "There is no such member.")
    return user


def _invitation(invitation_id: int) -> Invitation:
    invitation = Invitation.get_or_none(Invitation.id == invitation_id, Invitation.accepted_at.is_null(),
                                        Invitation.revoked_at.is_null())
    if invitation is None:
        abort(404, "There is no such pending invitation.")
    return invitation


def _lists_context() -> dict:
    return dict(members=members.members(), invitations=members.pending_invitations(), me=_me(), now=utcnow())


def _form_context(form: dict | None = None, errors: dict | None = None, sent: str | None = None) -> dict:
    return dict(form=form or {"email": "", "team": ""}, errors=errors or {}, sent=sent,
                teams=list(Team.select().order_by(Team.name)))


@bp.get("/settings/team")
@login_required
def index():
    return render_template("team/index.html", tab="team", **_lists_context(), **_form_context())


@bp.get("/settings/team/lists")
@login_required
def lists():
    return render_template("team/_lists.html", **_lists_context())


def _done(message: str):
    """A change made: the message (HTMX, with the event the lists reload on) or back to the page."""
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("team.index"), 303)
    return trigger(make_response(render_template("_message.html", message=message)), CHANGED)


def _refused(message: str):
    if not is_partial():
        flash(message, "error")
        return redirect(url_for("team.index"), 303)
    return render_template("_message.html", message=message, error=True), FORM_ERRORS


@bp.post("/settings/team/invitations")
@login_required
def invite():
    admin = _admin()
    form = {"email": request.form.get("email", "").strip(), "team": request.form.get("team", "").strip()}
    team = None
    try:
        if form["team"]:
            team_id = parse_id(form["team"])
            team = Team.get_or_none(Team.id == team_id) if team_id is not None else None
            if team is None:
                raise members.Invalid({"team": "Choose a team from the list, or no team."})
        invitation = members.invite(admin, form["email"], team)
    except members.Invalid as exc:
        context = _form_context(form, exc.errors)
        if is_partial():
            return render_template("team/_invite_form.html", **context), FORM_ERRORS
        return render_template("team/index.html", tab="team", **_lists_context(), **context), FORM_ERRORS
    message = f"Invitation sent to {invitation.email}."
    if not is_partial():
        flash(message, "success")
        return redirect(url_for("team.index"), 303)
    return trigger(make_response(render_template("team/_invite_form.html", **_form_context(sent=message))), CHANGED)


@bp.post("/settings/team/invitations/<id:invitation_id>/resend")
@login_required
def resend(invitation_id: int):
    admin = _admin()
    invitation = _invitation(invitation_id)
    try:
        members.resend(admin, invitation)
    except members.Invalid as exc:
        return _refused(str(exc))
    return _done(f"Invitation sent again to {invitation.email}, with a new link valid "
                 f"{members.INVITATION_DAYS} days; the earlier link no longer works.")


@bp.post("/settings/team/invitations/<id:invitation_id>/revoke")
@login_required
def revoke(invitation_id: int):
    admin = _admin()
    invitation = _invitation(invitation_id)
    members.revoke(admin, invitation)
    return _done(f"Invitation of {invitation.email} revoked: its link no longer works.")


@bp.post("/settings/team/members/<id:user_id>/admin")
@login_required
def set_admin(user_id: int):
    admin = _admin()
    user = _member(user_id)
    make = request.form.get("admin") == "on"
    try:
        members.set_admin(admin, user, make)
    except members.Refused as exc:
        return _refused(str(exc))
    return _done(f"{user.name} is {'now an admin' if make else 'no longer an admin'}.")


def _confirm(user: User, steps: list, error: str | None = None, status: int = 200):
    context = dict(member=user, steps=steps, key=members.plan_key(steps), error=error)
    return render_template("team/remove.html", tab="team", **context), status


@bp.get("/settings/team/members/<id:user_id>/remove")
@login_required
def confirm_removal(user_id: int):
    admin = _admin()
    user = _member(user_id)
    if user.id == admin.id:
        return _refused("You cannot remove yourself. Another admin can.")
    return _confirm(user, members.removal_plan(user))


@bp.post("/settings/team/members/<id:user_id>/remove")
@login_required
def remove(user_id: int):
    admin = _admin()
    user = _member(user_id)
    steps = members.removal_plan(user)
    if request.form.get("plan", "") != members.plan_key(steps):
        return _confirm(user, steps, "Something changed since this page was shown (a booking came in or was "
                                     "moved). Read the steps again, then confirm.", 409)
    try:
        members.apply_removal(admin, user)
    except members.Refused as exc:
        return _confirm(user, steps, str(exc), 409)
    flash(f"{user.name} was removed: {len(steps)} step(s) done.", "success")
    return redirect(url_for("team.index"), 303)


# --- the invitation link (public) ------------------------------------------------------------------


def _problem(problem: members.LinkProblem):
    return render_template("team/link_problem.html", problem=problem), problem.status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept(token: str):
    try:
        invitation = members.invitation_for(token)
    except members.LinkProblem as problem:
        return _problem(problem)
    inviter = invitation.invited_by
    form = {"name": "", "timezone": (inviter.timezone if inviter else "") or "UTC"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        try:
            user = members.accept(token, form["name"], form["timezone"], request.form.get("password", ""))
        except members.LinkProblem as problem:
            return _problem(problem)
        except members.Invalid as exc:
            errors = exc.errors
        else:
            login_user(user)
            joined = f" You are in the team {invitation.team.name}." if invitation.team_id else ""
            flash(f"Welcome to Slotwise.{joined} Connect your iCloud Calendar under Integrations.", "success")
            return redirect(url_for("integrations.index"), 303)
    return (render_template("team/accept.html", invitation=invitation, form=form, errors=errors,
                            zones=zone_names()), FORM_ERRORS if errors else 200)
