"""A member's copy of their data (`member export`), as one zip in the member's language: a
letter (PDF) that says what the time bank holds, why, who sees it, how long it keeps it, the
member's rights and how to complain to the regulator, and then lists every item; `data.json`
with every item in a machine-readable form (its keys are the contract, in English whatever
the language); and the same items as CSV files a spreadsheet opens (formula-safe, headers in
the member's language).

Made from a `reports.member_data.MemberCopy`; nothing here reads the ledger. The letter is
laid out as the other printed documents are (`pdf`), at a statement's size, or in large print
for a member who asked for it.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable

from timebank.i18n import N_, Words
from timebank.ledger.basics.contact import joined, removed_anywhere
from timebank.ledger.basics.hours import format_hours
from timebank.render.csvfile import write_csv
from timebank.render.sheet import (ACTION, BOOL, CATEGORY, CODE, DATE, DATETIME, HOURS, INT, KIND, LANG, MEMBERS,
                                   NUMBER, SAY, SIGNED, TEXT, Line, Report, Say, Sheet, action_words, col, kind_words,
                                   language_words, member_words, shown_text, signed_hours)

FORMAT = "timebank member data"
VERSION = 1

# The files of the zip, by language: the letter and the CSVs are named in the member's words,
# `data.json` (the machine-readable copy) the same in both.
FILE_NAMES = {
    "en": {"letter": "letter.pdf", "member": "member.csv", "memberships": "memberships.csv",
           "exchanges": "exchanges.csv", "listings": "offers-and-requests.csv", "requests": "access-requests.csv",
           "outcomes": "outcomes.csv", "audit": "audit.csv"},
    "cy": {"letter": "llythyr.pdf", "member": "aelod.csv", "memberships": "aelodaeth.csv",
           "exchanges": "cyfnewidiadau.csv", "listings": "cynigion-a-cheisiadau.csv",
           "requests": "ceisiadau-mynediad.csv", "outcomes": "canlyniadau.csv", "audit": "archwiliad.csv"},
}
JSON_NAME = "data.json"
# Headers of the member CSV that no other CSV has (the others are in `views.CSV_HEADERS`).
CSV_HEADERS = [N_("created_at"), N_("centre")]

REMOVED = N_("[contact details removed]")
NOTE = "note"   # a field's kind here: a text of the copy (its parts), said in the reader's words

# What each field of the member's record is called, in the letter and the member CSV.
FIELD_LABELS = {
    "number": N_("Member number"), "name": N_("Name"), "sort_as": N_("Sorted as"), "kind": N_("Kind"),
    "area": N_("Area"), "email": N_("Email"), "phone": N_("Phone"), "lang": N_("Language"), "note": N_("Note"),
    "joined": N_("Joined"), "left": N_("Left"), "centre": N_("Home centre"), "large_print": N_("Large print"),
    "created_at": N_("Added to the ledger (UTC)"), "balance_hours": N_("Balance"),
}
ENDED_WORDS = {"left": N_("left"), "erased": N_("erased")}
LISTING_WORDS = {"offer": N_("offer"), "request": N_("request")}
CLOSED_WORDS = {"removed": N_("removed"), "met": N_("met"), "left": N_("member left"), "erased": N_("erased")}
# Under the column "You": what the member did (not the CSV key "received" of a request's date).
ROLE_WORDS = {"giver": N_("gave help"), "receiver": N_("received help")}


def _say(msgid: str, **values: Any) -> Say:
    return lambda w: w._(msgid).format(**values) if values else w._(msgid)


def _text(parts: Any, w: Words) -> str:
    """A text of the copy in the reader's words: its removals marked, an erasure mark said."""
    if parts is None:
        return ""
    if isinstance(parts, tuple):
        return shown_text(joined(parts, w._(REMOVED)), w)
    return shown_text(str(parts), w)


# data.json -------------------------------------------------------------------------------

def data(copy: Any, w: Words) -> dict[str, Any]:
    """The machine-readable copy: keys as SPEC documents them, dates ISO, hours as text with
    two decimals beside whole minutes, names and words in the member's language."""
    m = copy.member
    return {
        "format": FORMAT,
        "version": VERSION,
        "made": _moment(copy.made),
        "lang": w.lang,
        "time_bank": {"name": copy.bank_name, "contact": copy.contact, "controller": copy.controller,
                      "retention": copy.retention},
        "member": {"number": m.number, "name": m.name, "sort_as": m.sort_as, "kind": m.kind, "area": m.area,
                   "email": m.email, "phone": m.phone, "lang": m.lang,
                   "note": _text(m.note, w) if m.note is not None else None, "note_edited": removed_anywhere(m.note),
                   "joined": m.joined.isoformat(), "left": m.left.isoformat() if m.left else None,
                   "centre": {"code": m.centre.code, "name": m.centre.name} if m.centre else None,
                   "large_print": m.large_print, "created_at": _moment(m.created_at),
                   "balance_minutes": m.balance, "balance_hours": format_hours(m.balance)},
        "memberships": [{"joined": p.joined.isoformat(), "left": p.left.isoformat() if p.left else None,
                         "ended_by": p.ended_by} for p in copy.periods],
        "exchanges": [_exchange(e, w) for e in copy.exchanges],
        "offers": [_listing(item, w) for item in copy.listings if item.kind == "offer"],
        "requests": [_listing(item, w) for item in copy.listings if item.kind == "request"],
        "outcomes": [{"measure": o.measure, "date": o.day.isoformat(), "raw": format(o.raw, "f"),
                      "score": format(o.score, "f"), "assisted": o.assisted} for o in copy.outcomes],
        "access_requests": [{"number": r.number, "received": r.received.isoformat(), "due": r.due.isoformat(),
                           "done": r.done.isoformat() if r.done else None} for r in copy.requests],
        "audit": [_event(event, w) for event in copy.events],
    }


def _moment(value: datetime | None) -> str | None:
    """A stored UTC moment (naive) as ISO 8601 with its zone."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def _exchange(e: Any, w: Words) -> dict[str, Any]:
    return {"number": e.number, "date": e.date.isoformat(), "role": e.role,
            "with": [{"number": other.number, "name": member_words(other, w)} for other in e.others],
            "minutes": e.minutes, "hours": format_hours(e.minutes), "balance_change_minutes": e.amount,
            "category": e.category.code_in(w.lang), "category_name": e.category.name(w.lang),
            "note": _text(e.note, w) if e.note is not None else None, "note_edited": removed_anywhere(e.note),
            "void": e.void, "reverses": e.reverses, "voided_by": e.voided_by, "purpose": e.purpose,
            "welsh": e.welsh, "recorded_at": _moment(e.recorded_at)}


def _listing(item: Any, w: Words) -> dict[str, Any]:
    return {"number": item.id, "category": item.category.code_in(w.lang), "category_name": item.category.name(w.lang),
            "note": _text(item.note, w) if item.note is not None else None, "note_edited": removed_anywhere(item.note),
            "opened": item.opened.isoformat(), "closed": item.closed.isoformat() if item.closed else None,
            "closed_because": item.closed_because, "exchange": item.exchange}


def _event(event: Any, w: Words) -> dict[str, Any]:
    return {"id": event.id, "at": _moment(event.at), "by": event.by, "action": event.action,
            "description": _description(event, w), "member": event.member, "exchange": event.exchange,
            "about_member": event.about, "made_by_member": event.made_by,
            "details": None if event.details is None else _plain_details(event.details, w),
            "details_withheld": event.details is None, "details_edited": removed_anywhere(event.details)}


def _plain_details(value: Any, w: Words) -> Any:
    if isinstance(value, tuple):
        return _text(value, w)
    if isinstance(value, dict):
        return {key: _plain_details(inner, w) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain_details(inner, w) for inner in value]
    return value


class _Event:
    """An event as `views.describe_event` reads one, its texts in the reader's words."""

    def __init__(self, event: Any, w: Words) -> None:
        self.member, self.exchange, self.action = event.member, event.exchange, event.action
        self.details = _plain_details(event.details, w)


def _description(event: Any, w: Words) -> str:
    """What happened, as a sentence: the audit's own words, or (details withheld: an event made
    by the member about someone else) what kind of change it was."""
    if event.details is None:
        return w._("{action} (about another member: its details are theirs)").format(
            action=action_words(event.action, w))
    from timebank.render.views import describe_event

    return shown_text(describe_event(_Event(event, w), w), w)


# The CSV files -----------------------------------------------------------------------------

def _member_sheet(copy: Any) -> Sheet:
    m = copy.member
    fields = _record_fields(m)
    # Headers as every other CSV of the program has them: the field's key, in the reader's words.
    return Sheet([col(key, kind=SAY if kind == NOTE else kind) for key, _value, kind in fields],
                 [{key: (_said_text(value) if kind == NOTE and value is not None else value)
                   for key, value, kind in fields}])


def _said_text(parts: Any) -> Say:
    return lambda w: _text(parts, w)


def _record_fields(m: Any) -> list[tuple[str, Any, str]]:
    return [("number", m.number, INT), ("name", m.name, TEXT), ("sort_as", m.sort_as, TEXT), ("kind", m.kind, KIND),
            ("area", m.area, TEXT), ("email", m.email, TEXT), ("phone", m.phone, TEXT), ("lang", m.lang, LANG),
            ("note", m.note, NOTE), ("joined", m.joined, DATE), ("left", m.left, DATE),
            ("centre", m.centre.code if m.centre else None, CODE), ("large_print", m.large_print, BOOL),
            ("created_at", m.created_at, DATETIME), ("balance_hours", m.balance, HOURS)]


def _memberships_sheet(copy: Any) -> Sheet:
    return Sheet([col("joined", N_("Joined"), DATE, csv=N_("joined")), col("left", N_("Left"), DATE, csv=N_("left"),
                                                                            none=N_("still a member")),
                  col("ended", N_("How it ended"), SAY, csv=N_("how it ended"))],
                 [{"joined": p.joined, "left": p.left,
                   "ended": _say(ENDED_WORDS[p.ended_by]) if p.ended_by in ENDED_WORDS else None}
                  for p in copy.periods],
                 title=_say(N_("Membership")))


def _exchanges_sheet(copy: Any, notes: Callable[[Any], Say]) -> Sheet:
    return Sheet(
        [col("date", N_("Date"), DATE, csv=N_("date")), col("exchange", "#", INT, csv=N_("exchange")),
         col("role", N_("You"), SAY, csv=N_("you")), col("with", N_("With"), MEMBERS, csv=N_("with")),
         col("category", N_("Category"), CATEGORY, csv=N_("category")),
         col("hours", N_("Hours"), SIGNED, csv=N_("hours")),
         col("note", N_("Note"), SAY, csv=N_("note"), wrap=True),
         col("status", N_("Status"), SAY, csv=N_("status"))],
        [{"date": e.date, "exchange": e.number, "role": _say(ROLE_WORDS[e.role]), "with": e.others,
          "category": e.category, "hours": e.amount, "note": notes(e.note),
          "status": _status(e)} for e in copy.exchanges],
        title=_say(N_("Exchanges")), empty=_say(N_("No exchanges.")))


def _status(e: Any) -> Say | None:
    if e.reverses is not None:
        return _say(N_("voids {number}"), number=e.reverses)
    if e.voided_by is not None:
        return _say(N_("voided by {number}"), number=e.voided_by)
    if e.purpose == "opening":
        return _say(N_("opening balance"))
    return None


def _listings_sheet(copy: Any, notes: Callable[[Any], Say]) -> Sheet:
    return Sheet(
        [col("number", "#", INT, csv=N_("number")), col("kind", N_("Offer or request"), SAY, csv=N_("kind")),
         col("category", N_("Category"), CATEGORY, csv=N_("category")),
         col("note", N_("Note"), SAY, csv=N_("note"), wrap=True),
         col("opened", N_("Opened"), DATE, csv=N_("opened")), col("closed", N_("Closed"), DATE, csv=N_("closed")),
         col("why", N_("Why closed"), SAY, csv=N_("why closed"))],
        [{"number": item.id, "kind": _say(LISTING_WORDS[item.kind]), "category": item.category,
          "note": notes(item.note), "opened": item.opened, "closed": item.closed,
          "why": _say(CLOSED_WORDS[item.closed_because]) if item.closed_because in CLOSED_WORDS else None}
         for item in copy.listings],
        title=_say(N_("Offers and requests")), empty=_say(N_("No offers or requests.")))


def _requests_sheet(copy: Any) -> Sheet:
    return Sheet(
        [col("number", "#", INT, csv=N_("number")), col("received", N_("Received on"), DATE, csv=N_("received_on")),
         col("due", N_("Due"), DATE, csv=N_("due")), col("done", N_("Answered"), DATE, csv=N_("answered"))],
        [{"number": r.number, "received": r.received, "due": r.due, "done": r.done} for r in copy.requests],
        title=_say(N_("Your requests for your data")), empty=_say(N_("No requests recorded.")))


def _outcomes_sheet(copy: Any) -> Sheet:
    return Sheet(
        [col("measure", N_("Measure"), csv=N_("measure")), col("date", N_("Date"), DATE, csv=N_("date")),
         col("raw", N_("Answered"), NUMBER, csv=N_("raw")), col("score", N_("Score"), NUMBER, csv=N_("score")),
         col("assisted", N_("Helped to answer"), BOOL, csv=N_("helped_to_answer"))],
        [{"measure": o.measure, "date": o.day, "raw": format(o.raw, "f"), "score": format(o.score, "f"),
          "assisted": o.assisted} for o in copy.outcomes],
        title=_say(N_("Outcome scores")), empty=_say(N_("None recorded.")))


def _audit_sheet(copy: Any) -> Sheet:
    return Sheet(
        [col("at", N_("When (UTC)"), DATETIME, csv=N_("when")), col("by", N_("By"), TEXT, csv=N_("by")),
         col("action", N_("Action"), ACTION, csv=N_("action")),
         col("what", N_("What"), SAY, csv=N_("what"), wrap=True)],
        [{"at": event.at, "by": event.by, "action": event.action,
          "what": (lambda w, event=event: _description(event, w))} for event in copy.events],
        title=_say(N_("Changes about you or made by you (the audit)")), empty=_say(N_("No changes recorded.")))


# The letter -----------------------------------------------------------------------------------

def letter(copy: Any, names: dict[str, str], large: bool = False) -> Report:
    """The letter, in reading order: who writes, to whom, what this is; the time bank's
    answers to Article 15 (purposes, recipients, source, retention, rights, the regulator);
    the files; then every item held. In `large` print each item is a few lines of its own,
    not a row of a table: at 16 pt a row of seven columns has no room for its words."""
    m = copy.member
    bank = copy.bank_name
    parts: list[Any] = []
    if bank:
        parts.append(Line(lambda w: bank, style="title"))
    if copy.contact:
        parts.append(Line(lambda w: copy.contact, style="small"))
    made = copy.made.date()
    parts += [
        Line(lambda w: w._("Made on {date}").format(date=w.date(made)), style="small"),
        Line(_say(N_("A copy of your data")), style="heading"),
        Line(lambda w: w._("{name} · member number {number}").format(name=m.name, number=m.number),
             style="subheading"),
        Line(lambda w: w._("Dear {name},").format(name=m.name)),
        Line(lambda w: w._("You have the right to a copy of the information the time bank holds about you. This "
                           "letter and the files that come with it are that copy: everything the time bank's "
                           "ledger held about you on {date}.").format(date=w.date(made))),
        Line(_say(N_("Who is responsible for your data")), style="section"),
        Line(lambda w: w._("{controller} is responsible for your data (the data controller).").format(
            controller=copy.controller or bank or w._("The time bank"))),
    ]
    if copy.contact:
        parts.append(Line(lambda w: w._("To ask about your data, or to use any of your rights below, contact: "
                                        "{contact}.").format(contact=copy.contact)))
    else:
        parts.append(Line(_say(N_("To ask about your data, or to use any of your rights below, ask a "
                                  "coordinator of the time bank."))))
    parts += [
        Line(_say(N_("Why the time bank holds it")), style="section"),
        Line(_say(N_("To run the time bank: to record the hours you give and receive and keep your balance, to "
                     "put you in touch with members who offer or ask for the help you give or need, to send you "
                     "statements, to report figures to the time bank's funders, and to keep a record of every "
                     "change so that no one can quietly alter your hours.")), style="body"),
        Line(_say(N_("Who sees it")), style="section"),
        Line(_say(N_("The time bank's coordinators, who keep the ledger. Members you exchange with see your name. "
                     "Funders are sent figures (hours and counts): the files sent to them never hold your contact "
                     "details or notes, and name members by number unless the time bank chooses to add names.")),
             style="body"),
        Line(_say(N_("Where it came from")), style="section"),
        Line(_say(N_("From you, when you joined and since, and from the coordinators who recorded your exchanges, "
                     "offers and requests.")), style="body"),
        Line(_say(N_("How long it is kept")), style="section"),
    ]
    if copy.retention:
        parts.append(Line(lambda w: copy.retention, style="body"))
    else:
        parts.append(Line(_say(N_("Your exchanges stay in the ledger for as long as the time bank keeps it, "
                                  "because every member's balance depends on them. Your name, contact details "
                                  "and notes are kept while you are a member, and after you leave until you ask "
                                  "for them to be erased.")), style="body"))
    parts += [
        Line(_say(N_("Your rights")), style="section"),
        Line(_say(N_("• To have anything wrong put right (rectification): a coordinator changes it, and the "
                     "change is recorded."))),
        Line(_say(N_("• To have your name, contact details and notes erased (erasure): your exchanges stay "
                     "under your member number only, so that everyone's balance still adds up."))),
        Line(_say(N_("• To take your data elsewhere (portability): the file data.json holds it in a common "
                     "machine-readable form (JSON), and the CSV files open in any spreadsheet."))),
        Line(_say(N_("• To object to how your data is used, or to ask for its use to be limited."))),
        Line(_say(N_("How to complain")), style="section"),
        Line(_say(N_("If you are unhappy with how the time bank has used your data, please tell us first. You "
                     "can also complain to the Information Commissioner's Office (ICO), the UK's regulator for "
                     "data protection: ico.org.uk/make-a-complaint, telephone 0303 123 1113.")), style="body"),
        Line(_say(N_("The files with this letter")), style="section"),
        Line(lambda w: w._("{file}: all of your data in one machine-readable file (JSON).").format(
            file=JSON_NAME)),
        Line(lambda w: w._("{files}: the same, as tables a spreadsheet opens.").format(
            files=", ".join(names[key] for key in ("member", "memberships", "exchanges", "listings", "requests",
                                                    "outcomes", "audit")))),
        Line(_say(N_("What the time bank holds about you")), style="heading"),
        Line(_say(N_("Your details")), style="sheet_title"),
        _details_sheet(m),
        *(_as_lines(_memberships_sheet(copy)) if large else [_memberships_sheet(copy)]),
    ]

    def notes(parts_: Any) -> Say:
        return lambda w: _text(parts_, w)

    for sheet in (_exchanges_sheet(copy, notes), _listings_sheet(copy, notes), _requests_sheet(copy),
                  _outcomes_sheet(copy)):
        parts += _as_lines(sheet) if large else [sheet]
    parts += _as_lines(_audit_sheet(copy)) if large else [_audit_sheet(copy)]
    if copy.removals:
        parts.append(Line(lambda w: w._("{mark} shows where someone else's contact details were taken out of a "
                                        "note: they are not yours to be given.").format(mark=w._(REMOVED)),
                          style="small"))
    return Report(parts)


def _as_lines(sheet: Sheet) -> list[Any]:
    """A table as lines of words, for large print: its title, then each row as its first
    cell (a heading) and a line 'Column: value' for every other cell that holds something."""
    from timebank.render.sheet import table_cell

    parts: list[Any] = [Line(sheet.title, style="sheet_title")] if sheet.title else []
    rows = list(sheet.rows)
    if not rows and sheet.empty:
        parts.append(Line(sheet.empty))
    first, *rest = sheet.columns
    # A number's column ("#") goes into the heading: "3 Feb 2026 · #12".
    numbered = [column for column in rest if column.label == "#"]
    rest = [column for column in rest if column.label != "#"]

    def cell(row: dict[str, Any], column: Any) -> Callable[[Words], str]:
        value = row.get(column.key)
        if value is None and column.none:
            return lambda w: w._(column.none)
        if column.kind == DATE and value is not None:   # in full: there is room on a line of its own
            day = value
            return lambda w: w.date(day)
        return lambda w: table_cell(value, column.kind, w)

    def heading(row: dict[str, Any]) -> Callable[[Words], str]:
        return lambda w: " · ".join([cell(row, first)(w)] + [f"#{row.get(c.key)}" for c in numbered])

    def labelled(row: dict[str, Any], column: Any) -> Callable[[Words], str]:
        return lambda w: f"{column.heading(w)}: {cell(row, column)(w)}"

    for row in rows:
        parts.append(Line(heading(row), style="section"))
        parts += [Line(labelled(row, column)) for column in rest if row.get(column.key) is not None or column.none]
    return parts


def _details_sheet(m: Any) -> Sheet:
    rows = []
    for key, value, kind in _record_fields(m):
        if key == "centre":
            value = f"{m.centre.name} ({m.centre.code})" if m.centre else None
            kind = TEXT
        rows.append({"label": _say(FIELD_LABELS[key]), "value": _cell(value, kind)})
    return Sheet([col("label", "", SAY), col("value", "", SAY, wrap=True)], rows)


def _cell(value: Any, kind: str) -> Say:
    from timebank.render.sheet import table_cell

    if value is None or value == "":
        return _say(N_("(none)"))
    if kind == NOTE:
        return _said_text(value)
    if kind == HOURS:
        return lambda w: signed_hours(value)
    if kind == KIND:
        return lambda w: kind_words(value, w)
    if kind == LANG:
        return lambda w: language_words(value, w)
    if kind == DATE:
        return lambda w: w.date(value)
    if kind == BOOL:
        return _say(N_("yes")) if value else _say(N_("no"))
    return lambda w: table_cell(value, kind, w)


def footer(copy: Any) -> Say:
    m = copy.member

    def say(w: Words) -> str:
        who = w._("{name} · member number {number}").format(name=m.name, number=m.number)
        return f"{copy.bank_name} · {who}" if copy.bank_name else who
    return say


# The zip ---------------------------------------------------------------------------------------

def write_zip(copy: Any, w: Words, out: BinaryIO, *, large_print: bool = False) -> list[str]:
    """The whole copy into `out` as a zip; returns the names of its files in order."""
    from timebank.render import pdf

    names = FILE_NAMES[w.lang]
    letter_pdf = io.BytesIO()
    large = large_print or copy.member.large_print
    pdf.write_pdf([pdf.Document(letter(copy, names, large), w, footer(copy), pdf.LARGE if large else pdf.STATEMENT)],
                  letter_pdf,
                  title=w._("A copy of your data"), author=copy.bank_name)

    def notes(parts_: Any) -> Say:
        return lambda words: _text(parts_, words)

    files: list[tuple[str, bytes]] = [
        (names["letter"], letter_pdf.getvalue()),
        (JSON_NAME, (json.dumps(data(copy, w), ensure_ascii=False, indent=2) + "\n").encode("utf-8")),
        (names["member"], _csv(_member_sheet(copy), w)),
        (names["memberships"], _csv(_memberships_sheet(copy), w)),
        (names["exchanges"], _csv(_exchanges_sheet(copy, notes), w)),
        (names["listings"], _csv(_listings_sheet(copy, notes), w)),
        (names["requests"], _csv(_requests_sheet(copy), w)),
        (names["outcomes"], _csv(_outcomes_sheet(copy), w)),
        (names["audit"], _csv(_audit_sheet(copy), w)),
    ]
    # Every file stamped with the moment the copy was made (a zip keeps local time, and no zone).
    stamp = copy.made.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, content)
    return [name for name, _content in files]


def _csv(sheet: Sheet, w: Words) -> bytes:
    """A CSV file as a spreadsheet on any computer opens it: UTF-8 with a byte-order mark
    (Excel reads Welsh letters right only with it), CRLF line ends."""
    text = io.StringIO()
    write_csv(sheet, text, w, crlf=True)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
