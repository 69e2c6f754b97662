"""outbox: keyed outbound messages with in-flight / in-doubt states and backoff; escalation
alerts owed to supervisors (issue 14)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import huifang.db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_DELIVERY = ("received", "pending", "sent", "failed")
NEW_DELIVERY = ("received", "pending", "in_flight", "sent", "in_doubt", "failed")


def _delivery_check(batch: object, allowed: tuple[str, ...]) -> None:
    name = op.f("ck_message_deliverystatus")
    batch.drop_constraint(name, type_="check")  # type: ignore[attr-defined]
    listed = ", ".join(f"'{value}'" for value in allowed)
    batch.create_check_constraint(name, f"delivery IN ({listed})")  # type: ignore[attr-defined]


def upgrade() -> None:
    # batch mode: SQLite cannot alter a CHECK constraint in place and rebuilds the table
    with op.batch_alter_table('message', schema=None) as batch:
        batch.add_column(sa.Column('outbound_key', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('throttled', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('next_attempt_at',
                                   huifang.db.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('last_attempt_at',
                                   huifang.db.types.UTCDateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(batch.f('uq_message_outbound_key'), ['outbound_key'])
        batch.create_index('ix_message_delivery_channel', ['delivery', 'channel'], unique=False)
        _delivery_check(batch, NEW_DELIVERY)

    op.create_table('escalation_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new', 'raised', 'news', 'overdue', name='alertkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('dropped_reason', sa.String(length=100), nullable=True),
    sa.Column('created_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], name=op.f('fk_escalation_alert_escalation_id_escalation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_escalation_alert_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_alert')),
    sa.UniqueConstraint('key', name=op.f('uq_escalation_alert_key')),
    sa.UniqueConstraint('message_id', name=op.f('uq_escalation_alert_message_id'))
    )
    with op.batch_alter_table('escalation_alert', schema=None) as batch:
        batch.create_index(batch.f('ix_escalation_alert_escalation_id'), ['escalation_id'],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table('escalation_alert', schema=None) as batch:
        batch.drop_index(batch.f('ix_escalation_alert_escalation_id'))
    op.drop_table('escalation_alert')
    # the old schema has no state that means "do not send again": such rows become failed
    op.execute("UPDATE message SET delivery = 'failed' WHERE delivery IN ('in_flight', "
               "'in_doubt')")
    with op.batch_alter_table('message', schema=None) as batch:
        _delivery_check(batch, OLD_DELIVERY)
        batch.drop_index('ix_message_delivery_channel')
        batch.drop_constraint(batch.f('uq_message_outbound_key'), type_='unique')
        batch.drop_column('last_attempt_at')
        batch.drop_column('next_attempt_at')
        batch.drop_column('throttled')
        batch.drop_column('outbound_key')
