"""Every English catalogue is complete: no entry with an empty or fuzzy ``msgstr`` (gettext
skips both, so the page shows the Chinese msgid in English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "innolink"
CATALOGUES = sorted(ROOT.glob("**/locale/en/LC_MESSAGES/django.po"))


def _unquote(line: str) -> str:
    return line[line.index('"') + 1:line.rindex('"')]


def entries(text: str) -> list[dict]:
    """The entries of a .po file: flags, msgid, msgid_plural and the msgstr(s), each joined
    across its continuation lines. Obsolete (``#~``) entries are skipped."""
    result = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.strip().splitlines() if ln and not ln.startswith("#~")]
        if not any(ln.startswith("msgid") for ln in lines):
            continue
        entry: dict = {"flags": set(), "msgstr": []}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if key == "msgstr":
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
            else:
                key = line.split(" ", 1)[0]
                if key.startswith("msgstr"):
                    key = "msgstr"
                    entry["msgstr"].append(_unquote(line))
                else:
                    entry[key] = _unquote(line)
        result.append(entry)
    return result


def problems(text: str) -> list[str]:
    found = []
    for entry in entries(text):
        if entry["msgid"] == "":  # the header
            continue
        if "fuzzy" in entry["flags"]:
            found.append(f"fuzzy: {entry['msgid'][:60]}")
        elif not entry["msgstr"] or any(s == "" for s in entry["msgstr"]):
            found.append(f"empty: {entry['msgid'][:60]}")
    return found


def test_the_check_finds_empty_fuzzy_and_multiline_gaps():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "好"\nmsgstr "Good"\n\n'
        '#, fuzzy\nmsgid "坏"\nmsgstr "Bad"\n\n'
        'msgid ""\n"很长的"\n"一句话"\nmsgstr ""\n\n'
        'msgid "一个"\nmsgid_plural "多个"\nmsgstr[0] "one"\nmsgstr[1] ""\n\n'
        'msgid ""\n"两行"\n"都有"\nmsgstr ""\n"Two lines"\n\n'
        '#~ msgid "旧"\n#~ msgstr ""\n')
    assert problems(sample) == ["fuzzy: 坏", "empty: 很长的一句话", "empty: 一个"]


def test_there_are_catalogues():
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"innolink", "core", "servicedesk", "rankings", "matching"} <= apps


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_english_catalogue_is_complete(path):
    assert problems(path.read_text(encoding="utf-8")) == []


def _po_unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t").replace("\\\\", "\\")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(path):
    """The committed .mo (what Django reads) holds every translation of the .po: an edit to a
    .po without ``compilemessages`` would leave the page in Chinese."""
    import gettext

    with open(path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in entries(path.read_text(encoding="utf-8")):
        if not entry["msgid"] or "msgid_plural" in entry or "msgctxt" in entry:
            continue
        msgid, msgstr = _po_unescape(entry["msgid"]), _po_unescape(entry["msgstr"][0])
        if compiled.get(msgid) != msgstr:
            stale.append(msgid[:60])
    assert stale == []
