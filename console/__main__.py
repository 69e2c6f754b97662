"""`python -m console`: serve the console on settings.console_host/port."""

from __future__ import annotations

import logging

import uvicorn

from console.app import create_app
from huifang.masking import configure_logging
from huifang.settings import Settings, get_settings


DEFAULT_SECRET = Settings.model_fields["console_secret_key"].default.get_secret_value()
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def main() -> None:
    settings = get_settings()
    configure_logging()
    if settings.console_secret_key.get_secret_value() == DEFAULT_SECRET:
        if settings.console_host not in LOCAL_HOSTS:
            raise SystemExit("HUIFANG_CONSOLE_SECRET_KEY must be set before the console is "
                             "served beyond this machine (sessions are signed with it)")
        logging.getLogger(__name__).warning(
            "HUIFANG_CONSOLE_SECRET_KEY is the default; set it before going to production")
    uvicorn.run(create_app(settings), host=settings.console_host, port=settings.console_port,
                log_config=None, proxy_headers=False)


if __name__ == "__main__":
    main()
