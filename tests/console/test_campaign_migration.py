"""Migration 0003 on a database with data: existing surveys move into the standing campaign of
their service type, answers and escalations survive, the operator role becomes valid — and the
way back down keeps the data too. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, Table, inspect, select
from sqlalchemy.exc import IntegrityError

from huifang.db import create_db_engine
from huifang.db.migrate import downgrade, upgrade
from tests.support.databases import postgres_database, sqlite_url

AT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


@contextmanager
def database_at_0002(kind: str, directory: Path) -> Iterator[tuple[str, Engine]]:
    if kind == "sqlite":
        url = sqlite_url(directory)
        upgrade(url, "0002")
        engine = create_db_engine(url)
        yield url, engine
        engine.dispose()
        return
    with postgres_database() as url:
        upgrade(url, "0002")
        engine = create_db_engine(url)
        yield url, engine
        engine.dispose()


def tables(engine: Engine) -> dict[str, Table]:
    metadata = MetaData()
    metadata.reflect(engine)
    return dict(metadata.tables)


def seed(engine: Engine) -> None:
    """Two auto-repair surveys (one answered and escalated), a power-outage survey, a recovery
    survey, and a supervisor — written as the 0002 schema stores them."""
    t = tables(engine)
    stamps = {"created_at": AT, "updated_at": AT}
    with engine.begin() as connection:
        boss = connection.execute(t["supervisor_user"].insert().returning(
            t["supervisor_user"].c.id), [{
                "username": "boss", "display_name": "主管", "password_hash": "x",
                "role": "supervisor", "branches": [], "active": True, "created_at": AT}]
        ).scalar_one()
        connection.execute(t["customer"].insert(), [
            {"id": n, "external_id": f"C-{n}", "locale": "zh-Hans", "preferred_channel": "webchat",
             **stamps} for n in (1, 2, 3)])
        connection.execute(t["ticket"].insert(), [
            {"id": n, "external_id": f"T-{n}", "customer_id": n, "service_type": service,
             "status": "closed", "closed_at": AT, **stamps}
            for n, service in ((1, "auto_repair"), (2, "auto_repair"), (3, "power_outage"))])
        callback = {"status": "completed", "due_at": AT, "attempts": 1, "send_round": 1,
                    "send_mode": "start", "delivered_round": 1, "reminders_sent": 0, **stamps}
        connection.execute(t["callback"].insert(), [
            {"id": 1, "ticket_id": 1, "kind": "survey", "template": "auto_after_sales", **callback},
            {"id": 2, "ticket_id": 2, "kind": "survey", "template": "auto_after_sales", **callback},
            {"id": 3, "ticket_id": 3, "kind": "survey", "template": "utility_repair", **callback},
            {"id": 4, "ticket_id": 1, "kind": "recovery", "template": "recovery", **callback}])
        connection.execute(t["survey_response"].insert(), [
            {"id": 1, "callback_id": 1, "overall": 2, "updated_at": AT}])
        connection.execute(t["escalation"].insert(), [
            {"id": 1, "callback_id": 1, "reasons": ["low_overall"], "priority": "high",
             "status": "claimed", "owner_id": boss, "due_at": AT, **stamps}])


def add_user(engine: Engine, username: str, role: str) -> None:
    users = tables(engine)["supervisor_user"]
    with engine.begin() as connection:
        connection.execute(users.insert(), [{
            "username": username, "display_name": username, "password_hash": "x", "role": role,
            "branches": [], "active": True, "created_at": AT}])


def counts(engine: Engine) -> dict[str, int]:
    t = tables(engine)
    with engine.connect() as connection:
        return {name: len(connection.execute(select(t[name])).all())
                for name in ("callback", "survey_response", "escalation", "supervisor_user")}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_existing_data_migrates_into_standing_campaigns_and_back(kind: str,
                                                                tmp_path: Path) -> None:
    with database_at_0002(kind, tmp_path) as (url, engine):
        seed(engine)
        before = counts(engine)
        upgrade(url)

        t = tables(engine)
        with engine.connect() as connection:
            standing = dict(connection.execute(
                select(t["campaign"].c.name, t["campaign"].c.id)).tuples().all())
            members = dict(connection.execute(
                select(t["callback"].c.id, t["callback"].c.campaign_id)).tuples().all())
            kinds = set(connection.execute(select(t["campaign"].c.kind)).scalars())
        assert set(standing) == {"API · auto_repair", "API · power_outage"}
        assert kinds == {"standing"}
        assert members == {1: standing["API · auto_repair"], 2: standing["API · auto_repair"],
                           3: standing["API · power_outage"], 4: None}
        assert counts(engine) == before  # nothing cascaded away

        add_user(engine, "ops", "operator")
        with pytest.raises(IntegrityError):
            add_user(engine, "nobody", "owner")  # the role check is still there, only wider

        with pytest.raises(RuntimeError, match="operator account"):
            downgrade(url, "0002")
        users = tables(engine)["supervisor_user"]
        with engine.begin() as connection:
            connection.execute(users.delete().where(users.c.username == "ops"))
        downgrade(url, "0002")
        assert "campaign" not in inspect(engine).get_table_names()
        assert "campaign_id" not in {c["name"] for c in inspect(engine).get_columns("callback")}
        assert counts(engine) == before
        with pytest.raises(IntegrityError):
            add_user(engine, "ops", "operator")

        upgrade(url)
        assert counts(engine) == before
