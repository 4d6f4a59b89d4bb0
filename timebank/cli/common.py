"""Small pieces the commands share: date ranges as typed, and writing a file safely."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar

from timebank.i18n import _, say
from timebank.ledger.errors import Refused
from timebank.ledger.messages import Phrase


def parse_range(start: str | None, end: str | None, month: str | None = None) -> tuple[date | None, date | None]:
    """--from/--to (or --month) as dates; --from must not be after --to."""
    from timebank.ledger.basics.dates import check_range, month_end, parse_date, parse_month
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


@contextmanager
def write_file_atomically(path: Path, *, bom: bool = False, force: bool = False,
                          binary: bool = False) -> Iterator[IO]:
    """The one way a command writes a file (`--output`): private (0600), never through a
    symbolic link or over a ledger or backup, over another existing file only with
    `force`, never at a name Windows keeps for a device, and whole or not at all (see
    `timebank.ledger.storage.files`). Text handles are UTF-8 (with a BOM for Excel on request);
    `binary` gives a bytes handle (PDF, xlsx)."""
    from timebank.i18n import os_reason
    from timebank.ledger.errors import InvalidInput
    from timebank.ledger.storage.files import private_output
    from timebank.ledger.storage.location import shown

    target = path.expanduser()
    try:
        with private_output(target, force=force, binary=binary,
                            encoding="utf-8-sig" if bom else "utf-8") as handle:
            yield handle
    except OSError as error:  # no such folder, a name too long, the disk filled, the folder went away
        raise InvalidInput(_("Cannot write {path}: {reason}").format(
            path=shown(target), reason=os_reason(error))) from None


def interactive() -> bool:
    """A person at a terminal (stdin and stdout both terminals, and not a CI run): only then
    are questions asked. Scripts get the same behaviour as always."""
    import os
    import sys

    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


YES = {"y", "yes", "i", "ie", "do", "oes", "ydw"}


def confirm(question: str) -> bool:
    """A y/N question (i/N in Welsh); anything but yes is no. Never asked in a script."""
    if not interactive():
        return False
    choices = _("[y/N]")
    try:
        answer = input(f"{question} {choices} ")
    except EOFError:
        return False
    return answer.strip().lower() in YES


def ask(label: str) -> str:
    """Ask for a missing value at a terminal; an empty answer gives up."""
    from timebank.ledger.errors import UsageProblem

    try:
        answer = input(f"{label}: ").strip()
    except EOFError:
        answer = ""
    if not answer:
        raise UsageProblem(_("Nothing was given: nothing was changed."))
    return answer


T = TypeVar("T")


def unless_duplicate(action: Callable[[bool], T], again: bool, hint: Phrase) -> T:
    """Run a write that may be refused as a duplicate; at a terminal, ask whether it is
    meant and, if so, run it again with `again`. A script is told `hint` (how to say it
    is meant: the core names no flag)."""
    from timebank.ledger.errors import Duplicate

    try:
        return action(again)
    except Duplicate as duplicate:
        if again or not interactive():
            duplicate.hint = hint
            raise
        if confirm(say(duplicate.question)):
            return action(True)
        raise Refused(_("Nothing was recorded.")) from None
