"""Trade between time banks: partner add / list / edit / leave / export / import / statement.
A partner's member is typed `CODE:NUMBER` in `record` (`exchanges`)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import (ByOption, ForceOption, Format, FormatOption, interface, ledger, say, sub_app, user)
from timebank.i18n import N_, _, format_date, get_language

CodeArgument = Annotated[str, typer.Argument(help=N_("The partner bank's code, e.g. DYF."), metavar=N_("CODE"),
                                             show_default=False)]
LimitOption = Annotated[Optional[str], typer.Option(
    "--limit", metavar=N_("HOURS"), show_default=False,
    help=N_("The most hours the balance of trade with the bank may reach either way (none by default)."))]


def _limit_words(minutes: int | None) -> str:
    from timebank.ledger.basics.hours import format_hours

    return _("no limit") if minutes is None else _("a limit of {hours} hours").format(hours=format_hours(minutes))


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The partner bank's name, e.g. \"Banc Amser Dyffryn\"."),
                                        show_default=False)],
    code: Annotated[str, typer.Option(
        "--code", metavar=N_("CODE"), show_default=False,
        help=N_("The code the partner bank uses for itself (its setting bank_code): 2 to 8 letters or digits, "
                "e.g. DYF."))],
    limit: LimitOption = None,
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar=N_("DATE"), help=N_("The day the partnership began (default today)."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date

    partner = actions.add_partner(ledger(ctx), user(by), name, code, limit, parse_date(on) if on else None)
    say(_("Added the partner bank {name} with the code {code} ({limit}). Its members are typed {code}:NUMBER "
          "in an exchange.").format(name=partner.name, code=partner.code, limit=_limit_words(partner.limit_minutes)))


def list_partners(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit
    from timebank.render.partners import partners

    emit(partners(queries.partners(ledger(ctx))), fmt.value, interface())


def edit(
    ctx: typer.Context,
    code: CodeArgument,
    name: Annotated[Optional[str], typer.Option("--name", help=N_("A new name."), show_default=False)] = None,
    limit: LimitOption = None,
    no_limit: Annotated[bool, typer.Option("--no-limit", help=N_("Lift the limit."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions

    partner, changed = actions.edit_partner(ledger(ctx), user(by), code, name=name, limit=limit, no_limit=no_limit)
    say(_("Changed the partner bank {code}: {name}, {limit}.").format(
        code=partner.code, name=partner.name, limit=_limit_words(partner.limit_minutes)))


def leave(
    ctx: typer.Context,
    code: CodeArgument,
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar=N_("DATE"), help=N_("The day the partnership ends (default today)."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.render.sheet import signed_hours

    partner, day = actions.leave_partner(ledger(ctx), user(by), code, parse_date(on) if on else None)
    say(_("The partnership with {name} ({code}) ended on {date}: no new trade with it can be recorded; its files "
          "are still sent and taken. Balance of trade: {hours} hours.").format(
        name=partner.name, code=partner.code, date=format_date(day), hours=signed_hours(partner.balance_minutes)))


def export(
    ctx: typer.Context,
    code: CodeArgument,
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar=N_("FILE"), show_default=False,
        help=N_("The file to write (JSON), to send to the partner bank."))],
    force: ForceOption = False,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions

    sent = actions.export_partner(ledger(ctx), user(by), code, output, force=force)
    say(_("Wrote {file} for {name} ({code}) with every trade (trades: {trades}; voided: {voids}). Send it to {name}; "
          "it cannot be changed on the way.").format(file=str(output), name=sent.name, code=sent.partner,
                                                     trades=sent.trades, voids=sent.voids))


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=N_("A file of trades a partner bank sent."), metavar=N_("FILE"),
                                         show_default=False)],
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.render.sheet import signed_hours

    from timebank.ledger.errors import Refused, TradesRefused

    try:
        taken = actions.import_partner(ledger(ctx), user(by), file, get_language())
    except TradesRefused as refused:
        # Every bad trade on a line of its own, then the one refusal that counts them (as `import`).
        for row in refused.rows:
            say(interface().say(row), err=True)
        raise Refused(refused.phrase) from None
    if taken.repeated:
        say(_("{file} from {name} ({code}) was taken before: nothing new was recorded.").format(
            file=file.name, name=taken.name, code=taken.partner))
    else:
        say(_("Took {file} from {name} ({code}). New trades recorded: {trades}; voids recorded: {voids}; trades "
              "held already: {known}.").format(file=file.name, name=taken.name, code=taken.partner,
                                               trades=taken.trades, voids=taken.voids, known=taken.known))
    say(_("Balance of trade with {name}: {hours} hours.").format(name=taken.name,
                                                                 hours=signed_hours(taken.balance_minutes)))


def statement(
    ctx: typer.Context,
    code: CodeArgument,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger import queries
    from timebank.render import emit
    from timebank.render.partners import partner_statement

    emit(partner_statement(queries.partner_statement(ledger(ctx), code)), fmt.value, interface())


def register(app: typer.Typer) -> None:
    partner_app = sub_app(N_("Partner time banks: trades between their members and ours, carried by file."))
    app.add_typer(partner_app, name="partner")
    partner_app.command("add", help=N_("Add a partner bank with its name and the code it uses for itself."))(add)
    partner_app.command("list", help=N_("List the partner banks with the balance of trade with each."))(
        list_partners)
    partner_app.command("edit", help=N_("Change a partner bank's name or limit."))(edit)
    partner_app.command("leave", help=N_("End a partnership: no new trades with the bank."))(leave)
    partner_app.command("export", help=N_("Write the file of every trade and void with a partner bank, to send "
                                          "it."))(export)
    partner_app.command("import", help=N_("Take a file of trades a partner bank sent: every trade and void not "
                                          "yet held here, or nothing."))(import_file)
    partner_app.command("statement", help=N_("Reconcile with a partner bank: the balance, every trade, and what "
                                             "either side has not confirmed."))(statement)
