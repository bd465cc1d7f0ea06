"""Names shared by the safety check's modules: categories, the signal and the file error."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# The supported languages, in the order the bot lists them.
LANGUAGES: tuple[str, ...] = ("de", "en", "ar", "uk", "ru", "fa", "tr", "cs")


class CrisisCategory(enum.StrEnum):
    SELF_HARM = "self_harm"
    VIOLENCE = "violence"
    ABUSE = "abuse"
    EXPLOITATION = "exploitation"
    MINOR_IN_DANGER = "minor_in_danger"


# Most urgent first: when one message matches several categories, the first one wins.
CATEGORY_PRIORITY: tuple[CrisisCategory, ...] = (
    CrisisCategory.SELF_HARM,
    CrisisCategory.ABUSE,
    CrisisCategory.VIOLENCE,
    CrisisCategory.MINOR_IN_DANGER,
    CrisisCategory.EXPLOITATION,
)


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    category: CrisisCategory
    language: str | None
    # What recognised it, never the user's text: the pattern as written in safety.yaml, or
    # "meaning: <category>" when the meaning layer recognised a paraphrase.
    phrase: str
    layer: str = "pattern"  # "pattern" or "meaning"
    confidence: float = 1.0  # 1.0 for a pattern; the meaning model's probability otherwise
    # A concern, not an alarm: the meaning model is not sure enough for an urgent case.
    concern: bool = False


class SafetyFileError(ValueError):
    """A safety file is malformed; the message names the file and the entry."""
