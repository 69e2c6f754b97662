"""Issue 13 end to end: a comment that praises an aspect by name ("安装小哥很准时，收费也透明",
and a Traditional one from Taiwan) goes through the real gateway web chat → Rasa → action
server → complaint classifier, and the database holds no complaint category and no
complaining sentiment for the callback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from huifang.db.models import Complaint, ComplaintCategory, Sentiment
from tests.conversations.driver import CustomerDriver, SuiteStack
from tests.conversations.outcome import check_expectations, check_properties
from tests.conversations.schema import ConversationSpec, load_file

pytestmark = pytest.mark.rasa

SPECS = load_file(Path(__file__).parent / "aspect_praise" / "praise.yml")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_praise_naming_an_aspect_leaves_no_complaint(spec: ConversationSpec,
                                                    suite_stack: SuiteStack) -> None:
    driver = CustomerDriver(suite_stack, spec)
    observed = driver.play()
    state = driver.state()
    failures = [*observed.failures, *check_properties(spec, observed, state),
                *check_expectations(spec.expect, observed, state, driver.wait_for_alerts())]
    assert not failures, "\n".join(map(str, failures)) + "\n" + observed.transcript()
    assert spec.answers["comment"][0].shown in observed.transcript()  # the comment was sent
    with suite_stack.sessions() as session:
        complaints = session.scalars(select(Complaint).where(
            Complaint.callback_id == observed.callback_id)).all()
        categories = session.scalars(select(ComplaintCategory).join(Complaint).where(
            Complaint.callback_id == observed.callback_id)).all()
    assert categories == []
    assert [c.text for c in complaints
            if c.sentiment in (Sentiment.NEGATIVE, Sentiment.MIXED)] == []
