"""File commands: funder exports, spreadsheet imports, the accounting journal."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import MAX_NUMBER, By, ByOption, ForceOption, FromOption, ToOption, interface, ledger, say, user
from timebank.i18n import N_, _, ngettext

OutputOption = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help=N_("Write to this file instead of the screen."))]


class JournalFormat(str, Enum):
    hledger = "hledger"
    beancount = "beancount"


class ExportKind(str, Enum):
    exchanges = "exchanges"
    members = "members"
    summary = "summary"
    areas = "areas"


class ImportKind(str, Enum):
    members = "members"
    exchanges = "exchanges"


def journal(
    ctx: typer.Context,
    fmt: Annotated[JournalFormat, typer.Option("--format", "-f", help=N_("hledger or beancount."))] = JournalFormat.hledger,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    from timebank.io.journal import write_journal
    from timebank.ledger.db import reading

    with reading(ledger(ctx)) as session:
        if output is None:
            write_journal(session, sys.stdout, fmt.value)
            return
        from timebank.cli.common import write_file_atomically

        with write_file_atomically(output, force=force) as handle:
            count = write_journal(session, handle, fmt.value)
    say(ngettext("Wrote {count} transaction to {path}.", "Wrote {count} transactions to {path}.",
                 count).format(count=count, path=output), err=True)


def export(
    ctx: typer.Context,
    kind: Annotated[ExportKind, typer.Argument(help=N_("exchanges, members, summary or areas."), show_default=False)],
    start: FromOption = None,
    end: ToOption = None,
    output: OutputOption = None,
    excel: Annotated[bool, typer.Option("--excel", help=N_("Start the file with a UTF-8 BOM for Excel."))] = False,
    with_names: Annotated[bool, typer.Option(
        "--with-names", help=N_("Add members' names (never contact details)."))] = False,
    by: Annotated[By, typer.Option("--by", help=N_("summary: month or quarter."))] = By.month,
    min_count: Annotated[int, typer.Option(
        "--min-count", min=1, max=MAX_NUMBER, help=N_("areas: blank any count below this."))] = 5,
    force: ForceOption = False,
) -> None:
    from timebank.cli.common import parse_range
    from timebank.ledger.db import reading
    from timebank.render import exports

    first, last = parse_range(start, end)
    words = interface()
    with reading(ledger(ctx)) as session:
        if kind == ExportKind.exchanges:
            from timebank.ledger.exchanges import iter_pairs, names_by_number

            sheet = exports.exchanges(iter_pairs(session, first, last),
                                      names_by_number(session) if with_names else None, words)
        elif kind == ExportKind.members:
            from timebank.ledger.figures import members_by_number

            sheet = exports.members(members_by_number(session, last), with_names)
        elif kind == ExportKind.summary:
            from timebank.ledger import settings as settings_module
            from timebank.ledger.categories import list_categories
            from timebank.ledger.dates import report_end, today
            from timebank.ledger.exchanges import first_exchange_date
            from timebank.ledger.reports import period_report

            span_start = first or first_exchange_date(session) or today()
            lines, total = period_report(session, span_start, report_end(span_start, last or today()), by.value)
            sheet = exports.summary(lines, total, [c.code for c in list_categories(session)],
                                    settings_module.load(session).hour_value)
        else:
            from timebank.ledger.figures import areas

            sheet = exports.areas(areas(session, first, last, min_count))
        count = write_sheet(sheet, output, excel, tuples=kind == ExportKind.exchanges, force=force)
    if output is not None:
        say(ngettext("Wrote {count} row to {path}.", "Wrote {count} rows to {path}.", count).format(
            count=count, path=output), err=True)


def write_sheet(sheet, output: Optional[Path], excel: bool, *, tuples: bool = False,  # type: ignore[no-untyped-def]
                force: bool = False) -> int:
    """A funder's CSV (CRLF rows, a BOM for Excel on request), to a file or the screen."""
    from timebank.cli.common import write_file_atomically
    from timebank.render.csvfile import write_csv

    if output is None:
        if excel:
            sys.stdout.write("\ufeff")
        return write_csv(sheet, sys.stdout, interface(), crlf=True, tuples=tuples)
    with write_file_atomically(output, bom=excel, force=force) as handle:
        return write_csv(sheet, handle, interface(), crlf=True, tuples=tuples)


def import_(
    ctx: typer.Context,
    kind: Annotated[ImportKind, typer.Argument(help=N_("members or exchanges."), show_default=False)],
    file: Annotated[Path, typer.Argument(help=N_("The CSV file."), show_default=False)],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help=N_("Check every row and say what would happen, writing nothing."))] = False,
    again: Annotated[bool, typer.Option("--again", help=N_("Import a file that was imported before."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.io.imports import ImportRejected, import_file
    from timebank.ledger.errors import Refused

    who = user(by)
    with _progress() as progress:
        try:
            result = import_file(ledger(ctx), who, kind.value, file, dry_run=dry_run, again=again, progress=progress)
        except ImportRejected as rejected:
            progress(0, 0)
            for line in rejected.message.splitlines():
                say(line, err=True)
            raise Refused(ngettext("{count} row is bad: nothing was imported.",
                                   "{count} rows are bad: nothing was imported.",
                                   len(rejected.errors)).format(count=len(rejected.errors))) from None
    if result.dry_run:
        message = ngettext("Dry run: {rows} row is good; {created} would be added. Nothing was written.",
                           "Dry run: {rows} rows are good; {created} would be added. Nothing was written.",
                           result.rows)
    else:
        message = ngettext("Imported {rows} row: {created} added.", "Imported {rows} rows: {created} added.",
                           result.rows)
    say(message.format(rows=result.rows, created=result.created))


class _progress:
    """A Rich progress bar on stderr for large files (the import reports bytes read)."""

    THRESHOLD = 256 * 1024  # bytes: about six thousand rows of exchanges

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = None
        self.task = None
        self.shown = 0
        return self

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            self.__exit__(None, None, None)
            return
        if self.bar is None:
            if total < self.THRESHOLD:
                return
            from rich.progress import Progress

            from timebank.render.table import err_console

            self.bar = Progress(console=err_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("Importing"), total=total)
        if done - self.shown >= total // 500 or done == total:
            self.shown = done
            self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def register(app: typer.Typer) -> None:
    app.command("journal", help=N_("The whole ledger as an hledger or beancount journal (commodity HRS)."))(journal)
    app.command("export", help=N_("CSV for funders: exchanges, members, summary or areas."))(export)
    app.command("import", help=N_("Import members or exchanges from a spreadsheet saved as CSV."))(import_)
