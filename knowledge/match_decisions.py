"""Fitting the answer and suggest thresholds through the bot's own decision path.

The bot does not decide on a message's whole-text match alone: ``Understander`` reads
intents first, matches the sentences of the message, lets the one that asks most clearly
decide and offers two entries when two topics are asked. Thresholds chosen on
whole-message matches (``match_crossval.fit``) were therefore fitted for something else
than what the bot does with them. Here they are chosen by replaying the Understander over
the evaluation messages under candidate thresholds (the searches replayed from
remembered signals, ``knowledge.match_replay``):

* **answer**: the lowest threshold at which the bot's direct answers (one entry, or two
  topics) to the fitting messages are right at least ``TARGET_PRECISION`` of the time;
* **suggest**: the lowest threshold (below answer) at which ``NONE_SHARE`` of the
  out-of-scope messages end in "I don't know".

The bot ships the median of the folds' thresholds (``shipped_thresholds``).

``crossvalidate`` does this once per fold on the other folds' messages (with that fold's
signal weights and confidence model) and reports what the bot then does with the
held-out fold's messages. Used by ``python -m benchmarks.matching --fit``; nothing here
runs in the bot.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from knowledge.base import KnowledgeBase
from knowledge.eval_set import EvalMessage
from knowledge.intents import IntentDetector
from knowledge.match_crossval import NONE_SHARE, TARGET_PRECISION
from knowledge.match_fitted import Fitted
from knowledge.match_replay import ReplaySearch, SignalMemo
from knowledge.understanding import Kind, Understander, Understanding

ANSWER_FLOOR = 0.5
STEP = 0.01
GAP = 0.05  # suggest stays at least this far below answer (as in match_crossval.fit)

Pairs = list[tuple[EvalMessage, Understanding]]


@dataclass(slots=True)
class DecisionPath:
    """The bot's decision path over the evaluation messages, under any numbers."""

    knowledge: KnowledgeBase
    intents: IntentDetector
    memo: SignalMemo

    @classmethod
    def of(cls, knowledge: KnowledgeBase, intents: IntentDetector | None = None) -> DecisionPath:
        return cls(knowledge, intents or IntentDetector.from_file(), SignalMemo(knowledge.matcher))

    def run(self, messages: Sequence[EvalMessage], numbers: Fitted) -> Pairs:
        understander = Understander(self.knowledge, self.intents, ReplaySearch(self.memo, numbers))
        return [(m, understander.understand(m.text, m.lang)) for m in messages]


def expects_none(m: EvalMessage) -> bool:
    return m.decision == "none" or (m.decision == "intent" and m.intent == "out_of_scope")


def direct_precision(pairs: Pairs) -> tuple[int, float]:
    """How many messages got a direct answer, and the share of those that were right."""
    answered = [(m, u) for m, u in pairs if u.kind in (Kind.ANSWER, Kind.TWO)]
    right = sum(1 for m, u in answered if u.top is not None and u.top.id in m.gold)
    return len(answered), right / len(answered) if answered else 1.0


def none_share(pairs: Pairs) -> float:
    """The share of out-of-scope messages that ended in "I don't know"."""
    outside = [u for m, u in pairs if expects_none(m)]
    return sum(1 for u in outside if u.kind is Kind.NONE) / len(outside) if outside else 1.0


def _grid(low: float, high: float) -> list[float]:
    n = round((high - low) / STEP)
    return [round(low + i * STEP, 4) for i in range(n + 1)]


def fit_thresholds(path: DecisionPath, messages: Sequence[EvalMessage], numbers: Fitted) -> Fitted:
    """``numbers`` with answer and suggest thresholds chosen on ``messages`` through the
    bot's path (see the module's docstring)."""
    answer_at = 1.0
    for t in reversed(_grid(ANSWER_FLOOR, 0.99)):
        trial = replace(numbers, answer_at=t, suggest_at=min(numbers.suggest_at, t - GAP))
        answered, precision = direct_precision(path.run(messages, trial))
        if answered and precision >= TARGET_PRECISION:
            answer_at = t  # the lowest that still holds, as match_fit.answer_threshold
    ceiling = round(answer_at - GAP, 4)
    suggest_at = ceiling
    # Coarse steps up from the bottom, then single steps below the first that holds.
    coarse = _grid(0.0, ceiling)[:: round(GAP / STEP)]
    previous = 0.0
    for s in coarse:
        if none_share(path.run(messages, replace(numbers, answer_at=answer_at, suggest_at=s))) >= NONE_SHARE:
            for fine in _grid(previous, s):
                trial = replace(numbers, answer_at=answer_at, suggest_at=fine)
                if none_share(path.run(messages, trial)) >= NONE_SHARE:
                    suggest_at = fine
                    break
            break
        previous = s
    return replace(numbers, answer_at=answer_at, suggest_at=min(suggest_at, ceiling))


def shipped_thresholds(numbers: Fitted, per_fold: Sequence[Fitted]) -> Fitted:
    """``numbers`` with the median of the folds' answer and suggest thresholds (each fold's
    chosen by ``fit_thresholds`` on the other folds' messages).

    Not ``fit_thresholds`` on all messages: the precision of the direct answers hardly
    changes with the threshold over a wide range (0.92-0.93 from 0.70 to 0.86 in the
    refit of 2026-12-07, because the few wrong answers are confident ones), so the lowest
    threshold at which it reaches the target jumps with a single message. That fit chose
    0.86 while the five folds chose 0.71-0.80, and at 0.86 the bot answered Arabic
    messages directly 60% of the time against 73% at 0.80, with the same precision. The
    median of the folds is the threshold the cross-validated figures describe."""
    if not per_fold:
        return numbers
    answer_at = float(statistics.median(n.answer_at for n in per_fold))
    suggest_at = float(statistics.median(n.suggest_at for n in per_fold))
    return replace(numbers, answer_at=answer_at, suggest_at=min(suggest_at, round(answer_at - GAP, 4)))


@dataclass(frozen=True, slots=True)
class CrossValidated:
    before: Pairs  # held-out messages, thresholds fitted on whole-message matches
    after: Pairs  # held-out messages, thresholds fitted through the bot's path
    numbers: list[Fitted]  # per fold, after


def crossvalidate(
    path: DecisionPath, messages: Sequence[EvalMessage], folds: Sequence[int], per_fold: Sequence[Fitted]
) -> CrossValidated:
    """Per fold f: ``per_fold[f]`` (fitted without fold f) as it is, and with thresholds
    refitted through the bot's path on the other folds' messages; both run on fold f."""
    before: Pairs = []
    after: Pairs = []
    out = []
    for f, numbers in enumerate(per_fold):
        fitting = [m for m, k in zip(messages, folds, strict=True) if k != f]
        held = [m for m, k in zip(messages, folds, strict=True) if k == f]
        refitted = fit_thresholds(path, fitting, numbers)
        before += path.run(held, numbers)
        after += path.run(held, refitted)
        out.append(refitted)
    return CrossValidated(before, after, out)
