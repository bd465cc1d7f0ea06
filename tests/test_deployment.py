"""The shipped deployment files start what exists: each command parses in our CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_the_bot_and_the_admin_with_commands_the_cli_knows() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"bot", "admin", "db", "redis"} <= set(services)
    for name in ("bot", "admin"):
        command = services[name]["command"]
        # "sh -c 'wegweiser db upgrade && wegweiser …'": every wegweiser call must parse.
        script = shlex.split(command)[-1]
        for call in script.split("&&"):
            words = shlex.split(call)
            assert words[0] == "wegweiser"
            build_parser().parse_args(words[1:])
    admin = services["admin"]
    assert admin["ports"] == ["127.0.0.1:8081:8081"]  # behind a TLS proxy, never open
    assert admin["environment"]["ADMIN_PORT"] == 8081


def test_the_image_compiles_both_catalogs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "-D messages" in dockerfile
    assert "-D admin" in dockerfile


def test_the_proxy_forwards_only_telegrams_webhook_to_the_bot_workers() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    bot, proxy = services["bot"], services["proxy"]
    assert "--webhook" in bot["command"]
    assert str(bot["deploy"]["replicas"]).startswith("${BOT_WORKERS")
    assert "ports" not in bot  # reachable only through the proxy
    assert bot["environment"]["WEBHOOK_PORT"] == 8080
    mounted = {volume.split(":")[0] for volume in proxy["volumes"]}
    assert "./deploy/nginx/wegweiser.conf" in mounted
    conf = (ROOT / "deploy" / "nginx" / "wegweiser.conf").read_text(encoding="utf-8")
    # The worker's port and path, as the bot serves them.
    from bot.telegram.webhook import WEBHOOK_PATH

    assert "server bot:8080" in conf
    assert f"location = {WEBHOOK_PATH}" in conf
    assert "proxy_next_upstream off" in conf  # Telegram, not the proxy, sends an update again
    assert "return 404" in conf  # /metrics and /readyz stay inside
