"""The safety check's meaning layer: example messages and the model fitted on them.

Editors write example messages per language and class (a crisis category, or ``none`` for
idioms and near-misses) into ``knowledge/content/safety_examples.yaml``. ``python -m
knowledge.safety_fit`` embeds them (multilingual-e5-small, the project's embedder), fits a
small ensemble of one-hidden-layer networks over the sentence vectors (classes: none + the
five categories), chooses size, regularisation and the alarm threshold by k-fold
cross-validation and writes ``safety_fitted.yaml``. The networks read a window's vector
(embedded whole, alone or among others: ``Embedder.embed_windows``) and its lexical score
(``knowledge.safety_lexical``: its letter sequences, which carry the dialects, slang and
transliterations the vectors know less well). At run time a window of a message is an
alarm when ``1 - p(none)`` reaches the threshold; its category is the most probable class
of a second small network (``CategoryHead``) fitted on the crisis examples alone.

Cross-validated on the examples, the networks halved the false alarms of a linear model at
the same recall (idioms sit close to crises in the vector space; a hidden layer separates
them better), and a nearest-neighbour vote added little while it would need every example
vector at run time. The multilingual vector space lets an example written in one language
help recognise a paraphrase in another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from knowledge.safety_base import LANGUAGES, CrisisCategory, SafetyFileError
from knowledge.safety_lexical import BITS, LexicalScore
from knowledge.safety_text import fold
from knowledge.yaml_text import load_yaml

__all__ = [
    "CLASSES",
    "EXAMPLES_PATH",
    "FITTED_PATH",
    "CategoryHead",
    "Example",
    "MeaningModel",
    "fit_network",
    "load_examples",
]

_CONTENT = Path(__file__).resolve().parent / "content"
EXAMPLES_PATH = _CONTENT / "safety_examples.yaml"
FITTED_PATH = _CONTENT / "safety_fitted.yaml"

NONE = "none"
CLASSES: tuple[str, ...] = (NONE, *(c.value for c in CrisisCategory))
MAX_EXAMPLE_CHARS = 300

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Example:
    language: str
    label: str  # "none" or a CrisisCategory value
    text: str
    where: str  # "examples.de.self_harm[3]", for error messages and reports

    @property
    def crisis(self) -> bool:
        return self.label != NONE


def load_examples(path: Path) -> list[Example]:
    """Read and validate the example file; errors name the file and the entry."""
    source = str(path)

    def fail(where: str, message: str) -> SafetyFileError:
        return SafetyFileError(f"{source}: {where}: {message}")

    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SafetyFileError(f"{source}: cannot be read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise SafetyFileError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise fail("top level", "expected a mapping with 'version' and 'examples'")
    unknown = sorted(str(k) for k in data if k not in ("version", "examples"))
    if unknown:
        raise fail("top level", f"unknown key(s) {', '.join(unknown)}; allowed: examples, version")
    if data.get("version", 1) != 1:
        raise fail("version", f"unsupported version {data.get('version')!r}; this code reads version 1")
    by_language = data.get("examples")
    if not isinstance(by_language, Mapping) or not by_language:
        raise fail("examples", "missing, or not a mapping of language to classes")
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for language, by_class in by_language.items():
        where = f"examples.{language}"
        if language not in LANGUAGES:
            raise fail(where, f"unknown language; allowed: {', '.join(LANGUAGES)}")
        if not isinstance(by_class, Mapping) or not by_class:
            raise fail(
                where, f"expected a mapping of class to a list of messages; classes: {', '.join(CLASSES)}"
            )
        for label, texts in by_class.items():
            here = f"{where}.{label}"
            if label not in CLASSES:
                raise fail(here, f"unknown class; allowed: {', '.join(CLASSES)}")
            if not isinstance(texts, list) or not texts:
                raise fail(here, "expected a non-empty list of messages")
            for i, text in enumerate(texts):
                entry = f"{here}[{i}]"
                if not isinstance(text, str) or not text.strip():
                    raise fail(entry, f"expected a non-empty text, got {text!r}")
                if len(text) > MAX_EXAMPLE_CHARS:
                    raise fail(entry, f"longer than {MAX_EXAMPLE_CHARS} characters; write one sentence")
                key = " ".join(fold(text).split())
                if key in seen:
                    raise fail(entry, f"same message as {seen[key]} after normalisation")
                seen[key] = entry
                examples.append(Example(str(language), str(label), text.strip(), entry))
    missing = [label for label in CLASSES if not any(e.label == label for e in examples)]
    if missing:
        raise fail("examples", f"no example of class(es) {', '.join(missing)}")
    return examples


def fingerprint(examples: Sequence[Example]) -> str:
    """Changes whenever an example is added, removed, moved to another class or edited."""
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda e: (e.language, e.label, e.text)):
        digest.update(f"{example.language}\t{example.label}\t{example.text}\n".encode())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- the model


def _softmax(logits: Matrix) -> Matrix:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: Matrix = exp / exp.sum(axis=1, keepdims=True)
    return result


@dataclass(frozen=True)
class Member:
    """One small network: standardised vector -> ReLU hidden layer -> class logits."""

    w1: Matrix  # dim x hidden
    b1: Matrix  # hidden
    w2: Matrix  # hidden x classes
    b2: Matrix  # classes

    def probabilities(self, x: Matrix) -> Matrix:
        return _softmax(np.maximum(0.0, x @ self.w1 + self.b1) @ self.w2 + self.b2)


def fit_network(
    x: Matrix,
    y: npt.NDArray[np.int64],
    *,
    classes: int,
    hidden: int,
    l2: float,
    seeds: Sequence[int] = (0, 1, 2),
    sample_weight: Matrix | None = None,
    iterations: int = 600,
) -> tuple[Matrix, Matrix, tuple[Member, ...]]:
    """An ensemble of one-hidden-layer networks (Adam, full batch, L2), one per seed.

    Returns (mean, scale, members): inputs are standardised with mean and scale. Deterministic
    for given seeds; a few hundred examples of 384 dimensions fit in about a second.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    xs = (x - mean) / scale
    n, dim = xs.shape
    target = np.zeros((n, classes))
    target[np.arange(n), y] = 1.0
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    weight = weight / weight.sum()
    members: list[Member] = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = [
            rng.normal(0.0, 1.0 / np.sqrt(dim), (dim, hidden)),
            np.zeros(hidden),
            rng.normal(0.0, 1.0 / np.sqrt(hidden), (hidden, classes)),
            np.zeros(classes),
        ]
        first = [np.zeros_like(p) for p in params]
        second = [np.zeros_like(p) for p in params]
        rate, beta1, beta2 = 0.01, 0.9, 0.999
        for step in range(1, iterations + 1):
            w1, b1, w2, b2 = params
            h = np.maximum(0.0, xs @ w1 + b1)
            error = (_softmax(h @ w2 + b2) - target) * weight[:, None]
            back = (error @ w2.T) * (h > 0)
            grads = [xs.T @ back + l2 * w1, back.sum(axis=0), h.T @ error + l2 * w2, error.sum(axis=0)]
            for i, grad in enumerate(grads):
                first[i] = beta1 * first[i] + (1 - beta1) * grad
                second[i] = beta2 * second[i] + (1 - beta2) * grad * grad
                corrected = first[i] / (1 - beta1**step)
                params[i] = params[i] - rate * corrected / (np.sqrt(second[i] / (1 - beta2**step)) + 1e-8)
        members.append(Member(*params))
    return mean, scale, tuple(members)


@dataclass(frozen=True)
class CategoryHead:
    """Which crisis it is, fitted on the crisis examples alone. The main networks learn
    crisis or not from thousands of ordinary sentences; their split of the crisis share
    among the categories was a by-product ("nikdo by mi nechyběl", nobody would miss me,
    came out as abuse)."""

    mean: Matrix
    scale: Matrix
    members: tuple[Member, ...]

    def probabilities(self, vectors: npt.NDArray[np.floating[Any]]) -> Matrix:
        return _ensemble(self.mean, self.scale, self.members, vectors, len(CLASSES) - 1)


@dataclass(frozen=True)
class MeaningModel:
    mean: Matrix  # dim: inputs are standardised as (vector - mean) / scale
    scale: Matrix  # dim
    members: tuple[Member, ...]  # their class probabilities are averaged
    threshold: float  # alarm when 1 - p(none) >= threshold, in a message of one sentence
    examples: str  # fingerprint of the examples it was fitted on
    provenance: Mapping[str, Any]
    # In a message of several sentences each is a chance of a false alarm: a stricter one.
    threshold_long: float | None = None
    # Below the alarm, a concern: the bot answers as usual and adds where to get help, but
    # opens no urgent case. (one sentence, several sentences); None: no concern tier.
    concern: tuple[float, float] | None = None
    # The alarm for messages of 2, 3, ... sentences (index 0: two sentences), each
    # fitted on made-up messages of exactly that many; beyond the table, threshold_long.
    # Two sentences are two chances of a false alarm, not the seven of a long message.
    threshold_by_sentences: tuple[float, ...] = ()
    # The alarm for the last sentence of a message of several: a long message tends to
    # come to its point at its end ("...sorry for the long text. I only wanted to say that
    # tonight I end it"). The fit makes it the alarm of a message of one sentence, which
    # that sentence would have been had the person pressed Enter before it, and chooses
    # the alarms per number of sentences with it in force. None: no such rule.
    threshold_closing: float | None = None
    # Which crisis, when fitted apart; else the main networks' most probable crisis class.
    category_head: CategoryHead | None = None
    # The lexical score (knowledge.safety_lexical), an input beside the vector; None: the
    # networks read the vector alone.
    lexical: LexicalScore | None = None

    @property
    def long_threshold(self) -> float:
        return self.threshold if self.threshold_long is None else self.threshold_long

    def alarm_limit(self, sentences: int) -> float:
        """The alarm threshold for a message of this many sentences."""
        if sentences <= 1:
            return self.threshold
        if sentences - 2 < len(self.threshold_by_sentences):
            return min(self.threshold_by_sentences[sentences - 2], self.long_threshold)
        return self.long_threshold

    def limits(self, sentences: int, concern: bool, closing: bool = False) -> float:
        """The probability from which a window counts, for an alarm or for a concern; for
        the ``closing`` (last) sentence of a message of several, the alarm is
        ``threshold_closing`` when lower, and the concern stays that of its message."""
        alarm = self.alarm_limit(sentences)
        if closing and sentences > 1 and self.threshold_closing is not None:
            alarm = min(alarm, self.threshold_closing)
        if not concern or self.concern is None:
            return alarm
        return min(alarm, self.concern[1] if sentences > 1 else self.concern[0])

    @property
    def dim(self) -> int:
        """The dimension of the sentence vectors it reads (its inputs less the lexical score)."""
        return int(self.mean.shape[0]) - (self.lexical is not None)

    def inputs(self, vectors: npt.NDArray[np.floating[Any]], texts: Sequence[str]) -> Matrix:
        """What the networks read for windows: their vectors and, when fitted with one, the
        lexical score of their texts."""
        x = np.asarray(vectors, dtype=np.float64)
        return x if self.lexical is None else np.hstack([x, self.lexical.column(texts)])

    def probabilities(self, vectors: npt.NDArray[np.floating[Any]]) -> Matrix:
        return _ensemble(self.mean, self.scale, self.members, vectors, len(CLASSES))

    def classify(
        self, vectors: npt.NDArray[np.floating[Any]], threshold: float | None = None
    ) -> list[tuple[CrisisCategory, float] | None]:
        """Per row: (most probable crisis category, 1 - p(none)) when it is an alarm."""
        limit = self.threshold if threshold is None else threshold
        crisis, categories = self.judge(vectors)
        return [
            (category, float(p)) if p >= limit else None
            for p, category in zip(crisis, categories, strict=True)
        ]

    def judge(self, vectors: npt.NDArray[np.floating[Any]]) -> tuple[Matrix, list[CrisisCategory]]:
        """Per row: 1 - p(none), and which crisis it would be."""
        probs = self.probabilities(vectors)
        shares = probs[:, 1:] if self.category_head is None else self.category_head.probabilities(vectors)
        return 1.0 - probs[:, 0], [CrisisCategory(CLASSES[1 + int(i)]) for i in np.argmax(shares, axis=1)]

    def fits(self, examples: Sequence[Example]) -> bool:
        return self.examples == fingerprint(examples)

    @classmethod
    def load(cls, path: Path) -> MeaningModel | None:
        """The fitted model, or None when the file does not exist; errors name the file."""
        if not Path(path).exists():
            return None
        source = str(path)
        try:
            data = load_yaml(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SafetyFileError(f"{source}: not valid YAML: {exc}") from exc
        try:
            classes = tuple(data["classes"])
            if classes != CLASSES:
                raise ValueError(f"classes {classes} are not {CLASSES}")
            mean = _decode(data["mean"])
            scale = _decode(data["scale"])
            members = _members(data["members"])
            head_data = data.get("category_head")
            head = (
                None
                if head_data is None
                else CategoryHead(
                    _decode(head_data["mean"]), _decode(head_data["scale"]), _members(head_data["members"])
                )
            )
            lexical_data = data.get("lexical")
            lexical = None if lexical_data is None else LexicalScore(_decode(lexical_data["ratios"]))
            if lexical is not None and lexical.ratios.shape != (1 << BITS,):
                raise ValueError(f"a lexical table of {lexical.ratios.shape} buckets, not {1 << BITS}")
            threshold = float(data["threshold"])
            threshold_long = float(data.get("threshold_long", threshold))
            examples = str(data["examples"])
            provenance = dict(data.get("provenance") or {})
            concern_data = data.get("concern")
            concern = (
                None if concern_data is None else (float(concern_data["single"]), float(concern_data["long"]))
            )
            by_sentences = tuple(float(t) for t in data.get("threshold_by_sentences") or ())
            closing_data = data.get("threshold_closing")
            closing = None if closing_data is None else float(closing_data)
            limits = (
                threshold,
                threshold_long,
                *(concern or ()),
                *by_sentences,
                *([] if closing is None else [closing]),
            )
            if not members or not all(0.0 < t < 1.0 for t in limits):
                raise ValueError("no members, or a threshold outside (0, 1)")
            if not _shaped(members, mean.shape[0], len(CLASSES)):
                raise ValueError("weights of the wrong shape")
            if head is not None and (
                not head.members
                or head.mean.shape != mean.shape
                or not _shaped(head.members, mean.shape[0], len(CLASSES) - 1)
            ):
                raise ValueError("category head of the wrong shape")
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise SafetyFileError(f"{source}: not a fitted safety model ({exc}); refit it") from exc
        return cls(
            mean,
            scale,
            members,
            threshold,
            examples,
            provenance,
            threshold_long,
            concern,
            by_sentences,
            closing,
            head,
            lexical,
        )

    def save(self, path: Path) -> None:
        data = {
            "version": 1,
            "classes": list(CLASSES),
            "threshold": round(self.threshold, 4),
            "threshold_long": round(self.long_threshold, 4),
            **(
                {"threshold_by_sentences": [round(t, 4) for t in self.threshold_by_sentences]}
                if self.threshold_by_sentences
                else {}
            ),
            **(
                {}
                if self.threshold_closing is None
                else {"threshold_closing": round(self.threshold_closing, 4)}
            ),
            **(
                {}
                if self.concern is None
                else {"concern": {"single": round(self.concern[0], 4), "long": round(self.concern[1], 4)}}
            ),
            "examples": self.examples,
            "provenance": dict(self.provenance),
            "mean": _encode(self.mean),
            "scale": _encode(self.scale),
            "members": _encode_members(self.members),
            **(
                {}
                if self.category_head is None
                else {
                    "category_head": {
                        "mean": _encode(self.category_head.mean),
                        "scale": _encode(self.category_head.scale),
                        "members": _encode_members(self.category_head.members),
                    }
                }
            ),
            **({} if self.lexical is None else {"lexical": {"ratios": _encode(self.lexical.ratios)}}),
        }
        header = (
            "# Written by `python -m knowledge.safety_fit` from safety_examples.yaml: do not edit.\n"
            "# Small neural networks over multilingual-e5-small vectors and a lexical score, see\n"
            "# knowledge/safety_meaning.py and knowledge/safety_lexical.py;\n"
            "# arrays are float16, little-endian, base64.\n"
        )
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        Path(path).write_text(header + text, encoding="utf-8")


def _ensemble(
    mean: Matrix,
    scale: Matrix,
    members: Sequence[Member],
    vectors: npt.NDArray[np.floating[Any]],
    classes: int,
) -> Matrix:
    """The members' class probabilities, averaged, for vectors standardised by mean and scale."""
    x = (np.asarray(vectors, dtype=np.float64) - mean) / scale
    total: Matrix = sum((m.probabilities(x) for m in members), np.zeros((x.shape[0], classes)))
    return total / len(members)


def _shaped(members: Sequence[Member], dim: int, classes: int) -> bool:
    """Whether every member reads vectors of ``dim`` and gives ``classes`` probabilities."""
    return all(m.w1.shape[0] == dim and m.w2.shape[1] == classes for m in members)


def _members(data: Any) -> tuple[Member, ...]:
    return tuple(Member(*(_decode(member[name]) for name in ("w1", "b1", "w2", "b2"))) for member in data)


def _encode_members(members: Sequence[Member]) -> list[dict[str, Any]]:
    return [
        {"w1": _encode(m.w1), "b1": _encode(m.b1), "w2": _encode(m.w2), "b2": _encode(m.b2)} for m in members
    ]


def _encode(array: Matrix) -> dict[str, Any]:
    raw = np.asarray(array, dtype="<f2").tobytes()
    return {"shape": list(array.shape), "float16": base64.b64encode(raw).decode("ascii")}


def _decode(data: Any) -> Matrix:
    shape = tuple(int(n) for n in data["shape"])
    raw = base64.b64decode(data["float16"], validate=True)
    return np.frombuffer(raw, dtype="<f2").astype(np.float64).reshape(shape)
