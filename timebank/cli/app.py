"""The root app: global options, the shared pieces every command uses, and building the
command tree for one command line.

Commands are module-level functions in `members`, `exchanges`, `reports`, `files`,
`listings` and `admin`, registered by each module's `register`. Their help is written as
message ids (`N_`) and translated when the tree is built, after the language is chosen,
so a module imported once serves Welsh and English alike.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from timebank import __version__
from timebank.i18n import N_, Words, _, get_language, words

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
            from timebank.ledger.db import open_ledger
            from timebank.ledger.schema import ensure_current

            ledger = open_ledger(self.db)
            try:
                ensure_current(ledger)
            except BaseException:
                ledger.dispose()
                raise
            self._ledger = ledger
        return self._ledger

    def ledger_as_found(self) -> "Ledger":
        """The ledger named by --db as it is: not upgraded, its schema not checked (a broken
        ledger must still be restorable)."""
        from timebank.ledger.db import open_ledger

        self.close()
        self._ledger = open_ledger(self.db)
        return self._ledger

    def new_ledger(self) -> "Ledger":
        """The ledger named by --db, created (an empty file) if there is none yet."""
        from timebank.ledger.db import open_ledger

        self.close()
        self._ledger = open_ledger(self.db, create=True)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.dispose()
            self._ledger = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    assert isinstance(root.obj, State)
    return root.obj


def ledger(ctx: typer.Context) -> "Ledger":
    return state(ctx).ledger()


def interface() -> Words:
    """The words of the interface language, for what a command prints."""
    return words(get_language())


def say(message: str, *, err: bool = False) -> None:
    """Print a message for a person: every command's messages go through here, cleaned of
    control characters (a name or a file name in the message may hold escape sequences)."""
    from timebank.ledger.text import printable

    typer.echo(printable(message), err=err)


def user(by: str | None) -> str:
    from timebank.ledger.audit import current_user

    return current_user(by)


# Options many commands share, as Annotated types (their help is translated at build time).
FormatOption = Annotated[Format, typer.Option("--format", "-f", help=N_("Output: table, csv or json."))]
ByOption = Annotated[Optional[str], typer.Option(
    "--by", help=N_("Who is making this change (default: TIMEBANK_USER, else your login name)."))]
MemberArgument = Annotated[str, typer.Argument(help=N_("Member number or name."), show_default=False)]
FromOption = Annotated[Optional[str], typer.Option("--from", help=N_("From this date."), show_default=False)]
ToOption = Annotated[Optional[str], typer.Option("--to", help=N_("To this date."), show_default=False)]
MonthOption = Annotated[Optional[str], typer.Option("--month", help=N_("Only this month (YYYY-MM)."))]
# Beside every --output: an existing file is replaced only when asked (never a ledger or a backup).
ForceOption = Annotated[bool, typer.Option(
    "--force", help=N_("Replace the output file if it exists (never a ledger or a backup)."))]


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


def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar="TIMEBANK_DB", show_envvar=False,
        help=N_("The ledger: a SQLite file or a database URL (default: timebank.sqlite3 in your data folder)."))] = None,
    lang: Annotated[Optional[Lang], typer.Option(
        "--lang", envvar="TIMEBANK_LANG", show_envvar=False,
        help=N_("Output language: cy (Cymraeg) or en (English)."))] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))] = False,
) -> None:
    ctx.obj = State(db=db)
    ctx.call_on_close(ctx.obj.close)


def build_command(args: list[str] | None = None) -> Any:
    app = typer.Typer(
        name="timebank",
        help=N_("A time bank ledger: one hour of help earns one time credit."),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    app.callback()(root)
    command = requested_command(args or [])
    wanted = COMMAND_MODULES.get(command or "")
    # `timebank --version` (eager: it exits before any command runs) needs no command built.
    if not (command is None and "--version" in (args or [])):
        for name in dict.fromkeys(COMMAND_MODULES.values()):
            if wanted is None or name == wanted:
                importlib.import_module(f"timebank.cli.{name}").register(app)
    built = typer.main.get_command(app)
    translate_help(built)
    return built


def translate_help(command: Any) -> None:
    """Help, argument names and metavars in the interface language (they are message ids)."""
    for attribute in ("help", "short_help"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, _(text))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
        if getattr(param, "metavar", None):
            param.metavar = _(param.metavar)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def sub_app(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True)


__all__ = ["MAX_NUMBER", "Lang", "Format", "By", "State", "state", "ledger", "interface", "say", "user", "build_command",
           "get_language", "FormatOption", "ByOption", "MemberArgument", "FromOption", "ToOption", "MonthOption",
           "ForceOption", "sub_app"]
