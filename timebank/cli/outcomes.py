"""Outcome measures and members' scores (health data): `outcome measure add`, `outcome
measure list`, `outcome record MEMBER NAME SCORE --date D`. `report outcomes` is in
`reports`."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import (AliasGroup, ByOption, Format, FormatOption, MemberArgument, interface, ledger, say,
                              sub_app, user)
from timebank.i18n import N_, _, format_date

# A conversion table is a few dozen short lines: a file far larger is not one.
MAX_TABLE_BYTES = 100_000


def _table_text(path: Path) -> str:
    from timebank.ledger.errors import InvalidInput, os_reason

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TABLE_BYTES + 1)
    except OSError as error:
        raise InvalidInput(_("Cannot read the conversion table {path}: {reason}").format(
            path=path, reason=interface().say(os_reason(error)))) from None
    if len(data) > MAX_TABLE_BYTES:
        raise InvalidInput(_("{path} is too large to be a conversion table.").format(path=path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_("{path} is not a UTF-8 text file: save the conversion table as CSV (UTF-8).").format(
            path=path)) from None


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The measure's name, e.g. \"SWEMWBS\"."), show_default=False)],
    minimum: Annotated[str, typer.Option("--min", metavar="N", help=N_("The lowest score."), show_default=False)],
    maximum: Annotated[str, typer.Option("--max", metavar="N", help=N_("The highest score."), show_default=False)],
    meaningful: Annotated[str, typer.Option(
        "--meaningful-change", metavar="N", show_default=False,
        help=N_("The smallest change in a member's score that counts as meaningful (more than 0)."))],
    conversion: Annotated[Optional[Path], typer.Option(
        "--conversion", metavar=N_("FILE"), show_default=False,
        help=N_("A CSV of two columns, raw score and metric score, that converts the scale's raw totals (the time "
                "bank obtains it under the scale's licence); scores are then recorded as raw totals."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions

    table = _table_text(conversion) if conversion is not None else None
    measure = actions.add_outcome_measure(ledger(ctx), user(by), name, minimum, maximum, meaningful, table)
    say(_("Added the outcome measure {name}: scores {min} to {max}, a change of {change} or more is "
          "meaningful.").format(name=measure.name, min=format(measure.minimum, "f"), max=format(measure.maximum, "f"),
                                change=format(measure.meaningful_change, "f")))


def list_measures(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    emit(views.outcome_measures(queries.outcome_measures(ledger(ctx))), fmt.value, interface())


def record(
    ctx: typer.Context,
    member: MemberArgument,
    measure: Annotated[str, typer.Argument(help=N_("The measure's name."), show_default=False)],
    score: Annotated[str, typer.Argument(
        help=N_("The score (with a conversion table: the raw total)."), show_default=False)],
    on: Annotated[str, typer.Option(
        "--date", metavar=N_("DATE"), show_default=False,
        help=N_("The day the member answered (today, yesterday, DD/MM/YYYY...; not in the future)."))],
    assisted: Annotated[bool, typer.Option(
        "--assisted", help=N_("The member was helped to answer (the report gives these answers apart)."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.render.sheet import member_words

    day = parse_date(on)
    who, found = actions.record_outcome(ledger(ctx), user(by), member, measure, score, day, assisted)
    # The score is not repeated on the screen: someone may be reading over a shoulder.
    say(_("Recorded a score on {measure} for {name} (#{member}) on {date}.").format(
        measure=found.measure, name=member_words(who, interface()), member=found.member,
        date=format_date(found.day)))


def register(app: typer.Typer) -> None:
    outcome_app = sub_app(N_("Outcome measures (a wellbeing scale such as SWEMWBS) and members' scores on them: "
                             "health data, erased with the member."))
    app.add_typer(outcome_app, name="outcome")
    measure_app = typer.Typer(help=N_("The outcome measures the time bank uses."), no_args_is_help=True,
                              cls=AliasGroup)
    outcome_app.add_typer(measure_app, name="measure")
    measure_app.command("add", help=N_("Add a measure: its name, the range of its scores and the change that counts "
                                       "as meaningful."))(add)
    measure_app.command("list", help=N_("List the outcome measures."))(list_measures)
    outcome_app.command("record", help=N_("Record a member's score on a measure, on the day they answered."))(record)
