"""Reading a rating (`parse_score`, `read_rating`), a yes/no (`parse_yes_no`) and the short
replies that steer the survey (closing remarks, "skip", "that is wrong") from a customer's free
text.

The rules are docs/score-reading.md; the words, units and emoji are the tables in
actions/answer_vocabulary.py. A score is read in this order: numbers (including stars and
100-point answers), then 满分/💯, then words, then emoji — the first that says something wins.
`parse_score` reads strictly on the question's scale; `read_rating`, what the conversation
uses, also reads a clear number written on another scale and says which (a `Rating` with
`written_as`), so that the bot can say the conversion back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace


from actions.answer_vocabulary import (
    ADVERB_LINKS,
    BARE_CHINESE_PREFIXES,
    BARE_YES_WORDS,
    BUSY_WORDS,
    CHINESE_DIGITS,
    CHINESE_NUMERAL_CHARS,
    CLEAN_ENDINGS,
    CLOSING_FILLERS,
    CLOSING_WORDS,
    CONTRAST_MARKERS,
    PERSISTENCE_WORDS,
    CORRECTION_MARKERS,
    EMOJI_SCORES,
    FRACTION_DENOMINATORS,
    FREE_UNITS,
    FRIENDLY_EMOJI,
    GO_AHEAD_FILLERS,
    GO_AHEAD_WORDS,
    GOODBYE_WORDS,
    INDIFFERENT_WORDS,
    MAX_MARKERS,
    NOT_SCORE_PREFIXES,
    NOTHING_IN_PARTICULAR_WORDS,
    NUMBER_NEGATORS,
    OPT_OUT_CODES,
    OPT_OUT_WORDS,
    POSITIVE_FROM,
    PROBLEM_STATE_WORDS,
    QUESTION_WORDS,
    RANGE_CONNECTORS,
    READING_TROUBLE_WORDS,
    SCALE_5_WORDS,
    SCALE_10_WORDS,
    SCALE_LABEL_PREFIXES,
    SCALE_LABEL_SUFFIXES,
    SCORE_NEGATORS,
    SKIP_WORDS,
    STAR_SYMBOLS,
    STATE_CLAUSE_FILLERS,
    STILL_WORDS,
    THANKS_WORDS,
    THUMBS_UP,
    UNITS,
    UNSURE_FILLERS,
    UNSURE_WORDS,
    WRONG_PERSON_LATIN_WORDS,
    YES_NO_NEGATORS,
    YES_NO_SCOFFS,
    YES_NO_WORDS,
    Unit,
    YesNo,
)
from huifang.script import to_simplified

SCALES = (5, 10)

# Variation selectors and the keycap mark: 5️⃣ reads as 5, ☺️ as ☺.
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u20e3"))
_PERCENT_WORDS = re.compile("百分之?百|百分之([零〇一二两三四五六七八九十\\d.]+)")
_ARABIC = re.compile(r"\d+(?:[./:\-~]\d+)*")
_FULL_MARKS = re.compile("满分(?:是|为)?\\s*(\\d+|[一二三四五六七八九十百]+)\\s*分")
_CHINESE = re.compile(f"[{''.join(sorted(CHINESE_NUMERAL_CHARS))}]+")


def normalise(text: str) -> str:
    """Simplified Chinese, half-width, lower case; 百分之九十 → 九十%."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = to_simplified(text).lower().strip()
    return _PERCENT_WORDS.sub(lambda match: f"{match.group(1) or 100}%", text)


# --- numbers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Number:
    """A number written in the text; a range (八九, 4到5) keeps both ends."""

    low: float
    high: float
    start: int
    end: int
    chinese: bool = False
    denominator: int | None = None  # 7/10


@dataclass(frozen=True)
class _Reading:
    value: float
    unit: Unit
    denominator: int | None = None


def _arabic_numbers(text: str) -> list[_Number]:
    numbers = []
    for match in _ARABIC.finditer(text):
        groups = re.findall(r"\d+", match.group())
        separators = re.findall(r"[./:\-~]", match.group())
        whole_parts = groups[:1] if separators == ["."] else groups
        if any(len(part) > 1 and part.startswith("0") for part in whole_parts):
            continue  # 0013, 03: parts of phone numbers and dates
        low, high = int(groups[0]), int(groups[-1])
        number = _Number(low, low, match.start(), match.end())
        if not separators:
            numbers.append(number)
        elif separators == ["."]:
            numbers.append(replace(number, low=float(match.group()), high=float(match.group())))
        elif separators == ["/"] and high in FRACTION_DENOMINATORS and low <= high:
            numbers.append(replace(number, denominator=high))
        elif separators in (["-"], ["~"]) and low < high <= 100:
            numbers.append(replace(number, high=high))
        # anything else is a time (3:30), a date (3/15, 2024-03-05) or a phone number
    return numbers


def _below_hundred(run: str) -> int | None:
    tens, ten, ones = run.partition("十")
    if not ten:
        return CHINESE_DIGITS.get(run)
    tens_value = CHINESE_DIGITS.get(tens, -1) if tens else 1
    ones_value = CHINESE_DIGITS.get(ones, -1) if ones else 0
    return None if min(tens_value, ones_value) < 0 else tens_value * 10 + ones_value


def _chinese_bounds(run: str) -> tuple[int, int] | None:
    """一百 → (100, 100), 八十五 → (85, 85); ranges 八九 → (8, 9), 七八十 → (70, 80)."""
    if run in ("百", "一百"):
        return 100, 100
    exact = _below_hundred(run)
    if exact is not None:
        return exact, exact
    core, factor, offset = run, 1, 0
    if run.endswith("十"):
        core, factor = run[:-1], 10
    elif run.startswith("十"):
        core, offset = run[1:], 10
    if len(core) == 2 and all(char in CHINESE_DIGITS for char in core):
        low, high = CHINESE_DIGITS[core[0]], CHINESE_DIGITS[core[1]]
        if 0 < low < high:
            return offset + low * factor, offset + high * factor
    return None


def _number_word(word: str) -> int | None:
    """10 or 十 → 10 (a range or anything else → None)."""
    if word.isdigit():
        return int(word)
    bounds = _chinese_bounds(word)
    return bounds[0] if bounds and bounds[0] == bounds[1] else None


def _chinese_numbers(text: str) -> list[_Number]:
    numbers = []
    for match in _CHINESE.finditer(text):
        bounds = _chinese_bounds(match.group())
        if bounds is not None:
            numbers.append(_Number(*bounds, match.start(), match.end(), chinese=True))
    return numbers


def _merge_ranges(numbers: list[_Number], text: str) -> list[_Number]:
    """4到5分 is one answer, 4 to 5 points, so the unit after 5 also applies to 4."""
    merged: list[_Number] = []
    for number in sorted(numbers, key=lambda number: number.start):
        previous = merged[-1] if merged else None
        if (previous is not None and previous.denominator is None
                and number.denominator is None and previous.high < number.low
                and text[previous.end:number.start].strip() in RANGE_CONNECTORS):
            merged[-1] = replace(previous, high=number.high, end=number.end)
        else:
            merged.append(number)
    return merged


def _longest_prefix(text: str, words: Collection[str]) -> str | None:
    return max((word for word in words if text.startswith(word)), key=len, default=None)


def _is_separator(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] in "PS"


def _ends_thought(rest: str) -> bool:
    return not rest or _is_separator(rest[0]) or rest.startswith(CLEAN_ENDINGS)


def _is_adverb(number: _Number, unit: str, rest: str) -> bool:
    """十分满意 is "very satisfied"; 打十分 and 十分吧 are ten points."""
    if not (number.chinese and number.low == number.high == 10 and unit == "分"):
        return False
    for link in ADVERB_LINKS:
        rest = rest.removeprefix(link)
    return bool(rest) and "\u4e00" <= rest[0] <= "\u9fff" and not rest.startswith(CLEAN_ENDINGS)


_CLAUSE_PUNCTUATION = ",.!?;:'\""
_ASSIGNMENT = re.compile(r"\w=\w")


def _is_code_char(char: str) -> bool:
    return char.isascii() and char.isprintable() and not char.isspace() \
        and char not in _CLAUSE_PUNCTUATION


def _in_code(text: str, start: int, end: int) -> bool:
    """alert(1), 1=1: a number in a run of Latin letters or code is not an answer. Seen in use:
    `<img src=x onerror=alert(1)>` at the first question was read as 1 and escalated."""
    while start > 0 and _is_code_char(text[start - 1]):
        start -= 1
    while end < len(text) and _is_code_char(text[end]):
        end += 1
    run = text[start:end]
    return any(char.isascii() and char.isalpha() for char in run) \
        or bool(_ASSIGNMENT.search(run))


def _reading(number: _Number, text: str) -> _Reading | None:
    """What a written number says as an answer, or None when it is not a score."""
    if _in_code(text, number.start, number.end):
        return None
    before, after = text[:number.start], text[number.end:]
    stripped_before, stripped_after = before.rstrip(), after.lstrip()
    if number.low > 100 or (stripped_before[-1:].isascii() and stripped_before[-1:].isalnum()):
        return None
    if stripped_before.endswith(NOT_SCORE_PREFIXES + NUMBER_NEGATORS + SCALE_LABEL_PREFIXES):
        return None
    if stripped_after.startswith(SCALE_LABEL_SUFFIXES):
        return None
    if number.denominator is not None:
        return _Reading(number.low, Unit.PLAIN, number.denominator)
    unit = _longest_prefix(stripped_after, UNITS)
    if unit is None:
        bare_chinese_ok = (not before or _is_separator(before[-1])
                           or stripped_before.endswith(BARE_CHINESE_PREFIXES))
        if number.chinese and not bare_chinese_ok:
            return None
        return _Reading(number.low, Unit.PLAIN) if _ends_thought(after) else None
    rest = stripped_after[len(unit):]
    if UNITS[unit] is Unit.NOT_A_SCORE or _is_adverb(number, unit, rest):
        return None
    if unit not in FREE_UNITS and not _ends_thought(rest):
        return None
    return _Reading(number.low, UNITS[unit])


def _number_readings(text: str) -> list[_Reading]:
    numbers = _merge_ranges(_arabic_numbers(text) + _chinese_numbers(text), text)
    readings = [reading for number in numbers if (reading := _reading(number, text))]
    stars = sum(text.count(symbol) for symbol in STAR_SYMBOLS)
    if not readings and stars:
        readings.append(_Reading(min(stars, 5), Unit.STARS))
    return readings


def _from_hundred(value: float, scale: int) -> int | None:
    """A 100-point answer: bands of 20 on scale 5 (90 → 5), tens on scale 10 (85 → 8)."""
    points = math.floor(value)
    if not 0 <= points <= 100:
        return None
    if scale == 10:
        return points // 10
    return math.ceil(points / 20) or None


@dataclass(frozen=True)
class Rating:
    """A rating on the question's scale; `written_as` is what the customer wrote when it was on
    another scale ("10 分", "5 星", "90%"), None when it needed no conversion."""

    value: int
    written_as: str | None = None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _on_scale(reading: _Reading, scale: int) -> Rating | None:
    lowest = 0 if scale == 10 else 1
    if reading.denominator is not None and reading.denominator != scale:
        value = _from_hundred(reading.value * 100 / reading.denominator, scale)
        written = f"{_number(reading.value)}/{reading.denominator}"
        return Rating(value, written) if value is not None else None
    if reading.unit is Unit.PERCENT:
        value = _from_hundred(reading.value, scale)
        return Rating(value, f"{_number(reading.value)}%") if value is not None else None
    if reading.unit is Unit.STARS:
        stars = math.floor(reading.value * scale / 5)
        if not (reading.value <= 5 and lowest <= stars <= scale):
            return None
        return Rating(stars, f"{_number(reading.value)} 星" if scale != 5 else None)
    value = math.floor(reading.value)
    if lowest <= value <= scale:
        return Rating(value)
    converted = _from_hundred(value, scale) if 10 < value <= 100 else None
    return Rating(converted, f"{value} 分") if converted is not None else None


def _ten_point_on_five(readings: list[_Reading]) -> Rating | None:
    """A plain 0–10 number to a 1–5 question is a 10-point answer: 10 → 5, 8 → 4, 6 → 3, 0 → 1."""
    ten_point = [math.floor(r.value) for r in readings
                 if r.unit is Unit.PLAIN and r.denominator is None and 0 <= r.value <= 10]
    if not ten_point:
        return None
    value = min(ten_point)
    return Rating(max(1, math.ceil(value / 2)), f"{value} 分")


# --- words and emoji --------------------------------------------------------------------------

def _latin_letter(text: str, index: int) -> bool:
    return 0 <= index < len(text) and "a" <= text[index] <= "z"


def _whole_word(text: str, start: int, end: int) -> bool:
    """A phrase starting or ending in a Latin letter is a word only where no letter touches it:
    the "ok" of "broken" is none."""
    return not ((_latin_letter(text, start) and _latin_letter(text, start - 1))
                or (_latin_letter(text, end - 1) and _latin_letter(text, end)))


def _phrases(text: str, table: Mapping[str, object]) -> list[tuple[int, str]]:
    """Phrases of `table` in `text`, left to right, the longest at each position; a phrase
    hides the shorter ones inside it (不满意 hides 满意)."""
    longest = max(map(len, table))
    found = []
    position = 0
    while position < len(text):
        for size in range(min(longest, len(text) - position), 0, -1):
            candidate = text[position:position + size]
            if candidate in table and _whole_word(text, position, position + size):
                found.append((position, candidate))
                position += size
                break
        else:
            position += 1
    return found


def _negator_before(text: str, start: int, negators: Collection[str]) -> str | None:
    return max((word for word in negators if text[:start].endswith(word)), key=len, default=None)


def _word_score(text: str, scale: int) -> int | None:
    """The most specific (longest) phrase decides; equally specific ones → the lower value."""
    table = SCALE_5_WORDS if scale == 5 else SCALE_10_WORDS
    column = SCALES.index(scale)
    weighed: list[tuple[int, int]] = []
    for start, phrase in _phrases(text, table):
        value = table[phrase]
        if value is None:
            continue
        negator = _negator_before(text, start, SCORE_NEGATORS) if value >= POSITIVE_FROM[scale] \
            else None
        if negator:
            weighed.append((len(negator) + len(phrase), SCORE_NEGATORS[negator][column]))
        else:
            weighed.append((len(phrase), value))
    if not weighed:
        return None
    most_specific = max(size for size, _ in weighed)
    return min(value for size, value in weighed if size == most_specific)


def _emoji_score(text: str, scale: int) -> int | None:
    if text.count(THUMBS_UP) >= 2:
        return scale
    column = SCALES.index(scale)
    values = [scores[column] for emoji, scores in EMOJI_SCORES.items() if emoji in text]
    return min(values) if values else None


# --- the entry points -------------------------------------------------------------------------

def _read(text: str, scale: int, other_scales: bool) -> Rating | None:
    if scale not in SCALES:
        raise ValueError(f"scale must be 5 or 10, not {scale}")
    clean = normalise(text)
    readings = _number_readings(clean)
    if readings:
        ratings = [rating for reading in readings if (rating := _on_scale(reading, scale))]
        if ratings:
            return min(ratings, key=lambda rating: rating.value)
        return _ten_point_on_five(readings) if other_scales and scale == 5 else None
    if any(marker in clean for marker in MAX_MARKERS):
        named = _FULL_MARKS.search(clean)
        other = _number_word(named.group(1)) if named else None
        return Rating(scale, f"满分 {other} 分" if other not in (None, scale) else None)
    words = _word_score(clean, scale)
    value = words if words is not None else _emoji_score(clean, scale)
    return Rating(value) if value is not None else None


def parse_score(text: str, scale: int) -> int | None:
    """A rating on `scale` (5: 1–5, 10: 0–10), or None when nothing readable or out of range."""
    rating = _read(text, scale, other_scales=False)
    return rating.value if rating else None


def read_rating(text: str, entity: str | None, scale: int, other_scales: bool = True
                ) -> Rating | None:
    """The rating in a whole answer, else in the span the NLU tagged as `score`; a clear number
    on another scale is converted (and says so) unless `other_scales` is off (the held-out
    contract of docs/score-reading.md reads on the question's own scale only).

    The whole text comes first: the NLU's span often drops the number that decides
    ("还行，给4分吧" tagged 还行 would read 3, the customer said 4). An invitation to go on
    ("好，问吧") is no rating, as it is no yes."""
    if is_go_ahead(text):
        return None
    rating = _read(text, scale, other_scales)
    if rating is None and entity and entity != text and not _entity_in_code(text, entity):
        rating = _read(entity, scale, other_scales)
    return rating


def _entity_in_code(text: str, entity: str) -> bool:
    clean, span = normalise(text), normalise(entity)
    at = clean.find(span)
    return at >= 0 and _in_code(clean, at, at + len(span))


def read_score(text: str, entity: str | None, scale: int, other_scales: bool = True
               ) -> int | None:
    rating = read_rating(text, entity, scale, other_scales)
    return rating.value if rating else None


# what may stand beside the number of a bare score: 给个3分吧, 6分, 五星, 打10
_SCORE_WORDS = re.compile(r"[\d零〇一二两三四五六七八九十百.%\s分星颗点个给打就吧啊呀哦呢嘛啦~～!！。，,]+")


def is_bare_score(text: str) -> bool:
    """A score and nothing else ("6分吧", "给个3分", "2"): no answer to a question in words."""
    clean = normalise(text)
    return bool(_number_readings(clean)) and not _SCORE_WORDS.sub("", clean)


def has_number(text: str) -> bool:
    """Whether the text writes a number that could be a score (for a precise re-ask)."""
    return bool(_number_readings(normalise(text)))


# --- replies that steer the survey ------------------------------------------------------------

_PARTICLES = "啊呀哦吧啦呢嘛哈喔噢咯哟呗～~"


def _clauses(text: str) -> list[str]:
    """The text cut at punctuation, spaces and emoji."""
    clauses, current = [], []
    for char in normalise(text):
        if _is_separator(char) or char in _PARTICLES:
            clauses.append("".join(current))
            current = []
        else:
            current.append(char)
    clauses.append("".join(current))
    return [clause for clause in clauses if clause]


def _phrases_of(clause: str, words: Collection[str]) -> list[str] | None:
    """The clause as a run of `words` ("不用了谢谢" → 不用了, 谢谢), or None if it is not."""
    best: list[list[str] | None] = [[]] + [None] * len(clause)
    for end in range(1, len(clause) + 1):
        for start in range(end):
            head = best[start]
            if head is not None and clause[start:end] in words:
                best[end] = [*head, clause[start:end]]
                break
    return best[-1]


def _said_only(text: str, words: Collection[str]) -> list[str] | None:
    phrases: list[str] = []
    for clause in _clauses(text):
        run = _phrases_of(clause, words)
        if run is None:
            return None
        phrases += run
    return phrases or None


def _says_only(text: str, words: frozenset[str], besides: frozenset[str]) -> bool:
    """The text is nothing but `words` and `besides`, with at least one of `words`."""
    phrases = _said_only(text, words | besides)
    return phrases is not None and any(p in words for p in phrases)


def is_closing_remark(text: str) -> bool:
    """"没了，多谢", "就这样吧", "挺好的，没别的了": nothing to add, the customer is done."""
    return _says_only(text, CLOSING_WORDS | THANKS_WORDS, CLOSING_FILLERS)


def is_nothing_in_particular(text: str) -> bool:
    """"还好", "都還好啦" at "哪方面不满意？": no aspect in particular, nothing to record."""
    return _says_only(text, NOTHING_IN_PARTICULAR_WORDS, CLOSING_FILLERS)


def is_thanks_or_farewell(text: str) -> bool:
    """"没了，谢谢", "好的，再见", "🙏": nothing but thanks, closing words, a farewell or
    friendly emoji (a farewell inside a sentence is no farewell: "把垃圾也带走了")."""
    return _says_only(text, CLOSING_WORDS | THANKS_WORDS | frozenset(GOODBYE_WORDS),
                      CLOSING_FILLERS) or _is_friendly_emoji_only(text)


def _emoji_signs(text: str) -> list[str]:
    # skin tones and variation selectors (🙏🏻, ❤️) do not change what is said
    return [c for c in text if not c.isspace() and unicodedata.category(c) != "Mn"
            and not "\U0001F3FB" <= c <= "\U0001F3FF" and c != "\ufe0f"]


def _is_friendly_emoji_only(text: str) -> bool:
    signs = _emoji_signs(text)
    return bool(signs) and all(c in FRIENDLY_EMOJI for c in signs)


def is_emoji_only(text: str) -> bool:
    """"😡😡😡": symbols and nothing else, so no words to read."""
    signs = _emoji_signs(text)
    return bool(signs) and all(unicodedata.category(c) == "So" for c in signs)


def says_still(text: str) -> bool:
    """"还是漏水", "又坏了": the text says something is still, or again, the case."""
    clean = normalise(text)
    return any(word in clean for word in STILL_WORDS)


def is_go_ahead(text: str) -> bool:
    """"好了，你问吧", "可以了，继续": the customer invites the questions and answers none."""
    return _says_only(text, GO_AHEAD_WORDS, GO_AHEAD_FILLERS)


def is_unsure_remark(text: str) -> bool:
    """"我不知道", "这个我也不清楚": nothing but the customer being unsure."""
    return _says_only(text, UNSURE_WORDS, UNSURE_FILLERS)


def says_wrong_person_in_latin(text: str) -> bool:
    """"wrong number", "not me": a wrong person said in English."""
    return _says_any(text, WRONG_PERSON_LATIN_WORDS)


def is_skip_request(text: str) -> bool:
    return _says_only(text, SKIP_WORDS, THANKS_WORDS)


def reads_as_correction(text: str) -> bool:
    """"不对，是4分", "打错了": the customer corrects the answer before."""
    clean = normalise(text)
    return any(marker in clean for marker in CORRECTION_MARKERS)


# Spaces break clauses, except between Latin words ("not fixed" is one clause).
_CLAUSE_BREAK = re.compile(r"[,.!?;:、~～…。，！？；：]+\s*|(?<![a-z'])\s+|\s+(?![a-z])")


def _yes_no_answers(clause: str) -> set[YesNo]:
    if clause.rstrip(_PARTICLES) in BARE_YES_WORDS:
        return {YesNo.YES}
    asks = clause.endswith("吗") or any(word in clause for word in QUESTION_WORDS)
    answers: set[YesNo] = set()
    for start, phrase in _phrases(clause, YES_NO_WORDS):
        answer = YES_NO_WORDS[phrase]
        if answer is YesNo.YES and (_negator_before(clause, start, YES_NO_NEGATORS)
                                    or clause[start + len(phrase):].startswith(YES_NO_SCOFFS)):
            answer = YesNo.NO
        if answer is not None and not (asks and answer is YesNo.YES):
            answers.add(answer)
    return answers


def _verdict(answers: set[YesNo]) -> bool | None:
    strong = answers - {YesNo.WEAK_YES}
    if YesNo.UNCLEAR in answers or len(strong) > 1:
        return None
    if strong:
        return strong.pop() is YesNo.YES
    return True if answers else None


def _is_bare_answer(clause: str) -> bool:
    """The clause says nothing but yes or no ("没解决", "是的呀")."""
    return _phrases_of(clause.rstrip(_PARTICLES), YES_NO_WORDS.keys()) is not None


def _answer_clauses(text: str) -> list[str]:
    """The normalised text cut at punctuation and spaces (not between Latin words)."""
    return [c for c in _CLAUSE_BREAK.split(normalise(text)) if c]


def says_only_yes_or_no(text: str) -> bool:
    """"没解决！", "没有啊", "解决个屁": nothing but a yes or no, in every clause."""
    clauses = _answer_clauses(text)
    return bool(clauses) and all(_is_bare_answer(_without_scoff(c)) for c in clauses)


def _without_scoff(clause: str) -> str:
    for scoff in YES_NO_SCOFFS:
        if clause.endswith(scoff):
            return clause[:-len(scoff)]
    return clause


def parse_yes_no(text: str) -> bool | None:
    """Was the problem solved? True / False, or None when mixed or unclear.

    The first clause that answers decides; later clauses usually describe it ("解决了，异响现在
    完全没有了": the noise is gone, not a no). A later clause takes the answer back only when
    it is a bare answer itself ("是的，没解决") or opens with "but" and is about the problem
    itself ("解决了，但是又坏了", not "解决了，不过态度不太好"): then the answer is unclear and
    the question is asked again. A clause that asks ("什么时候能修好") gives no yes."""
    if is_go_ahead(text):  # "好了，你问吧": its 好了 is no yes
        return None
    clauses = _answer_clauses(text)
    readings = [(clause, answers) for clause in clauses if (answers := _yes_no_answers(clause))]
    if not readings:
        return None
    everything = set().union(*(answers for _, answers in readings))
    whole = _verdict(everything)
    if whole is not None or YesNo.UNCLEAR in everything:
        return whole
    first = next((i for i, (_, answers) in enumerate(readings) if _verdict(answers) is not None
                  and answers != {YesNo.WEAK_YES}), None)
    if first is None:
        return None
    answer = _verdict(readings[first][1])
    for clause, answers in readings[first + 1:]:
        taken_back = _is_bare_answer(clause) or (clause.startswith(CONTRAST_MARKERS)
                                                 and _about_the_problem(clause))
        if taken_back and _verdict(answers) not in (None, answer):
            return None
    return answer


def _about_the_problem(clause: str) -> bool:
    return any(word in clause for word in (*PROBLEM_STATE_WORDS, *PERSISTENCE_WORDS))


def _states_the_problem(clause: str) -> bool:
    """The clause is a plain statement of the problem's state ("问题也解决了", "根本没修好"),
    not a description that mentions it ("等了三个小时才修好")."""
    core = clause.rstrip(_PARTICLES)
    for filler in STATE_CLAUSE_FILLERS:
        core = core.replace(filler, "")
    return any(word in core for word in PROBLEM_STATE_WORDS) and _is_bare_answer(core)


def mentions_solved(text: str) -> bool | None:
    """Whether an answer to another question also says if the problem was solved ("5分，问题
    也解决了"): read only from its clauses that state the problem's state, never from a generic
    yes or no or from a story that mentions the fix."""
    clauses = _answer_clauses(text)
    stating = [c for c in clauses if _states_the_problem(c)]
    return parse_yes_no("，".join(stating)) if stating else None


# "会推荐给朋友", "不会介绍给别人": the customer recommending us to someone (not staff
# recommending something to the customer: 推荐我换个配件); or a clause that is nothing but
# the customer's will to recommend ("肯定会推荐", "不太会推荐吧")
_RECOMMENDS_US = re.compile(r"(推荐|介绍)给?(朋友|别人|身边|亲戚|家人|同事|邻居|亲友|其他人|大家)")
_BARE_RECOMMENDATION = re.compile(r"我?[会不愿意肯定一绝对应该可能太很非常十分强烈也都还]*"
                                  r"(推荐|介绍)[的吧啊呀哦了啦]*")


def mentions_recommendation(text: str) -> int | None:
    """Whether an answer to another question also says if the customer would recommend us
    ("5分，会推荐给朋友"), on the 0-10 scale, read from that clause alone as the
    recommendation question reads words. A clause with a number in it is left alone: the
    number is another answer."""
    clauses = _answer_clauses(text)
    saying = [c for c in clauses
              if _RECOMMENDS_US.search(c) or _BARE_RECOMMENDATION.fullmatch(c)]
    if len(saying) != 1 or has_number(saying[0]):
        return None
    return read_score(saying[0], None, 10, other_scales=False)


def words_besides_the_answer(text: str) -> str:
    """The text without a bare yes or no leading it ("冇，收費貴咗好多" → "收費貴咗好多"): that
    word answers our question and is no part of the complaint, and the classifier, which
    learnt from complaints, can take a leading "no" as "no problem". An answer that names the
    problem's state ("没修好，…") is part of what was said and stays."""
    found = _CLAUSE_BREAK.search(text)
    if found is None or not found.start():
        return text
    head, rest = normalise(text[:found.start()]), text[found.end():]
    if not rest.strip() or not _is_bare_answer(head) or any(w in head for w in PROBLEM_STATE_WORDS):
        return text
    return rest


def _says_any(text: str, words: Collection[str]) -> bool:
    clean = normalise(text)
    return any(word in clean for word in words)


def is_busy_remark(text: str) -> bool:
    """"在开车，晚点再说": the customer asks to be contacted later."""
    return _says_any(text, BUSY_WORDS)


def is_indifferent_remark(text: str) -> bool:
    """"随便吧", "无所谓": the customer will not choose, and is not busy."""
    return _says_any(text, INDIFFERENT_WORDS)


def is_goodbye_remark(text: str) -> bool:
    """"好的，再见", "先这样吧": the customer takes leave."""
    return _says_any(text, GOODBYE_WORDS)


def is_opt_out_remark(text: str) -> bool:
    """"别再给我发了", "退订": the customer asks us to stop writing."""
    return _says_any(text, OPT_OUT_WORDS)


def is_opt_out_code(text: str) -> bool:
    """"T", "TD。", "STOP": an SMS opt-out code sent on its own."""
    return normalise(text).strip(" .!。！") in OPT_OUT_CODES


def is_reading_trouble(text: str) -> bool:
    """"字太小了看不清": a remark about reading the chat, not about the service."""
    return _says_any(text, READING_TROUBLE_WORDS)
