"""One page of a list query, counted by the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import HTTPException, Query, Request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def meta(self) -> dict[str, Any]:
        return {"page": self.page, "per_page": self.per_page, "total": self.total,
                "pages": self.pages}


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int


def page_request(request: Request, page: int = 1,
                 per_page: int | None = Query(None, ge=1)) -> PageRequest:
    """?page=&per_page= of a list; per_page defaults to settings.console_page_size and may not
    exceed settings.console_max_page_size (422)."""
    settings = request.app.state.settings
    if per_page is not None and per_page > settings.console_max_page_size:
        raise HTTPException(status_code=422,
                            detail=f"per_page 最多为 {settings.console_max_page_size}")
    return PageRequest(max(page, 1), per_page or settings.console_page_size)


def paginate(session: Session, statement: Select, page: int, per_page: int) -> Page[Any]:
    page = max(page, 1)
    per_page = max(per_page, 1)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
