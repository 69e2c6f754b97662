"""Reading the bot's messages the way a customer does: which question is this, is it written
in my script, did it just tell me it did not understand a plain number.

Nothing here knows the product's message keys or Rasa slots; it reads visible text only, so
rewording a question within reason, or reordering a template, does not break the suite."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opencc import OpenCC

from huifang.surveys import SurveyTemplate

_to_simplified = OpenCC("t2s")
_to_traditional = OpenCC("s2t")
_to_hong_kong = OpenCC("s2hk")

KINDS = ("overall", "solved", "category", "dimension", "nps", "comment", "confirm")

# Each pattern is tried on the message converted to Simplified, in this order.
_CATEGORY = re.compile(r"哪(个|些)?方面|什么方面|哪里(让您)?不满意|哪方面的问题")
_NPS = re.compile(r"推荐给|推荐意愿|推荐我们|推荐.{0,6}亲友")
_OVERALL = re.compile(r"总体满意|整体满意|总体(的)?(评价|感受|打分)|处理结果打个?分")
_SOLVED = re.compile(r"解决了吗|是否(已经|已)?解决|解决了没|有没有解决|问题(已经)?解决了?[吗？?]")
_COMMENT = re.compile(r"意见或建议|意见和建议|还有(什么|其他|别的).{0,8}(意见|建议|想说|补充)")
_CONFIRM = re.compile(r"记为.{0,20}(对吗|是吗|可以吗|确认)|(对吗|是吗|没错吧)[？?]\s*$")
_TIME = re.compile(r"\d{1,2}[:：]\d{2}")
_NOT_UNDERSTOOD = re.compile(r"没(太)?看懂|没(太)?明白|看不懂|不明白您的意思|无法理解|没能理解")
_CLEAR_NUMBER = re.compile(
    r"\d+(\.\d+)?\s*(分|星|颗星|%|％)?|满分|[零一二两三四五六七八九十百]+\s*(分|星|颗星)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# what must never reach a customer: internals, placeholders, the familiar 你 of a stranger
_LEAKS = re.compile(r"/[a-z_]+\{|[{}]|\bNone\b|\bnull\b|utter_|action_|Traceback|Exception|你")


def simplified(text: str) -> str:
    return _to_simplified.convert(text)


@dataclass(frozen=True)
class Question:
    kind: str
    label: str | None = None  # the dimension's label

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.label}" if self.label else self.kind


def question_in(text: str, template: SurveyTemplate) -> Question | None:
    """The question `text` asks, or None for anything that is not a question of the survey
    (greetings, thanks, apologies, acknowledgements)."""
    plain = simplified(text)
    if _CATEGORY.search(plain):
        return Question("category")
    if _NPS.search(plain):
        return Question("nps")
    for dimension in template.dimensions:
        if f"「{dimension.label}」" in plain or (dimension.label in plain and "分" in plain
                                                 and not _OVERALL.search(plain)):
            return Question("dimension", dimension.label)
    if _OVERALL.search(plain):
        return Question("overall")
    if _SOLVED.search(plain):
        return Question("solved")
    if _COMMENT.search(plain):
        return Question("comment")
    if _CONFIRM.search(plain):
        return Question("confirm")
    return None


# OpenCC's own Traditional forms, which neither Taiwan nor Hong Kong writes (為, 核, 才 there)
_NEITHER_REGION = re.compile("[爲覈纔僞衆啓]")


def is_traditional(text: str) -> bool:
    """Nothing in it changes when converted to Traditional (to Hong Kong's forms, where 户 is
    written so), and none of it is in OpenCC's forms that no region writes."""
    return (_to_traditional.convert(text) == text or _to_hong_kong.convert(text) == text) \
        and not _NEITHER_REGION.search(text)


def is_simplified(text: str) -> bool:
    return _to_simplified.convert(text) == text


def writes_traditional(text: str) -> bool:
    """The customer wrote at least one character that only Traditional script uses."""
    return _to_simplified.convert(text) != text


def leaks(text: str) -> str | None:
    """What in a bot message is not polite Chinese for a customer (None when fine)."""
    if not _CJK.search(text):
        return "no Chinese in it"
    found = _LEAKS.search(text)
    return f"contains {found.group(0)!r}" if found else None


def says_not_understood(text: str) -> bool:
    return bool(_NOT_UNDERSTOOD.search(simplified(text)))


def is_clear_number(text: str) -> bool:
    return bool(_CLEAR_NUMBER.search(simplified(text)))


def clock_times(text: str) -> list[str]:
    """HH:MM times named in a message, normalised to two-digit hours."""
    return [f"{int(t[:-3]):02d}:{t[-2:]}" for t in
            (m.group(0).replace("：", ":") for m in _TIME.finditer(text))]


def has_time(text: str) -> bool:
    return bool(_TIME.search(text))
