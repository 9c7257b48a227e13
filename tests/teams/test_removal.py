"""Removing a member: their future round-robin bookings go to another free member, collective ones are
cancelled for everyone; the plan is said in words first, and the booker is written to."""
from __future__ import annotations

from webapp import appointments, teams
from webapp.models import Appointment, OutboxMail, TeamMember

from .conftest import at


def _book_for(kind, owner, when, name="Cleo"):
    """A round-robin booking that lands with `owner` (the other member is busy then)."""
    for a in teams.book(kind, when, name, f"{name.lower()}@example.com"):
        if a.owner_id == owner.id:
            return a
        raise AssertionError(f"booked with {a.owner.name}")


def test_round_robin_booking_of_a_removed_member_goes_to_a_free_member(ada, bob, team, make_type, day):
    kind = make_type("round_robin")
    busy = appointments.create_blocked_slot(ada, at(day, 9), at(day, 10), "Busy")
    booking = _book_for(kind, bob, at(day, 9))
    appointments.delete_blocked_slot(busy)  # now Ada is free then
    [step] = teams.removal_plan(bob)
    assert (step.action, step.to_user.id) == ("reassign", ada.id)
    assert "goes to Ada" in step.text and "Cleo is told" in step.text
    teams.apply_removal(bob)
    moved = Appointment.get_by_id(booking.id)
    assert (moved.owner_id, moved.status) == (ada.id, Appointment.BOOKED)
    mail = OutboxMail.select().where(OutboxMail.kind == "reassigned", OutboxMail.audience == "booker").get()
    assert mail.snapshot["members"] == [{"name": "Ada", "email": "ada@example.com"}]
    assert not TeamMember.select().where(TeamMember.user == bob).exists()


def test_round_robin_booking_nobody_else_can_take_is_cancelled(ada, bob, make_type, day):
    kind = make_type("round_robin")
    appointments.create_blocked_slot(ada, at(day, 9), at(day, 10), "Busy")
    booking = _book_for(kind, bob, at(day, 9))
    [step] = teams.removal_plan(bob)
    assert step.action == "cancel" and step.to_user is None and "no other member" in step.text
    teams.apply_removal(bob)
    assert Appointment.get_by_id(booking.id).status == Appointment.CANCELLED


def test_collective_booking_of_a_removed_member_is_cancelled_for_everyone(ada, bob, make_type, day):
    kind = make_type("collective")
    made = teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    [step] = teams.removal_plan(bob)
    assert step.action == "cancel" and "for everyone (Ada, Bob)" in step.text
    assert all(a.status == Appointment.BOOKED for a in teams.group_of(made[0]))  # a plan changes nothing
    teams.apply_removal(bob)
    assert {a.status for a in teams.group_of(made[0])} == {Appointment.CANCELLED}
    cancelled = OutboxMail.select().where(OutboxMail.kind == "cancelled", OutboxMail.audience == "booker")
    assert cancelled.count() == 1


def test_the_member_a_booking_is_handed_to_is_told_in_words(ada, bob, make_type, day):
    from webapp.mail import messages

    kind = make_type("round_robin")
    busy = appointments.create_blocked_slot(ada, at(day, 9), at(day, 10), "Busy")
    teams.book(kind, at(day, 9), "Cleo", "cleo@example.com")
    appointments.delete_blocked_slot(busy)
    teams.apply_removal(bob)
    row = OutboxMail.select().where(OutboxMail.kind == "reassigned", OutboxMail.audience == "owner").get()
    assert row.recipient == "ada@example.com"
    composed = messages.compose(row.snapshot, "https://slotwise.example")
    assert "Cleo's appointment is now yours" in composed.text and "is now yours" in composed.html
    booker = OutboxMail.select().where(OutboxMail.kind == "reassigned", OutboxMail.audience == "booker").get()
    text = messages.compose(booker.snapshot, "https://slotwise.example").text
    assert "your appointment is now with Ada, at the same time" in text


def test_a_booking_inside_the_types_minimum_notice_can_still_be_handed_over(ada, bob, make_type, day):
    kind = make_type("round_robin")
    busy = appointments.create_blocked_slot(ada, at(day, 9), at(day, 10), "Busy")
    booking = _book_for(kind, bob, at(day, 9))
    appointments.delete_blocked_slot(busy)
    kind.minimum_notice_minutes = 60 * 24 * 30  # the meeting is now closer than a booker could book it
    kind.save()
    [step] = teams.removal_plan(bob)
    assert (step.action, step.to_user.id) == ("reassign", ada.id)
    teams.apply_removal(bob)
    assert Appointment.get_by_id(booking.id).owner_id == ada.id
