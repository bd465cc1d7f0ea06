"""The crisis benchmark's figures on ordinary messages: a public set of everyday requests
is read as written and every message is counted once per language and once in "all"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.crisis import ordinary_alarms, public_requests
from knowledge.safety import DEFAULT_PATH, CrisisDetector


def test_public_requests_count_alarms_per_language(tmp_path: Path) -> None:
    rows = [
        {"qid": "a", "query": "will it rain today", "lang": "en"},
        {"qid": "b", "query": "I want to kill myself", "lang": "en"},
        {"qid": "c", "query": "erinnere mich morgen an den Zahnarzt", "lang": "de"},
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    requests = public_requests(path)
    assert requests == [
        ("en", "will it rain today"),
        ("en", "I want to kill myself"),
        ("de", rows[2]["query"]),
    ]
    alarmed: list[dict[str, object]] = []
    figures = ordinary_alarms(CrisisDetector.from_file(DEFAULT_PATH), requests, alarmed=alarmed)
    assert [(a["lang"], a["text"]) for a in alarmed] == [("en", "I want to kill myself")]
    assert list(figures) == ["de", "en", "all"]
    assert figures["en"] == {"messages": 2, "alarms": 0.5, "concerns": 0.0}
    assert figures["de"]["alarms"] == 0.0
    assert figures["all"]["messages"] == 3
    assert figures["all"]["alarms"] == pytest.approx(1 / 3)


def test_a_broken_request_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text('{"query": "hello", "lang": "en"}\n{"query": "no language"}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match=r"requests\.jsonl:2: not a request line"):
        public_requests(path)
