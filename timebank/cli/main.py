"""Entry point. Chooses the language before the app (and its help text) is built, and is
the one place that turns errors into a message and an exit code."""

from __future__ import annotations

import os
import sys
from typing import Any

from timebank.cli import global_options
from timebank.i18n import _, normalise_language, set_language, system_language, tell
from timebank.ledger.queries import ledger_language


def choose_language(args: list[str]) -> str:
    """--lang, then TIMEBANK_LANG, then the ledger's setting, then the system locale, else English.
    `args` are normalised: the global options stand before the command."""
    return (normalise_language(global_options.typed_language(args))
            or normalise_language(os.environ.get("TIMEBANK_LANG"))
            or ledger_language(global_options.typed_ledger(args))
            or system_language()
            or "en")


INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl-C (128 + SIGINT)


def run(args: list[str] | None = None) -> int:
    """Run one command line; returns the exit code."""
    args = list(sys.argv[1:] if args is None else args)
    from timebank.cli import streams

    streams.prepare()  # UTF-8 to pipes and files, plain letters for a terminal that lacks some

    from typer import Abort, TyperException

    from timebank.cli import typer_words
    from timebank.cli.app import AskedForHelp, build_command, translate_help, welsh_options
    from timebank.ledger.errors import FileExists, TimebankError

    from timebank.cli.completion import line_being_completed, normalise_instruction

    normalise_instruction()
    completing = line_being_completed()
    command = build_command(completing if completing is not None else args)
    if completing is not None:
        from timebank.cli.completion import attach

        attach(command)
    args = welsh_options(global_options.hoist(args, command), command)
    set_language(choose_language(global_options.leading(args)))
    translate_help(command)
    try:
        from timebank.cli import interrupts

        interrupts.work_begins()  # from here Ctrl-C raises KeyboardInterrupt (rolls back, said below)
        result = _main_asking_for_missing(command, args)
        if result == INTERRUPTED:
            # Typer turns Ctrl-C inside a command into a bare exit code; say what it means.
            raise KeyboardInterrupt
        return result if isinstance(result, int) else 0
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except AskedForHelp as asked:
        if opens_screen(asked.ctx):
            return run(args + ["ui"])
        # A bare group (`timebank member`) asks for its help: that is an answer, not an error.
        print(asked.ctx.get_help())
        return 0
    except TyperException as error:  # what Typer refuses: a usage error (it knows its command), or another
        if not typer_words.is_usage_error(error):
            _print_error(typer_words.translate_error(error.format_message()))
            return error.exit_code
        ctx = typer_words.usage_context(error)
        if error.format_message() == "Missing command." and ctx is not None:
            if opens_screen(ctx):
                return run(args + ["ui"])
            # `timebank --db FILE` with nothing after: help, as for a bare `timebank`.
            print(ctx.get_help())
            return 0
        _print_usage_error(ctx, typer_words.translate_error(error.format_message()))
        return error.exit_code
    except Abort as error:
        if isinstance(error.__context__, KeyboardInterrupt):  # Click turns Ctrl-C into Abort
            _print_error(_("Interrupted: nothing more was written."))
            return INTERRUPTED
        _print_error(_("Aborted!"))
        return 1
    except FileExists as error:
        # The core names no flag: the command line says how to replace the file.
        _print_error(_("{path} already exists: add --force to replace it.").format(path=error.path))
        return error.code
    except TimebankError as error:
        _print_error(tell(error))
        return error.code
    except KeyboardInterrupt:
        _print_error(_("Interrupted: nothing more was written."))
        return INTERRUPTED
    except BrokenPipeError:
        return 1
    except Exception as error:  # the last guard against a traceback
        if os.environ.get("TIMEBANK_DEBUG"):
            import traceback

            traceback.print_exc()
        first_line = str(error).splitlines()[0] if str(error) else ""
        _print_error(_("Unexpected error ({kind}): {error}. Nothing was changed. "
                       "Set TIMEBANK_DEBUG=1 for details.").format(kind=type(error).__name__, error=first_line))
        return 1
    return 0


def opens_screen(ctx: Any) -> bool:
    """Bare `timebank` (perhaps with --db or --lang) opens the screen for a person at a
    terminal; a script still gets the help, and exit code 0."""
    from timebank.cli.common import interactive

    return ctx is not None and ctx.parent is None and interactive()


def _main_asking_for_missing(command: Any, args: list[str]) -> Any:
    """Run the command; at a terminal, a missing argument is asked for rather than refused."""
    from typer import BadParameter

    from timebank.cli.common import asked, interactive
    from timebank.cli.streams import say
    from timebank.cli.typer_words import argument_name, is_missing_argument, translate_error

    answered: Any = None  # the argument whose answer was added last
    while True:
        try:
            return command.main(args=args, prog_name="timebank", standalone_mode=False)
        except BadParameter as missing:
            param = missing.param
            if param is not None and answered is param and interactive():
                # The answer just given was not one Typer takes (a number, a choice): say why
                # in one line and ask again, rather than end the command.
                say(translate_error(missing.format_message()), err=True)
                args = args[:-1]
            elif param is None or not is_missing_argument(missing) or not interactive():
                raise
            name = argument_name(param.name or "")
            args = args + [asked(name[:1].upper() + name[1:])]
            answered = param


def _print_usage_error(ctx: Any, message: str) -> None:
    from timebank.cli.streams import say

    if ctx is not None:
        for line in ctx.get_usage().splitlines():
            say(line, err=True)
        say(_("Try '{command} --help' for help.").format(command=ctx.command_path), err=True)
        say("", err=True)
    say(_("Error: {message}").format(message=message), err=True)


def _print_error(message: str) -> None:
    """Every refusal and failure: one line, cleaned of control characters (the message may
    quote what was typed, a name, or a file's name)."""
    from timebank.cli.streams import say

    say(message, err=True)  # never fails: stdout may be closed or full, stderr too


def main() -> None:
    sys.exit(run())
