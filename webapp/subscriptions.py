"""Subscribed calendars (ICS feeds): adding, listing and removing them; the rules the page and the API share.

A subscription is a CalendarAccount with provider "subscription" holding one RemoteCalendar, the feed, so
Check for Conflicts, Blocked Slots, the sync's health and back-off and the per-account lock work for it as
for an iCloud account. Its address is a secret: encrypted in `password_encrypted`, shown only masked
(`RemoteCalendar.url` holds the masked form), never logged. It is never a Primary Calendar.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from . import feeds
from .accounts import disconnect_account
from .crypto import SecretUnreadable, decrypt, encrypt
from .db import write_transaction
from .ids import parse_id
from .models import CalendarAccount, RemoteCalendar, User
from .sync.feed import fetcher_for_app
from .sync.run import set_ok

log = logging.getLogger(__name__)

MAX_NAME = 100


class SubscriptionProblem(Exception):
    """Adding failed and nothing was saved; `errors` maps "name", "url" or "form" to words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class Subscription:
    """One subscribed calendar as the pages and the API show it."""

    account: CalendarAccount
    calendar: RemoteCalendar

    @property
    def masked_url(self) -> str:
        return self.calendar.url


def _subscription(account: CalendarAccount) -> Subscription:
    return Subscription(account, account.calendars.get())


def subscriptions_of(user: User) -> list[Subscription]:
    accounts = CalendarAccount.of(user).where(CalendarAccount.provider == CalendarAccount.SUBSCRIPTION)
    found = [_subscription(account) for account in accounts.order_by(CalendarAccount.id)]
    return sorted(found, key=lambda s: (s.calendar.name.lower(), s.account.id))


def subscription_of(user: User, subscription_id: object) -> Subscription | None:
    """The user's subscription with this id (an int or text from outside), or None (callers answer 404)."""
    ident = parse_id(subscription_id)
    if ident is None:
        return None
    account = CalendarAccount.get_or_none(CalendarAccount.id == ident, CalendarAccount.owner == user,
                                          CalendarAccount.provider == CalendarAccount.SUBSCRIPTION)
    return _subscription(account) if account is not None else None


def _already(user: User, url: str) -> Subscription | None:
    for sub in subscriptions_of(user):
        try:
            if decrypt(sub.account.password_encrypted) == url:
                return sub
        except SecretUnreadable:
            continue
    return None


def add_subscription(user: User, raw_name: object, raw_url: object) -> Subscription:
    """Check the address, fetch the feed once to see it is one, and store it (not yet checked for conflicts).

    Raises SubscriptionProblem, with nothing saved, when the name or address is wrong, the address is
    refused (a private network without ALLOW_PRIVATE_FEEDS) or the feed cannot be read.
    """
    errors: dict[str, str] = {}
    name = raw_name.strip() if isinstance(raw_name, str) else ""
    if not name:
        errors["name"] = "Give the calendar a name, such as “Holidays”."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name under {MAX_NAME} characters."
    url = ""
    try:
        url = feeds.normalise(raw_url if isinstance(raw_url, str) else "")
    except feeds.AddressInvalid as exc:
        errors["url"] = str(exc)
    if not errors and (same := _already(user, url)) is not None:
        errors["url"] = f"You already subscribe to this calendar, as “{same.calendar.name}”."
    if errors:
        raise SubscriptionProblem(errors)
    try:
        fetcher_for_app().get(url)
    except feeds.Refused as exc:
        raise SubscriptionProblem({"url": f"{exc} Nothing was saved."}) from None
    except feeds.FeedError as exc:
        raise SubscriptionProblem({"url": f"The feed could not be read: {exc} Nothing was saved."}) from None
    with write_transaction():
        account = CalendarAccount(owner=user, provider=CalendarAccount.SUBSCRIPTION,
                                  email=f"subscription-{secrets.token_hex(8)}", password_encrypted=encrypt(url))
        set_ok(account)
        account.save()
        cal = RemoteCalendar.create(account=account, url=feeds.mask(url), name=name)
    log.info("user %s added subscribed calendar %s", user.id, account.id)
    return Subscription(account, cal)


def remove_subscription(sub: Subscription) -> None:
    """Forget the feed, its address and the Blocked Slots read from it."""
    disconnect_account(sub.account)
    log.info("subscribed calendar %s removed", sub.account.id)

