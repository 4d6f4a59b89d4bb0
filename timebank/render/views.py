"""Views: each core result as the intermediate (a `Sheet` or a `Report`), with its columns,
titles and lines as message ids and typed values. Nothing here is translated yet: the
renderers do that with the `Words` they are given, so the same view serves a Welsh table,
an English CSV, JSON for a script and (later) a PDF page.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from timebank.i18n import N_, Words
from timebank.ledger.messages import Phrase
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.basics.dates import month_of
from timebank.render.sheet import (ACTION, ANY, BOOL, CATEGORY, CODE, CSV, DAYS, DATE, DATETIME, HOURS, INT, JSON,
                                   KIND, LANG, MEMBER, MEMBERS, MINUTES, NUMBER, NUMBERS, SAY, SIGNED, TABLE, TEXT,
                                   Chart, Field, Line, Part, Report, Say, Sheet, col, member_words, shown_text,
                                   signed_hours)

if TYPE_CHECKING:
    from timebank.ledger.reports.reports import MonthFigures

FILES = (CSV, JSON)


def _say(msgid: str, **values: Any) -> Say:
    """A message with typed values, put into words when drawn."""
    def say(words: Words) -> str:
        return words._(msgid).format(**{k: _word(v, words) for k, v in values.items()})
    return say


def _word(value: Any, words: Words) -> Any:
    if isinstance(value, date):
        return words.date(value)
    if callable(value):
        return value(words)
    return value


def plural(singular: str, plural_form: str, n: int, **values: Any) -> Say:
    """A counted message (extracted like ngettext), put into words when drawn."""
    def say(words: Words) -> str:
        return words.ngettext(singular, plural_form, n).format(
            count=n, **{k: _word(v, words) for k, v in values.items()})
    return say


def _hours(minutes: int) -> Say:
    return lambda words: format_hours(minutes)


def _signed(minutes: int) -> Say:
    return lambda words: signed_hours(minutes)


# Balances and members -------------------------------------------------------------------

def balances(rows: list, as_of: date | None) -> Sheet:
    return Sheet(
        [col("number", "#", INT), col("name", N_("Name"), MEMBER),
         col("balance_minutes", kind=MINUTES, only=[JSON]),
         col("balance_hours", N_("Balance (hours)"), SIGNED, source="balance_minutes")],
        [{"number": r.number, "name": r.name, "balance_minutes": r.balance_minutes} for r in rows],
        title=_say(N_("Balances on {date}"), date=as_of) if as_of else _say(N_("Balances")),
        empty=_say(N_("No members to show.")))


def members(rows: list) -> Sheet:
    return Sheet(
        [col("number", "#", INT), col("name", N_("Name"), MEMBER), col("kind", N_("Kind"), KIND, drop=2),
         col("area", N_("Area"), drop=3), col("lang", N_("Language"), LANG, drop=1),
         col("joined", N_("Joined"), DATE, drop=4), col("left", N_("Left"), DATE, drop=5),
         col("balance_minutes", kind=MINUTES, only=[JSON]),
         col("balance_hours", N_("Balance (hours)"), SIGNED, only=[TABLE, CSV], source="balance_minutes")],
        [r.__dict__ for r in rows], title=_say(N_("Members")), empty=_say(N_("No members to show.")))


def inactive(rows: list, days: int) -> Sheet:
    return Sheet(
        [col("number", "#", INT), col("name", N_("Name"), MEMBER), col("area", N_("Area"), drop=2),
         col("phone", N_("Phone")), col("email", N_("Email"), drop=1),
         col("last_exchange", N_("Last exchange"), DATE, none=N_("never")),
         col("balance_minutes", kind=MINUTES, only=[JSON]),
         col("balance_hours", N_("Balance (hours)"), SIGNED, only=[TABLE, CSV], source="balance_minutes")],
        [{"number": r.number, "name": r.name, "area": r.area, "phone": r.phone, "email": r.email,
          "last_exchange": r.last, "balance_minutes": r.balance_minutes} for r in rows],
        title=_say(N_("Members with no exchange in the last {days} days"), days=days),
        empty=_say(N_("Every active member has had an exchange in the last {days} days."), days=days))


def member_page(m: Any, balance: int, recent: list, periods: list | None = None) -> Report:
    """`member show`: details, balance, periods of membership and the latest exchanges (newest first)."""
    erased = m.forgotten is not None
    from timebank.ledger.basics.names import member_name

    name = member_name(m)
    details: list[tuple[str, str, Any, str]] = [
        ("number", N_("Member number"), m.number, INT), ("name", N_("Name"), name, MEMBER),
        ("kind", N_("Kind"), m.kind, KIND), ("area", N_("Area"), None if erased else m.area, TEXT),
        ("email", N_("Email"), None if erased else m.email, TEXT),
        ("phone", N_("Phone"), None if erased else m.phone, TEXT), ("lang", N_("Language"), m.lang, LANG),
        ("joined", N_("Joined"), m.joined, DATE), ("left", N_("Left"), m.left, DATE),
        ("note", N_("Note"), None if erased else m.note, TEXT),
        ("sort_as", "", None if erased else m.sort_as, TEXT),
        ("large_print", N_("Large print"), bool(m.large_print), BOOL)]
    if m.centre is not None:
        # Said (and in JSON) only where there are centres: a ledger of one place has none.
        details.append(("centre", N_("Home centre"), m.centre, CODE))
    parts: list[Any] = [Line(lambda w: f"{member_words(name, w)} (#{m.number})", bold=True)]
    for key, label, value, kind in details:
        line = None
        if key == "large_print":
            # Said only when on: most members' statements print at the usual size.
            line = _detail(label, value, kind) if value else None
        elif label and key != "number" and value not in (None, ""):
            line = _detail(label, value, kind)
        elif key == "number":
            line = _detail(label, value, kind)
        parts.append(Field(key, value, kind, line))
    parts.append(Field("balance_minutes", balance, MINUTES,
                       lambda w: "  " + w._("Balance: {hours} hours").format(hours=signed_hours(balance))))
    lines = Sheet(
        [col("number", "#", INT), col("date", N_("Date"), DATE), col("minutes", kind=MINUTES, only=[JSON]),
         col("others", N_("With"), MEMBERS), col("category", N_("Category"), CATEGORY),
         col("hours", N_("Hours"), SIGNED, only=[TABLE], source="minutes")],
        [{"number": r.number, "date": r.date, "minutes": r.minutes_for(m.number),
          "others": r.receiver_names if m.number in r.givers else r.giver_names, "category": r.category}
         for r in recent],
        title=_say(N_("Latest exchanges")), empty=_say(N_("No exchanges yet.")), key="exchanges")
    if periods and len(periods) == 1 and periods[0].left is None:
        # One period, still open: the joining day above says it all; JSON lists it still.
        parts.append(Field("periods", [{"joined": periods[0].joined.isoformat(), "left": None, "ended_by": None}],
                           ANY))
    elif periods:
        parts.append(Sheet(
            [col("joined", N_("Joined"), DATE), col("left", N_("Left"), DATE, none=N_("still a member")),
             col("ended", N_("How it ended"), SAY, only=[TABLE]), col("ended_by", kind=CODE, only=[JSON])],
            [{"joined": p.joined, "left": p.left, "ended": _ended_words(p.ended_by), "ended_by": p.ended_by}
             for p in periods], title=_say(N_("Membership")), key="periods"))
    parts.append(lines)
    csv = Sheet([col(key, kind=kind) for key, _label, _value, kind in details] + [col("balance_minutes", kind=INT)],
                [{key: value for key, _label, value, _kind in details} | {"balance_minutes": balance}])
    return Report(parts, csv=csv)


def _ended_words(ended_by: str | None) -> Say:
    if ended_by == "erased":
        return _say(N_("erased"))
    if ended_by == "left":
        return _say(N_("left"))
    return lambda w: ""


def _detail(label: str, value: Any, kind: str) -> Say:
    from timebank.render.sheet import table_cell

    return lambda w: f"  {w._(label)}: {table_cell(value, kind, w)}"


# Exchanges ----------------------------------------------------------------------------

def _status(row: Any) -> Say | None:
    if row.reverses is not None:
        return _say(N_("voids {number}"), number=row.reverses)
    if row.voided_by is not None:
        return _say(N_("voided by {number}"), number=row.voided_by)
    return None


def exchanges(rows: Iterable, include_void: bool) -> Sheet:
    columns = [col("number", "#", INT), col("date", N_("Date"), DATE),
               col("givers", kind=NUMBERS, only=FILES), col("giver_names", N_("Giver"), MEMBERS, only=[TABLE]),
               col("receivers", kind=NUMBERS, only=FILES),
               col("receiver_names", N_("Receiver"), MEMBERS, only=[TABLE]),
               col("minutes", kind=INT, only=FILES), col("hours", kind=HOURS, only=[CSV], source="minutes"),
               # A reversal takes its hours back: shown negative, beside what it voids.
               col("shown_hours", N_("Hours"), HOURS, only=[TABLE]),
               col("category", kind=CATEGORY, only=FILES),
               # An opening balance is named as such where its category would be.
               col("shown_category", N_("Category"), SAY, only=[TABLE], drop=2), col("note", N_("Note"), drop=1),
               col("void", kind=BOOL, only=FILES), col("reverses", kind=INT, only=FILES),
               col("purpose", kind=CODE, only=[JSON]), col("welsh", kind=BOOL, only=FILES)]
    if include_void:
        # Never left out: without it a void and its reversal look alike (but for the sign).
        columns.append(col("status", N_("Status"), SAY, only=[TABLE], wrap=True))

    def each() -> Iterator[dict[str, Any]]:
        for r in rows:
            yield {"number": r.number, "date": r.date, "givers": r.givers, "giver_names": r.giver_names,
                   "receivers": r.receivers, "receiver_names": r.receiver_names, "minutes": r.minutes,
                   "shown_hours": -r.minutes if r.reverses is not None else r.minutes,
                   "category": r.category, "note": r.note, "void": r.void, "reverses": r.reverses,
                   "shown_category": _say(N_("Opening balance")) if r.opening else _in_welsh(r),
                   "purpose": r.purpose, "status": _status(r), "welsh": r.welsh}

    return Sheet(columns, each(), title=_say(N_("Exchanges")), empty=_say(N_("No exchanges to show.")))


def exchange_page(r: Any) -> Report:
    """`exchange show`: one exchange in full."""
    def pairs(numbers: list[int], names: list) -> Any:
        # A partner bank's member is named by their code and number there (DYF:12), never one here.
        return lambda w: ", ".join(member_words(n, w) if n.kind == "partner" else f"{member_words(n, w)} (#{g})"
                                   for n, g in zip(names, numbers))

    recorded = (lambda w: f"{r.recorded_at:%Y-%m-%d %H:%M} UTC, {r.recorded_by}") if r.recorded_at else None
    shown: list[tuple[str, Any, Any]] = [
        (N_("Date"), lambda w: w.date(r.date), True), (N_("Givers"), pairs(r.givers, r.giver_names), True),
        (N_("Receivers"), pairs(r.receivers, r.receiver_names), True),
        (N_("Hours per pair"), _hours(r.minutes), True), (N_("Category"), _category_of(r), True),
        (N_("Language"), lambda w: w._("Welsh"), r.welsh),
        (N_("Note"), lambda w: shown_text(r.note, w), bool(r.note)), (N_("Recorded"), recorded, bool(recorded)),
        (N_("Status"), _status(r), _status(r) is not None)]
    parts: list[Any] = [Line(_say(N_("Exchange {number}"), number=r.number), bold=True)]
    parts += [Line(_labelled(label, value)) for label, value, present in shown if present]
    data = [("number", r.number, INT), ("date", r.date, DATE), ("givers", r.givers, NUMBERS),
            ("receivers", r.receivers, NUMBERS), ("minutes", r.minutes, INT), ("category", r.category, CATEGORY),
            ("note", r.note, TEXT), ("void", r.void, BOOL), ("reverses", r.reverses, INT),
            ("voided_by", r.voided_by, INT), ("recorded_at", r.recorded_at, DATETIME),
            ("recorded_by", r.recorded_by, TEXT), ("welsh", r.welsh, BOOL)]
    parts += [Field(key, value, ANY if kind in (NUMBERS, BOOL) else kind) for key, value, kind in data]
    csv = Sheet([col(key, kind=kind) for key, _v, kind in data], [{key: value for key, value, _k in data}])
    return Report(parts, csv=csv)


def _in_welsh(r: Any) -> Say:
    """A listed exchange's category; help carried out in Welsh says so after it."""
    if not r.welsh:
        return _category(r.category)
    return lambda w: r.category.name(w.lang) + ", " + w._("in Welsh")


def _category_of(r: Any) -> Say:
    """An exchange's category; an opening balance says so first."""
    return lambda w: (w._("Opening balance") + ", " if r.opening else "") + r.category.name(w.lang)


def _labelled(label: str, value: Any) -> Say:
    return lambda w: f"  {w._(label)}: {value(w)}"


# Statements and reports -------------------------------------------------------------------

def statement(result: Any, notes: bool = True) -> Report:
    if result.start and result.end:
        span = _say(N_("{start} to {end}"), start=result.start, end=result.end)
    elif result.start:
        span = _say(N_("from {start}"), start=result.start)
    elif result.end:
        span = _say(N_("to {end}"), end=result.end)
    else:
        span = None
    lines = Sheet(
        [col("date", N_("Date"), DATE), col("exchange", "#", INT, drop=3), col("others", N_("With"), MEMBERS),
         col("category", N_("Category"), CATEGORY, drop=2), col("note", N_("Note"), drop=1),
         col("minutes", kind=MINUTES, only=[JSON]),
         col("hours", N_("Hours"), SIGNED, only=[TABLE, CSV], source="minutes"),
         col("balance_minutes", kind=MINUTES, only=[JSON]),
         col("balance_hours", N_("Balance"), SIGNED, only=[TABLE, CSV], source="balance_minutes")],
        [{"date": line.date, "exchange": line.exchange, "others": line.others, "category": line.category,
          "note": line.note, "minutes": line.minutes, "balance_minutes": line.balance} for line in result.lines],
        empty=_say(N_("No exchanges in this period.")), key="lines")
    if not notes:  # --without-notes
        lines.columns = [c for c in lines.columns if c.key != "note"]
    parts: list[Any] = [
        Field("number", result.number, INT),
        Field("name", result.name, MEMBER, lambda w: w._("Statement for {name} (#{number})").format(
            name=member_words(result.name, w), number=result.number), bold=True),
        Field("from", result.start, DATE, span), Field("to", result.end, DATE),
        Field("opening_minutes", result.opening, MINUTES,
              _say(N_("Opening balance: {hours} hours"), hours=_signed(result.opening))),
        lines,
        Line(_say(N_("Given: {given} hours. Received: {received} hours."), given=_hours(result.given),
                  received=_hours(result.received))),
        Field("closing_minutes", result.closing, MINUTES,
              _say(N_("Closing balance: {hours} hours"), hours=_signed(result.closing)), bold=True)]
    return Report(parts, csv=lines,
                  json_order=["number", "name", "from", "to", "opening_minutes", "closing_minutes", "lines"])


def _span(start: date | None, end: date | None) -> Say | None:
    if start and end:
        return _say(N_("{start} to {end}"), start=start, end=end)
    if start:
        return _say(N_("from {start}"), start=start)
    if end:
        return _say(N_("to {end}"), end=end)
    return None


def _period_words(start: date | None, end: date | None, made: date) -> Say:
    """A calendar month as its name ('Hydref 2026'), any other span as its two dates."""
    from timebank.ledger.basics.dates import month_end

    if start is not None and end is not None and start.day == 1 and end == month_end(start):
        return _say(N_("Period: {span}"), span=lambda w: w.month(start))
    span = _span(start, end)
    if span is None:
        return _say(N_("Period: every exchange to {date}"), date=made)
    return _say(N_("Period: {span}"), span=span)


def printed_statement(result: Any, heading: Any, notes: bool = True, large: bool = False) -> Report:
    """A statement as a member holds it on paper: the time bank's name and contact line, whose
    statement and for when, a summary (opening, given, received, closing and the lowest
    balance allowed), then each exchange with hours as figures and as a person says them.
    `heading` is the `StatementSet` it is printed in (name, contact, the day it was made).
    In `large` print each exchange is a few lines of its own, not a row of eight columns:
    at 16 pt a row has no room for its words."""
    from timebank.render.sheet import SAID, SIGNED_SAID, said_hours, table_cell

    parts: list[Any] = []
    if heading.bank_name:
        parts.append(Line(_plain(heading.bank_name), style="title"))
    if heading.contact:
        parts.append(Line(_plain(heading.contact), style="small"))
    parts += [
        Line(_say(N_("Statement")), style="heading"),
        Line(lambda w: w._("{name} · member number {number}").format(
            name=member_words(result.name, w), number=result.number), style="subheading"),
        Line(_period_words(result.start, result.end, heading.made)),
        Line(_say(N_("Made on {date}"), date=heading.made), style="small")]

    def said(minutes: int) -> Say:
        return lambda w: said_hours(minutes, w)

    def hours(minutes: int, signed: bool) -> Say:
        return lambda w: signed_hours(minutes) if signed else format_hours(minutes)

    summary = [(N_("Opening balance"), result.opening, True), (N_("Hours given"), result.given, False),
               (N_("Hours received"), result.received, False)]
    parts.append(Sheet(
        [col("label", "", SAY), col("hours", "", SAY, justify="right"), col("said", "", SAY)],
        [{"label": _say(label), "hours": hours(minutes, signed), "said": said(minutes)}
         for label, minutes, signed in summary],
        footer={"label": _say(N_("Closing balance")), "hours": hours(result.closing, True),
                "said": said(result.closing)}))
    if result.closing < 0:
        # A minus sign on paper reads as a debt: one plain sentence says it is not.
        parts.append(Line(_say(N_("A balance below zero is fine: it means you have received more help than you "
                                  "have given so far.")), style="body"))
    if result.credit_limit is not None:
        parts.append(Line(lambda w: w._("Credit limit: the balance may go down to {hours} ({said}).").format(
            hours=signed_hours(-result.credit_limit), said=said_hours(-result.credit_limit, w)), style="small"))
    if large:
        parts.append(Line(_say(N_("Exchanges")), style="sheet_title"))
        if not result.lines:
            parts.append(Line(_say(N_("No exchanges in this period."))))
        for line in result.lines:
            parts += _large_print_exchange(line, notes, table_cell)
        parts.append(Line(lambda w: w._("Closing balance: {hours} ({said})").format(
            hours=signed_hours(result.closing), said=said_hours(result.closing, w)), style="bold"))
        return Report(parts)
    parts.append(Sheet(
        # The note under the category, in one column: at 11 pt a column of its own left the
        # names and the notes too little room, and they broke inside words.
        [col("date", N_("Date"), DATE), col("exchange", "#", INT), col("others", N_("With"), MEMBERS),
         col("what", N_("Category and note") if notes else N_("Category"), SAY),
         col("given", N_("Given"), SAID), col("received", N_("Received"), SAID),
         col("balance", N_("Balance"), SIGNED_SAID)],
        [{"date": line.date, "exchange": line.exchange, "others": line.others,
          "what": _category_and_note(line.category, line.note if notes else None, table_cell),
          "given": line.minutes if line.minutes > 0 else None,
          "received": -line.minutes if line.minutes < 0 else None, "balance": line.balance} for line in result.lines],
        title=_say(N_("Exchanges")), empty=_say(N_("No exchanges in this period."))))
    parts.append(Line(lambda w: w._("Closing balance: {hours} ({said})").format(
        hours=signed_hours(result.closing), said=said_hours(result.closing, w)), style="bold"))
    return Report(parts)


def _category_and_note(category: Any, note: str | None, table_cell: Callable[..., str]) -> Say:
    """A category's name, and the note on a line of its own below it."""
    # A note as a table shows it (an erasure mark in the reader's language).
    return lambda w: table_cell(category, CATEGORY, w) + ("\n" + table_cell(note, TEXT, w) if note else "")


def _large_print_exchange(line: Any, notes: bool, table_cell: Callable[..., str]) -> list[Line]:
    """One exchange of a statement in large print: its date and number in bold, then who,
    how long, the category, the note and the balance after it, each a line of words."""
    from timebank.render.sheet import said_hours

    def hours(minutes: int, w: Words) -> str:
        return f"{format_hours(minutes)} ({said_hours(minutes, w)})"

    def who(w: Words) -> str:
        others = table_cell(line.others, MEMBERS, w)
        if line.minutes >= 0:
            return w._("Given to {names}: {hours}").format(names=others, hours=hours(line.minutes, w))
        return w._("Received from {names}: {hours}").format(names=others, hours=hours(-line.minutes, w))

    out = [Line(lambda w: w._("{date} · exchange {number}").format(date=w.date(line.date), number=line.exchange),
                style="subheading"),
           Line(who), Line(lambda w: table_cell(line.category, CATEGORY, w))]
    if notes and line.note:
        out.append(Line(lambda w: table_cell(line.note, TEXT, w)))
    out.append(Line(lambda w: w._("Balance after it: {hours} ({said})").format(
        hours=signed_hours(line.balance), said=said_hours(line.balance, w))))
    return out


def printed_footer(result: Any, heading: Any) -> Say:
    """The foot of each printed page: whose statement it is, so a loose page finds its way back."""
    def say(w: Words) -> str:
        who = w._("{name} · member number {number}").format(name=member_words(result.name, w), number=result.number)
        return f"{heading.bank_name} · {who}" if heading.bank_name else who
    return say


def member_chart(points: list) -> Chart:
    """A member's hours given and received in each of the last twelve months: the monthly
    report's chart, for one member (beside their statement)."""
    return Chart(_say(N_("Hours given and received, last 12 months")),
                 [(_trend_label(p.month), p.minutes) for p in points])


# What a centre's figures count (`--centre`; `ledger.reports.centre_view`), said wherever they are given.
CENTRE_RULE = N_("The figures of one centre: its members (those whose home centre it is), and every exchange one of "
                 "them gave or received in, counted whole. An exchange between members of two centres counts once "
                 "in each centre's figures and once in the network's.")


def centre_words(centre: Any) -> Say:
    return _say(N_("Centre: {name} ({code})"), name=centre.name, code=centre.code)


def centre_parts(report: Any, *, rule: bool = True) -> list[Any]:
    """For a report made for one centre: which centre, and (`rule`) what its figures count.
    Nothing for the network's report, which reads as it always did."""
    centre = getattr(report, "centre", None)
    if centre is None:
        return []
    parts: list[Any] = [Field("centre", centre.code, CODE, centre_words(centre), bold=True)]
    if rule:
        parts.append(Line(_say(CENTRE_RULE)))
    return parts


def monthly(report: Any, with_names: bool = False) -> Report:
    """The monthly report (`reports.MonthlyReport`), or its figures alone
    (`reports.MonthFigures`, while a screen reads the members' lines): then a line says
    the members' lines are coming where their list will be."""
    members: list[Any] | None = getattr(report, "members", None)
    members_columns = [col("number", "#", INT), col("name", N_("Name"), MEMBER, only=[TABLE, JSON]),
                       col("opening_minutes", N_("Opening"), SIGNED, only=[TABLE]),
                       col("given_minutes", N_("Given"), HOURS, only=[TABLE]),
                       col("received_minutes", N_("Received"), HOURS, only=[TABLE]),
                       col("closing_minutes", N_("Closing"), SIGNED, only=[TABLE])]
    member_rows = [line.__dict__ for line in members or []]
    given_total, received_total = _member_totals(report)
    members_sheet = Sheet(members_columns + [
        col("opening_minutes", kind=MINUTES, only=FILES), col("given_minutes", kind=MINUTES, only=FILES),
        col("received_minutes", kind=MINUTES, only=FILES), col("closing_minutes", kind=MINUTES, only=FILES)],
        member_rows, title=_say(N_("Members")), key="members",
        footer={"name": _say(N_("Total")), "given_minutes": given_total, "received_minutes": received_total})
    categories = Sheet(
        [col("code", kind=CODE, only=[JSON]), col("name", N_("Category"), SAY),
         col("exchanges", N_("Exchanges"), INT), col("minutes", kind=MINUTES, only=[JSON]),
         col("hours", N_("Hours"), HOURS, only=[TABLE], source="minutes")],
        [{"code": c.category.code, "name": _category(c.category), "exchanges": c.exchanges, "minutes": c.minutes}
         for c in report.categories], title=_say(N_("Hours by category")), key="categories")
    parts: list[Any] = [
        Field("month", month_of(report.month), CODE,
              lambda w: w._("Monthly report: {month}").format(month=w.month(report.month)), bold=True),
        *centre_parts(report),
        Field("exchanges", report.exchanges, INT,
              _indent(plural("{count} exchange", "{count} exchanges", report.exchanges))),
        Field("minutes_exchanged", report.minutes_exchanged, INT,
              _indent(_say(N_("Hours exchanged: {hours}"), hours=_hours(report.minutes_exchanged)))),
        Field("members_active", report.members_active, INT,
              _indent(plural("{count} member active", "{count} members active", report.members_active))),
        Field("members_new", report.members_new, INT,
              _indent(plural("{count} new member", "{count} new members", report.members_new))),
        Field("members_left", report.members_left, INT,
              _indent(plural("{count} member left", "{count} members left", report.members_left))),
        Field("members_total", report.members_total, INT,
              _indent(plural("{count} member at the end of the month",
                             "{count} members at the end of the month", report.members_total))),
        *_opening_balances(report),
        members_sheet if members is not None else Line(_say(N_("Reading each member's figures…")), style="dim")]
    if report.categories:
        parts.append(categories)
    else:
        parts.append(Field("categories", [], ANY))
    parts.append(Chart(_say(N_("Hours exchanged, last 12 months")),
                       [(_trend_label(p.month), p.minutes) for p in report.trend]))
    if report.requests is not None:
        figures = report.requests
        parts += [
            Line(_say(N_("Requests")), bold=True),
            Field("requests_opened", figures.opened, INT,
                  _indent(plural("{count} request made", "{count} requests made", figures.opened))),
            Field("requests_met", figures.met, INT,
                  _indent(plural("{count} request met", "{count} requests met", figures.met))),
            Field("requests_open", figures.still_open, INT,
                  _indent(plural("{count} request still open at the end of the month",
                                 "{count} requests still open at the end of the month", figures.still_open))),
            Field("median_days_to_meet", figures.median_days_to_meet, ANY,
                  _indent(_say(N_("Median days from request to exchange: {days}"),
                               days=f"{figures.median_days_to_meet:g}"))
                  if figures.median_days_to_meet is not None else None)]
    if report.credit_limit_minutes is not None and members is not None:
        if report.over_limit:
            parts.append(Line(_say(N_("Over the credit limit of {limit} hours:"),
                                   limit=_hours(report.credit_limit_minutes)), bold=True))
            parts += [Line(_over(line)) for line in report.over_limit]
        else:
            parts.append(Line(_say(N_("No member is over the credit limit."))))
    seal = report.seal.text if report.seal is not None else None
    parts.append(Field("seal", seal, CODE,
                       _say(N_("Seal of the history these figures were made from: {seal}"), seal=seal) if seal
                       else _say(N_("Seal of the history these figures were made from: none (nothing recorded yet)"))))
    return Report(parts, csv=lambda: monthly_csv(report, member_rows, with_names))


def _opening_balances(report: Any) -> list[Line]:
    """The month's opening balances, on a line of their own (they count in no figure above)."""
    count = getattr(report, "opening_balances", 0)
    if not count:
        return []
    return [Line(_indent(_say(N_("Opening balances: {count}, {hours} hours (in the balances, not in the "
                                 "activity)"), count=count, hours=_hours(report.opening_balances_minutes))))]


def _member_totals(report: MonthFigures) -> tuple[int, int]:
    """What the members' lines gave and received, together; nothing while they are being read."""
    from timebank.ledger.reports.reports import MonthlyReport  # loaded already: the report is one of its values

    if isinstance(report, MonthlyReport):
        return report.members_given_minutes, report.members_received_minutes
    return 0, 0


def monthly_csv(report: Any, member_rows: list[dict[str, Any]], with_names: bool) -> list[Sheet]:
    """The monthly report as a spreadsheet reads it, in hours like every funder's file: the
    headline figures (one a row: its key and its value), then a row a member with the month
    on each and a total row, then the categories; a blank line between the three. Names
    only when asked (a funder's file)."""
    from timebank.render.sheet import Typed

    month = month_of(report.month)
    given_total, received_total = _member_totals(report)
    headline: list[tuple[str, Any]] = [
        ("month", Typed(month, CODE)), ("exchanges", Typed(report.exchanges, INT)),
        ("hours", Typed(report.minutes_exchanged, HOURS)), ("members_active", Typed(report.members_active, INT)),
        ("members_new", Typed(report.members_new, INT)), ("members_left", Typed(report.members_left, INT)),
        ("members_total", Typed(report.members_total, INT))]
    if getattr(report, "centre", None) is not None:
        headline.insert(1, ("centre", Typed(report.centre.code, CODE)))
    if report.requests is not None:
        figures = report.requests
        headline += [("requests_opened", Typed(figures.opened, INT)), ("requests_met", Typed(figures.met, INT)),
                     ("requests_open", Typed(figures.still_open, INT)),
                     ("median_days_to_meet", Typed(figures.median_days_to_meet, DAYS))]
    figures_sheet = Sheet([col("figure", kind=SAY), col("value", kind=SAY)],
                          [{"figure": _csv_key(key), "value": value} for key, value in headline])
    hours_columns = [col(f"{name}_hours", kind=HOURS, source=f"{name}_minutes")
                     for name in ("opening", "given", "received", "closing")]
    members_sheet = Sheet(
        [col("month", kind=CODE), col("member", kind=INT, source="number")]
        + ([col("name", kind=MEMBER)] if with_names else []) + hours_columns,
        [dict(row, month=month) for row in member_rows] + [{
            "month": month, "number": _csv_key("total"),
            "given_minutes": given_total, "received_minutes": received_total}])
    categories_sheet = Sheet(
        [col("category", kind=CATEGORY), col("exchanges", kind=INT), col("hours", kind=HOURS, source="minutes")],
        [{"category": c.category, "exchanges": c.exchanges, "minutes": c.minutes} for c in report.categories])
    return [figures_sheet, members_sheet, categories_sheet]


def _csv_key(key: str) -> Say:
    return lambda w: w._(key)


def _category(category: Any) -> Say:
    return lambda w: category.name(w.lang)


def _over(line: Any) -> Say:
    return lambda w: f"  {member_words(line.name, w)} (#{line.number}): {signed_hours(line.closing_minutes)}"


def _indent(say: Any) -> Say:
    return lambda w: "  " + say(w)


def _trend_label(month: date) -> Say:
    return lambda w: f"{w.month_short(month)} {month.year}"


# Listings and matching -----------------------------------------------------------------

LISTING_TITLES = {"offer": N_("Offers"), "request": N_("Requests")}
LISTING_EMPTY = {"offer": N_("No open offers to show."), "request": N_("No open requests to show.")}
CLOSED_BECAUSE = {"removed": N_("removed"), "met": N_("met"), "left": N_("member left"),
                  "erased": N_("member erased")}


def listings(kind: str, rows: list, include_closed: bool) -> Sheet:
    columns = [col("id", "#", INT), col("member", N_("Member"), INT), col("name", N_("Name"), MEMBER),
               col("area", N_("Area"), drop=2), col("category", N_("Category"), CATEGORY),
               col("note", N_("Note"), drop=1), col("opened", N_("Opened"), DATE, drop=3),
               col("closed", kind=DATE, only=[JSON, CSV] if include_closed else [JSON]),
               col("closed_because", kind=CODE, only=[JSON]), col("exchange", kind=INT, only=[JSON])]
    if include_closed:
        columns.append(col("closed_shown", N_("Closed"), SAY, only=[TABLE]))
    return Sheet(columns, [r.__dict__ | {"closed_shown": _closed(r)} for r in rows],
                 title=_say(LISTING_TITLES[kind]), empty=_say(LISTING_EMPTY[kind]))


def _closed(row: Any) -> Say | None:
    if not (row.closed and row.closed_because):
        return None
    return lambda w: f"{w.date(row.closed)} ({w._(CLOSED_BECAUSE[row.closed_because])})"


def matches(found: list, category: Any, area_asked: bool) -> Sheet:
    def why(m: Any) -> Say:
        def say(w: Words) -> str:
            # With no area asked for, the area plays no part in the order: say nothing of it.
            reasons = [(w._("same area ({area})") if m.same_area else w._("another area ({area})")).format(
                area=m.area or "-")] if area_asked else []
            reasons += [w._("last gave on {date}").format(date=w.date(m.last_given)) if m.last_given
                        else w._("has not given yet"),
                        w._("balance {hours} hours").format(hours=signed_hours(m.balance_minutes))]
            return "; ".join(reasons)
        return say

    return Sheet(
        [col("place", "#", INT), col("number", N_("Member"), INT, csv="member"), col("name", N_("Name"), MEMBER),
         col("area", N_("Area")), col("offer", kind=INT, only=[JSON]), col("same_area", kind=BOOL, only=[JSON]),
         col("last_given", kind=DATE, only=[JSON]), col("balance_minutes", kind=MINUTES, only=[JSON]),
         col("why", N_("Why here"), SAY, wrap=True)],
        [{"place": place, "number": m.number, "name": m.name, "area": m.area, "offer": m.offer,
          "same_area": m.same_area, "last_given": m.last_given, "balance_minutes": m.balance_minutes, "why": why(m)}
         for place, m in enumerate(found, 1)],
        title=lambda w: w._("Who could help: {category}").format(category=category.name(w.lang)),
        empty=_say(N_("Nobody active offers this yet.")))


# The ledger ---------------------------------------------------------------------------------

SETTING_MEANINGS = {
    "name": N_("The time bank's name"),
    "lang": N_("The ledger's language"),
    "credit_limit": N_("Hours a member may go below zero (empty: no limit)"),
    "max_hours": N_("Most hours for one receiver in one exchange"),
    "hour_value": N_("Pounds per hour for social value (empty: not shown)"),
    "hour_value_source": N_("Where the value of an hour comes from (a wage, a study), shown beside social value"),
    "year_start": N_("The month the financial year starts (1-12; 4 is April): quarters and years follow it"),
    "contact": N_("The contact line printed under the name on statements (address, phone)"),
    "controller": N_("Who is responsible for members' data (the data controller: the body that runs the time "
                     "bank, with its address), named in a member's copy of their data"),
    "retention": N_("How long members' data is kept, as a member's copy of their data states it"),
    "outcome_min_pairs": N_("The fewest members with a first and a later score for an outcome's figures to be "
                            "given (report outcomes)"),
    "bank_code": N_("This time bank's own code, as its partner banks know it (in every file of trades it sends)"),
}


def settings(values: dict[str, str]) -> Report:
    # A value and its meaning are read whole: on a narrow terminal they wrap, never cut.
    sheet = Sheet([col("key", N_("Setting"), SAY, whole=True), col("value", N_("Value"), wrap=True),
                   col("description", N_("Meaning"), SAY, wrap=True)],
                  [{"key": _setting_key(k), "value": v, "description": _say(SETTING_MEANINGS[k])}
                   for k, v in values.items()],
                  title=_say(N_("Settings")))
    parts: list[Part] = [Field(key, value, TEXT) for key, value in values.items()]
    return Report(parts + [sheet], csv=sheet)


def _setting_key(key: str) -> Say:
    from timebank.ledger.records.settings import key_in

    return lambda w: key_in(key, w.lang)


def categories(rows: list, lang: str) -> Sheet:
    """Each category with both its codes and names, in the alphabetical order of `lang`, and
    the well-being goals it serves: their codes in the reader's language in a table, the
    English codes in files (a list in JSON, space-separated in CSV)."""
    from timebank.i18n import sort_key

    rows = sorted(rows, key=lambda c: sort_key(c.name(lang), lang))
    return Sheet([col("code", N_("Code"), CODE), col("code_cy", N_("Welsh code"), CODE),
                  col("cy", N_("Welsh"), wrap=True), col("en", N_("English"), wrap=True),
                  col("goal_codes", N_("Well-being goals"), SAY, only=[TABLE], wrap=True),
                  col("goals", kind=ANY, only=[JSON]), col("goals_text", kind=CODE, only=[CSV], csv="goals")],
                 [{"code": c.code, "code_cy": c.code_cy, "cy": c.cy, "en": c.en, "goals": list(c.goals),
                   "goals_text": " ".join(c.goals) or None, "goal_codes": goal_codes(c.goals)} for c in rows],
                 title=_say(N_("Categories")))


# The seven well-being goals by their statutory names (Well-being of Future Generations (Wales)
# Act 2015, section 4), in the Act's English and Welsh texts.
GOAL_NAMES = {
    "prosperous": N_("A prosperous Wales"), "resilient": N_("A resilient Wales"),
    "healthier": N_("A healthier Wales"), "equal": N_("A more equal Wales"),
    "cohesive": N_("A Wales of cohesive communities"),
    "culture": N_("A Wales of vibrant culture and thriving Welsh language"),
    "global": N_("A globally responsible Wales"),
}


def goal_name(goal: str) -> Say:
    """A goal's statutory name in the reader's language."""
    return _say(GOAL_NAMES[goal])


def goal_codes(goals: Any, sep: str = " ") -> Say:
    """Goals by the codes a reader of the language types ('iachach cydlynus'; in a sentence,
    `sep` ', '); a dash for none."""
    from timebank.ledger.records.categories import goal_code_in

    return lambda w: sep.join(goal_code_in(goal, w.lang) for goal in goals) or "–"


def centres(rows: list) -> Sheet:
    """Each centre of the network, by code, with how many active members it is home to."""
    return Sheet([col("code", N_("Code"), CODE), col("name", N_("Name"), wrap=True),
                  col("members", N_("Members"), INT)],
                 [{"code": c.code, "name": c.name, "members": c.members} for c in rows],
                 title=_say(N_("Centres")), empty=_say(N_("No centres yet: 'timebank centre add NAME --code CODE' adds "
                                                          "one.")))


def access_requests(rows: list, include_done: bool) -> Sheet:
    """Members' requests for a copy of their data, the soonest due first; an open one past its
    due day is marked in the table with how late it is."""
    def late(row: Any) -> Say | None:
        if not row.overdue:
            return None
        return plural("{count} day late", "{count} days late", row.days_overdue)

    columns = [col("number", "#", INT), col("member", N_("Member"), INT), col("name", N_("Name"), MEMBER),
               col("received", N_("Received on"), DATE), col("due", N_("Due"), DATE),
               col("done", N_("Done"), DATE, none=N_("open")), col("overdue", kind=BOOL, only=[JSON, CSV]),
               col("late", N_("Overdue"), SAY, only=[TABLE])]
    return Sheet(columns, [{"number": r.number, "member": r.member.number, "name": r.member, "received": r.received,
                            "due": r.due, "done": r.done, "overdue": r.overdue, "late": late(r)} for r in rows],
                 title=_say(N_("Access requests")),
                 empty=_say(N_("No access requests yet.") if include_done else N_("No open access requests.")))


def outcome_measures(rows: list) -> Sheet:
    """The outcome measures: their ranges, the change counted as meaningful, whether a
    conversion table converts their raw scores, and how many scores each holds."""
    return Sheet([col("id", "#", INT), col("name", N_("Measure"), wrap=True), col("min", N_("Lowest"), NUMBER),
                  col("max", N_("Highest"), NUMBER), col("meaningful_change", N_("Meaningful change"), NUMBER),
                  col("conversion", N_("Conversion table"), BOOL), col("scores", N_("Scores"), INT)],
                 [{"id": m.id, "name": m.name, "min": format(m.minimum, "f"), "max": format(m.maximum, "f"),
                   "meaningful_change": format(m.meaningful_change, "f"), "conversion": m.conversion is not None,
                   "scores": m.scores} for m in rows],
                 title=_say(N_("Outcome measures")),
                 empty=_say(N_("No outcome measures yet: 'timebank outcome measure add NAME --min N --max N "
                               "--meaningful-change N' adds one.")))


# Why `report outcomes` withholds a measure's figures (reports.outcomes.WITHHELD), in words.
WITHHELD_WORDS = {
    "no_pairs": N_("no member has a first and a later score in these dates"),
    "fewer_pairs_than_minimum": N_("fewer pairs than the setting outcome_min_pairs ({count})"),
    "one_pair": N_("one pair has no spread to measure: an interval needs two"),
}


def _cents(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _withheld(code: str | None, min_pairs: int) -> Say | None:
    if code is None:
        return None
    return lambda w: w._(WITHHELD_WORDS[code]).format(count=min_pairs)


def _withheld_in_file(code: str | None, min_pairs: int) -> Say | None:
    """Why figures are withheld, in a CSV: the code in English files (what scripts read), the
    reason in words in Welsh ones (as an exchange's status is)."""
    words = _withheld(code, min_pairs)
    if code is None or words is None:
        return None
    return lambda w: code if w.lang == "en" else words(w)


def _figure_cells(figures: Any, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}pairs": figures.pairs, f"{prefix}mean_change": _cents(figures.mean_change),
            f"{prefix}ci95_low": _cents(figures.ci95_low), f"{prefix}ci95_high": _cents(figures.ci95_high),
            f"{prefix}improved_meaningfully": figures.improved_meaningfully}


def outcomes(report: Any) -> Report:
    """`report outcomes`. JSON: {from, to, outcome_min_pairs, measures: [{measure, pairs,
    mean_change, ci95_low, ci95_high, improved_meaningfully, withheld (a code or null),
    assisted: {the same keys}}]}; CSV: a row a measure, the assisted figures in columns
    `assisted_*`; the table: a row for all the pairs and one for the assisted ones, the reason
    in words where figures are withheld."""
    def json_figures(figures: Any) -> dict[str, Any]:
        return _figure_cells(figures) | {"withheld": figures.withheld}

    def row(m: Any) -> dict[str, Any]:
        return ({"measure": m.measure} | _figure_cells(m.all) | {"withheld": m.all.withheld}
                | {"withheld_said": _withheld_in_file(m.all.withheld, report.min_pairs)}
                | _figure_cells(m.assisted, "assisted_")
                | {"assisted_withheld": _withheld_in_file(m.assisted.withheld, report.min_pairs),
                   "assisted": json_figures(m.assisted)})

    figure_columns = [col("pairs", kind=INT), col("mean_change", kind=NUMBER), col("ci95_low", kind=NUMBER),
                      col("ci95_high", kind=NUMBER), col("improved_meaningfully", kind=INT)]
    data = Sheet([col("measure", only=[JSON, CSV]),
                  *[col(c.key, kind=c.kind, only=[JSON, CSV]) for c in figure_columns],
                  col("withheld", kind=CODE, only=[JSON]),
                  col("withheld", kind=SAY, only=[CSV], source="withheld_said"),
                  *[col("assisted_" + c.key, kind=c.kind, only=[CSV]) for c in figure_columns],
                  col("assisted_withheld", kind=SAY, only=[CSV]), col("assisted", kind=ANY, only=[JSON])],
                 [row(m) for m in report.measures], key="measures")
    shown = []
    for m in report.measures:
        for answers, figures in ((N_("all"), m.all), (N_("assisted"), m.assisted)):
            shown.append({"measure": m.measure, "answers": _say(answers), **_figure_cells(figures),
                          "withheld": _withheld(figures.withheld, report.min_pairs)})
    table = Sheet([col("measure", N_("Measure"), wrap=True), col("answers", N_("Answers"), SAY),
                   col("pairs", N_("Pairs"), INT), col("mean_change", N_("Mean change"), NUMBER),
                   col("ci95_low", N_("95% CI from"), NUMBER), col("ci95_high", N_("95% CI to"), NUMBER),
                   col("improved_meaningfully", N_("Improved meaningfully"), INT),
                   col("withheld", N_("Withheld because"), SAY, wrap=True)], shown,
                  empty=_say(N_("No outcome measures yet.")))
    def title(w: Words) -> str:
        return w._("Outcomes from {start} to {end}").format(start=w.date(report.start), end=w.date(report.end))

    parts: list[Any] = [Field("from", report.start, DATE), Field("to", report.end, DATE),
                        Field("centre", report.centre, CODE), Field("outcome_min_pairs", report.min_pairs, INT),
                        Line(title, bold=True), table, data]
    return Report(parts, csv=data)


def seal_line(seal: Any, w: Words) -> str:
    """The seal to write down: the chain's last link and the start of its hash."""
    if seal is None:
        return w._("Seal: none yet (nothing has been recorded).")
    return w._("Seal: {seal}").format(seal=seal.text)


def erasure_preview(plan: Any) -> Report:
    """What `member forget` would erase, and where; and the mentions it would keep."""
    columns = [col("where", N_("Where"), SAY), col("erased", N_("Erased"), TEXT),
               col("after", N_("Becomes"), TEXT)]
    rows = [{"where": _place(p), "erased": " · ".join(p.erased), "after": p.after} for p in plan.places]
    parts: list[Any] = [
        Line(plural("Erasing member {number} changes {count} stored text:",
                    "Erasing member {number} changes {count} stored texts:", len(plan.places), number=plan.member),
             bold=True),
        Sheet(columns, rows)]
    kept = [(p, piece, why) for p in plan.places + plan.kept for piece, why in zip(p.kept, p.why)]
    if kept:
        parts.append(Line(plural("{count} text mentions one of their names but is kept (the last column says why):",
                                 "{count} texts mention one of their names but are kept (the last column says why):",
                                 len({id(p) for p, _piece, _why in kept})), bold=True))
        # One row for each word kept: a text may keep one name as a common word and erase another.
        parts.append(Sheet([col("where", N_("Where"), SAY), col("kept", N_("Kept"), TEXT),
                            col("text", N_("Text"), TEXT), col("why", N_("Why"), SAY)],
                           [{"where": _place(p), "kept": piece, "text": p.before, "why": _say(WHY[why])}
                            for p, piece, why in kept]))
    return Report(parts)


PLACES = {"member": N_("member {key}: {field}"), "exchange": N_("exchange {key}: {field}"),
          "listing": N_("listing {key}: {field}"), "audit": N_("audit event {key}: {field}"),
          "setting": N_("setting {key}: {field}"), "outcome": N_("outcome score {key}: {field}")}
# Why `member forget` keeps a mention of a name (erasure.COMMON, OTHER, ALONE).
WHY = {"common": N_("a common word"), "other": N_("another member's name"),
       "alone": N_("alone, in a text not about them")}


# Stored columns by the words a coordinator knows them by; keys inside an audit event's
# details ("changes.note.old") are shown as they are.
FIELDS = {"name": N_("name"), "email": N_("email"), "phone": N_("phone number"), "note": N_("note"),
          "area": N_("area"), "sort_as": N_("sort-as name"), "recorded_by": N_("recorded by"), "by": N_("by"),
          "value": N_("value"), "score": N_("score")}


def _place(place: Any) -> Say:
    label = FIELDS.get(place.field)
    field = (lambda w: w._(label)) if label else place.field
    return _say(PLACES[place.where], key=place.key, field=field)


def checks(results: list) -> Report:
    parts: list[Any] = []
    for result in results:
        mark = "✓" if not result.problems else "✗"
        parts.append(Line(_mark(mark, result.title), style="green" if not result.problems else "red"))
        parts += [Line(_indented(problem)) for problem in result.problems]
    return Report(parts)


def _mark(mark: str, title: str) -> Say:
    return lambda w: f"{mark} {w._(title)}"


def _indented(problem: Phrase) -> Callable[[Words], str]:
    """A problem the core found (words to say), under its check."""
    return lambda w: "    " + w.say(problem)


def _plain(text: Phrase) -> Say:
    return lambda w: w.say(text)  # what the core said, in the reader's words (plain text as it is)


def audit(events: list, categories: dict[str, Any] | None = None) -> Sheet:
    return Sheet(
        [col("id", "#", INT, csv="id"), col("at", N_("When (UTC)"), DATETIME, csv=N_("when")),
         col("by", N_("By"), csv=N_("by"), drop=2), col("action", N_("Action"), ACTION, csv=N_("action"), drop=1),
         col("member", kind=INT, only=[JSON]), col("exchange", kind=INT, only=[JSON]),
         col("details", kind=ANY, only=[JSON]),
         # What happened holds the figures (hours, exchange numbers): wrapped, never cut.
         col("what", N_("What"), SAY, only=[TABLE, CSV], csv=N_("what"), wrap=True)],
        [e.__dict__ | {"what": _describe(e, categories)} for e in events],
        title=_say(N_("Audit")), empty=_say(N_("Nothing in the audit for these dates.")))


def _describe(event: Any, categories: dict[str, Any] | None) -> Say:
    return lambda w: shown_text(describe_event(event, w, categories), w)


# Member details as a sentence names them.
FIELD_WORDS = {"name": N_("name"), "area": N_("area"), "email": N_("email"), "phone": N_("phone number"),
               "lang": N_("language"), "note": N_("note"), "sort_as": N_("sort-as name"),
               "large_print": N_("large print"), "centre": N_("home centre")}


def field_words(fields: Iterable[str], w: Words) -> str:
    return ", ".join(w._(FIELD_WORDS[f]) if f in FIELD_WORDS else f for f in fields)


# The settings as a sentence names them (the key is what `settings set` takes).
SETTING_WORDS = {"name": N_("the time bank's name"), "lang": N_("the ledger's language"),
                 "credit_limit": N_("the credit limit"), "max_hours": N_("the most hours for one receiver"),
                 "hour_value": N_("the value of an hour"),
                 "hour_value_source": N_("the source of the value of an hour"),
                 "year_start": N_("the month the year starts"), "contact": N_("the contact line"),
                 "controller": N_("the data controller"), "retention": N_("the retention period"),
                 "outcome_min_pairs": N_("the fewest pairs of outcome scores"),
                 "bank_code": N_("this time bank's code")}


def setting_words(key: str, w: Words) -> str:
    return w._(SETTING_WORDS[key]) if key in SETTING_WORDS else key


def describe_event(event: Any, w: Words, categories: dict[str, Any] | None = None) -> str:
    """One audit event as a sentence in the reader's language."""
    d = event.details
    member = f"#{event.member}" if event.member is not None else ""

    def _category_code(code: Any, w: Words) -> Any:
        known = (categories or {}).get(code)
        return known.name(w.lang) if known is not None else code

    templates = {
        "ledger.init": lambda: w._("Created the ledger"),
        "member.add": lambda: w._("Added member {member} {name}").format(member=member, name=d.get("name", "")),
        "member.edit": lambda: w._("Changed {fields} of member {member}").format(
            fields=field_words(sorted(d.get("changes", {})), w), member=member),
        "member.leave": lambda: w._("Member {member} left on {date}").format(member=member, date=d.get("date")),
        "member.rejoin": lambda: w._("Member {member} rejoined").format(member=member),
        "exchange.record": lambda: w._(
            "Recorded exchange {exchange}: {hours} hours from {givers} to {receivers}").format(
            exchange=event.exchange, hours=format_hours(int(d.get("minutes", 0))),
            givers=", ".join(f"#{n}" for n in d.get("givers", [])),
            receivers=", ".join(f"#{n}" for n in d.get("receivers", []))),
        "exchange.void": lambda: w._("Voided exchange {exchange} with reversal {reversal}: {reason}").format(
            exchange=event.exchange, reversal=d.get("reversal"), reason=d.get("reason", "")),
        "exchange.overdraft": lambda: w._(
            "Allowed member {member} below the credit limit in exchange {exchange}").format(
            member=member, exchange=event.exchange),
        "settings.set": lambda: w._("Changed {setting} from '{old}' to '{new}'").format(
            setting=setting_words(d.get("key") or "", w), old=d.get("old", ""), new=d.get("new", "")),
        "member.forget": lambda: w._("Erased the personal details of member {member}").format(member=member),
        "member.export": lambda: w.ngettext(
            "Made a copy of the data of member {member} for them ({count} file)",
            "Made a copy of the data of member {member} for them ({count} files)",
            len(d.get("files", []))).format(member=member, count=len(d.get("files", []))),
        "access_request.log": lambda: w._("Member {member} asked for a copy of their data (access request {number}, "
                                          "received {received}, due {due})").format(
            member=member, number=d.get("number"), received=d.get("received"), due=d.get("due")),
        "access_request.done": lambda: w._("Answered access request {number} of member {member} on {date}").format(
            number=d.get("number"), member=member, date=d.get("done")),
        "outcome.measure": lambda: w._("Added the outcome measure {name} (scores {min} to {max})").format(
            name=d.get("name", ""), min=d.get("min"), max=d.get("max")),
        # The score itself is never in the audit: health data.
        "outcome.record": lambda: (w._("Recorded a score of member {member} on {measure} for {date} (helped to "
                                       "answer)") if d.get("assisted") else
                                   w._("Recorded a score of member {member} on {measure} for {date}")).format(
            member=member, measure=d.get("measure", ""), date=d.get("date")),
        "ledger.chain": lambda: w._("Began the tamper-evident chain over the {count} earlier exchanges and "
                                    "events").format(count=d.get("links", 0)) if "bound" not in d else w._(
            "Took the chain to version 2: the texts of the {count} earlier exchanges and events are now proven word by "
            "word").format(count=d.get("texts", 0)),
        "ledger.restore": lambda: w._("Restored the ledger from {file}").format(file=d.get("file", "")),
        "partner.add": lambda: w._("Added the partner bank {name} ({code})").format(
            name=d.get("name", ""), code=d.get("code", "")),
        "partner.edit": lambda: w._("Changed {fields} of the partner bank {code}").format(
            fields=", ".join(sorted(d.get("changes", {}))), code=d.get("code", "")),
        "partner.leave": lambda: w._("The partnership with {code} ended on {date}").format(
            code=d.get("code", ""), date=d.get("date")),
        "partner.export": lambda: w._("Wrote a file for the partner bank {code} (trades: {trades})").format(
            trades=d.get("trades", 0), code=d.get("code", "")),
        "partner.import": lambda: w._("Took a file from the partner bank {code} (new trades: {trades}; voids: "
                                      "{voids})").format(code=d.get("code", ""), trades=d.get("trades", 0),
                                                         voids=d.get("voids", 0)),
        "import.members": lambda: w.ngettext("Imported {rows} row of members from {file}",
                                             "Imported {rows} rows of members from {file}",
                                             int(d.get("rows") or 0)).format(rows=d.get("rows"),
                                                                             file=d.get("file", "")),
        "import.exchanges": lambda: w.ngettext("Imported {rows} row of exchanges from {file}",
                                               "Imported {rows} rows of exchanges from {file}",
                                               int(d.get("rows") or 0)).format(rows=d.get("rows"),
                                                                               file=d.get("file", "")),
        "import.timeoverflow": lambda: w._("Moved in from TimeOverflow (members: {members}, exchanges: {exchanges}; "
                                           "files: {files})").format(
            members=d.get("members", 0), exchanges=d.get("exchanges", 0),
            # The files as given: a zip by its name, not the CSVs inside it.
            files=", ".join(f.get("file", "") for f in d.get("files", []) if ":" not in f.get("file", ""))),
        "offer.add": lambda: w._("Member {member} offers {category} (listing {id})").format(
            member=member, category=_category_code(d.get("category"), w), id=d.get("id")),
        "request.add": lambda: w._("Member {member} asks for {category} (listing {id})").format(
            member=member, category=_category_code(d.get("category"), w), id=d.get("id")),
        "offer.remove": lambda: w._("Closed listing {id}").format(id=d.get("id")),
        "request.remove": lambda: w._("Closed listing {id}").format(id=d.get("id")),
        "listings.close": lambda: w._("Closed the listings of member {member}").format(member=member),
        "request.met": lambda: w._("Request {id} met by exchange {exchange}").format(id=d.get("id"),
                                                                                    exchange=event.exchange),
        "request.reopen": lambda: w._("Request {id} open again (exchange {exchange} voided)").format(
            id=d.get("id"), exchange=event.exchange),
        "centre.add": lambda: w._("Added the centre {code}: {name}").format(code=d.get("code"), name=d.get("name")),
        "category.add": lambda: w._("Added the category {code}").format(
            code=d.get("code_cy") or d.get("code") if w.lang == "cy" else d.get("code")),
        "category.goals": lambda: w._("The category {code} serves the well-being goals: {goals}").format(
            code=_category_code(d.get("code"), w), goals=goal_codes(d.get("new"), ", ")(w)) if d.get("new") else
        w._("The category {code} serves none of the well-being goals").format(code=_category_code(d.get("code"), w)),
    }
    describe = templates.get(event.action)
    return describe() if describe else event.action



# A CSV's headers are its column keys in the output language: every key a CSV can carry
# is marked here so that the catalogues keep it (English files keep the keys as they are).
CSV_HEADERS = [
    N_("number"), N_("name"), N_("kind"), N_("area"), N_("lang"), N_("joined"), N_("left"), N_("balance_hours"),
    N_("balance_minutes"), N_("phone"), N_("email"), N_("note"), N_("sort_as"), N_("large_print"),
    N_("last_exchange"), N_("date"),
    N_("givers"), N_("receivers"), N_("minutes"), N_("hours"), N_("category"), N_("void"), N_("reverses"),
    N_("voided_by"), N_("recorded_at"), N_("recorded_by"), N_("exchange"), N_("others"), N_("opening_minutes"),
    N_("given_minutes"), N_("received_minutes"), N_("closing_minutes"), N_("period"), N_("from"), N_("to"),
    N_("exchanges"), N_("minutes_exchanged"), N_("members_active"), N_("members_new"), N_("members_left"),
    N_("members_total"), N_("member"), N_("opened"), N_("closed"), N_("place"), N_("why"), N_("key"), N_("value"),
    N_("description"), N_("code"), N_("code_cy"), N_("cy"), N_("en"), N_("goals"),
    N_("measure"), N_("pairs"), N_("mean_change"), N_("ci95_low"), N_("ci95_high"), N_("improved_meaningfully"),
    N_("withheld"), N_("assisted_pairs"), N_("assisted_mean_change"), N_("assisted_ci95_low"),
    N_("assisted_ci95_high"), N_("assisted_improved_meaningfully"), N_("assisted_withheld"),
]
