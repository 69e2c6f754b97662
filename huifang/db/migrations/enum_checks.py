"""The values a non-native enum column allows live in a CHECK constraint; migrations that widen
or narrow them replace it. SQLite cannot alter a constraint in place, so batch mode rebuilds
the table (env.py keeps foreign keys off meanwhile and checks them before committing)."""

from __future__ import annotations

from alembic import op


def allow_only(table: str, column: str, constraint: str, values: tuple[str, ...]) -> None:
    with op.batch_alter_table(table) as batch:
        name = op.f(constraint)
        batch.drop_constraint(name, type_="check")
        listed = ", ".join(f"'{value}'" for value in values)
        batch.create_check_constraint(name, f"{column} IN ({listed})")
