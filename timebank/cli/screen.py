"""`timebank ui`: the screen (Textual, imported only here, so that no other command pays
for it at start-up)."""

import typer

from timebank.cli.app import ByOption, interface, ledger, user
from timebank.i18n import N_, _


def ui(ctx: typer.Context, by: ByOption = None) -> None:
    import sys

    from timebank.ledger.errors import Refused

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise Refused(_("The screen needs a terminal: run timebank ui in a terminal window."))
    the_ledger, who, words = ledger(ctx), user(by), interface()
    from timebank.ui.app import run_screen

    run_screen(the_ledger, who, words)


def register(app: typer.Typer) -> None:
    app.command("ui", help=N_("The screen: members, recording, exchanges and reports with the keyboard "
                              "(bare timebank at a terminal opens it)."))(ui)
