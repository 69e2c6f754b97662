"""A message Rasa runs again — it was killed after the action wrote, before it saved its
tracker, and the gateway sent the message again with the same key — writes nothing twice
(docs/reliability.md, "Inbound"): the turn is recorded by its key with the write."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.conversation_end import ActionLateMessage
from huifang.db.models import AppliedTurn

LATE = "师傅人很好，下次还找你们"


async def _late(survey, domain, key: str | None) -> None:
    await ActionLateMessage().run(CollectingDispatcher(),
                                  survey.tracker(None, LATE, intent="thank", key=key), domain)


async def test_a_late_comment_run_again_with_its_key_is_kept_once(survey, domain) -> None:
    s = survey()
    await _late(s, domain, "inbox:41")
    await _late(s, domain, "inbox:41")
    assert s.stored().response.late_comment == LATE
    with s.sessions() as session:
        (turn,) = session.scalars(select(AppliedTurn)).all()
    assert (turn.message_key, turn.sender) == ("inbox:41", f"callback-{s.callback_id}")


async def test_another_message_saying_the_same_is_another_comment(survey, domain) -> None:
    s = survey()
    await _late(s, domain, "inbox:51")
    await _late(s, domain, "inbox:52")
    assert s.stored().response.late_comment == f"{LATE}\n{LATE}"


async def test_a_turn_without_a_key_is_written_as_it_comes(survey, domain) -> None:
    s = survey()
    await _late(s, domain, None)
    assert s.stored().response.late_comment == LATE
    with s.sessions() as session:
        assert session.scalars(select(AppliedTurn)).all() == []
