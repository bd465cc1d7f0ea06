"""Plain sentences for the failures people cause by setup, not by bugs."""

from __future__ import annotations

import socket

from sqlalchemy.exc import OperationalError

from bot.db.migrate import SchemaOutdatedError
from knowledge.loader import ContentError


def explain(exc: BaseException) -> str | None:
    if isinstance(exc, SchemaOutdatedError):
        return str(exc)
    if isinstance(exc, ContentError):
        lines = [f"The content has {len(exc.problems)} problem(s); nothing was changed:"]
        lines += [f"  {p}" for p in exc.problems]
        return "\n".join(lines)
    if isinstance(exc, OperationalError | ConnectionRefusedError | socket.gaierror):
        return (
            "The database cannot be reached: check DATABASE_URL and that the server is running "
            f"({type(exc.__cause__ or exc).__name__})."
        )
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}."
    return None
