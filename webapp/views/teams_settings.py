"""Settings → Teams: admins make teams, choose their members and edit the team event types; members read them.

Every change is an admin's (403 for anyone else); a member who is not an admin sees their own teams
read-only with the public links, and a team they are not in is a 404. The team event type form is the
personal one (event_types/_form.html, the same reading of the fields) with the team's part added: how it
is booked, the members it books and their round-robin priority. Forms with errors answer 422.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import event_types, htmx, teams
from ..db import database
from ..htmx import FORM_ERRORS, is_partial, trigger
from ..ids import parse_id, parse_number
from ..models import EventType, Team, User
from ..times import zone_names
from .event_types import form_context, form_of, read_form, saved, values_from
from .team import _admin, _me  # Settings → Team's: who is signed in, and admins only (403)

bp = Blueprint("teams_settings", __name__, url_prefix="/settings/teams")
TYPES_CHANGED = "team-types-changed"
MEMBERS_CHANGED = "team-members-changed"
KIND_WORDS = {EventType.ROUND_ROBIN: "Round-robin", EventType.COLLECTIVE: "Collective"}
PRIORITY = (0, 100)


def _team(team_id: int) -> Team:
    """The team, for an admin or one of its members; anyone else gets a 404."""
    team = Team.get_or_none(Team.id == team_id)
    me = _me()
    if team is None or not (me.is_admin or me.id in {m.id for m in teams.members_of(team)}):
        abort(404, "There is no such team among yours.")
    return team


def _team_type(team: Team, type_id: int) -> EventType:
    kind = teams.find_type(team, type_id)
    if kind is None:
        abort(404, "There is no such event type in this team.")
    return kind


def _page(team: Team) -> str:
    return url_for("teams_settings.team", team_id=team.id)


# --- teams --------------------------------------------------------------------------------------


def _index(form: dict, errors: dict, status: int = 200):
    me = _me()
    shown = teams.all_teams() if me.is_admin else teams.teams_of(me)
    return render_template("teams_settings/index.html", tab="teams", me=me, shown=shown, form=form, errors=errors,
                           zones=zone_names()), status


@bp.get("")
@login_required
def index():
    return _index({"name": "", "slug": "", "timezone": _me().timezone}, {})


@bp.post("")
@login_required
def create():
    me = _admin()
    form = {key: request.form.get(key, "").strip() for key in ("name", "slug", "timezone")}
    try:
        team = teams.create_team(me, form["name"], form["slug"] or event_types.slugify(form["name"]),
                                 form["timezone"] or None)
    except teams.Invalid as exc:
        if is_partial():
            return render_template("teams_settings/_team_form.html", form=form, errors=exc.errors,
                                   zones=zone_names()), FORM_ERRORS
        return _index(form, exc.errors, FORM_ERRORS)
    flash(f"{team.name} made. Add its members and event types here.", "success")
    if is_partial():
        return htmx.redirect(_page(team))
    return redirect(_page(team), 303)


@bp.get("/<id:team_id>")
@login_required
def team(team_id: int):
    team = _team(team_id)
    return render_template("teams_settings/team.html", tab="teams", me=_me(), team=team,
                           **_members_context(team), **_types_context(team))


# --- members ------------------------------------------------------------------------------------


def _members_context(team: Team) -> dict[str, Any]:
    members = teams.members_of(team)
    inside = {m.id for m in members}
    people = User.select().where(User.removed_at.is_null())  # a removed member signs in no more
    others = sorted((u for u in people if u.id not in inside), key=lambda u: (u.name.lower(), u.id))
    return {"members": members, "others": others}


def _members_answer(team: Team, message: str, error: bool = False):
    if not is_partial():
        flash(message, "error" if error else "success")
        return redirect(_page(team))
    html = render_template("teams_settings/_members.html", me=_me(), team=team, message=message, error=error,
                           **_members_context(team))
    return (html, FORM_ERRORS) if error else trigger(html, MEMBERS_CHANGED)


@bp.get("/<id:team_id>/members")
@login_required
def members(team_id: int):
    team = _team(team_id)
    return render_template("teams_settings/_members.html", me=_me(), team=team, **_members_context(team))


@bp.post("/<id:team_id>/members")
@login_required
def add_member(team_id: int):
    _admin()
    team = _team(team_id)
    number = parse_id(request.form.get("user_id", ""))
    user = User.get_or_none(User.id == number) if number is not None else None
    if user is None:
        return _members_answer(team, "Choose a person from the list.", error=True)
    _, added = teams.add_member(team, user)
    return _members_answer(team, f"{user.name} {'added to' if added else 'is already in'} {team.name}.")


@bp.post("/<id:team_id>/members/<id:user_id>/remove")
@login_required
def remove_member(team_id: int, user_id: int):
    _admin()
    team = _team(team_id)
    user = next((m for m in teams.members_of(team) if m.id == user_id), None)
    if user is None:
        abort(404, "This person is not in the team.")
    teams.remove_from_team(team, user)
    return _members_answer(team, f"{user.name} removed from {team.name}; their booked appointments stay.")


# --- team event types ---------------------------------------------------------------------------


def with_whom(kind: EventType) -> str:
    """The type's kind and members in words, for the lists."""
    members = teams.chosen_members(kind)
    listed = ", ".join(m.name for m in members) or "nobody chosen yet"
    return f"{KIND_WORDS.get(kind.kind, kind.kind)}: {listed}"


def _types_context(team: Team) -> dict[str, Any]:
    return {"kinds": teams.types_of(team), "with_whom": with_whom}


@bp.get("/<id:team_id>/event-types")
@login_required
def types_list(team_id: int):
    team = _team(team_id)
    return render_template("teams_settings/_types.html", me=_me(), team=team, **_types_context(team))


def _team_form_of(kind: EventType | None) -> dict[str, Any]:
    if kind is None:
        return {"kind": EventType.ROUND_ROBIN, "members": set(), "priorities": {}}
    rows = list(kind.team_members)  # teams.chosen is not exported; its rows are the type's backref
    return {"kind": kind.kind, "members": {str(row.user_id) for row in rows},
            "priorities": {str(row.user_id): str(row.priority) for row in rows}}


def _render_type_form(team: Team, form: dict, team_form: dict, errors: dict, kind: EventType | None,
                      status: int = 200):
    action = (url_for("teams_settings.save_type", team_id=team.id, type_id=kind.id) if kind
              else url_for("teams_settings.create_type", team_id=team.id))
    context = dict(form_context(form, errors, kind), form_action=action, editor="#team-type-editor",
                   extra_fields="teams_settings/_type_fields.html", team=team, team_form=team_form,
                   team_members=teams.members_of(team), kind_words=KIND_WORDS)
    if is_partial():
        return render_template("event_types/_form.html", **context), status
    return render_template("teams_settings/team.html", tab="teams", me=_me(), **_members_context(team),
                           **_types_context(team), **context), status


@bp.get("/<id:team_id>/event-types/new")
@login_required
def new_type(team_id: int):
    _admin()
    return _render_type_form(_team(team_id), form_of(None), _team_form_of(None), {}, None)


@bp.get("/<id:team_id>/event-types/<id:type_id>/edit")
@login_required
def edit_type(team_id: int, type_id: int):
    _admin()
    team = _team(team_id)
    kind = _team_type(team, type_id)
    return _render_type_form(team, form_of(kind), _team_form_of(kind), {}, kind)


def _read_team_form(team: Team) -> tuple[dict[str, Any], list[tuple[User, int]], dict[str, str]]:
    """The posted kind, chosen members and priorities: the form's state, (member, priority) pairs, problems."""
    picked = set(request.form.getlist("member"))
    members = [m for m in teams.members_of(team) if str(m.id) in picked]
    team_form = {"kind": request.form.get("kind", ""), "members": {str(m.id) for m in members},
                 "priorities": {str(m.id): request.form.get(f"priority-{m.id}", "").strip()
                                for m in teams.members_of(team)}}
    chosen, problems = [], {}
    for member in members:
        raw = team_form["priorities"][str(member.id)]
        priority = parse_number(raw or "0", *PRIORITY)
        if priority is None:
            problems[f"priority-{member.id}"] = f"A priority is a whole number from {PRIORITY[0]} to {PRIORITY[1]}."
        else:
            chosen.append((member, priority))
    return team_form, chosen, problems


def _submit_type(team: Team, kind: EventType | None, done: str):
    """Create (kind None) or save a team type from the posted form: the saved message, or the form with 422."""
    me = _admin()
    form = read_form()
    team_form, chosen, problems = _read_team_form(team)
    data = {**values_from(form), "kind": team_form["kind"] or None, "member_emails": [m.email for m, _ in chosen]}
    try:
        with database.atomic():
            changed = teams.create_type(me, team, data) if kind is None else teams.update_type(kind, data)
            if problems:
                raise event_types.Invalid(problems)  # nothing is kept
            for member, priority in chosen:
                teams.set_priority(changed, member, priority)
    except event_types.Invalid as exc:
        errors = {**exc.errors, **problems}
        if "member_emails" in errors and not chosen:
            errors["member_emails"] = "Choose at least one member."
        return _render_type_form(team, form, team_form, errors, kind, FORM_ERRORS)
    return saved(f"{changed.title} {done}.", _page(team), TYPES_CHANGED)


@bp.post("/<id:team_id>/event-types")
@login_required
def create_type(team_id: int):
    return _submit_type(_team(team_id), None, "added")


@bp.post("/<id:team_id>/event-types/<id:type_id>")
@login_required
def save_type(team_id: int, type_id: int):
    team = _team(team_id)
    return _submit_type(team, _team_type(team, type_id), "saved")


@bp.post("/<id:team_id>/event-types/<id:type_id>/delete")
@login_required
def delete_type(team_id: int, type_id: int):
    _admin()
    team = _team(team_id)
    kind = _team_type(team, type_id)
    event_types.delete(kind)
    return saved(f"{kind.title} deleted; its booked appointments stay.", _page(team), TYPES_CHANGED)
