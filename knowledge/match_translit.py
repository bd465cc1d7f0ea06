"""Transliteration between scripts, for queries typed in another script than the FAQ.

Young people write Russian in Latin letters ("praktika gde"), Arabic in "Arabizi"
("wein el jobcenter") and German glossary terms in Cyrillic or Arabic letters
("аусбилдунг", "اوسبيلدونغ"). Two general tools cover this without word lists:

* ``latin_to_cyrillic`` reverses the common informal romanisation of Russian/Ukrainian,
  so a Latin query can be stemmed and looked up like a Cyrillic one;
* ``skeleton`` reduces a word in any of our scripts to a coarse consonant key
  (vowels dropped, similar sounds merged). Arabic script writes few vowels and
  transliterations disagree on them, while the consonant frame survives:
  Ausbildung / аусбильдунг / اوسبيلدونغ / ausbildunk all give ``sbltnk``.

Tables come from standard romanisation (BGN/PCGN-like for Cyrillic, ALA-LC-like for
Arabic/Persian letters), coarsened into phonetic classes.
"""

from __future__ import annotations

import functools
import re

# Informal Latin -> Cyrillic, longest match first. Output is folded afterwards, so
# ы/и/й and е/э/ё need not be told apart.
_LAT_CYR: tuple[tuple[str, str], ...] = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ya", "я"),
    ("ja", "я"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("yo", "е"),
    ("jo", "е"),
    ("ye", "е"),
    ("je", "е"),
    ("yi", "и"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("w", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "и"),
    ("j", "и"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "ц"),
    ("x", "кс"),
    ("q", "к"),
    ("'", "ь"),
)
_LAT_CYR_RE = re.compile("|".join(re.escape(k) for k, _ in _LAT_CYR))
_LAT_CYR_MAP = dict(_LAT_CYR)


@functools.lru_cache(maxsize=8192)
def latin_to_cyrillic(word: str) -> str:
    """'praktika' -> 'практика'; only meaningful for an ASCII word."""
    return _LAT_CYR_RE.sub(lambda m: _LAT_CYR_MAP[m.group(0)], word)


# Phonetic classes for the skeleton. Vowels and glides (and Arabic alif/waw/ya, which
# mostly write vowels in transliterated words) vanish; voiced/unvoiced pairs merge
# because Arabic lacks p/v/g and German final devoicing makes "ausbildunk" common.
_LATIN_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("sch", "s"),
    ("tsch", "k"),
    ("ch", "k"),
    ("sh", "s"),
    ("zh", "s"),
    ("kh", "k"),
    ("gh", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "t"),
    ("ts", "s"),
    ("tz", "s"),
    ("ck", "k"),
    ("qu", "kf"),
    ("дж", "k"),
    ("тч", "k"),
)
_LATIN_CLASS = {
    "b": "b",
    "p": "b",
    "f": "f",
    "v": "f",
    "w": "f",
    "g": "k",
    "k": "k",
    "q": "k",
    "j": "k",
    "d": "t",
    "t": "t",
    "s": "s",
    "z": "s",
    "x": "ks",
    "l": "l",
    "r": "r",
    "m": "m",
    "n": "n",
    "3": "",
    "7": "",
    "2": "",
    "5": "k",  # Arabizi digits for ع ح ء خ
}
_CYRILLIC_CLASS = {
    "б": "b",
    "п": "b",
    "в": "f",
    "ф": "f",
    "г": "k",
    "ґ": "k",
    "к": "k",
    "х": "k",
    "д": "t",
    "т": "t",
    "ж": "s",
    "з": "s",
    "с": "s",
    "ш": "s",
    "щ": "s",
    "ц": "s",
    "ч": "k",
    "л": "l",
    "р": "r",
    "м": "m",
    "н": "n",
}
_ARABIC_CLASS = {
    "ب": "b",
    "پ": "b",
    "ف": "f",
    "ڤ": "f",
    "ت": "t",
    "ط": "t",
    "ث": "t",
    "د": "t",
    "ض": "t",
    "ذ": "t",
    "ظ": "t",
    "ج": "k",
    "چ": "k",
    "خ": "k",
    "غ": "k",
    "ق": "k",
    "ك": "k",
    "ک": "k",
    "گ": "k",
    "ز": "s",
    "س": "s",
    "ص": "s",
    "ش": "s",
    "ژ": "s",
    "ر": "r",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
_CLASS = {**_LATIN_CLASS, **_CYRILLIC_CLASS, **_ARABIC_CLASS}
_DIGRAPH_RE = re.compile("|".join(re.escape(k) for k, _ in _LATIN_DIGRAPHS))
_DIGRAPH_MAP = dict(_LATIN_DIGRAPHS)
_SOFT_C_RE = re.compile(r"c(?=[eiy])")
# Arabic definite article, written attached ("الجوب") or apart in Arabizi ("el", "al").
_ARTICLE_RE = re.compile(r"^(ال|وال|بال|لل)(?=..)")


@functools.lru_cache(maxsize=32_768)
def skeleton(word: str) -> str:
    """Consonant key of a folded word in Latin, Cyrillic or Arabic script."""
    word = _ARTICLE_RE.sub("", word.lower())
    word = _SOFT_C_RE.sub("s", word)
    word = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], word)
    out: list[str] = []
    for ch in word:
        cls = _CLASS.get(ch, "k" if ch == "c" else "")
        for c in cls:
            if not out or out[-1] != c:  # doubled consonants count once
                out.append(c)
    return "".join(out)
