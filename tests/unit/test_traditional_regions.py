"""Traditional readers get their region's standard forms. OpenCC's plain s2t, used before, gave
neither Taiwan's nor Hong Kong's: every Traditional customer read "爲您" and "覈實"."""

from __future__ import annotations

import pytest

from huifang.db.models import Locale
from huifang.script import rendered, script_of

QUESTION = "问题处理得怎么样？请为处理结果打个分（5 分为非常满意），主管会联系您，请留意消息。"


def test_traditional_is_rendered_in_taiwans_forms_and_wording() -> None:
    said = rendered(QUESTION, Locale.TRADITIONAL)
    assert said == "問題處理得怎麼樣？請為處理結果打個分（5 分為非常滿意），主管會聯絡您，請留意訊息。"
    assert rendered("绑定成功！我们会尽快核实，优化流程。", Locale.TRADITIONAL) == \
        "綁定成功！我們會盡快核實，優化流程。"  # not s2twp's 繫結 / 最佳化, nor s2t's 覈


def test_hong_kong_traditional_is_rendered_in_hong_kongs_forms() -> None:
    said = rendered("请为处理结果打分，说说里面的情况。", Locale.TRADITIONAL_HK)
    assert said == "請為處理結果打分，説説裏面的情況。"


def test_simplified_is_left_as_written() -> None:
    assert rendered(QUESTION, Locale.SIMPLIFIED) == QUESTION


@pytest.mark.parametrize("text, current, expected", [
    ("好滿意", None, Locale.TRADITIONAL),
    ("沒關係", None, Locale.TRADITIONAL),  # 係 is standard written Chinese too
    ("冇問題，搞掂咗", None, Locale.TRADITIONAL_HK),
    ("搞掂咗", Locale.TRADITIONAL, Locale.TRADITIONAL_HK),  # no Traditional character of its own
    ("搞掂咗", Locale.SIMPLIFIED, Locale.SIMPLIFIED),  # Cantonese in Simplified stays Simplified
    ("5", Locale.TRADITIONAL_HK, Locale.TRADITIONAL_HK),
    ("满意", Locale.TRADITIONAL_HK, Locale.TRADITIONAL_HK),
    ("满意", None, Locale.SIMPLIFIED),
])
def test_the_script_follows_what_the_customer_writes(text: str, current: Locale | None,
                                                     expected: Locale) -> None:
    assert script_of(text, current) == expected
