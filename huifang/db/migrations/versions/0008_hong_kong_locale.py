"""customer locale "zh-Hant-HK": Traditional in Hong Kong's standard forms

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:10:00.000000
"""
from __future__ import annotations

from alembic import op

from huifang.db.migrations.enum_checks import allow_only

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_LOCALES = ("zh-Hans", "zh-Hant")
NEW_LOCALES = (*OLD_LOCALES, "zh-Hant-HK")


def upgrade() -> None:
    allow_only("customer", "locale", "ck_customer_locale", NEW_LOCALES)


def downgrade() -> None:
    op.execute("UPDATE customer SET locale = 'zh-Hant' WHERE locale = 'zh-Hant-HK'")
    allow_only("customer", "locale", "ck_customer_locale", OLD_LOCALES)
