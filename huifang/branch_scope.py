"""Which branches a supervisor may see and act on — the same rule in the console, the console's
JSON API and the Telegram commands (docs/security.md, "Branch scope").

- An admin sees every branch.
- A supervisor with branches sees only those.
- A console account without branches (`huifang users add` without `--branch`) sees every branch.
- An account created automatically for an allow-listed Telegram user sees no branch until an
  admin grants some (`huifang users grant telegram-<id> --branch …`): being on the Telegram
  allow-list says who may act, not on which branches.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from huifang.db.models import Role, SupervisorUser, Ticket

# Stored instead of a password hash: no password can match it (it is no argon2 hash).
TELEGRAM_ONLY_PASSWORD_HASH = "!telegram-only"

Scope = tuple[str, ...] | None  # None: every branch; () : none


def branch_scope(user: SupervisorUser) -> Scope:
    if user.role == Role.ADMIN:
        return None
    if user.branches:
        return tuple(user.branches)
    return () if user.password_hash == TELEGRAM_ONLY_PASSWORD_HASH else None


def may_see(user: SupervisorUser, ticket: Ticket) -> bool:
    scope = branch_scope(user)
    return scope is None or ticket.branch in scope


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """A WHERE condition on Ticket for the scope (an empty scope matches nothing)."""
    return true() if scope is None else Ticket.branch.in_(scope)
