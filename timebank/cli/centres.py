"""The centres of a network sharing one ledger: centre add, centre list."""

from typing import Annotated

import typer

from timebank.cli.app import ByOption, Format, FormatOption, interface, ledger, say, sub_app, user
from timebank.i18n import N_, _


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The centre's name, e.g. \"Canolfan Blaengarw\"."),
                                        show_default=False)],
    code: Annotated[str, typer.Option(
        "--code", metavar=N_("CODE"), help=N_("A short code for it: 2 to 8 letters or digits, e.g. BLA."),
        show_default=False)],
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions

    centre = actions.new_centre(ledger(ctx), user(by), name, code)
    say(_("Added the centre {name} with the code {code}.").format(name=centre.name, code=centre.code))


def list_centres(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    emit(views.centres(queries.centres(ledger(ctx))), fmt.value, interface())


def register(app: typer.Typer) -> None:
    centre_app = sub_app(N_("The centres of a network sharing this ledger."))
    app.add_typer(centre_app, name="centre")
    centre_app.command("add", help=N_("Add a centre with its name and a short code (e.g. --code BLA)."))(add)
    centre_app.command("list", help=N_("List the centres, with how many active members each is home to."))(
        list_centres)
