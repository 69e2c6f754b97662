"""Personal data and secrets in logs: phone numbers of the mainland, Hong Kong and Taiwan, and
secrets inside URLs (query tokens, bot tokens, web-chat link tokens) masked in the whole
formatted record (tracebacks included) in every process, the Rasa server too; no SQLAlchemy
error carries bound parameters."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from huifang.db import create_db_engine
from huifang.log_masking import RASA_LOGGING_CONFIG, MaskingFilter, MaskingFormatter, mask_text
from huifang.masking import configure_logging
from huifang.app.model_build import RASA_BIN
from huifang.settings import PROJECT_ROOT, Settings
from huifang.app.stack import action_server, rasa_server
from tests.support.databases import sqlite_url
from tests.support.processes import free_port, running

# (what was logged, what the log must show)
SAMPLES = [
    ("客户电话 13812345678 请回电", "客户电话 138****5678 请回电"),
    ("138 1234 5678", "138 **** 5678"),
    ("tel:+86 138-1234-5678", "tel:+86 138-****-5678"),
    ("008615912345678", "0086159****5678"),
    ("北京 010-12345678 / 深圳 0755-1234567", "北京 ***-****5678 / 深圳 ****-***4567"),
    ("+86 10 8765 4321", "+86 ** **** 4321"),
    ("(021)62345678", "(***)****5678"),
    ("香港 +852 9123 4567，本地 6123-4567", "香港 +852 **** 4567，本地 ****-4567"),
    ("85291234567", "852****4567"),
    ("台湾 0912-345-678 / 0912345678", "台湾 ****-**5-678 / ******5678"),
    ("+886 912 345 678", "+886 *** **5 678"),
    ("台北 02-2345-6789，高雄 (07)123-4567", "台北 **-****-6789，高雄 (**)***-4567"),
    ("+886 2 2345 6789", "+886 * **** 6789"),
    ("sender action_13812345678", "sender action_138****5678"),
    # secrets inside URLs, as an HTTP client's request log prints them
    ("HTTP Request: POST http://127.0.0.1:5005/conversations/s1/trigger_intent"
     "?output_channel=collector&token=Zx9-secret_Rasa \"HTTP/1.1 200 OK\"",
     "HTTP Request: POST http://127.0.0.1:5005/conversations/s1/trigger_intent"
     "?output_channel=collector&token=*** \"HTTP/1.1 200 OK\""),
    ("GET /status?TOKEN=abc&x=1", "GET /status?TOKEN=***&x=1"),
    ("POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getUpdates",
     "POST https://api.telegram.org/bot123456789:***/getUpdates"),
    ("GET /chat/q3Vt8_Kx-0aYbZ1cD2eF3gH4iJ5kL6mN 200", "GET /chat/*** 200"),
    ("POST /webchat/q3Vt8_Kx-0aYbZ1cD2eF3gH4iJ5kL6mN/messages",
     "POST /webchat/***/messages"),
    ("https://t.me/huifang_bot?start=Qm9vZ2llX3Rva2Vu", "https://t.me/huifang_bot?start=***"),
    # not phone numbers or secrets: left alone
    ("GET /chat/ 404, ?tokens=3 at 12:30:45", "GET /chat/ 404, ?tokens=3 at 12:30:45"),
    ("2025-11-23 10:00:00,123 callback 42 round 2", "2025-11-23 10:00:00,123 callback 42 round 2"),
    ("rasa 3.6.21 on 127.0.0.1:5005, ticket T-20251123", "rasa 3.6.21 on 127.0.0.1:5005, "
                                                        "ticket T-20251123"),
    ("order 1234567 took 1500 ms", "order 1234567 took 1500 ms"),
]


@pytest.mark.parametrize(("logged", "shown"), SAMPLES)
def test_phone_formats_are_masked(logged: str, shown: str) -> None:
    assert mask_text(logged) == shown


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter())
    logger = logging.getLogger("tests.security.masking")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_the_whole_record_is_masked_traceback_and_stack_included(
        capture: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = capture
    try:
        raise ValueError("bad number 13812345678")
    except ValueError:
        logger.exception("while calling %s", "+852 9123 4567", stack_info=True)
    output = stream.getvalue()
    assert "ValueError: bad number 138****5678" in output and "+852 **** 4567" in output
    assert "Stack (most recent call last)" in output
    assert "13812345678" not in output and "9123 4567" not in output


def test_a_handler_replaced_by_coloredlogs_keeps_masking() -> None:
    """rasa-sdk (and Rasa) install coloredlogs after us: it swaps the stream handler for its
    own and keeps the filters — the record itself is masked, traceback included."""
    import coloredlogs

    stream = io.StringIO()
    logger = logging.getLogger("tests.security.colored")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    coloredlogs.install(logger=logger, stream=stream, isatty=False)
    assert logger.handlers and logger.handlers[0] is not handler  # replaced …
    try:
        raise RuntimeError("customer 0912-345-678 unreachable")
    except RuntimeError:
        logger.exception("send failed for 13812345678")
    output = stream.getvalue()
    assert "138****5678" in output and "****-**5-678" in output, output
    assert "13812345678" not in output and "0912-345-678" not in output


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_database_errors_carry_no_parameters(kind: str, tmp_path: Path) -> None:
    from tests.support.databases import POSTGRES_ADMIN_URL

    engine = create_db_engine(sqlite_url(tmp_path) if kind == "sqlite" else POSTGRES_ADMIN_URL)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.execute(text("INSERT INTO no_such_table VALUES (:name, :phone)"),
                               {"name": "王建国", "phone": "13812345678"})
    finally:
        engine.dispose()
    message = str(raised.value)
    assert "王建国" not in message and "13812345678" not in message
    assert "hide_parameters=True" in message  # SQLAlchemy says they were left out


# -- the same masking in the Rasa virtualenv and in the app's ----------------------------------

LOG_LINES = """\
import logging, sys
setup = sys.argv[1]
if setup == "rasa":  # exactly what `rasa run --logging-config-file FILE` does, in this order
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.io import configure_colored_logging
    configure_logging_and_warnings(None, sys.argv[2], True, True)
    configure_colored_logging(None)
else:
    from huifang.masking import configure_logging
    configure_logging()
log = logging.getLogger("rasa.core.processor" if setup == "rasa" else "bot.relay")
for number, line in enumerate(sys.stdin.read().split("\\n")):
    try:
        raise ValueError(f"[{number}]{line}")
    except ValueError:
        log.exception("<<%s>>", line)
"""


def _masked_lines(python: Path, setup: str) -> tuple[list[str], list[str]]:
    done = subprocess.run(
        [str(python), "-c", LOG_LINES, setup, str(RASA_LOGGING_CONFIG)],
        input="\n".join(logged for logged, _ in SAMPLES), capture_output=True, text=True,
        cwd=PROJECT_ROOT, timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stderr
    messages = [part.split(">>", 1)[0] for part in output.split("<<")[1:]]
    exceptions = [line.split("]", 1)[1] for line in output.splitlines()
                  if line.startswith("ValueError: [")]
    return messages, exceptions


def test_rasa_and_the_app_mask_the_same_lines_identically() -> None:
    rasa = _masked_lines(RASA_BIN.parent / "python", "rasa")
    app = _masked_lines(Path(sys.executable), "app")
    expected = [shown for _, shown in SAMPLES]
    assert rasa == app == (expected, expected)


def test_the_rasa_server_is_started_with_the_masking_configuration() -> None:
    spec = rasa_server(Settings(_env_file=None), 5005, PROJECT_ROOT / "endpoints.yml")
    at = spec.argv.index("--logging-config-file")
    assert Path(spec.argv[at + 1]) == RASA_LOGGING_CONFIG and RASA_LOGGING_CONFIG.is_file()


# -- real processes ----------------------------------------------------------------------------

def _dev_environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "HUIFANG_DEV_MODE": "true", "HUIFANG_DATABASE_URL": database_url}


@pytest.mark.parametrize("command", [["-m", "bot"], ["-m", "scheduler"], ["-m", "console"],
                                     ["-m", "huifang.app.cli.main", "db", "upgrade"]],
                         ids=["gateway", "scheduler", "console", "cli"])
def test_a_process_that_dies_logs_its_traceback_masked(command: list[str],
                                                       tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    # the database directory cannot be created: the error names it, phone number and all
    url = f"sqlite:///{blocker}/13812345678/huifang.db"
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=_dev_environment(url), timeout=120)
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr, done.stderr[-2000:]
    assert "138****5678" in done.stderr, done.stderr[-2000:]
    assert "13812345678" not in done.stderr + done.stdout


def test_the_action_server_masks_its_log(tmp_path: Path) -> None:
    token = "action-server-test-token-0123456789"
    settings = Settings(_env_file=None, dev_mode=True, database_url=sqlite_url(tmp_path),
                        action_server_token=SecretStr(token),
                        internal_token=SecretStr("internal-test-token-0123456789"))
    port = free_port()
    with running(action_server(settings, port), tmp_path / "logs",
                 extra_env={"HUIFANG_DEV_MODE": "true"}):
        response = httpx.post(f"http://127.0.0.1:{port}/webhook", timeout=30,
                              headers={"Authorization": f"Bearer {token}"},
                              content=json.dumps({"next_action": "action_for_13812345678",
                                                  "tracker": {"sender_id": "x"},
                                                  "domain": {}, "version": "3.6.21"}))
        assert response.status_code == 404
    log = (tmp_path / "logs" / "actions.log").read_text()
    assert "action_for_138****5678" in log, log[-2000:]
    assert "13812345678" not in log


def test_configure_logging_masks_what_other_libraries_log(
        capfd: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    try:
        configure_logging()
        logging.getLogger("httpx").warning("client %s", "13812345678")
    finally:
        root.handlers[:], level, sys.excepthook, threading.excepthook = before
        root.setLevel(level)
    assert "client 138****5678" in capfd.readouterr().err
