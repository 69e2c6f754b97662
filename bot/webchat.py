"""The built-in web chat: a page at /chat/{token} and its JSON API under /webchat/{token}. The
token is the customer's web-chat link (huifang.webchat_links), issued at intake like a
Telegram deep link; unknown or expired links get 404, too many requests per link or per client
address get 429 (settings.webchat_requests_per_minute*)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import AliasChoices, BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from bot import inbox
from bot.gateway import Gateway
from bot.texts import LINK_INVALID, STALE_BUTTON, TOO_FAST, localized
from bot.transcript import conversation, open_button, replies_to
from huifang import webchat_links
from huifang.db.models import Channel, InboxStatus, Locale
from huifang.db.types import utcnow
from huifang.web.client_address import request_client

WEBCHAT = Channel.WEBCHAT
MAX_TEXT = 2000
PREFIXES = ("/chat/", "/webchat/")  # the routes below; bot/app.py gives them a small body limit
# the link is a credential: a page opened from it must not pass it on in a Referer header
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter()
MAX_MESSAGE_ID = 2**31 - 1  # message ids are 32-bit integers on PostgreSQL
MAX_KEY = 64


class Inbound(BaseModel):
    """Typed `text`, or the opaque id of a pressed `button` (pages loaded before buttons had
    ids send it as `payload`; whatever is in it, it is only ever looked up as an id), and the
    page's `key` for this message (a new one per message, the same when it is sent again)."""

    text: str | None = Field(default=None, max_length=MAX_TEXT)
    button: str | None = Field(default=None, max_length=MAX_TEXT,
                               validation_alias=AliasChoices("button", "payload"))
    key: str | None = Field(default=None, min_length=8, max_length=MAX_KEY,
                            pattern=r"^[A-Za-z0-9_-]+$")

    @model_validator(mode="after")
    def _one_of(self) -> Inbound:
        if bool(self.text and self.text.strip()) == bool(self.button):
            raise ValueError('send either "text" or "button"')
        return self


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


@dataclass(frozen=True)
class ChatAccess:
    """Whom a link token lets in: the customer's web-chat address and language."""

    address: str
    locale: Locale


class ChatRefused(Exception):
    def __init__(self, status: int, text: str) -> None:
        self.status, self.text = status, text


async def _access(token: str, request: Request) -> ChatAccess:
    gateway = _gateway(request)
    client = request_client(request, gateway.settings.trusted_proxies)
    if not gateway.chat_rate.allow(webchat_links.token_hash(token), client):
        raise ChatRefused(429, TOO_FAST)

    def find(session: Any) -> ChatAccess | None:
        customer = webchat_links.resolve(session, token, utcnow())
        address = customer.address_for(WEBCHAT) if customer else None
        return ChatAccess(address, customer.locale) if customer and address else None

    access = await gateway.db.run(find)
    if access is None:
        raise ChatRefused(404, LINK_INVALID)
    return access


async def chat_access(token: str, request: Request) -> ChatAccess:
    """The JSON API's guard: 404 / 429 with a polite Chinese `detail`."""
    try:
        return await _access(token, request)
    except ChatRefused as refused:
        raise HTTPException(refused.status, refused.text) from None


Chat = Annotated[ChatAccess, Depends(chat_access)]


@router.get("/chat/{token}", response_class=HTMLResponse)
async def page(token: str, request: Request) -> HTMLResponse:
    brand = _gateway(request).settings.brand_name
    try:
        chat = await _access(token, request)
    except ChatRefused as refused:
        return templates.TemplateResponse(request, "chat_notice.html", {
            "lang": Locale.SIMPLIFIED.value, "brand": brand, "notice": refused.text},
            status_code=refused.status, headers=NO_REFERRER)
    return templates.TemplateResponse(request, "chat.html", {
        "token": token, "lang": chat.locale.value, "brand": brand}, headers=NO_REFERRER)


@router.post("/webchat/{token}/messages", response_model=None)
async def post_message(chat: Chat, body: Inbound, request: Request
                       ) -> list[dict[str, Any]] | JSONResponse:
    """The message is stored before anything is answered (docs/contracts.md, "Web chat"):
    200 with the replies when they come in time, else 202 — the page fetches them later. The
    same `key` again stores nothing and answers what the first one got."""
    gateway, address = _gateway(request), chat.address
    if body.button is not None and not await gateway.db.run(
            lambda s: open_button(s, WEBCHAT, address, body.button or "")):
        raise HTTPException(409, localized(STALE_BUTTON, chat.locale))  # nothing was stored
    message = ({"text": body.text.strip()} if body.text else {"button": body.button})
    key = body.key or uuid.uuid4().hex

    def store(session: Session) -> tuple[int | None, InboxStatus | None]:
        """The message's row and its state now (`None`: held up behind an earlier message
        that waits to be tried again)."""
        stored = inbox.store(session, WEBCHAT, key, address, message, utcnow())
        item = stored if stored is not None else inbox.stored_id(session, WEBCHAT, key, address)
        if item is None or inbox.held_up(session, WEBCHAT, address, item):
            return item, None
        return item, InboxStatus.WAITING if stored is not None else inbox.status_of(session, item)

    chat = (WEBCHAT, address)
    with gateway.inbox.awaiting(chat, key) as first_try:
        item_id, status = await gateway.db.run(store)
        if item_id is None:
            raise HTTPException(409, "this message key belongs to another chat")
        if status is None:
            gateway.inbox.wake()
        elif status == InboxStatus.WAITING:
            gateway.inbox.kick(chat)
            with contextlib.suppress(TimeoutError):
                status = await asyncio.wait_for(first_try,
                                                gateway.settings.webchat_reply_wait_seconds)
    if status != InboxStatus.DONE:
        return JSONResponse({"status": "queued"}, status_code=202)
    replies = await gateway.db.run(lambda s: replies_to(s, item_id))
    return [{"id": m.id, "text": m.text, "buttons": m.as_json()["buttons"]} for m in replies]


@router.get("/webchat/{token}/messages")
async def get_messages(chat: Chat, request: Request, after: int = Query(0, ge=0, le=MAX_MESSAGE_ID)
                       ) -> list[dict[str, Any]]:
    messages = await _gateway(request).db.run(
        lambda s: conversation(s, WEBCHAT, chat.address, after))
    return [m.as_json() for m in messages]
