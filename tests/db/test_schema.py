"""Schema, migrations and constraints — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huifang import consent
from huifang.db import create_db_engine
from huifang.db.migrate import downgrade, upgrade
from huifang.db.models import (
    Base,
    Callback,
    CallbackKind,
    CallbackStatus,
    Channel,
    ConsentEvent,
    Customer,
    DeliveryStatus,
    DimensionScore,
    Direction,
    Message,
    SurveyResponse,
    Ticket,
)
from tests.support.databases import migrated

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _ticket(session: Session, external_id: str = "T-1") -> Ticket:
    customer = Customer(external_id=f"C-{external_id}", name="张三", phone="13800138000")
    ticket = Ticket(external_id=external_id, customer=customer, service_type="auto_repair",
                    agent="李师傅", branch="朝阳店", closed_at=NOW - timedelta(days=1))
    session.add(ticket)
    session.flush()
    return ticket


def test_migrations_match_the_models(engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_go_down_and_up_again(kind: str, tmp_path: Path) -> None:
    with migrated(kind, tmp_path) as url:
        engine = create_db_engine(url)
        assert "callback" in inspect(engine).get_table_names()
        downgrade(url, "base")
        assert "callback" not in inspect(engine).get_table_names()
        upgrade(url)
        assert {"customer", "ticket", "callback", "survey_response", "complaint",
                "escalation", "message", "supervisor_user"} <= set(inspect(engine).get_table_names())
        engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    with migrated("sqlite", tmp_path) as url:
        engine = create_db_engine(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        engine.dispose()


def test_one_survey_callback_per_ticket(session: Session) -> None:
    ticket = _ticket(session)
    session.add(Callback(ticket=ticket, template="generic", due_at=NOW))
    session.commit()
    session.add(Callback(ticket_id=ticket.id, template="generic", due_at=NOW))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(Callback(ticket_id=ticket.id, kind=CallbackKind.RECOVERY, template="recovery",
                         due_at=NOW))
    session.commit()
    assert len(session.scalars(select(Callback)).all()) == 2


def test_external_ticket_id_is_unique(session: Session) -> None:
    _ticket(session, "T-9")
    session.commit()
    with pytest.raises(IntegrityError):
        _ticket(session, "T-9")
        session.commit()


@pytest.mark.parametrize("overall,nps", [(0, None), (6, None), (None, 11), (None, -1)])
def test_scores_out_of_range_are_rejected(session: Session, overall, nps) -> None:
    callback = Callback(ticket=_ticket(session), template="generic", due_at=NOW)
    session.add(SurveyResponse(callback=callback, overall=overall, nps=nps))
    with pytest.raises(IntegrityError):
        session.commit()


def test_dimension_scores_are_one_per_dimension(session: Session) -> None:
    response = SurveyResponse(callback=Callback(ticket=_ticket(session), template="generic",
                                                due_at=NOW), overall=4)
    response.dimensions.append(DimensionScore(dimension="service_attitude", score=5))
    session.add(response)
    session.commit()
    session.add(DimensionScore(response_id=response.id, dimension="service_attitude", score=3))
    with pytest.raises(IntegrityError):
        session.commit()


def test_datetimes_come_back_timezone_aware(session: Session) -> None:
    ticket = _ticket(session)
    session.commit()
    session.expire_all()
    assert session.get(Ticket, ticket.id).closed_at == NOW - timedelta(days=1)
    assert session.get(Ticket, ticket.id).closed_at.tzinfo is not None


def test_opt_out_is_audited_and_stops_pending_callbacks(session: Session) -> None:
    ticket = _ticket(session)
    callback = Callback(ticket=ticket, template="generic", due_at=NOW)
    session.add(callback)
    session.flush()
    consent.opt_out(session, ticket.customer, source="conversation", reason="别再发了", now=NOW)
    session.commit()
    session.expire_all()
    customer = session.get(Customer, ticket.customer_id)
    assert customer.opted_out_at == NOW
    events = session.scalars(select(ConsentEvent)).all()
    assert [(e.action, e.source, e.reason) for e in events] == [("opt_out", "conversation", "别再发了")]
    assert session.get(Callback, callback.id).status == CallbackStatus.OPTED_OUT
    # stopped at the moment of the opt-out it was given, not at the wall clock's
    assert session.get(Callback, callback.id).finished_at == NOW


def test_opting_back_in_keeps_the_history(session: Session) -> None:
    ticket = _ticket(session)
    consent.opt_out(session, ticket.customer, source="conversation", now=NOW)
    consent.opt_in(session, ticket.customer, source="console", actor="admin", now=NOW)
    session.commit()
    assert ticket.customer.opted_out_at is None
    assert [e.action for e in ticket.customer.consent_events] == ["opt_out", "opt_in"]


def test_blocked_customer_is_unreachable_and_opted_out(session: Session) -> None:
    ticket = _ticket(session)
    session.add(Callback(ticket=ticket, template="generic", due_at=NOW))
    session.flush()
    consent.mark_unreachable(session, ticket.customer, reason="bot was blocked by the user",
                             now=NOW)
    session.commit()
    assert ticket.customer.unreachable_at == NOW and ticket.customer.opted_out
    assert ticket.callbacks[0].status == CallbackStatus.UNREACHABLE


def _outbound(address: str, key: str | None, delivery: DeliveryStatus) -> Message:
    return Message(channel=Channel.TELEGRAM, address=address, direction=Direction.OUTBOUND,
                   text="您好", delivery=delivery, outbound_key=key)


def test_outbound_keys_are_unique_and_delivery_states_are_checked(session: Session) -> None:
    session.add_all([_outbound("1", "round:1:1:0", DeliveryStatus.IN_DOUBT),
                     _outbound("1", None, DeliveryStatus.IN_FLIGHT),
                     _outbound("1", None, DeliveryStatus.PENDING)])  # many rows without a key
    session.commit()
    session.add(_outbound("2", "round:1:1:0", DeliveryStatus.PENDING))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE message SET delivery = 'lost' WHERE outbound_key IS NULL"))
    session.rollback()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_outbox_migration_keeps_messages_and_never_resends_on_the_way_down(
        kind: str, tmp_path: Path) -> None:
    with migrated(kind, tmp_path) as url:
        downgrade(url, "0004")
        engine = create_db_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO message (channel, address, direction, text, delivery, attempts, "
                "created_at) VALUES ('telegram', '9', 'out', '旧消息', 'pending', 0, "
                "CURRENT_TIMESTAMP)"))
        upgrade(url, "0005")
        with engine.begin() as connection:
            assert connection.execute(text(
                "SELECT delivery, throttled, outbound_key FROM message")).one() == (
                "pending", 0, None)
            connection.execute(text("UPDATE message SET delivery = 'in_doubt'"))
        downgrade(url, "0004")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT delivery FROM message")).scalar() == "failed"
        upgrade(url)
        engine.dispose()
