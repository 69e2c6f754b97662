"""The built-in web chat: a page at /chat/{address} and its JSON API. A web-chat customer is
whoever holds the address (it is printed on their ticket like a deep link)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, model_validator

from bot.conversation_routing import customer_at
from bot.gateway import Gateway
from bot.relay import TurnStatus
from bot.transcript import conversation
from huifang.db.models import Channel, Locale

WEBCHAT = Channel.WEBCHAT
MAX_TEXT = 2000

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter()


class Inbound(BaseModel):
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    payload: str | None = Field(default=None, max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _one_of(self) -> Inbound:
        if bool(self.text and self.text.strip()) == bool(self.payload):
            raise ValueError('send either "text" or "payload"')
        return self


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


async def _locale_or_404(gateway: Gateway, address: str) -> Locale:
    def find(session: Any) -> Locale | None:
        customer = customer_at(session, WEBCHAT, address)
        return customer.locale if customer else None

    locale = await gateway.db.run(find)
    if locale is None:
        raise HTTPException(404, "unknown chat address")
    return locale


@router.get("/chat/{address}", response_class=HTMLResponse)
async def page(address: str, request: Request) -> HTMLResponse:
    locale = await _locale_or_404(_gateway(request), address)
    return templates.TemplateResponse(request, "chat.html", {
        "address": address, "lang": locale.value,
        "brand": _gateway(request).settings.brand_name})


@router.post("/webchat/{address}/messages")
async def post_message(address: str, body: Inbound, request: Request) -> list[dict[str, Any]]:
    result = await _gateway(request).relay.customer_turn(
        WEBCHAT, address, text=body.text.strip() if body.text else None, payload=body.payload)
    if result.status == TurnStatus.UNKNOWN_ADDRESS:
        raise HTTPException(404, "unknown chat address")
    return [{"id": m.id, "text": m.text, "buttons": m.as_json()["buttons"]}
            for m in result.replies]


@router.get("/webchat/{address}/messages")
async def get_messages(address: str, request: Request, after: int = Query(0, ge=0)
                       ) -> list[dict[str, Any]]:
    gateway = _gateway(request)
    await _locale_or_404(gateway, address)
    messages = await gateway.db.run(lambda s: conversation(s, WEBCHAT, address, after))
    return [m.as_json() for m in messages]
