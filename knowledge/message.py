"""A message is not a question: cut it into sentences and find those that ask something.

Young people write several sentences ("Hi! I'm 22, from Kharkiv, I have a bachelor's
degree ... how do I get it recognised?"), voice-to-text run-ons without punctuation, and
now and then thousands of characters. The matcher works best on one question at a time,
so the message is cut at sentence ends (Latin, Arabic and Farsi marks, line breaks) and
run-ons are cut into overlapping windows of words. Each piece gets a question score
from its form (a question mark, an interrogative word of any of our languages, a
"how do I / can I" opening), which decides which pieces are matched first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Sentence ends: . ! ? … and the Arabic/Farsi question mark and semicolon followed by
# white space, and line breaks. A dot inside a token ("3.5", "01.09.2026") is no end.
_END = re.compile(r"(?<=[.!?؟…;؛])\s+|\s*\n+\s*")
_SPACE = re.compile(r"\s+")
# Run-ons: windows short enough that the embedder (24 tokens, about 12-16 words in our
# scripts) sees all of each window.
WINDOW_WORDS = 12
WINDOW_STEP = 6
MIN_WORDS = 2

# Interrogatives and question openings, folded (lower case, no accents); one list for all
# languages: a word that asks in one language rarely means anything else in another.
_ASKING = frozenset(
    [
        "wie",
        "wo",
        "wann",
        "was",
        "warum",
        "wieso",
        "weshalb",
        "wer",
        "welche",
        "welcher",
        "welches",
        "woher",
        "wohin",
        "womit",
        "wozu",
        "kann",
        "koennen",
        "konnen",
        "darf",
        "duerfen",
        "durfen",
        "muss",
        "muessen",
        "mussen",
        "brauche",
        "gibt",
        "bekomme",
        "kriege",
        "how",
        "where",
        "when",
        "what",
        "why",
        "who",
        "which",
        "whom",
        "whose",
        "can",
        "could",
        "may",
        "must",
        "should",
        "do",
        "does",
        "is",
        "are",
        "كيف",
        "وين",
        "فين",
        "اين",
        "أين",
        "متى",
        "شو",
        "ايش",
        "إيش",
        "ماذا",
        "لماذا",
        "ليش",
        "مين",
        "من",
        "هل",
        "قديش",
        "كم",
        "بقدر",
        "فيني",
        "ممكن",
        "як",
        "де",
        "коли",
        "що",
        "чому",
        "хто",
        "який",
        "яка",
        "які",
        "чи",
        "можна",
        "скільки",
        "потрібно",
        "треба",
        "как",
        "где",
        "когда",
        "что",
        "почему",
        "зачем",
        "кто",
        "какой",
        "какая",
        "какие",
        "можно",
        "сколько",
        "нужно",
        "надо",
        "ли",
        "چطور",
        "چطوری",
        "چگونه",
        "کجا",
        "کی",
        "چه",
        "چرا",
        "کدام",
        "آیا",
        "میشه",
        "می\u200cشه",
        "میتونم",
        "می\u200cتونم",
        "چقدر",
        "چند",
        "باید",
        "nasil",
        "nerede",
        "ne",
        "neden",
        "nicin",
        "kim",
        "hangi",
        "kac",
        "mi",
        "mu",
        "mı",
        "mü",
        "miyim",
        "musun",
        "mumkun",
        "lazim",
        "gerekir",
        "jak",
        "kde",
        "kdy",
        "co",
        "proc",
        "kdo",
        "ktery",
        "ktera",
        "muzu",
        "muze",
        "mohu",
        "lze",
        "potrebuji",
        "kolik",
        "musim",
        "kef",
        "kif",
        "wen",
        "shu",
        "esh",
        "leh",
        "mata",
        "hal",
        "momken",
        "chetor",
        "koja",
        "chera",
        "aya",
        "mishe",
        "mitunam",
        "yak",
        "de",
        "koly",
        "shcho",
        "chomu",
        "khto",
        "kak",
        "gde",
        "kogda",
        "chto",
        "pochemu",
        "mozhno",
        # Saying what one needs asks as well: "Ich suche einen Praktikumsplatz."
        "suche",
        "brauche",
        "need",
        "looking",
        "ищу",
        "нужен",
        "нужна",
        "нужно",
        "шукаю",
        "потрібен",
        "потрібна",
        "потрібно",
        "arıyorum",
        "ariyorum",
        "lazım",
        "hledam",
        "sháním",
        "shanim",
        "بدور",
        "بدي",
        "ابحث",
        "محتاج",
        "دنبال",
        "میخوام",
        "میخواهم",
        "لازم",
    ]
)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    start: int  # position in the message, for reading order
    asking: float  # 0..1: how much its form says it asks something


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def asking_score(text: str) -> float:
    """How much the form of ``text`` says it asks something (0..1)."""
    words = [w.strip(".,!?؟:;()\"'«»") for w in text.split()]
    folded = [_fold(w) for w in words if w]
    score = 0.0
    if "?" in text or "؟" in text:
        score += 0.6
    if folded and folded[0] in _ASKING:
        score += 0.3
    elif any(w in _ASKING for w in folded[:6]):
        score += 0.2
    elif any(w in _ASKING for w in folded):
        score += 0.1
    return min(1.0, score)


def pieces(text: str, max_pieces: int = 200) -> list[Piece]:
    """The message's sentences (run-ons as windows of words), in reading order."""
    out: list[Piece] = []
    pos = 0
    for raw in _END.split(text):
        if raw is None:
            continue
        start = text.find(raw, pos) if raw else pos
        pos = max(pos, start + len(raw))
        sentence = _SPACE.sub(" ", raw).strip()
        words = sentence.split()
        if len(words) < MIN_WORDS and not any(ch.isalpha() for ch in sentence):
            continue
        if len(words) <= WINDOW_WORDS + WINDOW_STEP // 2:
            if sentence:
                out.append(Piece(sentence, start, asking_score(sentence)))
        else:
            # Every window of a sentence that ends in a question mark is part of that
            # question, not only the last one, which holds the mark.
            mark = next((m for m in "?؟" if m in sentence), "")
            for i in range(0, len(words) - WINDOW_WORDS // 2, WINDOW_STEP):
                window = " ".join(words[i : i + WINDOW_WORDS])
                out.append(Piece(window, start + i, asking_score(window + mark)))
        if len(out) >= max_pieces:
            break
    return out[:max_pieces]
