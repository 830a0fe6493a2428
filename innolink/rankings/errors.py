"""The refusal codes the rankings app raises, one name each (ADR 0750).

The ranking engine's own codes (``ranking.unknown_indicator`` ...) live on
``innolink.engines.ranking.RankingError``; ``services.ranking_error`` passes them on."""

from django.utils.translation import gettext_noop as N_

ALREADY_ANSWERED = "already_answered"
BAD_TRANSITION = "bad_transition"
DECLARATION_LOCKED = "declaration_locked"
NOT_IN_NOTICE = "not_in_notice"
NOT_IN_REVIEW = "not_in_review"
NOT_PUBLISHED = "not_published"
NOT_SUBMITTED = "not_submitted"
OBJECTIONS_OPEN = "objections_open"
REVIEW_NOT_NEEDED = "review_not_needed"
REVIEWS_PENDING = "reviews_pending"
YEAR_ALREADY_PUBLIC = "year_already_public"


#: Every message the ranking engine refuses with (``RankingError.msgid``), listed here for the
#: catalogue: the engine is pure and translates nothing; ``services.ranking_error`` and
#: ``RankingRun.error_message`` word them in the reader's language (ADR 0792). A test keeps
#: this list equal to the engine's.
ENGINE_MESSAGES = (
    N_('%(where)s 含未知配置项 %(keys)s'),
    N_('%(where)s 应为 %(options)s 之一'),
    N_('%(where)s 应为两个数'),
    N_('%(where)s 应为字符串列表'),
    N_('%(where)s 应为数值'),
    N_('%(where)s 应为映射'),
    N_('%(where)s 应满足 %(lo)s ≤ 下限 < 上限 ≤ %(hi)s'),
    N_('%(where)s 引用了未知指标“%(indicator)s”'),
    N_('%(where)s 缺少 name'),
    N_('%(where)s.clip 下限应小于上限'),
    N_('%(where)s.clip 应为 [下限, 上限]'),
    N_('YAML 解析失败：%(file)s（%(problem)s）'),
    N_('derived.%(indicator)s 的参数个数不对'),
    N_('id 应为字母数字下划线'),
    N_('indicators 应为列表'),
    N_('list_size 应为正整数'),
    N_('missing.min_group 应为正整数'),
    N_('threshold_field 应为字符串'),
    N_('tie_rule.decimals 应为 0–12 的整数'),
    N_('tie_rule.keys 应为列表'),
    N_('tie_rule.keys[] 缺少 field'),
    N_('uncertainty.samples 应为非负整数'),
    N_('uncertainty.seed 应为非负整数'),
    N_('uncertainty.weight_noise 应在 [0, 1)'),
    N_('weights.scheme=%(scheme)s 时指标不应写权重'),
    N_('years 应为整数列表'),
    N_('“%(title)s”需 %(list_size)s 家，但合格企业只有 %(eligible)s 家'),
    N_('上一期（%(previous)s 年）应早于本期（%(current)s 年）'),
    N_('上年数据只能包含年度指标，“%(field)s”不是'),
    N_('不能比较不同榜单 %(current)s 与 %(previous)s'),
    N_('企业编号应为一维整数数组'),
    N_('企业编号重复'),
    N_('使用给定权重时须声明 weights.sum'),
    N_('字段“%(field)s”含无穷值'),
    N_('字段“%(field)s”应为数值（缺失用 NaN）'),
    N_('字段“%(field)s”长度应为 %(expected)s'),
    N_('指标“%(indicator)s”在全部合格企业中缺失，无法插补（%(title)s）'),
    N_('指标“%(indicator)s”权重应为正数'),
    N_('指标“%(indicator)s”缺少权重'),
    N_('指标重复'),
    N_('数据快照含未登记字段“%(field)s”'),
    N_('数据快照缺少字段 %(fields)s（%(title)s）'),
    N_('方法 id 重复：%(id)s'),
    N_('方法“%(title)s”（%(version)s）不适用于 %(year)s 年数据'),
    N_('方法文件应为映射'),
    N_('未知所有制类型 %(values)s'),
    N_('未知标志字段“%(field)s”'),
    N_('未知行业门类 %(sections)s'),
    N_('权重之和为 %(actual)g，与声明的 %(declared)g 不符'),
    N_('标志字段“%(field)s”应为布尔数组'),
    N_('派生指标“%(indicator)s”与已有名称重名'),
    N_('派生指标循环引用：%(cycle)s'),
    N_('缺少必填项 %(key)s'),
)
