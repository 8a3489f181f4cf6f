"""Console accounts and sessions: Argon2 password hashes, random session tokens stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.schema import ConsoleSession, Manager, aware, utcnow

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 12


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong password.

    Computed on the first login, not at import: an Argon2 hash takes tens of milliseconds and most importers never
    log anyone in.
    """
    return _hasher().hash("parley-dummy-password")


class AccountError(ValueError):
    """An account cannot be created as asked (weak password, bad email)."""


def create_manager(session: Session, email: str, password: str) -> Manager:
    """Creates a manager, or resets the password of an existing one."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 255:
        raise AccountError("give an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    manager = session.execute(select(Manager).where(Manager.email == email)).scalar_one_or_none()
    if manager is None:
        manager = Manager(email=email, password_hash=_hasher().hash(password))
        session.add(manager)
    else:
        manager.password_hash = _hasher().hash(password)
        # A reset is often made because the password leaked: every session opened with the old one ends.
        session.execute(delete(ConsoleSession).where(ConsoleSession.manager_id == manager.id))
    session.flush()
    return manager


def authenticate(session: Session, email: str, password: str) -> Manager | None:
    """The manager if the password matches, else None (in constant-ish time either way)."""
    manager = session.execute(select(Manager).where(Manager.email == email.strip().lower())).scalar_one_or_none()
    try:
        _hasher().verify(manager.password_hash if manager else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if manager is None:
        return None
    if _hasher().check_needs_rehash(manager.password_hash):
        manager.password_hash = _hasher().hash(password)
    manager.last_login_at = utcnow()
    return manager


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, manager: Manager) -> tuple[str, ConsoleSession]:
    """A new login session; returns the cookie token (never stored) and the row (with its CSRF token)."""
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=_digest(token),
        manager_id=manager.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str | None) -> tuple[ConsoleSession, Manager] | None:
    """The live session and its manager for a cookie token; expired sessions are deleted."""
    if not token:
        return None
    row = session.get(ConsoleSession, _digest(token))
    if row is None:
        return None
    if aware(row.expires_at) <= utcnow():
        session.delete(row)
        return None
    manager = session.get(Manager, row.manager_id)
    return (row, manager) if manager else None


def close_session(session: Session, token: str | None) -> None:
    """Logs out: deletes the session."""
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.id == _digest(token)))
