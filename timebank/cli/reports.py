"""Balances, statements and reports."""

from typing import Annotated, Optional

import typer

from timebank.cli.app import (By, Format, FormatOption, FromOption, MemberArgument, MonthOption, ToOption,
                              interface, ledger, sub_app)
from timebank.cli.common import parse_range
from timebank.i18n import N_, Words

WithNames = Annotated[bool, typer.Option("--with-names", help=N_("Add members' names (never contact details)."))]


def balance(
    ctx: typer.Context,
    members: Annotated[Optional[list[str]], typer.Argument(
        help=N_("Member numbers or names (default: every active member)."), show_default=False)] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help=N_("Balance at the end of this date."))] = None,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger.balances import balances
    from timebank.ledger.dates import parse_date
    from timebank.ledger.db import reading
    from timebank.ledger.members import find_member
    from timebank.render import emit, views

    day = parse_date(as_of, allow_future=True) if as_of is not None else None
    words = interface()
    with reading(ledger(ctx)) as session:
        chosen = [find_member(session, m) for m in members] if members else None
        rows = balances(session, words.lang, chosen, day)
    emit(views.balances(rows, day), fmt.value, words)


def statement(
    ctx: typer.Context,
    member: MemberArgument,
    start: FromOption = None,
    end: ToOption = None,
    month: MonthOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger.db import reading
    from timebank.ledger.members import find_member
    from timebank.ledger.statements import statement as build_statement
    from timebank.render import emit, views

    first, last = parse_range(start, end, month)
    with reading(ledger(ctx)) as session:
        m = find_member(session, member)
        # In the member's own language, unless the coordinator asked for one with --lang.
        words = interface() if ctx.find_root().params.get("lang") is not None else Words(m.lang)
        result = build_statement(session, m, words.lang, first, last)
    emit(views.statement(result), fmt.value, words)


def monthly(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Option("--month", help=N_("The month (YYYY-MM)."))] = None,
    with_names: WithNames = False,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger.dates import month_end, parse_month, report_end
    from timebank.ledger.reports import last_complete_month

    from timebank.ledger.reports import read_monthly
    from timebank.render import emit, views

    chosen = parse_month(month) if month is not None else last_complete_month()
    report_end(chosen, month_end(chosen))  # refuses a month that has not begun
    words = interface()
    emit(views.monthly(read_monthly(ledger(ctx), chosen, words.lang), with_names), fmt.value, words)


def period(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help=N_("From this date."), show_default=False)],
    end: Annotated[str, typer.Option("--to", help=N_("To this date."), show_default=False)],
    by: Annotated[By, typer.Option("--by", help=N_("month or quarter."))] = By.month,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger.dates import report_end
    from timebank.ledger.db import reading
    from timebank.ledger.reports import period_report
    from timebank.render import emit, views

    first, last = parse_range(start, end)
    assert first is not None and last is not None
    last = report_end(first, last)
    with reading(ledger(ctx)) as session:
        lines, total = period_report(session, first, last, by.value)
    emit(views.period(lines, total, first, last), fmt.value, interface())


def register(app: typer.Typer) -> None:
    app.command("balance", help=N_("Balances: of the members named, or of every active member."))(balance)
    app.command("statement", help=N_("A member's statement: opening balance, each exchange, closing balance."))(
        statement)
    report_app = sub_app(N_("Monthly and period reports."))
    app.add_typer(report_app, name="report")
    report_app.command("monthly", help=N_("The monthly report (default: the last complete month)."))(monthly)
    report_app.command("period", help=N_("The report's figures for each month or quarter of a period, and in "
                                         "total."))(period)
