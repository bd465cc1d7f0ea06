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
