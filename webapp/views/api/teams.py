"""/api/v1 routes: teams, their members and their event types (the team branches of /availability and
/appointments are in calendar.py).

Decisions: admins create teams and team event types and add or remove members, and see every team;
a member sees the teams they belong to, reads their availability and books. A team the caller may not
see answers 404 (as if it did not exist); a write only admins may do answers 403 to a member.
"""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user, login_required

from ... import members, teams
from ...cleaning import clean_email
from ...models import Team, User
from ...times import iso
from .blueprint import api, error, found
from .event_types import NOT_JSON, _body, write_type
from .serialisers import member_json, team_event_type_json, team_json

ADMINS_ONLY = "Only an admin may do this: ask one of your admins."


def _me() -> User:
    return User.get_by_id(current_user.id)


def visible_team(key: object) -> Team:
    """The team with this id or slug if the caller may see it (an admin, or a member); a JSON 404 otherwise."""
    me = _me()
    if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit()):
        team = Team.get_or_none(Team.id == int(key)) if int(key) < 2**63 else None
    else:
        team = teams.team_by_slug(key.strip()) if isinstance(key, str) else None
    if team is None or not (me.is_admin or teams.is_member(team, me)):
        abort(404, "No team of yours has this id or link name.")
    return team


def _admin() -> User:
    me = _me()
    if not me.is_admin:
        abort(403, ADMINS_ONLY)
    return me


@api.get("/teams")
@login_required
def list_teams():
    me = _me()
    return jsonify([team_json(t) for t in (teams.all_teams() if me.is_admin else teams.teams_of(me))])


@api.post("/teams")
@login_required
def create_team():
    admin = _admin()
    body = _body()
    if body is None:
        return error(400, NOT_JSON, "bad_request")
    try:
        team = teams.create_team(admin, body.get("name"), body.get("slug"), body.get("timezone"))
    except teams.Invalid as exc:
        return jsonify(error="invalid", message=str(exc), fields=exc.errors), 422
    return jsonify(team_json(team)), 201


@api.get("/teams/<id:team_id>")
@login_required
def get_team(team_id: int):
    return jsonify(team_json(visible_team(team_id)))


@api.get("/teams/<id:team_id>/members")
@login_required
def list_members(team_id: int):
    return jsonify([member_json(u) for u in teams.members_of(visible_team(team_id))])


def _email() -> str | None:
    body = _body() or {}
    raw = body.get("email", request.args.get("email"))
    return clean_email(raw) if isinstance(raw, str) else None


def invite_to_team(invited_by: User, email: str, team: Team):
    """A new e-mail asked into the team: an invitation e-mail; accepting it joins the team (202)."""
    try:
        invitation = members.invite(invited_by, email, team)
    except members.Invalid as exc:
        return error(422, str(exc))
    return jsonify(invited=invitation.email, invitation={"id": invitation.id, "team_id": team.id,
                                                         "expires_at": iso(invitation.expires_at)}), 202


@api.post("/teams/<id:team_id>/members")
@login_required
def add_member(team_id: int):
    team = visible_team(team_id)
    admin = _admin()
    email = _email()
    if email is None:
        return error(422, 'Send {"email": ...} with a valid e-mail address.')
    user = User.by_email(email)
    if user is None:
        return invite_to_team(admin, email, team)
    if user.removed_at is not None:
        return error(422, f"{user.email} belonged to a member who was removed.")
    _, added = teams.add_member(team, user)
    return jsonify(member_json(user)), 201 if added else 200


@api.delete("/teams/<id:team_id>/members")
@login_required
def remove_member(team_id: int):
    """Take a member out of the team: their future team bookings are reassigned or cancelled (said in `changes`)."""
    team = visible_team(team_id)
    _admin()
    email = _email()
    user = User.by_email(email) if email else None
    if user is None or not teams.is_member(team, user):
        return error(404, f"{email or 'That address'} is not a member of {team.name}.", "not_found")
    steps = teams.apply_removal(user, team)
    return jsonify(email=user.email, changes=[
        {"appointment_id": s.appointment.id, "action": s.action, "to": s.to_user.email if s.to_user else None,
         "text": s.text} for s in steps])


@api.get("/teams/<id:team_id>/event-types")
@login_required
def list_team_types(team_id: int):
    return jsonify([team_event_type_json(k) for k in teams.types_of(visible_team(team_id))])


def _write(change, status: int = 200):
    return write_type(change, status, team_event_type_json)


@api.post("/teams/<id:team_id>/event-types")
@login_required
def create_team_type(team_id: int):
    team = visible_team(team_id)
    admin = _admin()
    return _write(lambda body: teams.create_type(admin, team, body), 201)


def _team_type(team_id: int, type_id: int):
    return found(teams.find_type(visible_team(team_id), type_id), "team event type")


@api.get("/teams/<id:team_id>/event-types/<id:type_id>")
@login_required
def get_team_type(team_id: int, type_id: int):
    return jsonify(team_event_type_json(_team_type(team_id, type_id)))


@api.patch("/teams/<id:team_id>/event-types/<id:type_id>")
@login_required
def patch_team_type(team_id: int, type_id: int):
    kind = _team_type(team_id, type_id)
    _admin()
    return _write(lambda body: teams.update_type(kind, body))
