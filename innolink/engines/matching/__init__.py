"""Matching engine: Chinese tokenizer, BM25 / character n-gram indexes, dense embeddings and
capacity-aware assignment. Pure Python + numpy/scipy/OR-Tools; never imports Django."""

from ._errors import (
    EncoderUnavailableError,
    InfeasibleError,
    InvalidInputError,
    MatchingError,
    UnknownDocumentError,
)
from .lexical import LexicalIndex, bm25_idf, bm25_tf_norm
from .tokenize import Encoded, Tokenizer, default_stopwords, normalize_text
from .types import SearchResult

__all__ = [
    "EncoderUnavailableError",
    "Encoded",
    "InfeasibleError",
    "InvalidInputError",
    "LexicalIndex",
    "MatchingError",
    "SearchResult",
    "Tokenizer",
    "UnknownDocumentError",
    "bm25_idf",
    "bm25_tf_norm",
    "default_stopwords",
    "normalize_text",
]
