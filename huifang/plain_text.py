"""What a customer typed, made unreadable as Rasa's `/intent{"entity": …}` syntax.

Pure Python without Rasa imports, so the app's tests can check it directly. Rasa reads a message
as an intent when its text, stripped of whitespace, starts with an ASCII slash (RegexMessageHandler,
the last step of every NLU pipeline). Leading invisible characters are dropped (they mean
nothing to a reader and hide a slash from a naive check) and a leading ASCII slash becomes the
full-width slash, which reads the same to NLU and to people.
"""

from __future__ import annotations

import re
import unicodedata

INTENT_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
NEUTRAL_PREFIX = "／"
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
# What plain_text() leaves of a typed `/intent`, `/intent{…}` or `/intent@0.9`.
_TYPED_INTENT = re.compile(f"{NEUTRAL_PREFIX}[A-Za-z_][A-Za-z0-9_-]*(?:$|[{{@])")


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def plain_text(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    words = text[start:end]
    if words.startswith(INTENT_PREFIX):
        return NEUTRAL_PREFIX + words[len(INTENT_PREFIX):]
    return words


def button_intent(payload: str) -> str | None:
    """The intent a button payload names (`/intent{…}` or `/intent`), None if it names none."""
    if not payload.startswith(INTENT_PREFIX):
        return None
    name = payload[len(INTENT_PREFIX):].split("{", 1)[0].split("@", 1)[0].strip()
    return name or None


def is_typed_intent(text: str) -> bool:
    """The customer typed Rasa's intent syntax (plain_text() made it harmless): it answers no
    question, whatever digits or words its payload holds."""
    return _TYPED_INTENT.match(text) is not None
