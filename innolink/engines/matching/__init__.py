"""Matching engine: Chinese tokenizer, BM25 / character n-gram indexes, dense embeddings and
capacity-aware assignment. Pure Python + numpy/scipy/OR-Tools; never imports Django.

Fast core (this file's exports): ``tokenize``, ``lexical``, ``ngrams``, ``dense``, ``assign``.
Quality side (indicators, structured fit, fusion, explanations, engine): re-exported below.
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

# Quality side, re-exported as requested in EXPORTS_FROM_QUALITY.txt (imported last: these
# modules build on the fast core above).
from .engine import (  # noqa: E402
    DIRECTIONS,
    SIGNALS,
    ChallengeDoc,
    EnterpriseDoc,
    Match,
    MatchingEngine,
    OfferDoc,
    ResearcherDoc,
    default_weights,
)
from .explain import explain_pair  # noqa: E402
from .fusion import (  # noqa: E402
    cross_validate,
    learn_weights,
    ndcg_at_k,
    recall_at_k,
    rrf,
    rrf_scores,
    weighted_fusion,
)
from .indicators import (  # noqa: E402
    IndicatorTarget,
    assess,
    convert,
    coverage,
    extract_quantities,
    parse_target,
)
from .structured import Fit, StructuredFit, structured_fit  # noqa: E402

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
    # quality side
    "DIRECTIONS",
    "SIGNALS",
    "ChallengeDoc",
    "EnterpriseDoc",
    "Fit",
    "IndicatorTarget",
    "Match",
    "MatchingEngine",
    "OfferDoc",
    "ResearcherDoc",
    "StructuredFit",
    "assess",
    "convert",
    "coverage",
    "cross_validate",
    "default_weights",
    "explain_pair",
    "extract_quantities",
    "learn_weights",
    "ndcg_at_k",
    "parse_target",
    "recall_at_k",
    "rrf",
    "rrf_scores",
    "structured_fit",
    "weighted_fusion",
]
