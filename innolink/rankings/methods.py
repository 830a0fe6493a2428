"""The methodology files as the app reads them, and the ranking engine's messages in the
reader's language (ADR 0792).

Parsing the YAML files takes about 30 ms and pages ask for them several times a request, so a
folder is parsed again only when a file in it changed (its name or its bytes): an edit shows at
the next read, in every process, without a restart.

The engine is pure: it refuses with a Chinese message id and values (``RankingError.msgid`` /
``params``, listed for the catalogue in ``errors.ENGINE_MESSAGES``). ``engine_message`` words one
now, ``stored_error`` words a failure stored on a run, whatever language the run failed in.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop, pgettext

from innolink.core.messages import message_render
from innolink.engines.ranking import Methodology, RankingError, load_methodologies
from innolink.engines.ranking.derive import indicator_label

DEFAULT_DIR = Path(__file__).resolve().parent / "methodologies"

_lock = threading.Lock()
_parsed: dict[Path, tuple[str, dict[str, Methodology]]] = {}


def methodology_dir() -> Path:
    return Path(settings.INNOLINK.get("RANKING_METHODOLOGY_DIR") or DEFAULT_DIR)


def _fingerprint(folder: Path) -> str:
    """The names and bytes of the folder's ``*.yaml`` files (reading them costs well under a
    millisecond; parsing them is what the cache saves)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_folder(folder: Path) -> dict[str, Methodology]:
    """``load_methodologies(folder)``, parsed again only when a file changed. A bad file raises
    ``RankingError`` at every read until it is fixed (failures are not kept)."""
    folder = Path(folder).resolve()
    key = _fingerprint(folder)
    with _lock:
        hit = _parsed.get(folder)
    if hit is not None and hit[0] == key:
        return dict(hit[1])
    found = load_methodologies(folder)
    with _lock:
        _parsed[folder] = (key, found)
    return dict(found)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def list_title(list_id: str, title_zh: str) -> str:
    """A list's title in the reader's language: the current methodology file's ``title_en`` on
    an English page when it has one, else the Chinese title as stored."""
    if not _english():
        return title_zh
    m = _current(list_id)
    return (m.title_en if m is not None and m.title_en else "") or title_zh


def _current(list_id: str, year: int | None = None) -> Methodology | None:
    """The methodology file of ``list_id`` for ``year`` (a ``<dir>/<year>/`` file replaces the
    current edition, as ``services.methodologies`` reads them), or None."""
    folder = methodology_dir()
    try:
        found = load_folder(folder)
        if year is not None and (folder / str(year)).is_dir():
            found.update(load_folder(folder / str(year)))
    except (RankingError, OSError):
        return None
    return found.get(list_id)


def _edition(list_id: str, year: int, version: str) -> Methodology | None:
    """The file a list was computed with: the edition for its year, when its version is still
    the list's (an English note of another version would describe another method)."""
    m = _current(list_id, year)
    return m if m is not None and m.version == version else None


def list_note(list_id: str, year: int, version: str, note_zh: str) -> str:
    """A list's methodology note in the reader's language: on an English page the ``note_en``
    of the file the list was computed with (same year edition and version) when it has one, else
    the Chinese note as stored with the list."""
    if not _english():
        return note_zh
    m = _edition(list_id, year, version)
    return (m.note_en if m is not None else "") or note_zh


def _mid_sentence(label: str) -> str:
    """An English label inside a sentence: "Revenue" reads "revenue" ("R&D expenses" stays)."""
    if _english() and len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def tie_rule_note(list_id: str, year: int, version: str, tie_zh: str) -> str:
    """A list's tie rule in the reader's language. Chinese pages show the sentence stored with
    the run; English pages show the ``tie_rule.note_en`` of the file the list was computed with,
    else the sentence the engine builds from its rule, worded through the catalogue::

        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     tie_rule_note("green_50", 2025, "2026.2", "（存储的中文）")
        'Enterprises whose composite scores are equal to 6 decimal places share a rank, listed by energy use per unit of revenue, lowest first, then revenue, highest first; any still equal are listed by enterprise number, ascending.'
        >>> with translation.override("en"):  # a version no file has any more
        ...     tie_rule_note("green_50", 2025, "2025.1", "（存储的中文）")
        '（存储的中文）'
    """
    if not _english():
        return tie_zh
    m = _edition(list_id, year, version)
    if m is None:
        return tie_zh
    t = m.tie_rule
    if t.note_en:
        return t.note_en
    keys = pgettext("tie rule keys", "、").join(
        (gettext("%(indicator)s降序") if o == "desc" else gettext("%(indicator)s升序"))
        % {"indicator": _mid_sentence(indicator_word(indicator_label(k, m.derived)))}
        for k, o in t.keys
    ) or gettext("企业编号")
    how = gettext("并列同一名次") if t.shared_rank else gettext("依次比较")
    return gettext("综合得分（保留%(decimals)s位小数）相同者%(how)s，按%(keys)s排序；仍相同者按企业编号升序。") % {
        "decimals": t.decimals, "how": how, "keys": keys}


def engine_message(msgid: str, params: dict[str, Any] | None = None) -> str:
    """An engine message in the active language; a list's title among its values is shown as
    ``list_title`` shows it::

        >>> from django.utils import translation
        >>> with translation.override("en"):
        ...     engine_message("权重之和为 %(actual)g，与声明的 %(declared)g 不符",
        ...                    {"actual": 100.0, "declared": 90.0})
        'weights sum to 100, not the declared 90'
    """
    params = dict(params or {})
    if params.get("list_id") and "title" in params:
        params["title"] = list_title(str(params["list_id"]), str(params["title"]))
    return message_render(msgid, params)


def stored_error(error: dict[str, Any] | None) -> str:
    """A run's stored failure in the reader's language: its ``msgid`` with ``params``; a row
    stored before the engine gave message ids keeps its Chinese ``message`` and, since migration
    0002, the English half it was written with as ``message_en``::

        >>> stored_error({"message": "企业编号重复", "msgid": "企业编号重复", "params": {}})
        '企业编号重复'
        >>> stored_error({"message": "旧的原因", "message_en": "the old reason"})
        '旧的原因'
    """
    error = error or {}
    if error.get("msgid"):
        return engine_message(str(error["msgid"]), error.get("params"))
    if error.get("message_en") and _english():
        return str(error["message_en"])
    return str(error.get("message", ""))


#: The engine's indicator labels, units and directions that list pages show, for the catalogue
#: (the engine is pure; ``indicator_word`` translates them). A test keeps it covering the
#: engine's fields and derived indicators.
INDICATOR_WORDS = (
    gettext_noop("营业收入"), gettext_noop("资产总额"), gettext_noop("净利润"), gettext_noop("纳税总额"),
    gettext_noop("研发费用"), gettext_noop("有效发明专利"), gettext_noop("出口额"), gettext_noop("进口额"),
    gettext_noop("从业人员"), gettext_noop("综合能源消费量"), gettext_noop("设备投资"),
    gettext_noop("地方财政贡献"), gettext_noop("所属镇街"), gettext_noop("国民经济行业代码（GB/T 4754-2017）"),
    gettext_noop("所有制类型"), gettext_noop("重大违法违规"), gettext_noop("严重失信"),
    gettext_noop("研发投入强度"), gettext_noop("出口占营业收入比重"), gettext_noop("进出口总额"),
    gettext_noop("营业收入利润率"), gettext_noop("税收营收比"), gettext_noop("单位营业收入能耗"),
    gettext_noop("单位能耗税收"), gettext_noop("全员劳动生产率"), gettext_noop("人均纳税"),
    gettext_noop("设备投资强度"), gettext_noop("营业收入增长率"), gettext_noop("纳税增长率"),
    gettext_noop("出口增长率"), gettext_noop("研发费用增长率"), gettext_noop("单位营业收入能耗变化率"),
    gettext_noop("外贸依存度（进出口总额/营业收入）"),
    gettext_noop("万元"), gettext_noop("件"), gettext_noop("人"), gettext_noop("吨标准煤"),
    gettext_noop("元/人"), gettext_noop("元/吨标准煤"), gettext_noop("吨标准煤/万元"),
    gettext_noop("越高越好"), gettext_noop("越低越好"),
)


def indicator_word(text: str) -> str:
    """An indicator's label, unit or direction as the engine or a methodology file gives it, in
    the reader's language (as it is when the catalogue has no entry, e.g. a new file's label)."""
    return gettext(text) if text else text
