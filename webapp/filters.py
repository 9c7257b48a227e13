"""Template filters, all in one place: dates and clock times, calendar colours, account words."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from .cleaning import clean_color

# Day formats by name; the day of the month is written without a leading zero ("1 June", not "01 June")
# without strftime's "%-d", which only glibc knows.
DAY_STYLES = {
    "long": "%A {d} %B %Y",  # Monday 1 June 2026
    "long_no_year": "%A {d} %B",  # Monday 1 June
    "short": "%a {d} %b %Y",  # Mon 1 Jun 2026
    "short_no_year": "%a {d} %b",  # Mon 1 Jun
    "day_month": "{d} %b",  # 1 Jun
    "day_month_year": "{d} %b %Y",  # 1 Jun 2026
    "weekday": "%A",  # Monday
    "weekday_short": "%a",  # Mon
    "month_year": "%B %Y",  # June 2026
    "stamp": "%Y-%m-%d %H:%M",  # 2026-06-01 09:30 (a datetime: when something happened)
}


def day(value: date, style: str = "long") -> str:
    """A day in words, in one of DAY_STYLES."""
    return value.strftime(DAY_STYLES[style].replace("{d}", str(value.day)))


def clock(value: datetime) -> str:
    """A wall-clock time, 24-hour: 09:30."""
    return value.strftime("%H:%M")


def css_color(value: str | None, default: str = "") -> str:
    """A calendar colour for a style attribute: plain hex only, else `default`."""
    return clean_color(value) or default


def init_app(app: Flask) -> None:
    from . import accounts
    from .sync import health

    app.add_template_filter(day, "day")
    app.add_template_filter(clock, "clock")
    app.add_template_filter(css_color, "css_color")
    app.add_template_filter(accounts.status_label, "status_label")
    app.add_template_filter(lambda account: accounts.last_synced_words(account.last_synced_at), "last_synced")
    app.add_template_filter(health.account_health, "sync_health")
    app.add_template_filter(health.age_words, "age_words")
    app.add_template_filter(health.next_words, "next_words")
