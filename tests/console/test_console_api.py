"""The JSON API over the fixed data set, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.console.console_support import Dataset, log_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def api(client: TestClient, report_dataset: Dataset) -> TestClient:
    log_in(client, "anywhere")
    return client


def test_callback_by_ticket_has_the_contract_shape(api: TestClient,
                                                   report_dataset: Dataset) -> None:
    assert api.get("/api/callbacks/T-C5").json() == {
        "ticket_id": "T-C5",
        "status": "in_progress",
        "overall": 1,
        "solved": False,
        "nps": None,
        "dimensions": {},
        "comment": None,
        "categories": ["quality", "timeliness"],
        "sentiment": "negative",
        "severity": "high",
        "escalation": {"id": report_dataset.escalations["E2"], "priority": "urgent",
                       "status": "resolved", "due_at": "2025-03-10T07:00:00+00:00"},
    }


def test_callback_without_complaint_or_escalation(api: TestClient) -> None:
    body = api.get("/api/callbacks/T-C6").json()
    assert body["dimensions"] == {"service_attitude": 3}
    assert (body["overall"], body["categories"], body["sentiment"], body["severity"],
            body["escalation"]) == (None, [], None, None, None)
    unsent = api.get("/api/callbacks/T-C11").json()
    assert unsent["status"] == "scheduled" and unsent["overall"] is None


def test_ticket_with_a_recovery_survey_returns_the_survey(api: TestClient) -> None:
    body = api.get("/api/callbacks/T-C3").json()
    assert (body["overall"], body["nps"], body["categories"]) == (2, 3,
                                                                 ["timeliness", "attitude"])
    assert api.get("/api/callbacks/T-nope").status_code == 404


def test_callback_list_paginates_newest_first(api: TestClient) -> None:
    pages = [api.get(f"/api/callbacks?per_page=5&page={n}").json() for n in (1, 2, 3)]
    assert [(p["page"], p["per_page"], p["total"], p["pages"]) for p in pages] == [
        (1, 5, 12, 3), (2, 5, 12, 3), (3, 5, 12, 3)]
    tickets = [item["ticket_id"] for p in pages for item in p["items"]]
    assert len(tickets) == len(set(tickets)) == 12
    assert tickets[0] == "T-C13" and tickets[-1] == "T-C1"
    assert api.get("/api/callbacks?per_page=500").status_code == 422


def test_callback_list_filters(api: TestClient) -> None:
    scheduled = api.get("/api/callbacks?status=scheduled").json()
    assert [i["ticket_id"] for i in scheduled["items"]] == ["T-C11"]
    first_days = api.get("/api/callbacks?since=2025-04-01&until=2025-04-02").json()
    assert sorted(i["ticket_id"] for i in first_days["items"]) == ["T-C13", "T-C7", "T-C8"]
    assert api.get("/api/callbacks?status=bogus").status_code == 422


@pytest.mark.parametrize(("query", "tickets"), [
    ("", ["T-C7", "T-C9", "T-C10"]),
    ("view=overdue", ["T-C7", "T-C9"]),
    ("view=open", ["T-C7", "T-C10"]),
    ("view=claimed", ["T-C9"]),
    ("category=timeliness", ["T-C7"]),
    ("view=resolved&severity=high", ["T-C13", "T-C5"]),
    ("agent=张师傅", ["T-C10"]),
    ("branch=west", ["T-C7"]),
    ("service_type=utility_repair", ["T-C9"]),
    ("since=2025-04-04", ["T-C10"]),
    ("view=resolved&until=2025-03-09", ["T-C3"]),
])
def test_escalation_list_filters_and_order(api: TestClient, query: str,
                                           tickets: list[str]) -> None:
    body = api.get(f"/api/escalations?{query}").json()
    assert [item["ticket_id"] for item in body["items"]] == tickets
    assert body["total"] == len(tickets)


def test_escalation_items_say_whether_overdue(api: TestClient) -> None:
    items = {i["ticket_id"]: i for i in api.get("/api/escalations").json()["items"]}
    assert (items["T-C7"]["overdue"], items["T-C10"]["overdue"]) == (True, False)
    assert items["T-C9"]["owner"] == "dataset"
    assert items["T-C7"]["reasons"] == ["requested_human"]


def test_report_endpoint_serves_the_sql_figures(api: TestClient) -> None:
    body = api.get("/api/reports?by=month&since=2025-03-01").json()
    assert [r["group"] for r in body["rows"]] == ["2025-03", "2025-04"]
    assert body["rows"][0]["median_hours_to_resolve"] == pytest.approx(15.0)
    assert body["total"]["nps"] == pytest.approx(20.0)
    assert body["pareto"][0] == {"category": "timeliness", "count": 3,
                                 "share": pytest.approx(300 / 7),
                                 "cumulative": pytest.approx(300 / 7)}
