"""Text normalisation, tokenisation and stemming for matching questions to FAQ entries.

Two levels, because stemmers and people want different things:

* ``clean(text, lang)`` keeps each language's own letters (Turkish ı, German ä, Persian ی)
  so the Snowball stemmer for that language still recognises its suffixes;
* ``fold(text, lang)`` then removes the distinctions people do not type reliably
  (umlauts, Arabic hamza forms, Ukrainian і/и, ё), so "Prüfung", "Pruefung" and
  "Prufung" or ``ي``/``ی`` meet.

``normalize`` is ``fold(clean(...))``; ``terms`` is what the index stores:
one key per word, stemmed on the clean form, then folded.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

import Stemmer

# -- character tables -------------------------------------------------------------------

# Bidi controls and invisible format characters people paste from other apps. RLO/LRO can
# make a query look harmless while the stored text is reversed; none carry meaning for us.
_INVISIBLE = dict.fromkeys(
    [
        0x200B,  # zero width space
        0x200D,  # zero width joiner (emoji sequences)
        0x2060,  # word joiner
        0xFEFF,  # BOM / zero width no-break space
        0x00AD,  # soft hyphen
        0x200E,
        0x200F,
        0x061C,  # LRM, RLM, Arabic letter mark
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
        *range(0xFE00, 0xFE10),  # variation selectors (emoji presentation)
    ]
)
# ZWNJ separates Persian affixes (می‌خواهم, کتاب‌ها); a space keeps the stem apart.
_ZWNJ = "\u200c"

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Arabic-script letter variants that writers use interchangeably (keyboard layouts differ
# between Arabic and Persian; hamza seats are often omitted).
_ARABIC_CLEAN = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ۀ": "ه", "ة": "ه"})
_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"})
_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك", "ى": "ي", "ې": "ي", "ے": "ي"})
_ARABIC_FOLD = str.maketrans({"ؤ": "و", "ئ": "ي", "ء": "", "ی": "ي", "ک": "ك"})
_TATWEEL = "\u0640"

# Cyrillic: ё is usually written е; Ukrainian letters folded onto their nearest Russian
# spelling so a Russian-ish query finds a Ukrainian text and vice versa; soft/hard signs
# and й are dropped by learners and transliterations alike.
_CYRILLIC_FOLD = str.maketrans(
    {"ё": "е", "є": "е", "э": "е", "і": "и", "ї": "и", "ы": "и", "й": "и", "ґ": "г", "ь": "", "ъ": ""}
)

# Latin letters whose diacritic-free form is not what NFD gives.
_LATIN_SPECIAL = str.maketrans(
    {"ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th"}
)

_APOSTROPHES = "'’‘ʼ`´"
_APOS_RE = re.compile(f"[{_APOSTROPHES}]")
# Turkish writes case suffixes after an apostrophe on names ("Ankara'da"); drop them.
_TR_APOS_SUFFIX_RE = re.compile(f"[{_APOSTROPHES}]\\w+")
_TOKEN_RE = re.compile(r"\w+")
_HYPHENATED_RE = re.compile(r"(?<!\w)(\w+)-(\w+)(?!\w)")
_SPACES_RE = re.compile(r"\s+")
# German "ue" etc. stand for umlauts after a consonant (Pruefung); after a vowel or q they
# do not (neue, Frauen, Quelle).
_DE_DIGRAPH_RE = re.compile(r"(?<=[b-df-hj-np-pr-tv-z])([aou])e")

_ARABIC_SCRIPT_RE = re.compile(r"[\u0600-\u06ff]")


def _drop_char(cat: str) -> bool:
    # Combining marks (Arabic tashkeel, the stray dot of a casefolded İ), symbols (emoji,
    # dingbats), private use and unassigned code points carry nothing for matching.
    return cat in ("Mn", "Me", "So", "Sk", "Co", "Cs", "Cn") or cat == "Cf"


@functools.lru_cache(maxsize=4096)
def _char_class(ch: str) -> str:
    """What a single character becomes in ``clean``: itself, a space or nothing."""
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        return ch
    if ch in _APOSTROPHES:
        return ch  # handled per language afterwards
    if ch == "-":
        return ch  # hyphenated compounds are joined and split later
    if _drop_char(cat):
        return ""
    return " "  # punctuation, separators, control characters


def clean(text: str, lang: str | None = None) -> str:
    """Script-level cleanup that keeps language-specific letters (input to stemmers)."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = text.replace(_ZWNJ, " ").replace(_TATWEEL, "")
    if lang == "tr":
        # Turkish casefold: I -> ı and İ -> i, which str.casefold gets wrong.
        text = text.replace("I", "ı").replace("İ", "i")
    text = text.casefold()
    text = "".join(_char_class(ch) for ch in text)
    text = text.translate(_DIGITS)
    if _ARABIC_SCRIPT_RE.search(text):
        text = text.translate(_ARABIC_CLEAN)
        text = text.translate(_TO_PERSIAN if lang == "fa" else _TO_ARABIC)
    text = text.replace("ё", "е")
    if lang == "tr":
        text = _TR_APOS_SUFFIX_RE.sub("", text)
    text = _APOS_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text)
    return text.strip()


@functools.lru_cache(maxsize=32_768)
def fold_word(word: str, lang: str | None = None) -> str:
    """Fold one cleaned word to the spelling-insensitive key form."""
    if word.isascii():
        out = word
    else:
        out = word.translate(_LATIN_SPECIAL).translate(_CYRILLIC_FOLD).translate(_ARABIC_FOLD)
        # Strip Latin diacritics (ä->a, ç->c, č->c) but keep Cyrillic/Arabic letters whose
        # NFD form would also decompose (й is folded above already).
        decomposed = unicodedata.normalize("NFD", out)
        out = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        out = unicodedata.normalize("NFC", out)
    if lang == "de" and "e" in out:
        out = _DE_DIGRAPH_RE.sub(r"\1", out)
    return out


def fold(text: str, lang: str | None = None) -> str:
    return " ".join(fold_word(w, lang) for w in text.split())


def normalize(text: str, lang: str | None = None) -> str:
    """Cleaned and folded text: what two spellings of the same words have in common."""
    text = clean(text, lang)
    return fold(_HYPHENATED_RE.sub(r"\1 \2", text).replace("-", " "), lang)


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Cleaned (not folded) word tokens. Hyphenated compounds yield parts and the joined word."""
    cleaned = clean(text, lang)
    out: list[str] = []
    for chunk in cleaned.split():
        parts = [p for p in chunk.split("-") if p]
        for part in parts:
            out.extend(_TOKEN_RE.findall(part))
        if len(parts) > 1 and all(p.isalpha() for p in parts):
            out.append("".join(parts))  # "Pneumokokken-Impfung" also as one compound
    return out


# -- stemming ---------------------------------------------------------------------------

# Snowball (PyStemmer 3.x) has stemmers for all our languages but Ukrainian.
SNOWBALL: dict[str, str] = {
    "de": "german",
    "en": "english",
    "ar": "arabic",
    "ru": "russian",
    "fa": "persian",
    "tr": "turkish",
    "cs": "czech",
}

# Ukrainian light stemmer: inflectional endings, longest first, applied to the folded
# form (і/ї/є already mapped to и/е). Derivational suffixes stay: FAQ matching needs
# recall on case/number, not aggressive conflation.
_UK_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "ування",
            "ювання",
            "ання",
            "яння",
            "ення",
            "иння",
            "ість",
            "ости",
            "істю",
            "ами",
            "ями",
            "ові",
            "еві",
            "ого",
            "ому",
            "ими",
            "ної",
            "ною",
            "ний",
            "ним",
            "них",
            "ити",
            "ати",
            "яти",
            "ють",
            "ують",
            "ить",
            "ать",
            "уть",
            "ться",
            "тися",
            "лися",
            "ою",
            "ею",
            "ом",
            "ем",
            "ам",
            "ям",
            "ах",
            "ях",
            "ов",
            "ев",
            "ив",
            "ие",
            "ия",
            "ию",
            "ии",
            "их",
            "им",
            "иї",
            "ої",
            "ая",
            "яя",
            "ое",
            "ее",
            "уе",
            "ує",
            "а",
            "я",
            "о",
            "е",
            "у",
            "ю",
            "и",
            "ь",
        },
        key=len,
        reverse=True,
    )
)


def _uk_stem(word: str) -> str:
    for suffix in _UK_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=16)
def _snowball(lang: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(lang)
    return Stemmer.Stemmer(name) if name else None


def stemmer_for(lang: str | None) -> Callable[[str], str]:
    """A word -> stem function for ``lang`` (identity when unknown)."""
    if lang == "uk":
        return lambda w: _uk_stem(fold_word(w, "uk"))
    sb = _snowball(lang) if lang else None
    if sb is None:
        return lambda w: w
    return sb.stemWord  # type: ignore[no-any-return]


# Bounded caches: entries cost ~200 bytes each, and at 50,000 FAQ entries the vocabulary
# is far larger than the part that recurs in questions.
@functools.lru_cache(maxsize=50_000)
def term_key(word: str, lang: str | None) -> str:
    """Index key of one cleaned token: stemmed in its language, then folded."""
    if word.isdigit():
        return word
    return fold_word(stemmer_for(lang)(word), lang)


def terms(text: str, lang: str | None) -> list[str]:
    """Index keys of a text, in order (duplicates kept: term frequency matters)."""
    return [term_key(w, lang) for w in tokenize(text, lang)]


def keys_of(words: Iterable[str], lang: str | None) -> list[str]:
    return [term_key(w, lang) for w in words]
