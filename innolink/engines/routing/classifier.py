"""Multinomial naive Bayes over tokens, with the terms that voted.

Training counts each token per department (Laplace-smoothed with ``alpha``); a request's score
for a department is ``log P(department) + Σ n_t · log P(t | department)`` over its known tokens.
The reason shown to staff is the votes: for the suggested department, the tokens whose
likelihood there most exceeds their average likelihood across departments (``n_t · (log P(t|d)
− mean_d' log P(t|d'))``), largest first. Unknown tokens are ignored.

The model is a few arrays (labels, vocabulary, log prior, log likelihoods as float32), saved
with :meth:`Router.to_bytes` as one ``.npz`` and loaded back with :meth:`Router.from_bytes`.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Router", "Suggestion", "Vote", "features", "reference_log_joint"]


@dataclass(frozen=True)
class Vote:
    term: str
    weight: float  # log-likelihood ratio against the average department, times the count


@dataclass(frozen=True)
class Suggestion:
    label: str
    probability: float  # the model's posterior (naive Bayes is overconfident: rank, not odds)
    votes: tuple[Vote, ...]


def features(tokens: Sequence[str], *, category: str | None = None,
             category_weight: int = 2) -> list[str]:
    """The model's features for one request: its tokens plus its category as a pseudo-token
    (``"类别:融资"``), counted ``category_weight`` times.

    Examples:
        >>> features(["贷款", "利率"], category="融资")
        ['贷款', '利率', '类别:融资', '类别:融资']
    """
    out = list(tokens)
    if category:
        out.extend([f"类别:{category}"] * category_weight)
    return out


class Router:
    def __init__(self, labels: Sequence[str], vocab: Sequence[str], log_prior: np.ndarray,
                 log_lik: np.ndarray, *, trained_on: int = 0) -> None:
        self.labels = tuple(labels)
        self.terms = tuple(vocab)
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        self.log_prior = np.asarray(log_prior, dtype=np.float64)
        self.log_lik = np.asarray(log_lik, dtype=np.float32)
        self.trained_on = trained_on
        # each term's likelihood relative to its average over departments, for the votes
        self._relative = self.log_lik - self.log_lik.mean(axis=0, keepdims=True)

    # ------------------------------------------------------------------------------- training

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], labels: Sequence[str], *, alpha: float = 0.3,
            min_df: int = 1) -> Router:
        """Train on token lists and their departments. ``min_df`` drops terms seen in fewer
        documents (use 2 or more on large histories to keep the vocabulary small)."""
        if len(docs) != len(labels):
            raise ValueError("docs and labels differ in length")
        if not docs:
            raise ValueError("nothing to train on")
        if alpha <= 0:
            raise ValueError("alpha must be positive")
        label_names = sorted(set(labels))
        label_index = {name: i for i, name in enumerate(label_names)}
        vocab: dict[str, int] = {}
        indptr, indices = [0], []
        for doc in docs:
            for term in doc:
                indices.append(vocab.setdefault(term, len(vocab)))
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float64), np.asarray(indices, dtype=np.int64),
             np.asarray(indptr, dtype=np.int64)), shape=(len(docs), len(vocab)))
        counts.sum_duplicates()
        if min_df > 1:
            df = np.diff(counts.tocsc().indptr)
            keep = np.flatnonzero(df >= min_df)
            counts = counts[:, keep]
            names = np.array(list(vocab), dtype=object)[keep]
        else:
            names = np.array(list(vocab), dtype=object)
        y = np.fromiter((label_index[name] for name in labels), dtype=np.int64, count=len(labels))
        onehot = sparse.csr_matrix((np.ones(len(y)), (y, np.arange(len(y)))),
                                   shape=(len(label_names), len(docs)))
        per_label = np.asarray((onehot @ counts).todense())  # labels × terms
        smoothed = per_label + alpha
        log_lik = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        prior = np.bincount(y, minlength=len(label_names)).astype(np.float64)
        log_prior = np.log(prior / prior.sum())
        return cls(label_names, list(names), log_prior, log_lik.astype(np.float32),
                   trained_on=len(docs))

    # ------------------------------------------------------------------------------- scoring

    def _encode(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in tokens if t in self.vocab)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        ids = np.fromiter((self.vocab[t] for t in counts), dtype=np.int64, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))

    def log_joint(self, tokens: Sequence[str]) -> np.ndarray:
        """``log P(d) + Σ n_t log P(t|d)`` for every department ``d`` (in ``labels`` order)."""
        ids, n = self._encode(tokens)
        if not len(ids):
            return self.log_prior.copy()
        return self.log_prior + self.log_lik[:, ids].astype(np.float64) @ n

    def suggest(self, tokens: Sequence[str], *, k: int = 3, votes: int = 5,
                min_weight: float = 0.5) -> list[Suggestion]:
        """The ``k`` most likely departments, best first, each with the terms that voted for it:
        at most ``votes`` terms at least ``e^min_weight`` (1.6×) likelier there than on average
        (an empty vote list means no term spoke clearly, e.g. only the prior)."""
        scores = self.log_joint(tokens)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        order = np.argsort(-scores, kind="stable")[:k]
        ids, n = self._encode(tokens)
        out = []
        for label in order:
            weights = self._relative[label, ids].astype(np.float64) * n if len(ids) else n
            ranked = [(float(w), self.terms[i]) for w, i in zip(weights, ids) if w >= min_weight]
            ranked.sort(key=lambda pair: (-pair[0], pair[1]))
            out.append(Suggestion(self.labels[label], float(probs[label]),
                                  tuple(Vote(term, round(w, 3)) for w, term in ranked[:votes])))
        return out

    def top_k(self, docs: Sequence[Sequence[str]], k: int = 3) -> list[list[str]]:
        """The ``k`` best labels of many documents (for evaluation), one sparse product."""
        indptr, indices, data = [0], [], []
        for doc in docs:
            counts = Counter(self.vocab[t] for t in doc if t in self.vocab)
            indices.extend(counts)
            data.extend(counts.values())
            indptr.append(len(indices))
        x = sparse.csr_matrix((np.asarray(data, dtype=np.float64),
                               np.asarray(indices, dtype=np.int64),
                               np.asarray(indptr, dtype=np.int64)),
                              shape=(len(docs), len(self.terms)))
        scores = np.asarray(x @ self.log_lik.T.astype(np.float64)) + self.log_prior
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [[self.labels[j] for j in row] for row in order]

    # ------------------------------------------------------------------------------- storage

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(out, labels=np.array(self.labels, dtype=str),
                            terms=np.array(self.terms, dtype=str), log_prior=self.log_prior,
                            log_lik=self.log_lik, trained_on=np.array(self.trained_on))
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Router:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            return cls(data["labels"].tolist(), data["terms"].tolist(), data["log_prior"],
                       data["log_lik"], trained_on=int(data["trained_on"]))


def reference_log_joint(docs: Sequence[Sequence[str]], labels: Sequence[str],
                        query: Sequence[str], *, alpha: float = 0.3) -> dict[str, float]:
    """The same model, written plainly with dictionaries (for tests): per label,
    ``log P(label) + Σ_t log((count(t, label) + α) / (Σ_t' count(t', label) + α·|V|))`` over
    the query's tokens that occur in training."""
    import math

    vocab = {t for doc in docs for t in doc}
    total = len(docs)
    out = {}
    for label in sorted(set(labels)):
        rows = [doc for doc, lab in zip(docs, labels) if lab == label]
        counts = Counter(t for doc in rows for t in doc)
        size = sum(counts.values())
        score = math.log(len(rows) / total)
        for token in query:
            if token in vocab:
                score += math.log((counts[token] + alpha) / (size + alpha * len(vocab)))
        out[label] = score
    return out
