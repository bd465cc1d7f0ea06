"""Reading a typed message: the safety check and the understanding, in one step.

Both run on the knowledge base's one search thread (``KnowledgeBase.call``), off the event
loop. Asked for one after the other, a message queued for that thread twice: behind the
other people's messages before its safety check, and again before its understanding. Read
together, it queues once; the understanding is kept on the turn for ``questions`` to use.
The understanding costs a few milliseconds once the safety check has embedded the message
(the embedder keeps the vector), and is not made when the check raises an alarm.
"""

from __future__ import annotations

from functools import lru_cache

from dialogs.context import Turn
from knowledge.intents import IntentDetector
from knowledge.safety_base import CrisisSignal
from knowledge.understanding import Understander, Understanding


@lru_cache(maxsize=1)
def intents() -> IntentDetector:
    detector = IntentDetector.from_file()
    detector.warm_up()  # its word lists load now, not during someone's first typo
    return detector


def warm_up() -> None:
    """Read the intents' lexicon at start: read on the first question, it kept that
    person waiting half a second."""
    intents()


async def screen(turn: Turn, text: str) -> CrisisSignal | None:
    """The safety check of ``text``; its understanding is kept for :func:`understand`."""
    understander = _understander(turn)
    lang = turn.lang

    def both() -> tuple[CrisisSignal | None, Understanding | None]:
        signal = turn.env.crisis.screen(text, lambda part: understander.ordinary(part, lang))
        if signal is not None and not signal.concern:
            return signal, None
        return signal, understander.understand(text, lang)

    signal, understood = await turn.knowledge.call(both)
    if understood is not None:
        turn.read_ahead[(text, lang)] = understood
    return signal


async def understand(turn: Turn, text: str) -> Understanding:
    """What ``text`` asks, in the turn's language: read with its safety check, or now."""
    kept = turn.read_ahead.pop((text, turn.lang), None)
    if kept is not None:
        return kept
    return await turn.knowledge.call(_understander(turn).understand, text, turn.lang)


def _understander(turn: Turn) -> Understander:
    return Understander(turn.knowledge, intents())
