"""Write ``real-listings.csv``: the real evaluation set's 150 public challenges as one 榜单 in the
column layout published lists use, to check that the organizer's import loads real listings.

    .venv/bin/python docs/samples/build_real_list.py \
        innolink/matching/evaluation/real/challenges.jsonl

The input is the match-real branch's real set (each row's facts and source recorded there,
descriptions written in our own words, no personal contact data). Rows keep that order; the
source of each row goes into the 信息来源 column (its address only when it is the outlet's own,
``realset.citation``), the programme into 赛事/榜单.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from innolink.matching.evaluation.realset import citation

HERE = Path(__file__).resolve().parent
HEADER = ["序号", "需求名称", "发榜单位", "单位类型", "所在地区", "所属领域", "需求描述", "技术指标",
          "揭榜资金", "赛事/榜单", "信息来源"]


def main(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with (HERE / "real-listings.csv").open("w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out)
        w.writerow(HEADER)
        for n, r in enumerate(rows, start=1):
            w.writerow([n, r["title"], r["issuer"], r["issuer_kind"], r["region"] or "",
                        "、".join([r["domain"], *r["secondary_domains"]]),
                        r["description"], "；".join(r["targets"]), r["funding"] or "",
                        r["programme"] or "",
                        citation(r["source"])])


if __name__ == "__main__":
    main(sys.argv[1])
