"""Benchmark of the FAQ matcher against two plain baselines.

    python -m benchmarks.matching --faq FAQ.jsonl --queries QUERIES.jsonl [--split dev|test|all] [--json]
    python -m benchmarks.matching --scale 1000,10000,50000 --faq FAQ.jsonl --queries QUERIES.jsonl
    python -m benchmarks.matching --faq FAQ.jsonl --queries QUERIES.jsonl --kshot 5  # other folds
    python -m benchmarks.matching --eval knowledge/eval/questions [--content knowledge/content]
    python -m benchmarks.matching --fit [--shared ../shared/bench/matching] [--write]

FAQ lines: ``{id, lang, question, answer[, variants, tags]}``; query lines:
``{query, lang, gold_ids, split[, qid, gold_id]}``. Each query is ranked among the
entries of its own language with the same ``Matcher`` (same defaults) the bot uses.
Reported per language: n, P@1, MRR@10; overall: index build seconds, per-query latency
p50/p99 (ms), peak RSS (MB), and the calibration error (ECE) of the top-1 confidence.

Scale mode grows the entry pool to each size (see ``synthesise``) and runs every size in
a fresh process, so peak RSS is that size's own high-water mark.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import match_crossval as cv
from knowledge.loader import SHIPPED_CONTENT
from knowledge.match_baselines import BM25Baseline, TokenSetBaseline
from knowledge.match_dense import Embedder, Vectors, default_embedder
from knowledge.match_fitted import PATH as FITTED_PATH
from knowledge.matcher import Document, Matcher

LIMIT = 10


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    lang: str
    gold: frozenset[str]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_faq(path: Path) -> list[Document]:
    docs = []
    for row in _jsonl(path):
        docs.append(
            Document(
                id=str(row["id"]),
                lang=str(row["lang"]),
                question=str(row.get("question") or ""),
                variants=tuple(str(v) for v in row.get("variants") or ()),
                answer=str(row.get("answer") or ""),
                tags=tuple(str(t) for t in row.get("tags") or ()),
            )
        )
    return docs


def load_queries(path: Path, split: str = "all") -> list[Query]:
    out = []
    for row in _jsonl(path):
        if split != "all" and row.get("split") != split:
            continue
        gold = row.get("gold_ids") or ([row["gold_id"]] if row.get("gold_id") else [])
        out.append(Query(str(row["query"]), str(row["lang"]), frozenset(str(g) for g in gold)))
    return out


def _dedupe(ids: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]  # type: ignore[func-returns-value]


def _metrics(ranked: Sequence[Sequence[str]], queries: Sequence[Query]) -> dict[str, dict[str, float]]:
    per: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for ids, q in zip(ranked, queries, strict=True):
        top = _dedupe(ids)[:LIMIT]
        p1 = 1.0 if top and top[0] in q.gold else 0.0
        rr = next((1.0 / (r + 1) for r, i in enumerate(top) if i in q.gold), 0.0)
        per[q.lang].append((p1, rr))
    return {
        lang: {
            "n": len(v),
            "p_at_1": round(sum(p for p, _ in v) / len(v), 4),
            "mrr_at_10": round(sum(r for _, r in v) / len(v), 4),
        }
        for lang, v in sorted(per.items())
    }


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def ece(conf: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error: |accuracy - confidence| averaged over equal-width bins."""
    if not conf:
        return 0.0
    c = np.asarray(conf, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    which = np.minimum((c * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / len(c) * abs(y[mask].mean() - c[mask].mean())
    return round(float(total), 4)


def run_matcher(docs: Sequence[Document], queries: Sequence[Query]) -> dict[str, Any]:
    t0 = time.perf_counter()
    matcher = Matcher(docs)
    build_s = time.perf_counter() - t0
    ranked: list[list[str]] = []
    latencies: list[float] = []
    confs: list[float] = []
    correct: list[bool] = []
    features: list[tuple[float, float, bool]] = []
    decisions: dict[str, list[bool]] = defaultdict(list)
    for q in queries:
        t = time.perf_counter()
        res = matcher.search(q.text, q.lang, limit=LIMIT)
        latencies.append((time.perf_counter() - t) * 1000.0)
        ids = [m.id for m in res.matches]
        ranked.append(ids)
        ok = bool(ids) and ids[0] in q.gold
        confs.append(res.matches[0].confidence if res.matches else 0.0)
        correct.append(ok)
        top = res.matches[0].score if res.matches else 0.0
        second = res.matches[1].score if len(res.matches) > 1 else 0.0
        features.append((top, second, ok))
        in_top3 = any(m.id in q.gold for m in res.matches[:3])
        decisions[res.decision.value].append(ok if res.decision.value == "answer" else in_top3)
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    return {
        "langs": _metrics(ranked, queries),
        "build_s": round(build_s, 3),
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 3),
            "p99": round(float(np.percentile(lat, 99)), 3),
        },
        "peak_rss_mb": _peak_rss_mb(),
        "calibration": {
            "ece": ece(confs, correct),
            # share of queries per decision, and how often that decision was right
            # (answer: top-1 correct; suggest/none: gold among the top 3)
            "decisions": {
                k: {
                    "share": round(len(v) / max(1, len(queries)), 3),
                    "right": round(sum(v) / max(1, len(v)), 3),
                }
                for k, v in sorted(decisions.items())
            },
        },
        "_features": features,
    }


def run_baselines(docs: Sequence[Document], queries: Sequence[Query]) -> dict[str, Any]:
    by_lang: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_lang[d.lang].append(d)
    token_set = {
        lang: TokenSetBaseline([d.id for d in ds], [d.question for d in ds]) for lang, ds in by_lang.items()
    }
    bm25 = {
        lang: BM25Baseline([d.id for d in ds], [f"{d.question} {d.answer}" for d in ds], lang)
        for lang, ds in by_lang.items()
    }

    def ranks(systems: dict[str, TokenSetBaseline] | dict[str, BM25Baseline]) -> list[list[str]]:
        out = []
        for q in queries:
            system = systems.get(q.lang)
            out.append(system.rank(q.text, LIMIT) if system is not None else [])
        return out

    return {"token_set_ratio": _metrics(ranks(token_set), queries), "bm25": _metrics(ranks(bm25), queries)}


# ---------------------------------------------------------------------- scale mode


def synthesise(docs: Sequence[Document], size: int, seed: int = 0) -> list[Document]:
    """Grow ``docs`` to ``size`` entries with synthetic, distinct ones.

    Each synthetic entry belongs to a language drawn in proportion to the real entries.
    Its question takes a real question of that language and replaces about 40% of the
    words with words from other questions of the language; one word in eight is also
    mutated (a letter inserted or replaced) so the vocabulary keeps growing with the
    pool, as a real knowledge base's would. Its answer joins 2-4 sentences taken from
    random real answers. Ids are ``synth-<lang>-<n>``; questions are unique.

    The point is cost (build time, latency, memory). The P@1 scale mode prints is that
    of the real queries against a pool full of near-copies of their gold questions
    (60% of the words kept), far harsher than any real knowledge base.
    """
    rng = random.Random(seed)
    out = list(docs)
    if size <= len(out):
        return out[:size]
    by_lang: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_lang[d.lang].append(d)
    langs = sorted(by_lang)
    weights = [len(by_lang[lang]) for lang in langs]
    words = {lang: [w for d in ds for w in d.question.split()] for lang, ds in by_lang.items()}
    sentences = {
        lang: [s.strip() for d in ds for s in d.answer.split(". ") if s.strip()]
        for lang, ds in by_lang.items()
    }
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen = {d.question for d in docs}
    n = 0
    while len(out) < size:
        lang = rng.choices(langs, weights)[0]
        base = rng.choice(by_lang[lang]).question.split()
        new_words = []
        for w in base:
            if rng.random() < 0.4:
                w = rng.choice(words[lang])
            if rng.random() < 0.125 and len(w) > 3:
                i = rng.randrange(len(w))
                w = w[:i] + rng.choice(letters) + w[i + (rng.random() < 0.5) :]
            new_words.append(w)
        question = " ".join(new_words)
        if question in seen:
            continue
        seen.add(question)
        pool = sentences[lang]
        answer = ". ".join(rng.choice(pool) for _ in range(rng.randint(2, 4))) if pool else ""
        out.append(Document(id=f"synth-{lang}-{n}", lang=lang, question=question, answer=answer))
        n += 1
    return out


def run_scale(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.scale.split(",") if s.strip()]
    rows = []
    for size in sizes:
        cmd = [sys.executable, "-m", "benchmarks.matching", "--faq", str(args.faq[0])]
        cmd += ["--queries", str(args.queries[0]), "--split", args.split, "--pool-size", str(size), "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        report = json.loads(proc.stdout)
        rows.append(
            {"size": size, **{k: report[k] for k in ("build_s", "latency_ms", "peak_rss_mb", "langs")}}
        )
    if args.json:
        print(json.dumps({"scale": rows}))
        return 0
    print(f"{'entries':>8} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'peak MB':>8}  P@1 per language")
    for r in rows:
        p1 = " ".join(f"{lang}={m['p_at_1']:.2f}" for lang, m in r["langs"].items())
        lat = r["latency_ms"]
        cells = f"{r['build_s']:>8.2f} {lat['p50']:>8.2f} {lat['p99']:>8.2f} {r['peak_rss_mb']:>8.1f}"
        print(f"{r['size']:>8} {cells}  {p1}")
    return 0


# ---------------------------------------------------------------------- k-shot and fit


class MemoEmbedder:
    """Remembers every vector for the length of a benchmark run, so that folds that
    rebuild an index with the same phrasings do not embed them again."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self._memo: dict[str, Vectors] = {}

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts]).astype(np.float32, copy=False)

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_windows(texts)


def _memo_embedder() -> MemoEmbedder | None:
    inner = default_embedder()
    return MemoEmbedder(inner) if inner is not None else None


def _as_tuples(queries: Sequence[Query]) -> list[tuple[str, str, frozenset[str], str]]:
    return [(q.text, q.lang, q.gold, "answer") for q in queries]


def run_kshot(docs: Sequence[Document], queries: Sequence[Query], k: int) -> dict[str, Any]:
    """Each fold's queries ranked among entries whose examples are the other folds'
    queries; the baselines get the same examples (token_set over every phrasing,
    BM25 over all phrasings and the answer)."""
    embedder = _memo_embedder()
    ours: list[list[str]] = []
    token_set: list[list[str]] = []
    bm25: list[list[str]] = []
    ordered: list[Query] = []
    latencies: list[float] = []
    keys = [(q.text, q.lang, min(q.gold)) for q in queries]
    for fold_docs, held in cv.kshot_folds(docs, keys, k):
        matcher = Matcher(fold_docs, embedder=embedder)
        base = _phrasing_baselines(fold_docs)
        for q in (queries[i] for i in held):
            t = time.perf_counter()
            res = matcher.search(q.text, q.lang, limit=LIMIT)
            latencies.append((time.perf_counter() - t) * 1000.0)
            ours.append([m.id for m in res.matches])
            ts, bm = base.get(q.lang, (None, None))
            token_set.append(ts.rank(q.text, LIMIT) if ts else [])
            bm25.append(bm.rank(q.text, LIMIT) if bm else [])
            ordered.append(q)
    lat = np.asarray(latencies) if latencies else np.zeros(1)
    return {
        "langs": _metrics(ours, ordered),
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 3),
            "p99": round(float(np.percentile(lat, 99)), 3),
        },
        "baselines": {"token_set_ratio": _metrics(token_set, ordered), "bm25": _metrics(bm25, ordered)},
    }


def _phrasing_baselines(docs: Sequence[Document]) -> dict[str, tuple[TokenSetBaseline, BM25Baseline]]:
    by_lang: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_lang[d.lang].append(d)
    out = {}
    for lang, ds in by_lang.items():
        ids = [d.id for d in ds for _ in (d.question, *d.variants)]
        phrasings = [p for d in ds for p in (d.question, *d.variants)]
        texts = [" ".join((d.question, *d.variants, d.answer)) for d in ds]
        out[lang] = (TokenSetBaseline(ids, phrasings), BM25Baseline([d.id for d in ds], texts, lang))
    return out


def run_fit(args: argparse.Namespace) -> int:
    """Cross-validate the fitting procedure, then fit on everything (see match_crossval)."""
    from knowledge import match_decisions as decisions
    from knowledge.eval_set import EvalMessage, load_eval_set, own_knowledge, tabulate

    shared = args.shared
    embedder = _memo_embedder()
    rows: list[cv.Row] = []
    sources: dict[str, str] = {}
    covid_docs = load_faq(shared / "covidqa_faq.jsonl")
    covid_q = load_queries(shared / "covidqa_queries_dev.jsonl", "dev")
    xsid_docs = load_faq(shared / "xsid_faq.jsonl")
    xsid_q = load_queries(shared / "xsid_queries_dev.jsonl", "dev")
    print("covidqa ...", file=sys.stderr)
    rows += cv.rows_for(
        "covidqa",
        Matcher(covid_docs, embedder=embedder),
        _as_tuples(covid_q),
        [0] * len(covid_q),
        1 / len(covid_q),
    )
    print("xsid 1-shot ...", file=sys.stderr)
    rows += cv.rows_for(
        "xsid-1shot",
        Matcher(xsid_docs, embedder=embedder),
        _as_tuples(xsid_q),
        [0] * len(xsid_q),
        1 / len(xsid_q),
    )
    print("xsid k-shot ...", file=sys.stderr)
    rows += cv.kshot_rows(
        "xsid-kshot", xsid_docs, _as_tuples(xsid_q), args.folds, lambda d: Matcher(d, embedder=embedder)
    )
    sources.update(covidqa="covidqa_faq + covidqa_queries_dev", xsid="xsid_faq + xsid_queries_dev")
    own: list[EvalMessage] = []
    kb = None
    if args.eval and args.eval.exists():
        print("own evaluation set ...", file=sys.stderr)
        own = load_eval_set(args.eval)
        kb = own_knowledge(args.content, embedder if embedder is not None else False)
        own_q = [(m.text, m.lang, m.gold, m.decision) for m in own]
        rows += cv.rows_for("own", kb.matcher, own_q, [0] * len(own_q), 1 / len(own_q), [m.qid for m in own])
        sources["own"] = f"{args.eval} against {args.content}"
    rows = cv.assign_folds(rows, args.folds)
    cv_table, per_fold = cv.crossvalidate(rows, args.folds)
    full_table, numbers = cv.full_fit(rows)
    report: dict[str, Any] = {"cross_validated": cv_table, "full_fit": full_table}
    fitted_numbers = cv.as_fitted(numbers)
    if kb is not None:
        # The thresholds again, through the bot's own decision path (knowledge.match_decisions).
        print("thresholds through the bot's path ...", file=sys.stderr)
        path = decisions.DecisionPath.of(kb)
        fold_of = {r.key: r.fold for r in rows if r.dataset == "own"}
        kept = [m for m in own if m.qid in fold_of]
        bot = decisions.crossvalidate(
            path, kept, [fold_of[m.qid] for m in kept], [cv.as_fitted(n) for n in per_fold]
        )
        all_messages = decisions.fit_thresholds(path, kept, fitted_numbers)
        fitted_numbers = decisions.shipped_thresholds(fitted_numbers, bot.numbers)
        numbers.answer_at, numbers.suggest_at = fitted_numbers.answer_at, fitted_numbers.suggest_at
        report["bot_path"] = {
            "cross_validated": {
                "whole_message_thresholds": tabulate(bot.before)[0],
                "bot_path_thresholds": tabulate(bot.after)[0],
            },
            "full_fit": tabulate(path.run(kept, fitted_numbers))[0],
            "fold_thresholds": {
                "answer": [round(n.answer_at, 3) for n in bot.numbers],
                "suggest": [round(n.suggest_at, 3) for n in bot.numbers],
            },
            "shipped_thresholds": {
                "answer": round(fitted_numbers.answer_at, 3),
                "suggest": round(fitted_numbers.suggest_at, 3),
            },
            "all_messages_thresholds": {
                "answer": round(all_messages.answer_at, 3),
                "suggest": round(all_messages.suggest_at, 3),
            },
        }
        if args.failures:
            _write_failures(args.failures, bot.after)
    weights = {
        f"{regime}.{name}": [round(float(n.weights[regime][i]), 3) for n in per_fold]
        for regime in cv.REGIMES
        for i, name in enumerate(cv.SIGNALS)
    }
    report["fold_weights"] = weights
    if args.json:
        print(json.dumps(report))
    else:
        _print_fit(report)
        print(f"\nweights per fold: {weights}")
    if args.write:
        cv.write(FITTED_PATH, cv.to_json(numbers, cv_table, full_table, sources, report.get("bot_path")))
        print(f"wrote {FITTED_PATH}", file=sys.stderr)
    return 0


def _print_fit(report: dict[str, Any]) -> None:
    cols = ("p_at_1", "mrr_at_10", "answer_share", "answer_precision", "suggest_share", "none_share")
    for title in ("cross_validated", "full_fit"):
        print(f"\n== {title.replace('_', ' ')} (matcher on the whole message)")
        print(f"{'data set':<12}{'lang':<5}{'n':>5} " + " ".join(f"{c:>16}" for c in cols))
        for dataset, langs in report[title].items():
            for lang, m in langs.items():
                extra = "  ".join(f"{k}={v:.2f}" for k, v in m.items() if k.endswith("_ok"))
                cells = " ".join(f"{m[c]:>16.3f}" for c in cols)
                print(f"{dataset:<12}{lang:<5}{m['n']:>5} {cells}  {extra}")
    bot = report.get("bot_path")
    if not bot:
        return
    cols = ("p_at_1", "answer_share", "answer_precision", "direct_correct_of_answerable", "suggest_share",
            "none_share")  # fmt: skip
    tables = [
        (
            "cross validated, thresholds fitted on whole messages",
            bot["cross_validated"]["whole_message_thresholds"],
        ),
        (
            "cross validated, thresholds fitted through the bot's path",
            bot["cross_validated"]["bot_path_thresholds"],
        ),
        ("full fit, the folds' median thresholds", bot["full_fit"]),
    ]
    for title, table in tables:
        print(f"\n== own set, the bot's decision path (Understander): {title}")
        print(f"{'lang':<5}{'n':>5} " + " ".join(f"{c[:16]:>16}" for c in cols) + "  as expected")
        for lang, m in table.items():
            cells = " ".join(f"{m[c]:>16.3f}" for c in cols)
            print(f"{lang:<5}{m['n']:>5} {cells}  {m['as_expected']}")
    print(f"\nthresholds per fold: {bot['fold_thresholds']}")
    print(f"shipped (the folds' median): {bot['shipped_thresholds']}")
    print(f"fitted on all messages at once (not shipped): {bot['all_messages_thresholds']}")


def _write_failures(path: Path, pairs: Sequence[tuple[Any, Any]]) -> None:
    """The held-out messages the cross-validated bot path handled otherwise than expected."""
    from knowledge.eval_set import as_expected

    with path.open("w", encoding="utf-8") as fh:
        for m, u in pairs:
            ids = [x.id for x in u.result.matches] if u.result else []
            if as_expected(m, u, ids):
                continue
            row = {"qid": m.qid, "expected": m.decision, "gold": sorted(m.gold), "got": u.kind.value}
            row.update(top=u.top.id if u.top else None, question=u.question, query=m.text)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------- report


def _print_report(report: dict[str, Any]) -> None:
    base = report.get("baselines", {})
    systems = [("ours", report["langs"])] + [(name, m) for name, m in base.items()]
    header = f"{'lang':<5}{'n':>5}  " + "  ".join(f"{name + ' P@1/MRR':>24}" for name, _ in systems)
    print(header)
    print("-" * len(header))
    for lang, m in report["langs"].items():
        cells = []
        for _, metrics in systems:
            mm = metrics.get(lang)
            cells.append(f"{mm['p_at_1']:>15.3f} / {mm['mrr_at_10']:.3f}" if mm else f"{'-':>24}")
        print(f"{lang:<5}{m['n']:>5}  " + "  ".join(cells))
    lat = report["latency_ms"]
    print()
    print(f"build {report['build_s']:.2f} s   latency p50 {lat['p50']:.2f} ms  p99 {lat['p99']:.2f} ms   "
          f"peak RSS {report['peak_rss_mb']:.1f} MB")  # fmt: skip
    cal = report["calibration"]
    dec = "  ".join(f"{k}: {v['share']:.0%} (right {v['right']:.0%})" for k, v in cal["decisions"].items())
    print(f"calibration ECE {cal['ece']:.3f}   decisions {dec}")


def _print_kshot(report: dict[str, Any]) -> None:
    base = report["baselines"]
    systems = [("ours", report["langs"]), *base.items()]
    print(f"{'lang':<5}{'n':>5}  " + "  ".join(f"{name + ' P@1/MRR':>24}" for name, _ in systems))
    for lang, m in report["langs"].items():
        cells = [f"{s[lang]['p_at_1']:>15.3f} / {s[lang]['mrr_at_10']:.3f}" for _, s in systems]
        print(f"{lang:<5}{m['n']:>5}  " + "  ".join(cells))
    lat = report["latency_ms"]
    print(f"latency p50 {lat['p50']:.2f} ms  p99 {lat['p99']:.2f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__.split("\n\n")[0])
    ap.add_argument("--faq", type=Path, action="append", default=[])
    ap.add_argument("--queries", type=Path, action="append", default=[])
    ap.add_argument("--split", default="all", help="dev, test or all (default)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--scale", help="comma-separated pool sizes, e.g. 1000,10000,50000")
    ap.add_argument("--pool-size", type=int, help=argparse.SUPPRESS)  # one size of --scale
    ap.add_argument("--kshot", type=int, metavar="K", help="K folds; other folds' queries are examples")
    ap.add_argument(
        "--fit", action="store_true", help="cross-validate and fit weights, confidence, thresholds"
    )
    ap.add_argument("--write", action="store_true", help="with --fit: write knowledge/match_fitted.json")
    ap.add_argument("--folds", type=int, default=5, help="folds for --fit (default 5)")
    ap.add_argument("--shared", type=Path, default=Path("../shared/bench/matching"), help="public dev data")
    ap.add_argument("--eval", type=Path, help="the own evaluation set (knowledge/eval/questions)")
    ap.add_argument("--failures", type=Path, help="with --eval: write the misunderstood messages here")
    ap.add_argument("--content", type=Path, default=SHIPPED_CONTENT, help="content folder (the shipped one)")
    ap.add_argument("--no-baselines", action="store_true", help="skip the baselines")
    args = ap.parse_args(argv)
    if args.fit:
        return run_fit(args)
    if args.eval and not args.faq:
        from knowledge.eval_set import run_eval_report

        return run_eval_report(args.eval, args.content, args.json, args.failures)
    if len(args.faq) != 1 or len(args.queries) != 1:
        ap.error("give one --faq and one --queries (or --eval, or --fit)")
    if args.scale:
        return run_scale(args)
    if args.kshot:
        kreport = run_kshot(load_faq(args.faq[0]), load_queries(args.queries[0], args.split), args.kshot)
        if args.json:
            print(json.dumps(kreport))
        else:
            _print_kshot(kreport)
        return 0

    docs = load_faq(args.faq[0])
    if args.pool_size:
        docs = synthesise(docs, args.pool_size)
    queries = load_queries(args.queries[0], args.split)
    report = run_matcher(docs, queries)
    report.pop("_features")
    if not args.pool_size and not args.no_baselines:
        report["baselines"] = run_baselines(docs, queries)
    if args.json:
        # The agreed shape: langs, build_s, latency_ms, peak_rss_mb (+ baselines).
        report.pop("calibration")
        print(json.dumps(report))
    else:
        _print_report(report)
    return 0


def _entry(fn: Callable[[], int]) -> None:
    raise SystemExit(fn())


if __name__ == "__main__":
    _entry(main)
