"""The built-in web chat: a page at /chat/{token} and its JSON API under /webchat/{token}. The
token is the customer's web-chat link (huifang.webchat_links), issued at intake like a
Telegram deep link; unknown or expired links get 404, too many requests per link or per client
address get 429 (settings.webchat_requests_per_minute*)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import AliasChoices, BaseModel, Field, ValidationError, model_validator
from sqlalchemy.orm import Session

from bot import inbox
from bot.gateway import Gateway
from bot.inbox_worker import TryEnded
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


def _allow(token: str, request: Request) -> None:
    gateway = _gateway(request)
    client = request_client(request, gateway.settings.trusted_proxies)
    if not gateway.chat_rate.allow(webchat_links.token_hash(token), client):
        raise ChatRefused(429, TOO_FAST)


def _find(session: Session, token: str) -> ChatAccess:
    chat = webchat_links.chat_of(session, token, utcnow())
    if chat is None:
        raise ChatRefused(404, LINK_INVALID)
    return ChatAccess(*chat)


async def _access(token: str, request: Request) -> ChatAccess:
    _allow(token, request)
    return await _gateway(request).db.run(lambda s: _find(s, token))


@contextlib.contextmanager
def _refusals_as_http() -> Iterator[None]:
    """The JSON API's refusals: 404 / 409 / 429 with a polite Chinese `detail`."""
    try:
        yield
    except ChatRefused as refused:
        raise HTTPException(refused.status, refused.text) from None


async def chat_access(token: str, request: Request) -> ChatAccess:
    """The JSON API's guard."""
    with _refusals_as_http():
        return await _access(token, request)


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


async def _message(token: str, request: Request) -> Inbound:
    """The request's message. One that is not valid is refused only after the link is checked
    (404 / 429 come first): a stranger learns nothing about what a message looks like."""
    try:
        return Inbound.model_validate_json(await request.body())
    except ValidationError as invalid:
        await _access(token, request)
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])}
                                      for error in invalid.errors(include_url=False)]) from None


@router.post("/webchat/{token}/messages", response_model=None)
async def post_message(token: str, request: Request) -> list[dict[str, Any]] | JSONResponse:
    """The message is stored before anything is answered (docs/contracts.md, "Web chat"):
    200 with the replies when they come in time, else 202 — the page fetches them later. The
    same `key` again stores nothing and answers what the first one got. The link is checked
    in the transaction that stores the message (the guard of the other routes, in one go)."""
    gateway = _gateway(request)
    with _refusals_as_http():
        body = await _message(token, request)
    message = ({"text": body.text.strip()} if body.text else {"button": body.button})
    key = body.key or uuid.uuid4().hex

    def store(session: Session) -> tuple[str, int, InboxStatus | None]:
        """The chat, the message's row and its state now (`None`: held up behind an earlier
        message that waits to be tried again)."""
        chat = _find(session, token)
        if body.button is not None and not open_button(session, WEBCHAT, chat.address,
                                                       body.button):
            raise ChatRefused(409, localized(STALE_BUTTON, chat.locale))  # nothing stored
        stored = inbox.store(session, WEBCHAT, key, chat.address, message, utcnow())
        item = (stored if stored is not None
                else inbox.stored_id(session, WEBCHAT, key, chat.address))
        if item is None:
            raise ChatRefused(409, "this message key belongs to another chat")
        if inbox.held_up(session, WEBCHAT, chat.address, item):
            return chat.address, item, None
        return chat.address, item, (InboxStatus.WAITING if stored is not None
                                    else inbox.status_of(session, item))

    with _refusals_as_http(), gateway.inbox.awaiting(WEBCHAT, key) as first_try:
        _allow(token, request)
        address, item_id, status = await gateway.db.run(store)
        first_try.address = address
        ended = TryEnded(status or InboxStatus.WAITING)
        if status is None:
            gateway.inbox.wake()
        elif status == InboxStatus.WAITING:
            gateway.inbox.kick((WEBCHAT, address))
            with contextlib.suppress(TimeoutError):
                ended = await asyncio.wait_for(first_try.future,
                                               gateway.settings.webchat_reply_wait_seconds)
    if ended.status != InboxStatus.DONE:
        return JSONResponse({"status": "queued"}, status_code=202)
    replies = (ended.replies if ended.replies is not None
               else await gateway.db.run(lambda s: replies_to(s, item_id)))
    return [{"id": m.id, "text": m.text, "buttons": m.as_json()["buttons"]} for m in replies]


@router.get("/webchat/{token}/messages")
async def get_messages(chat: Chat, request: Request, after: int = Query(0, ge=0, le=MAX_MESSAGE_ID)
                       ) -> list[dict[str, Any]]:
    messages = await _gateway(request).db.run(
        lambda s: conversation(s, WEBCHAT, chat.address, after))
    return [m.as_json() for m in messages]
