"""The scheduler's side of the gateway's internal API (docs/contracts.md)."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from huifang.settings import Settings

log = logging.getLogger(__name__)


class SendOutcome(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    UNREACHABLE = "unreachable"
    OPTED_OUT = "opted_out"
    NO_ADDRESS = "no_address"
    RETRY = "retry"  # temporary: gateway or Rasa down, timeout, unexpected answer

    @property
    def delivered(self) -> bool:
        return self in (SendOutcome.SENT, SendOutcome.ALREADY_SENT)


# What the gateway may answer to a send, by HTTP status; anything else is worth a retry.
_ANSWERS = {
    200: (SendOutcome.SENT, SendOutcome.ALREADY_SENT),
    409: (SendOutcome.UNREACHABLE, SendOutcome.OPTED_OUT, SendOutcome.NO_ADDRESS),
}


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    messages: int = 0
    error: str | None = None


class GatewayClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 60.0,
                 max_connections: int = 16, worker: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if worker:  # lets the gateway's log tell which dispatcher sent what
            headers["X-Dispatch-Worker"] = worker
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=max_connections),
        )

    @classmethod
    def from_settings(cls, settings: Settings, max_connections: int = 16,
                      worker: str | None = None) -> GatewayClient:
        # The gateway waits on Rasa before it answers; give it Rasa's timeout and then some.
        return cls(settings.gateway_internal_url, settings.internal_token.get_secret_value(),
                   timeout=settings.rasa_timeout_seconds + 30, max_connections=max_connections,
                   worker=worker)

    def close(self) -> None:
        self._http.close()

    def send_round(self, callback_id: int, round_: int, mode: str) -> SendResult:
        try:
            response = self._http.post(f"/internal/callbacks/{callback_id}/send",
                                       json={"round": round_, "mode": mode})
        except httpx.HTTPError as exc:
            return SendResult(SendOutcome.RETRY, error=f"gateway unreachable: {exc!r}")
        body = _json(response)
        expected = _ANSWERS.get(response.status_code, ())
        outcome = next((o for o in expected if o.value == body.get("status")), None)
        if outcome is not None:
            return SendResult(outcome, messages=int(body.get("messages") or 0))
        return SendResult(SendOutcome.RETRY,
                          error=f"gateway answered {response.status_code}: {response.text[:300]}")

    def alert_escalation(self, escalation_id: int) -> bool:
        return self._post_ok(f"/internal/escalations/{escalation_id}/alert", None)

    def send_digest(self, text: str) -> bool:
        return self._post_ok("/internal/supervisors/digest", {"text": text})

    def _post_ok(self, path: str, payload: dict[str, str] | None) -> bool:
        try:
            response = self._http.post(path, json=payload)
        except httpx.HTTPError as exc:
            log.warning("gateway %s failed: %r", path, exc)
            return False
        if response.is_success:
            return True
        log.warning("gateway %s answered %s: %s", path, response.status_code,
                    response.text[:300])
        return False


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
