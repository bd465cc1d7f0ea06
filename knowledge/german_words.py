"""German words left in other languages' texts, and kept terms used without explanation.

Only names and the glossary's kept terms stay German in a translation, and a kept term is
explained in brackets the first time a text uses it: "Ausbildung (vocational training)".
This check finds what breaks that rule:

* **stray German words** in Latin-script text of en, tr and cs, and in every Latin run of
  ar, fa, uk and ru: a word with ä, ö, ü or ß (in Turkish only ä and ß: ö and ü are
  Turkish letters), a word that is common in German but rare in the text's language
  (``wordfreq``), or a compound of two common German words ("Servicenummer");
* **unexplained kept terms**: a glossary term whose first use in a text is neither
  followed by an explanation in brackets nor itself the bracketed word.

Glossary terms (with their spellings) and the glossary's ``names`` (organisations, towns,
places, programmes), the contacts' organisations and the towns of contacts and events
are allowed anywhere. ``wegweiser kb validate`` prints the findings as warnings and
``wegweiser kb coverage`` lists them per file and language for translators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from knowledge.interests import texts_for_checks
from knowledge.loader import ContentSnapshot
from knowledge.model import (
    CONTACT_TEXT_FIELDS,
    EVENT_TEXT_FIELDS,
    LANGUAGES,
    SOURCE_LANGUAGE,
    Glossary,
    in_language,
)
from knowledge.reports import FOLDERS, language_label

# Latin letters of every language we check (Czech and Turkish included); digits are not.
_LATIN = "A-Za-zÀ-ÖØ-öø-ɏ"
_WORD = re.compile(rf"[{_LATIN}]+")
# Latin-script languages are compared with their own word frequencies; in the others only
# the Latin runs are read, and those are compared with English (chat, online, e-mail …).
_OWN_FREQUENCIES = {"en": "en", "tr": "tr", "cs": "cs"}
_UMLAUTS = {"tr": "äßÄ"}
# Letters of the language itself: a long word with them is never taken for a German compound.
_OWN_LETTERS = {"tr": set("çğışöüÇĞİŞÖÜ"), "cs": set("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ")}
_ALL_UMLAUTS = "äöüßÄÖÜ"

# A word counts as German when it is at least this common in German (Zipf scale: 3 is
# about once per million words) …
GERMAN_COMMON = 3.0
# … and this much rarer in the language of the text, and not common there at all.
RARER_BY = 2.0
COMMON_ELSEWHERE = 3.0
# Long words made of two common German words ("Servicenummer") count too.
COMPOUND_MIN = 9


# Names the interest check uses in every language (README of ``interests/``).
INTEREST_NAMES = ["O*NET", "Interest Profiler", "BERUFENET", "RIASEC", "BQN"]


@dataclass(frozen=True, slots=True)
class Finding:
    """German left in one text: ``kind`` is faq, contact, event or glossary."""

    kind: str
    item_id: str
    language: str
    # Stray German words, in the order they appear.
    words: tuple[str, ...] = ()
    # Kept terms whose first use is not explained in brackets.
    unexplained: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        folder = FOLDERS.get(self.kind)
        return f"{folder}/{self.item_id}.yaml" if folder else f"{self.kind}.yaml"

    def __str__(self) -> str:
        parts = []
        if self.words:
            parts.append("German words: " + ", ".join(self.words))
        if self.unexplained:
            parts.append("kept terms not explained the first time: " + ", ".join(self.unexplained))
        where = (
            f"glossary.yaml ({self.item_id})"
            if self.kind == "glossary"
            else f"interests/ ({self.item_id})"
            if self.kind == "interests"
            else self.file
        )
        return f"{where}, {language_label(self.language)}: {'; '.join(parts)}"


@lru_cache(maxsize=200_000)
def _zipf(word: str, lang: str) -> float:
    return float(zipf_frequency(word, lang))


def _phrase_pattern(phrases: Iterable[str], *, case_sensitive_caps: bool) -> re.Pattern[str] | None:
    """One pattern for all phrases, each allowed a short ending ("Pirna'da", "Königsteinu")."""
    alternatives: list[str] = []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        if not re.search(rf"[{_LATIN}]", phrase):
            continue  # transliterations in other scripts are never taken for German
        escaped = re.escape(phrase).replace(r"\ ", r"\s+")
        if case_sensitive_caps and phrase.isupper():
            escaped = f"(?-i:{escaped})"
        alternatives.append(escaped)
    if not alternatives:
        return None
    return re.compile(
        rf"(?<![{_LATIN}])(?:{'|'.join(alternatives)})(?:['’][{_LATIN}]+|[{_LATIN}]{{0,3}})(?![{_LATIN}])",
        re.IGNORECASE,
    )


class GermanWords:
    """The check, set up once with what may stay German."""

    def __init__(self, glossary: Glossary, names: Iterable[str] = ()) -> None:
        self.terms = tuple(t.term for t in glossary.terms)
        allowed = [*self.terms, *glossary.names, *names]
        for term in glossary.terms:
            allowed += term.spellings
        self._allowed = _phrase_pattern(allowed, case_sensitive_caps=True)
        # Names hide the terms inside them ("Tag der Ausbildung" needs no explanation).
        self._names = _phrase_pattern([*glossary.names, *names], case_sensitive_caps=True)
        self._term_patterns = {term: _phrase_pattern([term], case_sensitive_caps=True) for term in self.terms}

    # ------------------------------------------------------------ stray German words

    def stray(self, text: str, lang: str) -> list[str]:
        """German words in ``text`` (a text in ``lang``), each once, in order."""
        if lang == SOURCE_LANGUAGE:
            return []
        rest = self._allowed.sub(" ", text) if self._allowed else text
        found: list[str] = []
        for match in _WORD.finditer(rest):
            word = match.group(0)
            if word not in found and self.is_german(word, lang):
                found.append(word)
        return found

    @staticmethod
    def is_german(word: str, lang: str) -> bool:
        if len(word) < 3 or word.isupper():
            return False  # short words and abbreviations (BAMF, IHK) are not judged
        umlauts = _UMLAUTS.get(lang, _ALL_UMLAUTS)
        if any(ch in umlauts for ch in word):
            return True
        lower = word.lower()
        other = _OWN_FREQUENCIES.get(lang, "en")
        german, there = _zipf(lower, "de"), _zipf(lower, other)
        if german >= GERMAN_COMMON:
            return there < COMMON_ELSEWHERE and german - there >= RARER_BY
        own = _OWN_LETTERS.get(lang, set())
        if len(lower) >= COMPOUND_MIN and there < 1.0 and not own.intersection(word):
            return _german_compound(lower, other)
        return False

    # ------------------------------------------------------------ kept terms

    def unexplained(self, text: str, skip: str = "") -> list[str]:
        """Kept terms whose first use in ``text`` has no explanation in brackets."""
        if self._names is not None:
            text = self._names.sub(lambda m: " " * len(m.group(0)), text)
        missing: list[str] = []
        for term, pattern in self._term_patterns.items():
            if term == skip or pattern is None:
                continue
            match = pattern.search(text)
            if match is not None and not _explained(text, match.start(), match.end()):
                missing.append(term)
        return missing


def _german_compound(word: str, other: str) -> bool:
    for cut in range(4, len(word) - 3):
        left, right = word[:cut], word[cut:]
        heads = (left, left[:-1]) if left.endswith("s") else (left,)
        if _zipf(right, "de") < GERMAN_COMMON or _zipf(right, other) >= COMMON_ELSEWHERE:
            continue
        if any(_zipf(head, "de") >= GERMAN_COMMON for head in heads if len(head) >= 4):
            return True
    return False


_AFTER = re.compile(rf"^[\s\"“”„«»]*(?:[{_LATIN}]+[\s\"“”„«»]+)?\(")


def _explained(text: str, start: int, end: int) -> bool:
    """Followed by "(explanation)" (perhaps after one more word, "IHK Dresden (…)"),
    or itself the word in brackets: "integration course (Integrationskurs)"."""
    if _AFTER.match(text[end:]):
        return True
    before = text[:start]
    return before.count("(") > before.count(")")


# ---------------------------------------------------------------- over the content


def _texts(snapshot: ContentSnapshot, kinds: Sequence[str]) -> Iterator[tuple[str, str, str, str, str]]:
    """(kind, id, language, text, term to skip) for every text a person reads."""
    if "faq" in kinds:
        for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
            for lang, tr in entry.translations.items():
                # The question is a heading; the answer is where terms are explained.
                yield "faq", entry.id, lang, tr.question + "\n" + tr.answer, ""
    if "contact" in kinds:
        for contact in sorted(snapshot.contacts.values(), key=lambda c: c.id):
            for lang, text in contact.translations.items():
                parts = [getattr(text, name) for name in CONTACT_TEXT_FIELDS]
                yield "contact", contact.id, lang, "\n".join(p for p in parts if p), ""
    if "event" in kinds:
        for event in sorted(snapshot.events, key=lambda e: e.id):
            for lang, etext in event.translations.items():
                parts = [getattr(etext, name) for name in EVENT_TEXT_FIELDS]
                yield "event", event.id, lang, "\n".join(p for p in parts if p), ""
    if "glossary" in kinds:
        for term in snapshot.glossary.terms:
            for code in LANGUAGES:
                pieces = [in_language(term.short, code), in_language(term.explanations, code)]
                if any(pieces):
                    yield "glossary", term.term, code, "\n".join(p for p in pieces if p), term.term
    if "interests" in kinds and snapshot.interests is not None:
        for item, code, words in texts_for_checks(snapshot.interests):
            yield "interests", item, code, words, ""


def check(
    snapshot: ContentSnapshot,
    kinds: Sequence[str] = ("contact", "event", "glossary", "faq", "interests"),
) -> list[Finding]:
    """Every text of ``kinds`` that keeps German words or unexplained kept terms."""
    names = [c.organisation for c in snapshot.contacts.values()]
    names += [c.town for c in snapshot.contacts.values() if c.town]
    names += [e.town for e in snapshot.events if e.town]
    names += INTEREST_NAMES
    checker = GermanWords(snapshot.glossary, names)
    findings: list[Finding] = []
    for kind, item_id, lang, text, skip in _texts(snapshot, kinds):
        if lang == SOURCE_LANGUAGE:
            continue
        words = tuple(checker.stray(text, lang))
        # The glossary explains every term in its own entry; elsewhere the first use needs one.
        unexplained = () if kind == "glossary" else tuple(checker.unexplained(text, skip=skip))
        if words or unexplained:
            findings.append(Finding(kind, item_id, lang, words, unexplained))
    return findings


def format_findings(findings: Sequence[Finding], title: str) -> str:
    if not findings:
        return f"{title}: none."
    lines = [f"{title}: {len(findings)} text(s) to fix (only names and glossary terms stay German):"]
    lines += [f"  {finding}" for finding in findings]
    return "\n".join(lines)
