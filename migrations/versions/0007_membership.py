"""Membership as history: each member's periods of belonging (joining or rejoining to leaving
or erasure), so that a rejoin no longer clears the day a member left and past figures stay
as they were; and the links of the chain that opened and closed each period and each listing,
so that figures can be made from the history as it stood at any seal.

The periods of the members already in the ledger are read back from their audit events
(`member.add`, `member.leave`, `member.rejoin` with the day they had left, `member.forget`).
An erased member who had not left counts as having left on the day of the erasure.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MEMBER_EVENTS = ("member.add", "member.leave", "member.rejoin", "member.forget")
LISTING_EVENTS = ("offer.add", "request.add", "offer.remove", "request.remove", "request.met", "listings.close")


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _details(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    op.create_table(
        "member_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left", sa.Date()),
        sa.Column("ended_by", sa.String(8)),
        sa.Column("opened_link", sa.Integer()),
        sa.Column("closed_link", sa.Integer()),
        sa.CheckConstraint("ended_by IN ('left', 'erased')", name=op.f("ck_member_periods_ended_by")),
        sa.CheckConstraint('(ended_by IS NULL) = ("left" IS NULL)', name=op.f("ck_member_periods_ended")),
        sa.ForeignKeyConstraint(["member"], ["members.number"], name=op.f("fk_member_periods_member_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_periods")),
    )
    op.create_index("ix_member_periods_member", "member_periods", ["member", "joined"])
    op.create_index(op.f("ix_member_periods_opened_link"), "member_periods", ["opened_link"])
    op.create_index(op.f("ix_member_periods_closed_link"), "member_periods", ["closed_link"])
    op.add_column("listings", sa.Column("made_link", sa.Integer()))
    op.add_column("listings", sa.Column("closed_link", sa.Integer()))
    op.create_index(op.f("ix_listings_made_link"), "listings", ["made_link"])
    op.create_index(op.f("ix_listings_closed_link"), "listings", ["closed_link"])

    bind = op.get_bind()
    events = bind.execute(sa.text(
        "SELECT action, member, details, link, at FROM audit WHERE link IS NOT NULL ORDER BY link")).all()
    _periods(bind, events)
    _listings(bind, events)


def _periods(bind: sa.engine.Connection, events: list[Any]) -> None:
    by_member: dict[int, list[Any]] = {}
    for event in events:
        if event.action in MEMBER_EVENTS and event.member is not None:
            by_member.setdefault(int(event.member), []).append(event)
    times = [(_moment(e.at), int(e.link)) for e in events]
    rows: list[dict[str, Any]] = []
    erased_left: list[dict[str, Any]] = []
    for number, joined, left, forgotten, created_at in bind.execute(sa.text(
            'SELECT number, joined, "left", forgotten, created_at FROM members WHERE kind <> \'pot\' '
            "ORDER BY number")).all():
        own = by_member.get(int(number), [])
        added = next((e for e in own if e.action == "member.add"), None)
        # A member an import made has no event of their own: the import's event, the first
        # written once they were, was linked in the same transaction.
        made = int(added.link) if added is not None else _first_link_after(times, _moment(created_at)) or 0
        periods: list[dict[str, Any]] = [{"member": number, "joined": _day(joined), "left": None, "ended_by": None,
                                          "opened_link": made, "closed_link": None}]
        for event in own:
            details, current = _details(event.details), periods[-1]
            if event.action == "member.leave" and current["left"] is None:
                current.update(left=_day(details.get("date", event.at)), ended_by="left", closed_link=int(event.link))
            elif event.action == "member.rejoin":
                if current["left"] is None:  # left by an import, with no event of its own
                    current.update(left=_day(details.get("left", event.at)), ended_by="left", closed_link=made)
                periods.append({"member": number, "joined": _day(details.get("date", event.at)), "left": None,
                                "ended_by": None, "opened_link": int(event.link), "closed_link": None})
            elif event.action == "member.forget" and current["left"] is None:
                current.update(left=_day(event.at), ended_by="erased", closed_link=int(event.link))
        last = periods[-1]
        if last["left"] is None and left is not None:
            last.update(left=_day(left), ended_by="left", closed_link=made)
        if left is None and forgotten is not None:
            if last["left"] is None:
                last.update(left=_day(forgotten), ended_by="erased", closed_link=made)
            erased_left.append({"number": number, "left": last["left"]})
        rows.extend(periods)
    if rows:
        bind.execute(sa.text('INSERT INTO member_periods (member, joined, "left", ended_by, opened_link, closed_link) '
                             "VALUES (:member, :joined, :left, :ended_by, :opened_link, :closed_link)"), rows)
    if erased_left:
        bind.execute(sa.text('UPDATE members SET "left" = :left WHERE number = :number'), erased_left)


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _first_link_after(times: list[tuple[datetime, int]], moment: datetime) -> int | None:
    return next((link for at, link in times if at >= moment), None)


def _listings(bind: sa.engine.Connection, events: list[Any]) -> None:
    made: dict[int, int] = {}
    closed: dict[int, int] = {}
    for event in events:
        if event.action not in LISTING_EVENTS:
            continue
        details = _details(event.details)
        ids = details.get("ids") if event.action == "listings.close" else [details.get("id")]
        for listing in ids or []:
            if not isinstance(listing, int):
                continue
            if event.action.endswith(".add"):
                made.setdefault(listing, int(event.link))
            else:
                closed[listing] = int(event.link)
    rows = bind.execute(sa.text("SELECT id, closed FROM listings")).all()
    # 0 where nothing says when: since the start (NULL means a row waiting for its link).
    updates = [{"id": row.id, "made": made.get(row.id, 0),
                "closed": closed.get(row.id, 0) if row.closed is not None else None} for row in rows]
    if updates:
        bind.execute(sa.text("UPDATE listings SET made_link = :made, closed_link = :closed WHERE id = :id"), updates)


def downgrade() -> None:
    op.drop_index(op.f("ix_listings_closed_link"), table_name="listings")
    op.drop_index(op.f("ix_listings_made_link"), table_name="listings")
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("closed_link")
        batch.drop_column("made_link")
    op.drop_table("member_periods")
