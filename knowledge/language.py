"""Which of our languages a message is written in.

lingua does the work, restricted to the eight languages the bot speaks (fewer candidates,
fewer confusions, less memory). Its models load on first use, so the detector is built
lazily once per process; call ``warm_up`` at start-up to pay that before the first user
message.

lingua cannot know that "praktika gde" is Russian or "wein el jobcenter" Arabic: Latin
letters make it guess German or Czech with low confidence. For Latin-script text we
therefore also look for the function words of chat-style romanised Russian and Arabic
(a general, closed list of the commonest question words and pronouns, like a stopword
list); if they dominate and no Latin language is certain, we answer ru/ar. Anything
else uncertain gives ``None`` and the caller searches all languages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from knowledge.model import LANGUAGES
from knowledge.romanised import native_reading, target_of

# Below this many letters a guess is mostly noise ("ok", "hi").
MIN_LETTERS = 3
# lingua's confidence values sum to 1 over the candidates; below this we say "unsure".
MIN_CONFIDENCE = 0.5
MIN_MARGIN = 0.15


# Romanised ("translit", "Arabizi") function words: question words, pronouns, particles.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ROMANISED: dict[str, frozenset[str]] = {
    "ru": _words(
        "gde kak chto chego pochemu kogda skolko kto mne menya ya ty vy my nam nado nuzhno nuzhen "
        "nuzhna mozhno mogu hochu khochu est net eto pomogite pomoshch pomosch pozhaluysta spasibo "
        "privet zdravstvuyte rabota rabotu ili tolko tozhe vsyo vse"
    ),
    "ar": _words(
        "shu shou sho wein wen fein fen kif keef kaif leish lesh ana enta inta enti inti ehna ahna "
        "bidi biddi bade baddi badi ayez ayza 3ayez 3ayz mumkin momken fi fee min mn ma mafi mish "
        "msh hal ya3ni yani wallah inshallah shukran marhaba salam el al"
    ),
}
# The languages lingua takes romanised Arabic and Persian for.
_ROMANISED_LOOKALIKES = frozenset({"de", "en"})
_LATIN_WORD_RE = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
    # Low-accuracy mode keeps only the trigram models: ~20 MB instead of ~280 MB for the
    # eight languages, at a small loss on one- and two-word messages (which we treat
    # as unsure anyway).
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


def warm_up() -> None:
    """Build the detector and load its models now rather than on the first message."""
    det = _detector()
    for sample in ("Wo finde ich einen Ausbildungsplatz?", "Где найти практику?", "أين أجد تدريبا؟"):
        det.compute_language_confidence_values(sample)


def _romanised_guess(text: str) -> str | None:
    words = _LATIN_WORD_RE.findall(text.casefold())
    if not words:
        return None
    best: str | None = None
    best_hits = 0
    for lang, vocab in _ROMANISED.items():
        hits = sum(1 for w in words if w in vocab)
        if hits > best_hits:
            best, best_hits = lang, hits
    # At least one hit, and a third of the words, so one "el" in a Spanish name is not enough.
    if best is not None and best_hits * 3 >= len(words):
        return best
    return None


def _spelled_romanised(text: str) -> str | None:
    """Arabizi, Finglish ("ar", "fa") or Latin-letter Russian/Ukrainian ("slavic") by its
    spelling ("a3mel", "mikham", "bade moot", "hochu"): most of the message's words
    romanised, the rest German terms or names ("ana 3ayez a3mel ausbildung")."""
    target = target_of(text, ("ar", "fa", "slavic"))
    if target is not None and native_reading(text, (target,)) is not None:
        return target
    return None


def detect_language(text: str, candidates: Iterable[str] = LANGUAGES) -> str | None:
    """ISO 639-1 code of ``text`` among ``candidates``, or None when unsure."""
    cands = [c for c in candidates if c in LANGUAGES]
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < MIN_LETTERS or not cands:
        return None
    values = _detector().compute_language_confidence_values(text)
    scores = {
        v.language.iso_code_639_1.name.lower(): v.value
        for v in values
        if v.language.iso_code_639_1.name.lower() in cands
    }
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or total <= 0:
        return None
    top_lang, top = ranked[0][0], ranked[0][1] / total
    second = ranked[1][1] / total if len(ranked) > 1 else 0.0
    latin = all(not ch.isalpha() or ch.isascii() for ch in text)
    # lingua is sure of German or English for Arabizi and Finglish ("bade moot" is 100%
    # German to it); Czech or Turkish without accents it does tell apart from them.
    if latin and top_lang in _ROMANISED_LOOKALIKES:
        spelled = _spelled_romanised(text)
        if spelled == "slavic":
            # Russian or Ukrainian in Latin letters: the function words may tell which.
            guess = _romanised_guess(text)
            return guess if guess in cands else None
        if spelled is not None and spelled in cands:
            return spelled
    if latin and top < 0.9:
        guess = _romanised_guess(text)
        if guess is not None and guess in cands:
            return guess
    if top >= MIN_CONFIDENCE and top - second >= MIN_MARGIN:
        return top_lang
    return None
