"""Balances, statements and reports."""


from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from timebank.cli.app import By, Format, format_option, state
from timebank.cli.common import hours, parse_range, shown_text, signed_hours
from timebank.i18n import _, format_date, format_month, format_month_short, ngettext, using_language

if TYPE_CHECKING:
    from timebank.ledger.db import Ledger
    from timebank.ledger.reports import MonthlyReport


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help=_("Monthly and period reports."), no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @app.command("balance", help=_("Balances: of the members named, or of every active member."))
    def balance(
        ctx: typer.Context,
        members: Annotated[Optional[list[str]], typer.Argument(
            help=_("Member numbers or names (default: every active member)."), show_default=False)] = None,
        as_of: Annotated[Optional[str], typer.Option("--as-of", help=_("Balance at the end of this date."))] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.balances import balances
        from timebank.ledger.dates import parse_date
        from timebank.ledger.db import reading
        from timebank.ledger.members import find_member
        from timebank.render import column, emit

        day = parse_date(as_of, allow_future=True) if as_of is not None else None
        with reading(state(ctx).ledger()) as session:
            chosen = [find_member(session, m) for m in members] if members else None
            rows = balances(session, chosen, day)
        json_rows = [{"number": r.number, "name": r.name, "balance_minutes": r.balance_minutes,
                      "balance_hours": hours(r.balance_minutes)} for r in rows]
        title = _("Balances on {date}").format(date=format_date(day)) if day else _("Balances")
        emit(fmt.value, [column("number", "#", _("number"), "right"), column("name", _("Name"), _("name")),
                         column("balance_hours", _("Balance (hours)"), _("balance_hours"), "right")],
             [dict(r) for r in json_rows], json_rows=json_rows,
             table_rows=[dict(r, balance_hours=signed_hours(r["balance_minutes"])) for r in json_rows],
             title=title, empty=_("No members to show."))

    @app.command("statement", help=_("A member's statement: opening balance, each exchange, closing balance."))
    def statement(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        start: Annotated[Optional[str], typer.Option("--from", help=_("From this date."))] = None,
        end: Annotated[Optional[str], typer.Option("--to", help=_("To this date."))] = None,
        month: Annotated[Optional[str], typer.Option("--month", help=_("Only this month (YYYY-MM)."))] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.members import find_member
        from timebank.ledger.statements import statement as build_statement

        first, last = parse_range(start, end, month)
        explicit = ctx.find_root().params.get("lang") is not None
        with reading(state(ctx).ledger()) as session:
            m = find_member(session, member)
            with using_language(None if explicit else m.lang):
                result = build_statement(session, m, first, last)
                _render_statement(result, fmt.value)

    @report_app.command("monthly", help=_("The monthly report (default: the last complete month)."))
    def monthly(
        ctx: typer.Context,
        month: Annotated[Optional[str], typer.Option("--month", help=_("The month (YYYY-MM)."))] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.dates import month_end, parse_month, report_end
        from timebank.ledger.reports import last_complete_month

        chosen = parse_month(month) if month is not None else last_complete_month()
        report_end(chosen, month_end(chosen))  # refuses a month that has not begun
        show_monthly(state(ctx).ledger(), chosen, fmt.value)

    @report_app.command("period", help=_("The report's figures for each month or quarter of a period, and in total."))
    def period(
        ctx: typer.Context,
        start: Annotated[str, typer.Option("--from", help=_("From this date."), show_default=False)],
        end: Annotated[str, typer.Option("--to", help=_("To this date."), show_default=False)],
        by: Annotated[By, typer.Option("--by", help=_("month or quarter."))] = By.month,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.reports import period_report

        from timebank.ledger.dates import report_end

        first, last = parse_range(start, end)
        assert first is not None and last is not None
        last = report_end(first, last)
        with reading(state(ctx).ledger()) as session:
            lines, total = period_report(session, first, last, by.value)
        _render_period(lines, total, fmt.value, first, last)


PERIOD_KEYS = ["period", "from", "to", "exchanges", "minutes_exchanged", "members_active", "members_new",
               "members_left", "members_total"]


def _period_row(line) -> dict:  # type: ignore[no-untyped-def]
    return {"period": line.label, "from": line.start.isoformat(), "to": line.end.isoformat(),
            "exchanges": line.exchanges, "minutes_exchanged": line.minutes_exchanged,
            "members_active": line.members_active, "members_new": line.members_new,
            "members_left": line.members_left, "members_total": line.members_total,
            "categories": dict(sorted(line.category_minutes.items()))}


def _render_period(lines, total, fmt: str, first: date, last: date) -> None:  # type: ignore[no-untyped-def]
    from timebank.render import column, console, csv_columns, print_table, write_csv, write_json

    if fmt == "json":
        write_json({"from": first.isoformat(), "to": last.isoformat(),
                    "periods": [_period_row(l) for l in lines], "total": _period_row(total)})
        return
    if fmt == "csv":
        write_csv(csv_columns(PERIOD_KEYS), [_period_row(l) for l in lines + [total]])
        return
    out = console()
    out.print(_("Report: {start} to {end}").format(start=format_date(first), end=format_date(last)), style="bold")
    rows = [{"period": _period_name(l), "exchanges": l.exchanges, "hours": hours(l.minutes_exchanged),
             "active": l.members_active, "new": l.members_new, "left": l.members_left, "total": l.members_total}
            for l in lines]
    footer = {"period": _("Total"), "exchanges": total.exchanges, "hours": hours(total.minutes_exchanged),
              "active": total.members_active, "new": total.members_new, "left": total.members_left,
              "total": total.members_total}
    print_table(None, [column("period", _("Period")), column("exchanges", _("Exchanges"), "", "right"),
                           column("hours", _("Hours"), "", "right"),
                           column("active", _("Active members"), "", "right"),
                           column("new", _("New members"), "", "right"),
                           column("left", _("Members who left"), "", "right"),
                           column("total", _("Members at the end"), "", "right")], rows, footer=footer)


def _period_name(line) -> str:  # type: ignore[no-untyped-def]
    if "Q" in line.label:
        year, quarter = line.label.split("-Q")
        return _("Quarter {quarter} {year}").format(quarter=quarter, year=year)
    return format_month(line.start)


def _render_statement(result, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from timebank.render import column, console, csv_columns, print_table, write_csv, write_json

    lines = [{"date": line.date.isoformat(), "exchange": line.exchange, "others": line.others,
              "category": line.category, "note": line.note, "minutes": line.minutes,
              "balance_minutes": line.balance} for line in result.lines]
    if fmt == "json":
        write_json({"number": result.number, "name": result.name,
                    "from": result.start.isoformat() if result.start else None,
                    "to": result.end.isoformat() if result.end else None,
                    "opening_minutes": result.opening, "closing_minutes": result.closing, "lines": lines})
        return
    if fmt == "csv":
        write_csv(csv_columns(("date", "exchange", "others", "category", "note", "hours", "balance_hours")),
                  (dict(l, others="; ".join(l["others"]), hours=hours(l["minutes"]),
                        balance_hours=hours(l["balance_minutes"])) for l in lines))
        return
    out = console()
    span = ""
    if result.start and result.end:
        span = _("{start} to {end}").format(start=format_date(result.start), end=format_date(result.end))
    elif result.start:
        span = _("from {start}").format(start=format_date(result.start))
    elif result.end:
        span = _("to {end}").format(end=format_date(result.end))
    out.print(_("Statement for {name} (#{number})").format(name=result.name, number=result.number), style="bold")
    if span:
        out.print(span)
    out.print(_("Opening balance: {hours} hours").format(hours=signed_hours(result.opening)))
    if result.lines:
        print_table(None, [column("date", _("Date")), column("exchange", "#", "", "right"),
                               column("others", _("With")), column("category", _("Category")),
                               column("note", _("Note")), column("hours", _("Hours"), "", "right"),
                               column("balance", _("Balance"), "", "right")],
                        [{"date": format_date(l.date), "exchange": l.exchange, "others": ", ".join(l.others),
                          "category": l.category_name, "note": shown_text(l.note), "hours": signed_hours(l.minutes),
                          "balance": signed_hours(l.balance)} for l in result.lines])
    else:
        out.print(_("No exchanges in this period."))
    out.print(_("Given: {given} hours. Received: {received} hours.").format(
        given=hours(result.given), received=hours(result.received)))
    out.print(_("Closing balance: {hours} hours").format(hours=signed_hours(result.closing)), style="bold")


def monthly_json(report: "MonthlyReport") -> dict:
    data = {
        "month": report.month.isoformat()[:7],
        "exchanges": report.exchanges,
        "minutes_exchanged": report.minutes_exchanged,
        "members_active": report.members_active,
        "members_new": report.members_new,
        "members_left": report.members_left,
        "members_total": report.members_total,
        "members": [{"number": l.number, "name": l.name, "opening_minutes": l.opening_minutes,
                     "given_minutes": l.given_minutes, "received_minutes": l.received_minutes,
                     "closing_minutes": l.closing_minutes} for l in report.members],
        "categories": [{"code": c.code, "name": c.name, "exchanges": c.exchanges, "minutes": c.minutes}
                       for c in report.categories],
    }
    if report.requests is not None:
        data.update(requests_opened=report.requests.opened, requests_met=report.requests.met,
                    requests_open=report.requests.still_open,
                    median_days_to_meet=report.requests.median_days_to_meet)
    return data


def show_monthly(ledger: "Ledger", month: date, fmt: str) -> None:
    from timebank.ledger import settings as settings_module
    from timebank.ledger.db import reading
    from timebank.ledger.reports import monthly_report
    from timebank.render import column, console, csv_columns, print_table, write_csv, write_json, write_lines

    with reading(ledger) as session:
        report = monthly_report(session, settings_module.load(session), month)
    if fmt == "json":
        write_json(monthly_json(report))
        return
    member_columns = ["number", "name", "opening_minutes", "given_minutes", "received_minutes", "closing_minutes"]
    if fmt == "csv":
        write_csv(csv_columns(member_columns), monthly_json(report)["members"])
        return

    out = console()
    out.print(_("Monthly report: {month}").format(month=format_month(month)), style="bold")
    summary = [
        ngettext("{count} exchange", "{count} exchanges", report.exchanges).format(count=report.exchanges),
        _("Hours exchanged: {hours}").format(hours=hours(report.minutes_exchanged)),
        ngettext("{count} member active", "{count} members active", report.members_active).format(
            count=report.members_active),
        ngettext("{count} new member", "{count} new members", report.members_new).format(count=report.members_new),
        ngettext("{count} member left", "{count} members left", report.members_left).format(
            count=report.members_left),
        ngettext("{count} member at the end of the month", "{count} members at the end of the month",
                 report.members_total).format(count=report.members_total),
    ]
    write_lines(f"  {line}" for line in summary)

    totals = {"name": _("Total"),
              "given": hours(sum(l.given_minutes for l in report.members)),
              "received": hours(sum(l.received_minutes for l in report.members))}
    print_table(_("Members"), [column("number", "#", "", "right"), column("name", _("Name")),
                                   column("opening", _("Opening"), "", "right"),
                                   column("given", _("Given"), "", "right"),
                                   column("received", _("Received"), "", "right"),
                                   column("closing", _("Closing"), "", "right")],
                    [{"number": l.number, "name": l.name, "opening": signed_hours(l.opening_minutes),
                      "given": hours(l.given_minutes), "received": hours(l.received_minutes),
                      "closing": signed_hours(l.closing_minutes)} for l in report.members],
                    footer=totals)
    if report.categories:
        print_table(_("Hours by category"), [column("name", _("Category")),
                                                 column("exchanges", _("Exchanges"), "", "right"),
                                                 column("hours", _("Hours"), "", "right")],
                        [{"name": c.name, "exchanges": c.exchanges, "hours": hours(c.minutes)}
                         for c in report.categories])
    out.print(_("Hours exchanged, last 12 months"), style="bold")
    peak = max((p.minutes for p in report.trend), default=0) or 1
    for point in report.trend:
        bar = "█" * round(30 * point.minutes / peak)
        label = f"{format_month_short(point.month)} {point.month.year}"
        out.print(f"  {label:>10} {bar} {hours(point.minutes)}", markup=False)
    if report.requests is not None:
        figures = report.requests
        lines = [ngettext("{count} request made", "{count} requests made", figures.opened).format(count=figures.opened),
                 ngettext("{count} request met", "{count} requests met", figures.met).format(count=figures.met),
                 ngettext("{count} request still open at the end of the month",
                          "{count} requests still open at the end of the month",
                          figures.still_open).format(count=figures.still_open)]
        if figures.median_days_to_meet is not None:
            lines.append(_("Median days from request to exchange: {days}").format(
                days=f"{figures.median_days_to_meet:g}"))
        out.print(_("Requests"), style="bold")
        write_lines(f"  {line}" for line in lines)
    if report.credit_limit_minutes is not None:
        if report.over_limit:
            out.print(_("Over the credit limit of {limit} hours:").format(
                limit=hours(report.credit_limit_minutes)), style="bold")
            write_lines(f"  {line.name} (#{line.number}): {signed_hours(line.closing_minutes)}"
                        for line in report.over_limit)
        else:
            out.print(_("No member is over the credit limit."))
