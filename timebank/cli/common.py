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
def write_file_atomically(path: Path, *, bom: bool = False) -> Iterator[IO[str]]:
    """Write beside the target and rename at the end, so a failure never leaves half a file."""
    from timebank.ledger import filesystem
    from timebank.ledger.errors import InvalidInput, os_reason
    from timebank.ledger.location import refuse_device_name, shown

    target = path.expanduser()
    refuse_device_name(target)  # CON, NUL.csv ...: a device on Windows, never a file
    try:
        is_folder = target.is_dir()
    except OSError as error:  # a name too long, a folder we may not look into
        raise InvalidInput(_("Cannot write {path}: {reason}").format(
            path=shown(target), reason=os_reason(error))) from None
    if is_folder:
        raise InvalidInput(_("{path} is a folder.").format(path=target))
    temporary = target.with_name(f".{target.name}.partial")
    try:
        handle = temporary.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
    except OSError as error:
        raise InvalidInput(_("Cannot write {path}: {reason}").format(
            path=shown(target), reason=os_reason(error))) from None
    try:
        with handle:
            yield handle
        filesystem.replace(temporary, target)
    except OSError as error:  # the disk filled, or the folder went away, while writing
        temporary.unlink(missing_ok=True)
        raise InvalidInput(_("Cannot write {path}: {reason}").format(path=target, reason=os_reason(error))) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
