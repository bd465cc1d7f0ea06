"""Every command-line program prints its help: argparse formats each option's help with
``%``, so a help text that says "88.5% -> 93.0%" made ``--help`` itself crash."""

from __future__ import annotations

import importlib

import pytest

PROGRAMS = [
    "knowledge.safety_fit",
    "benchmarks.admin",
    "benchmarks.crisis",
    "benchmarks.dispatch",
    "benchmarks.handoff",
    "benchmarks.interests",
    "benchmarks.load",
    "benchmarks.matching",
]


@pytest.mark.parametrize("module", PROGRAMS)
def test_help_is_printed(module: str, capsys: pytest.CaptureFixture[str]) -> None:
    main = importlib.import_module(module).main
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out
