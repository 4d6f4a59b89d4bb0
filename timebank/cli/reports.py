"""Balances, statements and reports."""

from contextlib import contextmanager, redirect_stdout
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, Optional

import typer

from timebank.cli.app import (By, ExcelOption, ForceOption, Format, FormatOption, FromOption, MonthOption, ToOption,
                              interface, ledger, say, sub_app)
from timebank.cli.common import (CentreOption, MadeOption, SealOption, format_option, from_option, made_day,
                                 month_option, output_option, parse_range, to_option)
from timebank.i18n import N_, Words, _, ngettext

WithNames = Annotated[bool, typer.Option("--with-names", help=N_("Add members' names (never contact details)."))]


def balance(
    ctx: typer.Context,
    members: Annotated[Optional[list[str]], typer.Argument(
        help=N_("Member numbers or names (default: every active member)."), show_default=False)] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help=N_("Balance at the end of this date."))] = None,
    fmt: FormatOption = Format.table,
    centre: CentreOption = None,
) -> None:
    from timebank.ledger import queries
    from timebank.ledger.basics.dates import parse_date
    from timebank.render import emit, views

    day = parse_date(as_of, allow_future=True) if as_of is not None else None
    words = interface()
    rows = queries.balances(ledger(ctx), words.lang, members, day, centre)
    emit(views.balances(rows, day), fmt.value, words)


class StatementFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    pdf = "pdf"


# --format where a PDF may be asked for (statement, report period).
PdfFormatOption = Annotated[Optional[StatementFormat], format_option(
    N_("Output: table, csv, json or pdf (default: from --output's extension, else table)."), show_default=False)]


def output_format(fmt: "StatementFormat | None", output: Optional[Path]) -> str:
    """The format asked for: --format, else the output file's extension, else a table."""
    from timebank.ledger.errors import UsageProblem

    if output is None:
        if fmt == StatementFormat.pdf:
            raise UsageProblem(_("A PDF is written to a file: give --output FILE.pdf."))
        return (fmt or StatementFormat.table).value
    if fmt == StatementFormat.table:
        raise UsageProblem(_("A table is for the screen: with --output, use --format pdf, csv or json."))
    if fmt is not None:
        return fmt.value
    suffix = output.suffix.lower().lstrip(".")
    if suffix in ("pdf", "csv", "json"):
        return suffix
    raise UsageProblem(_("Cannot tell the format from the file name {path}: end it in .pdf, .csv or .json, or "
                         "give --format.").format(path=output))


def statement(
    ctx: typer.Context,
    member: Annotated[Optional[str], typer.Argument(
        help=N_("Member number or name (or --all for every member)."), show_default=False)] = None,
    all_members: Annotated[bool, typer.Option(
        "--all", help=N_("Every member's statement, each in the member's own language, in one PDF."))] = False,
    start: FromOption = None,
    end: ToOption = None,
    month: MonthOption = None,
    fmt: PdfFormatOption = None,
    output: Annotated[Optional[Path], output_option(
        N_("Write to this file (a .pdf prints the statement on A4 pages)."), show_default=False)] = None,
    without_notes: Annotated[bool, typer.Option(
        "--without-notes", help=N_("Leave out the notes of the exchanges."))] = False,
    large_print: Annotated[bool, typer.Option(
        "--large-print", help=N_("Print in large print (16 pt, RNIB's clear print); members who asked for it "
                                 "(member edit --large-print) always get it."))] = False,
    force: ForceOption = False,
    centre: Annotated[Optional[str], typer.Option(
        "--centre", metavar=N_("CODE"), show_default=False,
        help=N_("With --all: the statements of this centre's members only (its code, e.g. BLA)."))] = None,
) -> None:
    from timebank.ledger.errors import UsageProblem

    if member is not None and all_members:
        raise UsageProblem(_("Name one member or give --all, not both."))
    if member is None and not all_members:
        raise UsageProblem(_("Name a member, or give --all for every member's statement."))
    if all_members and output is None:
        raise UsageProblem(_("--all prints every member's statement into one PDF: give the file with "
                             "--output FILE.pdf."))
    chosen = output_format(fmt, output)
    if all_members and chosen != "pdf":
        raise UsageProblem(_("--all writes a PDF only: give --output FILE.pdf."))
    if centre is not None and not all_members:
        raise UsageProblem(_("--centre is for --all: the statements of a centre's members."))
    if large_print and chosen != "pdf":
        raise UsageProblem(_("--large-print is for a printed statement: give --output FILE.pdf."))
    first, last = parse_range(start, end, month)
    if all_members:
        assert output is not None
        _print_everyone(ctx, first, last, output, not without_notes, force, large_print, centre)
        return
    assert member is not None
    _one_statement(ctx, member, first, last, chosen, output, not without_notes, force, large_print)


def _one_statement(ctx: typer.Context, member: str, first: "date | None", last: "date | None", chosen: str,
                   output: Optional[Path], notes: bool, force: bool, large_print: bool = False) -> None:
    from timebank.ledger import queries
    from timebank.ledger.basics.names import message_name
    from timebank.render import emit, views

    # In the member's own language, unless the coordinator asked for one with --lang.
    asked = interface().lang if ctx.find_root().params.get("lang") is not None else None
    found = queries.statement(ledger(ctx), member, asked, first, last)
    words = interface() if asked is not None else Words(found.member.lang)
    result = found.statement
    if chosen == "pdf":
        assert output is not None
        pages = _write_pdf(output, found.printed, notes, lambda s: words, force=force, large_print=large_print)
        say(_("Wrote the statement of {name} ({pages}) to {path}.").format(
            name=interface().say(message_name(found.member)), pages=_pages(pages), path=output), err=True)
        return
    if output is None:
        emit(views.statement(result, notes), chosen, words)
        return
    from timebank.cli.common import write_file_atomically

    with write_file_atomically(output, force=force) as handle, redirect_stdout(handle):
        emit(views.statement(result, notes), chosen, words, out=handle)
    say(_("Wrote {path}.").format(path=output), err=True)


def _print_everyone(ctx: typer.Context, first: "date | None", last: "date | None", output: Path,
                    notes: bool, force: bool, large_print: bool = False, centre: str | None = None) -> None:
    from timebank.ledger import queries
    from timebank.ledger.errors import Refused

    words = interface()
    # Each statement in its member's language; the interface language orders them.
    printed = queries.statements(ledger(ctx), words.lang, first, last, centre)
    everyone = printed.statements
    if not everyone:
        raise Refused(_("Nobody was a member in that period: there are no statements to print."))
    languages = {lang: Words(lang) for lang in {s.lang for s in everyone}}
    pages = _write_pdf(output, printed, notes, lambda s: languages[s.lang], progress=True, force=force,
                       large_print=large_print)
    say(_("Wrote {statements} ({pages}) to {path}.").format(
        statements=ngettext("{count} statement", "{count} statements", len(everyone)).format(count=len(everyone)),
        pages=_pages(pages), path=output), err=True)


def _pages(count: int) -> str:
    return ngettext("{count} page", "{count} pages", count).format(count=count)


def _write_pdf(output: Path, printed: Any, notes: bool, words_for: Callable[[Any], Words], *,
               progress: bool = False, force: bool = False, large_print: bool = False) -> int:
    """Print the statements into one PDF, written whole or not at all, through the one
    writer of output files (an existing file only with `force`); returns its pages."""
    import sys

    from timebank.cli.common import write_file_atomically
    from timebank.render.printing import statements_pdf

    with write_file_atomically(output, binary=True, force=force) as handle:
        if progress and sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            from timebank.render.table import err_console

            count = len(printed.statements)
            with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                          TimeRemainingColumn(), console=err_console(), transient=True) as bar:
                task = bar.add_task(ngettext("Printing {count} statement", "Printing {count} statements",
                                             count).format(count=count), total=1.0)
                return statements_pdf(printed, notes, words_for, interface(), handle,
                                      progress=lambda done: bar.update(task, completed=done),
                                      large_print=large_print)
        return statements_pdf(printed, notes, words_for, interface(), handle, large_print=large_print)


def report_format(fmt: "StatementFormat | None", output: Optional[Path], excel: bool, *, pdf: bool) -> str:
    """The format of a report: --format, else --output's extension, else a table; --excel
    only for CSV, a PDF only where the report prints."""
    from timebank.ledger.errors import UsageProblem

    if fmt == StatementFormat.pdf and not pdf or (output is not None and fmt is None
                                                  and output.suffix.lower() == ".pdf" and not pdf):
        raise UsageProblem(_("This report is not printed: write it as csv or json."))
    if output is not None and fmt == StatementFormat.table and not pdf:
        raise UsageProblem(_("A table is for the screen: with --output, use --format csv or json."))
    chosen = output_format(fmt, output)
    if excel and chosen != "csv":
        raise UsageProblem(_("--excel is for CSV files (it starts the file with a UTF-8 BOM for Excel)."))
    return chosen


def write_report(result: Any, chosen: str, output: Optional[Path], excel: bool, force: bool = False) -> None:
    """A report on the screen, or written whole to a file (CSV rows end in CRLF there, as in
    every funder's file; --excel starts it with a BOM)."""
    import sys

    from timebank.render import emit

    words = interface()
    if output is None:
        if excel:
            sys.stdout.write("\ufeff")
        emit(result, chosen, words)
        return
    from timebank.cli.common import write_file_atomically

    with write_file_atomically(output, bom=excel, force=force) as handle, redirect_stdout(handle):
        emit(result, chosen, words, out=handle, crlf=chosen == "csv")
    say(_("Wrote {path}.").format(path=output), err=True)


ReportFormatOption = Annotated[Optional[StatementFormat], format_option(
    N_("Output: table, csv or json (default: from --output's extension, else table)."), show_default=False)]
ReportOutput = Annotated[Optional[Path], output_option(N_("Write to this file (.csv or .json)."), show_default=False)]


def monthly(
    ctx: typer.Context,
    month: Annotated[Optional[str], month_option(N_("The month (YYYY-MM)."))] = None,
    with_names: WithNames = False,
    fmt: ReportFormatOption = None,
    output: ReportOutput = None,
    excel: ExcelOption = False,
    force: ForceOption = False,
    seal: SealOption = None,
    made: MadeOption = None,
    centre: CentreOption = None,
) -> None:
    from timebank.ledger import queries
    from timebank.ledger.basics.dates import made_on, month_end, parse_month, report_end
    from timebank.render import views

    chosen_format = report_format(fmt, output, excel, pdf=False)
    day = made_day(made, seal)
    with made_on(day):
        chosen = parse_month(month) if month is not None else queries.last_complete_month()
        report_end(chosen, month_end(chosen))  # refuses a month that has not begun
    words = interface()
    with no_collections():
        report = queries.monthly(ledger(ctx), chosen, words.lang, seal=seal, made=day, centre=centre)
        write_report(views.monthly(report, with_names), chosen_format, output, excel, force)


@contextmanager
def no_collections() -> Iterator[None]:
    """Python's garbage collector held off while a report is made and drawn. A report of fifty
    thousand members makes a few million short-lived objects, and none is in a cycle: each
    allocation count reached started a collection, and each collection of the oldest
    generation walked every object of SQLAlchemy, Typer and Rich as well, to free nothing:
    0.6-0.8 s of the 2.1 s (CPU) of `report monthly --lang cy` on the 1M/50k bench ledger.
    What is garbage is freed by reference counting as ever."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def period(
    ctx: typer.Context,
    start: Annotated[str, from_option()],
    end: Annotated[str, to_option()],
    by: Annotated[By, typer.Option("--by", help=N_("month, quarter or year (of the financial year: the setting "
                                                   "year_start)."))] = By.month,
    fmt: PdfFormatOption = None,
    output: Annotated[Optional[Path], output_option(
        N_("Write to this file: .pdf prints a one-page summary for funders (A4), .csv or .json the figures."),
        show_default=False)] = None,
    excel: ExcelOption = False,
    force: ForceOption = False,
    seal: SealOption = None,
    made: MadeOption = None,
    changes_since: Annotated[Optional[str], typer.Option(
        "--changes-since", metavar=N_("SEAL"), help=N_(
            "List, for each period, every figure that changed since the figures printed with this seal, and the "
            "exchanges and members that changed it (the restatement a funder asks for)."), show_default=False)] = None,
    centre: CentreOption = None,
) -> None:
    from timebank.ledger import queries
    from timebank.render import figures

    chosen = report_format(fmt, output, excel, pdf=changes_since is None)
    first, last = parse_range(start, end)
    assert first is not None and last is not None
    if changes_since is not None:
        changes = queries.changes_since(ledger(ctx), first, last, by.value, changes_since, seal, centre)
        write_report(figures.restatement(changes), chosen, output, excel, force)
        return
    report = queries.period_report(ledger(ctx), first, last, by.value, seal, made_day(made, seal), centre)
    if chosen == "pdf":
        assert output is not None
        # Outcome scores are not part of the sealed history: a page made at a seal goes without them.
        outcomes = queries.outcomes(ledger(ctx), report.start, report.end, centre) if seal is None else None
        _period_pdf(report, output, force, outcomes, seal is not None)
        return
    write_report(figures.period(report), chosen, output, excel, force)


def outcomes(
    ctx: typer.Context,
    start: Annotated[str, from_option()],
    end: Annotated[str, to_option()],
    fmt: ReportFormatOption = None,
    output: ReportOutput = None,
    excel: ExcelOption = False,
    force: ForceOption = False,
    centre: CentreOption = None,
    with_names: Annotated[bool, typer.Option(
        "--with-names", hidden=True,
        help=N_("Refused: outcome figures never name members (scores are health data)."))] = False,
) -> None:
    from timebank.ledger import queries
    from timebank.ledger.errors import UsageProblem
    from timebank.render import views

    if with_names:
        # Scores are health data: the report gives figures of groups, never a person's.
        raise UsageProblem(_("Outcome figures never name members (their scores are health data): leave out "
                             "--with-names."))
    chosen = report_format(fmt, output, excel, pdf=False)
    first, last = parse_range(start, end)
    assert first is not None and last is not None
    write_report(views.outcomes(queries.outcomes(ledger(ctx), first, last, centre)), chosen, output, excel, force)


def _period_pdf(report: Any, output: Path, force: bool, outcomes: Any = None, sealed: bool = False) -> None:
    """The one-page summary, written whole or not at all."""
    from timebank.cli.common import write_file_atomically
    from timebank.render.printing import period_pdf

    printed, pages = period_pdf(report, interface(), outcomes, sealed)
    with write_file_atomically(output, binary=True, force=force) as handle:
        handle.write(printed)
    say(_("Wrote the report ({pages}) to {path}.").format(pages=_pages(pages), path=output), err=True)


def register(app: typer.Typer) -> None:
    app.command("balance", help=N_("Balances: of the members named, or of every active member."))(balance)
    app.command("statement", help=N_("A member's statement: opening balance, each exchange, closing balance; "
                                     "--output FILE.pdf prints it, --all prints every member's."))(statement)
    report_app = sub_app(N_("Monthly and period reports."))
    app.add_typer(report_app, name="report")
    report_app.command("monthly", help=N_("The monthly report (default: the last complete month)."))(monthly)
    report_app.command("period", help=N_("The figures funders ask for, for each month, quarter or year of a "
                                         "period and in total; --output FILE.pdf prints them on one page."))(period)
    report_app.command("outcomes", help=N_("For each outcome measure, the change in members' scores between their "
                                           "first and last score in the dates (mean, 95% confidence interval, "
                                           "meaningful improvements); withheld below the setting "
                                           "outcome_min_pairs."))(outcomes)
