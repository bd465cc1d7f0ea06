"""Turn-time benchmark of the interest check: ``python -m benchmarks.interests``.

``--people`` people (``--together`` at a time) each agree to the privacy notice, open the
check and answer every statement with buttons, through the whole application turn (the
dialogs layer with its state and storage) on a fresh SQLite database in a temporary
folder. Prints p50, p99 and max of the time per answer, separately for the last answer,
which works out and renders the result (several messages). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.dispatch import percentile
from bot.app import App, build_app
from bot.config import load_settings
from dialogs.replies import Incoming, Kind, Outcome
from knowledge.model import LANGUAGES

ANSWER_BUTTONS = 3  # like, not sure, don't like: the first three buttons of a statement


async def _turn(app: App, chat_id: int, incoming: Incoming) -> tuple[Outcome, float]:
    began = time.perf_counter()
    outcome = await app.turn(incoming, f"bench:{chat_id}:{chat_id}")
    return outcome, time.perf_counter() - began


def _press(chat_id: int, outcome: Outcome, index: int) -> Incoming:
    buttons = [b for r in outcome.replies for row in r.buttons for b in row]
    return Incoming(chat_id, Kind.BUTTON, data=buttons[index].data)


async def one_person(app: App, chat_id: int, lang: str, rng: random.Random) -> tuple[list[float], float]:
    """One whole check; the times of the answers before the last, and of the last."""
    await _turn(app, chat_id, Incoming(chat_id, Kind.BUTTON, data=f"lang:{lang}"))
    await _turn(app, chat_id, Incoming(chat_id, Kind.BUTTON, data="consent:yes"))
    outcome, _ = await _turn(app, chat_id, Incoming.message(chat_id, "/interests"))
    check = app.content.knowledge.snapshot.interests
    assert check is not None
    times: list[float] = []
    for _number in range(len(check.statements)):
        outcome, took = await _turn(app, chat_id, _press(chat_id, outcome, rng.randrange(ANSWER_BUTTONS)))
        times.append(took)
    assert any("CC BY 4.0" in r.text for r in outcome.replies), "the check did not end in a result"
    return times[:-1], times[-1]


async def run(people: int, together: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}")
        app = await build_app(settings)
        try:
            answers: list[float] = []
            results: list[float] = []
            gate = asyncio.Semaphore(together)

            async def person(index: int) -> None:
                async with gate:
                    lang = LANGUAGES[index % len(LANGUAGES)]
                    before, last = await one_person(app, 10_000 + index, lang, random.Random(rng.random()))
                    answers.extend(before)
                    results.append(last)

            began = time.perf_counter()
            await asyncio.gather(*(person(i) for i in range(people)))
            wall = time.perf_counter() - began
        finally:
            await app.close()

    def figures(values: list[float]) -> dict[str, float]:
        return {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            "max_ms": round(max(values) * 1000, 2),
            "mean_ms": round(statistics.fmean(values) * 1000, 2),
        }

    return {
        "people": people,
        "together": together,
        "wall_s": round(wall, 2),
        "answer": figures(answers),
        "last_answer_with_result": figures(results),
        "all_answers": figures(answers + results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100, help="checks to run (default 100)")
    parser.add_argument("--together", type=int, default=4, help="people at a time (default 4)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.people < 1 or args.together < 1:
        parser.error("--people and --together must be 1 or more")
    report = asyncio.run(run(args.people, args.together, args.seed))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['people']} interest checks, {report['together']} at a time, SQLite, "
        f"{report['wall_s']} s in all"
    )
    for name in ("answer", "last_answer_with_result", "all_answers"):
        row = report[name]
        print(
            f"  {name:<24} n={row['count']:<6} p50 {row['p50_ms']:>7} ms  p99 {row['p99_ms']:>7} ms"
            f"  max {row['max_ms']:>7} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
