"""The one typed settings object of Huifang, read from the environment and `.env`.

Every variable is prefixed `HUIFANG_` and documented in `.env.example`.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from ipaddress import ip_network
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from huifang.local_time import known_zone

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HUIFANG_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,
    )

    # Development machine: weak or missing secrets are accepted, `huifang run` generates
    # random ones for its processes and loads the demo campaign (docs/security.md)
    dev_mode: bool = False

    # How the assistant introduces the company in the conversation
    brand_name: str = "客户服务中心"

    # Storage
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'huifang.db'}"

    # Secrets have no usable default: outside dev mode every process refuses to start until
    # they are set (huifang/secret_rules.py).
    # Rasa server (HTTP API bound to 127.0.0.1, token-protected) and action server
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr = SecretStr("")
    rasa_timeout_seconds: float = 30.0
    action_server_port: int = 5055
    action_server_token: SecretStr = SecretStr("")
    rasa_tracker_db: str = str(PROJECT_ROOT / "var" / "rasa_tracker.db")
    # Redis for Rasa's trackers and conversation locks (redis://host:6379/0): faster than the
    # SQLite file above, and needed to run several Rasa servers (docs/performance.md,
    # docs/deployment.md). Unset: the SQLite file, one Rasa server. Keys start with the
    # prefix (letters and digits); a tracker is dropped this long after its last turn (the
    # transcript and outcome live in Huifang's database).
    redis_url: str | None = None
    redis_key_prefix: str = Field("huifang", pattern=r"^[A-Za-z0-9]+$")
    rasa_tracker_ttl_hours: float = Field(24.0 * 30, gt=0)
    # Several Rasa servers sharing the Redis stores: the gateway sends each conversation to
    # one of them, chosen by a stable hash of its sender id. Empty: rasa_url alone.
    rasa_urls: list[str] = Field(default_factory=list)

    # Gateway: public listener (web chat, Telegram webhook) and the internal API for the
    # scheduler and actions, on its own listener bound to loopback, bearer-token protected
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    gateway_internal_url: str = "http://127.0.0.1:8081"
    internal_token: SecretStr = SecretStr("")
    public_base_url: str = "http://127.0.0.1:8080"
    webchat_link_ttl_days: int = Field(30, ge=1)

    # Request limits: bodies larger than these are refused (413) before they are parsed;
    # web-chat requests per minute per chat link and per client address (429)
    webchat_max_body_bytes: int = Field(16 * 1024, ge=1024)
    intake_max_body_bytes: int = Field(16 * 1024 * 1024, ge=1024)
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    webchat_requests_per_minute: int = Field(90, ge=1)
    webchat_requests_per_minute_per_client: int = Field(600, ge=1)
    # Reverse proxies (IP addresses or CIDR networks) whose X-Forwarded-For is believed
    trusted_proxies: list[str] = Field(default_factory=list)

    # Inbound messages (docs/reliability.md, "Inbound"): stored before they are acknowledged,
    # then relayed to Rasa in order per chat. A message Rasa did not answer (down, or slower
    # than rasa_timeout_seconds) is tried again after a backoff doubling from the first to the
    # longest wait, and given up (operations alerted) after this many tries. A gateway holds
    # a message for the lease (longer than a Rasa call); a crashed one's are taken over after.
    # The web chat's POST waits this long for the replies before answering 202 (the page polls).
    inbox_max_attempts: int = Field(12, ge=1)
    inbox_first_backoff_seconds: float = Field(2.0, gt=0)
    inbox_max_backoff_seconds: float = Field(300.0, gt=0)
    inbox_lease_seconds: float = Field(90.0, gt=0)
    inbox_poll_seconds: float = Field(1.0, gt=0)
    webchat_reply_wait_seconds: float = Field(45.0, ge=0)

    # Telegram (optional; without a token only the built-in web chat runs)
    telegram_token: SecretStr | None = None
    telegram_bot_username: str = "huifang_bot"
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_supervisors_chat_id: int | None = None
    telegram_supervisor_ids: list[int] = Field(default_factory=list)
    bind_token_ttl_days: int = 30
    # Per-chat pacing of outgoing Telegram messages: a burst, then this many a second (a little
    # under Telegram's ~1/s, as requests reach it with jitter)
    telegram_chat_messages_per_second: float = Field(0.9, gt=0)
    telegram_chat_burst: int = Field(3, ge=1)
    # The bot's overall pace, all chats together: Telegram allows about 30 messages a second;
    # 29 keeps a margin for requests that reach it closer together than they left
    telegram_messages_per_second: float = Field(29.0, gt=0, le=30)

    # Intake API and scheduler
    scheduler_host: str = "127.0.0.1"
    scheduler_port: int = 8090
    intake_api_keys: list[SecretStr] = Field(default_factory=list)
    dispatch_interval_seconds: float = 5.0
    dispatch_batch_size: int = 50
    # callbacks one dispatch worker sends at once (`python -m scheduler --concurrency` overrides)
    dispatch_concurrency: int = Field(8, ge=1)
    # how often silent conversations are followed up (reminder, no response) and escalation
    # deadlines are watched
    follow_up_interval_seconds: float = Field(60.0, gt=0)
    escalation_watch_interval_seconds: float = Field(60.0, gt=0)
    # the supervisors' morning digest, local time (timezone)
    digest_time: time = time(8, 30)
    # APScheduler's INFO line for every job run ("Running job …", every few seconds); off
    # unless you are debugging the scheduler
    scheduler_job_log: bool = False
    lease_seconds: int = 300
    max_send_attempts: int = 5

    # Callback policy (per-service-type overrides live in huifang/policies.yml)
    timezone: str = "Asia/Shanghai"
    callback_delay_hours: float = 24.0
    contact_window_start: time = time(9, 0)
    contact_window_end: time = time(20, 0)
    contact_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    cooldown_days: int = 30
    sampling_rate: float = 1.0
    reminder_after_hours: float = 24.0
    expiry_after_hours: float = 72.0
    busy_later_hours: float = 3.0

    # Escalation deadlines (hours) per priority
    escalation_due_hours_urgent: float = 4.0
    escalation_due_hours_high: float = 24.0
    escalation_due_hours_normal: float = 72.0

    # Supervisor console
    console_host: str = "127.0.0.1"
    console_port: int = 8070
    console_secret_key: SecretStr = SecretStr("")
    console_public_url: str | None = None
    console_login_max_failures: int = Field(5, ge=1)
    console_login_max_failures_per_client: int = Field(20, ge=1)
    console_login_lockout_minutes: int = Field(15, ge=1)
    # Lists (callbacks, escalations, campaign callbacks, do-not-contact): rows per page, and
    # the most a JSON API client may ask for (per_page)
    console_page_size: int = Field(50, ge=1)
    console_max_page_size: int = Field(200, ge=1)

    # Campaigns in the console: the window the current send rate is measured over, the largest
    # ticket file an operator may upload, and how often the campaign page refreshes its figures
    campaign_rate_window_minutes: int = Field(15, ge=1)
    campaign_upload_max_mb: int = Field(20, ge=1)
    campaign_refresh_seconds: float = Field(5.0, gt=0)

    # Demo campaign loaded by `huifang run` on an empty database (in dev mode only)
    load_demo: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("sampling_rate")
    @classmethod
    def _fraction(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError("sampling_rate must be between 0 and 1")
        return value

    @field_validator("gateway_internal_url")
    @classmethod
    def _loopback(cls, value: str) -> str:
        host = urlsplit(value).hostname
        if host not in LOOPBACK_HOSTS or urlsplit(value).port is None:
            raise ValueError("gateway_internal_url must be http://127.0.0.1:<port> (the "
                             "internal API listens on loopback only)")
        return value.rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ip_network(item, strict=False)
        return value

    @property
    def rasa_servers(self) -> list[str]:
        return [url.rstrip("/") for url in self.rasa_urls] or [self.rasa_url.rstrip("/")]

    @property
    def gateway_internal_port(self) -> int:
        port = urlsplit(self.gateway_internal_url).port
        assert port is not None
        return port

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def console_url(self) -> str:
        """Where supervisors open the console (alert links); https:// also makes its session
        cookie HTTPS-only."""
        return (self.console_public_url or
                f"http://{self.console_host}:{self.console_port}").rstrip("/")

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None


@lru_cache
def get_settings() -> Settings:
    return Settings()
