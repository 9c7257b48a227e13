"""The secret box: app-specific passwords are encrypted with a key kept apart from the database."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app

from .config import instance_secret


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (the key changed): the account must be reconnected."""


def init_app(app: Flask) -> None:
    key = app.config.get("SLOTWISE_ENCRYPTION_KEY") or instance_secret(
        app, "encryption.key", lambda: Fernet.generate_key().decode()
    )
    app.extensions["slotwise_fernet"] = Fernet(key.encode() if isinstance(key, str) else key)


def _box() -> Fernet:
    return current_app.extensions["slotwise_fernet"]


def encrypt(plaintext: str) -> str:
    return _box().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the stored password cannot be decrypted with this server's key") from exc
