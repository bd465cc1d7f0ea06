"""Editor-supplied vocabulary: synonym groups and glossary ("keep") terms.

Both become extra index terms, so they cost nothing at query time beyond a dict lookup:

* every word of a synonym group maps to the term ``=<group>`` in each language's index,
  so "Lehre" in a query meets "Ausbildung" in an entry when editors grouped them;
* a glossary term (Ausbildung, Jobcenter, IHK ...) is written the same in every language,
  but people mistype or transliterate it. A token is that term when its folded form
  starts with the term (German compounds: "Ausbildungsplatz") or its consonant
  skeleton (see ``match_translit``) equals or nearly equals the term's skeleton
  (аусбильдунг, اوسبيلدونغ, ausbildunk). It then also gets the term ``#<term>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from knowledge.match_translit import skeleton
from knowledge.normalize import fold_word, term_key, tokenize

# Skeletons shorter than this collide too easily (IHK would match "hook").
_MIN_SKELETON = 4
# Prefix matching only for glossary terms this long, so "BAB" does not match "baby".
_MIN_PREFIX = 5


class KeepTerms:
    def __init__(self, terms: Iterable[str]) -> None:
        self._terms: list[tuple[str, str, str]] = []  # (label, folded, skeleton)
        seen: set[str] = set()
        for term in terms:
            folded = " ".join(fold_word(w) for w in tokenize(term))
            if not folded or folded in seen:
                continue
            seen.add(folded)
            label = "#" + folded.replace(" ", "_")
            skel = skeleton(folded.replace(" ", ""))
            self._terms.append((label, folded.replace(" ", ""), skel))
        self._cache: dict[str, tuple[str, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._terms)

    def labels(self, token: str) -> tuple[str, ...]:
        """Glossary labels a cleaned token stands for (usually none)."""
        cached = self._cache.get(token)
        if cached is None:
            cached = self._labels(token) if self._terms else ()
            if len(self._cache) < 200_000:  # bounded: queries bring endless new tokens
                self._cache[token] = cached
        return cached

    def _labels(self, token: str) -> tuple[str, ...]:
        folded = fold_word(token)
        if len(folded) < 2:
            return ()
        skel = skeleton(folded)
        out: list[str] = []
        for label, term, term_skel in self._terms:
            if self._spelled(folded, term) or self._sounds(skel, term_skel):
                out.append(label)
        return tuple(out)

    @staticmethod
    def _spelled(folded: str, term: str) -> bool:
        """The term itself, or a compound starting with it ("ausbildungsplatz")."""
        return folded == term or (len(term) >= _MIN_PREFIX and folded.startswith(term))

    @staticmethod
    def _sounds(skel: str, term_skel: str) -> bool:
        """Same consonant frame, a compound of it, or one consonant off (typo)."""
        if len(term_skel) < _MIN_SKELETON or len(skel) < _MIN_SKELETON:
            return False
        if skel == term_skel:
            return True
        if len(term_skel) < _MIN_PREFIX:
            return False
        return skel.startswith(term_skel) or (
            abs(len(skel) - len(term_skel)) <= 1
            and Levenshtein.distance(skel, term_skel, score_cutoff=1) <= 1
        )


# A synonym also marks compounds it starts ("Lehrstelle" in "Lehrstellenbörse") when it
# is at least this long; shorter words would hit unrelated ones ("Lehre" / "Lehrer").
_MIN_SYNONYM_PREFIX = 6


class Synonyms:
    """Synonym groups resolved per language (each language stems the words its own way)."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._groups = [tuple(g) for g in groups if len(g) >= 2]
        self._per_lang: dict[str, tuple[dict[str, str], dict[str, list[tuple[tuple[str, ...], str]]]]] = {}
        # Folded single words -> label, for prefix (compound) matching in every language.
        self._prefixes: dict[str, str] = {}
        for i, group in enumerate(self._groups):
            for phrase in group:
                words = tokenize(phrase)
                if len(words) == 1 and len(words[0]) >= _MIN_SYNONYM_PREFIX:
                    self._prefixes.setdefault(fold_word(words[0]), f"={i}")
        self._prefix_cache: dict[str, str | None] = {}

    def __bool__(self) -> bool:
        return bool(self._groups)

    def _tables(self, lang: str) -> tuple[dict[str, str], dict[str, list[tuple[tuple[str, ...], str]]]]:
        """Single words -> label, and each phrase's first word -> (phrase, label)."""
        tables = self._per_lang.get(lang)
        if tables is None:
            single: dict[str, str] = {}
            multi: dict[tuple[str, ...], str] = {}
            for i, group in enumerate(self._groups):
                label = f"={i}"
                for phrase in group:
                    keys = tuple(term_key(w, lang) for w in tokenize(phrase, lang))
                    if len(keys) == 1:
                        single.setdefault(keys[0], label)
                    elif keys:
                        multi.setdefault(keys, label)
            by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            for keys, label in multi.items():
                by_first.setdefault(keys[0], []).append((keys, label))
            tables = self._per_lang[lang] = (single, by_first)
        return tables

    def _prefix_label(self, token: str) -> str | None:
        if token in self._prefix_cache:
            return self._prefix_cache[token]
        folded = fold_word(token)
        found = None
        for end in range(len(folded), _MIN_SYNONYM_PREFIX - 1, -1):
            found = self._prefixes.get(folded[:end])
            if found is not None:
                break
        if len(self._prefix_cache) < 200_000:
            self._prefix_cache[token] = found
        return found

    def labels(self, tokens: Sequence[str], keys: Sequence[str], lang: str) -> list[str]:
        """Group labels found in a text: stemmed words, phrases and compound prefixes."""
        return [label for _, label in self.positions(tokens, keys, lang)]

    def positions(self, tokens: Sequence[str], keys: Sequence[str], lang: str) -> list[tuple[int, str]]:
        """(index of the first token, label) for every synonym found in a text."""
        if not self._groups:
            return []
        single, multi = self._tables(lang)
        out: list[tuple[int, str]] = []
        for i, (tok, key) in enumerate(zip(tokens, keys, strict=True)):
            label = single.get(key) or self._prefix_label(tok)
            if label is not None:
                out.append((i, label))
        for i, key in enumerate(keys):
            for phrase, label in multi.get(key, ()):
                if tuple(keys[i : i + len(phrase)]) == phrase:
                    out.append((i, label))
        return out
