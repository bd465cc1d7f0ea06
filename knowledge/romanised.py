"""Native-script readings of sentences typed in Latin letters, for the safety check's meaning layer.

Young people write Arabic in "Arabizi" ("ana bade mout", "abouya 3am yedrebni"), Farsi in
"Finglish" ("mikham bemiram", "babam mano mizane") and Russian or Ukrainian in Latin letters
("hochu umeret"). The sentence embedder of the meaning layer reads such text poorly: it has
seen these languages mostly in their own script. :func:`native_reading` writes a romanised
sentence in the script of its language, so the embedder can read it as it reads the native
text; the detector embeds that reading next to the sentence as written.

The conversion is deliberately simple and deterministic, a few rules and short tables:

* **Arabizi -> Arabic letters.** Digits for letters Latin lacks (``2``=ء, ``3``=ع, ``5``=خ,
  ``6``=ط, ``7``=ح, ``8``=غ, ``9``=ق; with an apostrophe ``3'``=غ, ``7'``=خ), digraphs
  (``sh``=ش, ``kh``=خ, ``gh``=غ, ``th``=ث, ``dh``=ذ, ``ch``=ش), long vowels written (``aa``,
  ``ee``, ``ou``/``oo``, ``i``/``u``, a final vowel), short ``a``/``e``/``o`` inside a word
  dropped as Arabic writes them, the article ``el``/``al`` and ``w`` (and) joined to the
  next word. Frequent words whose spelling the rules miss ("ana", "bade", "mish", "3am",
  "ya3ni", "baba") come from a table.
* **Finglish -> Persian letters.** ``kh``=خ ``gh``=ق ``sh``=ش ``ch``=چ ``zh``=ژ, ``p``/``g``
  as پ/گ, the verb prefixes ``mi-``/``nemi-`` as می/نمی (``mikham`` -> میخوام), a final
  ``-e`` as ه, short ``a``/``e``/``o`` inside a word dropped; a table for frequent words
  ("man", "to", "dige", "khodam", "kheili").
* **Latin Russian/Ukrainian -> Cyrillic** with ``knowledge.match_translit.latin_to_cyrillic``.

Words that are not romanised keep their letters: German terms and names written with a
capital inside the sentence ("Duldung", "Freital"), common German/English words, language
levels and times ("A2", "5am"). A sentence where fewer than half the words are romanised
gets no reading (``None``): it is German or English with an odd word, not Arabizi.

No maintained library converts Arabizi or Finglish offline (the PyPI lists were checked for
this: the packages found either need a web service, a large neural model, or only go from
Arabic script to Latin), hence this module. The readings are approximate, as every reader's
spelling of these languages is: they are made for an embedder, not for a person.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from knowledge.match_translit import latin_to_cyrillic
from knowledge.safety_text import ARABIZI_DIGIT_RE, FINGLISH_VERB_RE, ROMANISED_WORDS
from knowledge.word_frequency import common

__all__ = [
    "TARGETS",
    "arabizi_word",
    "cyrillic_word",
    "finglish_word",
    "native_query",
    "native_reading",
    "target_of",
]

TARGETS = ("ar", "fa", "slavic")

# Tokens of a raw sentence: Latin letters with digits and apostrophes ("3ayez", "ub'ie").
_TOKEN_RE = re.compile(r"[A-Za-z0-9'\u2019]+")
# Not romanised whatever the sentence: language levels, times, numbers with units.
_KEEP_RE = re.compile(r"^(?:[abc][12]|\d+(?:am|pm|h|km|kg|st|nd|rd|th|x)?|\d+)$", re.IGNORECASE)
# A word at least this common in German or English keeps its letters (unless the table of
# the sentence's language knows it: "ana", "man", "to", "ne").
_EVERYDAY_ZIPF = 3.0
# Less than this share of a sentence's words romanised: no reading.
MIN_ROMANISED_SHARE = 0.5


def _table(text: str) -> dict[str, str]:
    """A table written as ``latin:native`` pairs separated by spaces ('#' starts a comment line)."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        for pair in line.split():
            latin, native = pair.split(":")
            table[latin] = native
    return table


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --------------------------------------------------------------------------- Arabizi

_ARABIZI_WORDS = _table(
    """
    # pronouns and people
    ana:انا ane:انا ena:انا enta:انت inta:انت enti:انتي
    inti:انتي ehna:احنا ahna:احنا e7na:احنا howe:هو huwe:هو
    huwa:هو hiye:هي heye:هي hiya:هي homme:هم baba:بابا
    mama:ماما abouya:ابويا abuya:ابويا abouy:ابوي abuy:ابوي
    abi:ابي ommi:امي emmi:امي umi:امي ummi:امي akhi:اخي
    a5i:اخي ekhti:اختي okhti:اختي ukhti:اختي ahli:اهلي
    zalame:زلمة nafsi:نفسي 7ali:حالي hali:حالي ro7i:روحي
    lwa7di:لوحدي la7ali:لحالي
    # want, can, have
    bade:بدي badi:بدي baddi:بدي bidi:بدي biddi:بدي bdi:بدي
    bede:بدي bedi:بدي mabdi:مابدي mabidi:مابدي bado:بدو
    bedo:بدو abgha:ابغى ayez:عايز 3ayez:عايز 3ayz:عايز
    3awez:عاوز ayza:عايزة 3ayza:عايزة fini:فيني fiyye:فيي
    fiye:فيي fiya:فيي 3indi:عندي 3ndi:عندي 3andi:عندي
    # negation, particles, questions
    ma:ما mish:مش msh:مش mesh:مش mafi:مافي mafish:مافيش
    mafeesh:مافيش la:لا la2:لا laa:لا ya3ni:يعني wallah:والله
    walla:والله wallahi:والله khalas:خلاص 5alas:خلاص kel:كل
    kol:كل kul:كل kelshi:كلشي kollshi:كلشي kolshi:كلشي
    shi:شي shu:شو sho:شو shou:شو lesh:ليش leish:ليش
    laish:ليش wein:وين wen:وين kif:كيف keef:كيف 3am:عم
    3an:عن 3ala:على 3la:على 3a:على ma3:مع ba2a:بقى
    ba3d:بعد ba3ad:بعد hek:هيك hayda:هيدا hayde:هيدي bas:بس
    kteer:كتير ktir:كتير ma3ad:ماعاد fi:في fe:في men:من
    min:من mn:من law:لو lw:لو iza:اذا eza:اذا ya:يا
    wala:ولا aw:او ba3den:بعدين lazem:لازم lazim:لازم
    ra7:رح 7a:ح el:ال al:ال il:ال elli:اللي illi:اللي
    yom:يوم youm:يوم lyom:اليوم lyoum:اليوم elyom:اليوم
    lele:ليلة leile:ليلة layle:ليلة 3ad:عاد lel:الليل leil:ليل layl:ليل
    mni7:منيح mnih:منيح tayeb:طيب allah:الله
    # crisis words the rules spell poorly
    mout:موت mot:موت moot:موت mowt:موت amout:اموت amoot:اموت
    3ish:عيش a3ish:اعيش a3eesh:اعيش 7aya:حياة 7ayati:حياتي
    e2tol:اقتل 2tol:اقتل 2atel:قاتل 2al:قال bi2oul:بيقول
    ta3ban:تعبان ta3bane:تعبانة khayef:خايف khayfe:خايفة
    shoghl:شغل shoghol:شغل sho8l:شغل sho8el:شغل
    """
)
# Words joined to the next: the article, "and", prepositions with the article.
_ARABIZI_PREFIXES = _table(
    """
    el:ال al:ال il:ال l:ال w:و wa:و we:و
    wel:وال wil:وال bel:بال bil:بال bl:بال b:ب fel:فال
    fil:فال 3al:عال lal:لل lel:لل lil:لل
    """
)
_ARABIZI_DIGRAPHS = _table(
    """
    sh:ش ch:ش kh:خ gh:غ th:ث dh:ذ
    aa:ا ee:ي ii:ي ei:ي ai:ي ay:ي
    ou:و oo:و uu:و aw:و
    """
)
_ARABIZI_LETTERS = _table(
    """
    b:ب p:ب t:ت j:ج g:ج d:د r:ر z:ز s:س
    f:ف v:ف q:ق k:ك c:ك l:ل m:م n:ن h:ه
    w:و y:ي x:كس 2:ء 3:ع 5:خ 6:ط 7:ح 8:غ
    9:ق i:ي o:و u:و D:ض Z:ظ
    """
)
# A digit with an apostrophe is the dotted letter: 3' = غ, 7' = خ, 9' = ض, 6' = ظ
# ("shte3'el"); the last two become placeholders of _ARABIZI_LETTERS.
_ARABIZI_MARKED = (("3'", "8"), ("7'", "5"), ("9'", "D"), ("6'", "Z"))
_VOWELS = frozenset("aeiou")


@functools.lru_cache(maxsize=8192)
def arabizi_word(word: str) -> str:
    """One Arabizi word in Arabic letters: "yedrebni" -> "يدربني", "3am" -> "عم"."""
    word = word.lower().replace("\u2019", "'")
    for marked, letter in _ARABIZI_MARKED:
        word = word.replace(marked, letter)
    word = word.replace("'", "")
    known = _ARABIZI_WORDS.get(word) or _ARABIZI_PREFIXES.get(word)
    if known is not None:
        return known
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        ch = word[i]
        first, last = i == 0, i + len(pair) >= len(word)
        digraph = _ARABIZI_DIGRAPHS.get(pair) if len(pair) == 2 else None
        if digraph is not None:
            if first and pair[0] in _VOWELS:
                out.append("ا" + (digraph if digraph != "ا" else ""))
            else:
                out.append(digraph)
            i += 2
            continue
        if ch in _VOWELS:
            if first:
                out.append("ا" if ch in "aei" or last else "او")
            elif i == len(word) - 1:
                out.append({"a": "ا", "e": "ة", "i": "ي", "o": "و", "u": "و"}[ch])
            elif ch in "iu":
                out.append(_ARABIZI_LETTERS[ch])
            # a short a, e or o inside the word is not written ("3omri" -> عمري)
        elif ch == "2" and first:
            out.append("ا")
        else:
            letter = _ARABIZI_LETTERS.get(ch, "")
            if not (out and out[-1] == letter and letter not in ("ي", "و")):
                out.append(letter)  # a doubled consonant is written once
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- Finglish

_FINGLISH_WORDS = _table(
    """
    man:من to:تو too:تو shoma:شما oo:او u:او ma:ما
    mano:منو mara:مرا manam:منم khodam:خودم khodamo:خودمو
    khodesh:خودش dige:دیگه digeh:دیگه digar:دیگر nist:نیست
    hast:هست hastam:هستم chera:چرا chi:چی che:چه ke:که
    ro:رو ra:را va:و o:و ye:یه yek:یک hame:همه
    age:اگه agar:اگر be:به az:از ba:با dar:در in:این
    oon:اون un:اون ham:هم bad:بد na:نه kheili:خیلی
    khaili:خیلی kheyli:خیلی chon:چون vali:ولی baad:بعد
    emrooz:امروز emruz:امروز farda:فردا emshab:امشب inja:اینجا
    oonja:اونجا vaghean:واقعا delam:دلم baram:برام behem:بهم
    daram:دارم nadaram:ندارم dare:داره nadare:نداره baba:بابا
    babam:بابام maman:مامان mamanam:مامانم dadash:داداش
    dadasham:داداشم khaharam:خواهرم shohar:شوهر shoharam:شوهرم
    kar:کار karam:کارم khune:خونه khoone:خونه khooneh:خونه
    zendegi:زندگی marg:مرگ khodkoshi:خودکشی kotak:کتک
    khaste:خسته khastam:خستم bemiram:بمیرم bemiri:بمیری mordan:مردن
    dad:داد zad:زد dir:دیر alan:الان sar:سر sare:سر pool:پول saat:ساعت
    kardam:کردم kard:کرد shod:شد bood:بود bud:بود mishe:میشه
    """
)
_FINGLISH_DIGRAPHS = _table(
    """
    kh:خ gh:ق sh:ش ch:چ zh:ژ
    aa:ا ee:ی ii:ی ei:ی ey:ی ou:و oo:و
    uu:و
    """
)
_FINGLISH_LETTERS = _table(
    """
    b:ب p:پ t:ت j:ج d:د r:ر z:ز s:س f:ف
    v:و w:و q:ق k:ک c:ک g:گ l:ل m:م n:ن
    h:ه y:ی x:خ i:ی u:و
    """
)
_FINGLISH_PREFIX_RE = re.compile(r"^(ne)?mi(?=[a-z]{2})")


@functools.lru_cache(maxsize=8192)
def finglish_word(word: str) -> str:
    """One Finglish word in Persian letters: "mikham" -> "میخوام", "mizane" -> "میزنه"."""
    word = word.lower().replace("'", "").replace("\u2019", "")
    known = _FINGLISH_WORDS.get(word)
    if known is not None:
        return known
    prefix = ""
    verb = _FINGLISH_PREFIX_RE.match(word)
    if verb is not None and FINGLISH_VERB_RE.match(word):
        prefix = "نمی" if verb.group(1) else "می"
        word = word[verb.end() :]
        if word.startswith("kha"):  # the stem of "want" is written خوا: میخوام, نمیخواد
            prefix += "خوا"
            word = word[3:]
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        ch = word[i]
        first = i == 0 and not prefix
        digraph = _FINGLISH_DIGRAPHS.get(pair) if len(pair) == 2 else None
        if digraph is not None:
            if first and pair[0] in _VOWELS:
                out.append("آ" if pair == "aa" else "ا" + (digraph if pair != "aa" else ""))
            else:
                out.append(digraph)
            i += 2
            continue
        if ch in _VOWELS:
            if first:
                out.append({"a": "ا", "e": "ا", "i": "ای", "o": "ا", "u": "او"}[ch])
            elif i == len(word) - 1:
                out.append({"a": "ا", "e": "ه", "i": "ی", "o": "و", "u": "و"}[ch])
            elif ch in "iu":
                out.append(_FINGLISH_LETTERS[ch])
            # a short a, e or o inside the word is not written
        else:
            letter = _FINGLISH_LETTERS.get(ch, "")
            if not (out and out[-1] == letter and letter not in ("ی", "و")):
                out.append(letter)
        i += 1
    return prefix + "".join(out)


# --------------------------------------------------------------------------- Russian/Ukrainian

# Short words that are Russian or Ukrainian in a romanised sentence though English or German
# look the same ("i", "a", "no", "to", "on").
_SLAVIC_WORDS = _words(
    """
    i a no na ne to on ona v s k u po za do ot iz ja ya vse tak uzhe net da eto tse den dom
    tut tam kak vot nu
    """
)


@functools.lru_cache(maxsize=8192)
def cyrillic_word(word: str) -> str:
    """One romanised Russian/Ukrainian word in Cyrillic: "hochu" -> "хочу", "xochu" -> "хочу"."""
    word = word.lower().replace("\u2019", "'")
    if "x" in word:
        word = word.replace("x", "kh")  # texting writes х as x: "xochu", "xorosho"
    return latin_to_cyrillic(word)


# --------------------------------------------------------------------------- sentences

_CONVERTERS = {"ar": arabizi_word, "fa": finglish_word, "slavic": cyrillic_word}
_TABLES: dict[str, frozenset[str]] = {
    "ar": frozenset(_ARABIZI_WORDS) | frozenset(_ARABIZI_PREFIXES) | ROMANISED_WORDS["ar"],
    "fa": frozenset(_FINGLISH_WORDS) | ROMANISED_WORDS["fa"],
    "slavic": _SLAVIC_WORDS | ROMANISED_WORDS["slavic"],
}


def _evidence(word: str, target: str) -> bool:
    """The word is romanised ``target`` whatever other language it resembles."""
    if word in _TABLES[target]:
        return True
    if target == "ar":
        return arabizi_spelled(word)
    if target == "fa":
        return bool(FINGLISH_VERB_RE.match(word))
    return False


def arabizi_spelled(word: str) -> bool:
    """Letters mixed with the digits Arabizi writes sounds with ("3ayez", "7ali", "ta2riban"),
    and not a language level ("b2"), a time or size ("8am", "5km"), an ordinal ("2nd") or a
    German word with a number ("kurs2"): "ich brauche b2" is no Arabic."""
    return bool(ARABIZI_DIGIT_RE.search(word)) and not _KEEP_RE.match(word) and not _numbered(word)


_NUMBERED_RE = re.compile(r"([a-z]{3,})\d+")
# Arabizi words end in a digit too ("tele3", "share3"): only a very common German word counts.
_NUMBERED_ZIPF = 4.0


def _numbered(word: str) -> bool:
    """An everyday German word with a number after it ("kurs2", "raum5"), not Arabizi."""
    match = _NUMBERED_RE.fullmatch(word)
    return match is not None and common(match.group(1), "de", _NUMBERED_ZIPF)


@functools.lru_cache(maxsize=16_384)
def _everyday(word: str) -> bool:
    """A common German or English word ("hallo", "termin", "the")."""
    return word.isalpha() and any(common(word, lang, _EVERYDAY_ZIPF) for lang in ("de", "en"))


def target_of(sentence: str, targets: Iterable[str]) -> str | None:
    """Of the candidate ``targets`` ("ar", "fa", "slavic"), the one most of the sentence's
    words speak for (ties: in the order of :data:`TARGETS`), or None."""
    words = [t.lower() for t in _TOKEN_RE.findall(sentence)]
    best: tuple[int, str] | None = None
    for target in sorted(set(targets) & set(TARGETS), key=TARGETS.index):
        score = sum(1 for w in words if _evidence(w, target))
        if score and (best is None or score > best[0]):
            best = (score, target)
    return None if best is None else best[1]


def native_reading(sentence: str, targets: Iterable[str]) -> str | None:
    """The sentence with its romanised words in the script of the language it stands for
    (one of ``targets``, see :func:`target_of`), or None when fewer than half its words
    are romanised (the sentence is German or English with a stray word)."""
    target = target_of(sentence, targets)
    if target is None:
        return None
    convert = _CONVERTERS[target]
    tokens = list(_TOKEN_RE.finditer(sentence))
    replaced: list[str | None] = []
    romanised = 0
    for n, match in enumerate(tokens):
        token = match.group()
        word = token.lower()
        keep = word not in _TABLES[target] and (
            _KEEP_RE.match(word) is not None
            or (
                not _evidence(word, target)
                and (
                    (token[0].isupper() and n > 0) or _everyday(word) or _numbered(word) or not word.isascii()
                )
            )
        )
        if keep:
            replaced.append(None)
            continue
        romanised += 1
        replaced.append(convert(word))
    if romanised == 0 or romanised < MIN_ROMANISED_SHARE * len(tokens):
        return None
    out: list[str] = []
    position = 0
    for n, (match, native) in enumerate(zip(tokens, replaced, strict=True)):
        out.append(sentence[position : match.start()])
        position = match.end()
        if native is None:
            out.append(match.group())
        elif target == "ar" and _joins_next(tokens, replaced, n, sentence):
            out.append(_ARABIZI_PREFIXES[match.group().lower()])
            position = tokens[n + 1].start()  # no space between the prefix and its word
        elif target == "ar" and _joined_to(out) and native.startswith("ال"):
            out.append(native[2:])  # "el elyom"
        else:
            out.append(native)
    out.append(sentence[position:])
    return "".join(out).strip()


def _joined_to(out: list[str]) -> bool:
    """The word being written follows an article it is joined to."""
    return len(out) >= 2 and out[-1] == "" and out[-2].endswith("ال")


def _joins_next(tokens: list[re.Match[str]], replaced: list[str | None], n: int, sentence: str) -> bool:
    """An Arabizi article, "and" or preposition ("el", "w", "bel") written apart, followed by
    a romanised word: Arabic writes it joined to that word ("el shoghl" -> "الشغل")."""
    word = tokens[n].group().lower()
    return (
        word in _ARABIZI_PREFIXES
        and n + 1 < len(tokens)
        and replaced[n + 1] is not None
        and tokens[n + 1].group().lower() not in _ARABIZI_PREFIXES
        and not sentence[tokens[n].end() : tokens[n + 1].start()].strip()
    )


# The romanisation each of our languages is typed in.
_TARGET_OF_LANGUAGE = {"ar": "ar", "fa": "fa", "ru": "slavic", "uk": "slavic"}


def native_query(text: str, lang: str | None) -> str | None:
    """``text`` in the script of ``lang`` when it is Arabic, Persian, Russian or Ukrainian
    typed in Latin letters ("u menja diplom iz Almaty" for a Russian speaker), else None:
    for the matcher, whose sentence embedder knows these languages in their script."""
    target = _TARGET_OF_LANGUAGE.get(lang or "")
    if target is None or any(ch.isalpha() and not ch.isascii() for ch in text):
        return None
    return native_reading(text, (target,))
