"""Web admin accounts: roles, passwords, sign-in with lockout, sessions that end.

Passwords are hashed with Argon2id (argon2-cffi, the reference implementation's binding;
its defaults follow RFC 9106). A session is a random token in a cookie; the database keeps
only the token's SHA-256, so a leaked table opens no browser. Sessions end on sign-out and
after the idle time; five wrong passwords in a row lock the account for a while.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.admin.audit import audit
from bot.db.models import AdminAccount, AdminSession, utcnow
from knowledge.model import LANGUAGES

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    EDITOR = "editor"
    TRANSLATOR = "translator"
    OBSERVER = "observer"


class Permission(StrEnum):
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_ADVISORS = "manage_advisors"
    VIEW_STATISTICS = "view_statistics"
    VIEW_CONTENT = "view_content"
    EDIT_CONTENT = "edit_content"  # every language (translators: see may_edit_language)
    PUBLISH = "publish"
    VIEW_AUDIT = "view_audit"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset(
        {
            Permission.MANAGE_ACCOUNTS,
            Permission.MANAGE_ADVISORS,
            Permission.VIEW_STATISTICS,
            Permission.VIEW_CONTENT,
            Permission.VIEW_AUDIT,
        }
    ),
    Role.EDITOR: frozenset(
        {Permission.VIEW_CONTENT, Permission.EDIT_CONTENT, Permission.PUBLISH, Permission.VIEW_STATISTICS}
    ),
    Role.TRANSLATOR: frozenset({Permission.VIEW_CONTENT}),
    Role.OBSERVER: frozenset({Permission.VIEW_STATISTICS}),
}


class AccountError(ValueError):
    """A plain sentence about what is wrong with an account's data."""


@dataclass(frozen=True, slots=True)
class Policy:
    idle: dt.timedelta = dt.timedelta(minutes=30)
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


def role_of(account: AdminAccount) -> Role:
    return Role(account.role)


def languages_of(account: AdminAccount) -> tuple[str, ...]:
    return tuple(code for code in account.languages.split(",") if code)


def may(account: AdminAccount, permission: Permission) -> bool:
    return permission in GRANTS[role_of(account)]


def may_edit_language(account: AdminAccount, language: str) -> bool:
    """Editors and administrators edit every language; translators only their own."""
    if may(account, Permission.EDIT_CONTENT):
        return True
    return role_of(account) is Role.TRANSLATOR and language in languages_of(account)


def may_manage(actor: AdminAccount, role: Role) -> bool:
    """Network managers manage every account but administrators'."""
    if not may(actor, Permission.MANAGE_ACCOUNTS):
        return False
    return role_of(actor) is Role.ADMIN or role is not Role.ADMIN


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() != password or not password.isprintable():
        raise AccountError("A password must not begin or end with a space or hold control characters.")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def _clean_languages(role: Role, languages: tuple[str, ...]) -> str:
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown:
        raise AccountError(f"Unknown language codes: {', '.join(unknown)}. Known: {', '.join(LANGUAGES)}.")
    if role is Role.TRANSLATOR and not languages:
        raise AccountError("A translator needs at least one language.")
    if role is Role.TRANSLATOR and "de" in languages:
        raise AccountError("German is the source language; its texts are edited by editors.")
    return ",".join(dict.fromkeys(languages)) if role is Role.TRANSLATOR else ""


def _clean_username(username: str) -> str:
    name = username.strip().lower()
    if not (2 <= len(name) <= 64) or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountError("A user name has 2 to 64 letters, digits or . _ - @, without spaces.")
    return name


async def find_account(session: AsyncSession, username: str) -> AdminAccount | None:
    return await session.scalar(select(AdminAccount).where(AdminAccount.username == username.strip().lower()))


async def create_account(
    session: AsyncSession,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    languages: tuple[str, ...] = (),
) -> AdminAccount:
    name = _clean_username(username)
    if await find_account(session, name) is not None:
        raise AccountError(f"The user name '{name}' is taken.")
    account = AdminAccount(
        username=name,
        display_name=(display_name.strip() or name)[:100],
        password_hash=hash_password(password),
        role=role.value,
        languages=_clean_languages(role, languages),
        active=True,
        failed_logins=0,
    )
    session.add(account)
    await session.flush()
    return account


def change_role(account: AdminAccount, role: Role, languages: tuple[str, ...]) -> None:
    account.languages = _clean_languages(role, languages)
    account.role = role.value


def account_summary(account: AdminAccount) -> dict[str, object]:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "languages": account.languages,
        "active": account.active,
    }


async def audit_account(
    session: AsyncSession,
    actor: AdminAccount | str,
    action: str,
    account: AdminAccount,
    before: dict[str, object] | None = None,
) -> None:
    """An account change in the audit log, with the account as it is now."""
    await audit(session, actor, action, f"account:{account.username}", before, account_summary(account))


@dataclass(frozen=True, slots=True)
class SignIn:
    account: AdminAccount | None
    token: str | None = None
    csrf: str | None = None
    locked_until: dt.datetime | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verify(account: AdminAccount, password: str) -> bool:
    try:
        _hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return True


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user name is unknown, so both cases take the same time."""
    return _hasher.hash(secrets.token_hex(16))


async def sign_in(
    session: AsyncSession, username: str, password: str, policy: Policy, now: dt.datetime | None = None
) -> SignIn:
    """Check the password; on success open a session. Locked or inactive accounts stay out
    even with the right password, and the answer never says which part was wrong."""
    now = now or utcnow()
    account = await find_account(session, username)
    if account is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        return SignIn(None)
    if account.locked_until is not None and account.locked_until > now:
        return SignIn(None, locked_until=account.locked_until)
    if not account.active or not _verify(account, password):
        account.failed_logins += 1
        if account.failed_logins >= policy.max_failures:
            account.locked_until = now + policy.lockout
            account.failed_logins = 0
            return SignIn(None, locked_until=account.locked_until)
        return SignIn(None)
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        AdminSession(
            token_hash=_token_hash(token),
            account_id=account.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    await session.flush()
    return SignIn(account, token, csrf)


@dataclass(frozen=True, slots=True)
class Signed:
    account: AdminAccount
    csrf: str


async def current(
    session: AsyncSession, token: str | None, policy: Policy, now: dt.datetime | None = None
) -> Signed | None:
    """The signed-in account of a session cookie, or None; an idle session ends here."""
    if not token:
        return None
    now = now or utcnow()
    row = await session.get(AdminSession, _token_hash(token))
    if row is None:
        return None
    account = await session.get(AdminAccount, row.account_id)
    if account is None or not account.active or now - row.last_seen_at > policy.idle:
        await session.delete(row)
        return None
    row.last_seen_at = now
    return Signed(account, row.csrf_token)


async def sign_out(session: AsyncSession, token: str | None) -> None:
    if token:
        await session.execute(delete(AdminSession).where(AdminSession.token_hash == _token_hash(token)))


async def end_sessions(session: AsyncSession, account_id: int) -> None:
    """Every browser of this account signs in again (password changed, deactivated)."""
    await session.execute(delete(AdminSession).where(AdminSession.account_id == account_id))


def set_password(account: AdminAccount, password: str) -> None:
    account.password_hash = hash_password(password)
    account.failed_logins = 0
    account.locked_until = None
