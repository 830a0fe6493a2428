"""Build the sample import files in this folder (synthetic data in the layouts real lists use).

    .venv/bin/python docs/samples/build_samples.py

Deterministic; the files are committed and used by the tests (``innolink/challenges/tests/
test_listing_import.py``) and the guide (``docs/guide-import.md``). Organisations, people and
numbers are invented: no row describes a real listing or person.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent

TITLE = "第三届晋江市企业技术需求揭榜领题赛 需求榜单（示例，合成数据）"
# a two-row header: group cells merged across, single columns merged down
GROUPS = [("序号", 1), ("需求名称", 1), ("需求单位信息", 3), ("所属领域", 1), ("需求描述", 1),
          ("主要技术指标", 1), ("揭榜条件", 3), ("截止日期", 1)]
SUB = ["序号", "需求名称", "单位名称", "单位类型", "所在地区", "所属领域", "需求描述", "主要技术指标",
       "拟投入资金（万元）", "完成时限", "知识产权归属", "截止日期"]

LISTINGS = [
    ["1", "高回弹超临界发泡中底材料制备技术", "东南轻工材料研究院（示例）", "科研院所", "福建省福州市",
     "新材料", "面向跑鞋中底，需开发超临界氮气发泡的弹性体配方与成型工艺，兼顾回弹、耐压缩与轻量化，"
     "可在现有注塑线上量产。",
     "1. 回弹率≥65%；2. 密度0.10-0.14g/cm³；3. 压缩永久变形≤25%；4. 耐黄变性能优于进口同类产品",
     "80-120", "2年", "双方共有", "2027-06-30"],
    ["2", "鞋面缺陷在线视觉检测系统", "东南轻工材料研究院（示例）", "科研院所", "福建省福州市",
     "新一代信息技术", "针车、破损、污渍目前靠人工目检，需要能部署在产线节拍内的机器视觉检测系统。",
     "①检出率≥99%②误报率≤1%③单件检测时间≤0.5s", "不超过150万元", "18个月", "归发榜方所有",
     "2027-06-30"],
    ["3", "储能电池簇主动均衡与热失控预警", "海峡先进制造重点实验室（示例）", "重点实验室",
     "福建省厦门市", "新能源、节能环保", "工商业储能电池簇一致性差，需要主动均衡与基于多信号融合的"
     "热失控早期预警方法。", "SOC估计误差≤2%；循环寿命≥6,000次；预警提前量不少于10分钟",
     "一等奖50万元1名，二等奖20万元2名", "原则上不超过3年", "协商确定", "2027-06-30"],
    ["4", "高耐磨运动鞋大底橡胶配方", "晋南鞋材科技有限公司（示例）", "企业", "浙江省温州市",
     "新材料与石油化工", "长跑大底磨损快，现有配方提高耐磨后湿地防滑下降，需兼顾两者的配方与硫化工艺。",
     "DIN耐磨体积损失≤80mm³；湿态防滑系数0.45～0.60；耐屈挠≥20万次", "面议", "24个月", "双方共有",
     "2027-06-30"],
    ["5", "功能性运动袜耐久抗菌整理", "闽南功能纺织研究所（示例）", "科研院所", "福建省泉州市",
     "生物医药与健康", "运动袜反复洗涤后抗菌效果衰减，需要耐洗的抗菌整理工艺，并满足皮肤安全要求。",
     "抑菌率（金黄色葡萄球菌）≥99%；耐洗次数≥50次；满足GB 18401 B类要求", "30", "12个月",
     "归揭榜方所有", "2027-06-30"],
    ["6", "休闲食品减油减糖工艺与配方", "闽南功能纺织研究所（示例）", "科研院所", "福建省泉州市",
     "现代农业与食品", "膨化和烘焙类休闲食品含油、含糖偏高，需要在保持口感的前提下减油减糖。",
     "脂肪含量降低≥30%；感官评分不低于80分；货架期≥9个月", "50", "1-2年", "", "2027-06-30"],
]


def build_xlsx(path: Path) -> None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "榜单"
    width = len(SUB)
    sheet.cell(row=1, column=1, value=TITLE)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    col = 1
    for text, span in GROUPS:
        sheet.cell(row=2, column=col, value=text)
        if span > 1:
            sheet.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + span - 1)
        else:
            sheet.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        col += span
    for i, text in enumerate(SUB, start=1):
        if sheet.cell(row=3, column=i).coordinate not in sheet.merged_cells:
            sheet.cell(row=3, column=i, value=text)
    row = 4
    for n, values in enumerate(LISTINGS):
        if n == 3:
            row += 1  # an empty row in the middle, as lists often have
        for i, value in enumerate(values, start=1):
            sheet.cell(row=row, column=i, value=value)
        row += 1
    # the same issuer for listings 1-2 written once, merged down (as lists often do)
    for c in (3, 4, 5):
        sheet.cell(row=5, column=c, value=None)
        sheet.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
    for i in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 18
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def build_gbk_csv(path: Path) -> None:
    """A flat list saved by Excel on Chinese Windows (GBK), with a column no alias knows
    ("攻关方向") that the organizer maps once."""
    header = ["编号", "榜单名称", "发榜单位", "赛道", "攻关方向", "技术参数", "榜单金额（万元）", "研发周期",
              "成果归属", "揭榜方要求"]
    rows = [
        ["JJ-01", "陶瓷薄板低温快烧坯料配方", "磁灶建陶新材料有限公司（示例）", "新材料",
         "建筑陶瓷薄板烧成能耗高，需在降低烧成温度的同时保证强度与吸水率。",
         "烧成温度≤1150℃；破坏强度≥1300N；吸水率≤0.5%", "60", "2年", "双方共有",
         "具备陶瓷坯料中试条件"],
        ["JJ-02", "伞骨冲压模具寿命提升", "江南精工研究院（示例）", "高端装备制造",
         "伞骨冲压模具磨损快、换模频繁，需改进模具材料与表面处理。",
         "模具寿命≥30万冲次；表面硬度≥60HRC", "不超过80万元", "18个月", "归发榜方所有", ""],
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("gbk"))


def build_bad_csv(path: Path) -> None:
    """Everything that goes wrong in real lists, for the report."""
    header = ["序号", "需求名称", "需求单位", "所属领域", "需求描述", "技术指标", "拟投入资金（万元）",
              "完成时限", "截止日期"]
    rows = [
        ["1", "高阻隔可降解包装膜", "海西包装研究院（示例）", "新材料", "需开发高阻隔可降解包装膜。",
         "氧气透过率≤5cm³/(m²·24h·0.1MPa)；工作台面积≥4500×2500mm", "100", "2年", "2027-06-30"],
        ["2", "高阻隔可降解包装膜", "海西包装研究院（示例）", "新材料", "重复的一行。", "", "100", "2年",
         "2027-06-30"],
        ["3", "", "海西包装研究院（示例）", "新材料", "名称缺失。", "", "50", "1年", "2027-06-30"],
        ["4", "冷链水产品保鲜", "深沪水产加工研究所（示例）", "", "货架期短，需要保鲜方案。",
         "货架期延长≥5天", "视情况而定（约）", "2025年12月前", "2020-01-01"],
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def build_roster(path: Path) -> None:
    """A thin real-style roster: name, unit, field, expertise; no e-mail, one-person team."""
    header = ["姓名", "工作单位", "所在地区", "学科", "研究领域", "专长", "类型", "团队成员"]
    rows = [
        ["林晓峰", "东南轻工材料研究院（示例）", "福建省福州市", "材料科学与工程", "高分子发泡材料",
         "超临界发泡，EVA，中底", "个人", ""],
        ["陈思远", "海峡先进制造重点实验室（示例）", "福建省厦门市", "", "储能电池管理",
         "SOC估计；热失控预警", "个人", ""],
        ["功能纺织整理团队", "闽南功能纺织研究所（示例）", "福建省泉州市", "纺织工程",
         "纺织品抗菌整理", "耐洗抗菌", "团队", "黄一凡"],
        ["王子涵", "", "", "诗学与修辞", "食品风味化学", "减糖 烘焙", "个人", ""],
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("gbk"))


def main() -> None:
    build_xlsx(HERE / "listings-sample.xlsx")
    build_gbk_csv(HERE / "listings-sample-gbk.csv")
    build_bad_csv(HERE / "listings-bad.csv")
    build_roster(HERE / "researchers-roster-gbk.csv")


if __name__ == "__main__":
    main()
