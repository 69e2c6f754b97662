"""Mask personal data before it reaches a log line or a supervisor's screen."""

from __future__ import annotations

import logging

from huifang.log_masking import DEFAULT_FORMAT, MaskingFormatter, install, mask_text

__all__ = ["configure_logging", "mask_dsn", "mask_name", "mask_text"]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def configure_logging(level: int = logging.INFO) -> None:
    """The logging of every Huifang process: one stderr handler on the root, every handler
    masked (huifang.log_masking), uncaught exceptions logged through it."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter(DEFAULT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    install(level)


def mask_dsn(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
