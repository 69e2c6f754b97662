"""The rule layer for high severity: patterns for the four signals of docs/labeling-guide.md.

A statistical model misses what it has not seen, and a missed "我要打12315" or "刹车失灵" is
the one mistake that hurts, so these signals are matched by rules. A match makes a complaining
text high severity whatever the model says (complaints.decision); the model decides medium vs
low, and can still call a text high on its own. Rules are code, not trained weights: changing
them needs no retraining.

The patterns are regular expressions over the Simplified text (Traditional input is converted
first), a keyword or two keywords within one clause (GAP never crosses punctuation). Matching
characters instead of jieba tokens is both simpler (jieba glues 了/损失/我 to keywords) and
about twenty times cheaper than spaCy's token Matcher with regex predicates. A signal right
after a negation ("没有漏电", "不用赔偿", "不一样的问题") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

SPAN_KEY = "severity_signals"


def gap(most: int) -> str:
    """Up to `most` characters inside one clause."""
    return f"[^，,。.!！?？;；\\n]{{0,{most}}}"


def one_of(*words: str) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


COUNT = "(?:[三四五六七八九十几3-9]|好几|十几|几十|不下[三四五六七八九十几]|N|n)[个]?(?:次|回|遍|趟)"
NTH = "第(?:[三四五六七八九十]|[3-9])(?:次|回)"
TARGETS = one_of("厂家", "厂商", "主机厂", "品牌方", "总部", "总公司", "集团", "总行", "总校",
                 "上级", "主管部门", "省公司", "院长")
PUBLIC = one_of("网上", "网络上", "微博", "抖音", "小红书", "朋友圈", "论坛", "头条", "微信群",
                "业主群", "汽车之家", "大众点评", "知乎", "贴吧", "快手", "b站", "B站",
                "ptt", "PTT", "脸书", "facebook", "Facebook", "dcard", "Dcard", "youtube")
FAILURE = one_of("坏", "出问题", "出毛病", "故障", "漏", "响", "断", "停", "掉线", "掉了", "堵",
                 "亮", "不行", "不制冷", "不冷", "不凉", "不热", "不出", "不转", "不通", "没电",
                 "没网", "没信号", "跳闸", "死机", "黑屏", "卡", "抖", "滴", "渗", "冒", "犯",
                 "开始", "来了", "老样子", "是这样", "一样", "失灵", "异响", "不亮", "没水", "熄火",
                 "唔")
REPAIRED = one_of("修好", "修完", "刚修", "修过", "刚换", "刚装", "整完", "整好", "装好", "换完",
                  "维修完", "修理完", "处理完")

PATTERNS: dict[str, list[str]] = {
    "external": [
        one_of("12315", "12345", "12398", "12300", "12358", "12320", "消协", "消费者协会", "消保",
               "消基会", "消委会", "消费者委员会", "申诉专线", "工信部", "银保监", "保监",
               "金融监管", "市场监管", "市监局", "工商局", "工商所", "能源局", "能源监管",
               "通信管理局", "通管局", "住建", "房管局", "卫健委", "卫生局", "教育局", "医患办",
               "医调委", "人民银行", "媒体", "传媒", "记者", "电视台", "报社", "报纸",
               "曝光", "律师", "起诉", "法院", "打官司", "诉讼", "仲裁", "法庭", "告上", "告你们",
               "举报", "黑猫", "市长热线", "政府热线", "便民热线", "信访", "上访", "维权",
               "街道办", "议员", "立法会", "存证信函", "监管部门", "有关部门", "监督管理",
               "管理局", "监管局", "投诉平台", "发帖", "帖子", "新闻"),
        one_of("投诉", "反映", "举报", "告", "申诉", "找", "去", "到", "向", "跟", "打") + gap(4)
        + TARGETS,
        one_of("发", "挂", "晒", "传", "放", "曝", "写", "贴", "po", "PO") + gap(6) + PUBLIC,
        PUBLIC + gap(6) + one_of("发", "曝", "晒", "说说", "写", "贴", "评评理", "让大家"),
        one_of("小红书", "微博", "抖音", "朋友圈", "大众点评", "汽车之家", "业主群", "知乎") + gap(4)
        + one_of("说", "讲", "吐槽", "评价"),
        one_of("请相关部门", "恳请相关部门", "望相关部门", "希望相关部门", "请有关部门", "法律途径",
               "法律手段", "打12"),
        one_of("让大家评评理", "让大家看看", "让大家都知道", "让更多人知道", "公之于众"),
    ],
    "safety": [
        one_of("漏电", "触电", "电到", "电麻", "麻手", "被电", "起火", "着火", "失火", "冒烟", "黑烟",
               "冒火", "烧焦", "焦味", "焦糊", "糊味", "燶味", "㶶味", "烧糊", "漏气", "泄漏", "爆炸",
               "自燃", "安全隐患", "危险", "出人命", "失控", "砸伤", "砸到", "受伤", "烫伤",
               "感染", "化脓", "流脓", "渗血", "过敏", "困人", "被困", "关人", "下坠", "往下掉",
               "打错针", "用错药", "开错药", "拿错药", "熄火", "抛锚", "爆胎", "鼓包", "刹不住",
               "短路", "烧坏", "烧黑", "烧了", "电缆沟", "摔进", "井盖", "裸露", "露在外面",
               "不安全", "人身安全", "安全问题", "伤到", "出了事谁", "出事谁", "出了事你们"),
        one_of("万一", "真", "要是", "会", "怕", "迟早", "差点", "早晚", "不然") + "出了?(?:事|人命|大事)",
        "火花(?!塞)",
        one_of("刹车", "煞车", "制动", "气囊", "安全带", "方向盘", "转向", "轮胎", "螺丝") + gap(4)
        + one_of("失灵", "失效", "不灵", "发软", "软", "抱死", "没反应", "卡死", "锁死", "脱落",
                 "松动", "掉", "故障", "异常", "不对劲", "怪怪", "抖", "跑偏", "少拧", "没拧"),
        one_of("燃气", "煤气", "天然气", "液化气", "瓦斯") + gap(6) + one_of("漏", "泄", "味"),
        one_of("电线", "线路", "插座", "插头", "开关", "电箱", "表箱", "配电箱", "充电器", "电源",
               "电路", "变压器") + gap(4)
        + one_of("冒", "烧", "发烫", "着火", "裸露", "打火", "短路", "露", "垂", "断"),
        one_of("电梯", "升降机") + gap(8) + one_of("困", "关人", "夹", "坠", "急停", "掉"),
        one_of("吊扇", "吊灯", "吊顶", "天花板", "玻璃", "广告牌", "瓷砖", "栏杆", "外墙")
        + gap(4) + one_of("掉", "砸", "脱落", "坠", "塌"),
        one_of("打针", "手术", "伤口", "用药", "吃药", "输液", "针眼", "吊瓶", "术后") + gap(10)
        + one_of("肿", "发炎", "出血", "渗血", "感染", "化脓", "流脓", "裂", "回血", "发烧"),
    ],
    "repeat": [
        one_of("又坏", "又出", "又犯", "又漏", "又响", "又断", "又停", "又掉", "又堵", "又亮", "又开始",
               "又不行", "反复", "返修", "返工", "返厂", "老毛病", "老问题", "屡次", "三番五次",
               "修了又坏", "再次出现", "再次发生", "再次故障", "双叒叕", "一次又一次", "反反复复",
               "修一次坏一次", "又是老样子", "还是老样子", "又壊", "又壞"),
        "又" + gap(2) + FAILURE,
        one_of("同样", "一样", "同一个", "相同", "同一") + "的?" + one_of("问题", "故障", "毛病",
                                                                "异响", "情况"),
        one_of("隔三岔五", "隔三差五", "三天两头", "经常", "老是", "总是", "成日", "一直", "天天",
               "动不动", "时不时", "每个月", "每次", "频繁", "三不五时") + gap(3)
        + one_of("断", "停电", "停水", "掉线", "跳闸", "坏", "故障", "出问题", "死机", "黑屏",
                 "闪", "不稳"),
        one_of("停", "断", "坏", "掉线", "跳闸", "修", "报修", "上门", "来", "整", "返", "进店",
               "找了", "报了", "换了", "黑屏", "故障") + "[了咗过]?[电网水]?" + COUNT,
        NTH,
        "停了" + gap(3) + COUNT,
        REPAIRED + gap(8) + one_of("坏", "又"),
    ],
    "refund": [
        one_of("退款", "退钱", "退费", "退还", "返还", "赔偿", "赔钱", "索赔", "补偿", "全额退",
               "退货", "误工费", "退返", "退番", "赔番", "照价赔", "包赔", "赔给我", "得赔", "要赔",
               "你们赔", "必须赔", "要求赔", "赔我", "退给我", "退回来", "退回给我", "把钱退",
               "钱退", "退押金", "换车", "减免", "报销", "退一半", "退全款", "负责赔", "损失谁", "谁来赔", "谁赔"),
        "押金" + gap(4) + "不退",
        one_of("要求", "必须", "赶紧", "马上", "全部", "全额") + gap(2) + "退",
    ],
}
# A negation just before a signal cancels it.
NEGATIONS: dict[str, str] = {
    "safety": one_of("没有", "没", "无", "未", "不是", "排除", "不会", "并没有", "没发现", "未发现",
                     "有没有", "是否", "防止", "预防", "避免", "不存在", "担心", "以防"),
    "repeat": one_of("不"),
    "refund": one_of("不用", "不需要", "无需", "不必", "不要", "没要", "没让"),
    "external": one_of("不用", "不会", "不想", "没必要", "让我", "叫我", "要我", "嘱咐我"),
}
NEGATION_WINDOW = 3


@dataclass(frozen=True)
class Signal:
    kind: str
    start: int
    end: int
    text: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.text}"


_COMPILED = {kind: re.compile("|".join(f"(?:{p})" for p in patterns))
             for kind, patterns in PATTERNS.items()}
_NEGATED = {kind: re.compile(f"{pattern}$") for kind, pattern in NEGATIONS.items()}


def find(text: str) -> list[Signal]:
    """The signals in a (Simplified) text, in text order; overlapping matches keep the first."""
    found = []
    for kind, pattern in _COMPILED.items():
        negated = _NEGATED.get(kind)
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - NEGATION_WINDOW):match.start()]
            if negated is None or not negated.search(before):
                found.append(Signal(kind, match.start(), match.end(), match.group()))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[Signal] = []
    for signal in found:
        if not kept or signal.start >= kept[-1].end:
            kept.append(signal)
    return kept


class SeverityRules:
    """Stores the text's high-severity signals in doc.user_data[SPAN_KEY]."""

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[SPAN_KEY] = find(doc.text)
        return doc


@Language.factory("complaints_severity_rules")
def make_severity_rules(nlp: Language, name: str) -> SeverityRules:
    return SeverityRules()


def signals(doc: Doc) -> list[str]:
    """`kind:matched text` for each signal, in text order."""
    return [str(s) for s in doc.user_data.get(SPAN_KEY, [])]
