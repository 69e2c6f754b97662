"""A fake Telegram Bot API server for tests and benchmarks.

It speaks the Bot API methods the gateway uses with Telegram's JSON shapes (getMe,
getUpdates, setWebhook, deleteWebhook, getWebhookInfo, sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setMyCommands), lets a test play users (text,
commands, button presses, stickers, photos, voice, locations, blocking the bot), records
everything the bot did, and enforces Telegram's flood limits with real 429 answers carrying
`retry_after`: about 30 messages/s overall and about 1 message/s per chat (a short burst
allowed). Faults a test can inject: a rate-limit storm, server errors, a user blocking the
bot, the bot removed from a group (and added back), and answers that come back late (the
message is delivered, the answer is slow: a read timeout, seen from the bot). The gateway runs
unmodified against it with
`HUIFANG_TELEGRAM_API_BASE_URL=http://127.0.0.1:<port>/bot`.

State lives behind one lock, so a test thread can inject updates and read the record while
the server runs in its own thread (`serving`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.processes import free_port

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
# Methods that put something into a chat; only these count against the flood limits.
CHAT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "cache_time",
                         "max_connections"})
_JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "entities",
                          "link_preview_options", "reply_parameters", "scope"})
_BOOL_FIELDS = frozenset({"show_alert", "drop_pending_updates", "disable_notification",
                          "protect_content"})


class BotApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "zh-hans"

    def as_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name,
                      "language_code": self.language_code}
        if self.username:
            data["username"] = self.username
        return data

    def private_chat(self) -> JSON:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class SentMessage:
    """A message the bot sent, as the fake stored it (its keyboard follows later edits)."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: JSON | None
    date: int

    def buttons(self) -> list[JSON]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, title_prefix: str) -> JSON:
        return next(b for b in self.buttons() if b["text"].startswith(title_prefix))


@dataclass(frozen=True)
class Edit:
    chat_id: int
    message_id: int
    method: str
    text: str | None
    reply_markup: JSON | None


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool


@dataclass(frozen=True)
class Rejection:
    method: str
    chat_id: int | None
    code: int
    description: str
    retry_after: int | None
    at: float


@dataclass
class _Bucket:
    """Token bucket: `capacity` requests at once, refilled at `rate` per second."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take a token; returns 0 on success, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class FloodLimits:
    global_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    responses: list[int] = field(default_factory=list)


class FakeBotApi:
    def __init__(self, token: str = "123456789:FAKE-token_for-tests",
                 bot_username: str = "huifang_test_bot", limits: FloodLimits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        self.bot = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "回访助手",
                    "username": bot_username, "can_join_groups": True,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.limits = limits or FloodLimits()
        self._clock = clock
        self._lock = threading.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._updates: list[JSON] = []
        self._confirmed_offset = 0
        self._chats: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._open_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._storm: tuple[int, int] = (0, 0)
        self._kicked: set[int] = set()
        self._slow_answers: list[float] = []
        self._server_errors = 0
        self._global = _Bucket(self.limits.global_per_second, self.limits.global_per_second,
                               self.limits.global_per_second, clock())
        self._per_chat: dict[int, _Bucket] = {}
        self._webhook: _Webhook | None = None
        self._webhook_wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._listeners: list[Callable[[SentMessage], None]] = []
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.answers: list[CallbackAnswer] = []
        self.rejections: list[Rejection] = []
        self.calls: list[str] = []

    # ---- what a test does as a Telegram user -------------------------------------------------

    def user_sends(self, user: FakeUser, text: str, chat: JSON | None = None) -> JSON:
        """A text message (a leading /command gets its bot_command entity, as Telegram does)."""
        message = self._user_message(user, chat)
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": message})

    def user_sends_sticker(self, user: FakeUser) -> JSON:
        message = self._user_message(user)
        message["sticker"] = {"file_id": "CAACAgIAAxkBAAIC", "file_unique_id": "AgADxyz",
                              "type": "regular", "width": 512, "height": 512,
                              "is_animated": False, "is_video": False, "emoji": "👍"}
        return self._push({"message": message})

    def user_sends_photo(self, user: FakeUser) -> JSON:
        message = self._user_message(user)
        message["photo"] = [{"file_id": f"photo-{size}", "file_unique_id": f"p{size}",
                             "width": size, "height": size, "file_size": size * 40}
                            for size in (90, 320, 800)]
        return self._push({"message": message})

    def user_sends_voice(self, user: FakeUser) -> JSON:
        message = self._user_message(user)
        message["voice"] = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 4,
                            "mime_type": "audio/ogg"}
        return self._push({"message": message})

    def user_sends_location(self, user: FakeUser) -> JSON:
        message = self._user_message(user)
        message["location"] = {"latitude": 39.9042, "longitude": 116.4074}
        return self._push({"message": message})

    def user_presses(self, user: FakeUser, message: SentMessage, callback_data: str) -> str:
        """Press an inline button of a message the bot sent; returns the callback query id."""
        with self._lock:
            current = self._messages[(message.chat_id, message.message_id)]
            query_id = f"q{next(self._query_ids)}"
            self._open_queries.add(query_id)
            query = {"id": query_id, "from": user.as_json(), "chat_instance": f"ci{user.id}",
                     "data": callback_data, "message": self._message_json(current)}
        self._push({"callback_query": query})
        return query_id

    def add_user(self, user: FakeUser) -> None:
        """A user who started the bot earlier (the bot may write to them)."""
        with self._lock:
            self._chats.setdefault(user.id, user.private_chat())

    def block(self, user: FakeUser) -> None:
        """The user blocks the bot: every later message to them gets 403."""
        with self._lock:
            self._blocked.add(user.id)

    def add_group(self, chat_id: int, title: str) -> JSON:
        """A group the bot is a member of (e.g. the supervisors' chat)."""
        chat = {"id": chat_id, "type": "group", "title": title}
        with self._lock:
            self._chats[chat_id] = chat
        return chat

    def kick_from_group(self, chat_id: int) -> None:
        """The bot is removed from a group: every later message to it gets 403."""
        with self._lock:
            self._kicked.add(chat_id)

    def rejoin_group(self, chat_id: int) -> None:
        with self._lock:
            self._kicked.discard(chat_id)

    def fail_with_server_errors(self, requests: int) -> None:
        """The next `requests` chat requests are answered 500 and deliver nothing."""
        with self._lock:
            self._server_errors = requests

    def answer_slowly(self, seconds: float, requests: int = 1) -> None:
        """The next `requests` sendMessage calls deliver their message at once but answer only
        after `seconds` (a bot with a shorter read timeout never learns it was sent)."""
        with self._lock:
            self._slow_answers.extend([seconds] * requests)

    def rate_limit_storm(self, requests: int, retry_after: int = 1) -> None:
        """The next `requests` chat requests are answered 429 whatever the real rate."""
        with self._lock:
            self._storm = (requests, retry_after)

    # ---- what a test reads --------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        with self._lock:
            return list(self._by_chat.get(chat_id, []))

    def subscribe(self, listener: Callable[[SentMessage], None]) -> None:
        """Call `listener` (in the server's thread) for every message the bot sends."""
        with self._lock:
            self._listeners.append(listener)

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        with self._lock:
            return self._messages[(chat_id, message_id)]

    def rejected(self, code: int) -> list[Rejection]:
        with self._lock:
            return [r for r in self.rejections if r.code == code]

    @property
    def webhook_responses(self) -> list[int]:
        with self._lock:
            return list(self._webhook.responses) if self._webhook else []

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return sum(1 for u in self._updates if u["update_id"] >= self._confirmed_offset)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0,
                 what: str = "condition") -> Any:
        """Block until `predicate()` is truthy (it is re-checked on every change)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake Bot API: timed out waiting for {what}")
                self._lock.wait(min(remaining, 0.2))

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 30.0
                          ) -> list[SentMessage]:
        return self.wait_for(lambda: (lambda m: list(m) if len(m) >= count else None)(
            self._by_chat.get(chat_id, [])), timeout, f"{count} messages to chat {chat_id}")

    def wait_for_answer(self, query_id: str, timeout: float = 30.0) -> CallbackAnswer:
        return self.wait_for(lambda: next((a for a in self.answers if a.query_id == query_id),
                                          None), timeout, f"answer to query {query_id}")

    # ---- the HTTP server --------------------------------------------------------------------

    def app(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(_app: Starlette):  # type: ignore[no-untyped-def]
            self._loop = asyncio.get_running_loop()
            self._webhook_wakeup = asyncio.Event()
            pusher = asyncio.create_task(self._push_webhooks())
            yield
            pusher.cancel()

        return Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
        ], lifespan=lifespan)

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401,
                                 "description": "Unauthorized"}, status_code=401)
        params = await _parameters(request)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None and method != "getUpdates":
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"},
                                status_code=404)
        delay = 0.0
        try:
            if handler is None:  # getUpdates long-polls without holding the lock
                result = await self._get_updates(params, request)
            else:
                with self._lock:
                    self.calls.append(method)
                    if method in CHAT_METHODS:
                        self._check_chat(method, int(params["chat_id"]))
                    result = handler(params)
                    if method == "sendMessage" and self._slow_answers:
                        delay = self._slow_answers.pop(0)
                    self._lock.notify_all()
        except BotApiError as error:
            body: JSON = {"ok": False, "error_code": error.code,
                          "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return JSONResponse(body, status_code=error.code)
        if delay:
            await asyncio.sleep(delay)
        return JSONResponse({"ok": True, "result": result})

    def _check_chat(self, method: str, chat_id: int) -> None:
        """Flood limits, blocked users and unknown chats; called with the lock held."""
        now = self._clock()
        if chat_id in self._blocked:
            self._reject(method, chat_id, 403, "Forbidden: bot was blocked by the user")
        if chat_id in self._kicked:
            self._reject(method, chat_id, 403, "Forbidden: bot was kicked from the group chat")
        if self._server_errors > 0:
            self._server_errors -= 1
            self._reject(method, chat_id, 500, "Internal Server Error")
        if chat_id not in self._chats:
            self._reject(method, chat_id, 400, "Bad Request: chat not found")
        left, retry_after = self._storm
        if left > 0:
            self._storm = (left - 1, retry_after)
            self._reject(method, chat_id, 429, f"Too Many Requests: retry after {retry_after}",
                         retry_after)
        bucket = self._per_chat.setdefault(chat_id, _Bucket(
            self.limits.chat_burst, self.limits.chat_per_second, self.limits.chat_burst, now))
        wait = max(self._global.take(now), bucket.take(now))
        if wait:
            retry_after = max(1, math.ceil(wait))
            self._reject(method, chat_id, 429, f"Too Many Requests: retry after {retry_after}",
                         retry_after)

    def _reject(self, method: str, chat_id: int | None, code: int, description: str,
                retry_after: int | None = None) -> None:
        self.rejections.append(Rejection(method, chat_id, code, description, retry_after,
                                         self._clock()))
        self._lock.notify_all()
        raise BotApiError(code, description, retry_after)

    # ---- Bot API methods (called with the lock held) ---------------------------------------

    def _api_getMe(self, _params: JSON) -> JSON:
        return self.bot

    def _api_setMyCommands(self, _params: JSON) -> bool:
        return True

    def _api_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if not url:
            self._webhook = None
            return True
        if urlparse(url).scheme not in ("http", "https"):
            raise BotApiError(400, "Bad Request: bad webhook: invalid URL")
        self._webhook = _Webhook(url, params.get("secret_token"))
        if params.get("drop_pending_updates"):
            self._confirmed_offset = next(self._update_ids)
        self._wake_webhook()
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._confirmed_offset = next(self._update_ids)
        return True

    def _api_getWebhookInfo(self, _params: JSON) -> JSON:
        pending = sum(1 for u in self._updates if u["update_id"] >= self._confirmed_offset)
        return {"url": self._webhook.url if self._webhook else "",
                "has_custom_certificate": False, "pending_update_count": pending}

    def _api_sendMessage(self, params: JSON) -> JSON:
        chat_id = int(params["chat_id"])
        text = str(params.get("text") or "")
        if not text.strip():
            self._reject("sendMessage", chat_id, 400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            self._reject("sendMessage", chat_id, 400, "Bad Request: message is too long")
        markup = self._valid_markup("sendMessage", chat_id, params.get("reply_markup"))
        message = SentMessage(next(self._message_ids), chat_id, text, markup, int(time.time()))
        self._messages[(chat_id, message.message_id)] = message
        self.sent.append(message)
        self._by_chat.setdefault(chat_id, []).append(message)
        for listener in self._listeners:
            listener(message)
        return self._message_json(message)

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = self._editable(params)
        markup = self._valid_markup("editMessageReplyMarkup", message.chat_id,
                                    params.get("reply_markup"))
        if markup == message.reply_markup:
            self._reject("editMessageReplyMarkup", message.chat_id, 400,
                         "Bad Request: message is not modified: specified new message content "
                         "and reply markup are exactly the same as a current content and reply "
                         "markup of the message")
        message.reply_markup = markup
        self.edits.append(Edit(message.chat_id, message.message_id, "editMessageReplyMarkup",
                               None, markup))
        return self._message_json(message)

    def _api_editMessageText(self, params: JSON) -> JSON:
        message = self._editable(params)
        text = str(params.get("text") or "")
        if not text.strip() or len(text) > MAX_TEXT_LENGTH:
            self._reject("editMessageText", message.chat_id, 400, "Bad Request: text is invalid")
        message.text = text
        message.reply_markup = self._valid_markup("editMessageText", message.chat_id,
                                                  params.get("reply_markup"))
        self.edits.append(Edit(message.chat_id, message.message_id, "editMessageText", text,
                               message.reply_markup))
        return self._message_json(message)

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self._open_queries:
            self._reject("answerCallbackQuery", None, 400,
                         "Bad Request: query is too old and response timeout expired or query "
                         "ID is invalid")
        self._open_queries.discard(query_id)
        self.answers.append(CallbackAnswer(query_id, params.get("text"),
                                           bool(params.get("show_alert"))))
        return True

    async def _get_updates(self, params: JSON, request: Request) -> list[JSON]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                self.calls.append("getUpdates")
                if self._webhook is not None:
                    raise BotApiError(409, "Conflict: can't use getUpdates method while webhook "
                                           "is active; use deleteWebhook to delete the webhook "
                                           "first")
                if offset:
                    self._confirmed_offset = max(self._confirmed_offset, offset)
                    self._lock.notify_all()
                ready = [u for u in self._updates if u["update_id"] >= self._confirmed_offset]
                if ready or time.monotonic() >= deadline:
                    return ready[:limit]
            if await request.is_disconnected():  # the bot stopped polling
                return []
            await asyncio.sleep(0.01)

    # ---- helpers --------------------------------------------------------------------------

    def _user_message(self, user: FakeUser, chat: JSON | None = None) -> JSON:
        chat = chat or user.private_chat()
        with self._lock:
            self._chats.setdefault(chat["id"], chat)
            message_id = next(self._message_ids)
        return {"message_id": message_id, "from": user.as_json(), "chat": chat,
                "date": int(time.time())}

    def _push(self, update: JSON) -> JSON:
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._lock.notify_all()
        self._wake_webhook()
        return update

    def _wake_webhook(self) -> None:
        if self._loop is not None and self._webhook_wakeup is not None:
            self._loop.call_soon_threadsafe(self._webhook_wakeup.set)

    async def _push_webhooks(self) -> None:
        """Deliver updates to the webhook in order, as Telegram does, retrying on failure."""
        assert self._webhook_wakeup is not None
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                await self._webhook_wakeup.wait()
                self._webhook_wakeup.clear()
                while True:
                    with self._lock:
                        hook = self._webhook
                        ready = [u for u in self._updates
                                 if u["update_id"] >= self._confirmed_offset]
                    if hook is None or not ready:
                        break
                    headers = {"Content-Type": "application/json"}
                    if hook.secret_token:
                        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
                    try:
                        response = await client.post(hook.url, content=json.dumps(ready[0]),
                                                     headers=headers)
                        status = response.status_code
                    except httpx.HTTPError:
                        status = 0
                    with self._lock:
                        hook.responses.append(status)
                        if 200 <= status < 300:
                            self._confirmed_offset = ready[0]["update_id"] + 1
                        self._lock.notify_all()
                    if not 200 <= status < 300:
                        await asyncio.sleep(0.5)

    def _editable(self, params: JSON) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self._messages.get(key)
        if message is None:
            self._reject("edit", key[0], 400, "Bad Request: message to edit not found")
        assert message is not None
        return message

    def _valid_markup(self, method: str, chat_id: int, markup: Any) -> JSON | None:
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                    self._reject(method, chat_id, 400, "Bad Request: BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and urlparse(url).scheme not in ("http", "https", "tg"):
                    self._reject(method, chat_id, 400, "Bad Request: BUTTON_URL_INVALID")
                if not button.get("text"):
                    self._reject(method, chat_id, 400, "Bad Request: text buttons are unallowed")
        return markup

    def _message_json(self, message: SentMessage) -> JSON:
        data: JSON = {"message_id": message.message_id, "from": self.bot,
                      "chat": self._chats[message.chat_id], "date": message.date,
                      "text": message.text}
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data


async def _parameters(request: Request) -> JSON:
    """Bot API parameters: a JSON body, or form fields whose non-string values are JSON."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return dict(json.loads(body)) if body else {}
    raw = dict(await request.form()) if request.method == "POST" else {}
    raw.update(request.query_params)
    params: JSON = {}
    for name, value in raw.items():
        value = str(value)
        if name in _JSON_FIELDS:
            params[name] = json.loads(value)
        elif name in _INT_FIELDS:
            params[name] = int(value)
        elif name in _BOOL_FIELDS:
            params[name] = value.lower() == "true"
        else:
            params[name] = value
    return params


@dataclass
class RunningFakeBotApi:
    api: FakeBotApi
    url: str

    @property
    def base_url(self) -> str:
        """What HUIFANG_TELEGRAM_API_BASE_URL must be set to."""
        return f"{self.url}/bot"


@contextmanager
def serve_asgi(app: Any, port: int | None = None, name: str = "asgi") -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on 127.0.0.1 (a free port unless given) until
    its startup (lifespan) completed; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True, name=name)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serve_asgi_in_order(apps: list[tuple[Any, int | None]], name: str = "asgi"
                        ) -> Iterator[list[str]]:
    """Several ASGI apps in ONE thread and event loop, each started after the one before it
    (as one process serves its listeners: objects they share, such as an httpx client, stay on
    one loop); yields their base URLs."""
    servers = [uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port or free_port(),
                                             log_level="warning", access_log=False,
                                             timeout_graceful_shutdown=2))
               for app, port in apps]

    async def run() -> None:
        tasks = []
        for server in servers:
            tasks.append(asyncio.create_task(server.serve()))
            while not server.started and not tasks[-1].done():
                await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)

    thread = threading.Thread(target=lambda: asyncio.run(run()), daemon=True, name=name)
    thread.start()
    deadline = time.monotonic() + 30
    while not all(server.started for server in servers):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    try:
        yield [f"http://127.0.0.1:{server.config.port}" for server in servers]
    finally:
        for server in servers:
            server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def serving(api: FakeBotApi | None = None) -> Iterator[RunningFakeBotApi]:
    """Run the fake server in a thread on a free port of 127.0.0.1."""
    api = api or FakeBotApi()
    with serve_asgi(api.app(), name="fake-bot-api") as url:
        yield RunningFakeBotApi(api, url)
