"""Small pieces the commands share: date ranges as typed, and writing a file safely."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Iterator

from timebank.i18n import _


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


@contextmanager
def write_file_atomically(path: Path, *, bom: bool = False, force: bool = False,
                          binary: bool = False) -> Iterator[IO]:
    """The one way a command writes a file (`--output`): private (0600), never through a
    symbolic link or over a ledger or backup, over another existing file only with
    `force`, and whole or not at all (see `timebank.ledger.files`). Text handles are UTF-8
    (with a BOM for Excel on request); `binary` gives a bytes handle (PDF, xlsx)."""
    from timebank.ledger.errors import InvalidInput, os_reason
    from timebank.ledger.files import private_output

    target = path.expanduser()
    try:
        with private_output(target, force=force, binary=binary,
                            encoding="utf-8-sig" if bom else "utf-8") as handle:
            yield handle
    except OSError as error:  # no such folder, the disk filled, the folder went away
        raise InvalidInput(_("Cannot write {path}: {reason}").format(path=target, reason=os_reason(error))) from None
