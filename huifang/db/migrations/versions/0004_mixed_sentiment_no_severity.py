"""complaint sentiment "mixed" and severity "none" (classifier label sets of issue 13)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD = {"sentiment": ("negative", "neutral", "positive"), "severity": ("high", "medium", "low")}
NEW = {"sentiment": ("negative", "mixed", "neutral", "positive"),
       "severity": ("high", "medium", "low", "none")}


def _check(values: dict[str, tuple[str, ...]]) -> None:
    # batch mode: SQLite cannot alter a CHECK constraint in place and rebuilds the table
    with op.batch_alter_table("complaint") as batch:
        for column, allowed in values.items():
            name = op.f(f"ck_complaint_{column}")
            batch.drop_constraint(name, type_="check")
            listed = ", ".join(f"'{value}'" for value in allowed)
            batch.create_check_constraint(name, f"{column} IN ({listed})")


def upgrade() -> None:
    _check(NEW)


def downgrade() -> None:
    op.execute("UPDATE complaint SET sentiment = 'negative' WHERE sentiment = 'mixed'")
    op.execute("UPDATE complaint SET severity = 'low' WHERE severity = 'none'")
    _check(OLD)
