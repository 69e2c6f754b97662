"""Secure by default: which secrets each process needs, what makes one unusable, and the
refusal to start with an unusable one outside dev mode (docs/security.md, "Before going live").

Standard library only and Python 3.10-compatible on purpose: the Rasa launcher imports it in
the Rasa virtualenv, where neither pydantic-settings nor the rest of huifang is installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping

MIN_SECRET_LENGTH = 24
GENERATE_HINT = 'python -c "import secrets;print(secrets.token_urlsafe(32))"'
DEV_MODE_VARIABLE = "HUIFANG_DEV_MODE"

# Values that once shipped as examples or defaults; refused whatever their length.
KNOWN_PLACEHOLDERS = frozenset({
    "change-me-rasa-token", "change-me-internal-token", "dev-intake-key",
    "change-me-console-secret", "change-me", "changeme", "secret", "password",
})

# The secrets each process holds, by setting name (HUIFANG_<NAME> in the environment).
PROCESS_SECRETS: dict[str, tuple[str, ...]] = {
    "gateway": ("rasa_token", "internal_token"),
    "scheduler": ("internal_token", "intake_api_keys"),
    "console": ("console_secret_key",),
    "actions": ("action_server_token", "internal_token"),
    "rasa": ("rasa_token", "action_server_token"),
}
# Needed only in some configurations: gateway in Telegram webhook mode.
WEBHOOK_SECRET = "telegram_webhook_secret"


def variable(name: str) -> str:
    return f"HUIFANG_{name.upper()}"


def weakness(value: str | None) -> str | None:
    """Why `value` cannot be used as a secret, or None if it can."""
    if value is None or not value.strip():
        return "is not set (or empty)"
    if value.strip().lower() in KNOWN_PLACEHOLDERS:
        return "is a published placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is too short ({len(value)} characters, at least {MIN_SECRET_LENGTH})"
    if len(set(value)) < 6:
        return "has too few distinct characters"
    return None


def problems(secrets: Mapping[str, Iterable[str | None] | str | None]) -> list[str]:
    """One line per unusable secret; a list-valued setting (several API keys) must be
    non-empty and every member usable."""
    found = []
    for name, value in secrets.items():
        values = [value] if value is None or isinstance(value, str) else list(value)
        if not values:
            found.append(f"{variable(name)} is not set (or empty)")
        for one in values:
            why = weakness(one)
            if why:
                found.append(f"{variable(name)} {why}")
                break
    return found


def refusal(process: str, found: list[str]) -> str:
    lines = [f"huifang {process}: refusing to start outside dev mode with unusable secrets:"]
    lines += [f"  - {line}" for line in found]
    lines += [f"Set each variable (environment or .env) to a random value, e.g. {GENERATE_HINT}",
              f"or, on a development machine only, set {DEV_MODE_VARIABLE}=true "
              "(`make run` does). See docs/security.md."]
    return "\n".join(lines)


def dev_mode_from_environment(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(DEV_MODE_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def enforce(process: str, secrets: Mapping[str, Iterable[str | None] | str | None],
            dev_mode: bool) -> None:
    """Exit with status 2 and a message naming each variable to set, unless in dev mode."""
    found = problems(secrets)
    if found and not dev_mode:
        print(refusal(process, found), file=sys.stderr)
        raise SystemExit(2)


def _plain(value: object) -> Iterable[str | None] | str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]  # type: ignore[misc]
    return value.get_secret_value()  # type: ignore[attr-defined]


def secrets_of(process: str, settings: object) -> dict[str, Iterable[str | None] | str | None]:
    """The secrets `process` needs under `settings`, as plain strings."""
    names = list(PROCESS_SECRETS[process])
    if process == "gateway" and getattr(settings, "telegram_webhook_url", None):
        names.append(WEBHOOK_SECRET)
    return {name: _plain(getattr(settings, name)) for name in names}


def enforce_for(process: str, settings: object) -> None:
    """The start-up check of one process (`python -m bot`, `-m scheduler`, `-m console`, the
    action server); `settings` is huifang.settings.Settings."""
    enforce(process, secrets_of(process, settings), bool(getattr(settings, "dev_mode")))
