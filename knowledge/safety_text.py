"""Text handling for the safety check: folding, sentences, windows and transliteration keys.

Normalisation (``fold``, deliberately self-contained, independent of ``knowledge.normalize``):

* zero-width, bidi control and other invisible format characters are removed, so
  ``umbr<ZWJ>ingen`` and ``<RLO>kill myself`` are read as plain words;
* NFKC (full-width letters, Arabic presentation forms), Turkish ``İ``/``ı`` → ``i``, casefold;
* combining marks are dropped: ``ä→a``, ``ř→r``, ``ş→s``, ``ё→е``, ``й→и``, ``ї→і``, Arabic
  harakat, hamza carriers (``أ إ آ → ا``, ``ؤ → و``, ``ئ → ي``); tatweel and apostrophes go;
* Arabic/Farsi letter variants are unified (``ی ى → ي``, ``ک → ك``, ``ة ۀ → ه``), ``ґ → г``;
* German ``ae oe ue`` become ``a o u`` (so ``schlaegt``, ``schlägt`` and ``schlagt`` agree);
* runs of the same letter shrink to one (``hilfeeee → hilfe``, ``passport → pasport``);
* the Farsi verb prefix ``می``/``نمی`` is joined to its verb whatever the user typed
  (space, ZWNJ or nothing).

Messages are cut into sentences first (on the raw text, so the meaning layer can embed each
sentence as written), then each sentence is folded and cut into words.

Transliteration keys let a word typed in Latin letters meet a pattern written in its own
script: ``cyrillic_forms`` reverses informal romanised Russian/Ukrainian ("hochu umeret" →
"хочу умерет"), ``latin_consonants``/``arabic_consonants`` reduce Arabizi/Finglish and
Arabic-script words to the same consonant frame ("bade mout" and "بدي موت" both give
``bt mt``), since Arabic script writes few vowels and romanisations disagree on them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from knowledge.match_translit import latin_to_cyrillic, skeleton
from knowledge.word_frequency import LANGUAGES as _ALL_LANGUAGES
from knowledge.word_frequency import common

__all__ = [
    "FINGLISH_VERB_RE",
    "ROMANISED_WORDS",
    "Words",
    "arabic_consonants",
    "cyrillic_forms",
    "everyday_latin_word",
    "fold",
    "known_word",
    "latin_consonants",
    "loose_cyrillic",
    "split",
    "windows",
]

# Invisible format characters: soft hyphen, combining grapheme joiner, Arabic letter mark,
# Hangul fillers, Mongolian variation selectors, zero-width space/joiners, LRM/RLM, bidi
# embeddings/overrides/isolates, word joiner, invisible operators, variation selectors, BOM,
# interlinear annotation, tag characters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# ZWNJ is kept for the raw sentence text (Farsi writes it inside words); fold removes it.
_INVISIBLE_KEEP_ZWNJ_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200d-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Combining marks of the Latin, Cyrillic and Arabic scripts (after NFD).
_MARKS_RE = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_BEFORE_CASEFOLD = str.maketrans(
    {
        "İ": "i",
        "ı": "i",
        "\u0640": None,  # tatweel
        "'": None,
        "\u2019": None,
        "\u2018": None,
        "\u02bc": None,
        "\u02bb": None,
        "`": None,
        "\u00b4": None,
        "\u2032": None,
    }
)
_AFTER_MARKS = str.maketrans(
    {
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Farsi yeh -> Arabic yeh
        "\u06d2": "\u064a",  # yeh barree
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u06aa": "\u0643",  # swash kaf
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06d5": "\u0647",  # ae (left of heh with yeh above)
        "\u06c1": "\u0647",  # heh goal
        "\u0671": "\u0627",  # alef wasla
        "\u0491": "\u0433",  # ґ -> г
        # Eastern Arabic and Persian digits, so "١٤ ساعة" reads like "14 ساعة"
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_REPEAT_RE = re.compile(r"([^\W\d_])\1+")
# Farsi/Dari present and negated-present prefix, typed apart from its verb.
_FARSI_PREFIX_RE = re.compile(r"(?<![^\W_])(\u0646?\u0645\u064a)\s+(?=[^\W\d_])")
FARSI_PREFIXES = frozenset({"\u0645\u064a", "\u0646\u0645\u064a"})
WORD_RE = re.compile(r"[^\W_]+")
# Sentence ends: ! ? ; Arabic question mark and full stop, line breaks, a single full stop
# (an ellipsis "..." or "…" does not end the sentence).
_BARRIER_RE = re.compile(r"[!?;\n\u061f\u06d4\u3002]|(?<!\.)\.(?!\.)")
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def fold(text: str) -> str:
    """The folded form of ``text`` that patterns are matched against (see module doc)."""
    text = _INVISIBLE_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_BEFORE_CASEFOLD).casefold()
    if not text.isascii():
        text = _MARKS_RE.sub("", unicodedata.normalize("NFD", text))
        text = text.translate(_AFTER_MARKS)
        text = _FARSI_PREFIX_RE.sub(r"\1", text)
    text = _REPEAT_RE.sub(r"\1", text)
    if "ae" in text or "oe" in text or "ue" in text:
        text = text.replace("ae", "a").replace("oe", "o").replace("ue", "u")
        text = _REPEAT_RE.sub(r"\1", text)
    return text


@dataclass(frozen=True, slots=True)
class Words:
    """A message cut into sentences and folded words, with clause boundaries."""

    words: tuple[str, ...]
    sentence: tuple[int, ...]  # sentence number of each word; patterns do not cross sentences
    clause_end: frozenset[int]  # words followed by punctuation (or the end of the message)
    clause_start: frozenset[int]  # words preceded by punctuation (or the start of the message)
    sentences: tuple[str, ...]  # each sentence as written (NFKC, invisible characters removed)


def _sentences(text: str) -> list[str]:
    """Raw sentences: cut at the barriers, keeping only pieces that hold a word."""
    out: list[str] = []
    start = 0
    for match in _BARRIER_RE.finditer(text):
        piece = text[start : match.end()]
        if WORD_RE.search(piece):
            out.append(piece)
        elif out:
            out[-1] += piece
        start = match.end()
    rest = text[start:]
    if WORD_RE.search(rest):
        out.append(rest)
    elif out:
        out[-1] += rest
    return out


def split(text: str) -> Words:
    text = unicodedata.normalize("NFKC", _INVISIBLE_KEEP_ZWNJ_RE.sub("", text))
    words: list[str] = []
    sentence: list[int] = []
    ends: set[int] = set()
    starts: set[int] = set()
    kept: list[str] = []
    for raw in _sentences(text):
        folded = fold(raw)
        previous_end = -1
        first = True
        for match in WORD_RE.finditer(folded):
            if first:
                starts.add(len(words))
                first = False
            else:
                gap = folded[previous_end : match.start()]
                if not gap.isspace():
                    ends.add(len(words) - 1)
                    starts.add(len(words))
            words.append(match.group())
            sentence.append(len(kept))
            previous_end = match.end()
        if not first:
            ends.add(len(words) - 1)
            kept.append(_SPACE_RE.sub(" ", raw).strip())
    return Words(tuple(words), tuple(sentence), frozenset(ends), frozenset(starts), tuple(kept))


def windows(sentence: str, size: int, stride: int) -> list[str]:
    """A sentence as one window, or run-ons as overlapping windows of ``size`` words."""
    tokens = sentence.split()
    if len(tokens) <= size:
        return [sentence]
    out = [" ".join(tokens[i : i + size]) for i in range(0, len(tokens) - size + stride, stride)]
    return [w for w in out if w]


# --------------------------------------------------------------------------- transliteration

_LOOSE_CYRILLIC = str.maketrans(
    {"ь": None, "ъ": None, "ы": "и", "э": "е", "і": "и", "ї": "и", "є": "е", "й": "и", "щ": "ш"}
)


def loose_cyrillic(word: str) -> str:
    """Cyrillic without the letters romanisations lose: soft signs, ы/и, э/е, і/и, щ/ш."""
    return _REPEAT_RE.sub(r"\1", word.translate(_LOOSE_CYRILLIC))


@functools.lru_cache(maxsize=32_768)
def cyrillic_forms(word: str) -> tuple[str, ...]:
    """Loose Cyrillic readings of a romanised Russian/Ukrainian word ('' forms dropped)."""
    if not word.isascii() or not word.isalpha():
        return ()
    variants = {word}
    if "j" in word:
        variants.add(word.replace("j", "zh"))  # "jit" = жить
    if "x" in word:
        variants.add(word.replace("x", "kh"))  # "xochu" = хочу
    if "w" in word:
        variants.add(word.replace("w", "v"))
    return tuple(sorted({loose_cyrillic(latin_to_cyrillic(v)) for v in variants}))


_ARABIZI = str.maketrans({"w": None, "y": None, "v": None, "8": "q", "6": "t", "9": "s", "'": None})


@functools.lru_cache(maxsize=32_768)
def latin_consonants(word: str) -> str:
    """Consonant frame of a word in Arabizi or Finglish ("bidrabni" → "btrbn")."""
    return skeleton(word.translate(_ARABIZI))


@functools.lru_cache(maxsize=32_768)
def arabic_consonants(word: str) -> str:
    """Consonant frame of a folded Arabic-script word ("بيضربني" → "btrbn")."""
    return skeleton(word)


# Function words of romanised Arabic (Arabizi), Farsi (Finglish), Russian and Ukrainian:
# pronouns, negations, "want", question words. A sentence with many of them is read as
# romanised even when some of its words happen to be German or English ("ana bade mut").
# Function words of romanised Arabic (Arabizi), Farsi (Finglish) and Russian/Ukrainian:
# pronouns, negations, "want", question words, particles. They tell which script a sentence
# in Latin letters stands for, so that its words are compared with the patterns of that
# language only ("govorit" must not meet Farsi "قرض" by consonant frame). English, German,
# Czech and Turkish look-alikes ("to", "my", "man", "net", "ya") are left out on purpose.
def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROMANISED_WORDS: dict[str, frozenset[str]] = {
    "ar": _vocabulary(
        """
        ana ane enta inta enti inti ehna ahna howe huwe hiye heye bidi biddi bdi bade badi baddi
        bede bedi abgha ayez ayza 3ayez 3ayz 3awez mabdi mabidi mish msh mesh mafi mafish
        ya3ni wallah walla khalas 5alas kel kol shu sho shou lesh leish wein kif keef 3am 3an
        3ala 3la ma3 fiyye fiye fiya nafsi 7ali hali ro7i ba2a ba3d hek hayda hayde w el al
        lyom lyoum elyom bas kteer ktir ma3ad
        """
    ),
    "fa": _vocabulary(
        """
        shoma mikham mikhaam mikhay nemikham nemikhaam dige digeh khodam khodamo mano mara
        manam nist chera vaghean delam baram behem hast hastam mikonam mikone mishe nemitoonam
        nemitonam kheili khaili kheyli chon vali ke ro ra baad emrooz farda va ye hame age agar
        nadaram nadare dare daram midam mige miram mikhabam emshab inja oonja chi
        """
    ),
    "slavic": _vocabulary(
        """
        ja mne menya menja mene meni hochu khochu xochu nema nemaie bolshe bilshe uzhe vse vsyo
        tolko pochemu zachem chto shcho shto eto tse ochen duzhe potomu tomu ty vy oni vony
        kak yak mozhet mozhe nichego nichoho segodnja sohodni sjodni esli yakshcho yaksho vin
        vona on ona moi moja moya meni mne menia vsem vsim kazhe govorit skazal skazav nochju
        vnochi noch nich kogda koly tut tam bil byv bula byla
        """
    ),
}
ARABIZI_DIGIT_RE = re.compile(r"[a-z][235789]|[235789][a-z]")
# Finglish verbs: the present prefix mi-/nemi- and a personal ending ("mikhabam", "nemidan").
FINGLISH_VERB_RE = re.compile(r"^(?:ne)?mi[a-z]{2,}(?:am|i|e|im|id|an|and|ad)$")

KNOWN_ZIPF = 2.5
# Everyday words typed in Latin letters that no word list holds but that sit one letter from
# a crisis word: Finglish "begiram" (I get/rent: "mikham ye khune begiram") is no typo of
# "bemiram" (I die).
ROMANISED_EVERYDAY = frozenset({"begiram", "begirim", "begirom", "begiran"})
# Czech nouns folding strips of the accents that a word list needs, one letter from a crisis
# word: "znásilnění" (rape, the noun: "we talked about it in class") is no "znásilněná".
FOLDED_EVERYDAY = frozenset({"znasilneni", "znasilnenim"})
_TO_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})


@functools.lru_cache(maxsize=65_536)
def known_word(word: str) -> bool:
    """Is the folded ``word`` a real word of one of our languages (not a typo)?"""
    if word in ROMANISED_EVERYDAY or word in FOLDED_EVERYDAY:
        return True
    forms = {word}
    if script_of(word) == "arabic":
        forms.add(word.translate(_TO_PERSIAN))
        if word.endswith("\u0647"):
            forms.add(word[:-1] + "\u0629")
    if _listed(forms, _ALL_LANGUAGES):
        return True
    return script_of(word) == "cyrillic" and _listed(_unfolded(word), ("ru", "uk"))


def _listed(forms: set[str], languages: tuple[str, ...]) -> bool:
    """Is any of ``forms`` a common enough word of any of ``languages``?"""
    return any(common(form, lang, KNOWN_ZIPF) for form in forms for lang in languages)


def _unfolded(word: str) -> set[str]:
    """Spellings of a folded Cyrillic word that folding merged: one letter doubled again
    ("изнасиловани" is "изнасиловании", "згвалтуваня" "згвалтування") or a й put back after
    и ("примусови" is "примусовий"). Without them a real word ("we talked about
    изнасиловании in class") looks like a typo of a crisis word ("изнасиловали")."""
    forms = {word[: i + 1] + word[i:] for i in range(len(word))}
    forms |= {word[: i + 1] + "\u0439" + word[i + 1 :] for i, letter in enumerate(word) if letter == "\u0438"}
    return forms


# A Latin word this long that is an everyday German or English word ("Jobcenter", "Agentur",
# "center", "winter") keeps its own meaning inside a romanised sentence: read as Arabizi by
# consonant frame it would meet Arabic words ("winter" and "انتحر" both give "ntr").
EVERYDAY_MIN_LETTERS = 5
EVERYDAY_ZIPF = 3.0
_EVERYDAY_LANGUAGES = ("de", "en")


@functools.lru_cache(maxsize=65_536)
def everyday_latin_word(word: str) -> bool:
    """Is the folded Latin ``word`` long enough and common enough in German or English that
    it is not a transliteration of a word in another script?"""
    if len(word) < EVERYDAY_MIN_LETTERS or not word.isalpha():
        return False
    return any(common(word, lang, EVERYDAY_ZIPF) for lang in _EVERYDAY_LANGUAGES)


def script_of(word: str) -> str:
    """'latin', 'cyrillic', 'arabic' or 'other', by the word's first letter."""
    for ch in word:
        if ch.isdigit():
            continue
        code = ord(ch)
        if code < 0x250:
            return "latin"
        if 0x400 <= code < 0x530:
            return "cyrillic"
        if 0x600 <= code < 0x700 or 0x750 <= code < 0x780 or 0xFB50 <= code < 0xFF00:
            return "arabic"
        return "other"
    return "latin"


@functools.cache
def warm_up() -> None:
    """Load the word tables now rather than on the first message that needs them (and
    the tokeniser's patterns with them): 0.2 s from the cache file (``word_frequency``)."""
    for lang in _ALL_LANGUAGES:
        common("hallo", lang, KNOWN_ZIPF)
