"""``wegweiser advisors``: who may take, answer and close cases."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from bot.config import Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Advisor
from knowledge.model import LANGUAGES, TOPICS


def _codes(value: str | None, allowed: tuple[str, ...], what: str) -> str:
    codes = [c.strip().lower() for c in (value or "").split(",") if c.strip()]
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise SystemExit(f"Unknown {what}: {', '.join(unknown)}. Use some of: {', '.join(allowed)}.")
    return ",".join(codes)


async def manage(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.migrate import prepare_database

    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        async with create_session_factory(engine).begin() as session:
            if args.advisors_command == "add":
                advisor = await session.get(Advisor, args.telegram_id) or Advisor(
                    telegram_id=args.telegram_id
                )
                advisor.display_name = args.name
                advisor.role = args.role
                advisor.languages = _codes(args.languages, LANGUAGES, "languages")
                advisor.topics = _codes(args.topics, TOPICS, "topics")
                session.add(advisor)
                print(f"{args.name} ({args.telegram_id}) can now take, answer and close cases.")
            elif args.advisors_command == "remove":
                former = await session.get(Advisor, args.telegram_id)
                if former is None:
                    print(f"{args.telegram_id} is not an advisor.")
                    return 1
                await session.delete(former)
                print(f"{former.display_name} ({args.telegram_id}) is no longer an advisor.")
            else:
                for advisor in await session.scalars(select(Advisor).order_by(Advisor.display_name)):
                    print(
                        f"{advisor.telegram_id:>14}  {advisor.display_name:<24}{advisor.role:<10}"
                        f"{advisor.languages or '-':<20}{advisor.topics or '-'}"
                    )
    finally:
        await engine.dispose()
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    advisors = sub.add_parser("advisors", help="who may take, answer and close cases")
    commands = advisors.add_subparsers(dest="advisors_command", required=True)
    add = commands.add_parser("add", help="allow a Telegram user to act as an advisor")
    add.add_argument("telegram_id", type=int)
    add.add_argument("--name", required=True, help="the name young people see")
    add.add_argument("--role", default="advisor", choices=("advisor", "lead"))
    add.add_argument("--languages", help="comma-separated codes, e.g. ar,fa")
    add.add_argument("--topics", help="comma-separated topics, e.g. training,recognition")
    remove = commands.add_parser("remove", help="withdraw the advisor role")
    remove.add_argument("telegram_id", type=int)
    commands.add_parser("list", help="show the advisors")
    advisors.set_defaults(func=manage)
