"""Write the Rasa endpoints file for a running stack from settings (action server URL and the
SQL tracker store), so no secret or path is hard-coded in endpoints.yml. The action server's
token is not written either: Rasa reads it from its environment (HUIFANG_ACTION_SERVER_TOKEN,
huifang.app.stack) when it loads the file."""

from __future__ import annotations

from pathlib import Path

import yaml


def write_endpoints(path: Path, action_server_url: str, tracker_db: str | None) -> Path:
    endpoints: dict[str, object] = {"action_endpoint": {
        "url": f"{action_server_url}/webhook",
        "headers": {"Authorization": "Bearer ${HUIFANG_ACTION_SERVER_TOKEN}"}}}
    if tracker_db:
        Path(tracker_db).parent.mkdir(parents=True, exist_ok=True)
        endpoints["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": tracker_db}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path
