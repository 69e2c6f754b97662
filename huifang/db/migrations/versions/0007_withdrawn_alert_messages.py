"""message delivery "withdrawn": a pending staff alert replaced by a more telling one before it
went out

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:00:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_DELIVERY = ("received", "pending", "in_flight", "sent", "in_doubt", "failed")
NEW_DELIVERY = (*OLD_DELIVERY, "withdrawn")


def _delivery_check(allowed: tuple[str, ...]) -> None:
    # batch mode: SQLite cannot alter a CHECK constraint in place and rebuilds the table
    with op.batch_alter_table("message") as batch:
        name = op.f("ck_message_deliverystatus")
        batch.drop_constraint(name, type_="check")
        listed = ", ".join(f"'{value}'" for value in allowed)
        batch.create_check_constraint(name, f"delivery IN ({listed})")


def upgrade() -> None:
    _delivery_check(NEW_DELIVERY)


def downgrade() -> None:
    # a withdrawn message was never sent and is never to be: "failed" is the nearest old state
    op.execute("UPDATE message SET delivery = 'failed' WHERE delivery = 'withdrawn'")
    _delivery_check(OLD_DELIVERY)
