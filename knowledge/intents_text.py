"""Folding and tokenising for the intent detector (``knowledge.intents``).

Self-contained on purpose: the phrases in ``content/intents.yaml`` and the messages must be
folded exactly alike, and the FAQ normaliser (``knowledge.normalize``) keeps distinctions
that stemmers need and chat greetings do not.

``fold_word`` makes the spellings people use for the same word meet:

* NFKC (full-width letters, Arabic presentation forms), Turkish ``İ``/``ı`` → ``i``,
  casefold (``ß`` → ``ss``);
* combining marks go: ``ä → a``, ``ř → r``, ``ş → s``, ``ё → е``, ``й → и``, ``ї → і``,
  Arabic harakat and hamza seats (``أ إ آ → ا``, ``ؤ → و``, ``ئ → ي``);
* Arabic/Persian letter variants meet (``ی ى → ي``, ``ک → ك``, ``ة ۀ → ه``), tatweel and
  apostrophes go, Persian/Arabic-Indic digits become ASCII digits;
* German ``ae oe ue`` after a consonant become ``a o u`` (``schoen`` = ``schön``);
* runs of the same letter shrink to one (``hallooo`` = ``hallo``, ``dankeee`` = ``danke``).

``tokenize`` cuts a text into words, numbers and emoji with their character spans (so
that a caller can cut the original text), and joins the Persian verb prefix ``می``/``نمی``
to its verb whatever the user typed between them (space, ZWNJ or nothing).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Kind", "Token", "clean_text", "fold_word", "script_of", "tokenize"]

# Invisible format characters: soft hyphen, combining grapheme joiner, Arabic letter mark,
# Hangul fillers, Mongolian variation selectors, zero-width space/joiners (ZWNJ too: it
# joins a Persian word, it does not split it), LRM/RLM, bidi embeddings/overrides/isolates,
# word joiner, variation selectors, BOM, tag characters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Combining marks of the Latin, Cyrillic and Arabic scripts: part of the word they sit on.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb`\u00b4\u2032"
# A word: letters/digits with their marks, with apostrophes inside ("geht's", "n'aber");
# anything else that is not a space is one token of its own (punctuation or an emoji).
_TOKEN_RE = re.compile(
    f"(?:[^\\W_]|[{_MARKS}])+(?:[{_APOSTROPHES}](?:[^\\W_]|[{_MARKS}])+)*|[^\\w\\s]",
)
_LETTER_MAP = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "þ": "th",
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u06cc": "\u064a",  # Persian yeh -> yeh
        "\u06d2": "\u064a",  # yeh barree
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u06aa": "\u0643",
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06d5": "\u0647",
        "\u06c1": "\u0647",
        "\u06be": "\u0647",
        "\u0621": None,  # lone hamza
        "\u0640": None,  # tatweel
        **dict.fromkeys(_APOSTROPHES, None),
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
_DE_DIGRAPH_RE = re.compile(r"(?<=[b-df-hj-np-tv-z])([aou])e")
_REPEAT_RE = re.compile(r"([^\W\d_])\1+")
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
# Persian present-tense prefixes, typed apart from their verb or not.
_FA_PREFIXES = frozenset({"\u0645\u064a", "\u0646\u0645\u064a"})  # مي نمي (folded)


def clean_text(text: str) -> str:
    """The text without invisible format characters (the positions tokens refer to)."""
    return _INVISIBLE_RE.sub("", text)


@functools.lru_cache(maxsize=32_768)
def fold_word(word: str) -> str:
    """The spelling-insensitive key of one word (see the module docstring)."""
    word = unicodedata.normalize("NFKC", word).replace("İ", "i").replace("ı", "i").casefold()
    word = unicodedata.normalize("NFD", word)
    word = "".join(ch for ch in word if unicodedata.category(ch) not in ("Mn", "Me"))
    word = word.translate(_LETTER_MAP)
    if word.isascii():
        word = _DE_DIGRAPH_RE.sub(r"\1", word)
    return _REPEAT_RE.sub(r"\1", word)


def script_of(key: str) -> str:
    """'arab', 'cyrl' or 'latn' (anything else counts as Latin: digits, emoji)."""
    if _ARABIC_RE.search(key):
        return "arab"
    if _CYRILLIC_RE.search(key):
        return "cyrl"
    return "latn"


class Kind(enum.Enum):
    WORD = "word"
    NUMBER = "number"
    EMOJI = "emoji"


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    key: str  # folded
    kind: Kind
    break_before: bool  # punctuation or a line break between this token and the previous one


def _emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words, numbers and emoji of an already cleaned text (``clean_text``), in order,
    from ``text[start:end]`` (positions stay those of ``text``).

    Punctuation is not a token; it only marks ``break_before`` on the next token.
    """
    out: list[Token] = []
    prev_end = start
    pending_break = True  # the start of the text is a boundary
    for m in _TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        raw = m.group()
        gap = text[prev_end : m.start()]
        if "\n" in gap:
            pending_break = True
        prev_end = m.end()
        if len(raw) == 1 and not raw.isalnum():
            if _emoji(raw):
                out.append(Token(m.start(), m.end(), raw, Kind.EMOJI, pending_break))
                pending_break = False
            elif unicodedata.category(raw) != "Sk":  # skin-tone modifiers belong to an emoji
                pending_break = True
            continue
        key = fold_word(raw)
        if not key:
            continue
        kind = Kind.NUMBER if key.isdigit() else Kind.WORD
        joins = out and not pending_break and out[-1].key in _FA_PREFIXES and kind is Kind.WORD
        if joins and _ARABIC_RE.search(key):
            last = out.pop()
            out.append(Token(last.start, m.end(), last.key + key, kind, last.break_before))
            continue
        out.append(Token(m.start(), m.end(), key, kind, pending_break))
        pending_break = False
    return out
