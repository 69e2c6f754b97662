"""Phone numbers and secrets masked in every log line of every process, tracebacks included.

Secrets are those that travel inside URLs, where a library's request log would print them:
query parameters such as Rasa's `?token=`, a Telegram bot token in `/bot<token>/` paths, and
a web-chat link token in `/chat/<token>` and `/webchat/<token>/` paths.

Standard library only and Python 3.10-compatible on purpose: the Rasa server loads it in the
Rasa virtualenv through `rasa_logging.yml` (`--logging-config-file`), where the rest of huifang
is not installed. The app's processes install it through `huifang.masking.configure_logging`.

Two layers, because other libraries replace handlers and formatters after we install ours:
- `MaskingFilter` on a handler masks the record itself — message, arguments, the formatted
  traceback and stack — so whatever formatter prints it prints masked text (coloredlogs, which
  Rasa and rasa-sdk install, keeps a replaced handler's filters);
- `MaskingFormatter` masks the whole formatted line of the handlers we own.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from pathlib import Path
from types import TracebackType

DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
RASA_LOGGING_CONFIG = Path(__file__).with_name("rasa_logging.yml")
MASK = "*"

_SEP = r"[ \-]?"
_CC = r"(?:\+|00)"
# Each pattern: an optional country code (kept), then the national number. The mainland mobile
# keeps its first three and last four digits ("138****5678", as support staff read them); every
# other number keeps its last four digits only. Order matters: masked digits are no longer
# digits, so a later pattern cannot match inside an earlier one's result.
_PATTERN_SOURCES: list[tuple[str, int]] = [
    # mainland mobile: 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, 0086138…
    (rf"(?<![\d+])(?P<cc>{_CC}?86{_SEP})?(?P<number>1[3-9]\d(?:{_SEP}\d{{4}}){{2}})(?!\d)", 3),
    # Taiwan mobile: 0912-345-678, 0912345678, +886 912 345 678
    (rf"(?<![\d+])(?:(?P<cc>{_CC}?886{_SEP})(?P<number>9\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}})"
     rf"|(?P<local>09\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}))(?!\d)", 0),
    # Taiwan landline with its code: +886 2 2345 6789, +886-7-123-4567
    (rf"(?<![\d+])(?P<cc>{_CC}?886{_SEP})(?P<number>[2-8]{_SEP}\d{{3,4}}{_SEP}\d{{4}})(?!\d)", 0),
    # mainland landline with the country code: +86 10 1234 5678, +86-755-1234567
    (rf"(?<![\d+])(?P<cc>{_CC}?86{_SEP})(?P<number>[2-9]\d{{1,2}}{_SEP}\d{{3,4}}{_SEP}\d{{4}}"
     rf"|10{_SEP}\d{{4}}{_SEP}\d{{4}})(?!\d)", 0),
    # landlines with a trunk 0 (mainland 010-12345678 / 0755-1234567, Taiwan 02-2345-6789):
    # area code in brackets, or separated, or all digits at full length
    (rf"(?<![\d+])(?P<local>\(0\d{{1,3}}\)\s?\d{{3,4}}{_SEP}\d{{4}}"
     rf"|0\d{{1,3}}-\d{{3,4}}-?\d{{4}}|0[1-9]\d{{8,10}})(?!\d)", 0),
    # Hong Kong: +852 9123 4567, 85291234567; without the code only as 9123 4567 / 9123-4567
    (rf"(?<![\d+])(?:(?P<cc>{_CC}?852{_SEP})(?P<number>[2-9]\d{{3}}{_SEP}\d{{4}})"
     rf"|(?P<local>[2-9]\d{{3}}[ \-]\d{{4}}))(?!\d)", 0),
]
_PATTERNS = [(re.compile(source), keep_first) for source, keep_first in _PATTERN_SOURCES]

# (pattern, replacement): the part a reader needs stays (parameter name, bot id, path)
_SECRETS = [
    (re.compile(r"(?i)([?&](?:token|auth_token|access_token|api_key|apikey|key|secret|password"
                r"|start)=)[A-Za-z0-9._~%+/=-]+"), r"\1" + MASK * 3),
    (re.compile(r"(?<!\d)(\d{5,15}):[A-Za-z0-9_-]{30,}"), r"\1:" + MASK * 3),
    (re.compile(r"(/(?:chat|webchat)/)[A-Za-z0-9_-]{16,}"), r"\1" + MASK * 3),
]


def _mask_digits(text: str, keep_first: int, keep_last: int = 4) -> str:
    total = sum(ch.isdigit() for ch in text)
    seen, out = 0, []
    for ch in text:
        if ch.isdigit():
            seen += 1
            if keep_first < seen <= total - keep_last:
                ch = MASK
        out.append(ch)
    return "".join(out)


def _masker(keep_first: int):  # type: ignore[no-untyped-def]
    def replace(match: re.Match[str]) -> str:
        groups = match.groupdict()
        if groups.get("local"):
            return _mask_digits(groups["local"], 0)
        return (groups.get("cc") or "") + _mask_digits(groups["number"], keep_first)

    return replace


def mask_text(text: str) -> str:
    """`text` with URL secrets and every phone number of the supported formats masked."""
    for secret, replacement in _SECRETS:
        text = secret.sub(replacement, text)
    for pattern, keep_first in _PATTERNS:
        text = pattern.sub(_masker(keep_first), text)
    return text


def mask_record(record: logging.LogRecord) -> None:
    """Mask a record in place (message, arguments, traceback, stack), once."""
    if getattr(record, "_huifang_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: keep both, masked
        message = f"{record.msg!s} {record.args!r}"
    record.msg, record.args = mask_text(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    record._huifang_masked = True


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class MaskingFormatter(logging.Formatter):
    """A logging.Formatter (or a wrapper around another one) whose whole output is masked."""

    def __init__(self, fmt: str | None = DEFAULT_FORMAT, datefmt: str | None = None,
                 style: str = "%", validate: bool = True, *,
                 inner: logging.Formatter | None = None) -> None:
        super().__init__(fmt, datefmt, style, validate)  # type: ignore[arg-type]
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        mask_record(record)
        text = self.inner.format(record) if self.inner is not None else super().format(record)
        return mask_text(text)


def mask_handler(handler: logging.Handler) -> None:
    if not any(isinstance(f, MaskingFilter) for f in handler.filters):
        handler.addFilter(MaskingFilter())
    if not isinstance(handler.formatter, MaskingFormatter):
        handler.setFormatter(MaskingFormatter(inner=handler.formatter or logging.Formatter()))


def _handlers() -> list[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)]
    return [handler for logger in loggers for handler in logger.handlers]


def _log_uncaught(kind: type[BaseException], value: BaseException,
                  tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("huifang").critical("uncaught exception", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def install(level: int | None = None) -> None:
    """Mask every handler now configured (a stderr handler is added if the root has none), and
    log uncaught exceptions through them instead of printing raw tracebacks."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(MaskingFormatter(DEFAULT_FORMAT))
        root.addHandler(handler)
    for handler in _handlers():
        mask_handler(handler)
    if level is not None:
        root.setLevel(level)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
