"""message delivery "withdrawn": a pending staff alert replaced by a more telling one before it
went out

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:00:00.000000
"""
from __future__ import annotations

from alembic import op

from huifang.db.migrations.enum_checks import allow_only

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_DELIVERY = ("received", "pending", "in_flight", "sent", "in_doubt", "failed")
NEW_DELIVERY = (*OLD_DELIVERY, "withdrawn")


def upgrade() -> None:
    allow_only("message", "delivery", "ck_message_deliverystatus", NEW_DELIVERY)


def downgrade() -> None:
    # a withdrawn message was never sent and is never to be: "failed" is the nearest old state
    op.execute("UPDATE message SET delivery = 'failed' WHERE delivery = 'withdrawn'")
    allow_only("message", "delivery", "ck_message_deliverystatus", OLD_DELIVERY)
