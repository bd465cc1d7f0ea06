"""Crisis detection on an evaluation set: recall, false alarms, category accuracy, latency.

    .venv/bin/python -m benchmarks.crisis --eval knowledge/eval/crisis \
        [--questions knowledge/eval/questions] \
        [--requests ../shared/bench/matching/xsid_queries_dev.jsonl] [--json] [--failures]

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.base import KnowledgeBase
from knowledge.eval_set import jsonl_rows, load_eval_set
from knowledge.loader import SHIPPED_CONTENT, ContentSnapshot, load_content
from knowledge.match_dense import default_embedder
from knowledge.model import CRISIS_TOPIC
from knowledge.safety import DEFAULT_PATH, ROMANISED_READINGS, CrisisDetector
from knowledge.safety_base import LANGUAGES
from knowledge.safety_meaning import EXAMPLES_PATH, FITTED_PATH, MeaningModel, load_examples
from knowledge.understanding import Understander

SHORT_CHARS = 300
_COUNTS = ("crisis", "none", "tp", "fp", "right", "labelled", "concern", "fp_concern")


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


# Whether a part of a message in a language is plainly ordinary: ``Understander.ordinary``
# (a greeting or thanks, or a question the knowledge base answers directly), which the bot
# hands the safety check (``CrisisDetector.screen``).
Plainly = Callable[[str, str], bool]


def _judge(plainly: Plainly | None, lang: str) -> Callable[[str], bool] | None:
    return None if plainly is None else lambda part: plainly(part, lang)


def evaluate(
    detector: CrisisDetector, items: Sequence[Item], plainly: Plainly | None = None
) -> dict[str, Any]:
    detector.detect("warm-up: Hallo, wie geht es dir?")
    rows: dict[str, dict[str, Any]] = {}
    styles: dict[str, list[int]] = {}
    failures: list[dict[str, Any]] = []
    short: list[float] = []
    long: list[float] = []
    for item in items:
        start = time.perf_counter()
        screened = detector.screen(item.text, _judge(plainly, item.lang))
        elapsed = (time.perf_counter() - start) * 1000
        (short if len(item.text) < SHORT_CHARS else long).append(elapsed)
        concern = screened is not None and screened.concern
        signal = None if concern else screened
        for key in (item.lang, "all"):
            row = rows.setdefault(key, dict.fromkeys(_COUNTS, 0))
            if item.crisis:
                row["crisis"] += 1
                row["concern"] += concern
                if signal is not None:
                    row["tp"] += 1
                    if item.category:
                        row["labelled"] += 1
                        row["right"] += signal.category.value == item.category
            else:
                row["none"] += 1
                row["fp"] += signal is not None
                row["fp_concern"] += concern
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
            # Alarm or concern: the person sees where to get help either way.
            "reached": (row["tp"] + row["concern"]) / max(1, row["crisis"]),
            "concerns_on_none": row["fp_concern"] / max(1, row["none"]),
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


def ordinary_questions(
    detector: CrisisDetector,
    folder: Path,
    snapshot: ContentSnapshot,
    plainly: Plainly | None = None,
    alarmed: list[dict[str, Any]] | None = None,
) -> dict[str, dict[str, float]]:
    """Alarms and concerns on the message-understanding set's ordinary questions (everything
    but questions about the entries of the crisis topic, which may rightly alarm), per
    language."""
    crisis = {e.id for e in snapshot.faq.values() if e.topic == CRISIS_TOPIC}
    return ordinary_alarms(
        detector, [(m.lang, m.text) for m in load_eval_set(folder) if not m.gold & crisis], plainly, alarmed
    )


def public_requests(path: Path) -> list[tuple[str, str]]:
    """(language, text) of a public set of everyday requests in the matching benchmark's
    format (``{"query", "lang", ...}`` per line, e.g. ../shared/bench/matching/
    xsid_queries_dev.jsonl: "remind me to buy milk tonight", "will it rain today"): never
    seen by the safety fit, nor written by the project, so its alarms say how often an
    ordinary message nobody here wrote raises one."""
    rows: list[tuple[str, str]] = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((str(row["lang"]), str(row["query"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(f"{path}:{line_number}: not a request line ({exc})") from exc
    return rows


def ordinary_alarms(
    detector: CrisisDetector,
    messages: Sequence[tuple[str, str]],
    plainly: Plainly | None = None,
    alarmed: list[dict[str, Any]] | None = None,
) -> dict[str, dict[str, float]]:
    """Alarms and concerns per language on messages that hold no crisis; each alarm is also
    appended to ``alarmed`` when given (language, category, layer, confidence, text)."""
    counts: dict[str, list[int]] = {}
    for lang, text in messages:
        signal = detector.screen(text, _judge(plainly, lang))
        if alarmed is not None and signal is not None and not signal.concern:
            alarmed.append(
                {
                    "lang": lang,
                    "category": signal.category.value,
                    "layer": signal.layer,
                    "confidence": signal.confidence,
                    "text": text,
                }
            )
        for key in (lang, "all"):
            row = counts.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += signal is not None and not signal.concern
            row[2] += signal is not None and signal.concern
    order = [lang for lang in (*LANGUAGES, "all") if lang in counts]
    return {
        lang: {
            "messages": counts[lang][0],
            "alarms": counts[lang][1] / counts[lang][0],
            "concerns": counts[lang][2] / counts[lang][0],
        }
        for lang in order
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eval", type=Path, required=True, help="folder of <lang>.jsonl files")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--failures", action="store_true", help="list misses and false alarms")
    parser.add_argument("--patterns-only", action="store_true", help="skip the meaning layer")
    parser.add_argument(
        "--questions",
        type=Path,
        help="the question set (knowledge/eval/questions): alarms on ordinary questions",
    )
    parser.add_argument(
        "--requests",
        type=Path,
        help="a public set of everyday requests (../shared/bench/matching/xsid_queries_dev.jsonl):"
        " alarms on ordinary messages nobody here wrote",
    )
    parser.add_argument(
        "--romanised-readings",
        action=argparse.BooleanOptionalAction,
        default=ROMANISED_READINGS,
        help="the meaning layer also reads romanised sentences in their native script"
        f" (knowledge.romanised; default: {ROMANISED_READINGS})",
    )
    parser.add_argument(
        "--knowledge",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="hand the detector the shipped knowledge base, as the bot does: a meaning-only alarm on"
        " a part it answers directly outside the crisis topic is a concern (--no-knowledge: the"
        " detector alone)",
    )
    args = parser.parse_args(argv)

    items = load(args.eval)
    if args.patterns_only:
        full = CrisisDetector.from_file(DEFAULT_PATH)
    elif args.romanised_readings == ROMANISED_READINGS:
        full = CrisisDetector.default()
    else:
        full = CrisisDetector.from_file(
            DEFAULT_PATH, embedder=default_embedder(), romanised_readings=args.romanised_readings
        )
    plain = CrisisDetector.from_file(DEFAULT_PATH)
    model = MeaningModel.load(FITTED_PATH)
    snapshot = load_content(SHIPPED_CONTENT)
    plainly = Understander(KnowledgeBase(snapshot)).ordinary if args.knowledge else None
    alarmed: list[dict[str, Any]] = []  # alarms on ordinary messages
    report: dict[str, Any] = {
        "messages": len(items),
        "meaning_layer": full.has_meaning,
        "knowledge_base": args.knowledge,
        "romanised_readings": args.romanised_readings,
        "load_average": os.getloadavg()[0],
        "detector": evaluate(full, items, plainly),
        "patterns_only": {k: v for k, v in evaluate(plain, items).items() if k != "failures"},
        "long_10000_chars_ms": long_messages(full, items),
        "cross_validated_on_examples": None if model is None else model.provenance.get("cross_validated"),
        "ordinary_questions": None
        if args.questions is None
        else ordinary_questions(full, args.questions, snapshot, plainly, alarmed),
        "public_requests": None
        if args.requests is None
        else ordinary_alarms(full, public_requests(args.requests), plainly, alarmed),
        "ordinary_alarmed": alarmed,
    }
    if not args.failures:
        report["detector"]["failures"] = [
            {k: v for k, v in f.items() if k != "text"} for f in report["detector"]["failures"]
        ]
        report["ordinary_alarmed"] = [{k: v for k, v in a.items() if k != "text"} for a in alarmed]
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    _print(report, args.failures)
    return 0


def _table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(
        f"  {'lang':<5}{'crisis':>7}{'none':>6}{'recall':>9}{'false al.':>10}{'category':>10}"
        f"{'reached':>9}{'concerns':>10}"
    )
    for lang, row in rows.items():
        extra = f"{row['reached']:>9.1%}{row['concerns_on_none']:>10.1%}" if "reached" in row else ""
        print(
            f"  {lang:<5}{row['crisis']:>7.0f}{row['none']:>6.0f}{row['recall']:>9.1%}"
            f"{row['false_alarms']:>10.1%}{row['category_accuracy']:>10.1%}" + extra
        )


def _print(report: dict[str, Any], show_texts: bool) -> None:
    meaning = "patterns + meaning" if report["meaning_layer"] else "patterns only (no embedder)"
    if report["knowledge_base"]:
        meaning += " + greetings, thanks and the knowledge base's plain answers"
    print(f"{report['messages']} messages; detector: {meaning}; load average {report['load_average']:.2f}")
    _table("evaluation set: detector", report["detector"]["by_language"])
    _table("evaluation set: patterns alone", report["patterns_only"]["by_language"])
    if report["cross_validated_on_examples"]:
        _table(
            "cross-validated on the training examples (from safety_fitted.yaml)",
            report["cross_validated_on_examples"],
        )
    print(
        "\n  recall / false al.: alarms (crisis reply, urgent case); reached: alarm or concern (the"
        "\n  usual answer plus where to get help); concerns: concerns on near-misses"
    )
    for key, title in (
        ("ordinary_questions", "ordinary questions of the question set (no crisis topic)"),
        ("public_requests", "public everyday requests (never seen by the fit)"),
    ):
        if report[key]:
            print(f"\n{title}")
            for lang, row in report[key].items():
                print(
                    f"  {lang:<5} n={row['messages']:<5.0f} alarms {row['alarms']:.1%}"
                    f"  concerns {row['concerns']:.1%}"
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
    alarmed = report["ordinary_alarmed"]
    print(f"\n{len(alarmed)} alarms on ordinary messages (questions of the question set, public requests)")
    for a in alarmed:
        line = f"  {a['lang']} {a['category']} ({a['layer']}, {a['confidence']})"
        print(line + (f"\n      {a['text']}" if show_texts else ""))


if __name__ == "__main__":
    raise SystemExit(main())
