"""Builders of real researcher import files (CSV bytes, .xlsx), for the tests and the bench."""

from __future__ import annotations

import csv
import io

HEADER = ["姓名", "类型", "邮箱", "所属机构", "站点类型", "博士后站点", "学科", "研究方向", "关键词",
          "可投入情况", "团队成员", "关注领域"]


def rows(count: int, institution: str = "华侨大学", start: int = 0) -> list[list[str]]:
    """``count`` clean rows, one in five a team; e-mails ``r<n>@bench.example.cn``."""
    out = []
    for n in range(start, start + count):
        team = n % 5 == 0
        out.append([f"{'团队' if team else '研究员'}{n}", "团队" if team else "个人",
                    f"r{n}@bench.example.cn", institution, "无" if team else "流动站",
                    "" if team else "材料学流动站", "材料学", f"鞋材发泡工艺 {n}",
                    "EVA 发泡;超临界", "可承接新项目", "甲;乙;丙" if team else "",
                    "新材料与石油化工"])
    return out


def csv_bytes(data: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(data: list[list[str]], header: list[str] = HEADER) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for values in data:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
