"""Exchange commands: record, and exchange list / show / void."""


from typing import Annotated, Optional

import typer

from timebank.cli.app import MAX_NUMBER, Format, by_option, format_option, state
from timebank.cli.common import hours, parse_range, shown_text, signed_hours
from timebank.i18n import _, format_date


def register(app: typer.Typer) -> None:
    exchange_app = typer.Typer(help=_("List, show and void exchanges."), no_args_is_help=True)
    app.add_typer(exchange_app, name="exchange")

    @app.command("record", context_settings={"ignore_unknown_options": True}, help=_("Record help given: GIVER RECEIVER HOURS, or the group form with "
                                  "--giver, --receiver and --hours."))
    def record(
        ctx: typer.Context,
        args: Annotated[Optional[list[str]], typer.Argument(
            help=_("GIVER RECEIVER HOURS: member numbers or names, and the hours (1.5, 1:30, 90m)."),
            metavar=_("GIVER RECEIVER HOURS"), show_default=False)] = None,
        giver: Annotated[Optional[list[str]], typer.Option("--giver", help=_("A giver (repeat for several)."))] = None,
        receiver: Annotated[Optional[list[str]], typer.Option(
            "--receiver", help=_("A receiver (repeat for several)."))] = None,
        hours_text: Annotated[Optional[str], typer.Option(
            "--hours", help=_("Hours for each giver/receiver pair (group form)."))] = None,
        on: Annotated[Optional[str], typer.Option("--date", help=_("Date of the help (default today)."))] = None,
        category: Annotated[Optional[str], typer.Option("--category", help=_("Category code."))] = None,
        note: Annotated[Optional[str], typer.Option("--note", help=_("A note about the help."))] = None,
        allow_overdraft: Annotated[bool, typer.Option(
            "--allow-overdraft", help=_("Record even if a receiver goes below the credit limit."))] = False,
        request: Annotated[Optional[int], typer.Option(
            "--request", min=1, max=MAX_NUMBER, help=_("The request this exchange meets (it is closed)."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger import settings as settings_module
        from timebank.ledger.audit import current_user
        from timebank.ledger.dates import parse_date
        from timebank.ledger.db import writing
        from timebank.ledger.errors import UsageProblem
        from timebank.ledger.exchanges import record_exchange
        from timebank.ledger.hours import parse_hours
        from timebank.ledger.dates import today
        from timebank.ledger.listings import meet_request, open_listing
        from timebank.ledger.members import find_member

        positional = args or []
        # Unknown options reach us as arguments so that a negative amount ('-1') gets a
        # clear refusal rather than "no such option"; anything else that looks like an
        # option is still a usage error.
        for item in positional:
            if item.startswith("-") and not item[1:2].isdigit():
                raise UsageProblem(_("No such option: {option}").format(option=item))
        group = bool(giver or receiver or hours_text)
        if group:
            if positional:
                raise UsageProblem(_("Use either GIVER RECEIVER HOURS or --giver/--receiver/--hours, not both."))
            if not giver or not receiver or not hours_text:
                raise UsageProblem(_("The group form needs --giver, --receiver and --hours."))
            giver_names, receiver_names, amount = giver, receiver, hours_text
        else:
            if len(positional) != 3:
                raise UsageProblem(_("Give GIVER RECEIVER HOURS, e.g. timebank record 17 Siân 1.5"))
            giver_names, receiver_names, amount = [positional[0]], [positional[1]], positional[2]
        minutes = parse_hours(amount)
        day = parse_date(on) if on is not None else None
        who = current_user(by)
        with writing(state(ctx).ledger()) as session:
            givers = [find_member(session, name) for name in giver_names]
            receivers = [find_member(session, name) for name in receiver_names]
            met = open_listing(session, "request", request) if request is not None else None
            result = record_exchange(session, who, settings_module.load(session), givers=givers,
                                     receivers=receivers, minutes=minutes, on=day,
                                     category=category or (met.category if met else None), note=note,
                                     allow_overdraft=allow_overdraft)
            if met is not None:
                meet_request(session, who, met.id, result.number, day or today(), [r.number for r in receivers])
        typer.echo(_("Recorded exchange {number}.").format(number=result.number))
        for number, name, balance in result.balances:
            typer.echo(_("  {name} (#{number}): balance {hours} hours").format(
                name=name, number=number, hours=signed_hours(balance)))
        for number in result.overdraft:
            typer.echo(_("  Member #{number} is now below the credit limit (allowed).").format(number=number))
        if request is not None:
            typer.echo(_("Request {id} is met.").format(id=request))

    @exchange_app.command("list", help=_("List exchanges, oldest first."))
    def list_(
        ctx: typer.Context,
        member: Annotated[Optional[str], typer.Option("--member", help=_("Only this member's exchanges."))] = None,
        start: Annotated[Optional[str], typer.Option("--from", help=_("From this date."))] = None,
        end: Annotated[Optional[str], typer.Option("--to", help=_("To this date."))] = None,
        month: Annotated[Optional[str], typer.Option("--month", help=_("Only this month (YYYY-MM)."))] = None,
        category: Annotated[Optional[str], typer.Option("--category", help=_("Only this category."))] = None,
        include_void: Annotated[bool, typer.Option(
            "--include-void", help=_("Show voided exchanges and their reversals too."))] = False,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.categories import find_category
        from timebank.ledger.db import reading
        from timebank.ledger.exchanges import iter_exchanges
        from timebank.ledger.members import find_member
        from timebank.render import column, console, csv_columns, print_table, write_csv, write_json

        first, last = parse_range(start, end, month)
        with reading(state(ctx).ledger()) as session:
            number = find_member(session, member).number if member else None
            code = find_category(session, category).code if category else None
            rows = iter_exchanges(session, member=number, start=first, end=last, category=code,
                                  include_void=include_void)
            json_rows = ({"number": r.number, "date": r.date.isoformat(), "givers": r.givers,
                          "receivers": r.receivers, "minutes": r.minutes, "category": r.category, "note": r.note,
                          "void": r.void, "reverses": r.reverses} for r in rows)
            if fmt == Format.json:
                write_json(list(json_rows))
                return
            columns_csv = csv_columns(("number", "date", "givers", "receivers", "minutes", "hours", "category",
                                       "note", "void", "reverses"))
            if fmt == Format.csv:
                write_csv(columns_csv, (dict(r, givers=" ".join(map(str, r["givers"])),
                                             receivers=" ".join(map(str, r["receivers"])),
                                             hours=hours(r["minutes"]), void=str(r["void"]).lower())
                                        for r in json_rows))
                return
            table_rows = [{"number": r.number, "date": format_date(r.date),
                           "givers": ", ".join(r.giver_names), "receivers": ", ".join(r.receiver_names),
                           "hours": hours(r.minutes), "category": r.category_name, "note": shown_text(r.note),
                           "status": _status(r)}
                          for r in iter_exchanges(session, member=number, start=first, end=last, category=code,
                                                  include_void=include_void)]
        out = console()
        if not table_rows:
            out.print(_("No exchanges to show."))
            return
        columns = [column("number", "#", "", "right"), column("date", _("Date")), column("givers", _("Giver")),
                   column("receivers", _("Receiver")), column("hours", _("Hours"), "", "right"),
                   column("category", _("Category")), column("note", _("Note"))]
        if include_void:
            columns.append(column("status", _("Status")))
        print_table(_("Exchanges"), columns, table_rows)

    @exchange_app.command("show", help=_("Show one exchange in full."))
    def show(
        ctx: typer.Context,
        number: Annotated[int, typer.Argument(help=_("The exchange number."), min=1, max=MAX_NUMBER, show_default=False)],
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.exchanges import get_exchange
        from timebank.render import console, write_json

        with reading(state(ctx).ledger()) as session:
            r = get_exchange(session, number)
        data = {"number": r.number, "date": r.date.isoformat(), "givers": r.givers, "receivers": r.receivers,
                "minutes": r.minutes, "category": r.category, "note": r.note, "void": r.void,
                "reverses": r.reverses, "voided_by": r.voided_by,
                "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None, "recorded_by": r.recorded_by}
        if fmt != Format.table:
            write_json(data)
            return
        out = console()
        out.print(_("Exchange {number}").format(number=r.number), style="bold")
        fields = [
            (_("Date"), format_date(r.date)),
            (_("Givers"), ", ".join(f"{n} (#{g})" for n, g in zip(r.giver_names, r.givers))),
            (_("Receivers"), ", ".join(f"{n} (#{g})" for n, g in zip(r.receiver_names, r.receivers))),
            (_("Hours per pair"), hours(r.minutes)),
            (_("Category"), r.category_name),
            (_("Note"), shown_text(r.note)),
            (_("Recorded"), f"{r.recorded_at:%Y-%m-%d %H:%M} UTC, {r.recorded_by}" if r.recorded_at else ""),
            (_("Status"), _status(r)),
        ]
        for label, value in fields:
            if value:
                out.print(f"  {label}: {value}", markup=False)

    @exchange_app.command("void", help=_("Void a mistaken exchange by appending its reversal."))
    def void(
        ctx: typer.Context,
        number: Annotated[int, typer.Argument(help=_("The exchange number."), min=1, max=MAX_NUMBER, show_default=False)],
        reason: Annotated[str, typer.Option("--reason", help=_("Why it is being voided."), show_default=False)],
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing
        from timebank.ledger.exchanges import void_exchange

        with writing(state(ctx).ledger()) as session:
            reversal = void_exchange(session, current_user(by), number, reason)
        typer.echo(_("Voided exchange {number}: its reversal is exchange {reversal}.").format(
            number=number, reversal=reversal))


def _status(row) -> str:  # type: ignore[no-untyped-def]
    if row.reverses is not None:
        return _("reverses {number}").format(number=row.reverses)
    if row.voided_by is not None:
        return _("voided by {number}").format(number=row.voided_by)
    return ""
