"""A ticket file uploaded for a new campaign: first a preview, then the import.

The preview reads the file with the validation of `huifang tickets import`
(huifang.ticket_import) and looks up which ticket ids the database already has; nothing is
written. Confirming creates the campaign and imports exactly the previewed good rows into it,
in batches of ticket_import.BATCH_SIZE (one transaction each), reporting progress as it goes.
A ticket already present keeps its own campaign (importing is idempotent on the ticket id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from huifang import campaigns
from huifang.db import session_scope
from huifang.db.models import (
    Callback,
    CallbackKind,
    Campaign,
    SupervisorUser,
    Ticket,
    TicketStatus,
)
from huifang.intake import TicketIn
from huifang.settings import Settings
from huifang.ticket_import import (
    BATCH_SIZE,
    ImportReport,
    RowError,
    import_tickets,
    validated_tickets,
)


@dataclass(frozen=True)
class PresentTicket:
    ticket_id: str
    line: int
    campaign: str | None  # the campaign its survey belongs to
    reopened: bool  # a reopened ticket closed again: its survey starts anew, in that campaign


@dataclass
class UploadPreview:
    report: ImportReport  # rows read, bad lines with their reasons, ignored columns
    tickets: list[TicketIn] = field(default_factory=list)  # the good rows, in file order
    present: list[PresentTicket] = field(default_factory=list)

    @property
    def new(self) -> int:
        """Rows that will become new tickets of the campaign."""
        return len(self.tickets) - len(self.present)

    @property
    def file_duplicates(self) -> list[RowError]:
        return [e for e in self.report.errors if e.duplicate_of is not None]

    @property
    def invalid(self) -> list[RowError]:
        return [e for e in self.report.errors if e.duplicate_of is None]


def preview_file(path: Path, sessions: sessionmaker[Session],
                 on_row: Callable[[bool], None] | None = None) -> UploadPreview:
    """Validate every row and find the tickets the database already has; writes nothing.
    Raises ticket_import.ImportFileError when the file as a whole cannot be read."""
    preview = UploadPreview(ImportReport())
    line_of: dict[str, int] = {}
    for line, ticket in validated_tickets(path, preview.report, on_row):
        preview.tickets.append(ticket)
        line_of[ticket.ticket_id] = line
    with sessions() as session:
        preview.present = _present(session, line_of)
    return preview


def _present(session: Session, line_of: dict[str, int]) -> list[PresentTicket]:
    found: list[PresentTicket] = []
    ids = list(line_of)
    for start in range(0, len(ids), BATCH_SIZE):
        rows = session.execute(
            select(Ticket.external_id, Ticket.status, Campaign.name)
            .outerjoin(Callback, (Callback.ticket_id == Ticket.id)
                       & (Callback.kind == CallbackKind.SURVEY))
            .outerjoin(Campaign, Campaign.id == Callback.campaign_id)
            .where(Ticket.external_id.in_(ids[start:start + BATCH_SIZE]))
        ).tuples()
        found += [PresentTicket(ticket_id, line_of[ticket_id], name,
                                status == TicketStatus.REOPENED)
                  for ticket_id, status, name in rows]
    return sorted(found, key=lambda p: p.line)


def start_campaign(session: Session, spec: campaigns.CampaignSpec, preview: UploadPreview,
                   user: SupervisorUser, now: datetime) -> Campaign:
    """Create the campaign of a previewed file; `import_preview` then fills it."""
    if not preview.tickets:
        raise campaigns.CampaignError("文件中没有可导入的工单")
    return campaigns.create_campaign(session, spec, user, now)


def import_preview(preview: UploadPreview, campaign_id: int, user_id: int, source: str,
                   sessions: sessionmaker[Session], now: datetime, settings: Settings,
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import the previewed good rows into the campaign, then audit what was added."""
    report = import_tickets(preview.tickets, sessions, now, settings, ImportReport(),
                            progress, campaign_id=campaign_id)
    with session_scope(sessions) as session:
        campaigns.record_import(session, session.get_one(Campaign, campaign_id),
                                session.get(SupervisorUser, user_id), source, report.imported,
                                report.already_present, now)
    return report
