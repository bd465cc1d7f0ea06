"""``wegweiser webhook set | info | delete``: the webhook is set once, by an operator."""

from __future__ import annotations

import argparse

from bot.config import Settings


async def manage(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    from bot.telegram.runner import create_bot
    from bot.telegram.webhook import WEBHOOK_PATH, webhook_secret

    bot = create_bot(settings)
    try:
        if args.webhook_command == "set":
            secret = webhook_secret(settings)
            assert settings.webhook_url is not None
            await bot.set_webhook(
                settings.webhook_url + WEBHOOK_PATH,
                secret_token=secret,
                max_connections=args.max_connections,
                drop_pending_updates=False,
            )
            print(f"Telegram now sends updates to {settings.webhook_url}{WEBHOOK_PATH}.")
        elif args.webhook_command == "delete":
            await bot.delete_webhook(drop_pending_updates=False)
            print("The webhook is deleted; updates wait at Telegram until one is set or the bot polls.")
        else:
            info = await bot.get_webhook_info()
            print(f"url: {info.url or '(none)'}")
            print(f"pending updates: {info.pending_update_count}")
            if info.last_error_message:
                print(f"last error: {info.last_error_message}")
    finally:
        await bot.session.close()
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    webhook = sub.add_parser("webhook", help="set, show or delete Telegram's webhook (once per deployment)")
    commands = webhook.add_subparsers(dest="webhook_command", required=True)
    set_hook = commands.add_parser("set", help="send updates to WEBHOOK_URL, signed with WEBHOOK_SECRET")
    set_hook.add_argument("--max-connections", type=int, default=40, help="parallel deliveries (1-100)")
    set_hook.set_defaults(func=manage)
    commands.add_parser("info", help="where Telegram sends updates, and how many wait").set_defaults(
        func=manage
    )
    commands.add_parser("delete", help="stop sending updates to the webhook").set_defaults(func=manage)
