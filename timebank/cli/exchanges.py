"""Exchange commands: record, and exchange list / show / void."""

from typing import Annotated, Optional

import typer

from timebank.cli.app import (MAX_NUMBER, ByOption, CategoryOption, Format, FormatOption, FromOption, MemberOption,
                              MonthOption, ToOption, interface, ledger, say, sub_app, user)
from timebank.cli.common import ask, interactive, parse_range, unless_duplicate
from timebank.i18n import N_, _, get_language

ExchangeNumber = Annotated[int, typer.Argument(help=N_("The exchange number."), min=1, max=MAX_NUMBER,
                                               show_default=False)]


def record(
    ctx: typer.Context,
    args: Annotated[Optional[list[str]], typer.Argument(
        help=N_("GIVER RECEIVER HOURS: member numbers or names, and the hours (1.5, 1:30, 90m)."),
        metavar=N_("GIVER RECEIVER HOURS"), show_default=False)] = None,
    giver: Annotated[Optional[list[str]], typer.Option(
        "--giver", help=N_("A giver (repeat for several)."))] = None,
    receiver: Annotated[Optional[list[str]], typer.Option(
        "--receiver", help=N_("A receiver (repeat for several)."))] = None,
    hours_text: Annotated[Optional[str], typer.Option(
        "--hours", help=N_("Hours for each giver/receiver pair (group form)."))] = None,
    on: Annotated[Optional[str], typer.Option("--date", help=N_("Date of the help (default today)."))] = None,
    category: Annotated[Optional[str], typer.Option("--category", help=N_("Category code."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", help=N_("A note about the help."))] = None,
    allow_overdraft: Annotated[bool, typer.Option(
        "--allow-overdraft", help=N_("Record even if a receiver goes below the credit limit."))] = False,
    request: Annotated[Optional[int], typer.Option(
        "--request", min=1, max=MAX_NUMBER, help=N_("The request this exchange meets (it is closed)."))] = None,
    again: Annotated[bool, typer.Option(
        "--again", help=N_("Record it even if the same exchange was recorded in the last 14 days."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.ledger.errors import OverLimit, UsageProblem
    from timebank.ledger.basics.hours import parse_hours

    positional = args or []
    # Unknown options reach us as arguments so that a negative amount ('-1') gets a
    # clear refusal rather than "no such option"; anything else that looks like an
    # option is still a usage error.
    for item in positional:
        if item.startswith("-") and not item[1:2].isdigit():
            raise UsageProblem(_("No such option: {option}").format(option=item))
    if giver or receiver or hours_text:
        if positional:
            raise UsageProblem(_("Use either GIVER RECEIVER HOURS or --giver/--receiver/--hours, not both."))
        if not giver or not receiver or not hours_text:
            raise UsageProblem(_("The group form needs --giver, --receiver and --hours."))
        givers, receivers, amount = giver, receiver, hours_text
    else:
        if not positional and interactive():
            positional = [ask(_("Giver")), ask(_("Receiver")), ask(_("Hours"))]
        if len(positional) != 3:
            raise UsageProblem(_("Give GIVER RECEIVER HOURS, e.g. timebank record 17 Siân 1.5"))
        givers, receivers, amount = [positional[0]], [positional[1]], positional[2]
    minutes = parse_hours(amount)
    day = parse_date(on) if on is not None else None
    the_ledger, who = ledger(ctx), user(by)
    try:
        done = unless_duplicate(lambda repeat: actions.record(
            the_ledger, who, givers=givers, receivers=receivers, minutes=minutes, on=day, category=category,
            note=note, allow_overdraft=allow_overdraft, request=request, again=repeat, lang=get_language()),
            again, _("Add --again to record it once more."))
    except OverLimit as over:
        over.hint = _("Use --allow-overdraft to record it anyway.")  # the core names no flag
        raise
    from timebank.render.read_back import read_back

    for line in read_back(done, interface()):
        say(line)


def list_exchanges(
    ctx: typer.Context,
    member: MemberOption = None,
    start: FromOption = None,
    end: ToOption = None,
    month: MonthOption = None,
    category: CategoryOption = None,
    include_void: Annotated[bool, typer.Option(
        "--include-void", help=N_("Show voided exchanges and their reversals too."))] = False,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    first, last = parse_range(start, end, month)
    # The list streams from one query while it is written: the snapshot stays open.
    with queries.exchanges(ledger(ctx), member=member, start=first, end=last, category=category,
                           include_void=include_void, lang=get_language()) as rows:
        emit(views.exchanges(rows, include_void), fmt.value, interface())


def show(ctx: typer.Context, number: ExchangeNumber, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    row = queries.exchange(ledger(ctx), number)
    emit(views.exchange_page(row), fmt.value, interface())


def void(
    ctx: typer.Context,
    number: ExchangeNumber,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it is being voided."), show_default=False)],
    by: ByOption = None,
) -> None:
    from timebank.cli.common import confirm, interactive
    from timebank.ledger import actions
    from timebank.ledger.errors import Refused

    # At a terminal a void is confirmed first (it cannot be taken back); scripts are not asked.
    if interactive() and not confirm(_("Void exchange {number}?").format(number=number)):
        raise Refused(_("Nothing was voided."))
    reversal = actions.void(ledger(ctx), user(by), number, reason)
    say(_("Voided exchange {number}: its reversal is exchange {reversal}.").format(
        number=number, reversal=reversal))


def register(app: typer.Typer) -> None:
    app.command("record", context_settings={"ignore_unknown_options": True},
                help=N_("Record help given: GIVER RECEIVER HOURS, or the group form with --giver, --receiver and "
                        "--hours."))(record)
    exchange_app = sub_app(N_("List, show and void exchanges."))
    app.add_typer(exchange_app, name="exchange")
    exchange_app.command("list", help=N_("List exchanges, oldest first."))(list_exchanges)
    exchange_app.command("show", help=N_("Show one exchange in full."))(show)
    exchange_app.command("void", help=N_("Void a mistaken exchange by appending its reversal."))(void)
