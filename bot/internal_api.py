"""The gateway's internal API for the scheduler and the actions (docs/contracts.md), served on
its own listener bound to 127.0.0.1 (bot/app.py create_internal_app), bearer-token protected:
send a callback round, deliver what supervisors are owed about an escalation, post the digest,
the outbox's and the inbox's figures."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot import inbox, outbox, supervisor_chat
from bot.callback_rounds import send_round
from bot.gateway import Gateway
from bot.supervisor_chat import PostStatus
from bot.transcript import Outgoing
from huifang.constant_time import same_secret
from huifang.gateway_contract import ROUND_HTTP_STATUS, RoundStatus
from huifang.rescheduling import SendMode


def gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def authorised(request: Request, authorization: str | None = Header(None)) -> None:
    token = gateway(request).settings.internal_token.get_secret_value()
    if not token or not same_secret(authorization, f"Bearer {token}"):
        raise HTTPException(401, "missing or wrong internal token")


router = APIRouter(prefix="/internal", dependencies=[Depends(authorised)])


MAX_ROUND = 1000  # far above any real callback's start + resumes + reminders


class SendRound(BaseModel):
    round: int = Field(ge=1, le=MAX_ROUND)
    mode: SendMode


class Digest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    # the digest's day: posting the same day again changes nothing
    day: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


_POST_CODES = {
    PostStatus.SENT: 200,
    PostStatus.QUEUED: 200,
    PostStatus.SKIPPED: 200,
    PostStatus.UNDELIVERABLE: 200,  # given up for good: asking again would not help
    PostStatus.NOT_FOUND: 404,
}


@router.post("/callbacks/{callback_id}/send")
async def send(callback_id: int, body: SendRound, request: Request) -> JSONResponse:
    gw = gateway(request)
    outcome = await send_round(gw.relay, callback_id, body.round, body.mode)
    answer: dict[str, object] = {"status": outcome.status.value}
    if outcome.status == RoundStatus.SENT:
        answer["messages"] = outcome.messages
    if outcome.detail:
        answer["detail"] = outcome.detail
    return JSONResponse(answer, status_code=ROUND_HTTP_STATUS[outcome.status])


@router.post("/escalations/{escalation_id}/alert")
async def alert(escalation_id: int, request: Request) -> JSONResponse:
    status = await supervisor_chat.alert(gateway(request), escalation_id)
    return JSONResponse({"status": status.value}, status_code=_POST_CODES[status])


@router.post("/supervisors/digest")
async def digest(body: Digest, request: Request) -> JSONResponse:
    key = f"digest:{body.day}" if body.day else None
    status = await supervisor_chat.post(gateway(request), [Outgoing(body.text, [])], key=key)
    return JSONResponse({"status": status.value}, status_code=_POST_CODES[status])


@router.get("/outbox")
async def outbox_figures(request: Request) -> dict[str, int]:
    """Outbound messages per delivery state (in_doubt and failed are worth a look)."""
    return await gateway(request).db.run(outbox.counts)


@router.get("/inbox")
async def inbox_figures(request: Request) -> dict[str, int]:
    """Customer messages per inbox state (waiting long or failed are worth a look)."""
    return await gateway(request).db.run(inbox.counts)
