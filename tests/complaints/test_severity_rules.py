"""The rule layer: high-risk signals must be found; look-alikes must not be."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from complaints import components  # noqa: F401  (registers the tokenizer and the rule layer)
from complaints.pipeline import ComplaintClassifier
from huifang.script import to_simplified
from complaints.severity_rules import signals

HIGH = {
    "external": ["不给退钱我就去12315投诉", "再这样我就找媒体曝光", "我要投诉到厂家总部",
                 "我会发到网上让大家评评理", "准备把这事发朋友圈", "我已经咨询过律师了",
                 "你们不处理，我就去市场监督管理局", "這事我會反映到總公司", "直接向银保监投诉你们",
                 "实在不行就法院见", "再不处理我就发抖音", "再不處理我就去消基會申訴",
                 "我已經打去消保官那邊了", "再唔處理我就去消委會投訴", "我要告上法庭"],
    "safety": ["刹车失灵了", "刹车踩下去没反应", "家里漏电", "楼道里有燃气味", "电梯困人了",
               "插座冒火花", "伤口感染了", "高速上突然熄火", "電線冒煙了", "护士打错针了"],
    "repeat": ["修完没几天又坏了", "这已经是第三次返修了", "同样的问题修了三次",
               "修好没两天就坏了", "宽带隔三岔五断网", "空调又不制冷了", "老毛病又来了"],
    "refund": ["我要求全额退款", "多收的钱必须退给我", "耽误的时间你们得赔", "这钱我不认，必须退",
               "要求给个补偿", "不然就退货"],
}
NOT_HIGH = ["师傅检查了一下说没有漏电，放心了", "不用赔偿了，下次注意就行",
            "课程内容跟宣传不一样的问题解决了", "火花塞缺货，要等一周", "刹车片换了，踩着很舒服",
            "第二天一早就修好了", "等了三个小时才轮到我", "师傅很专业就是太贵了", "退订",
            "换完机油仪表盘还在报警", "三天两头打电话推销保险", "燃气灶修完以后检查了有没有漏气",
            "我要投诉这个师傅", "叫你们经理来",
            # two visits are not yet a repeat failure; being sent elsewhere is no threat
            "马桶修了两次还是堵", "网上挂号根本抢不到", "物业让我找开发商", "配件要从厂家调",
            "修完还是不制冷", "客服说网上可以办"]
CASES = [(text, kind) for kind, texts in HIGH.items() for text in texts]


@pytest.fixture(scope="module")
def rules_only() -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {
        "@tokenizers": "huifang.jieba_tokenizer.v1"}}})
    nlp.add_pipe("complaints_severity_rules")
    return nlp


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_signal_found(rules_only: Language, text: str, kind: str) -> None:
    found = signals(rules_only(to_simplified(text)))
    assert any(s.startswith(kind + ":") for s in found), found


@pytest.mark.parametrize("text", NOT_HIGH)
def test_no_signal(rules_only: Language, text: str) -> None:
    assert signals(rules_only(text)) == []


def test_rule_hits_make_the_classifier_say_high(classifier: ComplaintClassifier) -> None:
    results = classifier.classify([text for text, _ in CASES])
    assert [r.text for r in results if r.severity != "high"] == []
