"""The project's own evaluation set: young people's messages with what the bot should do.

``knowledge/eval/questions/<lang>.jsonl``, one message per line (see its README):
``{qid, lang, query, gold_ids, intent, decision, style, note}``. ``decision`` is what a
good answer looks like: ``answer`` (one entry answers it), ``suggest`` (vague; any of
``gold_ids`` among the offered entries is right), ``two`` (two topics asked), ``none``
(out of scope: "I don't know" with the advisor offer) or ``intent`` (greeting, thanks,
goodbye, asking for a person, yes/no, "I don't understand").
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.base import KnowledgeBase
from knowledge.loader import load_content
from knowledge.match_baselines import BM25Baseline, TokenSetBaseline
from knowledge.match_crossval import ranks
from knowledge.match_dense import Embedder
from knowledge.matcher import Matcher
from knowledge.understanding import Kind, Understander, Understanding

DECISIONS = frozenset({"answer", "suggest", "two", "none", "intent"})


@dataclass(frozen=True, slots=True)
class EvalMessage:
    qid: str
    lang: str
    text: str
    gold: frozenset[str]
    first: str | None  # the best entry (first of gold_ids)
    decision: str
    intent: str | None
    style: tuple[str, ...]


def jsonl_rows(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, row) for every non-empty line of the folder's ``*.jsonl`` files, by file name;
    ``where`` ("de.jsonl, line 3") names the line for error messages."""
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}, line {number}"
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{where}: not a JSON object")
            yield where, row


def load_eval_set(folder: Path) -> list[EvalMessage]:
    out = []
    for where, row in jsonl_rows(folder):
        try:
            decision = str(row["decision"])
            if decision not in DECISIONS:
                raise ValueError(f"unknown decision {decision!r}")
            gold = [str(g) for g in row.get("gold_ids") or ()]
            out.append(
                EvalMessage(
                    qid=str(row["qid"]),
                    lang=str(row["lang"]),
                    text=str(row["query"]),
                    gold=frozenset(gold),
                    first=gold[0] if gold else None,
                    decision=decision,
                    intent=row.get("intent") or None,
                    style=tuple(str(s) for s in row.get("style") or ()),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}: {exc}") from exc
    return out


def own_knowledge(content: Path, embedder: Embedder | bool | None = True) -> KnowledgeBase:
    return KnowledgeBase(load_content(content), embedder=embedder)


def own_matcher(content: Path, embedder: Embedder | None) -> Matcher:
    return own_knowledge(content, embedder if embedder is not None else False).matcher


# ---------------------------------------------------------------------- the report


@dataclass(slots=True)
class _Lang:
    n: int = 0
    ranked: int = 0
    p1: float = 0.0
    rr: float = 0.0
    baseline_p1: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    baseline_rr: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    answered: int = 0
    answered_right: int = 0
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    suggest_with_gold: int = 0
    suggest_gold_first: int = 0


def evaluate_messages(
    messages: list[EvalMessage], understander: Understander, baselines: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[tuple[EvalMessage, Understanding]], list[float]]:
    pairs: list[tuple[EvalMessage, Understanding]] = []
    latencies: list[float] = []
    for m in messages:
        t = time.perf_counter()
        u = understander.understand(m.text, m.lang)
        latencies.append((time.perf_counter() - t) * 1000.0)
        pairs.append((m, u))
    table, failures = tabulate(pairs, baselines)
    return table, failures, latencies


def tabulate(
    pairs: list[tuple[EvalMessage, Understanding]], baselines: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[tuple[EvalMessage, Understanding]]]:
    """Per-language figures of what the bot made of each message, and the messages it
    handled otherwise than expected."""
    per: dict[str, _Lang] = defaultdict(_Lang)
    failures: list[tuple[EvalMessage, Understanding]] = []
    for m, u in pairs:
        s = per[m.lang]
        s.n += 1
        s.kinds[u.kind.value] += 1
        ids = [x.id for x in u.result.matches] if u.result else []
        if u.kind is Kind.TWO and u.second is not None:
            ids = [ids[0], u.second.id, *ids[1:]]
        if m.gold:
            s.ranked += 1
            p1, rr = ranks(ids, m.gold)
            s.p1, s.rr = s.p1 + p1, s.rr + rr
            for name, system in (baselines or {}).get(m.lang, {}).items():
                bp1, brr = ranks(system.rank(m.text, 10), m.gold)
                s.baseline_p1[name] += bp1
                s.baseline_rr[name] += brr
        if u.kind in (Kind.ANSWER, Kind.TWO):
            s.answered += 1
            s.answered_right += bool(ids) and ids[0] in m.gold
        if u.kind is Kind.SUGGEST and any(i in m.gold for i in ids[:3]):
            s.suggest_with_gold += 1
            s.suggest_gold_first += ids[0] in m.gold
        s.expected[m.decision] += 1
        ok = as_expected(m, u, ids)
        s.ok[m.decision] += ok
        if not ok:
            failures.append((m, u))
    table = {lang: _summary(s) for lang, s in sorted(per.items())}
    return table, failures


def as_expected(m: EvalMessage, u: Understanding, ids: list[str]) -> bool:
    if m.decision == "answer":
        return u.kind in (Kind.ANSWER, Kind.TWO) and bool(ids) and ids[0] in m.gold
    if m.decision == "suggest":
        return u.kind in (Kind.ANSWER, Kind.SUGGEST, Kind.TWO) and any(i in m.gold for i in ids[:3])
    if m.decision == "two":
        return u.kind in (Kind.ANSWER, Kind.SUGGEST, Kind.TWO) and any(i in m.gold for i in ids[:3])
    if m.decision == "none":
        return u.kind is Kind.NONE
    # intent: the right one; out-of-scope labelled as an intent must end in "I don't know"
    if m.intent == "out_of_scope":
        return u.kind is Kind.NONE
    return u.kind is Kind.INTENT and u.intent is not None and u.intent.intent.name.lower() == m.intent


def _summary(s: _Lang) -> dict[str, Any]:
    r = max(1, s.ranked)
    in_scope = s.expected.get("answer", 0)
    out: dict[str, Any] = {
        "n": s.n,
        "p_at_1": round(s.p1 / r, 3),
        "mrr_at_10": round(s.rr / r, 3),
        "answer_share": round(s.answered / max(1, s.n), 3),
        "answer_precision": round(s.answered_right / max(1, s.answered), 3),
        "direct_correct_of_answerable": round(s.ok.get("answer", 0) / max(1, in_scope), 3),
        "suggest_share": round(s.kinds.get("suggest", 0) / max(1, s.n), 3),
        "none_share": round(s.kinds.get("none", 0) / max(1, s.n), 3),
        "as_expected": {k: f"{s.ok.get(k, 0)}/{v}" for k, v in sorted(s.expected.items())},
        "suggest_right_first": round(s.suggest_gold_first / max(1, s.suggest_with_gold), 3),
        "baselines": {
            name: {"p_at_1": round(v / r, 3), "mrr_at_10": round(s.baseline_rr[name] / r, 3)}
            for name, v in sorted(s.baseline_p1.items())
        },
    }
    return out


def shipped_baselines(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The plain baselines on the shipped content: token_set_ratio over every phrasing,
    BM25 over the phrasings and the answer (both given the same examples as ours)."""
    by_lang: dict[str, list[tuple[str, list[str], str]]] = defaultdict(list)
    for entry in kb.snapshot.faq.values():
        for code, tr in entry.translations.items():
            extra = kb.snapshot.phrasings_of(entry.id, code)
            by_lang[code].append((entry.id, [tr.question, *tr.variants, *extra], tr.answer))
    out: dict[str, dict[str, Any]] = {}
    for lang, rows in by_lang.items():
        ids = [i for i, phrasings, _ in rows for _ in phrasings]
        phrasings = [p for _, ps, _ in rows for p in ps]
        texts = [" ".join([*ps, answer]) for _, ps, answer in rows]
        out[lang] = {
            "token_set_ratio": TokenSetBaseline(ids, phrasings),
            "bm25": BM25Baseline([i for i, _, _ in rows], texts, lang),
        }
    return out


def run_eval_report(folder: Path, content: Path, as_json: bool, failures_to: Path | None = None) -> int:
    messages = load_eval_set(folder)
    kb = own_knowledge(content, embedder=_cached_embedder())
    understander = Understander(kb)
    table, failures, latencies = evaluate_messages(messages, understander, shipped_baselines(kb))
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    # One search of the whole text on the shipped content: the matcher's own share.
    searches = []
    for m in messages:
        started = time.perf_counter()
        kb.search(m.text, m.lang)
        searches.append((time.perf_counter() - started) * 1000.0)
    alone = np.asarray(searches) if searches else np.zeros(1)
    report = {
        "eval": table,
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 2),
            "p99": round(float(np.percentile(lat, 99)), 2),
        },
        "search_latency_ms": {
            "p50": round(float(np.percentile(alone, 50)), 2),
            "p99": round(float(np.percentile(alone, 99)), 2),
        },
        "failures": len(failures),
    }
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print(report)
    if failures_to is not None:
        with failures_to.open("w", encoding="utf-8") as fh:
            for m, u in failures:
                top = u.top.id if u.top else None
                row: dict[str, Any] = {"qid": m.qid, "expected": m.decision, "gold": sorted(m.gold)}
                row["got"] = u.kind.value
                row.update(top=top, question=u.question, query=m.text)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def _print(report: dict[str, Any]) -> None:
    cols = ("p_at_1", "mrr_at_10", "answer_share", "answer_precision", "direct_correct_of_answerable",
            "suggest_share", "none_share")  # fmt: skip
    print(f"{'lang':<5}{'n':>4} " + " ".join(f"{c[:14]:>14}" for c in cols) + "   baselines P@1/MRR")
    for lang, m in report["eval"].items():
        base = "  ".join(f"{k}={v['p_at_1']:.2f}/{v['mrr_at_10']:.2f}" for k, v in m["baselines"].items())
        print(f"{lang:<5}{m['n']:>4} " + " ".join(f"{m[c]:>14.3f}" for c in cols) + f"   {base}")
    print()
    for lang, m in report["eval"].items():
        print(f"{lang}: as expected {m['as_expected']}  suggest right-first {m['suggest_right_first']:.2f}")
    lat = report["latency_ms"]
    print(f"\nper message p50 {lat['p50']:.1f} ms  p99 {lat['p99']:.1f} ms   failures {report['failures']}")
    alone = report["search_latency_ms"]
    print(f"one search of the whole message p50 {alone['p50']:.1f} ms  p99 {alone['p99']:.1f} ms")


def _cached_embedder() -> Embedder | bool:
    from knowledge.embedding_cache import CachedEmbedder
    from knowledge.index_cache import cache_folder
    from knowledge.match_dense import default_embedder

    inner = default_embedder()
    if inner is None:
        return False
    return CachedEmbedder(inner, cache_folder() / "bench-embeddings.npz")
