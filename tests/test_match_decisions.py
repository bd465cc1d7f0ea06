"""The thresholds are fitted through the bot's own decision path: searches replayed from
remembered signals decide exactly as the bot does, and the fit moves the thresholds to
what those decisions need. Shipped content, real embedder; the messages are written
here (none comes from the evaluation set)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.base import KnowledgeBase
from knowledge.eval_set import EvalMessage
from knowledge.match_decisions import (
    GAP,
    DecisionPath,
    crossvalidate,
    direct_precision,
    fit_thresholds,
    none_share,
    shipped_thresholds,
)
from knowledge.match_fitted import fitted
from knowledge.understanding import Kind, Understander


def _m(qid: str, lang: str, text: str, gold: str | None, decision: str = "answer") -> EvalMessage:
    return EvalMessage(qid, lang, text, frozenset([gold] if gold else []), gold, decision, None, ())


MESSAGES = [
    _m(
        "t1",
        "de",
        "Wie kann ich meinen Berufsabschluss aus Syrien anerkennen lassen?",
        "anerkennung-berufsabschluss",
    ),
    _m("t2", "de", "Wie viel verdient man im ersten Jahr der Ausbildung?", "ausbildung-verguetung"),
    _m("t3", "en", "where can i find an internship in pirna", "praktikum-finden"),
    _m("t4", "uk", "Привіт! Я з Одеси. Скільки платять азубі на першому році?", "ausbildung-verguetung"),
    _m(
        "t5",
        "de",
        "Ich suche einen Praktikumsplatz in Pirna für die Sommerferien. "
        "Und wie kann ich meinen Berufsabschluss aus dem Iran anerkennen lassen?",
        "anerkennung-berufsabschluss",
        "two",
    ),
    _m("t6", "en", "which football club in freital trains on saturdays", None, "none"),
    _m("t7", "de", "Wo kann ich in Pirna den Führerschein machen und was kostet das?", None, "none"),
    _m("t8", "ru", "какой уровень немецкого нужен для аусбильдунга", "deutsch-niveau-ausbildung"),
    _m("t9", "tr", "hallo", None, "intent"),
]


@pytest.fixture(scope="module")
def path(knowledge: KnowledgeBase) -> DecisionPath:
    return DecisionPath.of(knowledge)


def test_replayed_searches_decide_as_the_bot(knowledge: KnowledgeBase, path: DecisionPath) -> None:
    bot = Understander(knowledge, path.intents)
    replayed = path.run(MESSAGES, fitted())
    for m, u in replayed:
        real = bot.understand(m.text, m.lang)
        assert u.kind is real.kind, m.qid
        assert (u.top.id if u.top else None) == (real.top.id if real.top else None), m.qid
        assert (u.second.id if u.second else None) == (real.second.id if real.second else None), m.qid
        if u.top and real.top:
            assert u.top.confidence == pytest.approx(real.top.confidence, abs=1e-4)
    kinds = {m.qid: u.kind for m, u in replayed}
    assert kinds["t9"] is Kind.INTENT


def test_thresholds_follow_the_numbers(path: DecisionPath) -> None:
    never = replace(fitted(), answer_at=1.01, suggest_at=1.0)
    always = replace(fitted(), answer_at=0.0, suggest_at=0.0)
    assert direct_precision(path.run(MESSAGES, never))[0] == 0
    assert none_share(path.run(MESSAGES, never)) == 1.0
    answered, _ = direct_precision(path.run(MESSAGES, always))
    # everything that reaches the matcher and is not rejected as out of scope is answered
    assert answered >= 6


def test_the_fit_keeps_direct_answers_right(path: DecisionPath) -> None:
    # Start from thresholds that answer everything: the fit must raise them until the
    # direct answers on these messages are right often enough, and keep suggest below.
    start = replace(fitted(), answer_at=0.0, suggest_at=0.0)
    numbers = fit_thresholds(path, MESSAGES, start)
    assert 0.5 <= numbers.answer_at <= 1.0
    assert numbers.suggest_at <= numbers.answer_at - GAP + 1e-9
    answered, precision = direct_precision(path.run(MESSAGES, numbers))
    if answered:
        assert precision >= 0.9
    # more out-of-scope messages end in "I don't know" than with no suggest threshold
    assert none_share(path.run(MESSAGES, numbers)) >= none_share(path.run(MESSAGES, start))


def test_crossvalidation_reports_only_held_out_messages(path: DecisionPath) -> None:
    folds = [i % 3 for i in range(len(MESSAGES))]
    cv = crossvalidate(path, MESSAGES, folds, [fitted()] * 3)
    assert sorted(m.qid for m, _ in cv.after) == sorted(m.qid for m in MESSAGES)
    assert sorted(m.qid for m, _ in cv.before) == sorted(m.qid for m in MESSAGES)
    assert len(cv.numbers) == 3
    # "before" runs the given numbers unchanged
    bot = {m.qid: u.kind for m, u in path.run(MESSAGES, fitted())}
    assert all(bot[m.qid] is u.kind for m, u in cv.before)


def test_the_bot_ships_the_folds_median_thresholds() -> None:
    folds = [
        replace(fitted(), answer_at=a, suggest_at=s)
        for a, s in ((0.80, 0.48), (0.71, 0.62), (0.77, 0.64), (0.79, 0.56), (0.79, 0.53))
    ]
    shipped = shipped_thresholds(fitted(), folds)
    assert shipped.answer_at == pytest.approx(0.79)
    assert shipped.suggest_at == pytest.approx(0.56)
    assert shipped.confidence == fitted().confidence  # only the thresholds change
    # suggest never comes closer to answer than GAP
    close = [replace(f, suggest_at=f.answer_at - 0.01) for f in folds]
    assert shipped_thresholds(fitted(), close).suggest_at == pytest.approx(0.79 - GAP)
    assert shipped_thresholds(fitted(), []) == fitted()
