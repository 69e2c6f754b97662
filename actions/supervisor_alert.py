"""Tell the gateway to alert supervisors about an escalation (best effort: the scheduler's
escalation watch re-sends every alert the gateway has not confirmed)."""

from __future__ import annotations

import logging

import httpx

from huifang.settings import get_settings

log = logging.getLogger(__name__)


async def alert_supervisors(escalation_id: int) -> None:
    settings = get_settings()
    url = f"{settings.gateway_internal_url}/internal/escalations/{escalation_id}/alert"
    headers = {"Authorization": f"Bearer {settings.internal_token.get_secret_value()}"}
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            (await client.post(url, headers=headers)).raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("supervisor alert for escalation %s deferred: %s", escalation_id, exc)
