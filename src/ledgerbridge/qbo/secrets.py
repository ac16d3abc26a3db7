"""Secrets at rest: Fernet encryption of tokens and client secrets, and redaction for logs.

The key comes from ``LEDGERBRIDGE_SECRET_KEY`` (a urlsafe-base64 Fernet key) or, when that
is unset, from ``<data dir>/secret.key``, generated once with mode 0600.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ledgerbridge.config import load_config
from ledgerbridge.errors import ConfigurationError

KEY_ENV = "LEDGERBRIDGE_SECRET_KEY"
KEY_FILE = "secret.key"


def _key_from_file(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_bytes().strip()


def load_key(env: dict[str, str] | None = None) -> bytes:
    """The Fernet key of this installation (see the module text)."""
    source = os.environ if env is None else env
    configured = source.get(KEY_ENV)
    if configured:
        return configured.strip().encode()
    return _key_from_file(load_config(dict(source)).data_dir)


class SecretBox:
    """Encrypts and decrypts the secrets kept in the database."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise ConfigurationError(
                f"{KEY_ENV} is not a valid Fernet key (32 urlsafe-base64 bytes); make one "
                "with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'") from exc

    @classmethod
    def from_environment(cls) -> SecretBox:
        return cls(load_key())

    def seal(self, plain: str | None) -> str | None:
        if plain is None:
            return None
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError(
                "a stored QuickBooks secret cannot be decrypted with this key; was "
                f"{KEY_ENV} or {KEY_FILE} changed? Restore the key, or reconnect.") from exc


_LONG_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{24,}")
_REALM = re.compile(r"\b(\d{4})\d{6,}(\d{2})\b")


def redact_realm(realm_id: str | None) -> str:
    """``9130...55`` style: enough to tell realms apart, never the whole id."""
    if not realm_id:
        return "-"
    return realm_id if len(realm_id) < 8 else f"{realm_id[:4]}...{realm_id[-2:]}"


def redact(text: str) -> str:
    """``text`` with anything that looks like a token or a realm id blanked out."""
    text = _LONG_TOKEN.sub("[redacted]", text)
    return _REALM.sub(r"\1...\2", text)
