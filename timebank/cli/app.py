"""The root app: global options, the shared pieces every command uses, and building the
command tree for one command line.

Commands are module-level functions in `members`, `exchanges`, `reports`, `files`,
`listings` and `admin`, registered by each module's `register`. Their help is written as
message ids (`N_`) and translated when the tree is built, after the language is chosen,
so a module imported once serves Welsh and English alike.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from timebank import __version__
from timebank.cli import global_options
from timebank.cli.coercion import plain_first
from timebank.cli.common import (ExcelOption, ForceOption, Format, FormatOption, FromOption, MonthOption,
                                 OutputOption, ToOption)  # the shared options, re-exported for the commands
from timebank.cli.streams import say  # the one way a command speaks: cleaned, and safe for any console
from timebank.i18n import N_, Words, _, get_language, words

if TYPE_CHECKING:
    from timebank.ledger.queries import Ledger


# The largest exchange, request or offer number a command accepts: far beyond any ledger,
# and within the database's 64-bit integers.
MAX_NUMBER = 999_999_999


class Lang(str, Enum):
    cy = "cy"
    en = "en"


class By(str, Enum):
    """Periods for summaries: months, or the quarters and years of the financial year
    (the setting year_start)."""

    month = "month"
    quarter = "quarter"
    year = "year"


@dataclass
class State:
    db: str | None
    _ledger: "Ledger | None" = field(default=None, repr=False)

    def ledger(self) -> "Ledger":
        """The ledger named by --db, which must exist and be initialised (upgraded if older)."""
        if self._ledger is None:
            from timebank.ledger.actions import ensure_current
            from timebank.ledger.queries import open_ledger

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
        from timebank.ledger.queries import open_ledger

        self.close()
        self._ledger = open_ledger(self.db)
        return self._ledger

    def new_ledger(self) -> "Ledger":
        """The ledger named by --db, created (an empty file) if there is none yet."""
        from timebank.ledger.queries import open_ledger

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


def user(by: str | None) -> str:
    from timebank.ledger.errors import InvalidInput
    from timebank.ledger.queries import MAX_USER, current_user

    try:
        return current_user(by)
    except InvalidInput:  # said with the command line's own names for where the name came from
        raise InvalidInput(_("'--by' (or TIMEBANK_USER) must be a name of at most {count} characters, "
                             "with no control characters.").format(count=MAX_USER)) from None


# Options many commands share, as Annotated types (their help is translated at build time).
ByOption = Annotated[Optional[str], typer.Option(
    "--by", help=N_("Who is making this change (default: TIMEBANK_USER, else your login name)."))]
MemberArgument = Annotated[str, typer.Argument(help=N_("Member number or name."), show_default=False)]
MemberOption = Annotated[Optional[str], typer.Option("--member", help=N_("Only this member's exchanges."))]
CategoryOption = Annotated[Optional[str], typer.Option("--category", help=N_("Only this category."))]


def _install_completion(ctx: typer.Context, param: Any, value: Optional[str]) -> None:
    from timebank.cli.completion import install

    install(ctx, param, value)


def _show_completion(ctx: typer.Context, param: Any, value: Optional[str]) -> None:
    from timebank.cli.completion import show

    show(ctx, param, value)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"timebank {__version__}")
        raise typer.Exit()


# Welsh names for the commands (aliases: the English names work in either language). The
# Welsh help lists each command under both names.
WELSH_COMMANDS = {
    "cychwyn": "init", "demo": "demo", "gosodiadau": "settings", "categori": "category", "gwirio": "check",
    "archwilio": "audit", "copi-wrth-gefn": "backup", "adfer": "restore", "aelod": "member", "cofnodi": "record",
    "cyfnewidiad": "exchange", "balans": "balance", "cyfriflen": "statement", "adroddiad": "report",
    "dyddlyfr": "journal", "allforio": "export", "mewnforio": "import", "cynnig": "offer", "cais": "request",
    "paru": "match", "sgrin": "ui", "canolfan": "centre", "canlyniad": "outcome", "partner": "partner",
}
WELSH_SUBCOMMANDS = {
    "ychwanegu": "add", "rhestr": "list", "dangos": "show", "golygu": "edit", "gadael": "leave",
    "ailymuno": "rejoin", "anghofio": "forget", "diddymu": "void", "misol": "monthly", "cyfnod": "period",
    "gosod": "set", "tynnu": "remove", "allforio": "export", "cais-mynediad": "access-request",
    "cwblhau": "done", "mesur": "measure", "cofnodi": "record", "canlyniadau": "outcomes", "nodau": "goals",
    "mewnforio": "import", "cyfriflen": "statement",
}

# Welsh names for the most used options: accepted in either language (`welsh_options`),
# and listed beside the English names in the Welsh help (`translate_help`).
WELSH_OPTIONS = {"--categori": "--category", "--dyddiad": "--date", "--nodyn": "--note", "--allbwn": "--output",
                 "--canolfan": "--centre"}
# Welsh names for the kinds of file `export` and `import` take (see `welsh_options`).
WELSH_KINDS = {"aelodau": "members", "cyfnewidiadau": "exchanges", "crynodeb": "summary", "ardaloedd": "areas",
               "llyfr-gwaith": "workbook"}


def welsh_options(args: list[str], root: Any) -> list[str]:
    """A line with the Welsh names of options (`--categori`) as their English names, for the
    options the command named on it has, and a Welsh kind of file (`export aelodau`) as its
    English name, as the Welsh command names are aliases. Words after `--` are left as typed."""
    command = root
    index = len(global_options.leading(args))  # the line is hoisted: the command's words follow these
    while index < len(args) and getattr(command, "get_command", None):
        found = command.get_command(None, args[index])
        if found is None:
            break
        command = found
        index += 1
    params = getattr(command, "params", [])
    own = {opt for param in params for opt in getattr(param, "opts", [])}
    takes_value = {opt for param in params if getattr(param, "param_type_name", "") == "option"
                   and not getattr(param, "is_flag", False) for opt in getattr(param, "opts", [])}
    kinds = any(getattr(param, "name", "") == "kind" and getattr(param, "param_type_name", "") == "argument"
                for param in params)
    line = list(args)
    position = index
    while position < len(line):
        word = line[position]
        if word == "--":
            break
        name, equals, value = word.partition("=")
        english = WELSH_OPTIONS.get(name)
        if english is not None and english in own:
            line[position] = english + equals + value
            name = english
        if name in takes_value and not equals:
            position += 1  # its value, as typed
        elif kinds and not word.startswith("-"):
            line[position] = WELSH_KINDS.get(word.lower(), word)
            kinds = False  # only the first word names the kind
        position += 1
    return line

class AskedForHelp(Exception):
    """A group named with nothing after it (`timebank member`): its help is the answer."""

    def __init__(self, ctx: Any) -> None:
        super().__init__()
        self.ctx = ctx


class AliasGroup(TyperGroup):
    """A command group that also answers to the Welsh name of each command."""

    aliases: dict[str, str] = WELSH_SUBCOMMANDS

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            raise AskedForHelp(ctx)
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        if get_language() != "cy":
            return super().format_commands(ctx, formatter)
        welsh = {english: name for name, english in self.aliases.items() if name != english}
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            shown = f"{welsh[name]} ({name})" if name in welsh else name
            rows.append((shown, command))
        if rows:
            limit = formatter.width - 6 - max(len(shown) for shown, _command in rows)
            with formatter.section(_("Commands")):
                formatter.write_dl([(shown, command.get_short_help_str(limit)) for shown, command in rows])


class RootGroup(AliasGroup):
    aliases = WELSH_COMMANDS


def english_name(name: str) -> str:
    return WELSH_COMMANDS.get(name, name)


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
    "centre": "centres",
    "outcome": "outcomes",
    "partner": "partners",
    "ui": "screen",
}
# Typer warns that it will drop `flag_value` (an option that may be given without its
# value); it still works in 0.29 (tests/test_keyboard.py proves it), and `--install-completion`
# needs it.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)

    def root(
        ctx: typer.Context,
        db: Annotated[Optional[str], typer.Option(
            "--db", envvar="TIMEBANK_DB", show_envvar=False,
            help=N_("The ledger: a SQLite file or a database URL (default: timebank.sqlite3 in your data "
                    "folder)."))] = None,
        lang: Annotated[Optional[Lang], typer.Option(
            "--lang", envvar="TIMEBANK_LANG", show_envvar=False,
            help=N_("Output language: cy (Cymraeg) or en (English)."))] = None,
        version: Annotated[bool, typer.Option(
            "--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))] = False,
        install_completion: Annotated[Optional[str], typer.Option(
            "--install-completion", is_flag=False, flag_value="auto", is_eager=True, expose_value=False,
            callback=_install_completion, metavar=N_("[SHELL]"),
            help=N_("Install shell completion (bash, zsh, fish or powershell; default: this shell)."))] = None,
        show_completion: Annotated[Optional[str], typer.Option(
            "--show-completion", is_flag=False, flag_value="auto", is_eager=True, expose_value=False,
            callback=_show_completion, metavar=N_("[SHELL]"),
            help=N_("Print the shell completion script, to install it by hand."))] = None,
    ) -> None:
        ctx.obj = State(db=db)
        ctx.call_on_close(ctx.obj.close)


def build_command(args: list[str] | None = None) -> Any:
    app = typer.Typer(
        name="timebank",
        cls=RootGroup,
        help=N_("A time bank ledger: one hour of help earns one time credit."),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    app.callback()(root)
    command = global_options.requested_command(args or [])
    wanted = COMMAND_MODULES.get(english_name(command or ""))
    # `timebank --version` (eager: it exits before any command runs) needs no command built.
    if not (command is None and "--version" in (args or [])):
        for name in dict.fromkeys(COMMAND_MODULES.values()):
            if wanted is None or name == wanted:
                importlib.import_module(f"timebank.cli.{name}").register(app)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # flag_value: see `root`
        built = typer.main.get_command(app)
    plain_first(built)  # values checked without Pydantic where Typer's answer is certain
    return built


def translate_help(command: Any) -> None:
    """Help, argument names and metavars in the interface language (they are message ids),
    and Typer's own words too: every command's context writes its help through
    `typer_words.TranslatedContext` (Click's `context_class`, the way to choose it)."""
    from timebank.cli.typer_words import TranslatedContext

    command.context_class = TranslatedContext
    for attribute in ("help", "short_help"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, _(text))
    welsh = {english: name for name, english in WELSH_OPTIONS.items()}
    for param in command.params:
        opts = getattr(param, "opts", None)
        if get_language() == "cy" and opts:
            param.opts = opts + [welsh[opt] for opt in opts if opt in welsh]
        if getattr(param, "help", None):
            param.help = _(param.help)
        if getattr(param, "metavar", None):
            param.metavar = _(param.metavar)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


def sub_app(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, cls=AliasGroup)


__all__ = ["MAX_NUMBER", "Lang", "Format", "By", "State", "state", "ledger", "interface", "say", "user",
           "build_command", "get_language", "FormatOption", "ByOption", "MemberArgument", "MemberOption",
           "CategoryOption", "FromOption", "ToOption", "MonthOption", "ForceOption", "OutputOption", "ExcelOption",
           "sub_app"]
