"""A language typed instead of pressed: "عربي", "arapça", "по-русски", "english pls".

Each of our languages by its name in every one of our languages and scripts, its common
short forms and codes. Words are compared the way the intents compare them
(``knowledge.intents_text.fold_word``: case, accents, umlauts, Arabic and Persian letter
variants and repeated letters do not matter), names of 5+ letters also with one typo
(two from 9 letters). A message is a language choice only when one language is named
and every other word is a filler ("bitte", "please", "language", "من فضلك").
"""

from __future__ import annotations

import functools
import re

from rapidfuzz.distance import OSA

from dialogs.i18n import LANGUAGE_NAMES
from knowledge.intents_text import fold_word

_NAMES: dict[str, tuple[str, ...]] = {
    "de": (
        "deutsch",
        "german",
        "de",
        "deu",
        "ger",
        "almanca",
        "alman",
        "němčina",
        "německy",
        "немецкий",
        "немецки",
        "нимецкий",
        "німецька",
        "німецькою",
        "الألمانية",
        "ألماني",
        "الماني",
        "المانية",
        "آلمانی",
        "المانی",
    ),
    "en": (
        "english",
        "englisch",
        "engl",
        "eng",
        "en",
        "ingilizce",
        "angličtina",
        "anglicky",
        "английский",
        "английски",
        "англ",
        "англійська",
        "англійською",
        "الإنجليزية",
        "انجليزي",
        "إنجليزي",
        "انكليزي",
        "الانكليزية",
        "انگلیسی",
    ),
    "ar": (
        "arabic",
        "arabisch",
        "arab",
        "arabi",
        "ar",
        "ara",
        "arapça",
        "arapca",
        "arabština",
        "arabsky",
        "арабский",
        "арабски",
        "арабська",
        "арабською",
        "عربي",
        "العربية",
        "عربية",
        "عربى",
        "عربی",
    ),
    "uk": (
        "ukrainian",
        "ukrainisch",
        "ukrain",
        "uk",
        "ua",
        "ukr",
        "ukraynaca",
        "ukrajinština",
        "ukrajinsky",
        "українська",
        "українською",
        "укр",
        "украинский",
        "украинская",
        "украински",
        "الأوكرانية",
        "اوكراني",
        "أوكراني",
        "اوکراینی",
    ),
    "ru": (
        "russian",
        "russisch",
        "rus",
        "ru",
        "rusça",
        "rusca",
        "ruština",
        "rusky",
        "русский",
        "русская",
        "русски",
        "рус",
        "російська",
        "російською",
        "الروسية",
        "روسي",
        "روسی",
    ),
    "fa": (
        "farsi",
        "persian",
        "persisch",
        "dari",
        "fa",
        "fas",
        "per",
        "prs",
        "farsça",
        "farsca",
        "perština",
        "persky",
        "فارسی",
        "فارسي",
        "دری",
        "دري",
        "الفارسية",
        "فارسية",
        "فارسى",
        "фарси",
        "персидский",
        "перська",
        "дари",
    ),
    "tr": (
        "turkish",
        "türkisch",
        "turkisch",
        "tr",
        "tur",
        "türkçe",
        "turkce",
        "turkca",
        "turečtina",
        "turecky",
        "турецкий",
        "турецки",
        "турецька",
        "турецькою",
        "التركية",
        "تركي",
        "ترکی",
    ),
    "cs": (
        "czech",
        "tschechisch",
        "čeština",
        "cestina",
        "česky",
        "cesky",
        "cs",
        "cz",
        "ces",
        "cze",
        "чешский",
        "чешски",
        "чеська",
        "чеською",
        "çekçe",
        "cekce",
        "التشيكية",
        "تشيكي",
        "چکی",
    ),
}

# Words that may stand around a language's name without making the message a question.
_FILLERS = (
    "bitte",
    "auf",
    "in",
    "ich",
    "möchte",
    "will",
    "sprache",
    "sprechen",
    "please",
    "pls",
    "plz",
    "language",
    "lang",
    "i",
    "want",
    "speak",
    "my",
    "is",
    "lütfen",
    "dil",
    "dili",
    "dilinde",
    "prosím",
    "jazyk",
    "chci",
    "по",
    "на",
    "пожалуйста",
    "язык",
    "мова",
    "будь",
    "ласка",
    "хочу",
    "من",
    "فضلك",
    "لو",
    "سمحت",
    "اللغة",
    "لغة",
    "باللغة",
    "بدي",
    "أريد",
    "اريد",
    "به",
    "زبان",
    "لطفا",
    "لطفاً",
    "میخواهم",
    "می‌خواهم",
    "ok",
    "okay",
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS = 5


@functools.cache
def _table() -> tuple[dict[str, str], frozenset[str]]:
    names: dict[str, str] = {}
    for code, words in _NAMES.items():
        for word in (*words, LANGUAGE_NAMES[code]):
            for part in _WORD.findall(word):
                names.setdefault(fold_word(part), code)
    return names, frozenset(fold_word(w) for w in _FILLERS)


def _variants(word: str) -> tuple[str, ...]:
    """The word, and without the Arabic article or "in" glued to it ("بالعربي")."""
    out = [word]
    for prefix in ("بال", "ال", "ب"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            out.append(word[len(prefix) :])
    return tuple(out)


def _fuzzy(word: str, names: dict[str, str]) -> str | None:
    if len(word) < 5:
        return None
    limit = 2 if len(word) >= 9 else 1
    found = {
        code
        for name, code in names.items()
        if len(name) >= 5 and name[0] == word[0] and OSA.distance(word, name, score_cutoff=limit) <= limit
    }
    return found.pop() if len(found) == 1 else None


def _code_of(word: str, names: dict[str, str]) -> str | None:
    for variant in _variants(word):
        if variant in names:
            return names[variant]
    return _fuzzy(word, names)


def typed_language(text: str) -> str | None:
    """The language a short message names, or None when it names none (or says more)."""
    words = [fold_word(w) for w in _WORD.findall(text)]
    if not words or len(words) > MAX_WORDS:
        return None
    names, fillers = _table()
    codes = set()
    for word in words:
        if word in fillers and word not in names:
            continue
        code = _code_of(word, names)
        if code is None:
            return None
        codes.add(code)
    return codes.pop() if len(codes) == 1 else None
