"""What the simulated customers sent: every attempt, and whether the channel acknowledged it
(web chat: an HTTP 2xx; Telegram: the fake Bot API server queued the update).

A message is one `key` (the web chat's message key, docs/contracts.md): a customer sending it
again after a failed request uses the same key, so the attempts count as one message."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Utterance:
    callback_id: int
    key: str
    text: str
    acknowledged: bool


@dataclass
class Ledger:
    utterances: list[Utterance] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, callback_id: int, key: str, text: str, acknowledged: bool) -> None:
        with self._lock:
            self.utterances.append(Utterance(callback_id, key, text, acknowledged))

    def acknowledged(self) -> Counter[tuple[int, str]]:
        """(callback, text) → how many messages with it were acknowledged."""
        return self._messages(lambda u: u.acknowledged)

    def sent(self) -> Counter[tuple[int, str]]:
        """(callback, text) → how many messages with it were sent, acknowledged or not."""
        return self._messages(lambda u: True)

    def attempts(self) -> int:
        with self._lock:
            return len(self.utterances)

    def _messages(self, keep: Callable[[Utterance], bool]) -> Counter[tuple[int, str]]:
        with self._lock:
            keys = {(u.callback_id, u.text, u.key) for u in self.utterances if keep(u)}
        return Counter((callback, text) for callback, text, _ in keys)
