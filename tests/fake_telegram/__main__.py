"""Run the fake standalone: ``python -m tests.fake_telegram --port 8081 --token 123456:TEST``.

Drive it by hand through the JSON control API under /_fake/ (see server.add_control_routes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .fake import FakeTelegram


async def serve(args: argparse.Namespace) -> None:
    fake = FakeTelegram(
        token=args.token,
        bot_username=args.username,
        flood_limits=args.flood_limits,
        host=args.host,
        port=args.port,
    )
    await fake.start()
    for name in args.user:
        user = fake.add_user(name, language_code=args.language)
        print(f"user {name}: id {user.id}", flush=True)
    print(fake.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="wegweiser_test_bot")
    parser.add_argument("--flood-limits", action="store_true", help="enforce Telegram's flood limits")
    parser.add_argument("--user", action="append", default=[], help="add a simulated user (repeatable)")
    parser.add_argument("--language", default=None, help="language_code for --user")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
