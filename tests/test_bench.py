"""The benchmark CLI on a tiny data set written on the fly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.matching import ece, load_faq, synthesise
from knowledge.matcher import Matcher

ROOT = Path(__file__).resolve().parents[1]

FAQ = [
    {"id": "ausbildung", "lang": "de", "question": "Wie finde ich einen Ausbildungsplatz?",
     "answer": "Freie Ausbildungsplätze findest du bei der Agentur für Arbeit und bei der IHK."},
    {"id": "praktikum", "lang": "de", "question": "Wo kann ich ein Praktikum machen?",
     "answer": "Viele Betriebe bieten Praktika an. Frag in deiner Schule nach.",
     "variants": ["Praktikumsplatz gesucht"]},
    {"id": "notfall", "lang": "de", "question": "Was mache ich in einem Notfall?",
     "answer": "Ruf die 112 bei Feuer oder einem medizinischen Notfall."},
    {"id": "ausbildung", "lang": "en", "question": "How do I find an apprenticeship?",
     "answer": "Open apprenticeships are listed by the employment agency and the chamber of commerce."},
    {"id": "praktikum", "lang": "en", "question": "Where can I do an internship?",
     "answer": "Many companies offer internships. Ask at your school."},
    {"id": "notfall", "lang": "en", "question": "What do I do in an emergency?",
     "answer": "Call 112 for fire or a medical emergency."},
]  # fmt: skip
QUERIES = [
    {"qid": "q1", "query": "ausbildunk suchen", "lang": "de", "gold_id": "ausbildung",
     "gold_ids": ["ausbildung"], "split": "dev"},
    {"qid": "q2", "query": "praktikm wo", "lang": "de", "gold_ids": ["praktikum"], "split": "dev"},
    {"qid": "q3", "query": "Notfall, was tun?", "lang": "de", "gold_ids": ["notfall"], "split": "test"},
    {"qid": "q4", "query": "where to do an internship", "lang": "en", "gold_ids": ["praktikum"],
     "split": "dev"},
    {"qid": "q5", "query": "emergency what do I do", "lang": "en", "gold_ids": ["notfall"], "split": "test"},
]  # fmt: skip


def _write(tmp_path: Path) -> tuple[Path, Path]:
    faq = tmp_path / "faq.jsonl"
    queries = tmp_path / "queries.jsonl"
    faq.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FAQ), encoding="utf-8")
    queries.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in QUERIES), encoding="utf-8")
    return faq, queries


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge.bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.mark.parametrize(("split", "expected_n"), [("all", {"de": 3, "en": 2}), ("dev", {"de": 2, "en": 1})])
def test_json_report(tmp_path: Path, split: str, expected_n: dict[str, int]) -> None:
    faq, queries = _write(tmp_path)
    proc = _run("--faq", str(faq), "--queries", str(queries), "--split", split, "--json")
    report: dict[str, Any] = json.loads(proc.stdout)  # exactly one JSON object
    assert set(report) == {"langs", "build_s", "latency_ms", "peak_rss_mb", "baselines"}
    assert {lang: m["n"] for lang, m in report["langs"].items()} == expected_n
    # The figures are those of the matcher's own rankings of the split's queries (the CLI
    # builds the same matcher from the same file).
    matcher = Matcher(load_faq(faq))
    for lang, metrics in report["langs"].items():
        assert set(metrics) == {"n", "p_at_1", "mrr_at_10"}
        asked = [q for q in QUERIES if q["lang"] == lang and split in ("all", q["split"])]
        ranks = [
            [m.id for m in matcher.search(q["query"], lang).matches].index(q["gold_ids"][0]) for q in asked
        ]
        assert metrics["p_at_1"] == pytest.approx(sum(r == 0 for r in ranks) / len(ranks), abs=1e-4)
        assert metrics["mrr_at_10"] == pytest.approx(sum(1 / (r + 1) for r in ranks) / len(ranks), abs=1e-4)
        assert metrics["p_at_1"] >= 0.5  # the toy questions are easy: most come first
    assert report["build_s"] >= 0
    assert 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
    assert report["peak_rss_mb"] > 0
    assert set(report["baselines"]) == {"token_set_ratio", "bm25"}
    assert set(report["baselines"]["bm25"]) == set(expected_n)


def test_human_readable_report_has_baselines(tmp_path: Path) -> None:
    faq, queries = _write(tmp_path)
    out = _run("--faq", str(faq), "--queries", str(queries)).stdout
    for word in ("ours", "token_set_ratio", "bm25", "p99", "peak RSS", "ECE"):
        assert word in out


def test_scale_mode(tmp_path: Path) -> None:
    faq, queries = _write(tmp_path)
    proc = _run("--scale", "6,40", "--faq", str(faq), "--queries", str(queries), "--json")
    rows = json.loads(proc.stdout)["scale"]
    assert [r["size"] for r in rows] == [6, 40]
    assert all(r["peak_rss_mb"] > 0 and r["latency_ms"]["p99"] > 0 for r in rows)


def test_synthesise_makes_distinct_entries(tmp_path: Path) -> None:
    faq, _ = _write(tmp_path)
    docs = load_faq(faq)
    grown = synthesise(docs, 200)
    assert len(grown) == 200
    assert grown[: len(docs)] == docs
    assert len({(d.id, d.lang) for d in grown}) == 200
    assert len({d.question for d in grown[len(docs) :]}) == 200 - len(docs)
    assert {d.lang for d in grown} == {"de", "en"}
    assert synthesise(docs, 200) == grown  # deterministic


@pytest.mark.parametrize(
    ("conf", "correct", "expected"),
    [([1.0, 1.0], [True, True], 0.0), ([0.9, 0.9], [False, False], 0.9), ([], [], 0.0)],
)
def test_ece(conf: list[float], correct: list[bool], expected: float) -> None:
    assert ece(conf, correct) == pytest.approx(expected)


KSHOT_FAQ = [
    {"id": "wetter", "lang": "de", "question": "Wie wird das Wetter morgen?", "answer": ""},
    {"id": "wecker", "lang": "de", "question": "Stell einen Wecker für sieben Uhr", "answer": ""},
    {"id": "musik", "lang": "de", "question": "Spiel Musik von Adele", "answer": ""},
]
KSHOT_QUERIES = [
    (text, gold)
    for gold, texts in {
        "wetter": ["regnet es heute", "wie warm wird es", "brauche ich einen schirm", "wird es sonnig"],
        "wecker": ["weck mich um sechs", "wecker auf halb acht", "alarm für morgen früh", "stell den wecker"],
        "musik": [
            "spiel etwas jazz",
            "ich will rock hören",
            "musik von queen bitte",
            "spiel mein lieblingslied",
        ],
    }.items()
    for text in texts
]


def test_kshot_ranks_each_fold_with_the_other_folds_as_examples(tmp_path: Path) -> None:
    faq = tmp_path / "faq.jsonl"
    queries = tmp_path / "queries.jsonl"
    faq.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in KSHOT_FAQ), encoding="utf-8")
    rows = [
        {"qid": f"k{i}", "query": t, "lang": "de", "gold_ids": [g], "split": "dev"}
        for i, (t, g) in enumerate(KSHOT_QUERIES)
    ]
    queries.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    proc = _run("--faq", str(faq), "--queries", str(queries), "--kshot", "2", "--json")
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["langs"]["de"]["n"] == len(KSHOT_QUERIES)  # every query scored exactly once
    assert set(report["baselines"]) == {"token_set_ratio", "bm25"}
    assert report["langs"]["de"]["p_at_1"] >= 0.75
    for system in report["baselines"].values():
        assert system["de"]["n"] == len(KSHOT_QUERIES)
