"""The do-not-contact list's rules (huifang/do_not_contact.py) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from huifang import consent, do_not_contact
from huifang.db import session_scope
from huifang.db.models import Customer, Role, SupervisorUser

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def customers(sessions: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(sessions) as session:
        made = {}
        for key, name, phone in (("C-1", "张三", "13800001111"), ("C-2", "李四", "13800002222"),
                                 ("C-3", "王_五%", None), ("C-4", "赵六", "13800004444")):
            customer = Customer(external_id=key, name=name, phone=phone)
            session.add(customer)
            session.flush()
            made[key] = customer.id

        def get(key: str) -> Customer:
            return session.get_one(Customer, made[key])

        consent.opt_out(session, get("C-1"), source="conversation", reason="别再发了",
                        now=NOW - timedelta(days=2))
        consent.opt_out(session, get("C-1"), source="conversation", reason="说了别发",
                        now=NOW - timedelta(days=1))  # the latest opt-out says how
        consent.mark_unreachable(session, get("C-2"), reason="telegram: blocked", now=NOW)
        consent.opt_out(session, get("C-3"), source="console", actor="ops", now=NOW)
        return made


def test_the_list_holds_opted_out_and_unreachable_customers_newest_first(
        sessions: sessionmaker[Session], customers: dict[str, int]) -> None:
    with sessions() as session:
        items = do_not_contact.entries(session)
        assert do_not_contact.count(session) == 3
    assert [(i.customer.external_id, i.unreachable, i.source, i.reason) for i in items] == [
        ("C-3", False, "console", None),
        ("C-2", True, "channel", "telegram: blocked"),
        ("C-1", False, "conversation", "说了别发"),
    ]
    assert [do_not_contact.status_label(i) for i in items] == ["已退订", "无法送达", "已退订"]


@pytest.mark.parametrize("search, expected", [
    ("C-1", ["C-1"]), ("0000222", ["C-2"]), ("张", ["C-1"]), ("_", ["C-3"]), ("%", ["C-3"]),
    ("C-4", []), ("  ", ["C-3", "C-2", "C-1"]),
])
def test_search_matches_part_of_the_id_name_or_phone_literally(
        sessions: sessionmaker[Session], customers: dict[str, int], search: str,
        expected: list[str]) -> None:
    with sessions() as session:
        found = [i.customer.external_id for i in do_not_contact.entries(session, search)]
        assert do_not_contact.count(session, search) == len(expected)
    assert found == expected


def test_paging(sessions: sessionmaker[Session], customers: dict[str, int]) -> None:
    with sessions() as session:
        pages = [[i.customer.external_id for i in do_not_contact.entries(session, None, 2, n)]
                 for n in (0, 2)]
    assert pages == [["C-3", "C-2"], ["C-1"]]


def test_re_enabling_needs_a_reason_and_writes_the_audit(
        sessions: sessionmaker[Session], customers: dict[str, int]) -> None:
    with session_scope(sessions) as session:
        user = SupervisorUser(username="ops", display_name="运营", password_hash="x",
                              role=Role.OPERATOR)
        session.add(user)
        blocked = session.get_one(Customer, customers["C-2"])
        with pytest.raises(do_not_contact.DoNotContactError, match="请填写恢复联系的原因"):
            do_not_contact.re_enable(session, blocked, user, "  ", NOW)
        do_not_contact.re_enable(session, blocked, user, "客户来电要求恢复", NOW)
        with pytest.raises(do_not_contact.DoNotContactError, match="不在免打扰名单中"):
            do_not_contact.re_enable(session, session.get_one(Customer, customers["C-4"]), user,
                                     "客户要求", NOW)
    with sessions() as session:
        blocked = session.get_one(Customer, customers["C-2"])
        assert (blocked.opted_out_at, blocked.unreachable_at) == (None, None)
        last = blocked.consent_events[-1]
        assert (last.action, last.source, last.actor, last.reason) == (
            "opt_in", "console", "ops", "客户来电要求恢复")
        assert do_not_contact.count(session) == 2
