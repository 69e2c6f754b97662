"""Closing the loop through the console: claim, note, contact, resolve (+ recovery), reopen —
every step audited with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from huifang.db.models import (
    Callback,
    CallbackKind,
    CallbackStatus,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    SupervisorUser,
)
from tests.console.console_support import NOW, Dataset, csrf_of, log_in


def post(client: TestClient, path: str, **form: str) -> Response:
    token = csrf_of(client.get("/").text)
    return client.post(path, data={"csrf_token": token, **form})


def escalation(client: TestClient, escalation_id: int) -> Escalation:
    """The escalation with its audit trail, read back from the database."""
    with client.app.state.session_factory() as session:
        found = session.get(Escalation, escalation_id, options=[
            selectinload(Escalation.events).selectinload(EscalationEvent.actor)])
        assert found is not None
        return found


def recovery_callbacks(client: TestClient, ticket_external_id: str) -> list[Callback]:
    with client.app.state.session_factory() as session:
        return list(session.scalars(
            select(Callback).join(Callback.ticket)
            .where(Callback.kind == CallbackKind.RECOVERY,
                   Callback.ticket.has(external_id=ticket_external_id))))


def test_claim_note_contact_resolve_with_recovery_then_reopen(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "anywhere")
    e5 = data.escalations["E5"]
    page = client.get(f"/callbacks/{data.callbacks['C10']}")
    assert page.status_code == 200 and "升级工单" in page.text and "认领" in page.text

    claimed = post(client, f"/escalations/{e5}/claim")
    assert claimed.status_code == 200 and "已认领" in claimed.text
    assert str(claimed.url).endswith(f"/callbacks/{data.callbacks['C10']}#escalation-{e5}")
    post(client, f"/escalations/{e5}/note", text="已查看维修记录", contact="false")
    post(client, f"/escalations/{e5}/note", text="已致电客户致歉，约好周一复检", contact="true")

    refused = post(client, f"/escalations/{e5}/resolve", root_cause="", resolution="处理完毕")
    assert "请选择问题根因" in refused.text
    assert escalation(client, e5).status == EscalationStatus.CLAIMED

    resolved = post(client, f"/escalations/{e5}/resolve", root_cause="quality",
                    resolution="复检后更换配件，客户认可", recovery="true")
    assert "已安排问题处理回访" in resolved.text
    assert "复检后更换配件" in resolved.text and "回访评分" in resolved.text

    done = escalation(client, e5)
    assert (done.status, done.root_cause, done.resolution, done.resolved_at) == (
        EscalationStatus.RESOLVED, "quality", "复检后更换配件，客户认可", NOW)
    [recovery] = recovery_callbacks(client, "T-C10")
    assert done.recovery_callback_id == recovery.id
    assert (recovery.template, recovery.status) == ("recovery", CallbackStatus.SCHEDULED)
    # 20:00 in Shanghai + 24 h is the end of the next day's window: 09:00 the day after.
    assert recovery.due_at == datetime(2025, 4, 7, 1, 0, tzinfo=UTC)

    reopened = post(client, f"/escalations/{e5}/reopen", text="客户来电说问题又出现了")
    assert "已重新打开" in reopened.text
    again = escalation(client, e5)
    assert again.status == EscalationStatus.CLAIMED and again.resolved_at is None
    post(client, f"/escalations/{e5}/resolve", root_cause="parts", resolution="更换新配件",
         recovery="true")
    assert len(recovery_callbacks(client, "T-C10")) == 1  # never a second recovery survey

    events = [(e.action, e.actor.username if e.actor else None, e.created_at, e.text)
              for e in escalation(client, e5).events]
    assert events == [
        ("created", None, datetime(2025, 4, 4, 11, tzinfo=UTC), "not_solved"),
        ("claimed", "anywhere", NOW, None),
        ("note", "anywhere", NOW, "已查看维修记录"),
        ("contacted", "anywhere", NOW, "已致电客户致歉，约好周一复检"),
        ("resolved", "anywhere", NOW, "[quality] 复检后更换配件，客户认可"),
        ("reopened", "anywhere", NOW, "客户来电说问题又出现了"),
        ("resolved", "anywhere", NOW, "[parts] 更换新配件"),
    ]
    history = client.get(f"/callbacks/{data.callbacks['C10']}").text
    assert "记录联系客户" not in history.split("处理记录")[1]  # the form is gone once resolved
    assert '<span class="what">联系客户</span>：已致电客户致歉' in history
    assert "创建升级</span>：问题未解决" in history


def test_resolve_without_recovery_schedules_nothing(fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "anywhere")
    post(client, f"/escalations/{data.escalations['E3']}/resolve", root_cause="communication",
         resolution="已回电说明")
    assert escalation(client, data.escalations["E3"]).status == EscalationStatus.RESOLVED
    assert recovery_callbacks(client, "T-C7") == []


def test_invalid_actions_are_refused_with_a_message(fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "anywhere")
    e1 = data.escalations["E1"]  # already resolved
    assert "已解决的工单不能认领" in post(client, f"/escalations/{e1}/claim").text
    assert "该工单已解决" in post(client, f"/escalations/{e1}/resolve", root_cause="quality",
                               resolution="x").text
    e4 = data.escalations["E4"]
    assert "备注内容不能为空" in post(client, f"/escalations/{e4}/note", text="  ").text
    assert "只有已解决的工单可以重新打开" in post(client, f"/escalations/{e4}/reopen").text
    assert [e.action for e in escalation(client, e4).events] == ["created", "claimed"]
    assert post(client, "/escalations/9999/claim").status_code == 404


def test_claiming_takes_over_from_another_supervisor(fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "east")
    e4 = data.escalations["E4"]
    page = client.get(f"/escalations/{e4}")
    assert "改为由我负责" in page.text  # claimed by the data set's supervisor
    post(client, f"/escalations/{e4}/claim")
    with client.app.state.session_factory() as session:
        owner = session.get(Escalation, e4).owner  # type: ignore[union-attr]
        assert isinstance(owner, SupervisorUser) and owner.username == "east"


def test_queue_orders_by_priority_then_deadline_with_sla(client: TestClient,
                                                         report_dataset: Dataset) -> None:
    log_in(client, "anywhere")
    page = client.get("/").text
    order = [report_dataset.escalations[k] for k in ("E3", "E4", "E5")]
    positions = [page.index(f'data-escalation-id="{e}"') for e in order]
    assert positions == sorted(positions)
    assert "已超时 3天19小时0分" in page  # E3 was due 1 April 17:00 UTC, now is 5 April 12:00
    assert "剩余 1天23小时0分" in page  # E5 is due 7 April 11:00 UTC
    assert "<td>车辆维修保养（auto_repair）</td>" in page  # staff read the name, code beside it
    assert '<option value="auto_repair" >车辆维修保养（auto_repair）</option>' in page
    overdue = client.get("/?view=overdue").text
    assert "T-C7" in overdue and "T-C9" in overdue and "T-C10" not in overdue
    filtered = client.get("/?view=resolved&severity=high").text
    assert "T-C13" in filtered and "T-C5" in filtered and "T-C3" not in filtered
    resolved = client.get("/?view=resolved").text
    assert 'title="问题处理回访评分">→ 5</span>' in resolved  # T-C3: 2, recovered to 5
