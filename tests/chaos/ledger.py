"""What the simulated customers sent: every attempt, and whether the channel acknowledged it
(web chat: an HTTP 2xx; Telegram: the fake Bot API server queued the update)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Utterance:
    callback_id: int
    text: str
    acknowledged: bool


@dataclass
class Ledger:
    utterances: list[Utterance] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, callback_id: int, text: str, acknowledged: bool) -> None:
        with self._lock:
            self.utterances.append(Utterance(callback_id, text, acknowledged))

    def acknowledged(self) -> Counter[tuple[int, str]]:
        """(callback, text) → how many times the customer sent it and was acknowledged."""
        with self._lock:
            return Counter((u.callback_id, u.text) for u in self.utterances if u.acknowledged)

    def sent(self) -> Counter[tuple[int, str]]:
        """(callback, text) → every attempt, acknowledged or not."""
        with self._lock:
            return Counter((u.callback_id, u.text) for u in self.utterances)
