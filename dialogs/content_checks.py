"""Checks on content that need the renderer, which ``knowledge`` may not import.

An FAQ answer goes out as one Telegram message together with its question, a contact card,
the source line and, while a person waits for an advisor, a note that the bot answers. The
answer's own limit (``MAX_ANSWER_CHARS``) cannot know how long all that makes it, so
``too_long`` renders every answer the way the bot sends it and names each one that does
not fit. ``kb validate``, ``kb import`` and the web admin's forms report what it finds
with the other problems.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from dialogs import render
from dialogs.context import Environment, Turn
from dialogs.i18n import Catalogs
from dialogs.office_hours import OfficeHours
from dialogs.ports import Storage
from dialogs.replies import Incoming, Kind
from knowledge.base import KnowledgeBase
from knowledge.loader import ContentError, ContentSnapshot, Problem, read_content
from knowledge.model import LANGUAGES, FaqEntry
from knowledge.safety import CrisisDetector

# The most a Telegram message holds, counted after its HTML is parsed.
MAX_MESSAGE = 4096
_TAG = re.compile(r"<[^>]*>")
_ZONE = ZoneInfo("Europe/Berlin")


def telegram_length(message: str) -> int:
    """The length Telegram compares with ``MAX_MESSAGE``: that of the text after its HTML is
    parsed (tags gone, each entity one character), in Unicode characters, as the Bot API's
    TDLib counts it (``utf8_length``; ``tests/fake_telegram`` counts the same way)."""
    return len(html.unescape(_TAG.sub("", message)))


@dataclass(frozen=True, slots=True)
class Rendering:
    """One message the bot can send for an FAQ entry."""

    entry_id: str
    # The language the person chose, and the one the answer is in (another one when the
    # entry lacks theirs).
    reader: str
    lang: str
    # The contact whose card comes with the answer (the first of the entry's contacts, or
    # the first in the person's town).
    contact: str | None
    # Sent while the person waits for an advisor, under a note that the bot answers.
    waiting: bool
    html: str

    @property
    def length(self) -> int:
        return telegram_length(self.html)


@functools.lru_cache(maxsize=1)
def _default_catalogs() -> Catalogs:
    return Catalogs()


def _lookups(snapshot: ContentSnapshot) -> KnowledgeBase:
    """The knowledge base's own look-ups (entries in a language, contacts) without the
    matcher, which rendering never reads and which takes seconds to build."""
    knowledge = KnowledgeBase.__new__(KnowledgeBase)
    knowledge.snapshot = snapshot
    return knowledge


def _turn(knowledge: KnowledgeBase, catalogs: Catalogs, reader: str, town: str | None) -> Turn:
    """A turn of someone who reads ``reader`` (and named ``town``), for the renderer.
    Rendering reads neither the safety check nor storage, so this turn has none."""
    env = Environment(
        knowledge=knowledge,
        catalogs=catalogs,
        crisis=cast(CrisisDetector, None),
        zone=_ZONE,
        office=OfficeHours({}, _ZONE),
    )
    state: dict[str, object] = {"lang": reader}
    if town is not None:
        state["town"] = town
    storage = cast(Storage, None)
    return Turn(Incoming(0, Kind.TEXT), env, storage, None, state, dt.datetime.now(dt.UTC))


def renderings(
    snapshot: ContentSnapshot, entry: FaqEntry, reader: str, catalogs: Catalogs | None = None
) -> Iterator[Rendering]:
    """Every message the bot can send with ``entry`` to someone who reads ``reader``: with
    each contact card that can come first (the person's town decides; every town a contact
    is in counts, even one the bot does not offer, to be on the safe side), with and
    without the note shown while they wait for an advisor, right-to-left text made safe."""
    catalogs = catalogs or _default_catalogs()
    knowledge = _lookups(snapshot)
    local = knowledge.localise(entry, reader)
    contacts = [c for c in (knowledge.contact(cid) for cid in entry.contacts) if c is not None]
    towns: list[str | None] = [None, *dict.fromkeys(c.town for c in contacts if c.town)]
    seen: set[str] = set()
    for town in towns:
        turn = _turn(knowledge, catalogs, reader, town)
        text = render.answer_text(local, turn)
        if text in seen:
            continue
        seen.add(text)
        shown = next((c.id for c in contacts if render.contact_lines(c, turn, notice=False) in text), None)
        for waiting in (False, True):
            message = render.automatic_answer_note(turn) + text if waiting else text
            yield Rendering(entry.id, reader, local.lang, shown, waiting, render.finish(message, reader))


def _problem(snapshot: ContentSnapshot, longest: Rendering) -> Problem:
    parts = ["its question"]
    if longest.contact is not None:
        parts.append(f"the card of the contact '{longest.contact}'")
    parts.append("the source line")
    if longest.waiting:
        parts.append("the note that the bot answers while someone waits for an advisor")
    reader = (
        f" for someone who reads {longest.reader}, as the entry has no {longest.reader} version"
        if longest.reader != longest.lang
        else ""
    )
    over = longest.length - MAX_MESSAGE
    file, line = snapshot.where_answer(longest.entry_id, longest.lang)
    return Problem(
        file,
        line,
        f"with {', '.join(parts[:-1])} and {parts[-1]}, the {longest.lang} answer makes a message of "
        f"{longest.length} characters{reader}; one Telegram message holds {MAX_MESSAGE}, so shorten "
        f"the answer by at least {over} characters",
    )


def too_long(snapshot: ContentSnapshot, catalogs: Catalogs | None = None) -> list[Problem]:
    """One problem for each FAQ answer (entry and language) that the bot would send as a
    message longer than Telegram allows, in the longest way it can send it."""
    problems: list[Problem] = []
    for entry in snapshot.faq.values():
        longest: dict[str, Rendering] = {}
        for reader in LANGUAGES:
            for rendering in renderings(snapshot, entry, reader, catalogs):
                known = longest.get(rendering.lang)
                if known is None or rendering.length > known.length:
                    longest[rendering.lang] = rendering
        problems.extend(
            _problem(snapshot, rendering) for rendering in longest.values() if rendering.length > MAX_MESSAGE
        )
    return problems


def load_checked(folder: Path, catalogs: Catalogs | None = None) -> ContentSnapshot:
    """``knowledge.loader.load_content`` and the checks above: the content folder, or a
    ``ContentError`` listing every problem of both."""
    snapshot, problems = read_content(folder)
    problems.extend(too_long(snapshot, catalogs))
    if problems:
        raise ContentError(problems)
    return snapshot
