"""Keep numbers, links and Latin terms readable inside Arabic and Farsi text.

In a right-to-left paragraph a phone number like ``0800 111 0 111`` is laid out as
separate runs and comes out scrambled, and a line that starts with a Latin word turns
left-to-right. Isolating each left-to-right run (LRI … PDI) and starting each line with a
right-to-left mark keeps both in order on every Telegram client.
"""

from __future__ import annotations

import re

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"

# A run of Latin letters, digits and the punctuation inside numbers, dates and addresses.
# A bot command ("/privacy") starts with its slash: isolated without it, Telegram no longer
# sees the command, and the slash lands on the other side of the word.
_LTR_RUN = re.compile(
    r"(?:(?<![\w/])/(?=[A-Za-z]))?[A-Za-zÀ-ɏ0-9][A-Za-zÀ-ɏ0-9 +./:@_\-–()]*[A-Za-zÀ-ɏ0-9)]|[A-Za-zÀ-ɏ0-9]"
)
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&[#a-zA-Z0-9]+;)")


def isolate_ltr(html: str) -> str:
    """Wrap left-to-right runs in isolates, leaving HTML tags and entities untouched."""
    parts = _TAG_OR_ENTITY.split(html)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            out.append(part)
        else:
            out.append(_LTR_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", part))
    lines = "".join(out).split("\n")
    return "\n".join(f"{RLM}{line}" if line else line for line in lines)
