"""Strong random values for every secret a Huifang process needs (as environment variables)."""

from __future__ import annotations

import json
import secrets


def strong_secrets() -> dict[str, str]:
    return {
        "HUIFANG_RASA_TOKEN": secrets.token_urlsafe(32),
        "HUIFANG_ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "HUIFANG_INTERNAL_TOKEN": secrets.token_urlsafe(32),
        "HUIFANG_INTAKE_API_KEYS": json.dumps([secrets.token_urlsafe(32)]),
        "HUIFANG_CONSOLE_SECRET_KEY": secrets.token_urlsafe(32),
    }
