"""The global options (`--db`, `--lang`) as typed on the command line: read here, once, for
every part of the front that needs them before Typer parses the line (choosing the language,
building only the command asked for, the Ctrl-C message).

Imported by `timebank.cli.interrupts` before anything else, so it uses built-ins only (no
`typing`, no Typer).
"""

from __future__ import annotations

# The global options that take a value; the others (`--version`, `--help`, the completion
# options) are flags or eager and need no reading before the parse.
WITH_VALUES = ("--db", "--lang")


def option_value(args: list[str], name: str) -> str | None:
    """The value of an option as typed (`--lang cy` or `--lang=cy`) in `args`; the first one
    wins, and nothing after `--` is an option."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _front(args: list[str]) -> int:
    """How many words at the start of `args` are global options (with their values)."""
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        if args[index] in WITH_VALUES and index + 1 < len(args):
            index += 1
        index += 1
    return index


def leading(args: list[str]) -> list[str]:
    """The global options at the front of a normalised line (see `hoist`)."""
    return args[:_front(args)]


def requested_command(args: list[str]) -> str | None:
    """The command named on the line, skipping global options; None for none or --help."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in WITH_VALUES:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def hoist(args: list[str], root: object) -> list[str]:
    """`--db` and `--lang` may come after the command: move them before it, unless the
    command has an option of the same name (a member's own `--lang` in `member add`), which
    then wins. `root` is the command tree (its `get_command` finds each word's command).
    Returns the line with every global option before the command."""
    index = _front(args)
    front = args[:index]
    command = root
    path: list[str] = []
    while index < len(args) and not args[index].startswith("-"):
        sub = getattr(command, "get_command", None)
        found = sub(None, args[index]) if sub else None
        if found is None:
            break
        command = found
        path.append(args[index])
        index += 1
    own = {opt for param in getattr(command, "params", []) for opt in getattr(param, "opts", [])}
    rest: list[str] = []
    hoisted: list[str] = []
    tail = args[index:]
    position = 0
    while position < len(tail):
        arg = tail[position]
        if arg == "--":
            rest += tail[position:]
            break
        name = arg.split("=", 1)[0]
        if name in WITH_VALUES and name not in own:
            if "=" in arg:
                hoisted.append(arg)
            else:
                hoisted += tail[position:position + 2]
                position += 1
        else:
            rest.append(arg)
        position += 1
    return front + hoisted + path + rest


def typed_language(args: list[str]) -> str | None:
    """`--lang` as typed, if any."""
    return option_value(args, "--lang")


def typed_ledger(args: list[str]) -> str | None:
    """`--db` as typed, if any."""
    return option_value(args, "--db")
