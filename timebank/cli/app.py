"""The root app: global options and the shared pieces every command uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from timebank import __version__
from timebank.i18n import _, get_language

if TYPE_CHECKING:
    from timebank.ledger.db import Ledger


# The largest exchange, request or offer number a command accepts: far beyond any ledger,
# and within the database's 64-bit integers.
MAX_NUMBER = 999_999_999


class Lang(str, Enum):
    cy = "cy"
    en = "en"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class By(str, Enum):
    """Periods for summaries: months or quarters."""

    month = "month"
    quarter = "quarter"


@dataclass
class State:
    db: str | None
    _ledger: "Ledger | None" = field(default=None, repr=False)

    def ledger(self) -> "Ledger":
        """The ledger named by --db, which must exist and be initialised (upgraded if older)."""
        if self._ledger is None:
            from timebank.ledger.db import ensure_current, open_ledger

            ledger = open_ledger(self.db)
            try:
                ensure_current(ledger)
            except BaseException:
                ledger.dispose()
                raise
            self._ledger = ledger
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.dispose()
            self._ledger = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    assert isinstance(root.obj, State)
    return root.obj


def format_option() -> object:
    return typer.Option("--format", "-f", help=_("Output: table, csv or json."))


def by_option() -> object:
    return typer.Option("--by", help=_("Who is making this change (default: TIMEBANK_USER, else your login name)."))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"timebank {__version__}")
        raise typer.Exit()


# Which module registers each top-level command, so that a command line builds only the
# commands it can reach (building all of them costs more than most commands' own work).
COMMAND_MODULES = {
    "init": "admin", "demo": "admin", "settings": "admin", "category": "admin", "check": "admin",
    "audit": "admin", "backup": "admin", "restore": "admin",
    "member": "members",
    "record": "exchanges", "exchange": "exchanges",
    "balance": "reports", "statement": "reports", "report": "reports",
    "journal": "files", "export": "files", "import": "files",
    "offer": "listings", "request": "listings", "match": "listings",
}
GLOBAL_OPTIONS_WITH_VALUES = ("--db", "--lang")


def requested_command(args: list[str]) -> str | None:
    """The command named on the line, skipping global options; None for none or --help."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in GLOBAL_OPTIONS_WITH_VALUES:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def build_command(args: list[str] | None = None):  # type: ignore[no-untyped-def]
    import importlib

    app = typer.Typer(
        name="timebank",
        help=_("A time bank ledger: one hour of help earns one time credit."),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        db: Annotated[Optional[str], typer.Option(
            "--db", envvar="TIMEBANK_DB", show_envvar=False,
            help=_("The ledger: a SQLite file or a database URL (default: timebank.sqlite3 in your data folder)."))] = None,
        lang: Annotated[Optional[Lang], typer.Option(
            "--lang", envvar="TIMEBANK_LANG", show_envvar=False,
            help=_("Output language: cy (Cymraeg) or en (English)."))] = None,
        version: Annotated[bool, typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Show the version and exit."))] = False,
    ) -> None:
        ctx.obj = State(db=db)
        ctx.call_on_close(ctx.obj.close)

    command = requested_command(args or [])
    wanted = COMMAND_MODULES.get(command or "")
    # `timebank --version` (eager: it exits before any command runs) needs no command built.
    if command is None and "--version" in (args or []):
        return typer.main.get_command(app)
    for name in dict.fromkeys(COMMAND_MODULES.values()):
        if wanted is None or name == wanted:
            importlib.import_module(f"timebank.cli.{name}").register(app)
    return typer.main.get_command(app)


__all__ = ["MAX_NUMBER", "Lang", "Format", "By", "State", "state", "build_command", "get_language"]
