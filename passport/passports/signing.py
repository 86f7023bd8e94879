"""Ed25519 signatures over passport snapshots, and the keys that make them.

The signed message is a canonical JSON of the snapshot (sorted keys, no spaces, UTF-8) behind a
version prefix, so the same content always gives the same bytes whichever database stored it.
Private keys are PEM files in PASSPORT_SIGNING_KEY_DIR (instance/signing-keys by default, never
in the repository); public keys live in the database, and retired keys stay there, so rotating
the key never makes an old passport unverifiable. The key id is derived from the public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from passport import audit
from passport.db import session, utcnow
from passport.errors import ServiceError
from passport.passports.models import SigningKey

log = logging.getLogger(__name__)
PREFIX = b"qualifications-passport/snapshot/v1\n"


class SigningKeyMissing(ServiceError):
    pass


def canonical(snapshot: dict[str, Any]) -> bytes:
    body = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return PREFIX + body.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_dir() -> Path:
    return Path(current_app.config["SIGNING_KEY_DIR"])


def _key_file(key_id: str) -> Path:
    return key_dir() / f"{key_id}.pem"


def generate_key(actor: Any = None, *, commit: bool = True) -> SigningKey:
    """Make a new key pair, keep the private half on disk (mode 0600) and make it the active
    key; the previous key is retired (still used to verify)."""
    private = Ed25519PrivateKey.generate()
    raw = _raw_public(private.public_key())
    key_id = "qp-ed25519-" + hashlib.sha256(raw).hexdigest()[:16]
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(_key_file(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    now = utcnow()
    session.execute(
        update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
    )
    row = SigningKey(key_id=key_id, public_key=_b64(raw), created_at=now)
    session.add(row)
    session.flush()
    audit.record(actor, "signing_key.generated", row, after={"key_id": key_id})
    if commit:
        session.commit()
    log.info("generated passport signing key %s", key_id)
    return row


def active_key() -> SigningKey | None:
    return session.scalar(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.id.desc())
    )


def all_keys() -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).order_by(SigningKey.id)))


def _private(key_id: str) -> Ed25519PrivateKey:
    path = _key_file(key_id)
    try:
        data = path.read_bytes()
    except OSError:
        raise SigningKeyMissing(
            _l("The passport signing key is not available on this server. An administrator "
               "must install it (or generate a new one) before passports can be issued.")
        ) from None
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(_l("The passport signing key file is not an Ed25519 key."))
    return key


def sign(snapshot: dict[str, Any]) -> tuple[str, str]:
    """(key id, signature) for the snapshot with the active key. Without any key yet (a new
    installation, tests) one is generated inside the caller's transaction."""
    key = active_key()
    if key is None:
        log.warning("no passport signing key yet: generating one")
        key = generate_key(commit=False)
    private = _private(key.key_id)
    return key.key_id, _b64(private.sign(canonical(snapshot)))


def verify(snapshot: dict[str, Any], key_id: str, signature: str) -> bool:
    """True if `signature` is a valid signature of the snapshot by the key `key_id`."""
    if not key_id or not signature or len(signature) > 200:
        return False
    key = session.scalar(select(SigningKey).where(SigningKey.key_id == key_id))
    if key is None:
        return False
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(key.public_key))
        public.verify(_unb64(signature), canonical(snapshot))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def public_key_pem(key: SigningKey) -> str:
    public = Ed25519PublicKey.from_public_bytes(_unb64(key.public_key))
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
