"""web-chat links: hashed, expiring per-callback tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import huifang.db.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webchat_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('callback_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['callback_id'], ['callback.id'], name=op.f('fk_webchat_link_callback_id_callback'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_webchat_link_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webchat_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_webchat_link_token_hash'))
    )
    with op.batch_alter_table('webchat_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webchat_link_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webchat_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webchat_link_customer_id'))

    op.drop_table('webchat_link')
