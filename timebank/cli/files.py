"""File commands: funder exports, spreadsheet imports, the accounting journal."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer

from timebank.cli.app import (MAX_NUMBER, By, ByOption, ForceOption, FromOption, OutputOption, ToOption, interface,
                              ledger, say, user)
from timebank.cli.common import CentreOption, MadeOption, SealOption, excel_option, format_option, made_day
from timebank.i18n import N_, _, ngettext, tell


class JournalFormat(str, Enum):
    hledger = "hledger"
    beancount = "beancount"


class ExportKind(str, Enum):
    exchanges = "exchanges"
    members = "members"
    summary = "summary"
    areas = "areas"
    workbook = "workbook"


DEFAULT_MIN_COUNT = 5  # as `timebank.ui.files.MIN_COUNT`


class ImportKind(str, Enum):
    members = "members"
    exchanges = "exchanges"
    timeoverflow = "timeoverflow"


class Rounding(str, Enum):
    """How a TimeOverflow import makes seconds whole minutes (timebank.io.timeoverflow's
    NEAREST and DOWN)."""

    nearest = "nearest"
    down = "down"


def journal(
    ctx: typer.Context,
    fmt: Annotated[JournalFormat, format_option(N_("hledger or beancount."))] = JournalFormat.hledger,
    output: OutputOption = None,
    force: ForceOption = False,
    centre: CentreOption = None,
) -> None:
    from timebank.io.journal import read_journal

    if output is None:
        read_journal(ledger(ctx), sys.stdout, fmt.value, centre)
        return
    from timebank.cli.common import write_file_atomically

    the_ledger = ledger(ctx)  # opened (and any refusal given) before the file is begun
    with write_file_atomically(output, force=force) as handle:
        count = read_journal(the_ledger, handle, fmt.value, centre)
    say(ngettext("Wrote {count} transaction to {path}.", "Wrote {count} transactions to {path}.",
                 count).format(count=count, path=output), err=True)


def export(
    ctx: typer.Context,
    kind: Annotated[ExportKind, typer.Argument(help=N_("exchanges, members, summary, areas or workbook."),
                                               show_default=False)],
    start: FromOption = None,
    end: ToOption = None,
    output: OutputOption = None,
    excel: Annotated[bool, excel_option(N_("Start the file with a UTF-8 BOM for Excel."))] = False,
    with_names: Annotated[bool, typer.Option(
        "--with-names", help=N_("Add members' names (never contact details)."))] = False,
    by: Annotated[By, typer.Option("--by", help=N_("summary and workbook: month, quarter or year (of the financial "
                                                   "year: the setting year_start)."))] = By.month,
    min_count: Annotated[Optional[int], typer.Option(
        "--min-count", min=1, max=MAX_NUMBER, show_default=False,
        help=N_("areas and workbook: blank any count below this (default 5); members: give an area only where at "
                "least this many members share it (default 5; with --with-names, every area)."))] = None,
    force: ForceOption = False,
    include_void: Annotated[bool, typer.Option(
        "--include-void", help=N_("exchanges: voided exchanges and their reversals too, with a status column."))
    ] = False,
    seal: SealOption = None,
    made: MadeOption = None,
    centre: CentreOption = None,
) -> None:
    from timebank.cli.common import parse_range
    from timebank.ledger import queries
    from timebank.ledger.errors import UsageProblem
    from timebank.render import exports

    if seal is not None and kind not in (ExportKind.summary, ExportKind.workbook):
        raise UsageProblem(_("--seal is for the summary and the workbook: the figures a funder is sent."))
    if include_void and kind != ExportKind.exchanges:
        raise UsageProblem(_("--include-void is for export exchanges."))
    if kind == ExportKind.workbook:
        _check_workbook(output, excel, with_names)
    first, last = parse_range(start, end)
    # A file with names already tells who each member is: it is the bank's own list (and
    # moves a ledger), so its areas are given in full unless a minimum is asked for.
    members_floor = min_count if min_count is not None else 1 if with_names else DEFAULT_MIN_COUNT
    min_count = min_count if min_count is not None else DEFAULT_MIN_COUNT
    day = made_day(made, seal)
    words = interface()
    if kind == ExportKind.workbook:
        assert output is not None
        _write_workbook(queries.funder_pack(ledger(ctx), first, last, by.value, min_count, seal, day, centre),
                        output, force)
        return
    if kind == ExportKind.exchanges:
        # A million pairs stream from one query into the file: the snapshot stays open meanwhile.
        with queries.exchange_pairs(ledger(ctx), first, last, with_names, include_void, centre) as found:
            pairs = exports.exchanges(found.pairs, found.names, found.categories, words, include_void)
            count = write_sheet(pairs, output, excel, force=force)
    else:
        if kind == ExportKind.summary:
            sheet = exports.summary(queries.summary(ledger(ctx), first, last, by.value, seal, day, centre))
        elif kind == ExportKind.members:
            sheet = exports.members(queries.members_for_funders(ledger(ctx), last, members_floor, centre), with_names)
        else:
            sheet = exports.areas(queries.areas(ledger(ctx), first, last, min_count, centre))
        count = write_sheet(sheet, output, excel, force=force)
    if output is not None:
        say(ngettext("Wrote {count} row to {path}.", "Wrote {count} rows to {path}.", count).format(
            count=count, path=output), err=True)


def _check_workbook(output: Optional[Path], excel: bool, with_names: bool) -> None:
    from timebank.ledger.errors import UsageProblem

    if output is None:
        raise UsageProblem(_("A workbook is written to a file: give --output FILE.xlsx."))
    if output.suffix.lower() != ".xlsx":
        raise UsageProblem(_("A workbook's file name ends in .xlsx: {path}").format(path=output))
    if excel:
        raise UsageProblem(_("--excel is for CSV files; a workbook opens in Excel as it is."))
    if with_names:
        raise UsageProblem(_("A workbook never holds members' names or contact details: leave out --with-names."))


def _write_workbook(pack, output: Path, force: bool) -> None:
    """The funder's workbook, written whole or not at all."""
    from timebank.cli.common import write_file_atomically
    from timebank.render.printing import workbook

    with write_file_atomically(output, binary=True, force=force) as handle:
        sheets = workbook(pack, interface(), handle)
    say(ngettext("Wrote a workbook of {count} sheet to {path}.", "Wrote a workbook of {count} sheets to {path}.",
            sheets).format(count=sheets, path=output), err=True)


def write_sheet(sheet, output: Optional[Path], excel: bool, *, force: bool = False) -> int:
    """A funder's CSV (CRLF rows, a BOM for Excel on request), to a file or the screen."""
    from timebank.cli.common import write_file_atomically
    from timebank.render.csvfile import write_csv

    if output is None:
        if excel:
            sys.stdout.write("\ufeff")
        return write_csv(sheet, sys.stdout, interface(), crlf=True)
    with write_file_atomically(output, bom=excel, force=force) as handle:
        return write_csv(sheet, handle, interface(), crlf=True)


def import_(
    ctx: typer.Context,
    kind: Annotated[ImportKind, typer.Argument(help=N_("members, exchanges or timeoverflow."), show_default=False)],
    file: Annotated[list[Path], typer.Argument(
        help=N_("The CSV file; for timeoverflow, the zip of its exports or its CSV files."), show_default=False)],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=N_("Check every row and say what would happen, writing nothing."))] = False,
    again: Annotated[bool, typer.Option("--again", help=N_("Import a file that was imported before."))] = False,
    opening_balances: Annotated[bool, typer.Option(
        "--opening-balances", help=N_("timeoverflow: record balances the transfers do not explain as opening "
                                      "exchanges with the pot."))] = False,
    round_: Annotated[Optional[Rounding], typer.Option(
        "--round", help=N_("timeoverflow: how amounts and balances that are not whole minutes are rounded: nearest "
                           "(the default) to the nearest minute, or down, dropping the seconds as TimeOverflow shows "
                           "them."), show_default=False)] = None,
    centre: Annotated[Optional[str], typer.Option(
        "--centre", metavar=N_("CODE"), show_default=False,
        help=N_("members: their home centre; exchanges: the centre they were recorded at (its code, e.g. BLA)."))
    ] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger.errors import UsageProblem

    if kind == ImportKind.timeoverflow and centre is not None:
        raise UsageProblem(_("--centre is for 'import members' and 'import exchanges' only."))
    if kind == ImportKind.timeoverflow:
        if again:
            raise UsageProblem(_("--again is not for a TimeOverflow import: a bank moves into a new ledger once."))
        _import_timeoverflow(ctx, file, dry_run=dry_run, opening_balances=opening_balances,
                             round_=(round_ or Rounding.nearest).value, by=by)
        return
    if opening_balances or round_ is not None:
        raise UsageProblem(_("--opening-balances and --round are for 'import timeoverflow' only."))
    if len(file) != 1:
        raise UsageProblem(_("'import {kind}' takes one CSV file.").format(kind=kind.value))
    from timebank.io.imports import import_file

    who = user(by)
    with _progress() as progress:
        with _listing_bad_rows(progress):
            result = import_file(ledger(ctx), who, kind.value, file[0], dry_run=dry_run, again=again,
                                 progress=progress, centre=centre)
    if result.dry_run:
        message = ngettext("Dry run: {rows} row is good; {created} would be added. Nothing was written.",
                           "Dry run: {rows} rows are good; {created} would be added. Nothing was written.",
                           result.rows)
    else:
        message = ngettext("Imported {rows} row: {created} added.", "Imported {rows} rows: {created} added.",
                           result.rows)
    say(message.format(rows=result.rows, created=result.created))


class _listing_bad_rows:
    """Every bad row on stderr, one a line, then one refusal that counts them."""

    def __init__(self, progress: "_progress") -> None:
        self.progress = progress

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, trace: object) -> Literal[False]:
        from timebank.io.imports import ImportRejected
        from timebank.ledger.errors import Refused

        if not isinstance(error, ImportRejected):
            return False
        self.progress(0, 0)
        for line in tell(error).splitlines():
            say(line, err=True)
        raise Refused(ngettext("{count} row is bad: nothing was imported.",
                               "{count} rows are bad: nothing was imported.",
                               len(error.errors)).format(count=len(error.errors))) from None


def _import_timeoverflow(ctx: typer.Context, files: list[Path], *, dry_run: bool, opening_balances: bool,
                         round_: str, by: Optional[str]) -> None:
    """A whole bank from TimeOverflow's exports (or its admin files) into a new ledger."""
    import contextlib

    from timebank.io.moving_in import BalancesDiffer, import_timeoverflow
    from timebank.render import emit, moving_in

    who = user(by)
    with _progress(_progress.ROWS) as progress:
        with _listing_bad_rows(progress):
            try:
                result = import_timeoverflow(ledger(ctx), who, files, dry_run=dry_run,
                                             opening_balances=opening_balances, round_=round_, progress=progress)
            except BalancesDiffer as differ:
                progress(0, 0)
                # The table belongs with the refusal, on stderr (stdout may be a file).
                with contextlib.redirect_stdout(sys.stderr):
                    emit(moving_in.differences(differ.differences), "table", interface())
                raise
    emit(moving_in.moved_in(result), "table", interface())


class _progress:
    """A Rich progress bar on stderr, shown only for large work, and only at a terminal. A CSV
    import reports bytes read; a TimeOverflow import reports rows."""

    BYTES = 256 * 1024  # about six thousand rows of exchanges
    ROWS = 6000

    def __init__(self, threshold: int = BYTES) -> None:
        self.threshold = threshold

    def __enter__(self):
        self.bar = None
        self.task: Any = None  # Rich's TaskID once the bar is shown
        self.piped = False
        self.last = 0
        return self

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            self.__exit__(None, None, None)
            return
        if self.bar is None:
            if total < self.threshold or self.piped:
                return
            from rich.progress import Progress

            from timebank.render.table import err_console

            console = err_console()
            if not console.is_terminal:
                # Piped or redirected: a bar is noise in a log (Rich would still end it with a blank line).
                self.piped = True
                return
            self.bar = Progress(console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("Importing"), total=total)
        # Every 1/500 of the total or more (batches jump past exact multiples), and at the end.
        # The total may grow as work is found (a TimeOverflow import reads, then writes).
        if abs(done - self.last) >= max(total // 500, 1) or done == total:
            self.last = done
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def register(app: typer.Typer) -> None:
    app.command("journal", help=N_("The whole ledger as an hledger or beancount journal (commodity HRS)."))(journal)
    app.command("export", help=N_("Files for funders: exchanges, members, summary or areas as CSV; workbook as "
                                  "an .xlsx workbook."))(export)
    app.command("import", help=N_("Import members or exchanges from a spreadsheet saved as CSV, or a whole time "
                                  "bank from TimeOverflow."))(import_)
