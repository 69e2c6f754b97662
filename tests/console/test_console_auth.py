"""Login, sessions, CSRF and branch scoping, through the real app over HTTP (ASGI)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from console.app import SESSION_COOKIE, create_app
from console.auth import authenticate, hash_password, verify_password
from tests.console.console_support import PASSWORD, SETTINGS, Dataset, csrf_of, log_in

PAGES = ["/", "/reports", "/callbacks/1", "/reports/export.xlsx", "/users"]
API = ["/api/callbacks/T-C1", "/api/callbacks", "/api/escalations", "/api/reports"]


def test_password_hashes_are_argon2_and_salted() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, PASSWORD)
    assert not verify_password(first, PASSWORD + "x")
    assert not verify_password("not-a-hash", PASSWORD)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_redirect_to_login_without_data(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert "王先生" not in response.text


@pytest.mark.parametrize("path", API)
def test_anonymous_api_is_401(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert "ticket_id" not in response.text


def test_wrong_password_unknown_user_and_inactive_user_are_refused(client: TestClient) -> None:
    for username, password in [("east", "wrong password"), ("nobody", PASSWORD),
                               ("retired", PASSWORD)]:
        response = log_in(client, username, password)
        assert response.status_code == 401
        assert "用户名或密码错误" in response.text
        assert client.get("/api/escalations").status_code == 401


def test_login_then_logout(client: TestClient, report_dataset: Dataset) -> None:
    response = log_in(client, "anywhere")
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "升级队列" in page.text
    token = csrf_of(page.text)
    assert client.post("/logout", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_starts_a_new_session(client: TestClient) -> None:
    """Session fixation: the anonymous session's token must not survive the login."""
    anonymous_token = csrf_of(client.get("/login").text)
    log_in(client, "anywhere")
    assert csrf_of(client.get("/").text) != anonymous_token


def test_next_parameter_cannot_leave_the_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for target, expected in [("//evil.example/x", "/"), ("https://evil.example", "/"),
                             ("/reports?by=month", "/reports?by=month")]:
        response = client.post("/login", data={"username": "anywhere", "password": PASSWORD,
                                               "csrf_token": token, "next": target},
                               follow_redirects=False)
        assert response.headers["location"] == expected
        token = csrf_of(client.get("/").text)


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "anywhere", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/escalations").status_code == 401


def test_post_without_or_with_a_foreign_csrf_token_changes_nothing(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "anywhere")
    escalation = data.escalations["E5"]
    with TestClient(client.app) as other:
        log_in(other, "east")
        foreign = csrf_of(other.get("/").text)
    for form in [{}, {"csrf_token": "forged"}, {"csrf_token": foreign}]:
        response = client.post(f"/escalations/{escalation}/claim", data=form)
        assert response.status_code == 403
    assert client.get("/api/escalations?view=open").json()["total"] == 2
    token = csrf_of(client.get("/").text)
    # The header works as well as the form field (for scripts).
    response = client.post(f"/escalations/{escalation}/claim", headers={"X-CSRF-Token": token},
                           follow_redirects=False)
    assert response.status_code == 303


def test_session_cookie_is_signed(client: TestClient) -> None:
    log_in(client, "east")
    cookie = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, cookie[:-4] + "AAAA")
    assert client.get("/api/escalations").status_code == 401


def test_supervisor_sees_only_their_branches(client: TestClient, report_dataset: Dataset) -> None:
    log_in(client, "east")
    items = client.get("/api/escalations").json()["items"]
    assert {item["branch"] for item in items} == {"east"}
    assert [item["ticket_id"] for item in items] == ["T-C9", "T-C10"]
    page = client.get("/").text
    assert "T-C9" in page and "T-C7" not in page
    west_callback = report_dataset.callbacks["C7"]
    assert client.get(f"/callbacks/{west_callback}").status_code == 404
    assert client.get(f"/escalations/{report_dataset.escalations['E3']}",
                      follow_redirects=False).status_code == 404
    assert client.get("/api/callbacks/T-C7").status_code == 404
    assert client.get("/api/callbacks/T-C9").status_code == 200
    report = client.get("/api/reports?by=branch").json()
    assert [row["group"] for row in report["rows"]] == ["east"]
    assert report["total"]["sent"] == 6


def test_scoped_supervisor_cannot_act_on_another_branch(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, data = fresh
    log_in(client, "east")
    token = csrf_of(client.get("/").text)
    response = client.post(f"/escalations/{data.escalations['E3']}/claim",
                           data={"csrf_token": token})
    assert response.status_code == 404
    log_in(client, "admin")
    assert client.get("/api/escalations?view=claimed").json()["total"] == 1


def test_admin_and_unscoped_supervisor_see_every_branch(client: TestClient) -> None:
    for username in ("admin", "anywhere"):
        log_in(client, username)
        branches = {item["branch"] for item in client.get("/api/escalations").json()["items"]}
        assert branches == {"east", "west"}


def test_user_list_is_for_admins_only(client: TestClient) -> None:
    log_in(client, "anywhere")
    assert client.get("/users").status_code == 403
    log_in(client, "admin")
    page = client.get("/users")
    assert page.status_code == 200 and "east主管" in page.text and "$argon2" not in page.text


def test_authenticate_checks_hash_and_activity(fresh: tuple[TestClient, Dataset]) -> None:
    client, _ = fresh
    with client.app.state.session_factory() as session:
        assert authenticate(session, "east", PASSWORD) is not None
        assert authenticate(session, "east", PASSWORD.upper()) is None
        assert authenticate(session, "retired", PASSWORD) is None


def test_repeated_wrong_passwords_lock_that_user_name_only(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, _ = fresh
    for _ in range(SETTINGS.console_login_max_failures):
        assert log_in(client, "east", "wrong password").status_code == 401
    locked = log_in(client, "east")  # even the right password now waits
    assert locked.status_code == 429
    assert f"请 {SETTINGS.console_login_lockout_minutes} 分钟后再试" in locked.text
    assert client.get("/api/escalations").status_code == 401
    assert log_in(client, "anywhere").status_code == 303  # others are not locked out


def test_a_successful_login_forgets_that_user_names_earlier_failures(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, _ = fresh
    for _round in range(2):
        for _ in range(SETTINGS.console_login_max_failures - 1):
            assert log_in(client, "east", "wrong password").status_code == 401
        assert log_in(client, "east").status_code == 303


def test_one_client_guessing_many_user_names_is_locked_out(
        fresh: tuple[TestClient, Dataset]) -> None:
    client, _ = fresh
    for number in range(SETTINGS.console_login_max_failures_per_client):
        assert log_in(client, f"guess{number}", "wrong password").status_code == 401
    assert log_in(client, "anywhere").status_code == 429


@pytest.mark.parametrize(("public_url", "secure"), [(None, False),
                                                    ("https://console.example.com", True)])
def test_session_cookie_is_https_only_when_the_console_is_served_over_https(
        sqlite_factory: sessionmaker[Session], public_url: str | None, secure: bool) -> None:
    settings = SETTINGS.model_copy(update={"console_public_url": public_url})
    with TestClient(create_app(settings, sqlite_factory)) as client:
        cookie = client.get("/login").headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    assert ("secure" in cookie.lower()) is secure
