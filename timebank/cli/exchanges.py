"""Exchange commands: record, and exchange list / show / void."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from timebank.cli.app import (MAX_NUMBER, ByOption, CategoryOption, Format, FormatOption, FromOption, MemberOption,
                              MonthOption, ToOption, interface, ledger, say, sub_app, user)
from timebank.cli.common import ask, interactive, parse_range, unless_duplicate
from timebank.i18n import N_, _, get_language

if TYPE_CHECKING:
    from timebank.ledger.queries import ExchangeRow

ExchangeNumber = Annotated[int, typer.Argument(help=N_("The exchange number."), min=1, max=MAX_NUMBER,
                                               show_default=False)]


def record(
    ctx: typer.Context,
    args: Annotated[Optional[list[str]], typer.Argument(
        help=N_("GIVER RECEIVER HOURS: member numbers or names, and the hours (1.5, 1:30, 1h30, 90 mins, 1½)."),
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
    centre: Annotated[Optional[str], typer.Option(
        "--centre", envvar="TIMEBANK_CENTRE", show_envvar=False, metavar=N_("CODE"), show_default=False,
        help=N_("The centre it is recorded at (its code, e.g. BLA; default: TIMEBANK_CENTRE, else none)."))] = None,
    welsh: Annotated[bool, typer.Option(
        "--welsh", "--cymraeg", help=N_("The help was carried out in Welsh."))] = False,
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
        if len(positional) < 3 and interactive():
            positional, on, category = _asked_for(ctx, positional, on, category)
        if len(positional) != 3:
            raise UsageProblem(_("Give GIVER RECEIVER HOURS, e.g. timebank record 17 Siân 1.5"))
        givers, receivers, amount = [positional[0]], [positional[1]], positional[2]
    minutes = parse_hours(amount)
    day = parse_date(on) if on is not None else None
    the_ledger, who = ledger(ctx), user(by)
    try:
        done = unless_duplicate(lambda repeat: actions.record(
            the_ledger, who, givers=givers, receivers=receivers, minutes=minutes, on=day, category=category,
            note=note, allow_overdraft=allow_overdraft, request=request, again=repeat, lang=get_language(),
            centre=centre.strip() if centre and centre.strip() else None, welsh=welsh),
            again, _("Add --again to record it once more."))
    except OverLimit as over:
        over.hint = _("Use --allow-overdraft to record it anyway.")  # the core names no flag
        raise
    from timebank.render.read_back import read_back

    for line in read_back(done, interface()):
        say(line)


def _asked_for(ctx: typer.Context, positional: list[str], on: str | None,
               category: str | None) -> tuple[list[str], str | None, str | None]:
    """At a terminal, what `record` was not given: the giver, receiver and hours missing
    from the line, then the date (empty: today) and the category (empty: the default,
    Tab completes), each asked again until it is one the ledger takes."""
    from timebank.ledger import queries
    from timebank.ledger.basics.dates import parse_date
    from timebank.ledger.basics.hours import parse_hours
    from timebank.ledger.errors import InvalidInput

    the_ledger, lang = ledger(ctx), get_language()
    found: list[int | str] = []

    def member(text: str) -> str:
        if queries.is_partner_member(text):
            queries.partner_member(the_ledger, text)  # a partner bank there is
            if text.strip().upper() in found:
                raise InvalidInput(_("The same member cannot be on both sides, or named twice."))
            found.append(text.strip().upper())
            return text
        number = queries.member(the_ledger, text).number
        if number in found:
            raise InvalidInput(_("The same member cannot be on both sides, or named twice."))
        found.append(number)
        return str(number)

    def hours(text: str) -> str:
        parse_hours(text)
        return text

    def day(text: str) -> str:
        parse_date(text)
        return text

    def category_code(text: str) -> str:
        queries.category(the_ledger, text, lang)
        return text

    for typed in positional[:2]:
        member(typed)  # what was typed is checked now, not after the questions
    questions = [(_("Giver"), member), (_("Receiver"), member), (_("Hours"), hours)]
    answers = list(positional)
    for label, check in questions[len(answers):]:
        answer = ask(label, check)
        assert answer is not None
        answers.append(answer)
    if on is None:
        on = ask(_("Date [today]"), day, optional=True)
    if category is None:
        codes = queries.categories(the_ledger)
        default = codes["other"].code_in(lang) if "other" in codes else ""
        label = _("Category [{default}]").format(default=default) if default else _("Category")
        category = ask(label, category_code, optional=True,
                       completions=[name.code_in(lang) for name in codes.values()])
    return answers, on, category


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
    number: Annotated[Optional[int], typer.Argument(help=N_("The exchange number."), min=1, max=MAX_NUMBER,
                                                    show_default=False)] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help=N_("Why it is being voided."),
                                                  show_default=False)] = None,
    by: ByOption = None,
) -> None:
    from timebank.cli.common import confirm
    from timebank.ledger import actions
    from timebank.ledger.errors import Refused, UsageProblem

    the_ledger = ledger(ctx)
    # The exchange is checked before anything is asked: a question about an exchange that
    # cannot be voided would only waste the answer.
    if number is not None:
        row = _voidable(ctx, number)
    elif interactive():
        answer = ask(_("Exchange number"), lambda text: _voidable(ctx, _number(text)))
        assert answer is not None
        row = answer
    else:
        raise UsageProblem(_("Give the number of the exchange to void, e.g. timebank exchange void 28 "
                             "--reason \"Recorded twice\"."))
    if reason is None and interactive():
        reason = ask(_("Reason"), str)
    if reason is None:
        raise UsageProblem(_("Say why exchange {number} is being voided with --reason, e.g. --reason "
                             "\"Recorded twice\".").format(number=row.number))
    # At a terminal a void is confirmed first (it cannot be taken back); scripts are not asked.
    if interactive() and not confirm(_voiding_question(row)):
        raise Refused(_("Nothing was voided."))
    reversal = actions.void(the_ledger, user(by), row.number, reason)
    say(_("Voided exchange {number}: its reversal is exchange {reversal}.").format(
        number=row.number, reversal=reversal))


def _number(text: str) -> int:
    from timebank.ledger.errors import InvalidInput

    digits = text.strip().lstrip("#").strip()
    if not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= MAX_NUMBER:
        raise InvalidInput(_("'{text}' is not an exchange number.").format(text=text))
    return int(digits)


def _voidable(ctx: typer.Context, number: int) -> "ExchangeRow":
    """The exchange, if it can be voided; else the core's own refusal (the void itself checks
    again, as another coordinator may void it meanwhile)."""
    from timebank.ledger import queries
    from timebank.ledger.errors import Refused

    row = queries.exchange(ledger(ctx), number)
    if row.reverses is not None:
        raise Refused(_("Exchange {number} is a reversal (of exchange {original}) and cannot be voided.").format(
            number=number, original=row.reverses))
    if row.voided_by is not None:
        raise Refused(_("Exchange {number} was already voided by exchange {reversal}.").format(
            number=number, reversal=row.voided_by))
    return row


def _voiding_question(row: "ExchangeRow") -> str:
    """'Void exchange 28: Friday 5 December 2026, Llŷr Jones gave Gwenllïan Morgan 1:30
    hours (Gardening)?': what is about to be undone, as the reader will recognise it."""
    from timebank.i18n import format_date
    from timebank.render.sheet import format_hours, member_words

    words = interface()
    lang = get_language()
    return _("Void exchange {number}: {date}, {givers} gave {receivers} {hours} hours ({category})?").format(
        number=row.number, date=format_date(row.date, lang),
        givers=", ".join(member_words(name, words) for name in row.giver_names),
        receivers=", ".join(member_words(name, words) for name in row.receiver_names),
        hours=format_hours(row.minutes), category=row.category.name(lang))


def register(app: typer.Typer) -> None:
    app.command("record", context_settings={"ignore_unknown_options": True},
                help=N_("Record help given: GIVER RECEIVER HOURS, or the group form with --giver, --receiver and "
                        "--hours."))(record)
    exchange_app = sub_app(N_("List, show and void exchanges."))
    app.add_typer(exchange_app, name="exchange")
    exchange_app.command("list", help=N_("List exchanges, oldest first."))(list_exchanges)
    exchange_app.command("show", help=N_("Show one exchange in full."))(show)
    exchange_app.command("void", help=N_("Void a mistaken exchange by appending its reversal."))(void)
