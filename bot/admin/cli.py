"""``wegweiser users …`` (web admin accounts) and ``wegweiser admin`` (serve the web admin)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import os
import sys

from sqlalchemy import select

from bot.admin import accounts, links
from bot.admin.accounts import AccountError, Policy, Role
from bot.admin.audit import audit
from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import AdminAccount


def policy_of(settings: Settings) -> Policy:
    return Policy(
        idle=dt.timedelta(minutes=settings.admin_idle_minutes),
        max_failures=settings.admin_max_failures,
        lockout=dt.timedelta(minutes=settings.admin_lockout_minutes),
    )


def _password(args: argparse.Namespace) -> str:
    """From standard input with --password-stdin (scripts), else asked twice at the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise AccountError("No terminal to ask for the password: pipe it in with --password-stdin.")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


async def users(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.migrate import prepare_database

    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        async with create_session_factory(engine).begin() as session:
            if args.users_command == "add":
                languages = tuple(c.strip() for c in (args.languages or "").split(",") if c.strip())
                created = await accounts.create_account(
                    session, args.username, _password(args), Role(args.role), args.name or "", languages
                )
                await accounts.audit_account(session, "command line", "create account", created)
                print(f"{created.username} ({created.role}) can now sign in to the web admin.")
            elif args.users_command == "password":
                found = await accounts.find_account(session, args.username)
                if found is None:
                    print(f"There is no account '{args.username}'.", file=sys.stderr)
                    return 1
                accounts.set_password(found, _password(args))
                await accounts.end_sessions(session, found.id)
                await audit(session, "command line", "set password", f"account:{found.username}", None, None)
                print(f"The password of {found.username} was changed; its browsers sign in again.")
            else:
                for row in await session.scalars(select(AdminAccount).order_by(AdminAccount.username)):
                    state = "active" if row.active else "inactive"
                    print(f"{row.username:<24}{row.role:<12}{row.languages or '-':<20}{state}")
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0


async def serve(settings: Settings, args: argparse.Namespace) -> int:
    """The web admin under uvicorn, on the bot's database (SQLite migrates itself)."""
    import uvicorn

    from bot.admin.web import build_admin_app
    from bot.content import fill_if_empty
    from bot.db.migrate import prepare_database

    engine = create_engine(settings.database_url)
    await prepare_database(engine, settings)
    sessions = create_session_factory(engine)
    await fill_if_empty(sessions, settings.content_dir)  # as the bot's start does
    app = build_admin_app(
        sessions,
        policy=policy_of(settings),
        secure_cookies=settings.admin_secure_cookies,
    )
    config = uvicorn.Config(
        app,
        host=args.host or settings.admin_host,
        port=args.port or settings.admin_port,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level=settings.log_level.lower(),
        access_log=False,  # paths may carry search words; errors are still logged
    )
    checker = asyncio.create_task(links.check_forever(sessions, settings.admin_link_check_hours * 3600))
    try:
        await uvicorn.Server(config).serve()
    finally:
        checker.cancel()
        await engine.dispose()
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    admin = sub.add_parser("admin", help="serve the web admin for editors, translators and network staff")
    admin.add_argument("--host", help="listen on this address (default ADMIN_HOST)")
    admin.add_argument("--port", type=int, help="listen on this port (default ADMIN_PORT)")
    admin.set_defaults(func=serve)

    users_parser = sub.add_parser("users", help="web admin accounts")
    commands = users_parser.add_subparsers(dest="users_command", required=True)
    add = commands.add_parser("add", help="create an account (the first administrator, too)")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    add.add_argument("--name", help="the name shown in the admin")
    add.add_argument("--languages", help="translators: comma-separated codes, e.g. uk,ru")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=users)
    password = commands.add_parser("password", help="set a new password (ends the account's sessions)")
    password.add_argument("username")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.set_defaults(func=users)
    commands.add_parser("list", help="list the accounts").set_defaults(func=users)
