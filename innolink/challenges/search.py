"""Chinese search for the board: the query is cut into words with rjieba and every word must
occur in the record's ``search_text`` (title, statement, indicator names, keywords, lower-case).

Substring matching of the query's words (not of the document's tokens) keeps recall when the
tokenizer cuts a phrase differently in a long statement than in a short query (decision 0310).

Examples:
    >>> query_tokens("光刻胶 的介电常数")
    ['光刻胶', '介电常数']
"""

from __future__ import annotations

import re
import unicodedata

import rjieba

_STOP = frozenset("的 了 和 与 及 或 在 是 对 等 中 为 用 有 高 低 新 一种 研究 技术 问题 关于 基于".split())
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_TOKENS = 8


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace("\x00", "").lower()


def search_text(*parts: str) -> str:
    return " ".join(normalize(p) for p in parts if p)


def _is_cjk(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def doc_terms(text: str) -> set[str]:
    """The words under which a record is indexed: rjieba's search-mode words, and for Chinese
    words of three or more characters also their two-character pieces, so a query for 介电
    finds 介电常数.

    Examples:
        >>> sorted(doc_terms("介电常数"))
        ['介电', '介电常数', '常数', '电常']
    """
    terms: set[str] = set()
    for token in rjieba.cut_for_search(normalize(text)):
        token = _PUNCT.sub("", token)
        if not token or token in _STOP or len(token) > TERM_MAX:
            continue
        terms.add(token)
        if len(token) >= 3 and _is_cjk(token):
            terms.update(token[i:i + 2] for i in range(len(token) - 1))
    return terms


TERM_MAX = 24


def query_tokens(query: str) -> list[str]:
    tokens: list[str] = []
    for token in rjieba.cut(normalize(query)):
        token = _PUNCT.sub("", token)
        if not token or token in _STOP or token in tokens:
            continue
        tokens.append(token)
    return tokens[:MAX_TOKENS]
