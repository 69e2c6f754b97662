"""The gateway's internal API as both of its sides read it (docs/contracts.md, "Sending a
callback round"): the answer to "send round N of callback C" and its HTTP status codes. The
gateway (bot/internal_api.py) answers with them; the scheduler (scheduler/gateway_client.py)
reads them back. The send modes are huifang.callback_lifecycle.SendMode."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RoundStatus(enum.StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    UNREACHABLE = "unreachable"
    OPTED_OUT = "opted_out"
    NO_ADDRESS = "no_address"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # temporary: Rasa or the gateway down, channel not configured

    @property
    def delivered(self) -> bool:
        return self in (RoundStatus.SENT, RoundStatus.ALREADY_SENT)


ROUND_HTTP_STATUS = {
    RoundStatus.SENT: 200,
    RoundStatus.ALREADY_SENT: 200,
    RoundStatus.UNREACHABLE: 409,
    RoundStatus.OPTED_OUT: 409,
    RoundStatus.NO_ADDRESS: 409,
    RoundStatus.NOT_FOUND: 404,
    RoundStatus.UNAVAILABLE: 503,
}


@dataclass(frozen=True)
class RoundOutcome:
    """The answer's body: {"status", "messages" (when sent), "detail" (why, when it failed)}."""

    status: RoundStatus
    messages: int = 0
    detail: str | None = None
