"""The words the answer parser reads (docs/score-reading.md), as plain tables.

Phrases are matched longest-first on text that is already Simplified, NFKC-normalised and
lower-cased. A phrase mapped to None is "neutral": it is consumed so that the shorter words
inside it are not read (好 in 好的, 是 in 但是).
"""

from __future__ import annotations

from enum import Enum

# --- numbers --------------------------------------------------------------------------------

CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_NUMERAL_CHARS = frozenset(CHINESE_DIGITS) | {"十", "百"}


class Unit(Enum):
    PLAIN = "plain"        # a bare number, or 个 / 分: read as the number itself
    STARS = "stars"        # N星 / N颗星: N on scale 5, 2N on scale 10
    PERCENT = "percent"    # 90% / 百分之九十: a 100-point answer
    NOT_A_SCORE = "none"   # times, dates, counts, money


# Words right after a number that say what it counts. Checked longest first, so 分钟 is a
# duration although 分 is a score, and 个小时 although 个 is a score.
UNITS: dict[str, Unit] = {
    "分": Unit.PLAIN, "多分": Unit.PLAIN, "个": Unit.PLAIN, "%": Unit.PERCENT,
    "星": Unit.STARS, "颗星": Unit.STARS, "个星": Unit.STARS, "颗": Unit.STARS,
    "⭐": Unit.STARS, "🌟": Unit.STARS, "★": Unit.STARS,
    **dict.fromkeys([
        "分钟", "分多钟", "多分钟", "分之", "分钱", "个小时", "个多", "个月", "个星期", "个礼拜", "个人",
        "个工作日", "小时", "钟头", "天", "号", "日", "月", "年", "点", "时", "周", "星期",
        "礼拜", "次", "遍", "趟", "回", "块", "元", "毛", "角", "岁", "倍", "楼", "层", "台",
        "辆", "件", "位", "名", "家", "公里", "里", "米", "斤", "折", "成", "万", "千", "多",
        "来", "几", "通", "条", "张", "单", "h", "min", "km",
    ], Unit.NOT_A_SCORE),
}

# Units after which anything may follow; after the others (个, 颗, a bare number) the number
# must end the thought: 给4个 is a score, 4个师傅 is not.
FREE_UNITS = frozenset({"分", "多分", "星", "颗星", "个星", "%", "⭐", "🌟", "★"})

# What may follow a number that ends the thought (besides punctuation, spaces and emoji).
CLEAN_ENDINGS = ("吧", "啊", "呀", "哦", "喔", "噢", "嘛", "呢", "了", "啦", "哈", "的", "吗",
                 "咯", "哟", "呗", "嗯", "左右", "上下", "以上", "就行", "就好", "就可以", "差不多")

# Words right before a number that make it a date, time, ordinal, duration or amount.
NOT_SCORE_PREFIXES = ("第", "星期", "周", "礼拜", "初", "每", "点", "#", "¥", "$", "等了",
                      "花了", "用了", "排了", "排队", "过了", "拖了", "晚了", "迟到", "电话",
                      "手机", "尾号")

# A Chinese numeral with no unit is read only after one of these (or at the start of a
# clause): 一 inside 万一 or 唯一 is not an answer.
BARE_CHINESE_PREFIXES = ("打", "给", "评", "是", "就", "选", "算", "个", "拿", "得", "有", "约",
                         "说", "写", "填")

# A number right after these is denied or bounded, not given: 不是3分, 不到5分.
NUMBER_NEGATORS = ("不是", "不到", "不止", "不给", "没有", "没到", "不值")

# A number that names the scale rather than answering it: 满分10分, 10分制, 5分满分.
SCALE_LABEL_PREFIXES = ("满分", "满分是", "满分为", "总分", "总分是")
SCALE_LABEL_SUFFIXES = ("分制", "分满分", "满分", "分为满分", "星制")

RANGE_CONNECTORS = ("到", "至", "或者", "或", "、", "-", "~")
FRACTION_DENOMINATORS = frozenset({5, 10, 100})

# 十分 followed by a word (十分满意, 十分的满意) is the adverb "very", not ten points.
ADVERB_LINKS = ("的", "地")

MAX_MARKERS = ("满分", "满星", "全五星", "💯")
STAR_SYMBOLS = ("⭐", "🌟", "★")

# --- words ----------------------------------------------------------------------------------

NEUTRAL_WORDS: dict[str, None] = dict.fromkeys([
    "好的", "好吧", "好像", "你好", "您好", "最好", "只好", "好几", "好多", "好久", "好在",
    "刚好", "正好", "好不容易", "好歹", "修好了", "修好", "好了", "没修好", "还没好", "没好",
    "说不好", "不好说", "不知道", "差点", "差一点", "出差", "相差", "不过", "不然", "不好意思",
])

SCALE_5_WORDS: dict[str, int | None] = {
    **NEUTRAL_WORDS,
    **dict.fromkeys([
        "非常满意", "很满意", "特别满意", "十分满意", "超级满意", "太满意了", "完美",
        "超满意", "特满意", "相当满意", "太满意", "好满意", "非常非常满意", "一百个满意",
        "非常的满意", "十分的满意", "特别的满意",
        "非常好", "特别好", "超级好", "太好了", "好极了", "非常棒", "太棒了", "超棒", "棒极了",
        "无可挑剔", "十全十美", "没得说", "没的说", "一流",
        "好正", "超正", "正到爆",  # Hong Kong: 正 "great"
    ], 5),
    **dict.fromkeys([
        "满意", "挺满意", "挺好", "不错", "很好", "好", "比较满意", "还算满意", "蛮满意",
        "还不错", "挺不错", "蛮好", "满好", "很棒", "棒", "赞", "好评", "不差", "没有不满意",
        "没什么不满意",
        "几好", "几满意", "唔错", "几唔错",  # Hong Kong: 幾好 "quite good"
        "不赖", "还不赖", "挺不赖",
    ], 4),
    **dict.fromkeys([
        "一般", "还行", "还可以", "凑合", "马马虎虎", "还好", "一般般", "中规中矩",
        "基本满意", "过得去", "说得过去", "还过得去", "普通", "将就", "不好不坏", "及格",
        "差不多", "中评", "还凑合",
        "麻麻哋", "麻麻地",  # Hong Kong: so-so
        "不算差", "不算太差", "就那样", "还差点",
    ], 3),
    **dict.fromkeys([
        "不满意", "不太满意", "不是很满意", "比较差", "差", "不满", "不好", "不太好", "不行",
        "不怎么样", "较差", "有点差", "差劲", "失望", "不咋地", "不咋样", "有点失望",
        "糟糕", "不太行", "不咋滴", "不咋的", "很糟", "有点烂", "唔得",
    ], 2),
    **dict.fromkeys([
        "非常不满意", "很不满意", "太差了", "极差", "很差", "糟糕透了", "特别不满意",
        "十分不满意", "超级不满意", "太不满意", "极不满意", "相当不满意", "一点都不满意",
        "一点也不满意", "非常不满", "很不满", "特别不满", "极其不满", "太差", "非常差",
        "特别差", "超级差", "好差", "太烂了", "烂透了", "垃圾", "非常失望", "太失望了",
        "好失望", "很失望", "一塌糊涂", "很糟糕", "太糟糕", "差评", "乱七八糟", "烂", "很烂",
        "太烂",
        "差到爆", "劲差",
    ], 1),
}

SCALE_10_WORDS: dict[str, int | None] = {
    **NEUTRAL_WORDS,
    **dict.fromkeys(["会员", "机会", "开会", "社会", "一会", "会不会"], None),
    **dict.fromkeys([
        "一定会", "肯定会", "绝对会", "非常愿意", "很愿意", "特别愿意", "十分愿意",
        "当然愿意", "当然会", "当然", "强烈推荐", "非常推荐", "一定推荐", "肯定推荐",
        "十分推荐", "必须的", "那必须", "肯定的", "一定的",
    ], 10),
    **dict.fromkeys([
        "会推荐", "愿意", "可以推荐", "应该会", "推荐", "会", "挺愿意",
    ], 8),
    **dict.fromkeys([
        "看情况", "说不好", "不一定", "可能吧", "一般", "不好说", "很难说", "难说", "可能",
        "可能会", "也许", "或许", "不确定", "会考虑", "考虑一下", "考虑考虑",
    ], 5),
    **dict.fromkeys([
        "不太会", "不太愿意", "不太可能", "不大可能", "可能不会", "应该不会", "不是很愿意",
    ], 3),
    **dict.fromkeys([
        "不会", "不愿意", "绝对不会", "肯定不会", "不可能", "绝不", "才不会", "不推荐",
        "没可能", "冇可能", "唔可能", "不会再来", "再也不来",
    ], 0),
}

# A phrase scoring at least POSITIVE_FROM is flipped by a negator written right before it:
# 不怎么满意 → 2, 一点都不推荐 → 0. Values per scale: (scale 5, scale 10).
POSITIVE_FROM = {5: 4, 10: 8}
SCORE_NEGATORS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(["不太", "不怎么", "不是很", "不是太", "不是特别", "不是非常", "不大", "不够",
                     "不算", "不很", "没那么", "没有那么", "没有很", "不太想"], (2, 3)),
    **dict.fromkeys(["不", "没", "没有", "并不", "不是", "不会", "不想"], (2, 0)),
    **dict.fromkeys(["一点都不", "一点也不", "完全不", "根本不", "绝对不", "肯定不", "绝不"],
                    (1, 0)),
    # Hong Kong (written Cantonese): 唔 is 不, 冇 is 没 (唔係好滿意 → 2, 好唔滿意 → 1, 唔會 → 0)
    **dict.fromkeys(["唔太", "唔系好", "唔系几", "唔系太", "唔算", "冇咁", "冇乜"], (2, 3)),
    **dict.fromkeys(["唔", "唔系", "冇", "唔会"], (2, 0)),
    **dict.fromkeys(["好唔", "非常唔", "极之唔", "极唔", "超唔", "劲唔", "一啲都唔", "完全唔"],
                    (1, 0)),
}


class YesNo(Enum):
    YES = "yes"
    NO = "no"
    WEAK_YES = "weak yes"   # 嗯: a yes only when nothing else is said
    UNCLEAR = "unclear"     # 不知道, 部分解决: forces "ask again"


# "我不知道", "这个不太清楚": the customer is unsure of the answer (not of who they are).
UNSURE_WORDS = frozenset(["不知道", "不清楚", "不确定", "不太清楚", "不太确定", "不是很确定", "说不好",
                          "不好说", "还不知道"])
UNSURE_FILLERS = frozenset(["我", "我也", "我真", "我还", "这个", "这", "那", "呃", "额", "嗯",
                            "也", "真", "还"])

YES_NO_WORDS: dict[str, YesNo | None] = {
    **dict.fromkeys([
        "但是", "可是", "就是", "只是", "要是", "还是", "于是", "总是", "老是", "是不是",
        "算是", "真是", "都是", "也是", "倒是", "像是", "是否", "对于", "对方", "对面",
        "对不起", "针对", "面对", "绝对", "核对", "不过", "不然", "不用", "不客气",
        "不好意思", "没关系", "没什么", "好的", "好像", "问题", "谢谢",
    ], None),
    **dict.fromkeys([
        "是", "是的", "对", "解决了", "已解决", "修好了", "好了", "没问题", "解决", "已经解决",
        "修好", "没有问题", "没什么问题", "没啥问题", "没有什么问题", "没有啥问题", "没有任何问题",
        "没毛病", "没事了", "没事", "没错", "没再坏", "没有再坏", "没再出现", "没有再出现",
        "正常了", "正常", "能用了", "能用", "可以用了", "可以用", "可以了", "恢复了", "恢复正常",
        "好多了", "ok",
        # Hong Kong (written Cantonese) and Taiwan, after Traditional → Simplified
        "搞掂", "搞掂咗", "搞掂了", "搞定", "搞定了", "搞定咗", "好咗", "整好", "整好咗", "整返好",
        "修好咗", "解决咗", "冇问题", "冇事", "冇事了", "得咗", "得了", "有解决", "有修好", "冇再坏",
        "系呀", "系啊", "系嘅",
        # the service itself back (a power, water, line or network repair)
        "来电了", "有电了", "通电了", "来水了", "有水了", "通水了", "有信号了", "有网了", "网通了",
        "能上网了", "线路通了", "宽带通了", "宽频通了",
        # English (Hong Kong customers mix it in); Latin words match only as whole words
        "yes", "y", "yep", "yeah", "yup", "ya", "okay", "fixed", "solved", "resolved", "sorted",
        "done", "works", "working", "work", "good", "fine", "all good",
        "✅", "✔", "☑", "👍", "👌", "🙆", "💯",
    ], YesNo.YES),
    **dict.fromkeys([
        "没有", "没", "不是", "没解决", "还没好", "还是坏的", "又坏了", "没修好", "否", "不",
        "未解决", "还没", "没好", "坏了", "坏", "还坏着", "不行", "还不行", "不能用", "用不了",
        "还是一样", "老样子", "有问题", "还有问题", "还有点问题", "不对", "问题还在", "问题依旧",
        "冇", "未好", "仲未好", "未搞掂", "仲未搞掂", "唔得", "仲系唔得", "仲系坏", "坏咗",
        "又坏咗", "冇用", "搞唔掂", "整唔好", "修唔好", "都系咁", "仲系咁", "依然系咁",
        "还是那样", "更严重", "更差", "更糟", "越来越差",
        "no", "n", "nope", "nah", "not yet", "broken", "still broken", "failed", "no good",
        "❌", "✖", "❎", "👎", "🙅",
    ], YesNo.NO),
    # 嗯 and 不错 are a yes only when nothing else is said: "没解决，不过师傅态度不错" is a no
    **dict.fromkeys(["嗯", "嗯嗯", "恩", "恩恩", "不错"], YesNo.WEAK_YES),
    **dict.fromkeys([
        *UNSURE_WORDS, "再看看", "看看再说", "待观察", "观察一下", "部分", "一部分", "差不多",
        "好一点", "好了一点", "好些了", "一半", "一大半", "大半", "大部分",
        # not tried yet
        "没试", "还没试", "没试过", "没来得及试", "还没来得及试", "还没用", "没用过",
    ], YesNo.UNCLEAR),
}

# A yes only when said alone (with a particle at most): Taiwan's "有啦" to "解決了嗎？". Inside a
# sentence 有 is no answer ("有师傅来过但是没修好" is a no).
BARE_YES_WORDS = frozenset(["有", "有的", "算是", "算是了", "还算是"])

# Written right before a yes-word these turn it into a no: 并没有解决, 还没修好, 没完全解决.
YES_NO_NEGATORS = ("没", "没有", "还没", "还没有", "并没有", "并没", "没能", "没有能", "未能",
                   "未", "不", "没有完全", "没完全", "不完全", "不能", "没法", "冇", "仲未", "唔",
                   "not ", "n't ", "n’t ", "never ", "no longer ")

# Written right after a yes-word these scoff at it: 解决个屁, 修好个鬼 mean "not at all".
YES_NO_SCOFFS = ("个屁", "个鬼", "个毛", "个头", "个p")

# A later clause opening with these takes back the answer before it: "解决了，但是又坏了" —
# when it is about the problem itself: a problem-state word, or one of PERSISTENCE_WORDS
# ("但是还是不行", "但是不彻底"). A "but" about anything else is a complaint beside the answer
# ("解决了，不过态度不太好").
CONTRAST_MARKERS = ("但是", "但", "可是", "不过", "只是", "然而", "就是")
PERSISTENCE_WORDS = ("又", "还是", "仍然", "依然", "依旧", "彻底", "完全", "问题", "不行", "没好",
                     "没用", "一样")

# A clause that asks ("什么时候能修好", "为什么还没好") gives no yes: its 修好 is what the customer
# is waiting for. A no in it still counts.
QUESTION_WORDS = ("什么时候", "啥时候", "何时", "几时", "几点", "哪天", "多久", "多长时间", "能不能",
                  "可不可以", "会不会", "能否", "要不要", "怎么", "为什么", "为啥", "咋")

# "Still" and "again": with a fault the model names (quality, parts), the fault is still there
# ("还是漏水", "车还是有异响", "仲係唔得"), however short the text.
STILL_WORDS = ("还是", "又", "仍然", "仍", "依然", "依旧", "照样", "照旧", "还在", "仲")

# Around a problem-state word in another question's answer, these may stand in a clause that
# is still a plain statement of the state: 问题也都解决了, 根本没修好, 基本上搞掂咗.
STATE_CLAUSE_FILLERS = ("问题", "故障", "毛病", "已经", "基本上", "基本", "根本", "全部", "完全",
                        "彻底", "现在", "也", "都", "已", "就")

# Words about the problem itself (not a generic yes or no): when another question's answer
# states one ("5分，问题也解决了"), the "solved?" question is answered too.
PROBLEM_STATE_WORDS = frozenset([
    "解决", "解决了", "已解决", "已经解决", "没解决", "未解决", "解决咗", "有解决",
    "修好", "修好了", "没修好", "修好咗", "有修好", "还没好", "又坏了", "还是坏的", "坏了",
    "还坏着", "正常了", "恢复了", "恢复正常", "能用了", "不能用", "用不了", "可以用了",
    "问题还在", "问题依旧", "没再坏", "没有再坏", "搞掂", "搞掂咗", "搞掂了", "搞定", "搞定了",
    "搞定咗", "好咗", "整好", "整好咗", "未搞掂", "仲未搞掂", "仲未好", "又坏咗", "坏咗",
    # English that Hong Kong customers mix in ("service ok la, fixed")
    "fixed", "solved", "resolved", "sorted", "broken",
])

# --- emoji ----------------------------------------------------------------------------------

THUMBS_UP = "👍"
# emoji → (scale 5, scale 10)
EMOJI_SCORES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(["👍", "😊", "🙂", "😀", "😃", "😄", "😁", "☺", "👌"], (4, 8)),
    **dict.fromkeys(["😐", "😑", "😶"], (3, 5)),
    **dict.fromkeys(["👎", "🙁", "☹", "😞", "😟"], (2, 3)),
    **dict.fromkeys(["😡", "🤬", "💢", "😠"], (1, 0)),
}

# --- replies that steer the survey (matched per clause, Simplified, trailing particles off) ---

# "Nothing (more) to say": at the comment question these finish the survey.
CLOSING_WORDS = frozenset([
    "没了", "没有了", "没有", "没", "无", "没啥了", "没啥", "没什么了", "没什么", "没别的了",
    "没别的", "没有别的了", "没有别的", "没其他的了", "没其他了", "没其它了", "没有其他的了",
    "没有其他了", "没其他", "没有其他", "没其他的", "没什么别的", "没什么其他的", "没别的事了",
    "没意见", "没有意见", "没建议", "没有建议", "没什么意见", "没啥意见", "没什么建议",
    "没啥建议", "没有意见和建议", "没意见没建议", "暂时没有", "暂时没有了", "暂时没了", "暂无",
    "就这样", "就这样了", "就这些", "就这些了", "就这么多", "就这么多了", "就酱", "这样就好",
    "这样就行", "就这样就好", "不用了", "不需要了", "没什么要说的", "没什么想说的", "没啥说的",
    "没啥好说的", "没什么好说的", "没有要补充的", "没有补充", "没要补充的", "不用补充",
    "都没有", "都没有了", "没事了", "没其他问题", "没有其他问题", "没别的问题",
    # Cantonese (Hong Kong) and Taiwan wording, after Traditional → Simplified
    "冇", "冇了", "冇啦", "冇喇", "冇嘢", "冇其他", "冇意见", "冇问题", "无其他", "无意见",
    "没意见了", "唔使", "唔使了", "不用啦", "就这样子",
    # "whatever" to "anything to add?" adds nothing
    "随便", "随意", "无所谓", "都行", "都可以", "是但", "冇所谓",
    # English, word by word ("no comment", "nothing else", "nope, thanks")
    "no", "nope", "nah", "nothing", "none", "nil", "whatever",
])
THANKS_WORDS = frozenset([
    "谢谢", "谢谢你", "谢谢你们", "谢谢您", "谢了", "多谢", "多谢了", "多谢你", "多谢你们",
    "感谢", "感谢你们", "非常感谢", "辛苦了", "辛苦你们了", "辛苦啦", "麻烦了", "谢谢啦",
    "唔该", "唔该晒", "多谢晒", "感恩", "thx", "thanks", "thank you", "3q",
])
# Said alongside a closing word, these add nothing: "挺好的，没别的了", "好的，就这样".
CLOSING_FILLERS = frozenset([
    "好的", "好", "好了", "嗯", "嗯嗯", "恩", "行", "行了", "可以了", "ok", "okay", "挺好的",
    "挺好", "都挺好的", "都挺好", "都很好", "很好", "不错", "挺不错的", "挺满意的", "很满意",
    "满意", "没事", "总体还行", "还行", "也没什么", "那就这样", "那就这样吧", "那没了", "再见",
    "拜拜", "祝好",
    "comment", "comments", "else", "more", "all", "that's", "for", "now",
])

# Inviting the questions ("好了，你问吧", back from "等下再说"): no answer to any of them; the
# fillers' 好了 or 可以了 is not "solved".
GO_AHEAD_WORDS = frozenset([
    "你问", "问", "请问", "继续", "接着问", "接着来", "你说", "开始", "可以开始了",
    "现在可以了", "现在方便了", "方便了", "有空了", "我有空了", "忙完了", "我忙完了",
    "回来了", "我回来了", "得闲了", "得闲喇", "有时间了", "我有时间了",
])
GO_AHEAD_FILLERS = frozenset(["好了", "好", "好的", "嗯", "嗯嗯", "行", "行了", "可以", "可以了",
                              "ok", "现在", "那", "那你"])

# Friendly emoji: a message of nothing else is thanks (after the end, "🙏" is no comment).
FRIENDLY_EMOJI = frozenset("🙏👍👌😊🙂😀😃😄😁☺❤💕💐🌹🌸👏🤝🥰😘🫡✌💪🎉🤗😉😆")

# At "哪方面不满意？": nothing in particular ("还好", "都还行"), so nothing to record as the problem.
NOTHING_IN_PARTICULAR_WORDS = frozenset([
    "还好", "都还好", "也还好", "还行", "都还行", "也还行", "还可以", "都还可以", "一般", "都一般",
    "挺好的", "都挺好的", "都挺好", "都好", "都行", "没什么特别的", "没啥特别的", "说不上来",
    "说不出来", "也说不上", "就那样", "冇乜嘢", "冇特别", "几好",
])

# Asking to leave a question unanswered (the 跳过 button does the same).
SKIP_WORDS = frozenset([
    "跳过", "跳过吧", "跳过这题", "跳过这个", "跳过这个问题", "下一个", "下一题", "下一个问题",
    "略过", "不想回答", "不想答", "不想说", "不回答", "不方便说", "不方便回答", "不评价",
    "不想评价", "不想打分", "不打分", "pass", "skip", "过", "下一步", "不想说了", "不想回答了",
    "不想答了", "不评价了", "不想评价了", "不想打分了", "不打分了",
])

# Before a score, these correct the answer just converted: "不对，是4分".
CORRECTION_MARKERS = ("不对", "错了", "打错", "说错", "写错", "按错", "我是说", "我说的是",
                      "应该是", "改成", "改为", "改一下", "更正", "不是这个")

# Saying "not now" (the NLU's busy_later is trusted only when the words say so, see
# docs/conversation.md "Interruptions the words must bear out").
BUSY_WORDS = (
    "忙", "没空", "没时间", "不方便", "开车", "开会", "上班", "下班", "工作中", "晚点", "晚些",
    "稍后", "等会", "等一会", "等下", "等一下", "待会", "一会儿", "回头", "改天", "明天", "下次再",
    "再说", "再聊", "再讲", "有事", "在外面", "现在不行", "不是时候", "没功夫",
    "唔得闲", "冇时间", "冇空", "迟啲", "晚啲", "等阵", "阵间",
)

# "Whatever": the customer is there but will not choose. The NLU hears busy in 随便吧; the
# words say no such thing, so nothing is put off (actions/interruptions.py).
INDIFFERENT_WORDS = (
    "随便", "随意", "都行", "都可以", "无所谓", "看着办", "随你", "爱咋", "懒得", "是但", "求其",
    "冇所谓", "whatever",
)

# Taking leave. A goodbye the NLU heard ends the survey only when one of these is said: "沒解決，
# 再不處理我就去找消保官" (read as goodbye) answers the open question and carries on.
GOODBYE_WORDS = (
    "再见", "再会", "拜", "掰", "白白", "88", "bye", "回见", "下次见", "改天见", "明天见",
    "先这样", "就这样", "就这么着", "就这些", "就这吧", "说完了", "聊完", "结束", "到这", "到此为止",
    "下了", "下线", "走了", "走咯", "溜了", "告辞", "晚安", "回聊", "撤", "不聊了", "不说了",
    "挂了", "闪了", "再聊", "下回", "祝好", "祝你们",
)

# Asking to stop the messages for good. An opt-out the NLU heard is acted on only when one of
# these says it (docs/conversation.md): the NLU also hears it in polite refusals of a single
# question ("不想说") and in code. Not when the message demands money back instead (退 in 退钱).
OPT_OUT_WORDS = (
    "退订", "取消订阅", "取消", "注销", "别发", "不要发", "别再发", "不要再发", "别给我发",
    "不要给我发", "别再给我发", "不要再给我发", "别老发", "天天发", "发个不停", "停发",
    "停止发送", "停止推送", "停止回访", "停止联系", "停止传送", "不要推送", "不要再推送", "别推",
    "别再推", "关闭通知", "关闭回访", "关掉回访", "关掉推送", "关闭推送", "关掉通知",
    "别打扰", "不要打扰", "别再打扰", "不要再打扰", "勿扰", "免打扰", "别烦", "别来烦",
    "别再来烦", "别再烦", "骚扰", "别联系", "不要联系", "别再联系",
    "不要再联系", "不用联系", "不用再联系", "别再联络", "不要再联络", "不想收", "不要再收",
    "不想再收", "不想再接", "拒收", "拒绝接收", "拒绝回访", "拒绝调查", "拒绝这种", "拒绝一切",
    "不接受回访", "不接受任何", "不需要回访", "不用回访", "不要回访", "不想被回访", "别再回访",
    "别回访", "退出回访", "退出调查", "不想参加", "不参加", "不想参与", "不参与", "不做问卷",
    "别再找我", "不要再找我", "别再来问", "别来问", "不用再问", "别再问",
    "删掉我", "删了我", "删除我", "把我从", "名单里删", "名单移除", "号码删", "号码从",
    "拉黑", "屏蔽", "别传", "不要传", "别再传", "不要再传", "莫再发", "勿要再发", "甭发",
    "唔好再", "唔使再", "唔好send", "唔好发", "stop", "unsubscribe", "td", "tuiding",
    "don't message", "dont message", "don't text", "no more message",
    "勿打扰", "勿再打扰", "勿再发", "勿再传", "不要再通知", "别再通知", "不用再发", "不必再发",
    "别往这发", "不要再用来发", "再给我推", "别再打来", "不要再打来", "别打来", "不要再寄", "别再寄",
    "不想做这个调查", "不想做调查", "别找我", "别问了", "别问我了", "不想再被", "里删",
    "再打扰", "再发我", "再给我发", "再发一条", "发一次",
    # homophone typos of 退订 and 再
    "退定", "退丁", "退顶", "腿订", "推订", "别在发", "不要在发",
)

# Without Chinese in it, a wrong person the NLU heard needs one of these ("wrong number").
WRONG_PERSON_LATIN_WORDS = ("wrong", "not me", "mistake", "not mine", "don't know you",
                            "dont know you")

# Sent on their own, these opt out ("回T退订" in SMS); inside other words they say nothing.
OPT_OUT_CODES = ("t", "回t", "拒绝", "退出", "停", "停止")

# Trouble reading or typing in the chat: a remark about the conversation, not the service.
READING_TROUBLE_WORDS = (
    "字太小", "字小", "字体小", "字好小", "字很小", "看不清", "看不见字", "眼睛不好", "眼花",
    "老花", "不会打字", "打字慢", "不识字", "不认字", "字太多",
)
