"""Small pieces the commands share: the options many commands take, date ranges as typed,
and writing a file safely."""

from __future__ import annotations

from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from enum import Enum
from typing import (Annotated, Any, BinaryIO, Callable, Iterator, Literal, Optional, Sequence, TextIO, TypeVar,
                    overload)

import typer

from timebank.i18n import N_, _, say
from timebank.ledger.errors import Refused
from timebank.ledger.messages import Phrase


def parse_range(start: str | None, end: str | None, month: str | None = None) -> tuple[date | None, date | None]:
    """--from/--to (or --month) as dates; --from must not be after --to."""
    from timebank.ledger.basics.dates import check_range, month_end, parse_date, parse_month
    from timebank.ledger.errors import InvalidInput

    if month is not None:
        if start is not None or end is not None:
            raise InvalidInput(_("Give either --month or --from/--to, not both."))
        whole = parse_month(month)
        return whole, month_end(whole)
    first = parse_date(start, allow_future=True) if start is not None else None
    last = parse_date(end, allow_future=True) if end is not None else None
    check_range(first, last)
    return first, last


@overload
def write_file_atomically(path: Path, *, bom: bool = False, force: bool = False,
                          binary: Literal[False] = False) -> AbstractContextManager[TextIO]: ...
@overload
def write_file_atomically(path: Path, *, bom: bool = False, force: bool = False,
                          binary: Literal[True]) -> AbstractContextManager[BinaryIO]: ...
@contextmanager
def write_file_atomically(path: Path, *, bom: bool = False, force: bool = False,
                          binary: bool = False) -> Iterator[Any]:
    """The one way a command writes a file (`--output`): private (0600), never through a
    symbolic link or over a ledger or backup, over another existing file only with
    `force`, never at a name Windows keeps for a device, and whole or not at all (see
    `timebank.ledger.actions.output_file`). Text handles are UTF-8 (with a BOM for Excel on request);
    `binary` gives a bytes handle (PDF, xlsx)."""
    from timebank.i18n import os_reason
    from timebank.ledger.errors import InvalidInput
    from timebank.ledger.actions import output_file
    from timebank.ledger.queries import shown

    target = path.expanduser()
    try:
        with output_file(target, force=force, binary=binary,
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


T = TypeVar("T")


def ask(label: str, check: Callable[[str], T], *, optional: bool = False,
        completions: Sequence[str] = ()) -> T | None:
    """Ask at a terminal for a missing value (`label`: capitalised words, without the colon)
    until `check` accepts the answer: a refusal is said in its one line and the question
    asked again, so that one slip does not end the command. An empty answer gives None when
    the value is `optional` (its default then applies), else gives up, as does Ctrl-D.
    `completions`: what Tab completes to."""
    from timebank.ledger.errors import TimebankError, UsageProblem
    from timebank.cli.streams import say as said
    from timebank.i18n import tell

    while True:
        with _completing(completions):
            try:
                answer = input(f"{label}: ").strip()
            except EOFError:
                answer = None
        if answer is None or (not answer and not optional):
            raise UsageProblem(_("Nothing was given: nothing was changed."))
        if not answer:
            return None
        try:
            return check(answer)
        except TimebankError as error:
            said(tell(error), err=True)


def asked(label: str) -> str:
    """A required value asked for at a terminal with nothing to check it by here (the command
    checks it)."""
    answer = ask(label, str)
    assert answer is not None  # not optional: an empty answer gave up
    return answer


@contextmanager
def _completing(words: Sequence[str]) -> Iterator[None]:
    """Tab completes to `words` while one question is asked, where the terminal's line editor
    (readline) is there to do it; elsewhere the question is asked just the same."""
    if not words:
        yield
        return
    try:
        import readline
    except ImportError:  # Windows: no line editor in the standard library
        yield
        return
    choices = sorted(words)

    def complete(text: str, state: int) -> str | None:
        matches = [word for word in choices if word.startswith(text.lower())]
        return matches[state] if state < len(matches) else None

    previous = readline.get_completer()
    readline.set_completer(complete)
    # macOS builds Python's readline on libedit, which binds keys in its own words.
    readline.parse_and_bind("bind ^I rl_complete" if "libedit" in (readline.__doc__ or "")
                            else "tab: complete")
    try:
        yield
    finally:
        readline.set_completer(previous)


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


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


# The options many commands share, declared once. Each factory gives a fresh `typer.Option`
# (Typer keeps per-parameter state in it); a command whose option says something of its own
# passes its help text, every other detail (names, short name, defaults shown) stays the same.
# Help texts are message ids (`N_`), translated when the command tree is built.

def format_option(help_text: str = N_("Output: table, csv or json."), *, show_default: bool = True) -> Any:
    """`--format`/`-f`."""
    return typer.Option("--format", "-f", help=help_text, show_default=show_default)


def output_option(help_text: str = N_("Write to this file instead of the screen."), *,
                  show_default: bool = True) -> Any:
    """`--output`/`-o`: a file written with `write_file_atomically`."""
    return typer.Option("--output", "-o", help=help_text, show_default=show_default)


def excel_option(help_text: str = N_("Start a CSV with a UTF-8 BOM for Excel.")) -> Any:
    """`--excel`: a byte-order mark first, so that Excel reads the CSV as UTF-8."""
    return typer.Option("--excel", help=help_text)


def force_option(help_text: str = N_("Replace the output file if it exists (never a ledger or a backup).")) -> Any:
    """`--force`, beside every `--output`: an existing file is replaced only when asked."""
    return typer.Option("--force", help=help_text)


def from_option() -> Any:
    """`--from`: the first day of a range."""
    return typer.Option("--from", help=N_("From this date."), show_default=False)


def to_option() -> Any:
    """`--to`: the last day of a range."""
    return typer.Option("--to", help=N_("To this date."), show_default=False)


def month_option(help_text: str = N_("Only this month (YYYY-MM).")) -> Any:
    """`--month`: a whole month, instead of `--from`/`--to` (see `parse_range`)."""
    return typer.Option("--month", help=help_text)


FormatOption = Annotated[Format, format_option()]
OutputOption = Annotated[Optional[Path], output_option()]
ExcelOption = Annotated[bool, excel_option()]
ForceOption = Annotated[bool, force_option()]
FromOption = Annotated[Optional[str], from_option()]
ToOption = Annotated[Optional[str], to_option()]
MonthOption = Annotated[Optional[str], month_option()]


def seal_option() -> Any:
    return typer.Option("--seal", metavar=N_("SEAL"), help=N_(
        "Make the figures from the history as it stood at this seal (as printed with them, e.g. "
        "'#1532 3f9a2b71c0de55c2'): the same figures, whatever was recorded, voided or changed since."),
        show_default=False)


SealOption = Annotated[Optional[str], seal_option()]


def made_option() -> Any:
    return typer.Option("--made", help=N_(
        "With --seal: the day the figures were first made, as printed with them ('made'): a span that "
        "reached up to that day is cut there again, so the figures come back exactly as they were."),
        show_default=False)


MadeOption = Annotated[Optional[str], made_option()]


def made_day(made: str | None, seal: str | None) -> date | None:
    """The --made day, which only a report made again at a seal can take."""
    from timebank.ledger.basics.dates import parse_date
    from timebank.ledger.errors import UsageProblem

    if made is None:
        return None
    if seal is None:
        raise UsageProblem(_("--made goes with --seal: it is the day figures made from a sealed history were "
                             "first made."))
    return parse_date(made)


# A network's centres: a report or export for one centre (`centre add` makes them).
CentreOption = Annotated[Optional[str], typer.Option(
    "--centre", metavar=N_("CODE"), show_default=False,
    help=N_("Only this centre's figures: its members, and every exchange one of them took part in (the centre's "
            "code, e.g. BLA)."))]
