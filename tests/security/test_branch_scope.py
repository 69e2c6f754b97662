"""Branch scope on every channel: the console's "other callbacks of this customer", and the
Telegram commands /queue, /claim, /resolve and the Claim button, with two branches on SQLite and
PostgreSQL. Accounts created for allow-listed Telegram users start with no branch."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.supervisor_alerts import NOT_ALLOWED
from huifang import escalations
from huifang.branch_scope import TELEGRAM_ONLY_PASSWORD_HASH, branch_scope
from huifang.app.cli.main import app as huifang_cli
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    Complaint,
    Escalation,
    EscalationStatus,
    Role,
    Severity,
    SupervisorUser,
    SurveyResponse,
    Ticket,
)
from huifang.db.types import utcnow
from huifang.escalations import Reason
from huifang.intake import TicketIn, ingest
from huifang.settings import get_settings
from tests.console.console_support import add_user, build_app, cli_database, log_in
from tests.gateway.support import (
    SUPERVISORS_CHAT,
    GatewayUnderTest,
    gateway_settings,
    running_gateway,
)
from tests.support.fake_bot_api import FakeUser, RunningFakeBotApi

EAST, WEST = "东城店", "西城店"
EAST_SUPERVISOR = FakeUser(7101, "东城主管", "east_sup")
NEWCOMER = FakeUser(7102, "新来的主管", "new_sup")
GROUP = {"id": SUPERVISORS_CHAT, "type": "group", "title": "回访主管群"}
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Escalated:
    escalation_id: int
    callback_id: int
    ticket_id: str


def escalate_in(sessions: sessionmaker[Session], branch: str, customer_id: str | None = None
                ) -> Escalated:
    """A closed ticket of `branch` whose survey was answered 2/5 and escalated."""
    number = next(_numbers)
    ticket_id = f"SCOPE-{number}-{utcnow().timestamp():.0f}"
    now = utcnow()
    with session_scope(sessions) as session:
        ingest(session, [TicketIn(ticket_id=ticket_id,
                                  customer_id=customer_id or f"scope-customer-{ticket_id}",
                                  customer_name="赵女士", service_type="auto_repair",
                                  branch=branch, closed_at=now - timedelta(days=1))], now)
        callback = session.scalar(select(Callback).join(Ticket)
                                  .where(Ticket.external_id == ticket_id))
        assert callback is not None
        callback.response = SurveyResponse(overall=2, solved=False)
        callback.complaints.append(Complaint(text="一直没人来修", source="problem",
                                             severity=Severity.MEDIUM))
        session.flush()
        escalation = escalations.escalate(session, callback, [Reason.LOW_OVERALL], now,
                                          get_settings())
        assert escalation is not None
        return Escalated(escalation.id, callback.id, ticket_id)


def test_the_scope_rule() -> None:
    def account(role: Role = Role.SUPERVISOR, branches: list[str] | None = None,
                password_hash: str = "$argon2id$…") -> SupervisorUser:
        return SupervisorUser(role=role, branches=branches or [], password_hash=password_hash)

    assert branch_scope(account(Role.ADMIN, [EAST])) is None
    assert branch_scope(account(branches=[EAST])) == (EAST,)
    assert branch_scope(account()) is None  # console account made without --branch
    assert branch_scope(account(password_hash=TELEGRAM_ONLY_PASSWORD_HASH)) == ()
    assert branch_scope(account(branches=[WEST],
                                password_hash=TELEGRAM_ONLY_PASSWORD_HASH)) == (WEST,)


# -- the console -------------------------------------------------------------------------------

def test_other_callbacks_of_the_customer_respect_the_scope(
        sessions: sessionmaker[Session]) -> None:
    east = escalate_in(sessions, EAST, customer_id="two-branch-customer")
    west = escalate_in(sessions, WEST, customer_id="two-branch-customer")
    with session_scope(sessions) as session:
        add_user(session, "east-only", branches=[EAST])
        add_user(session, "boss", Role.ADMIN)
    with TestClient(build_app(sessions)) as client:
        log_in(client, "east-only")
        page = client.get(f"/callbacks/{east.callback_id}")
        assert page.status_code == 200 and east.ticket_id in page.text
        assert west.ticket_id not in page.text and f"/callbacks/{west.callback_id}" not in page.text
        assert client.get(f"/callbacks/{west.callback_id}").status_code == 404
    with TestClient(build_app(sessions)) as client:
        log_in(client, "boss")
        page = client.get(f"/callbacks/{east.callback_id}")
        assert f"/callbacks/{west.callback_id}" in page.text and west.ticket_id in page.text


# -- Telegram ----------------------------------------------------------------------------------

@pytest.fixture
def gateway(database_url: str, rasa_down: str, fake_telegram: RunningFakeBotApi
            ) -> Iterator[GatewayUnderTest]:
    fake_telegram.api.add_group(SUPERVISORS_CHAT, "回访主管群")
    settings = gateway_settings(database_url, rasa_down, fake_telegram,
                                telegram_supervisor_ids=[EAST_SUPERVISOR.id, NEWCOMER.id])
    with running_gateway(settings) as running:
        with session_scope(running.sessions) as session:  # what an admin's grant leaves behind
            session.add(SupervisorUser(username=f"telegram-{EAST_SUPERVISOR.id}",
                                       display_name=EAST_SUPERVISOR.first_name,
                                       password_hash=TELEGRAM_ONLY_PASSWORD_HASH,
                                       telegram_user_id=EAST_SUPERVISOR.id, branches=[EAST]))
        yield running


class Chat:
    """Commands typed in the supervisors' group, and the bot's replies there (after the alerts
    the gateway's outbox posts about the escalations made so far)."""

    def __init__(self, fake: RunningFakeBotApi, alerts: int = 0) -> None:
        self.fake = fake.api
        self.fake.wait_for_messages(SUPERVISORS_CHAT, alerts)

    def command(self, user: FakeUser, text: str) -> str:
        before = len(self.fake.messages_to(SUPERVISORS_CHAT))
        self.fake.user_sends(user, text, chat=GROUP)
        return self.fake.wait_for_messages(SUPERVISORS_CHAT, before + 1)[-1].text


def _state(gateway: GatewayUnderTest, escalation_id: int) -> tuple[EscalationStatus, int | None]:
    escalation = gateway.read(lambda s: s.get_one(Escalation, escalation_id))
    return escalation.status, escalation.owner_id


def test_telegram_commands_stay_inside_the_supervisors_branches(
        gateway: GatewayUnderTest, fake_telegram: RunningFakeBotApi) -> None:
    east, west = escalate_in(gateway.sessions, EAST), escalate_in(gateway.sessions, WEST)
    chat = Chat(fake_telegram, alerts=2)

    queue = chat.command(EAST_SUPERVISOR, "/queue")
    assert queue.startswith("待处理升级工单 1 个") and f"#{east.escalation_id} " in queue
    assert f"#{west.escalation_id} " not in queue and WEST not in queue
    assert chat.command(EAST_SUPERVISOR, f"/claim {west.escalation_id}") == \
        f"找不到升级工单 #{west.escalation_id}"
    assert chat.command(EAST_SUPERVISOR, f"/resolve {west.escalation_id} 已处理") == \
        f"找不到升级工单 #{west.escalation_id}"
    assert _state(gateway, west.escalation_id) == (EscalationStatus.OPEN, None)

    # the Claim button under the (group-wide) alert of the other branch
    assert gateway.alert(west.escalation_id).json()["status"] == "sent"
    alert = next(m for m in fake_telegram.api.messages_to(SUPERVISORS_CHAT)
                 if m.text.startswith(f"🔔 新的升级工单 #{west.escalation_id}"))
    posted = len(fake_telegram.api.messages_to(SUPERVISORS_CHAT))
    answer = fake_telegram.api.wait_for_answer(fake_telegram.api.user_presses(
        EAST_SUPERVISOR, alert, alert.button("认领")["callback_data"]))
    assert answer.text == f"找不到升级工单 #{west.escalation_id}" and answer.show_alert
    assert len(fake_telegram.api.messages_to(SUPERVISORS_CHAT)) == posted  # nothing announced
    assert _state(gateway, west.escalation_id) == (EscalationStatus.OPEN, None)

    assert chat.command(EAST_SUPERVISOR, f"/claim {east.escalation_id}").startswith("✅")
    assert _state(gateway, east.escalation_id)[0] == EscalationStatus.CLAIMED


def test_a_new_telegram_supervisor_sees_no_branch_until_granted(
        gateway: GatewayUnderTest, fake_telegram: RunningFakeBotApi, database_url: str) -> None:
    west = escalate_in(gateway.sessions, WEST)
    chat = Chat(fake_telegram, alerts=1)
    username = f"telegram-{NEWCOMER.id}"

    assert username in chat.command(NEWCOMER, "/queue")  # says whom to ask, and for what
    assert chat.command(NEWCOMER, f"/claim {west.escalation_id}") == \
        f"找不到升级工单 #{west.escalation_id}"
    account = gateway.read(lambda s: s.scalar(select(SupervisorUser)
                                              .where(SupervisorUser.username == username)))
    assert account is not None and account.branches == [] and account.role == Role.SUPERVISOR
    assert _state(gateway, west.escalation_id) == (EscalationStatus.OPEN, None)

    with cli_database(database_url):
        granted = CliRunner().invoke(huifang_cli, ["users", "grant", username,
                                                   "--branch", WEST])
        unknown = CliRunner().invoke(huifang_cli, ["users", "grant", "nobody", "--branch", WEST])
    assert granted.exit_code == 0, granted.output
    assert unknown.exit_code == 1
    assert f"#{west.escalation_id} " in chat.command(NEWCOMER, "/queue")
    assert chat.command(NEWCOMER, f"/claim {west.escalation_id}").startswith("✅")
    assert _state(gateway, west.escalation_id) == (EscalationStatus.CLAIMED, account.id)
    stranger = FakeUser(7199, "路人", "nobody_sup")
    assert chat.command(stranger, "/queue") == NOT_ALLOWED
