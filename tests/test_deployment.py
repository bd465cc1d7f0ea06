"""The shipped deployment files start what exists: each command parses in our CLI."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_the_bot_and_the_admin_with_commands_the_cli_knows() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"migrate", "bot", "admin", "db", "redis"} <= set(services)
    commands = {name: services[name]["command"] for name in ("migrate", "bot", "admin")}
    for command in commands.values():
        assert command[0] == "wegweiser"
        build_parser().parse_args(command[1:])
    assert commands == {
        "migrate": ["wegweiser", "db", "upgrade"],
        "bot": ["wegweiser", "run", "--webhook"],
        "admin": ["wegweiser", "admin"],
    }
    admin = services["admin"]
    assert admin["ports"] == ["127.0.0.1:8081:8081"]  # behind a TLS proxy, never open
    assert admin["environment"]["ADMIN_PORT"] == 8081


def test_the_database_is_migrated_once_before_the_bot_and_the_admin_start() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    migrate = services["migrate"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"  # a one-off step, not a service that keeps running
    for name in ("bot", "admin"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"]["DATABASE_URL"] == migrate["environment"]["DATABASE_URL"]
        assert "upgrade" not in services[name]["command"]


def test_the_image_compiles_both_catalogs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "-D messages" in dockerfile
    assert "-D admin" in dockerfile


def test_the_proxy_forwards_only_telegrams_webhook_to_the_bot_workers() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    bot, proxy = services["bot"], services["proxy"]
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
