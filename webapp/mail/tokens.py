"""Self-service links: a token signed with SECRET_KEY (itsdangerous) naming one appointment; invitation
links likewise name one invitation (id and nonce).

Nothing is stored: the token is the appointment's uuid under an HMAC-SHA256 signature, so it cannot
be guessed or altered, and it is the same in every e-mail of one appointment. Whether it still works
is decided by the appointment (passed, cancelled, inside the cutoff), not by the token.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "slotwise.self-service.v1"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT,
                             signer_kwargs={"digest_method": hashlib.sha256})


def token_for(appointment_uuid: str) -> str:
    return _serializer().dumps(appointment_uuid)


def appointment_uuid_of(token: str) -> str | None:
    """The appointment uuid a token names, or None when it was not made here."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


INVITATION_SALT = "slotwise.invitation.v1"


def _invitation_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT,
                             signer_kwargs={"digest_method": hashlib.sha256})


def invitation_token(invitation_id: int, nonce: str) -> str:
    """The accept link's token: the invitation's id and nonce under the signature (stored nowhere)."""
    return _invitation_serializer().dumps([invitation_id, nonce])


def invitation_of(token: str) -> tuple[int, str] | None:
    """(invitation id, nonce) a token names, or None when it was not made here."""
    try:
        value = _invitation_serializer().loads(token)
    except BadSignature:
        return None
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)
            and not isinstance(value[0], bool) and isinstance(value[1], str)):
        return value[0], value[1]
    return None
