"""Entry point. Chooses the language before the app (and its help text) is built, and is
the one place that turns errors into a message and an exit code."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from timebank.i18n import _, normalise_language, set_language, system_language


def _option_value(args: list[str], name: str) -> str | None:
    """The value of a global option as typed (`--lang cy` or `--lang=cy`), before the command."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _ledger_language(db: str | None) -> str | None:
    """The ledger's own `lang` setting, read with the standard library only (so that help
    in the ledger's language costs no SQLAlchemy import)."""
    value = db or os.environ.get("TIMEBANK_DB")
    if value is None:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("timebank", appauthor=False)) / "timebank.sqlite3"
    elif "://" in value:
        if value.startswith("postgresql"):
            return _postgres_language(value)
        if not value.startswith("sqlite:///"):
            return None
        path = Path(value[len("sqlite:///"):])
    else:
        path = Path(value)
    import sqlite3

    try:
        if not path.is_file():
            return None
        # A plain connection, closed at once. (A `mode=ro` connection to a WAL database
        # lost other processes' commits under load here: never open one.)
        conn = sqlite3.connect(path.expanduser().resolve(), timeout=5)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'lang'").fetchone()
        finally:
            conn.close()
        return normalise_language(row[0]) if row else None
    except (sqlite3.Error, OSError, ValueError):
        return None


def _postgres_language(url: str) -> str | None:
    """The `lang` setting of a PostgreSQL ledger, read with the driver alone."""
    try:
        import psycopg

        conninfo = re.sub(r"^postgresql\+\w+://", "postgresql://", url)
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'lang'").fetchone()
        return normalise_language(row[0]) if row else None
    except Exception:  # noqa: BLE001 - no server, no table, no driver: fall back
        return None


def choose_language(args: list[str]) -> str:
    """--lang, then TIMEBANK_LANG, then the ledger's setting, then the system locale, else English."""
    return (normalise_language(_option_value(args, "--lang"))
            or normalise_language(os.environ.get("TIMEBANK_LANG"))
            or _ledger_language(_option_value(args, "--db"))
            or system_language()
            or "en")


def run(args: list[str] | None = None) -> int:
    """Run one command line; returns the exit code."""
    args = list(sys.argv[1:] if args is None else args)
    set_language(choose_language(args))

    from typer import Abort
    from typer._click.exceptions import ClickException, UsageError

    from timebank.cli import typer_words
    from timebank.cli.app import build_command
    from timebank.ledger.errors import TimebankError

    typer_words.install()
    command = build_command(args)
    try:
        result = command.main(args=args, prog_name="timebank", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except UsageError as error:
        _print_usage_error(error, typer_words.translate_error(error.format_message()))
        return error.exit_code
    except ClickException as error:
        _print_error(typer_words.translate_error(error.format_message()))
        return error.exit_code
    except Abort:
        _print_error(_("Aborted!"))
        return 1
    except TimebankError as error:
        _print_error(error.message)
        return error.code
    except KeyboardInterrupt:
        _print_error(_("Interrupted: nothing more was written."))
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:  # noqa: BLE001 - the last guard against a traceback
        if os.environ.get("TIMEBANK_DEBUG"):
            import traceback

            traceback.print_exc()
        _print_error(_("Unexpected error ({kind}): {error}. Nothing was changed. "
                       "Set TIMEBANK_DEBUG=1 for details.").format(kind=type(error).__name__,
                                                                    error=str(error).splitlines()[0] if str(error) else ""))
        return 1
    return 0


def _print_usage_error(error, message: str) -> None:  # type: ignore[no-untyped-def]
    from timebank.ledger.text import printable

    sys.stdout.flush()
    if error.ctx is not None:
        for line in error.ctx.get_usage().splitlines():
            print(printable(line), file=sys.stderr)
        print(printable(_("Try '{command} --help' for help.").format(command=error.ctx.command_path)), file=sys.stderr)
        print(file=sys.stderr)
    print(printable(_("Error: {message}").format(message=message)), file=sys.stderr)


def _print_error(message: str) -> None:
    """Every refusal and failure: one line, cleaned of control characters (the message may
    quote what was typed, a name, or a file's name)."""
    from timebank.ledger.text import printable

    sys.stdout.flush()
    print(printable(message), file=sys.stderr)


def main() -> None:
    sys.exit(run())
