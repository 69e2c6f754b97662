"""Aspect and polarity cue words, as extra features for the linear heads.

N-grams only see words next to each other. Whether a clause praises or blames an aspect
often needs two words that are apart ("价格比外面的快修店还便宜", "等的时间一点都不长"), and a
few thousand training texts cannot show every pairing. So each clause also yields
*conjunction* features: which aspects it names (ASPECTS) and whether its evaluative words are
positive or negative (POLARITY, flipped by a negation right before them: 不贵, 没让我等,
不专业). The heads learn what "a price word in a positive clause" means once, from every text
that has one, and apply it to phrasings they never saw.

The lists are hand-written for this project from the DOMAIN.md taxonomy; all text is
Simplified (Traditional input is converted first).
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

ASPECTS: dict[str, tuple[str, ...]] = {
    "attitude": ("态度", "脸色", "语气", "口气", "耐心", "耐烦", "热情", "客气", "礼貌", "冷漠",
                 "冷冰冰", "凶", "骂", "吵架", "怼", "白眼", "理不理", "答不理", "没人理", "不理",
                 "理人", "推诿", "踢皮球", "推来推去", "推卸", "嫌", "黑脸", "黑面", "傲慢",
                 "甩脸", "横", "亲切", "和气", "友善", "笑", "服务员", "大声", "嗆", "机车", "冇人理",
                 "搭理", "不承认", "不认账", "不归我管", "吼", "阴阳怪气"),
    "quality": ("修好", "修不好", "没修", "修完", "维修", "质量", "技术", "手艺", "水平", "故障",
                "毛病", "问题", "返工", "返修", "坏", "不制冷", "不冷", "漏水", "漏", "异响",
                "断网", "掉线", "断线", "停电", "网速", "弄坏", "刮", "划", "损坏", "粗糙",
                "敷衍", "仔细", "细致", "彻底", "解决", "找到", "歪", "干活", "活干", "装得",
                "修得", "做得", "洗得", "检查", "效果", "电压", "冇修好", "测速", "兆", "还是响",
                "照样", "白修", "跳闸", "堵"),
    "timeliness": ("等", "慢", "快", "久", "拖", "迟到", "准时", "及时", "排队", "小时", "钟头",
                   "分钟", "天", "效率", "进度", "按时", "超时", "速度", "半天", "一上午",
                   "一下午", "礼拜", "星期", "周", "晚", "早", "催", "赶", "到得", "来得",
                   "时间", "马上", "立刻", "当天", "第二天"),
    "price": ("价", "费", "钱", "贵", "便宜", "收", "实惠", "划算", "账单", "扣", "报价", "发票",
              "块", "元", "押金", "年费", "优惠", "性价比", "值", "花了", "抢钱", "宰", "坑钱",
              "蚊", "千", "百"),
    "communication": ("通知", "告诉", "告知", "说明", "解释", "电话", "联系", "回复", "回电",
                      "接听", "打不通", "没人接", "不回", "承诺", "说好", "答应", "说法", "一致",
                      "沟通", "消息", "反馈", "讲清楚", "说清楚", "提前说", "跟我说", "没说",
                      "信息", "短信", "客服", "热线", "答复", "打通", "微信", "机器人"),
    "parts": ("配件", "零件", "原厂", "副厂", "原装", "缺货", "没货", "货", "产品", "机器", "设备",
              "光猫", "路由器", "电池", "电瓶", "滤芯", "压缩机", "主板", "型号", "质量", "新买",
              "刚买", "电表", "猫", "翻新", "新装", "新换", "杂牌", "冇货", "数据机", "机顶盒"),
    "environment": ("环境", "休息区", "休息室", "卫生", "干净", "脏", "停车", "车位", "厕所",
                    "洗手间", "大厅", "座位", "椅子", "拥挤", "挤", "吵", "设施", "取号机",
                    "叫号机", "ATM", "自助机", "WiFi", "wifi", "营业厅", "网点", "候诊", "空调",
                    "噪音", "味", "垃圾", "楼道", "路灯", "电梯", "整洁", "宽敞", "明亮"),
    "process": ("手续", "流程", "材料", "证明", "跑了", "趟", "预约", "约不上", "约上", "挂号",
                "签字", "审批", "审核", "繁琐", "复杂", "填", "表格", "本人", "原件", "复印件",
                "部门", "转来转去", "系统", "入口", "线上", "办理", "办", "补件", "盖章", "亲身", "跑一趟",
                "排满"),
    "other": ("推销", "骚扰", "广告", "营销", "隐私", "泄露", "抽烟", "烟味", "信号", "回访",
              "问卷", "评价", "拒赔", "被拒", "定损", "好评", "链接", "食烟", "烟头", "五星", "收讯",
              "不赔", "饭菜", "强制"),
}

NEGATIVE = ("差", "慢", "贵", "久", "不满", "失望", "垃圾", "坑", "烂", "黑", "乱", "脏", "吵",
            "挤", "难", "麻烦", "繁琐", "复杂", "没人", "拖", "迟到", "不行", "坏", "没修好",
            "修不好", "生气", "无语", "离谱", "过分", "投诉", "骗", "忽悠", "糊弄", "敷衍", "凶",
            "恶劣", "不耐烦", "冷漠", "凭什么", "怎么回事", "到底", "太", "根本", "还是", "又",
            "居然", "竟然", "莫名其妙", "不清楚", "不明白", "不透明", "白跑", "不给", "不认",
            "不管", "不理", "不回", "打不通", "没通知", "没说", "没告诉", "没解决", "一直",
            "半天", "好久", "老是", "总是", "气", "烦", "呵呵", "服了", "醉了", "崩溃", "寂寞",
            "缺", "没货", "漏", "异响", "故障", "问题", "毛病", "差劲", "糟糕", "可惜", "遗憾",
            "不舒服", "粗糙", "歪", "长", "刮", "划", "弄坏", "损坏", "多收", "乱收", "加钱", "扣",
            "嫌", "不专业", "爱答不理", "推诿", "踢皮球", "超扯", "傻眼", "机车", "好嬲", "冇人",
            "唔", "离大谱", "栓Q", "无语子", "破防", "emo", "吐槽", "不爽", "闹心", "心累",
            "折腾", "冇修好", "冇通知", "冇消息", "难吃", "白眼", "个屁", "个寂寞")
POSITIVE = ("好", "满意", "不错", "快", "准时", "及时", "便宜", "实惠", "合理", "公道", "透明",
            "专业", "耐心", "热情", "客气", "干净", "方便", "简单", "清楚", "仔细", "细心", "周到",
            "贴心", "赞", "谢谢", "感谢", "辛苦", "放心", "靠谱", "给力", "棒", "顺利", "满分",
            "五星", "好评", "值", "划算", "舒服", "整洁", "宽敞", "礼貌", "和气", "亲切", "准",
            "高效", "利索", "麻利", "彻底", "认真", "负责", "用心", "暖心", "窝心", "点赞", "优秀",
            "完美", "省心", "可以", "还行", "没毛病", "没问题", "挺好", "表扬", "信赖", "推荐",
            "唔该", "多谢", "巴适", "安逸", "杠杠", "嘎嘎", "绝绝子", "yyds", "爱了", "讚")
# A negation right before an evaluative word flips it: 不贵, 没让我等, 不专业, 一点都不慢.
NEGATORS = ("不", "没", "没有", "别", "未", "无", "不太", "不够", "不怎么", "没让", "不用", "不会",
            "不算", "并不", "从不", "毫不", "唔", "冇")
CONTRAST = ("但是", "但", "不过", "可是", "可惜", "就是", "只是", "然而", "却", "唯一", "除了",
            "虽然", "虽说", "尽管", "不足", "改进", "希望", "建议")

CUE_OFFSET = 1 << 42  # keeps cue keys clear of word hashes and character n-gram keys


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], re.Pattern[str]]:
    aspect_of = {}
    for aspect, words in ASPECTS.items():
        for word in words:
            aspect_of.setdefault(word, aspect)  # a word listed twice keeps its first aspect
    aspect_re = re.compile(_alternation(tuple(aspect_of)))
    polarity_re = re.compile(f"(?P<neg>{_alternation(NEGATIVE)})|(?P<pos>{_alternation(POSITIVE)})")
    negated_re = re.compile(f"(?:{_alternation(NEGATORS)})(?:[一点都也还太很让我]{{0,3}})$")
    return aspect_re, aspect_of, polarity_re, negated_re


def _key(name: str) -> int:
    return CUE_OFFSET + zlib.crc32(name.encode("utf-8"))


def clause_polarity(text: str) -> tuple[int, int]:
    """How many positive and negative evaluative words the text holds, negation applied."""
    _, _, polarity_re, negated_re = _patterns()
    positive = negative = 0
    for match in polarity_re.finditer(text):
        flipped = bool(negated_re.search(text[max(0, match.start() - 5):match.start()]))
        if (match.lastgroup == "pos") != flipped:
            positive += 1
        else:
            negative += 1
    return positive, negative


def cue_keys(text: str) -> list[int]:
    """Feature keys of one clause: its polarity, its aspects, and each aspect with the
    polarity ("price|pos" for 收费合理, "price|neg" for 收费太黑)."""
    aspect_re, aspect_of, _, _ = _patterns()
    positive, negative = clause_polarity(text)
    polarity = ("pos" if positive > negative else "neg" if negative > positive
                else "both" if positive else "none")
    aspects = {aspect_of[m.group()] for m in aspect_re.finditer(text)}
    names = [f"polarity:{polarity}", *(f"{a}|{polarity}" for a in aspects)]
    if any(word in text for word in CONTRAST):
        names.append(f"contrast|{polarity}")
    return [_key(name) for name in names]
