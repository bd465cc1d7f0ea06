"""Compact button data (Telegram allows 64 bytes) and a strict reader for what comes back.

A button press carries data the client sent us: it may be stale (content changed) or
forged. ``parse`` accepts only the shapes we make; anything else is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64

_SHAPES: dict[str, re.Pattern[str]] = {
    "lang": re.compile(r"^[a-z]{2}$"),  # choose interface language
    "sw": re.compile(r"^[a-z]{2}$"),  # switch to the language the person wrote in
    "consent": re.compile(r"^(yes|no)$"),
    # ":l" and ":m": pressed on a topic list or on the menu message, which the next step of
    # the menu replaces in place.
    "menu": re.compile(r"^l?$"),
    "topic": re.compile(r"^[a-z]{2,20}(:m)?$"),
    "a": re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$"),  # show an FAQ answer
    "rate": re.compile(r"^[01]:[a-z0-9][a-z0-9-]{1,47}$"),
    "adv": re.compile(r"^(menu|unhelpful|no_match|none_of_these|media|urgent|concern)?$"),
    "ask": re.compile(r"^$"),
    "ct": re.compile(r"^([a-z0-9][a-z0-9-]{1,47})?$"),  # contacts list or one contact
    "ev": re.compile(r"^$"),
    # offers: fields, f:<field>, t:<town> (empty: ask again), m:<offset>, s:/u:<field> follow/unfollow
    "of": re.compile(
        r"^(|f:[a-z0-9][a-z0-9-]{1,47}|t:([a-z0-9][a-z0-9-]{1,47})?|m:\d{1,4}|[su]:[a-z0-9][a-z0-9-]{1,47})$"
    ),
    "sub": re.compile(r"^[a-z]{2,20}$"),
    "uns": re.compile(r"^[a-z]{2,20}$"),
    "priv": re.compile(r"^(show|delete|yes|no|share|unshare)$"),
    "cr": re.compile(r"^\d{1,12}:[01]$"),  # rate a closed case
    "st": re.compile(r"^close:\d{1,12}$"),  # the person closes their case (/status)
    "cs": re.compile(r"^(take|close):\d{1,12}$"),  # advisors: take or close a case
    "cn": re.compile(r"^\d{1,12}:[a-z]{2,20}$"),  # advisors: send a canned reply
    # The interest check: open, continue, start over, stop, forget the kept result, or an
    # answer (statement number and l/u/d); then keep the result or ask an advisor about it
    # (its six scores), or show one field.
    "ic": re.compile(r"^(|go|new|stop|forget|\d{1,2}[lud])$"),
    "ick": re.compile(r"^\d{6}$"),
    "ica": re.compile(r"^\d{6}$"),
    "ico": re.compile(r"^\d{6}$"),
    "icf": re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$"),
}


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    arg: str = ""


def make(name: str, arg: str = "") -> str:
    data = f"{name}:{arg}" if arg else name
    if name not in _SHAPES or not _SHAPES[name].match(arg):
        raise ValueError(f"button data {data!r} does not fit its shape")
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data {data!r} is longer than {MAX_BYTES} bytes")
    return data


def parse(data: str) -> Action | None:
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    name, _, arg = data.partition(":")
    shape = _SHAPES.get(name)
    if shape is None or not shape.match(arg):
        return None
    return Action(name, arg)
