"""campaigns: campaign + campaign_event, callback.campaign_id, the operator role

Existing survey callbacks are moved into the standing campaign of their ticket's service
type (created here, one per service type, as the intake creates them from now on); recovery
callbacks belong to no campaign. SQLite cannot alter a constraint in place and rebuilding
`callback` or `supervisor_user` would cascade-delete their children (foreign keys are on), so
on SQLite the role CHECK is widened, and on the way down the callback's foreign key removed,
with SQLite's documented writable_schema procedure for changes that leave the stored rows
valid.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00.000000
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import huifang.db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('supervisor', 'admin')"
NEW_ROLES = "role IN ('supervisor', 'operator', 'admin')"
# Snapshot of huifang.campaigns.standing_name at the time of this migration.
STANDING_NAME = "API · {service_type}"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _edit_sqlite_table_sql(table: str, edit) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    before = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                  "AND name = :name"), {"name": table}).scalar_one()
    after = edit(before)
    if after == before:
        raise RuntimeError(f"unexpected schema of table {table}: {before}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                         "AND name = :name"), {"sql": after, "name": table})
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def _set_role_check(old: str, new: str) -> None:
    if _sqlite():
        _edit_sqlite_table_sql("supervisor_user", lambda sql: sql.replace(old, new))
        return
    op.drop_constraint(op.f("ck_supervisor_user_role"), "supervisor_user", type_="check")
    op.create_check_constraint(op.f("ck_supervisor_user_role"), "supervisor_user", new)


def upgrade() -> None:
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('upload', 'api', 'standing', name='campaignkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'cancelled', name='campaignstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('service_type', sa.String(length=32), nullable=True),
    sa.Column('template', sa.String(length=32), nullable=True),
    sa.Column('sampling_rate', sa.Float(), nullable=True),
    sa.Column('starts_at', huifang.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['supervisor_user.id'], name=op.f('fk_campaign_created_by_id_supervisor_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('name', name=op.f('uq_campaign_name'))
    )
    op.create_table('campaign_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', huifang.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['supervisor_user.id'], name=op.f('fk_campaign_event_actor_id_supervisor_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_event_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_event'))
    )
    op.create_index(op.f('ix_campaign_event_campaign_id'), 'campaign_event', ['campaign_id'], unique=False)
    op.add_column('callback', sa.Column('campaign_id', sa.Integer(), sa.ForeignKey('campaign.id', name=op.f('fk_callback_campaign_id_campaign')), nullable=True), inline_references=_sqlite())
    op.create_index(op.f('ix_callback_campaign_id'), 'callback', ['campaign_id'], unique=False)
    _set_role_check(OLD_ROLES, NEW_ROLES)
    _backfill_standing_campaigns()


def _backfill_standing_campaigns() -> None:
    bind = op.get_bind()
    service_types = bind.execute(sa.text(
        "SELECT DISTINCT t.service_type FROM ticket t JOIN callback c ON c.ticket_id = t.id "
        "WHERE c.kind = 'survey' ORDER BY t.service_type")).scalars().all()
    if not service_types:
        return
    now = datetime.now(UTC)
    campaign = sa.table(
        'campaign', sa.column('name', sa.String), sa.column('kind', sa.String),
        sa.column('status', sa.String), sa.column('service_type', sa.String),
        sa.column('created_at', huifang.db.types.UTCDateTime()),
        sa.column('updated_at', huifang.db.types.UTCDateTime()))
    bind.execute(campaign.insert(), [
        {"name": STANDING_NAME.format(service_type=s), "kind": "standing", "status": "active",
         "service_type": s, "created_at": now, "updated_at": now} for s in service_types])
    bind.execute(sa.text(
        "UPDATE callback SET campaign_id = (SELECT c.id FROM campaign c JOIN ticket t "
        "ON c.service_type = t.service_type AND c.kind = 'standing' "
        "WHERE t.id = callback.ticket_id) WHERE kind = 'survey'"))


def downgrade() -> None:
    operators = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM supervisor_user WHERE role = 'operator'")).scalar_one()
    if operators:
        raise RuntimeError(f"{operators} operator account(s) exist: change their role first")
    _set_role_check(NEW_ROLES, OLD_ROLES)
    op.drop_index(op.f('ix_callback_campaign_id'), table_name='callback')
    if _sqlite():
        _edit_sqlite_table_sql("callback", lambda sql: re.sub(
            r"(campaign_id INTEGER)\s*(CONSTRAINT \w+\s*)?REFERENCES campaign\s*\(id\)", r"\1",
            sql))
    else:
        op.drop_constraint(op.f('fk_callback_campaign_id_campaign'), 'callback',
                           type_='foreignkey')
    op.drop_column('callback', 'campaign_id')
    op.drop_index(op.f('ix_campaign_event_campaign_id'), table_name='campaign_event')
    op.drop_table('campaign_event')
    op.drop_table('campaign')
