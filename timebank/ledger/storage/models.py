"""The ledger's tables, as SQLAlchemy 2.0 typed models.

Amounts are whole minutes in `entries`; nothing here is ever updated or deleted except
a member's descriptive details (and those only through the audited member commands).
Exchanges and audit events are links of the tamper-evident chain (`canonical`, `chain`):
their `link`, `link_hash` and `salt` are written with them and never change; erasure may
rewrite their personal text and salt, keeping the commitment the link was made with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    event,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from timebank.ledger.basics.language import fold

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Minutes(TypeDecorator):
    """An amount in whole minutes: 64-bit on both databases (PostgreSQL's INTEGER would
    overflow at 35,791 hours where SQLite's would not). PostgreSQL sums 64-bit integers as
    `numeric`; the sum comes back an int here, as on SQLite."""

    impl = BigInteger
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class Centre(Base):
    """A place of a network of time banks sharing one ledger (a community centre): each
    member may have a home centre, each exchange remembers the centre it was recorded at,
    and every report can be made for one centre (`reports.centre_view`)."""

    __tablename__ = "centres"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


# The kinds of account that are no member: the time bank's pot, and the accounts of a partner
# bank's members (`partners`), which together are this ledger's clearing account with that
# bank. No count of members, list or lookup by name ever holds them.
POT_KIND, PARTNER_KIND = "pot", "partner"
ACCOUNT_KINDS = (POT_KIND, PARTNER_KIND)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'organisation', 'pot', 'partner')", name="kind"),
        CheckConstraint("lang IN ('cy', 'en')", name="lang"),
    )

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    sort_as: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)
    joined: Mapped[date] = mapped_column(Date)
    left: Mapped[date | None] = mapped_column(Date)
    forgotten: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Their statements printed large (16 pt, RNIB's clear print), with `statement --all` too.
    large_print: Mapped[bool] = mapped_column(Boolean, default=False,
                                              server_default=false())
    # The sum of this member's entries, kept in the same transaction as every entry
    # written; `check` proves it. Lets balances and reports skip a scan of all entries.
    balance_minutes: Mapped[int] = mapped_column(Minutes, default=0, server_default="0")
    # The salt of the commitment to this row's personal text in its record link (`records`).
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Their home centre (none in a ledger of one place): a centre's figures are its members'.
    centre: Mapped[str | None] = mapped_column(ForeignKey("centres.code"), index=True)
    # The name folded (`language.fold`: no case, no accents), set with every change of the
    # name (`_fold_name`), so that a name typed is found through the index, not by folding
    # every name. Byte order ("C") on PostgreSQL, as SQLite's own: a prefix is then a range
    # the index serves. A cache: in no record link; `check` proves it.
    folded: Mapped[str | None] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"), index=True)


@event.listens_for(Member.name, "set")
def _fold_name(member: Member, name: str | None, _old: Any, _initiator: Any) -> None:
    """Every name set through the ORM (a new member, an edit, an erasure) sets its folded form
    in the same flush; writes that bypass the ORM set it themselves (migration 0010)."""
    member.folded = None if name is None else fold(name)


class MemberPeriod(Base):
    """One period of a member's belonging: from joining (or rejoining) to leaving (or erasure).
    A member's periods never overlap; `members.joined` is the first period's start and
    `members.left` the last period's end. Figures for any day count the member as they were
    that day, so a rejoin never changes a past period's figures.

    `opened_link` and `closed_link` are the links of the chain written in the transaction that
    opened and closed the period: the history as it stood at any seal holds the periods opened
    by then, ended only if they were ended by then (`reports.at_seal`). A period's end is set
    once, never changed."""

    __tablename__ = "member_periods"
    __table_args__ = (
        CheckConstraint("ended_by IN ('left', 'erased')", name="ended_by"),
        CheckConstraint("(ended_by IS NULL) = (\"left\" IS NULL)", name="ended"),
        Index("ix_member_periods_member", "member", "joined"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[int] = mapped_column(ForeignKey("members.number"))
    joined: Mapped[date] = mapped_column(Date)
    left: Mapped[date | None] = mapped_column(Date)
    ended_by: Mapped[str | None] = mapped_column(String(8))
    opened_link: Mapped[int | None] = mapped_column(Integer, index=True)
    closed_link: Mapped[int | None] = mapped_column(Integer, index=True)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class Category(Base):
    __tablename__ = "categories"

    # The English code is the key every exchange refers to; the Welsh code is accepted
    # everywhere too and shown to Welsh readers.
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    code_cy: Mapped[str | None] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_cy: Mapped[str] = mapped_column(Text)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The well-being goals it serves (`categories.GOALS`), space-separated in the Act's order;
    # None for none. In its record digest only when set (migration 0013).
    goals: Mapped[str | None] = mapped_column(Text)


# What an exchange is for. Help given is every figure's activity; an opening balance (moved
# in from another system, with the pot) changes balances only and counts in no activity
# figure. Only a purpose other than help enters the exchange's link of the chain, so every
# link written before the purpose existed verifies unchanged.
HELP = "help"
OPENING = "opening"
PURPOSES = (HELP, OPENING)


class Exchange(Base):
    __tablename__ = "exchanges"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("purpose IN ('help', 'opening')", name="purpose"),
        # The few exchanges that are not help, found without reading the many that are
        # (partial on PostgreSQL too: `_partial_on_postgresql`).
        Index("ix_exchanges_purpose", "purpose", sqlite_where=text("purpose <> 'help'")),
    )

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    date: Mapped[date] = mapped_column(Date, index=True)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    # Minutes per giver/receiver pair, as recorded; the entries carry the amounts.
    minutes: Mapped[int] = mapped_column(Minutes)
    note: Mapped[str | None] = mapped_column(Text)
    reverses: Mapped[int | None] = mapped_column(ForeignKey("exchanges.number"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(Text)
    link: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    link_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    erased_commitment: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Version 2 of the canonical form: the commitment to the text as the upgrade bound it
    # (rows linked before it), and the parts erasure removed (`canonical.Redaction`, JSON).
    text_commitment: Mapped[bytes | None] = mapped_column(LargeBinary)
    redaction: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(16), default=HELP, server_default=HELP)
    # The centre it was recorded at (`TIMEBANK_CENTRE` or `record --centre`), if any: in its
    # link only when there is one, so links written without one are unchanged.
    centre: Mapped[str | None] = mapped_column(ForeignKey("centres.code"))
    # Help carried out in Welsh (`record --welsh`): in its link only when true (migration 0013).
    welsh: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


@event.listens_for(Exchange.__table__, "before_create")
def _partial_on_postgresql(table: Any, connection: Any, **_kw: Any) -> None:
    """The purpose index's condition for PostgreSQL, given when a table is made there. Named
    where the model is built, `postgresql_where` would import SQLAlchemy's PostgreSQL dialect
    into every command on a SQLite ledger too (40 ms of a point command's CPU). Ledgers
    are made by the migrations (0006 gives both conditions); this keeps the model honest for
    anything that makes the tables from it."""
    if connection.dialect.name == "postgresql":
        for index in table.indexes:
            if index.name == "ix_exchanges_purpose":
                index.dialect_kwargs["postgresql_where"] = text("purpose <> 'help'")


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("minutes <> 0", name="minutes_nonzero"),
        CheckConstraint("role IN ('giver', 'receiver')", name="role"),
        # Balances, statements and `--as-of` read one member's entries by date.
        Index("ix_entries_member_date", "member", "date", "minutes"),
        # Reports read one month's entries.
        Index("ix_entries_date", "date", "member", "minutes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange: Mapped[int] = mapped_column(ForeignKey("exchanges.number"), index=True)
    member: Mapped[int] = mapped_column(ForeignKey("members.number"))
    role: Mapped[str] = mapped_column(String(8))
    # A copy of the exchange's date (never changes: exchanges are append-only) so that
    # balances as of a date need no join; `check` proves it matches.
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Minutes)


class MonthTotal(Base):
    """Exchanges that count (not voided, not reversals) and the minutes their givers
    earned, per month and category: kept with every write, proved by `check`."""

    __tablename__ = "month_totals"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"), primary_key=True)
    exchanges: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Minutes)


class Listing(Base):
    """An offer of help or a request for it. Closed (never deleted) when removed, met
    by an exchange, or when its member leaves or is erased."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("kind IN ('offer', 'request')", name="kind"),
        CheckConstraint("closed_because IN ('removed', 'met', 'left', 'erased')", name="closed_because"),
        Index("ix_listings_open", "kind", "category", "closed"),
        Index("ix_listings_member", "member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    member: Mapped[int] = mapped_column(ForeignKey("members.number"))
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    note: Mapped[str | None] = mapped_column(Text)
    opened: Mapped[date] = mapped_column(Date)
    closed: Mapped[date | None] = mapped_column(Date)
    closed_because: Mapped[str | None] = mapped_column(String(16))
    exchange: Mapped[int | None] = mapped_column(ForeignKey("exchanges.number"))
    # The links of the chain written with the listing's opening and its closing (as for
    # `MemberPeriod`): what was open at any seal.
    made_link: Mapped[int | None] = mapped_column(Integer, index=True)
    closed_link: Mapped[int | None] = mapped_column(Integer, index=True)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class AccessRequest(Base):
    """A member's request for a copy of their data (UK GDPR Article 15, a subject access
    request): when it came, when the answer is due (one calendar month later: the ICO's rule,
    `access_requests.due_date`) and when it was answered. No personal text: who asked is the
    member's number."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[int] = mapped_column(ForeignKey("members.number"), index=True)
    received: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    done: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class OutcomeMeasure(Base):
    """A measure of outcomes the time bank uses (a wellbeing scale such as SWEMWBS): the range
    of its scores, the change it counts as meaningful, and optionally a table (JSON: raw score
    to metric score) the time bank holds under its own licence. Decimals as exact text."""

    __tablename__ = "outcome_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    minimum: Mapped[str] = mapped_column(String(16))
    maximum: Mapped[str] = mapped_column(String(16))
    meaningful_change: Mapped[str] = mapped_column(String(16))
    conversion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class OutcomeScore(Base):
    """One member's score on one measure on one day: as answered (`raw`) and as counted
    (`score`, after the measure's conversion), and whether they were helped to answer. Health
    data (UK GDPR special category): the scores are committed, never in the clear, in the
    record's digest, and erasing the member deletes the row."""

    __tablename__ = "outcome_scores"
    __table_args__ = (Index("ix_outcome_scores_measure_day", "measure", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[int] = mapped_column(ForeignKey("members.number"), index=True)
    measure: Mapped[int] = mapped_column(ForeignKey("outcome_measures.id"))
    day: Mapped[date] = mapped_column(Date)
    raw: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[str | None] = mapped_column(String(16))
    assisted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class Partner(Base):
    """A partner time bank (issue 31): its code (as it names itself, in the files that carry
    trades between the two banks), its name, a limit on the balance of trade with it (null:
    none) and the day the partnership began and, once left, ended. Its clearing account here
    is the sum of the accounts of its members who traded with ours (`PartnerAccount`)."""

    __tablename__ = "partners"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    limit_minutes: Mapped[int | None] = mapped_column(Minutes)
    joined: Mapped[date] = mapped_column(Date)
    left: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class PartnerAccount(Base):
    """The account here of one member of a partner bank (`DYF:12`): a member row of kind
    'partner' (a negative number, so that members' numbers run on without gaps) whose name
    is the partner bank's name with the member's first name once a file from the bank brings it."""

    __tablename__ = "partner_accounts"
    __table_args__ = (Index("ix_partner_accounts_partner_number", "partner", "number", unique=True),)

    member: Mapped[int] = mapped_column(ForeignKey("members.number"), primary_key=True, autoincrement=False)
    partner: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    number: Mapped[int] = mapped_column(Integer)  # their member number in the partner bank
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class PartnerTrade(Base):
    """An exchange that is a trade with a partner bank, or the void of one, under the id both
    banks know it by: `BLA-17` is exchange 17 of the bank whose code is BLA, wherever it is
    held. One row an exchange and partner; a partner's file is imported once whatever its
    order or repeats, because a trade already held is found here."""

    __tablename__ = "partner_trades"
    __table_args__ = (Index("ix_partner_trades_partner_trade", "partner", "trade", unique=True),
                      Index("ix_partner_trades_exchange_partner", "exchange", "partner", unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange: Mapped[int] = mapped_column(ForeignKey("exchanges.number"))
    partner: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    trade: Mapped[str] = mapped_column(String(40))
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class PartnerFile(Base):
    """A file of trades sent to or received from a partner bank: its hash, when it was made
    and carried, how many trades and voids it held, and (JSON) the id of every trade it held
    with the id of its void or null: what the sender held, for reconciliation."""

    __tablename__ = "partner_files"
    __table_args__ = (CheckConstraint("direction IN ('sent', 'received')", name="direction"),
                      Index("ix_partner_files_partner", "partner", "direction", "made"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    direction: Mapped[str] = mapped_column(String(8))
    hash: Mapped[str] = mapped_column(String(80))
    made: Mapped[datetime] = mapped_column(DateTime)
    at: Mapped[datetime] = mapped_column(DateTime)
    trades: Mapped[int] = mapped_column(Integer)
    voids: Mapped[int] = mapped_column(Integer)
    held: Mapped[str] = mapped_column(Text)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditEvent(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Member, exchange and maker indexed (migration 0013) for a member's copy of their data.
    by: Mapped[str] = mapped_column(Text, index=True)
    action: Mapped[str] = mapped_column(String(32))
    member: Mapped[int | None] = mapped_column(ForeignKey("members.number"), index=True)
    exchange: Mapped[int | None] = mapped_column(ForeignKey("exchanges.number"), index=True)
    # JSON text: what changed, for a person reading the audit.
    details: Mapped[str] = mapped_column(Text)
    link: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    link_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    erased_commitment: Mapped[bytes | None] = mapped_column(LargeBinary)
    text_commitment: Mapped[bytes | None] = mapped_column(LargeBinary)
    redaction: Mapped[str | None] = mapped_column(Text)


class RecordLink(Base):
    """A link of the chain for a change to a record that is not an exchange or an event:
    a member, a period of membership, a category, a setting, a listing (`records`). Its
    digest is of the row as the change left it (null: the row was deleted)."""

    __tablename__ = "record_links"
    __table_args__ = (Index("ix_record_links_record", "tbl", "key", "link"),)

    link: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    link_hash: Mapped[bytes] = mapped_column(LargeBinary)
    tbl: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(Text)
    digest: Mapped[bytes | None] = mapped_column(LargeBinary)
