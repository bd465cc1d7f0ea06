"""From a message to what it asks: conversational intents first, then the knowledge base.

The dialogs layer calls ``Understander.understand`` for every free-text message (after
the safety check). Steps:

1. **Intents**: a message that is only a greeting, thanks, goodbye, "I want a person",
   yes/no, "I don't understand" or a bare number is answered as such
   (``knowledge.intents``), never matched against the FAQ.
2. **Pieces**: greetings and pleasantries around the question are removed, and the rest
   is cut into sentences (run-ons into windows of words; ``knowledge.message``).
3. **Matching**: the whole message (when short) and its pieces are matched, those that
   look like questions first; long messages are looked at word-level first so that at
   most ``MAX_MATCHED`` pieces get the full match with sentence embeddings, wherever in
   the message the question stands.
4. **Decision**: the piece with the most confident match decides: answer, "did you
   mean", or "I don't know". When two different pieces are each answered confidently
   by different entries, the message asked two things: both are offered.

A message written in another language than the person's chosen one is matched in the
language it was written in as well, and the better of the two is kept.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.intents import Intent, IntentDetector, IntentResult
from knowledge.matcher import Decision, Match, Matcher, MatchResult
from knowledge.message import Piece, pieces
from knowledge.model import SCRIPT_OF_LANGUAGE
from knowledge.romanised import native_query
from knowledge.safety_text import script_of

# Messages up to this long are also matched whole, beside their pieces.
WHOLE_MAX_CHARS = 400
# A bound only against abuse: 2,000 pieces are about 100,000 characters, far more than
# Telegram lets anyone send in one message (4,096).
MAX_PIECES = 2000
# Pieces matched with the full matcher (embedding included) per message.
MAX_MATCHED = 6


class Kind(enum.Enum):
    INTENT = "intent"
    ANSWER = "answer"
    SUGGEST = "suggest"
    TWO = "two"
    NONE = "none"
    EMPTY = "empty"  # nothing to read: emoji, punctuation, white space


@dataclass(frozen=True, slots=True)
class Understanding:
    kind: Kind
    result: MatchResult | None = None  # the match of the part that asks (not for INTENT/EMPTY)
    lang: str | None = None  # the language that match was made in
    question: str = ""  # the part of the message that asks
    intent: IntentResult | None = None
    second: Match | None = None  # TWO: the best entry for the other question
    second_lang: str | None = None
    detected: str | None = None  # the language the message was written in, when known

    @property
    def top(self) -> Match | None:
        return self.result.matches[0] if self.result and self.result.matches else None


@dataclass(frozen=True, slots=True)
class _Scored:
    piece: Piece
    result: MatchResult
    lang: str | None


def _written_in(matcher: Matcher, text: str, chosen: str | None, detected: str) -> bool:
    """``text`` is clearly in the ``detected`` language rather than the ``chosen`` one:
    enough words besides German terms, not the chosen language romanised, and no letters
    of the chosen language's script when that is not the detected one's ("что такое
    Teilqualifizierung" is Russian with a German term, not German)."""
    if not matcher.tells_language(text) or native_query(text, chosen) is not None:
        return False  # too short, or the chosen language in Latin letters ("ana 3ayez …")
    script = SCRIPT_OF_LANGUAGE.get(chosen or "", "latin")
    return (
        script == "latin"
        or script == SCRIPT_OF_LANGUAGE.get(detected)
        or not any(script_of(ch) == script for ch in text if ch.isalpha())
    )


def _confidence(result: MatchResult) -> float:
    return result.matches[0].confidence if result.matches else 0.0


def _confidence_of(result: MatchResult, entry: str) -> float:
    """The confidence ``result`` gives ``entry`` (0 when it is not among its matches)."""
    return next((m.confidence for m in result.matches if m.id == entry), 0.0)


_RANK = {Decision.ANSWER: 2, Decision.SUGGEST: 1, Decision.NONE: 0}


def _choose_result(scored: list[_Scored]) -> _Scored:
    """The whole message when it was matched: measured on the evaluation set, its ranking
    is right more often than any rule that picks a sentence (picking the most confident
    sentence, or each entry's best score anywhere, lost 6-20 points of P@1: a fragment
    easily looks like some entry). A sentence takes over only when it looks like a
    question and reaches a better decision with more confidence; in a long message,
    which is not matched whole, the question-like sentences are preferred."""
    whole = next((s for s in scored if s.piece.start < 0), None)
    parts = [s for s in scored if s.piece.start >= 0]
    # In a long message (not matched whole) only the sentences that ask most clearly
    # compete; a short one's whole match keeps the story in view.
    asking = _most_asking(parts) if whole is None else [s for s in parts if s.piece.asking > 0] or parts
    best_part = max(asking, key=lambda s: (_confidence(s.result), s.piece.asking)) if asking else None
    if whole is None:
        assert best_part is not None
        return best_part
    if best_part is not None and (
        _RANK[best_part.result.decision] > _RANK[whole.result.decision]
        and _confidence(best_part.result) > _confidence(whole.result)
    ):
        return best_part
    return whole


# A sentence with a question mark asks (``message.asking_score`` gives it 0.6 or more); one
# with only a question word somewhere ("My German is B1 now, what ...") may just tell.
QUESTION_FORM = 0.5


def _most_asking(parts: list[_Scored]) -> list[_Scored]:
    """The sentences that look most like questions: those with a question mark when any
    has one, else those with a question word, else all. In a long message the person's
    story ("my German is B1", "the Jobcenter sent me there") resembles entries as much as
    the question does, often more confidently; the question is what should be answered."""
    for tier in (
        [s for s in parts if s.piece.asking >= QUESTION_FORM],
        [s for s in parts if s.piece.asking > 0],
    ):
        if tier:
            return tier
    return parts


def meaningful(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def clean(text: str) -> str:
    """Drop control and format characters (zero-width, bidi overrides); squeeze spaces,
    keeping line breaks, which often end a sentence."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\n")
    return "\n".join(" ".join(line.split()) for line in kept.splitlines() if line.strip())


_PLEASANTRIES = frozenset({Intent.GREETING, Intent.THANKS})


class Understander:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        intents: IntentDetector | None = None,
        search: Callable[[str, str | None], MatchResult] | None = None,
    ) -> None:
        """``search``: ``knowledge.search`` by default; the fit passes the same search
        replayed under other numbers (``knowledge.match_replay``)."""
        self.knowledge = knowledge
        self.intents = intents if intents is not None else IntentDetector.from_file()
        self._find = search if search is not None else knowledge.search

    def ordinary(self, part: str, lang: str | None) -> bool:
        """Whether a part of a message is plainly ordinary, for the safety check
        (``CrisisDetector.screen``): a greeting or a thanks and nothing else ("تشکر زیاد،
        زنده باشی", thanks a lot, literally "stay alive", took the meaning model for a
        death wish), or a question the knowledge base answers directly outside the crisis
        topic (``KnowledgeBase.answers_plainly``). A farewell is not: "goodbye everyone"
        can be one; nor is a weak phrase ("ich brauche Hilfe")."""
        found = self.intents.detect(clean(part))
        if found is not None and not found.weak and found.intent in _PLEASANTRIES:
            return True
        return self.knowledge.answers_plainly(part, lang)

    def understand(self, text: str, lang: str | None) -> Understanding:
        text = clean(text)
        intent = self.intents.detect(text) if text else None  # emoji such as 🙏 or 👋 too
        if intent is not None:
            return Understanding(Kind.INTENT, intent=intent, detected=intent.lang)
        if not meaningful(text):
            return Understanding(Kind.EMPTY)
        body = self.intents.strip(text) or text
        parts = [p for p in pieces(body, max_pieces=MAX_PIECES) if meaningful(p.text)]
        asks_for_person: IntentResult | None = None
        questions: list[Piece] = []
        for p in parts:
            found = self.intents.detect(p.text) if len(parts) > 1 else None
            if found is None:
                questions.append(p)
            elif found.intent is Intent.ADVISOR:
                asks_for_person = found
        candidates = self._choose(body, questions, lang)
        scored = [self._search(candidates[0], lang)] if candidates else []
        if scored and not self._enough(scored[0], candidates[1:]):
            scored += [self._search(p, lang) for p in candidates[1:]]
        if not scored:
            if asks_for_person is not None:
                return Understanding(Kind.INTENT, intent=asks_for_person, detected=asks_for_person.lang)
            return Understanding(Kind.EMPTY)
        best = _choose_result(scored)
        detected = best.result.detected_lang
        if asks_for_person is not None and best.result.decision is not Decision.ANSWER:
            return Understanding(Kind.INTENT, intent=asks_for_person, detected=asks_for_person.lang)
        second = self._second_topic(best, scored)
        if second is not None:
            return Understanding(
                Kind.TWO,
                best.result,
                best.lang,
                best.piece.text,
                second=second.result.matches[0],
                second_lang=second.lang,
                detected=detected,
            )
        kind = {Decision.ANSWER: Kind.ANSWER, Decision.SUGGEST: Kind.SUGGEST, Decision.NONE: Kind.NONE}
        return Understanding(
            kind[best.result.decision], best.result, best.lang, best.piece.text, detected=detected
        )

    @staticmethod
    def _enough(first: _Scored, rest: list[Piece]) -> bool:
        """The whole message answered directly, and at most one of its sentences looks
        like a question (so no second topic to look for): its sentences need no match.
        Matching each sentence costs a forward pass of the embedder (~8 ms) apiece."""
        return (
            first.piece.start < 0
            and first.result.decision is Decision.ANSWER
            and sum(1 for p in rest if p.asking > 0) < 2
        )

    def _choose(self, body: str, questions: list[Piece], lang: str | None) -> list[Piece]:
        """The pieces to match fully: the whole message when short, then the pieces that
        look most like questions; in a long message the word-level look picks them."""
        out: list[Piece] = []
        if len(body) <= WHOLE_MAX_CHARS or not questions:
            # start -1: the whole message, not one of its sentences
            out.append(Piece(body[:WHOLE_MAX_CHARS], -1, max((p.asking for p in questions), default=0.0)))
        if len(questions) <= 1 and out:
            return out
        if len(questions) > MAX_MATCHED:
            matcher = self.knowledge.matcher
            look_lang = lang if lang in matcher.languages else matcher.language_of(body)
            scores: dict[str, float] = {}  # repeated sentences are looked at once
            looked = []
            for p in questions:
                if p.text not in scores:
                    scores[p.text] = matcher.word_score(p.text, look_lang)
                    looked.append((scores[p.text] + 0.2 * p.asking, p))
            looked.sort(key=lambda sp: (sp[0], sp[1].start), reverse=True)
            chosen = [p for _, p in looked[: MAX_MATCHED - len(out)]]
        else:
            chosen = questions
        return out + sorted(chosen, key=lambda p: p.start)

    def _search(self, piece: Piece, lang: str | None) -> _Scored:
        kb = self.knowledge
        result = self._find(piece.text, lang)
        answer_lang = lang
        detected = result.detected_lang
        # Written in another language than the chosen one: match in that language too
        # (a lone German term like "Ausbildung" is not detected as German).
        if detected and detected != lang and detected in kb.matcher.languages:
            other = self._find(piece.text, detected)
            if other.decision is Decision.ANSWER or _confidence(other) > _confidence(result):
                result = other
                # The answer goes in the other language (with the offer to switch to it)
                # only when the message is clearly written in it.
                if _written_in(kb.matcher, piece.text, lang, detected):
                    answer_lang = detected
        return _Scored(piece, result, answer_lang)

    @staticmethod
    def _second_topic(best: _Scored, scored: list[_Scored]) -> _Scored | None:
        """Another sentence of the message that asks (by its form) and is confidently
        answered by another entry than the best one: the message asked two things. (The
        whole message, matched beside its sentences, is one of the two at most.) What a
        person tells about themselves ("I did two years of vocational school in Aleppo")
        may resemble an entry without asking for it."""
        if best.result.decision is not Decision.ANSWER:
            return None
        top = best.result.matches[0].id
        asking = [s for s in scored if s.piece.start >= 0 and s.piece.asking > 0]
        if best.piece.start < 0:
            # The whole message was answered: the sentence that asks that (the one that
            # gives its entry most confidence) is no second topic, even when alone it
            # ranks a neighbouring entry first ("How do I get my diploma recognised?"
            # alone: the costs of recognition, above recognition itself).
            own = max(asking, key=lambda s: _confidence_of(s.result, top), default=None)
            if own is not None and _confidence_of(own.result, top) > 0.0:
                asking = [s for s in asking if s is not own]
        others = [s for s in asking if s.result.decision is Decision.ANSWER and s.result.matches[0].id != top]
        return max(others, key=lambda s: _confidence(s.result)) if others else None
