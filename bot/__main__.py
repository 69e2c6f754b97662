"""`python -m bot`: run the gateway on settings.gateway_host:gateway_port."""

from __future__ import annotations

import uvicorn

from bot.app import create_app
from huifang.masking import configure_logging
from huifang.settings import get_settings


def main() -> None:
    configure_logging()
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_config=None, access_log=False)


if __name__ == "__main__":
    main()
