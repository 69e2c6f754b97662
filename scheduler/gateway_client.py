"""The scheduler's side of the gateway's internal API (docs/contracts.md)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from huifang.gateway_contract import ROUND_HTTP_STATUS, RoundOutcome, RoundStatus
from huifang.settings import Settings

log = logging.getLogger(__name__)


# The gateway's answers the scheduler acts on; anything else (not found, unavailable, an
# unexpected status or body, no answer at all) is a temporary failure worth a retry.
_ACTED_ON = (RoundStatus.SENT, RoundStatus.ALREADY_SENT, RoundStatus.UNREACHABLE,
             RoundStatus.OPTED_OUT, RoundStatus.NO_ADDRESS)


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

    def send_round(self, callback_id: int, round_: int, mode: str) -> RoundOutcome:
        try:
            response = self._http.post(f"/internal/callbacks/{callback_id}/send",
                                       json={"round": round_, "mode": mode})
        except httpx.HTTPError as exc:
            return RoundOutcome(RoundStatus.UNAVAILABLE, detail=f"gateway unreachable: {exc!r}")
        body = _json(response)
        outcome = next((o for o in _ACTED_ON if o.value == body.get("status")
                        and ROUND_HTTP_STATUS[o] == response.status_code), None)
        if outcome is not None:
            return RoundOutcome(outcome, messages=int(body.get("messages") or 0))
        return RoundOutcome(RoundStatus.UNAVAILABLE, detail=(
            f"gateway answered {response.status_code}: {response.text[:300]}"))

    def send_digest(self, text: str, day: str) -> bool:
        return self._post_ok("/internal/supervisors/digest", {"text": text, "day": day})

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
