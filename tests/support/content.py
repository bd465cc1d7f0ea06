"""Content folders in tests: write one file and read back every problem it causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loader import ContentError, load_content


def problems_with(folder: Path, relative: str, text: str) -> list[str]:
    """Write ``text`` as ``folder/relative`` and return the problems of the whole folder."""
    (folder / relative).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    return [str(p) for p in caught.value.problems]
