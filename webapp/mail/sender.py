"""Hand one message to the SMTP server (smtplib): STARTTLS whenever offered, always with credentials."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from .settings import MailServer


class MailError(Exception):
    """Sending failed; the message says why in words for the owner. `permanent`: retrying will not help."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def deliver(server: MailServer, message: EmailMessage, timeout: float) -> None:
    """Send `message` or raise MailError. Returns once the server accepted it (250 after DATA)."""
    context = ssl.create_default_context()
    try:
        if server.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if not server.implicit_tls:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                elif server.username:
                    raise MailError(f"{server.label} does not offer STARTTLS, so the MAIL_URL password is not "
                                    "sent: use a server with STARTTLS or smtps://.", permanent=True)
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"{server.label} refused the user name or password in MAIL_URL.", permanent=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise MailError(f"{server.label} refused the recipient (SMTP {codes}).",
                        permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailError(f"{server.label} answered {exc.smtp_code}: {text[:200]}", permanent=exc.smtp_code >= 500) from None
    except smtplib.SMTPException as exc:
        raise MailError(f"{server.label}: {type(exc).__name__}: {str(exc)[:200]}") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with {server.label} failed: {exc.reason or exc}") from None
    except OSError as exc:  # refused, unreachable, timed out
        raise MailError(f"{server.label} cannot be reached: {exc.strerror or type(exc).__name__}") from None
