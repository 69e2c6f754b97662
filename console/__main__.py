"""`python -m console`: serve the console on settings.console_host/port."""

from __future__ import annotations

import uvicorn

from console.app import create_app
from huifang.masking import configure_logging
from huifang.secret_rules import enforce_for
from huifang.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging()
    # sessions and CSRF tokens are signed with console_secret_key, wherever the console listens
    enforce_for("console", settings)
    uvicorn.run(create_app(settings), host=settings.console_host, port=settings.console_port,
                log_config=None, proxy_headers=False)


if __name__ == "__main__":
    main()
