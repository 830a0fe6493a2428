"""Routing of enterprise requests (诉求) to departments, and the text signals the service desk
uses: a multinomial naive Bayes suggestion model that names the terms that voted, a keyword-rule
router (the baseline it is measured against), duplicate detection by token cosine, and rising
terms week on week.

Pure Python + numpy/scipy; never imports Django. Inputs are token lists (the service desk
tokenizes with the matching engine's public ``Tokenizer``), so the engine does not care how
Chinese text is segmented.

Examples:
    >>> router = Router.fit([["贷款", "利率"], ["招工", "社保"], ["贷款", "担保"]],
    ...                     ["金融办", "人社局", "金融办"])
    >>> best = router.suggest(["担保", "贷款"], k=1)[0]
    >>> best.label, [v.term for v in best.votes]
    ('金融办', ['贷款', '担保'])
"""

from .classifier import Router, Suggestion, Vote, features, reference_log_joint
from .keywords import KeywordRouter
from .similarity import Similar, cosine, similar
from .topics import Trend, rising_terms

__all__ = ["Router", "Suggestion", "Vote", "features", "reference_log_joint", "KeywordRouter",
           "Similar", "cosine", "similar", "Trend", "rising_terms"]
