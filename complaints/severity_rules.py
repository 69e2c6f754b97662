"""The rule layer for high severity: token patterns for the four signals in DOMAIN.md.

A statistical model misses what it has not seen, and a missed "我要打12315" or "刹车失灵" is
the one mistake that hurts, so these signals are matched by rules over the jieba tokens
(the key words are in data/dict/complaints.txt so jieba keeps them whole). A match makes the
text high severity whatever the model says; the model decides medium vs low, and can still
call a text high on its own. Rules are code, not trained weights: changing them needs no
retraining.

Patterns match a keyword anywhere inside a token (jieba often glues 了/损失/我 to it) or a
short token sequence with a few tokens between. A safety or refund word right after a negation
("没有漏电", "不用赔偿") does not count; neither does "一样的问题" in "不一样的问题".
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

SPAN_KEY = "severity_signals"
Pattern = list[dict[str, Any]]


def contains(*words: str) -> dict[str, Any]:
    return {"TEXT": {"REGEX": "|".join(re.escape(w) for w in words)}}


def starts(*words: str) -> dict[str, Any]:
    return {"TEXT": {"REGEX": "^(?:" + "|".join(re.escape(w) for w in words) + ")"}}


def exact(*words: str) -> dict[str, Any]:
    return {"TEXT": {"IN": list(words)}}


def gap(most: int) -> dict[str, Any]:
    return {"OP": f"{{0,{most}}}"}


COUNT = {"TEXT": {"REGEX": "^(?:好|[两二三四五六七八九十几多2-9])+(?:次|回|遍)"}}
NTH = {"TEXT": {"REGEX": "^第(?:二|三|四|五|六|七|八|九|十|[2-9])(?:次|回)"}}
TARGETS = contains("厂家", "厂商", "主机厂", "品牌方", "总部", "总公司", "集团", "总行",
                   "总校", "分行", "上级行", "上级部门", "上级公司", "主管部门", "省公司", "开发商",
                   "院长")
REPAIRED = starts("修好", "修完", "刚修", "修过", "刚换", "刚装")
FAILURES = ("坏", "出", "犯", "漏", "响", "断", "停", "掉", "堵", "亮", "开始", "不行", "发生", "故障",
            "卡", "黑屏", "死机", "跳闸", "异响", "抖", "不制冷", "不加热", "不转")
PUBLIC = ("网上", "微博", "抖音", "小红书", "朋友圈", "论坛", "头条", "微信群")

PATTERNS: dict[str, list[Pattern]] = {
    "external": [
        [contains("12315", "12345", "12398", "12300", "消协", "消费者协会", "工信部", "银保监",
                  "金融监管", "市场监管", "工商局", "能源监管", "通信管理局", "住建局", "房管局",
                  "卫健委", "教育局", "医患办", "协会", "人民银行", "媒体", "记者", "电视台",
                  "曝光", "律师", "起诉", "法院", "打官司", "举报", "黑猫", "市长热线", "信访",
                  "上访", "维权", "街道办", "法律", "诉讼", "仲裁", "报社", "新闻", "监督管理",
                  "市监局", "管理局", "投诉平台", "政府热线", "发帖", "帖子",
                  # Taiwan and Hong Kong consumer bodies, after t2s (消基會, 消保官, 消委會)
                  "消基会", "消保官", "消保会", "消委会", "消费者委员会", "消保处", "申诉专线",
                  "立法会", "议员", "上法庭", "告上")],
        [starts("投诉", "反映", "举报", "告"), gap(3), TARGETS],
        [exact("向", "到", "去", "找", "跟"), gap(1), TARGETS],
        [contains("发", "挂", "晒", "传", "放"), gap(2), contains(*PUBLIC)],
        [contains(*PUBLIC), gap(2), contains("发", "挂", "晒", "曝")],
        [{"TEXT": {"REGEX": "^(?:发|挂|晒|传|放)(?:到|在)?(?:" + "|".join(PUBLIC) + ")"}}],
    ],
    "safety": [
        [contains("漏电", "触电", "电麻", "麻手", "起火", "着火", "失火", "冒烟", "黑烟", "冒火",
                  "火星", "烧焦", "焦味", "糊味", "漏气", "泄漏", "爆炸", "自燃", "安全隐患", "危险",
                  "出人命", "差点出事", "追尾", "车祸", "失控", "砸伤", "人身安全", "受伤", "烫伤",
                  "感染", "化脓", "过敏", "困人", "下坠", "打错针", "用错药", "开错药", "拿错药",
                  "熄火", "抛锚", "爆胎", "鼓包", "刹不住")],
        [{"TEXT": {"REGEX": "火花(?!塞)"}}],
        [exact("万一", "真", "要是", "会", "怕", "别", "迟早", "差点"), starts("出事")],
        [contains("刹车", "制动", "气囊", "安全带", "方向盘", "转向", "轮胎"), gap(2),
         starts("失灵", "失效", "不灵", "发软", "软", "抱死", "没反应", "卡死", "锁死", "脱落",
                "松动", "掉", "故障", "异常", "不对劲", "抖", "发抖", "跑偏")],
        [{"TEXT": {"REGEX": "(?:燃气|煤气|天然气|液化气)(?:味|泄|漏)"}}],
        [contains("燃气", "煤气", "天然气", "液化气"), gap(4), contains("漏", "泄", "味")],
        [contains("电线", "线路", "插座", "插头", "开关", "电箱", "表箱", "充电器", "适配器", "电源",
                  "电路"),
         gap(2), starts("冒烟", "烧", "发烫", "着火", "裸露", "打火", "短路", "冒火")],
        [contains("电梯"), gap(6), contains("困", "关人", "夹", "坠", "急停")],
        [contains("吊扇", "吊灯", "天花板", "玻璃", "墙皮", "广告牌", "瓷砖", "栏杆"), gap(3),
         starts("掉", "砸", "脱落", "坠", "碎", "塌")],
        [{"TEXT": {"REGEX": "打针|手术|伤口|用药|吃药|输液|针眼|^针$"}}, gap(5),
         contains("肿", "发炎", "出血", "感染", "过敏", "化脓", "裂")],
    ],
    "repeat": [
        [contains("又坏", "又出", "又犯", "又漏", "又响", "又断", "又停", "又掉", "又堵", "又亮",
                  "又开始", "又不行", "反复", "返修", "返工", "返厂", "老毛病", "老问题", "屡次",
                  "三番五次", "修了又坏", "再次出现", "再次发生", "再次故障")],
        [exact("又", "又是", "再次", "再一次"), starts(*FAILURES)],
        [exact("同样", "一样", "同一个", "相同", "同一"), gap(1), starts("问题", "故障", "毛病")],
        [contains("隔三岔五", "三天两头", "反反复复", "一次又一次"), gap(1), starts(*FAILURES)],
        [exact("又"), exact("不", "没"),
         starts("制冷", "加热", "转", "亮", "通", "出水", "工作", "好使", "能用", "信号")],
        [starts("坏", "出问题", "故障"), gap(2), NTH],
        [contains("修", "上门", "坏"), gap(2), COUNT],
        [NTH, gap(2), starts("修", "返修", "报修", "来修", "维修", "坏", "上门", "故障")],
        [REPAIRED, gap(4), starts("坏", "又坏")],
        [REPAIRED, gap(6), exact("又"), starts(*FAILURES, "来")],
    ],
    "refund": [
        [contains("退款", "退钱", "退费", "退还", "返还", "赔偿", "赔钱", "索赔", "补偿", "全额退",
                  "退货", "误工费")],
        [exact("赔", "赔给", "包赔")],
        [{"TEXT": {"REGEX": "^退(?:给|回|还)"}}],
        [exact("退"), exact("给", "回来", "回", "还", "我")],
        [exact("必须", "要求", "赶紧", "马上", "全部", "全额"), exact("退")],
        [contains("钱"), gap(2), exact("退", "退了", "退回", "退给", "退还")],
    ],
}
NEGATIONS: dict[str, set[str]] = {
    "safety": {"没有", "没", "无", "未", "不是", "排除", "不会", "并没有", "没发现", "未发现",
               "有没有", "是否"},
    "repeat": {"不"},
    "refund": {"不用", "不需要", "无需", "不必", "不要"},
}


def _first_token_regex(pattern: Pattern) -> str:
    """A regex that finds, anywhere in a text, every token the pattern's first token spec
    accepts (anchors dropped: a superset is enough for a prefilter)."""
    spec = pattern[0]["TEXT"]
    if "IN" in spec:
        return "|".join(re.escape(word) for word in spec["IN"])
    assert "[^" not in spec["REGEX"]
    return spec["REGEX"].replace("^", "").replace("$", "")


PREFILTER = re.compile("|".join(f"(?:{_first_token_regex(pattern)})"
                                for patterns in PATTERNS.values() for pattern in patterns))


class SeverityRules:
    """Marks high-severity signals as spans in doc.spans["severity_signals"]."""

    def __init__(self, vocab: Vocab) -> None:
        self.matcher = Matcher(vocab)
        for kind, patterns in PATTERNS.items():
            self.matcher.add(kind, patterns)

    def __call__(self, doc: Doc) -> Doc:
        if not PREFILTER.search(doc.text):
            # Most texts hold no trigger word at all: the Matcher's regex predicates on every
            # token would cost more than the three classifier heads together.
            doc.spans[SPAN_KEY] = []
            return doc
        spans = []
        for match_id, start, end in self.matcher(doc):
            kind = doc.vocab.strings[match_id]
            if not self._negated(doc, kind, start):
                spans.append(Span(doc, start, end, label=kind))
        doc.spans[SPAN_KEY] = filter_spans(spans)
        return doc

    @staticmethod
    def _negated(doc: Doc, kind: str, start: int) -> bool:
        negations = NEGATIONS.get(kind, set())
        return start > 0 and doc[start - 1].text in negations


@Language.factory("complaints_severity_rules")
def make_severity_rules(nlp: Language, name: str) -> SeverityRules:
    return SeverityRules(nlp.vocab)


def signals(doc: Doc) -> list[str]:
    """`kind:matched text` for each signal, in text order."""
    return [f"{span.label_}:{span.text}" for span in doc.spans.get(SPAN_KEY, [])]
