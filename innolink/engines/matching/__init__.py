"""Matching engine: Chinese tokenizer, BM25 / character n-gram indexes, dense embeddings and
capacity-aware assignment. Pure Python + numpy/scipy/OR-Tools; never imports Django.

Fast core (this file's exports): ``tokenize``, ``lexical``, ``ngrams``, ``dense``, ``assign``.
Quality side (indicators, structured fit, fusion, explanations): import from its submodules.
"""

from ._errors import (
    EncoderUnavailableError,
    InfeasibleError,
    InvalidInputError,
    MatchingError,
    UnknownDocumentError,
)
from .assign import (
    Assignment,
    Problem,
    Schedule,
    Unmet,
    assign,
    assign_reviewers,
    check_feasibility,
    schedule_meetings,
)
from .dense import (
    DenseIndex,
    Encoder,
    HashingEncoder,
    SentenceTransformerEncoder,
    USEEncoder,
    encode_corpus,
    l2_normalize,
)
from .lexical import LexicalIndex, bm25_idf, bm25_tf_norm
from .ngrams import CharNgramIndex, char_ngrams, encode_ngrams
from .tokenize import Encoded, Tokenizer, default_stopwords, normalize_text
from .types import SearchResult

__all__ = [
    "Assignment",
    "CharNgramIndex",
    "DenseIndex",
    "Encoded",
    "Encoder",
    "EncoderUnavailableError",
    "HashingEncoder",
    "InfeasibleError",
    "InvalidInputError",
    "LexicalIndex",
    "MatchingError",
    "Problem",
    "Schedule",
    "SearchResult",
    "SentenceTransformerEncoder",
    "Tokenizer",
    "USEEncoder",
    "UnknownDocumentError",
    "Unmet",
    "assign",
    "assign_reviewers",
    "bm25_idf",
    "bm25_tf_norm",
    "char_ngrams",
    "check_feasibility",
    "default_stopwords",
    "encode_corpus",
    "encode_ngrams",
    "l2_normalize",
    "normalize_text",
    "schedule_meetings",
]
