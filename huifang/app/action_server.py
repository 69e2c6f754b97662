"""`python -m huifang.app.action_server --port N`: the rasa-sdk action server of our `actions`
package, bound to 127.0.0.1 and answering only callers that present
HUIFANG_ACTION_SERVER_TOKEN (Rasa sends it: `huifang.app.rasa_endpoints`). /health stays open.

Starts only after the secret check every Huifang process makes (huifang.secret_rules).
"""

from __future__ import annotations

import argparse
import logging

from huifang.constant_time import same_secret
from huifang.masking import configure_logging
from huifang.secret_rules import enforce_for
from huifang.settings import get_settings

HOST = "127.0.0.1"
OPEN_PATHS = {"/health"}


def guarded_app(executor: object, token: str) -> object:
    """rasa-sdk's app with a token check in front of every route but /health."""
    from rasa_sdk.endpoint import create_app_for_serve
    from sanic import response

    app = create_app_for_serve(executor, cors_origins="")  # type: ignore[arg-type]

    @app.before_server_start
    async def load_the_classifier(_app, _loop=None):  # type: ignore[no-untyped-def]
        from actions.complaint_classification import warm_up
        from complaints.pipeline import ModelMissing

        log = logging.getLogger("huifang.actions")
        try:
            warm_up()
        except ModelMissing as exc:  # served anyway: what needs no classifier still works
            log.error("complaint classifier not loaded: %s", exc)
        else:
            log.info("complaint classifier loaded before serving")

    @app.on_request
    async def require_token(request):  # type: ignore[no-untyped-def]
        if request.path in OPEN_PATHS:
            return None
        if not token or not same_secret(request.headers.get("authorization"),
                                        f"Bearer {token}"):
            return response.json({"error": "missing or wrong action server token"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m huifang.app.action_server")
    parser.add_argument("--port", type=int, default=None,
                        help="default: HUIFANG_ACTION_SERVER_PORT")
    args = parser.parse_args(argv)
    settings = get_settings()
    enforce_for("actions", settings)
    configure_logging()
    from rasa_sdk.executor import ActionExecutor
    from sanic import Sanic

    executor = ActionExecutor()
    executor.register_package("actions")
    app = guarded_app(executor, settings.action_server_token.get_secret_value())
    # One process, as rasa-sdk ran before Sanic 25: Sanic's worker manager gives a worker 30 s
    # to report it started, and loading the classifier before serving took longer on a busy
    # machine (the manager then stopped the server). More processes are more action servers
    # (docs/deployment.md), and a killed process leaves no orphaned worker holding the port.
    app.prepare(host=HOST, port=args.port or settings.action_server_port, single_process=True,
                access_log=False)
    Sanic.serve_single(primary=app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
