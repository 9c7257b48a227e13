"""MAIL_URL, MAIL_FROM and PUBLIC_URL read into one value; what is missing said in words."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class MailSettingError(ValueError):
    """A mail setting that cannot be used; the message names the setting."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    username: str | None = None
    password: str | None = None

    @property
    def label(self) -> str:
        """Scheme, host and port: never the credentials."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


def parse_mail_url(url: str | None) -> MailServer | None:
    """`smtp://[user:pass@]host[:port]` (port 25 by default) or `smtps://…` (465); None when unset."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise MailSettingError("MAIL_URL must start with smtp:// or smtps://, for example smtp://mail.example.com:587.")
    try:
        port = parts.port
    except ValueError:
        raise MailSettingError("MAIL_URL has a port that is not a number.") from None
    if not parts.hostname:
        raise MailSettingError("MAIL_URL names no host, for example smtp://mail.example.com:587.")
    implicit = parts.scheme == "smtps"
    return MailServer(
        host=parts.hostname, port=port or (465 if implicit else 25), implicit_tls=implicit,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def public_url(config) -> str | None:
    value = (config.get("PUBLIC_URL") or "").strip().rstrip("/")
    return value or None


def problems(config) -> list[str]:
    """Why e-mail cannot be sent now, in words for the owner; empty when it can."""
    out = []
    if not config.get("MAIL_URL"):
        out.append("E-mail is not configured: set MAIL_URL (and MAIL_FROM). Messages wait in the outbox below.")
    elif not config.get("MAIL_FROM"):
        out.append("MAIL_FROM is not set: it is the sender address of every e-mail.")
    if not public_url(config):
        out.append("PUBLIC_URL is not set: it is the base of the links in every e-mail (for example "
                   "https://book.example.com), so no e-mail is sent without it.")
    return out


def validate(config) -> None:
    """Stop the start on a MAIL_URL or PUBLIC_URL that cannot be read."""
    parse_mail_url(config.get("MAIL_URL"))
    base = public_url(config)
    if base and urlsplit(base).scheme not in ("http", "https"):
        raise MailSettingError("PUBLIC_URL must start with https:// (or http://), for example https://book.example.com.")
