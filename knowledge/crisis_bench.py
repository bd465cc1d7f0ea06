"""Crisis detection on an evaluation set: recall, false alarms, category accuracy, latency.

    .venv/bin/python -m knowledge.crisis_bench --eval knowledge/eval/crisis [--json] [--failures]

The folder holds ``<lang>.jsonl`` files, one message per line:
``{"id", "lang", "text", "crisis": bool, "category": str|null, "style": [...]}``.
Every message is checked by the shipped detector (patterns + meaning layer when the embedder
is installed) and by the patterns alone. Latency is per message, after a warm-up, split into
short (< 300 characters) and long messages, plus synthetic 10,000-character messages.
The cross-validated figures on the training examples come from ``safety_fitted.yaml``.
``--failures`` lists the ids (and texts) of misses and false alarms: for understanding the
kind of error, never for copying eval messages into the examples.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.eval_set import jsonl_rows
from knowledge.safety import DEFAULT_PATH, CrisisDetector
from knowledge.safety_base import LANGUAGES
from knowledge.safety_meaning import EXAMPLES_PATH, FITTED_PATH, MeaningModel, load_examples

SHORT_CHARS = 300


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    text: str
    crisis: bool
    category: str | None
    style: tuple[str, ...]


def load(folder: Path) -> list[Item]:
    items: list[Item] = []
    try:
        for where, row in jsonl_rows(folder):
            try:
                items.append(
                    Item(
                        str(row["id"]),
                        str(row["lang"]),
                        str(row["text"]),
                        bool(row["crisis"]),
                        row.get("category"),
                        tuple(row.get("style") or ()),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{where}: not an evaluation line ({exc})") from exc
    except ValueError as exc:
        raise SystemExit(f"{folder}/{exc}") from exc
    if not items:
        raise SystemExit(f"{folder}: no <lang>.jsonl files with messages")
    return items


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def evaluate(detector: CrisisDetector, items: Sequence[Item]) -> dict[str, Any]:
    detector.detect("warm-up: Hallo, wie geht es dir?")
    rows: dict[str, dict[str, Any]] = {}
    styles: dict[str, list[int]] = {}
    failures: list[dict[str, Any]] = []
    short: list[float] = []
    long: list[float] = []
    for item in items:
        start = time.perf_counter()
        signal = detector.detect(item.text)
        elapsed = (time.perf_counter() - start) * 1000
        (short if len(item.text) < SHORT_CHARS else long).append(elapsed)
        for key in (item.lang, "all"):
            row = rows.setdefault(key, {"crisis": 0, "none": 0, "tp": 0, "fp": 0, "right": 0, "labelled": 0})
            if item.crisis:
                row["crisis"] += 1
                if signal is not None:
                    row["tp"] += 1
                    if item.category:
                        row["labelled"] += 1
                        row["right"] += signal.category.value == item.category
            else:
                row["none"] += 1
                row["fp"] += signal is not None
        for style in item.style:
            count = styles.setdefault(f"{'crisis' if item.crisis else 'none'}:{style}", [0, 0])
            count[0] += 1
            count[1] += (signal is not None) == item.crisis
        wrong_category = (
            item.crisis and signal is not None and item.category and signal.category.value != item.category
        )
        if (signal is not None) != item.crisis or wrong_category:
            failures.append(
                {
                    "id": item.id,
                    "lang": item.lang,
                    "expected": item.category if item.crisis else None,
                    "got": None if signal is None else signal.category.value,
                    "layer": None if signal is None else signal.layer,
                    "style": list(item.style),
                    "text": item.text,
                }
            )
    table = {
        key: {
            "crisis": row["crisis"],
            "none": row["none"],
            "recall": row["tp"] / max(1, row["crisis"]),
            "false_alarms": row["fp"] / max(1, row["none"]),
            "category_accuracy": row["right"] / max(1, row["labelled"]),
        }
        for key, row in rows.items()
    }
    order = [lang for lang in (*LANGUAGES, "all") if lang in table]
    return {
        "by_language": {lang: table[lang] for lang in order},
        "by_style": {k: {"n": v[0], "right": v[1] / v[0]} for k, v in sorted(styles.items())},
        "latency_ms": {
            "short": {"n": len(short), "p50": _pct(short, 0.5), "p99": _pct(short, 0.99)},
            "long": {"n": len(long), "p50": _pct(long, 0.5), "p99": _pct(long, 0.99)},
        },
        "failures": failures,
    }


def long_messages(detector: CrisisDetector, items: Sequence[Item], runs: int = 5) -> dict[str, float]:
    """10,000-character messages made of the set's benign messages (the last ends in a crisis)."""
    benign = [i.text for i in items if not i.crisis] or [e.text for e in load_examples(EXAMPLES_PATH)]
    timings: list[float] = []
    for run in range(runs):
        parts: list[str] = []
        size = 0
        k = run
        while size < 10_000:
            text = benign[k % len(benign)].strip()
            parts.append(text if text[-1:] in ".!?؟" else text + ".")
            size += len(parts[-1]) + 1
            k += 7
        message = " ".join(parts)[:10_000]
        start = time.perf_counter()
        detector.detect(message)
        timings.append((time.perf_counter() - start) * 1000)
    return {"n": runs, "p50": statistics.median(timings), "max": max(timings)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eval", type=Path, required=True, help="folder of <lang>.jsonl files")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--failures", action="store_true", help="list misses and false alarms")
    parser.add_argument("--patterns-only", action="store_true", help="skip the meaning layer")
    args = parser.parse_args(argv)

    items = load(args.eval)
    full = CrisisDetector.from_file(DEFAULT_PATH) if args.patterns_only else CrisisDetector.default()
    plain = CrisisDetector.from_file(DEFAULT_PATH)
    model = MeaningModel.load(FITTED_PATH)
    report: dict[str, Any] = {
        "messages": len(items),
        "meaning_layer": full.has_meaning,
        "load_average": os.getloadavg()[0],
        "detector": evaluate(full, items),
        "patterns_only": {k: v for k, v in evaluate(plain, items).items() if k != "failures"},
        "long_10000_chars_ms": long_messages(full, items),
        "cross_validated_on_examples": None if model is None else model.provenance.get("cross_validated"),
    }
    if not args.failures:
        report["detector"]["failures"] = [
            {k: v for k, v in f.items() if k != "text"} for f in report["detector"]["failures"]
        ]
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    _print(report, args.failures)
    return 0


def _table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'lang':<5}{'crisis':>7}{'none':>6}{'recall':>9}{'false al.':>10}{'category':>10}")
    for lang, row in rows.items():
        print(
            f"  {lang:<5}{row['crisis']:>7.0f}{row['none']:>6.0f}{row['recall']:>9.1%}"
            f"{row['false_alarms']:>10.1%}{row['category_accuracy']:>10.1%}"
        )


def _print(report: dict[str, Any], show_texts: bool) -> None:
    meaning = "patterns + meaning" if report["meaning_layer"] else "patterns only (no embedder)"
    print(f"{report['messages']} messages; detector: {meaning}; load average {report['load_average']:.2f}")
    _table("evaluation set: detector", report["detector"]["by_language"])
    _table("evaluation set: patterns alone", report["patterns_only"]["by_language"])
    if report["cross_validated_on_examples"]:
        _table(
            "cross-validated on the training examples (from safety_fitted.yaml)",
            report["cross_validated_on_examples"],
        )
    latency = report["detector"]["latency_ms"]
    print("\nlatency per message (ms)")
    for kind in ("short", "long"):
        row = latency[kind]
        print(f"  {kind:<6} n={row['n']:<5} p50={row['p50']:.1f} p99={row['p99']:.1f}")
    row = report["long_10000_chars_ms"]
    print(f"  10,000 characters: n={row['n']} p50={row['p50']:.1f} max={row['max']:.1f}")
    print("\nby style (share right)")
    for style, row in report["detector"]["by_style"].items():
        print(f"  {style:<32} n={row['n']:<4} {row['right']:.1%}")
    failures = report["detector"]["failures"]
    print(f"\n{len(failures)} failures")
    for f in failures:
        line = (
            f"  {f['id']:<14} {f['lang']} expected={f['expected']} got={f['got']} ({f['layer']}) {f['style']}"
        )
        print(line + (f"\n      {f['text']}" if show_texts else ""))


if __name__ == "__main__":
    raise SystemExit(main())
