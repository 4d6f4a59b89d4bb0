"""Shell completion (bash, zsh, fish, PowerShell): installing it, and what it offers --
commands and options (Click's own), member names and numbers, and categories in both
languages. A completion runs on every Tab press, so it reads the ledger with the standard
library alone (`ledger.lookup`) and builds only the commands of the line being completed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from timebank.i18n import _, fold

COMPLETE_VAR = "_TIMEBANK_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _db(ctx: Any) -> str | None:
    root = ctx.find_root() if ctx is not None else None
    return (root.params.get("db") if root is not None else None) or os.environ.get("TIMEBANK_DB")


def members(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Active members by name (accent-insensitive prefix), or by number with the name as help."""
    from timebank.ledger.queries import members_matching

    found = members_matching(_db(ctx), incomplete)
    if incomplete.lstrip("#").isdigit():
        return [(str(number), name) for number, name in found]
    return [(name, f"#{number}") for number, name in found]


def categories(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Category codes and names, English and Welsh alike."""
    from timebank.ledger.queries import category_codes

    wanted = fold(incomplete)
    offered: list[tuple[str, str]] = []
    for row in category_codes(_db(ctx)):
        code, english, welsh = row[0], row[1], row[2]
        codes = [code] + [c for c in row[3:] if c]
        for value in codes:
            if fold(value).startswith(wanted):
                offered.append((value, f"{english} / {welsh}"))
    return offered


def record_arguments(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """GIVER RECEIVER HOURS: members for the first two places, nothing for the hours."""
    typed = ctx.params.get("args") or []
    return members(ctx, incomplete) if len(typed) < 2 else []


# Which parameters complete to what, by parameter name.
COMPLETERS = {"member": members, "members": members, "giver": members, "receiver": members,
              "category": categories, "args": record_arguments}


def attach(command: Any) -> None:
    """Give the member and category parameters of the command tree their completions.
    (Typer's own hook keeps only values that start with what was typed, exactly: 'si'
    would never find 'Siân'.)"""
    from typer._click.shell_completion import CompletionItem

    def completer(function: Any) -> Any:
        def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
            return [CompletionItem(value, help=help_text) for value, help_text in function(ctx, incomplete)]
        return complete

    for param in command.params:
        function = COMPLETERS.get(param.name or "")
        if function is not None and not (param.name == "args" and command.name != "record"):
            param._custom_shell_complete = completer(function)
    for sub in getattr(command, "commands", {}).values():
        attach(sub)


def line_being_completed() -> list[str] | None:
    """The words of the command line the shell asks about, when it asks (so that only the
    commands of that line are built)."""
    if not os.environ.get(COMPLETE_VAR):
        return None
    if "COMP_WORDS" in os.environ:
        return split_words(os.environ["COMP_WORDS"])[1:]
    return split_words(os.environ.get("_TYPER_COMPLETE_ARGS", ""))[1:]


def split_words(line: str) -> list[str]:
    """The words of a shell line as the shell would split them; a quote still open (the word
    being typed) ends the last word instead of failing."""
    import shlex

    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        for word in lexer:
            words.append(word)
    except ValueError:  # "No closing quotation": what was typed so far is the last word
        words.append(lexer.token)
    return words


def normalise_instruction() -> None:
    """Accept Click's order (`bash_complete`) as well as Typer's (`complete_bash`)."""
    value = os.environ.get(COMPLETE_VAR, "")
    if not value:
        return
    head, _sep, tail = value.partition("_")
    if head in SHELLS and tail in ("complete", "source"):
        os.environ[COMPLETE_VAR] = f"{tail}_{head}"
    _register_shells()


def _register_shells() -> None:
    from typer.completion import completion_init

    completion_init()


def _shell(value: str) -> str:
    if value and value != "auto":
        if value not in SHELLS:
            from timebank.ledger.errors import InvalidInput

            raise InvalidInput(_("'{shell}' is not a shell timebank can complete in: use bash, zsh, fish or "
                                 "powershell.").format(shell=value))
        return value
    if sys.platform == "win32":
        return "powershell"
    try:
        import shellingham  # type: ignore[import-untyped]  # Typer's dependency, untyped

        return shellingham.detect_shell()[0]
    except Exception:  # no shell to detect: fall back on $SHELL
        return os.path.basename(os.environ.get("SHELL", "bash")) or "bash"


def script(shell: str) -> str:
    from typer._completion_shared import get_completion_script

    _register_shells()
    return get_completion_script(prog_name="timebank", complete_var=COMPLETE_VAR,
                                 shell="powershell" if shell == "pwsh" else shell)


def show(ctx: typer.Context, param: Any, value: str | None) -> None:
    if not value or ctx.resilient_parsing:
        return
    typer.echo(script(_shell(value)))
    raise typer.Exit()


def install(ctx: typer.Context, param: Any, value: str | None) -> None:
    if not value or ctx.resilient_parsing:
        return
    shell = _shell(value)
    if shell in ("powershell", "pwsh"):
        path = _install_powershell(shell)
    else:
        from typer._completion_shared import install as typer_install

        _shell_name, path = typer_install(shell=shell, prog_name="timebank", complete_var=COMPLETE_VAR)
    from timebank.cli.streams import say

    say(_("Completion for {shell} is installed in {path}; it works in the next terminal you open.").format(
        shell=shell, path=path))
    raise typer.Exit()


def _install_powershell(shell: str) -> Any:
    """Add the completion script to the PowerShell profile. (Unlike Typer's installer, this
    leaves the execution policy alone: a centre's laptop may have it locked for a reason.)"""
    import subprocess
    from pathlib import Path

    from timebank.ledger.errors import LedgerUnusable

    try:
        profile = subprocess.run([shell, "-NoProfile", "-Command", "echo $PROFILE"], capture_output=True,
                                 text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        raise LedgerUnusable(_("PowerShell could not be asked where its profile is: run "
                               "'timebank --show-completion powershell' and add what it prints to your "
                               "profile.")) from None
    path = Path(profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + script(shell) + "\n")
    return path
