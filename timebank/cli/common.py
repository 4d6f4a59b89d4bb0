"""Small pieces the commands share: option parsing and human descriptions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from timebank.i18n import _, ngettext

if TYPE_CHECKING:
    from typing import Callable

    from timebank.ledger.audit import AuditRow


def parse_range(start: str | None, end: str | None, month: str | None = None) -> tuple[date | None, date | None]:
    """--from/--to (or --month) as dates; --from must not be after --to."""
    from timebank.ledger.dates import check_range, month_end, parse_date, parse_month
    from timebank.ledger.errors import InvalidInput

    if month is not None:
        if start is not None or end is not None:
            raise InvalidInput(_("Give either --month or --from/--to, not both."))
        first = parse_month(month)
        return first, month_end(first)
    first = parse_date(start, allow_future=True) if start is not None else None
    last = parse_date(end, allow_future=True) if end is not None else None
    check_range(first, last)
    return first, last


def shown_text(text: str | None) -> str:
    """Stored free text as a person reads it: the erasure mark in the output language."""
    from timebank.ledger.text import ERASED

    return (text or "").replace(ERASED, _("[erased]"))


_format_hours: "Callable[[int], str] | None" = None


def hours(minutes: int) -> str:
    """Minutes as hours ('1.50'). A large report calls this tens of thousands of times, so the
    formatter is looked up once (and not at start-up: --help needs none of it)."""
    global _format_hours
    if _format_hours is None:
        from timebank.ledger.hours import format_hours

        _format_hours = format_hours
    return _format_hours(minutes)


def signed_hours(minutes: int) -> str:
    text = hours(minutes)
    return f"+{text}" if minutes > 0 else text


def describe_event(event: "AuditRow") -> str:
    d = event.details
    member = f"#{event.member}" if event.member is not None else ""
    templates = {
        "ledger.init": lambda: _("Created the ledger"),
        "member.add": lambda: _("Added member {member} {name}").format(member=member, name=d.get("name", "")),
        "member.edit": lambda: _("Changed {fields} of member {member}").format(
            fields=", ".join(sorted(d.get("changes", {}))), member=member),
        "member.leave": lambda: _("Member {member} left on {date}").format(member=member, date=d.get("date")),
        "member.rejoin": lambda: _("Member {member} rejoined").format(member=member),
        "exchange.record": lambda: _("Recorded exchange {exchange}: {hours} hours from {givers} to {receivers}").format(
            exchange=event.exchange, hours=hours(int(d.get("minutes", 0))),
            givers=", ".join(f"#{n}" for n in d.get("givers", [])),
            receivers=", ".join(f"#{n}" for n in d.get("receivers", []))),
        "exchange.void": lambda: _("Voided exchange {exchange} with reversal {reversal}: {reason}").format(
            exchange=event.exchange, reversal=d.get("reversal"), reason=d.get("reason", "")),
        "exchange.overdraft": lambda: _("Allowed member {member} below the credit limit in exchange {exchange}").format(
            member=member, exchange=event.exchange),
        "settings.set": lambda: _("Changed the setting {key} from '{old}' to '{new}'").format(
            key=d.get("key"), old=d.get("old", ""), new=d.get("new", "")),
        "member.forget": lambda: _("Erased the personal details of member {member}").format(member=member),
        "ledger.restore": lambda: _("Restored the ledger from {file}").format(file=d.get("file", "")),
        "import.members": lambda: ngettext("Imported {rows} row of members from {file}",
                                           "Imported {rows} rows of members from {file}", int(d.get("rows") or 0)).format(
            rows=d.get("rows"), file=d.get("file", "")),
        "import.exchanges": lambda: ngettext("Imported {rows} row of exchanges from {file}",
                                             "Imported {rows} rows of exchanges from {file}",
                                             int(d.get("rows") or 0)).format(rows=d.get("rows"), file=d.get("file", "")),
        "offer.add": lambda: _("Member {member} offers {category} (listing {id})").format(
            member=member, category=d.get("category"), id=d.get("id")),
        "request.add": lambda: _("Member {member} asks for {category} (listing {id})").format(
            member=member, category=d.get("category"), id=d.get("id")),
        "offer.remove": lambda: _("Closed listing {id}").format(id=d.get("id")),
        "request.remove": lambda: _("Closed listing {id}").format(id=d.get("id")),
        "listings.close": lambda: _("Closed the listings of member {member}").format(member=member),
        "request.met": lambda: _("Request {id} met by exchange {exchange}").format(id=d.get("id"),
                                                                                  exchange=event.exchange),
        "request.reopen": lambda: _("Request {id} open again (exchange {exchange} voided)").format(
            id=d.get("id"), exchange=event.exchange),
        "category.add": lambda: _("Added the category {code}").format(code=d.get("code")),
    }
    describe = templates.get(event.action)
    return describe() if describe else event.action


from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


@contextmanager
def write_file_atomically(path: Path, *, bom: bool = False) -> Iterator[IO[str]]:
    """Write beside the target and rename at the end, so a failure never leaves half a file."""
    from timebank.ledger.errors import InvalidInput, os_reason

    target = path.expanduser()
    if target.is_dir():
        raise InvalidInput(_("{path} is a folder.").format(path=target))
    temporary = target.with_name(f".{target.name}.partial")
    try:
        handle = temporary.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as error:
        raise InvalidInput(_("Cannot write {path}: {reason}").format(path=target, reason=os_reason(error))) from None
    try:
        with handle:
            yield handle
        temporary.replace(target)
    except OSError as error:  # the disk filled, or the folder went away, while writing
        temporary.unlink(missing_ok=True)
        raise InvalidInput(_("Cannot write {path}: {reason}").format(path=target, reason=os_reason(error))) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
