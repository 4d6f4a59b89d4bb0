"""File commands: funder exports, spreadsheet imports, the accounting journal."""


import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import MAX_NUMBER, By, by_option, state
from timebank.i18n import _, ngettext


class JournalFormat(str, Enum):
    hledger = "hledger"
    beancount = "beancount"


def register(app: typer.Typer) -> None:
    register_files(app)

    @app.command("journal", help=_("The whole ledger as an hledger or beancount journal (commodity HRS)."))
    def journal(
        ctx: typer.Context,
        fmt: Annotated[JournalFormat, typer.Option("--format", "-f", help=_("hledger or beancount."))] = JournalFormat.hledger,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help=_("Write to this file instead of the screen."))] = None,
    ) -> None:
        from timebank.io.journal import write_journal
        from timebank.ledger.db import reading

        with reading(state(ctx).ledger()) as session:
            if output is None:
                write_journal(session, sys.stdout, fmt.value)
                return
            from timebank.cli.common import write_file_atomically

            with write_file_atomically(output) as handle:
                count = write_journal(session, handle, fmt.value)
        typer.echo(ngettext("Wrote {count} transaction to {path}.", "Wrote {count} transactions to {path}.",
                            count).format(count=count, path=output), err=True)


class ExportKind(str, Enum):
    exchanges = "exchanges"
    members = "members"
    summary = "summary"
    areas = "areas"


class ImportKind(str, Enum):
    members = "members"
    exchanges = "exchanges"


def register_files(app: typer.Typer) -> None:
    @app.command("export", help=_("CSV for funders: exchanges, members, summary or areas."))
    def export(
        ctx: typer.Context,
        kind: Annotated[ExportKind, typer.Argument(help=_("exchanges, members, summary or areas."),
                                                   show_default=False)],
        start: Annotated[Optional[str], typer.Option("--from", help=_("From this date."))] = None,
        end: Annotated[Optional[str], typer.Option("--to", help=_("To this date."))] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help=_("Write to this file instead of the screen."))] = None,
        excel: Annotated[bool, typer.Option("--excel", help=_("Start the file with a UTF-8 BOM for Excel."))] = False,
        with_names: Annotated[bool, typer.Option("--with-names", help=_("Add members' names (never contact details)."))] = False,
        by: Annotated[By, typer.Option("--by", help=_("summary: month or quarter."))] = By.month,
        min_count: Annotated[int, typer.Option("--min-count", min=1, max=MAX_NUMBER, help=_("areas: blank any count below this."))] = 5,
    ) -> None:
        from timebank.cli.common import parse_range, write_file_atomically
        from timebank.io import exports
        from timebank.ledger import settings as settings_module
        from timebank.ledger.dates import report_end, today
        from timebank.ledger.db import reading

        first, last = parse_range(start, end)
        with reading(state(ctx).ledger()) as session:
            if kind == ExportKind.exchanges:
                sheet = exports.exchanges_sheet(session, first, last, with_names)
            elif kind == ExportKind.members:
                sheet = exports.members_sheet(session, with_names, last)
            elif kind == ExportKind.summary:
                from timebank.ledger.exchanges import first_exchange_date

                settings = settings_module.load(session)
                span_start = first or first_exchange_date(session) or today()
                sheet = exports.summary_sheet(session, settings, span_start, report_end(span_start, last or today()),
                                              by.value)
            else:
                sheet = exports.areas_sheet(session, first, last, min_count)
            if output is None:
                if excel:
                    sys.stdout.write("\ufeff")
                exports.write_sheet(sheet, sys.stdout)
                return
            with write_file_atomically(output, bom=excel) as handle:
                count = exports.write_sheet(sheet, handle)
        typer.echo(ngettext("Wrote {count} row to {path}.", "Wrote {count} rows to {path}.", count).format(
            count=count, path=output), err=True)

    @app.command("import", help=_("Import members or exchanges from a spreadsheet saved as CSV."))
    def import_(
        ctx: typer.Context,
        kind: Annotated[ImportKind, typer.Argument(help=_("members or exchanges."), show_default=False)],
        file: Annotated[Path, typer.Argument(help=_("The CSV file."), show_default=False)],
        dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Check every row and say what would happen, writing nothing."))] = False,
        again: Annotated[bool, typer.Option("--again", help=_("Import a file that was imported before."))] = False,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.io.imports import DryRunDone, ImportRejected, import_exchanges, import_members
        from timebank.ledger import settings as settings_module
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing
        from timebank.ledger.errors import Refused

        run_import = import_members if kind == ImportKind.members else import_exchanges
        who = current_user(by)
        with _progress() as progress:
            try:
                with writing(state(ctx).ledger()) as session:
                    result = run_import(session, who, settings_module.load(session), file, dry_run=dry_run,
                                        again=again, progress=progress)
            except DryRunDone as done:
                result = done.result  # type: ignore[attr-defined]
            except ImportRejected as rejected:
                progress(0, 0)
                for line in rejected.message.splitlines():
                    typer.echo(line, err=True)
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
        typer.echo(message.format(rows=result.rows, created=result.created))


class _progress:
    """A Rich progress bar on stderr, shown only for files of a few thousand rows or more."""

    THRESHOLD = 3000

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = None
        self.task = None
        return self

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            self.__exit__(None, None, None)
            return
        if self.bar is None:
            if total < self.THRESHOLD * 2:
                return
            from rich.progress import Progress

            from timebank.render import err_console

            self.bar = Progress(console=err_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("Importing"), total=total)
        if done % 500 == 0 or done == total:
            self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
