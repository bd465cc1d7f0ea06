"""One content item checked on its own, with the sentences ``kb validate`` uses.

The web admin's forms check an edited item here before saving, so an editor reads the
same words in the browser as on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from knowledge.loader import _plain_message, upgrade_stored
from knowledge.model import Contact, Event, FaqEntry
from knowledge.offers import Offer

MODELS: dict[str, type[BaseModel]] = {"faq": FaqEntry, "contact": Contact, "event": Event, "offer": Offer}


def item_problems(kind: str, body: Mapping[str, Any]) -> list[str]:
    """Every problem of one item as ``where: sentence`` (empty when it is valid)."""
    model = MODELS.get(kind)
    if model is None:
        return [f"'{kind}' items are edited as files, not in forms"]
    try:
        model.model_validate(upgrade_stored(kind, body))
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors():
            where = " → ".join(str(p) for p in error["loc"] if p != "[key]")
            message = _plain_message(error)
            line = f"{where}: {message}" if where else message
            if line not in problems:
                problems.append(line)
        return problems
    return []
