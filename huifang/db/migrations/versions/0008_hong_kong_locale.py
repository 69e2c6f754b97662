"""customer locale "zh-Hant-HK": Traditional in Hong Kong's standard forms

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:10:00.000000
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_LOCALES = ("zh-Hans", "zh-Hant")
NEW_LOCALES = (*OLD_LOCALES, "zh-Hant-HK")


def _locale_check(allowed: tuple[str, ...]) -> None:
    # batch mode: SQLite cannot alter a CHECK constraint in place and rebuilds the table
    with op.batch_alter_table("customer") as batch:
        name = op.f("ck_customer_locale")
        batch.drop_constraint(name, type_="check")
        listed = ", ".join(f"'{value}'" for value in allowed)
        batch.create_check_constraint(name, f"locale IN ({listed})")


def upgrade() -> None:
    _locale_check(NEW_LOCALES)


def downgrade() -> None:
    op.execute("UPDATE customer SET locale = 'zh-Hant' WHERE locale = 'zh-Hant-HK'")
    _locale_check(OLD_LOCALES)
