"""Every customer-facing sentence of the conversation, and its buttons.

Written once in Simplified Chinese; customers who write Traditional get the same text
converted with OpenCC (s2t), so both scripts can never drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from huifang.complaint_categories import CATEGORY_NAMES
from huifang.labels import LIKERT
from huifang.script import rendered, script_of


CATEGORY_LABELS = CATEGORY_NAMES

APOLOGY_BY_CATEGORY = {
    "attitude": "服务人员的态度让您不愉快，我们深表歉意。",
    "quality": "问题没有处理好，给您添麻烦了，非常抱歉。",
    "timeliness": "让您久等了，真的很抱歉。",
    "price": "关于收费的疑问，我们会认真核实并给您一个明确的答复。",
    "communication": "没有及时和您沟通说明，是我们做得不好。",
    "parts": "配件的问题耽误了您的时间，非常抱歉。",
    "environment": "感谢提醒，我们会尽快改善现场环境和设施。",
    "process": "手续给您带来了不便，我们会优化流程。",
    "other": "非常感谢您告诉我们这些。",
}

TEXTS = {
    "intro": (
        "您好！我是{brand}的服务回访助手。您{closed_on}办理的{service}（工单号 {ticket}）"
        "已经完成，想占用您一分钟，听听您的感受。随时回复“退订”即可不再收到回访。"
    ),
    "intro_recovery": "您好！我是{brand}的服务回访助手。关于您之前反映的问题，我们已安排专人处理，想了解一下处理结果。",
    "ask_overall": "您对本次服务的总体满意度如何？请点选，或直接回复 1–5 分（5 分为非常满意）。",
    "ask_solved": "您反映的问题解决了吗？",
    "ask_problem": "方便说说主要是哪方面不满意吗？可以点选，也可以直接说说具体情况。",
    "ask_dimension": "请为「{label}」打个分吧（1–5 分，5 分为非常满意）。",
    "ask_nps": "您有多大可能把我们推荐给亲友？请回复 0–10 分，10 分表示非常愿意。",
    "ask_comment": "最后，您对我们还有什么意见或建议吗？没有的话回复“没有”或点“跳过”就好。",
    "ask_recovery": "问题处理得怎么样？请为处理结果打个分（1–5 分，5 分为非常满意）。",
    "not_understood_rating": "抱歉，我没太看懂😅 请点选下面的选项，或直接回复{low}–{high}之间的数字。",
    "out_of_range": "这道题是 {low}–{high} 分哦，请点选下面的选项，或回复 {low}–{high} 之间的数字。",
    "converted": "{written} → 记为 {value} 分{label}。如有不对，直接回复正确的分数就好。",
    "corrected": "好的，已改为 {value} 分{label}。",
    "not_understood_yes_no": "抱歉，我没太看懂😅 请点选“已解决”或“未解决”。",
    "problem_not_a_score": "这一题不用打分哦😊",
    "problem_in_words": "抱歉让您不愉快了。方便用一两句话说说是哪方面吗？",
    "skipped": "没关系，这个问题我们先跳过。",
    "reading_help": "不好意思，字小看着费劲。您直接点下面的按钮回答就可以。",
    "solved_noted": "好的，问题解决了就好！",
    "recommendation_noted": "好的，您的推荐意愿我们记下了。",
    "feedback_complain": "您的意见我们已经记下了，会转给相关负责人跟进。",
    "feedback_praise": "谢谢您的肯定，我们会转达给服务人员！",
    "feedback_suggest": "谢谢您的建议，我们已经记录下来了。",
    "feedback_noted": "好的，您说的情况我们记下了。",
    "low_score_sorry": "抱歉没能让您完全满意。",
    "sorry_unhappy": "很抱歉这次没能让您满意。",
    "sorry_high": "非常抱歉给您带来这样的经历。",
    "escalated_now": "我们已请服务主管跟进，主管会在{deadline}前联系您。",
    "urgent_now": "您说的情况我们已经记下并转给了服务主管，主管会在{deadline}前联系您，请留意消息或来电。",
    "problem_noted": "您反映的问题已记下：{categories}。",
    "thanks_done": "感谢您的宝贵评价！祝您生活愉快～",
    "thanks_escalated": "再次感谢您的反馈。我们的服务主管会在{deadline}前联系您跟进处理，祝您生活愉快。",
    "request_human": "好的，已为您转人工。服务主管会在{deadline}前与您联系，请留意消息或来电。",
    "opt_out": "好的，已为您退订，今后不会再发送回访消息。打扰了，祝您生活愉快！",
    "opt_out_unclear": "抱歉，我没太看懂您的意思。如需退订回访消息，请直接回复“退订”。",
    "busy_later": "好的，不打扰您了！我们{when}再联系您。",
    "wrong_person": "非常抱歉打扰到您！可能是我们登记的联系方式有误，我们会尽快核实更正，不会再就此事打扰您。",
    "explain_purpose": (
        "我是{brand}的服务回访助手（自动消息）。您最近办理的{service}已经完成，我们想了解您是否满意，"
        "以便改进服务，只需一分钟。"
    ),
    "redirect": "抱歉，这个我帮不上忙😊 我们先继续完成回访吧。",
    "greet_back": "您好～",
    "you_are_welcome": "不客气～",
    "reminder": "您好，打扰了～之前的服务回访还差几个问题，方便的话请继续回复，一分钟就好。",
    "resume": "您好，我们继续刚才的回访吧～",
    "late_reply": "感谢您的留言，我们已经记录下来，会转给相关负责人。",
    "late_thanks": "不客气，祝您生活愉快～",
    "fallback": "抱歉，我没太明白您的意思。",
    "indifferent": "没关系，按您的真实感受回答就好😊",
    "idle_reply": "您好，我是服务回访助手。目前没有需要您评价的服务，如有其他问题请联系客服热线。",
}


def detect_script(text: str | None, current: str | None) -> str:
    """Traditional as soon as the customer writes Traditional characters."""
    return script_of(text, current).value


def payload(intent: str, **entities: Any) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def rating_buttons(question: str, scale: int) -> list[dict[str, str]]:
    if scale == 5:
        return [
            {"title": f"{n} {LIKERT[n]}", "payload": payload("inform_score", score=str(n),
                                                            question=question)}
            for n in range(5, 0, -1)
        ]
    return [
        {"title": str(n), "payload": payload("inform_score", score=str(n), question=question)}
        for n in range(10, -1, -1)
    ]


def yes_no_buttons(question: str) -> list[dict[str, str]]:
    return [
        {"title": "已解决", "payload": payload("affirm", question=question)},
        {"title": "未解决", "payload": payload("deny", question=question)},
    ]


def category_buttons(question: str) -> list[dict[str, str]]:
    return [
        {"title": label, "payload": payload("complain", category=code, question=question)}
        for code, label in CATEGORY_LABELS.items()
    ]


SKIP_INTENT = "skip"


def no_comment_button(question: str) -> dict[str, str]:
    """"没有了" at the last question: nothing to add (the same as skipping it)."""
    return {"title": "没有了", "payload": payload("deny", question=question)}


def skip_button(question: str) -> dict[str, str]:
    return {"title": "跳过", "payload": payload(SKIP_INTENT, question=question)}


def likert_label(value: int, scale: int) -> str:
    """"（非常满意）" for a 1–5 rating; nothing for a 0–10 one."""
    return f"（{LIKERT[value]}）" if scale == 5 and value in LIKERT else ""


@dataclass
class Speaker:
    """Sends replies in the customer's script."""

    dispatcher: CollectingDispatcher
    script: str

    def render(self, text: str) -> str:
        return rendered(text, self.script)

    def say(self, key: str, buttons: list[dict[str, str]] | None = None, **values: Any) -> None:
        self.say_text(TEXTS[key].format(**values), buttons)

    def say_text(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        rendered = [
            {"title": self.render(b["title"]), "payload": b["payload"]} for b in buttons or []
        ]
        self.dispatcher.utter_message(text=self.render(text), buttons=rendered)
