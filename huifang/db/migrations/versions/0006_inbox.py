"""inbox: customer messages stored before they are acknowledged, and the turns the actions
applied by message key (issue 14, inbound)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 20:20:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import huifang.db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('telegram', 'webchat', name='channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('message_key', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'done', 'failed', name='inboxstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', huifang.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', huifang.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notified_at', huifang.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', huifang.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_inbox_message_id_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox')),
    sa.UniqueConstraint('channel', 'message_key', name=op.f('uq_inbox_channel')),
    sa.UniqueConstraint('message_id', name=op.f('uq_inbox_message_id'))
    )
    with op.batch_alter_table('inbox', schema=None) as batch:
        batch.create_index('ix_inbox_status_channel_address_id',
                           ['status', 'channel', 'address', 'id'], unique=False)
    op.create_table('applied_turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=128), nullable=False),
    sa.Column('message_key', sa.String(length=80), nullable=False),
    sa.Column('step', sa.String(length=40), nullable=False),
    sa.Column('applied_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applied_turn')),
    sa.UniqueConstraint('message_key', 'step', name=op.f('uq_applied_turn_message_key'))
    )


def downgrade() -> None:
    op.drop_table('applied_turn')
    with op.batch_alter_table('inbox', schema=None) as batch:
        batch.drop_index('ix_inbox_status_channel_address_id')
    op.drop_table('inbox')
