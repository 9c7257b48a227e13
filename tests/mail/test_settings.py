"""MAIL_URL read by name; a value that cannot be used stops the start with the setting named."""
from __future__ import annotations

import pytest

from webapp import create_app
from webapp.mail.settings import MailServer, MailSettingError, parse_mail_url


def test_mail_url_forms():
    assert parse_mail_url(None) is None and parse_mail_url("") is None
    assert parse_mail_url("smtp://mail.example.com") == MailServer("mail.example.com", 25, False)
    assert parse_mail_url("smtps://u%40x:p%2Fw@mail.example.com") == MailServer("mail.example.com", 465, True,
                                                                               "u@x", "p/w")
    assert parse_mail_url("smtp://u:secret@mail.example.com:587").label == "smtp://mail.example.com:587"


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://mail.example.com:port"])
def test_a_mail_url_that_cannot_be_used_stops_the_start(app_config, url):
    with pytest.raises(MailSettingError, match="MAIL_URL"):
        create_app({**app_config, "MAIL_URL": url})


def test_settings_are_read_from_the_environment_by_name(app_config, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("SLOTWISE_ENCRYPTION_KEY", app_config["SLOTWISE_ENCRYPTION_KEY"])
    monkeypatch.setenv("SECRET_KEY", "env-test")
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("MAIL_FROM", "b@example.test")
    monkeypatch.setenv("PUBLIC_URL", "https://book.example.test")
    monkeypatch.setenv("SELF_SERVICE_CUTOFF_HOURS", "4")
    monkeypatch.setenv("REMINDER_HOURS", "0")
    monkeypatch.setenv("BOOKING_LIMIT_PER_EMAIL", "5")
    monkeypatch.setenv("BOOKING_LIMIT_PER_ADDRESS_PER_HOUR", "20")
    config = create_app().config
    assert (config["MAIL_URL"], config["MAIL_FROM"], config["PUBLIC_URL"]) == (
        "smtp://127.0.0.1:2525", "b@example.test", "https://book.example.test")
    assert (config["SELF_SERVICE_CUTOFF_HOURS"], config["REMINDER_HOURS"]) == (4, 0)
    assert (config["BOOKING_LIMIT_PER_EMAIL"], config["BOOKING_LIMIT_PER_ADDRESS_PER_HOUR"]) == (5, 20)
