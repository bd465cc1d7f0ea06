"""``python -m knowledge.bench`` as before: the matching benchmark and the matcher's fit now
live in ``benchmarks/matching.py`` (``python -m benchmarks.matching``), with the others."""

from __future__ import annotations

from benchmarks.matching import main

if __name__ == "__main__":
    raise SystemExit(main())
