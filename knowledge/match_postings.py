"""A compact inverted index: term -> (row ids, weights) in three flat numpy arrays.

Python dicts of lists cost ~60 bytes per posting; at 50,000 FAQ entries with answers that
is millions of postings, so postings are collected in ``array`` buffers (4 bytes each) and
frozen into CSR form (offsets per term). A query gathers the slices of its terms and sums
them with one ``np.bincount``, so its cost is the total length of the posting lists it
touches, not the number of entries.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


class TripleBuffer:
    """Collects (term, row, value) triples; terms get ids in order of first sight.

    Several buffers may share one vocabulary (one per field of the same index).
    """

    def __init__(self, vocab: dict[str, int] | None = None) -> None:
        self.vocab: dict[str, int] = {} if vocab is None else vocab
        self.terms = array("i")
        self.rows = array("i")
        self.values = array("f")

    def add(self, row: int, values: Mapping[str, float]) -> None:
        vocab, terms, rows, vals = self.vocab, self.terms, self.rows, self.values
        for term, v in values.items():
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(vocab)
            terms.append(tid)
            rows.append(row)
            vals.append(v)


class Postings:
    def __init__(
        self, vocab: dict[str, int], offsets: npt.NDArray[np.int64], rows: IntArray, weights: FloatArray
    ):
        self.vocab = vocab
        self.offsets = offsets
        self.rows = rows
        self.weights = weights

    @classmethod
    def from_buffer(cls, buf: TripleBuffer) -> Postings:
        """CSR postings from a buffer whose (term, row) pairs are unique (one add per row)."""
        terms = np.frombuffer(buf.terms, dtype=np.int32) if len(buf.terms) else np.zeros(0, np.int32)
        order = np.argsort(terms, kind="stable")  # rows stay ascending within a term
        counts = np.bincount(terms, minlength=len(buf.vocab))
        del terms
        offsets = np.zeros(len(buf.vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        rows = np.frombuffer(buf.rows, dtype=np.int32)[order] if len(buf.rows) else np.zeros(0, np.int32)
        values = (
            np.frombuffer(buf.values, dtype=np.float32)[order] if len(buf.values) else np.zeros(0, np.float32)
        )
        return cls(buf.vocab, offsets, rows, values)

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        if tid is None:
            return 0
        return int(self.offsets[tid + 1] - self.offsets[tid])

    def dfs(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def scale_terms(self, factors: FloatArray) -> None:
        """Multiply every posting of term i by factors[i] (e.g. idf, once at build time)."""
        counts = np.diff(self.offsets)
        self.weights *= np.repeat(factors.astype(np.float32), counts)

    def accumulate(self, query: Iterable[tuple[str, float]], n_rows: int, budget: int = 0) -> FloatArray:
        """sum_t q_t * w(t, row) for every row, as a dense array.

        With a ``budget``, terms are taken rarest first and the commonest ones are skipped
        once that many postings have been gathered: in a large index those carry little
        weight each but would dominate the cost (impact pruning). Small indexes never
        reach the budget, so their scores are exact.
        """
        offsets, rows, weights, vocab = self.offsets, self.rows, self.weights, self.vocab
        spans: list[tuple[int, int, float]] = []
        for term, qw in query:
            tid = vocab.get(term)
            if tid is not None:
                spans.append((int(offsets[tid]), int(offsets[tid + 1]), qw))
        if budget:
            spans.sort(key=lambda se: se[1] - se[0])
        idx: list[IntArray] = []
        wts: list[FloatArray] = []
        used = 0
        for s, e, qw in spans:
            if budget and used and used + (e - s) > budget:
                break
            used += e - s
            idx.append(rows[s:e])
            wts.append(weights[s:e] * np.float32(qw))
        if not idx:
            return np.zeros(n_rows, dtype=np.float32)
        all_idx = np.concatenate(idx)
        all_w = np.concatenate(wts)
        return np.bincount(all_idx, weights=all_w, minlength=n_rows).astype(np.float32)
