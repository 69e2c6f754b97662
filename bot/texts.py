"""Customer-facing texts the gateway writes itself (the conversation's own texts come from the
actions). Written once in Simplified Chinese; Traditional for customers with locale zh-Hant."""

from __future__ import annotations

from huifang.script import rendered

NON_TEXT = "抱歉，我暂时只能看懂文字消息😊 请直接用文字回复，或点选消息下方的按钮。"
UNKNOWN_COMMAND = "抱歉，我不认识这个指令。请直接用文字回复，或点选消息下方的按钮。"
BOUND = "绑定成功！今后的服务回访消息会通过这里发送给您，随时回复“退订”即可不再接收。"
BIND_FAILED = "抱歉，这个链接已失效或已被使用。如需帮助，请联系客服获取新的链接。"
WELCOME = "您好！我是服务回访助手，有服务回访时会在这里联系您。"
NOT_BOUND = "您好！请先点击服务单据或短信里的专属链接打开对话，我们才能找到您的服务记录。"
# Rasa did not answer: the message is kept and answered as soon as it can be (once an outage)
PROCESSING = "已收到您的回复，系统正在处理，稍后会继续和您对话，无需重复发送哦。"
ALREADY_CHOSEN = "已收到您的选择～"
STALE_BUTTON = "这个选项已经过期啦，请点选最新消息下方的按钮，或直接用文字回复。"
CHOSEN_MARK = "✅ 已选：{title}"
LINK_INVALID = "抱歉，这个聊天链接无效或已过期。如需帮助，请联系客服获取新的链接。"
TOO_FAST = "您的操作有点频繁，请稍等片刻再试。"


# the gateway's name for it: its texts are rendered in the customer's locale
localized = rendered
