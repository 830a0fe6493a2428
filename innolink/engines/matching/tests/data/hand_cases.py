"""Hand-written challenges and researcher profiles in realistic language, judged by hand.

The challenges are modelled on Jinjiang's industries (shoes and sportswear, dyeing, food,
paper and hygiene products, building ceramics in 磁灶, chemical fibre, IC materials,
equipment, umbrellas, marine food, energy storage).  Grades (0–3) were assigned by the
author reading the two texts, before any system was run on them; each carries a one-line
rationale.  Grade scale: 3 = can solve the stated problem and shows evidence on the key
indicator; 2 = works on the problem, evidence partial; 1 = related field or transferable
skill, a stretch; 0 = not relevant (including shared words with another meaning).
"""


def _c(id, title, statement, domain, indicators, region="晋江", trl_min=None, disciplines=()):
    return {"id": id, "title": title, "statement": statement, "domain": domain,
            "indicators": [dict(zip(("name", "comparator", "value", "unit", "test_method"), i))
                           for i in indicators],
            "region": region, "trl_min": trl_min, "disciplines": list(disciplines)}


def _r(id, name, fields, keywords, achievements, discipline, domain, institution_type="高校",
       region="厦门", available=True, trl=5, accepted=0, delivered=0):
    return {"id": id, "name": name, "fields": list(fields), "keywords": list(keywords),
            "achievements": achievements, "discipline": discipline, "domain": domain,
            "institution_type": institution_type, "region": region, "available": available,
            "trl": trl, "accepted_proposals": accepted, "delivered_contracts": delivered}


M, E, N, I, B, F = ("新材料与石油化工", "新能源与节能环保", "高端装备制造", "新一代信息技术",
                    "生物医药与大健康", "现代农业与食品")

HAND_CHALLENGES = [
    _c("hand-c01", "跑鞋超临界发泡中底高回弹与耐久性提升",
       "我司为晋江运动鞋服企业，现有EVA化学发泡中底回弹率约55%，长距离跑步后压缩变形明显。"
       "希望采用超临界流体物理发泡等技术开发新一代中底材料，兼顾轻量与缓震，"
       "并具备在现有注塑发泡产线上量产的可行性。",
       M, [("回弹率", ">=", 70, "%", "GB/T 10652"), ("压缩永久变形", "<=", 15, "%", "HG/T 2876"),
           ("密度", "<=", 0.12, "g/cm³", None)], trl_min=5, disciplines=["材料科学与工程"]),
    _c("hand-c02", "棉针织物活性染料无盐低碱染色",
       "企业年染色棉针织物约2万吨，活性染料染色需大量元明粉和纯碱，废水含盐量高、处理成本大。"
       "征集无盐或低盐染色技术，在不降低色牢度的前提下减少用水和盐耗。",
       E, [("固色率", ">=", 85, "%", None), ("染色用水", "<=", 40, "t/t", None),
           ("色牢度", ">=", 4, "级", "GB/T 3921")], disciplines=["纺织科学与工程"]),
    _c("hand-c03", "肉松与花生类休闲食品油脂氧化控制",
       "产品在常温流通中易出现哈喇味，酸价和过氧化值在货架期后段超标，"
       "希望在不使用合成抗氧化剂的前提下，将常温货架期延长到12个月。",
       F, [("货架期", ">=", 12, "个月", None), ("酸价", "<=", 3, None, "GB 5009.229")],
       disciplines=["食品科学与工程"]),
    _c("hand-c04", "纸尿裤轻薄芯体回渗与吸收速度优化",
       "为满足婴儿纸尿裤轻薄化趋势，需减少绒毛浆用量，同时控制回渗和吸收速度，"
       "涉及高吸收树脂选型、芯体结构与导流层设计。",
       M, [("回渗量", "<=", 0.5, "g", "GB/T 28004"), ("吸收时间", "<=", 25, "s", None)],
       disciplines=["轻工技术与工程"]),
    _c("hand-c05", "磁灶建筑陶瓷辊道窑降低天然气单耗",
       "企业拥有多条宽体辊道窑，天然气成本占生产成本近三成。"
       "征集窑炉燃烧优化、余热梯级利用和智能控温方案，降低单位产品综合能耗。",
       E, [("综合能耗", "<=", 4, "kgce/m²", "GB 21252")], region="晋江"),
    _c("hand-c06", "BCB光敏介质材料国产化",
       "用于晶圆级封装再布线层的光敏苯并环丁烯（BCB）材料长期依赖进口。"
       "需开发可光刻图形化的BCB树脂及配套工艺，满足低介电、低固化温度要求，"
       "并在晋江集成电路产业园完成中试线验证。",
       I, [("分辨率", "<=", 10, "μm", None), ("介电常数", "<=", 2.7, None, None),
           ("固化温度", "<=", 250, "℃", None)], trl_min=4,
       disciplines=["材料科学与工程", "化学"]),
    _c("hand-c07", "鞋面与皮料缺陷在线视觉检测",
       "裁断前人工检查皮料的伤残、虫眼、褶皱效率低、漏检多。"
       "需要一套可部署在裁断机上的机器视觉检测系统，自动识别缺陷并避让排料。",
       N, [("准确率", ">=", 98, "%", None), ("检测时间", "<=", 1, "s", None)], trl_min=6,
       disciplines=["控制科学与工程", "计算机科学与技术"]),
    _c("hand-c08", "涤纶原液着色纤维色牢度与强度",
       "为减少染色环节的用水和排放，拟以原液着色替代后染色，"
       "需解决色母粒分散、纺丝断头和深色品种强度下降的问题。",
       M, [("色牢度", ">=", 4, "级", "GB/T 3920"), ("断裂强度", ">=", 3.5, "cN/dtex", None)],
       disciplines=["纺织科学与工程"]),
    _c("hand-c09", "鱼皮胶原蛋白肽酶解制备与脱腥",
       "深沪水产加工副产物鱼皮年产数千吨，希望开发低分子胶原蛋白肽产品，"
       "解决酶解得率低、腥味重的问题，用于固体饮料。",
       B, [("分子量", "<=", 1000, "Da", None), ("得率", ">=", 80, "%", None)],
       disciplines=["食品科学与工程", "生物学"]),
    _c("hand-c10", "储能电池包热失控早期预警",
       "企业生产工商业储能柜，需在电芯热失控前给出可靠预警并联动消防，"
       "降低误报率，满足储能电站安全规范。",
       E, [("预警提前时间", ">=", 300, "s", None), ("误报率", "<=", 1, "%", None)], trl_min=6),
    _c("hand-c11", "晴雨伞伞面无氟防水整理",
       "出口欧盟的伞面需淘汰含氟防水剂（PFAS），要求无氟整理后仍保持高拒水等级和耐静水压，"
       "且多次折叠、水洗后性能不明显下降。",
       M, [("沾水等级", ">=", 4, "级", "GB/T 4745"), ("耐静水压", ">=", 10, "kPa", "GB/T 4744")],
       disciplines=["纺织科学与工程", "化学"]),
]

HAND_RESEARCHERS = [
    _r("hand-r01", "林一帆", ["材料科学与工程"], ["超临界发泡", "TPEE", "PEBA", "鞋材"],
       "博士后期间与晋江鞋企合作开发超临界氮气发泡TPEE中底，回弹率78%，密度0.11 g/cm³，"
       "压缩永久变形12%，已完成注塑发泡中试。", "材料科学与工程", M, "企业博士后工作站",
       "福建省泉州市晋江市", True, 6, 2, 1),
    _r("hand-r02", "陈思远", ["高分子材料"], ["EVA", "化学发泡", "交联"],
       "研究EVA/POE交联化学发泡体系，通过调控发泡剂与交联剂配比改善泡孔结构，"
       "回弹率由45%提高到58%。", "材料科学与工程", M, "高校", "厦门", True, 4, 0, 0),
    _r("hand-r03", "黄敏", ["高分子材料"], ["聚氨酯", "鞋底原液"],
       "从事聚氨酯鞋底原液的配方开发，关注低温耐折与水解稳定性。",
       "化学工程与技术", M, "企业", "温州", True, 6, 1, 2),
    _r("hand-r04", "郑雪琳", ["纺织化学与染整"], ["阳离子改性棉", "无盐染色", "活性染料"],
       "开发棉纤维阳离子改性与活性染料无盐染色工艺，固色率90%以上，耐洗色牢度4-5级，"
       "较常规工艺节水30%。", "纺织科学与工程", E, "高校", "上海", True, 5, 1, 0),
    _r("hand-r05", "吴静", ["食品科学"], ["油脂氧化", "天然抗氧化剂", "迷迭香提取物"],
       "研究迷迭香提取物与茶多酚复配抑制坚果和肉制品油脂氧化，常温储藏12个月酸价低于2.5，"
       "已在两家休闲食品企业应用。", "食品科学与工程", F, "高校", "福州", True, 6, 1, 1),
    _r("hand-r06", "许宁", ["卫生用品"], ["纸尿裤芯体", "无绒浆芯体", "导流层"],
       "负责纸尿裤无绒浆复合芯体开发，优化SAP分布与导流层结构，回渗量0.3 g，"
       "吸收时间18 s，已量产。", "轻工技术与工程", M, "企业博士后工作站",
       "福建省泉州市晋江市", True, 7, 2, 2),
    _r("hand-r07", "蔡博文", ["热能工程"], ["辊道窑", "富氧燃烧", "余热利用"],
       "针对建筑陶瓷宽体辊道窑开展燃烧系统改造和余热梯级利用，"
       "单位产品综合能耗由4.8降至3.6 kgce/m²。", "动力工程及工程热物理", E, "科研院所",
       "佛山", True, 7, 1, 2),
    _r("hand-r08", "周杰", ["电子封装材料"], ["苯并环丁烯", "BCB", "光敏介质"],
       "合成光敏苯并环丁烯树脂并用于晶圆级封装再布线层，介电常数2.6，"
       "图形分辨率8 μm，固化温度230℃。", "材料科学与工程", I, "高校", "南京", True, 5, 0, 0),
    _r("hand-r09", "谢凯", ["机器视觉"], ["缺陷检测", "深度学习", "皮革"],
       "研发皮革与纺织品表面缺陷在线检测系统，基于深度学习的缺陷识别准确率98.5%，"
       "单张检测时间0.6 s，已在裁断设备上试用。", "控制科学与工程", N, "新型研发机构",
       "厦门", True, 6, 1, 1),
    _r("hand-r10", "梁欣", ["医学图像处理"], ["深度学习", "图像分割"],
       "研究医学影像中病灶的深度学习分割方法，在公开数据集上准确率96%。",
       "生物医学工程", B, "高校", "成都", True, 3, 0, 0),
    _r("hand-r11", "宋浩", ["化学纤维"], ["原液着色", "色母粒", "涤纶"],
       "开发涤纶原液着色用高浓度色母粒及分散技术，纤维耐摩擦色牢度4-5级，"
       "断裂强度3.8 cN/dtex，纺丝断头率降低40%。", "纺织科学与工程", M, "企业",
       "福建省泉州市晋江市", True, 7, 2, 1),
    _r("hand-r12", "方玲", ["水产品加工"], ["胶原蛋白肽", "酶解", "脱腥"],
       "以鱼皮为原料复合酶解制备胶原蛋白肽，平均分子量800 Da，得率82%，"
       "采用活性炭与β-环糊精联合脱腥。", "食品科学与工程", F, "高校", "厦门", True, 5, 1, 0),
    _r("hand-r13", "韩旭", ["生物医用材料"], ["胶原", "组织工程支架"],
       "研究胶原基组织工程支架与医用敷料的交联改性与生物相容性。",
       "生物医学工程", B, "高校", "广州", True, 4, 0, 0),
    _r("hand-r14", "董彬", ["储能热管理"], ["液冷", "电池包", "热管理"],
       "设计储能电池包液冷热管理系统，电芯温差控制在3℃以内。", "动力工程及工程热物理", E,
       "企业", "宁德", True, 7, 1, 1),
    _r("hand-r15", "潘磊", ["电池管理系统"], ["BMS", "SOC估计", "故障诊断"],
       "研究锂离子电池管理系统的SOC估计与内短路故障诊断算法，可在热失控前约10 min识别异常，"
       "误报率0.5%。", "电气工程", E, "高校", "北京", True, 5, 0, 0),
    _r("hand-r16", "叶芳", ["纺织化学"], ["无氟拒水", "防水整理", "C0"],
       "开发无氟拒水整理剂（C0体系），整理后涤纶伞布沾水等级4级，耐静水压12 kPa，"
       "经20次水洗后仍保持3-4级。", "纺织科学与工程", M, "高校", "杭州", True, 5, 1, 0),
    _r("hand-r17", "孔鹏", ["含氟材料"], ["PTFE", "含氟涂料"],
       "研究含氟聚合物涂料与PTFE微孔膜的制备。", "化学", M, "科研院所", "上海", True, 5, 0, 0),
    _r("hand-r18", "贺宇", ["农业机械"], ["植保无人机", "变量喷施"],
       "研究植保无人机变量喷施与航线规划。", "作物学", F, "高校", "南京", True, 6, 0, 0),
    _r("hand-r19", "邱晨", ["数据科学"], ["电商", "推荐系统"],
       "研究服装电商推荐系统与用户画像，点击率提升12%。", "计算机科学与技术", I, "企业",
       "杭州", True, 7, 0, 1),
    _r("hand-r20", "姚瑶", ["中药学"], ["中药提取", "黄酮"],
       "研究中药黄酮类成分的提取纯化与抗氧化活性评价。", "药学", B, "高校", "成都", True, 4, 0, 0),
]

HAND_QRELS = [
    # hand-c01 midsole
    ("hand-c01", "hand-r01", 3, "超临界发泡中底，回弹率、密度、压缩变形均达标且有中试"),
    ("hand-c01", "hand-r02", 2, "EVA发泡中底同一问题，回弹58%未达70%"),
    ("hand-c01", "syn-sole-adjacent", 2, "EVA/POE超临界发泡中底方向一致，无指标数据"),
    ("hand-c01", "hand-r03", 1, "鞋底材料但为聚氨酯原液，关注点不同"),
    ("hand-c01", "syn-sole-meets_syn", 1, "橡胶外底耐磨，不是中底缓震"),
    ("hand-c01", "syn-pla-meets_syn", 0, "可降解聚酯强度，与中底发泡无关"),
    ("hand-c01", "syn-wicking-meets_syn", 0, "面料导湿，与鞋底无关"),
    ("hand-c01", "hand-r19", 0, "服装电商推荐，无关"),
    # hand-c02 salt-free dyeing
    ("hand-c02", "hand-r04", 3, "无盐染色、固色率和色牢度均达标"),
    ("hand-c02", "syn-dyeing-wrong_prop", 2, "活性染料固色率正是本题核心之一，但无数据"),
    ("hand-c02", "syn-dyeing-meets_syn", 2, "少水染色用水达标，但未涉及无盐"),
    ("hand-c02", "syn-dyeing-plain", 2, "印染节水同一方向，无数据"),
    ("hand-c02", "syn-dyeing-adjacent", 1, "印染企业的余热回收，非染色工艺"),
    ("hand-c02", "syn-dyeing-cross", 0, "免疫组化染色，词同义异"),
    ("hand-c02", "syn-rpet-wrong_prop", 1, "涤纶染色均匀性，纤维与染料体系不同"),
    ("hand-c02", "hand-r20", 0, "中药提取，无关"),
    # hand-c03 snack oxidation / shelf life
    ("hand-c03", "hand-r05", 3, "天然抗氧化剂控制油脂氧化，12个月酸价达标且已应用"),
    ("hand-c03", "syn-shelflife-meets_syn", 2, "非热杀菌延长保质期到9个月，主要针对微生物而非氧化"),
    ("hand-c03", "syn-shelflife-adjacent", 1, "高阻隔包装可辅助抗氧化，非核心"),
    ("hand-c03", "syn-shelflife-wrong_prop", 1, "卤味风味改良，同类产品不同问题"),
    ("hand-c03", "hand-r20", 1, "黄酮抗氧化活性评价，可迁移但不在食品体系"),
    ("hand-c03", "syn-shelflife-cross", 0, "疫苗冷链保存期，领域不同"),
    ("hand-c03", "syn-probiotic-meets_syn", 0, "益生菌活菌数，不涉及油脂氧化"),
    ("hand-c03", "hand-r18", 0, "植保无人机，无关"),
    # hand-c04 diaper core
    ("hand-c04", "hand-r06", 3, "无绒浆芯体，回渗量与吸收时间达标且已量产"),
    ("hand-c04", "syn-sap-meets_syn", 2, "高吸水树脂性能达标，是芯体关键材料"),
    ("hand-c04", "syn-sap-adjacent", 2, "热风无纺布面层导流，直接影响回渗"),
    ("hand-c04", "syn-sap-near", 1, "吸水树脂但吸液倍率偏低"),
    ("hand-c04", "syn-sap-wrong_prop", 1, "SAP残留单体，安全性而非吸收性能"),
    ("hand-c04", "syn-sap-cross", 0, "SAP ERP系统，缩写相同含义不同"),
    ("hand-c04", "syn-tile-cross", 0, "种子吸水率，词同义异"),
    ("hand-c04", "hand-r19", 0, "电商推荐，无关"),
    # hand-c05 kiln energy
    ("hand-c05", "hand-r07", 3, "辊道窑燃烧改造与余热利用，综合能耗3.6达标"),
    ("hand-c05", "syn-tile-adjacent", 2, "陶瓷辊道窑节能方向一致，无数据"),
    ("hand-c05", "syn-heat-meets_syn", 1, "余热回收技术可迁移，但对象是造纸烘缸"),
    ("hand-c05", "syn-heat-wrong_prop", 1, "换热器腐蚀结垢，相关部件问题"),
    ("hand-c05", "syn-tile-meets_syn", 1, "陶瓷砖坯体配方与快烧，间接影响能耗"),
    ("hand-c05", "syn-heat-cross", 0, "运动员能耗监测，词同义异"),
    ("hand-c05", "hand-r18", 0, "农业无人机，无关"),
    # hand-c06 BCB
    ("hand-c06", "hand-r08", 3, "光敏BCB树脂，分辨率、介电常数、固化温度全部达标"),
    ("hand-c06", "syn-photoresist-meets_syn", 2, "光刻胶体系经验可迁移，但不是BCB介质"),
    ("hand-c06", "syn-wetchem-adjacent", 2, "光刻胶树脂单体合成，与BCB树脂合成相近"),
    ("hand-c06", "syn-lowk-meets_syn", 1, "低k介质但为CVD无机薄膜，非光敏聚合物"),
    ("hand-c06", "syn-photoresist-wrong_prop", 1, "光刻胶附着力与储存稳定性，相关但非核心"),
    ("hand-c06", "syn-photoresist-cross", 0, "超分辨显微成像，词同义异"),
    ("hand-c06", "syn-lowk-cross", 0, "土壤介电常数传感，领域不同"),
    ("hand-c06", "hand-r17", 1, "含氟聚合物涂层，低介电聚合物有一定相关"),
    # hand-c07 leather vision
    ("hand-c07", "hand-r09", 3, "皮革缺陷在线检测，准确率与速度达标并已上机"),
    ("hand-c07", "syn-servo-adjacent", 2, "鞋面缝纫视觉引导，视觉+制鞋设备经验"),
    ("hand-c07", "hand-r10", 1, "深度学习分割方法可迁移，但为医学影像"),
    ("hand-c07", "syn-servo-meets_syn", 1, "伺服精度达标，可参与裁断机集成，非视觉"),
    ("hand-c07", "hand-r19", 0, "电商推荐算法，非视觉检测"),
    ("hand-c07", "syn-sole-wrong_prop", 0, "鞋底防滑花纹，无关"),
    ("hand-c07", "syn-servo-cross", 0, "人员定位导航，无关"),
    # hand-c08 dope-dyed polyester
    ("hand-c08", "hand-r11", 3, "原液着色色母粒，色牢度与强度达标"),
    ("hand-c08", "syn-rpet-wrong_prop", 2, "再生涤纶染色均匀性，相关的着色问题"),
    ("hand-c08", "syn-rpet-adjacent", 2, "熔体直纺纺丝经验，可解决断头问题"),
    ("hand-c08", "syn-rpet-meets_syn", 1, "再生聚酯增粘，纺丝原料相关"),
    ("hand-c08", "syn-dyeing-near", 1, "后染色节水，本题要替代的环节"),
    ("hand-c08", "syn-rpet-cross", 0, "PET-CT，缩写相同含义不同"),
    ("hand-c08", "hand-r20", 0, "中药提取，无关"),
    # hand-c09 collagen peptide
    ("hand-c09", "hand-r12", 3, "鱼皮胶原蛋白肽酶解与脱腥，分子量与得率达标"),
    ("hand-c09", "hand-r13", 1, "胶原材料但用于医用支架，非食品肽"),
    ("hand-c09", "syn-probiotic-adjacent", 1, "功能饮料配方，可参与产品化"),
    ("hand-c09", "syn-probiotic-meets_syn", 1, "功能食品微生物方向，非蛋白酶解"),
    ("hand-c09", "syn-pla-cross", 0, "磷脂酶抑制剂研究，无关"),
    ("hand-c09", "syn-probiotic-cross", 0, "乳酸脱氢酶试剂盒，无关"),
    ("hand-c09", "hand-r18", 0, "农业无人机，无关"),
    # hand-c10 storage battery thermal runaway warning
    ("hand-c10", "hand-r15", 3, "BMS故障诊断可在热失控前10 min预警，误报率达标"),
    ("hand-c10", "syn-liion-wrong_prop", 3, "锂电池热失控预警与电池包消防，正是本题"),
    ("hand-c10", "hand-r14", 2, "储能电池包热管理，相关的安全环节"),
    ("hand-c10", "syn-liion-meets_syn", 1, "电芯能量密度，非安全预警"),
    ("hand-c10", "syn-liion-adjacent", 1, "钠电正极材料，非系统安全"),
    ("hand-c10", "syn-liion-cross", 0, "碳酸锂药物监测，词同义异"),
    ("hand-c10", "syn-sic-adjacent", 0, "GaN射频芯片，无关"),
    # hand-c11 umbrella PFAS-free water repellency
    ("hand-c11", "hand-r16", 3, "无氟拒水整理，沾水等级与耐静水压达标"),
    ("hand-c11", "hand-r17", 1, "含氟涂层，恰是要淘汰的体系，但防水经验相关"),
    ("hand-c11", "syn-wicking-meets_syn", 1, "面料功能整理，但性能方向相反（吸湿）"),
    ("hand-c11", "syn-wicking-wrong_prop", 1, "面料整理与性能测试经验"),
    ("hand-c11", "syn-dyeing-plain", 1, "染整工艺经验，整理环节相近"),
    ("hand-c11", "syn-tile-cross", 0, "种子吸水，无关"),
    ("hand-c11", "hand-r19", 0, "电商推荐，无关"),
]

# Second round, "pooled" judging (as in TREC): after a first run, every researcher that any
# signal or the fusion put in a challenge's top 15 and that had no judgement was read and
# judged by hand.  Most were plainly irrelevant and stay unjudged (grade 0); these were not.
POOLED_QRELS = [
    ("syn-photoresist-s", "hand-r08", 1, "光敏BCB可光刻图形化，但为封装级分辨率，非IC光刻胶"),
    ("syn-photoresist-l", "hand-r08", 1, "光敏BCB可光刻图形化，但为封装级分辨率，非IC光刻胶"),
    ("syn-photoresist-s", "syn-wetchem-adjacent", 2, "光刻胶用树脂与单体合成，是光刻胶研发核心环节"),
    ("syn-photoresist-l", "syn-wetchem-adjacent", 2, "光刻胶用树脂与单体合成，是光刻胶研发核心环节"),
    ("syn-lowk-s", "hand-r08", 2, "BCB低介电聚合物，介电常数2.6满足，但用于封装再布线层"),
    ("syn-lowk-l", "hand-r08", 2, "面向先进封装的低介电材料，k=2.6满足，工艺路线不同"),
    ("syn-liion-s", "hand-r15", 1, "锂电BMS算法，非电芯能量密度"),
    ("syn-liion-l", "hand-r15", 1, "锂电BMS算法，非电芯能量密度"),
    ("syn-liion-s", "hand-r14", 1, "电池包热管理，非电芯材料"),
    ("syn-liion-l", "hand-r14", 1, "电池包热管理，非电芯材料"),
    ("syn-dyeing-s", "hand-r04", 2, "无盐染色较常规节水30%，未给出吨布用水"),
    ("syn-dyeing-l", "hand-r04", 2, "无盐染色较常规节水30%，未给出吨布用水"),
    ("syn-dyeing-s", "syn-rpet-wrong_prop", 1, "涤纶染色均匀性，染色相关但不涉及节水"),
    ("syn-dyeing-l", "syn-rpet-wrong_prop", 1, "涤纶染色均匀性，染色相关但不涉及节水"),
    ("syn-sap-s", "hand-r06", 1, "纸尿裤芯体结构设计，使用SAP但不研发树脂"),
    ("syn-sap-l", "hand-r06", 1, "纸尿裤芯体结构设计，使用SAP但不研发树脂"),
    ("syn-tile-s", "hand-r07", 1, "陶瓷窑炉节能，非砖体吸水率"),
    ("syn-tile-l", "hand-r07", 1, "陶瓷窑炉节能，非砖体性能"),
    ("syn-rpet-s", "hand-r11", 1, "涤纶原液着色纺丝，与再生聚酯增粘相关度一般"),
    ("syn-rpet-l", "hand-r11", 1, "涤纶原液着色纺丝，与再生聚酯增粘相关度一般"),
    ("syn-shelflife-s", "hand-r05", 2, "天然抗氧化剂使常温储藏达12个月，机理为抗氧化"),
    ("syn-shelflife-l", "hand-r05", 2, "肉制品抗氧化延长货架期，同类产品"),
    ("syn-wetchem-s", "syn-photoresist-adjacent", 2, "湿电子化学品配方与纯化，同一方向，无指标"),
    ("syn-wetchem-l", "syn-photoresist-adjacent", 2, "湿电子化学品配方与纯化，同一方向，无指标"),
    ("syn-heat-s", "syn-dyeing-adjacent", 1, "印染定型机余热回收，技术相通但行业不同"),
    ("syn-heat-l", "syn-dyeing-adjacent", 1, "印染定型机余热回收，技术相通但行业不同"),
    ("syn-heat-s", "hand-r07", 1, "陶瓷窑余热梯级利用，技术相通"),
    ("syn-heat-l", "hand-r07", 1, "陶瓷窑余热梯级利用，技术相通"),
    ("syn-sole-s", "hand-r03", 1, "聚氨酯鞋底原液，鞋底材料但非橡胶耐磨"),
    ("syn-sole-l", "hand-r03", 1, "聚氨酯鞋底原液，鞋底材料但非橡胶耐磨"),
    ("syn-sole-s", "hand-r01", 1, "发泡中底，鞋材但非外底耐磨"),
    ("syn-sole-l", "hand-r01", 1, "发泡中底，鞋材但非外底耐磨"),
    ("syn-wicking-s", "syn-sap-adjacent", 1, "无纺布导流，液体传导相近但非服装面料"),
    ("syn-wicking-l", "syn-sap-adjacent", 1, "无纺布导流，液体传导相近但非服装面料"),
    ("hand-c02", "syn-dyeing-near", 2, "印染节水，用水33 t/t满足≤40，但未涉及无盐"),
    ("hand-c02", "syn-dyeing-unavailable", 1, "无水染色路线，但当前不可承接"),
    ("hand-c02", "syn-dyeing-off", 1, "染色节水方向，用水偏高"),
    ("hand-c03", "syn-shelflife-near", 2, "天然抑菌剂与气调包装延长保质期，偏微生物控制"),
    ("hand-c03", "syn-shelflife-plain", 1, "非热杀菌保鲜，与油脂氧化关系弱"),
    ("hand-c03", "syn-shelflife-unavailable", 1, "延长货架期经验，但当前不可承接"),
    ("hand-c03", "syn-shelflife-off", 1, "保质期研究，水平偏低"),
    ("hand-c04", "syn-sap-plain", 2, "超吸水聚合物合成，芯体关键材料"),
    ("hand-c04", "syn-sap-off", 1, "吸水树脂，但吸液倍率低"),
    ("hand-c04", "syn-sap-unavailable", 1, "吸水树脂达标，但当前不可承接"),
    ("hand-c05", "syn-heat-near", 1, "余热利用技术可迁移，对象为造纸"),
    ("hand-c05", "syn-heat-unavailable", 1, "余热利用，对象为造纸且不可承接"),
    ("hand-c05", "syn-tile-near", 1, "陶瓷干法制粉降低能耗，非窑炉"),
    ("hand-c05", "syn-tile-unavailable", 1, "陶瓷工艺，非窑炉且不可承接"),
    ("hand-c06", "syn-photoresist-near", 2, "抗蚀剂曝光显影工艺窗口，可迁移到光敏BCB图形化"),
    ("hand-c06", "syn-photoresist-plain", 2, "化学放大光刻胶体系，光敏材料经验可迁移"),
    ("hand-c06", "syn-photoresist-unavailable", 1, "光刻胶经验，但当前不可承接"),
    ("hand-c06", "syn-photoresist-off", 1, "光刻胶但分辨率水平低"),
    ("hand-c06", "syn-photoresist-adjacent", 1, "显影液等配套化学品"),
    ("hand-c06", "syn-lowk-near", 1, "无机低k薄膜，非光敏聚合物"),
    ("hand-c06", "syn-lowk-plain", 1, "无机低k薄膜，非光敏聚合物"),
    ("hand-c06", "syn-lowk-unavailable", 1, "低k介质，不可承接"),
    ("hand-c08", "syn-rpet-near", 1, "再生聚酯增粘，纺丝原料相关"),
    ("hand-c08", "syn-rpet-plain", 1, "再生涤纶增粘，纺丝原料相关"),
    ("hand-c08", "syn-dyeing-wrong_prop", 1, "染色牢度经验，但为后染色"),
    ("hand-c08", "hand-r04", 1, "活性染料染色牢度，棉而非涤纶原液着色"),
    ("hand-c09", "syn-probiotic-near", 1, "功能食品微生物，非蛋白酶解"),
    ("hand-c09", "syn-probiotic-plain", 1, "功能食品微生物，非蛋白酶解"),
    ("hand-c10", "syn-liion-unavailable", 1, "锂电电芯研发，非预警且不可承接"),
    ("hand-c10", "syn-heat-adjacent", 1, "储能系统设计，相关但非安全预警"),
    ("hand-c11", "syn-dyeing-near", 1, "染整工艺经验，整理环节相近"),
    ("hand-c11", "syn-dyeing-meets_syn", 1, "染整工艺经验，整理环节相近"),
]
