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
from django.utils.translation import get_language, gettext, gettext_noop

from innolink.core.messages import message_render
from innolink.engines.ranking import Methodology, RankingError, load_methodologies

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
    try:
        m = load_folder(methodology_dir()).get(list_id)
    except (RankingError, OSError):
        m = None
    return (m.title_en if m is not None and m.title_en else "") or title_zh


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
