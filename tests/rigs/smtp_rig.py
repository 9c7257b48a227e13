"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts, for the e-mail tests.

`hold()` makes the next DATA wait after the server has the whole message and before it answers 250,
so a test can kill the sender at the one moment SMTP cannot tell apart (see webapp.mail.outbox).
"""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


@dataclass
class Hold:
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler:
    def __init__(self, rig: "SmtpRig"):
        self.rig = rig

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.rig.lock:
            self.rig.received.append(message)
            self.rig.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            hold = self.rig.holds.pop(0) if self.rig.holds else None
            self.rig.arrived.notify_all()
        if hold is not None:
            hold.arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, hold.release.wait, 60)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpRig:
    def __init__(self, **server_kwargs) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.holds: list[Hold] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **server_kwargs)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def hold(self) -> Hold:
        hold = Hold()
        with self.lock:
            self.holds.append(hold)
        return hold

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """Wait until `count` messages arrived (the sender may run in the background); return them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.received if address in m["To"]]

    def stop(self) -> None:
        for hold in self.holds:
            hold.release.set()
        self.controller.stop()
