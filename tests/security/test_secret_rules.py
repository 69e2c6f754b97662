"""huifang.secret_rules, rule by rule: what makes a secret unusable, which process needs which,
and that only dev mode lets a process start with an unusable one."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr

from huifang import secret_rules
from huifang.secret_rules import MIN_SECRET_LENGTH, enforce, problems, secrets_of, weakness
from huifang.settings import Settings

STRONG = secrets.token_urlsafe(32)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_empty_is_unusable(value: str | None) -> None:
    assert weakness(value) == "is not set (or empty)"


@pytest.mark.parametrize("value", sorted(secret_rules.KNOWN_PLACEHOLDERS))
def test_placeholders_are_unusable_whatever_their_length(value: str) -> None:
    assert weakness(value) == "is a published placeholder"
    assert weakness(value.upper()) == "is a published placeholder"


def test_short_is_unusable_and_says_how_short() -> None:
    short = STRONG[:MIN_SECRET_LENGTH - 1]
    assert weakness(short) == (f"is too short ({MIN_SECRET_LENGTH - 1} characters, "
                               f"at least {MIN_SECRET_LENGTH})")
    assert weakness(STRONG[:MIN_SECRET_LENGTH]) is None


def test_long_but_monotonous_is_unusable() -> None:
    assert weakness("a" * 40) == "has too few distinct characters"
    assert weakness("ab" * 20) == "has too few distinct characters"


def test_a_generated_secret_is_usable() -> None:
    assert weakness(secrets.token_urlsafe(32)) is None


def test_problems_name_the_variable_and_check_every_key_of_a_list() -> None:
    assert problems({"rasa_token": STRONG}) == []
    assert problems({"rasa_token": "short"}) == [
        f"HUIFANG_RASA_TOKEN is too short (5 characters, at least {MIN_SECRET_LENGTH})"]
    assert problems({"intake_api_keys": []}) == ["HUIFANG_INTAKE_API_KEYS is not set (or empty)"]
    assert problems({"intake_api_keys": [STRONG, "dev-intake-key"]}) == [
        "HUIFANG_INTAKE_API_KEYS is a published placeholder"]


def test_each_process_is_checked_for_its_own_secrets() -> None:
    settings = Settings(_env_file=None, rasa_token=SecretStr("r" + STRONG),
                        internal_token=SecretStr("i" + STRONG),
                        action_server_token=SecretStr("a" + STRONG),
                        console_secret_key=SecretStr("c" + STRONG),
                        intake_api_keys=[SecretStr("k" + STRONG)])
    assert secrets_of("gateway", settings) == {"rasa_token": "r" + STRONG,
                                               "internal_token": "i" + STRONG}
    assert secrets_of("scheduler", settings) == {"internal_token": "i" + STRONG,
                                                 "intake_api_keys": ["k" + STRONG]}
    assert secrets_of("console", settings) == {"console_secret_key": "c" + STRONG}
    assert secrets_of("actions", settings) == {"action_server_token": "a" + STRONG,
                                               "internal_token": "i" + STRONG}
    assert secrets_of("rasa", settings) == {"rasa_token": "r" + STRONG,
                                            "action_server_token": "a" + STRONG}


def test_the_webhook_secret_is_needed_in_webhook_mode_only() -> None:
    polling = Settings(_env_file=None)
    webhook = Settings(_env_file=None, telegram_webhook_url="https://example.com/telegram/webhook")
    assert "telegram_webhook_secret" not in secrets_of("gateway", polling)
    assert secrets_of("gateway", webhook)["telegram_webhook_secret"] is None
    assert problems({"telegram_webhook_secret": None})


def test_there_is_no_usable_default_secret() -> None:
    defaults = Settings.model_construct()  # the defaults in code, no environment
    for process in secret_rules.PROCESS_SECRETS:
        assert problems(secrets_of(process, defaults)), process


def test_enforce_exits_with_the_variable_and_how_to_generate_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        enforce("console", {"console_secret_key": "change-me-console-secret"}, dev_mode=False)
    assert refused.value.code == 2
    message = capsys.readouterr().err
    assert "HUIFANG_CONSOLE_SECRET_KEY is a published placeholder" in message
    assert secret_rules.GENERATE_HINT in message and "HUIFANG_DEV_MODE=true" in message


def test_dev_mode_lets_a_weak_secret_through(capsys: pytest.CaptureFixture[str]) -> None:
    enforce("console", {"console_secret_key": ""}, dev_mode=True)
    enforce("console", {"console_secret_key": STRONG}, dev_mode=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("yes", True),
                                                 ("false", False), ("", False), ("0", False)])
def test_dev_mode_from_the_environment(value: str, expected: bool) -> None:
    assert secret_rules.dev_mode_from_environment({"HUIFANG_DEV_MODE": value}) is expected
