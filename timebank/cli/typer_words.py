"""Typer's own words (Usage, Options, Commands, its error messages) in the output language.

Typer writes these in English, so they are translated here: headings, the usage prefix and
the "[default: ...]" markers through a help formatter that every command's context uses
(`TranslatedContext`, set as each command's `context_class`, Click's way of choosing the
context), and usage errors by recognising each message Typer makes.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import typer

from timebank.i18n import N_, _

# Help-option text and section headings that Click and Typer write in English.
FIXED = {
    "Show this message and exit.": N_("Show this message and exit."),
    "Options": N_("Options"),
    "Arguments": N_("Arguments"),
    "Commands": N_("Commands"),
}
# Argument names Click puts in "Missing argument 'NAME'" messages.
ARGUMENT_NAMES = [N_("args"), N_("member"), N_("members"), N_("name"), N_("number"), N_("kind"), N_("file"),
                  N_("key"), N_("value"), N_("code"), N_("request"), N_("category"), N_("measure"), N_("score"),
                  N_("goals")]

OUTER: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []
INNER: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []


def _outer(pattern: str) -> Callable[[Callable[[re.Match[str]], str]], Callable[[re.Match[str]], str]]:
    def register(function: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        OUTER.append((re.compile(pattern, re.DOTALL), function))
        return function
    return register


def _inner(pattern: str) -> Callable[[Callable[[re.Match[str]], str]], Callable[[re.Match[str]], str]]:
    def register(function: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        INNER.append((re.compile(pattern, re.DOTALL), function))
        return function
    return register


def _argument(name: str) -> str:
    return _(name.strip("'")) if name.strip("'") in ARGUMENT_NAMES else name


def argument_name(name: str) -> str:
    """An argument's name as the help shows it, in the output language."""
    return _argument(name)


@_outer(r"^Invalid value for (?P<param>.+?): (?P<reason>.*)$")
def _invalid(m: re.Match[str]) -> str:
    param = re.sub(r"^'(\w+)'$", lambda n: f"'{_argument(n[1])}'", m["param"])
    return _("Invalid value for {option}: {reason}").format(option=param, reason=translate_reason(m["reason"]))


@_outer(r"^Missing argument '(?P<name>[^']+)'\.?$")
def _missing_argument(m: re.Match[str]) -> str:
    return _("Missing argument: {name}.").format(name=_argument(m["name"]))


@_outer(r"^Missing option '(?P<name>[^']+)'\.?$")
def _missing_option(m: re.Match[str]) -> str:
    return _("Missing option: {name}.").format(name=m["name"])


@_outer(r"^No such option: (?P<name>\S+)(?: Did you mean (?P<hint>\S+)\?)?$")
def _no_option(m: re.Match[str]) -> str:
    return _("No such option: {option}").format(option=m["name"])


@_outer(r"^No such command '(?P<name>.+)'\.$")
def _no_command(m: re.Match[str]) -> str:
    return _("No such command: {name}.").format(name=m["name"])


@_outer(r"^Option '(?P<name>.+)' requires an argument\.$")
def _needs_value(m: re.Match[str]) -> str:
    return _("The option {option} needs a value.").format(option=m["name"])


@_outer(r"^Got unexpected extra arguments? \((?P<args>.*)\)$")
def _extra(m: re.Match[str]) -> str:
    return _("Unexpected extra arguments: {arguments}").format(arguments=m["args"])


@_outer(r"^Missing command\.$")
def _missing_command(m: re.Match[str]) -> str:
    return _("Give a command.")


@_inner(r"^(?:Value error, )?'(?P<value>.*)' is not one of (?P<choices>.*)\.$")
def _choice(m: re.Match[str]) -> str:
    return _("'{value}' is not one of {choices}.").format(value=m["value"], choices=m["choices"])


@_inner(r"^Input should be a valid integer.*$")
def _integer(m: re.Match[str]) -> str:
    return _("a whole number is needed.")


@_inner(r"^Input should be greater than or equal to (?P<n>-?\d+)$")
def _at_least(m: re.Match[str]) -> str:
    return _("it must be at least {number}.").format(number=m["n"])


@_inner(r"^Input should be less than or equal to (?P<n>-?\d+)$")
def _at_most(m: re.Match[str]) -> str:
    return _("it must be at most {number}.").format(number=m["n"])


@_inner(r"^'(?P<value>.*)' is not a valid (?:int|integer)(?: range)?\.$")
def _click_integer(m: re.Match[str]) -> str:
    return _("a whole number is needed.")


@_inner(r"^(?P<value>-?\d+) is not in the range (?:(?P<low>-?\d+)<=)?x(?:>=(?P<floor>-?\d+))?(?:<=(?P<high>-?\d+))?\.$")
def _click_range(m: re.Match[str]) -> str:
    low = m["low"] or m["floor"]
    if low is not None and int(m["value"]) < int(low):
        return _("it must be at least {number}.").format(number=low)
    return _("it must be at most {number}.").format(number=m["high"])


MISSING_ARGUMENT = re.compile(r"^Missing argument '[^']+'\.?$")


def is_usage_error(error: Exception) -> bool:
    """A refusal of what was typed, which names its command (its usage is shown with it);
    Typer's other refusals are one line."""
    return hasattr(error, "ctx")


def usage_context(error: Exception) -> Any:
    return getattr(error, "ctx", None)


def is_missing_argument(error: typer.BadParameter) -> bool:
    """Typer's refusal of a command line that lacks an argument (which a person at a terminal
    is asked for)."""
    return (error.param is not None and error.param.param_type_name == "argument"
            and MISSING_ARGUMENT.match(error.format_message()) is not None)


def translate_reason(text: str) -> str:
    for pattern, function in INNER:
        found = pattern.match(text.strip())
        if found:
            return function(found)
    return text


def translate_error(message: str) -> str:
    for pattern, function in OUTER:
        found = pattern.match(message.strip())
        if found:
            return function(found)
    return message


METAVARS = {"<list[str]>": N_("text"), "<str>": N_("text"), "<int range>": N_("number"), "<int>": N_("number"),
            "<path>": N_("file"),
            "<list[path]>": N_("file")}


def translate_metavars(text: str) -> str:
    """Placeholders Typer writes in usage lines and option lists, in the output language."""
    text = text.replace("[OPTIONS]", "[" + _("OPTIONS") + "]").replace("COMMAND [ARGS]...",
                                                                     _("COMMAND") + " [" + _("ARGS") + "]...")
    for english, label in METAVARS.items():
        text = text.replace(english, "<" + _(label) + ">")
    return re.sub(r"([\[{])(\w+)([\]}])", lambda m: m[1] + _argument(m[2]) + m[3], text)


# What Typer adds after an option's help, in brackets: the default, "required", the
# environment variable, a number's range. Message ids for the first three.
EXTRAS = {"default: ": N_("default: {default}"), "env var: ": N_("env var: {var}")}
REQUIRED = N_("required")
NUMBER_RANGE = re.compile(r"^-?[\d.]*(?:<=?|>=?)?x(?:<=?|>=?)-?[\d.]*$")
TRAILING_EXTRAS = re.compile(r"(^|  )\[([^\[\]]*)\]$")


def translate_extras(text: str, *, ranges: bool = True) -> str:
    """A help text's bracketed extras ("[default: table; required]") in the output language;
    without `ranges`, a number's range is left out (an argument's help never showed it)."""
    found = TRAILING_EXTRAS.search(text)
    if found is None:
        return text
    pieces: list[str] = []
    for piece in found[2].split("; "):
        if piece == "required":
            pieces.append(_(REQUIRED))
        elif piece.startswith(tuple(EXTRAS)):
            label, value = piece.split(": ", 1)
            message = EXTRAS[label + ": "]
            pieces.append(_(message).format(**{"default" if label == "default" else "var": value}))
        elif NUMBER_RANGE.match(piece):
            if ranges:
                pieces.append(piece)
        else:
            return text  # brackets of the help text itself, not Typer's
    if not pieces:
        return text[:found.start()]
    return text[:found.start()] + found[1] + "[" + "; ".join(pieces) + "]"


def _arguments(ctx: Any) -> list[Any]:
    command = getattr(ctx, "command", None)
    return [param for param in getattr(command, "params", []) if param.param_type_name == "argument"]


def _choices(ctx: Any, param: Any) -> str:
    """A choice argument's values as Typer shows them after its name ("<a|b|c>"), else "".
    (Typer 0.29 puts a space before them, earlier releases a colon.)"""
    record = param.get_help_record(ctx)
    found = re.search(r"[ :](<[^<>]*\|[^<>]*>)$", record[0]) if record else None
    return found[1] if found else ""


def argument_term(ctx: Any, param: Any, *, usage: bool) -> str:
    """How an argument is named in the usage line and the Arguments list: its metavar, or its
    name with a choice's values after a colon and "..." for several (`{kind}:<a|b>`)."""
    if param.metavar is not None:
        name = param.metavar
        if usage and not name.startswith("["):
            name = f"{{{name}}}" if param.required else f"[{name}]"
        return str(name)
    name = param.name or ""
    if usage:
        name = f"{{{name}}}" if param.required else f"[{name}]"
    choices = _choices(ctx, param)
    if choices:
        name += ":" + choices
    if param.nargs != 1:
        name += "..."
    return str(name)


def make_formatter_class(base: Any) -> Any:
    """Typer's help formatter (`typer.Context.formatter_class`), writing in the output language."""

    class TranslatedHelpFormatter(base):
        context: Any = None  # the context whose help is being written (see TranslatedContext)
        heading: str | None = None

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            for param in _arguments(self.context):
                pieces = param.get_usage_pieces(self.context)
                if pieces:
                    args = args.replace(" ".join(pieces), argument_term(self.context, param, usage=True), 1)
            super().write_usage(prog, translate_metavars(args), prefix=_("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self.heading = heading
            super().write_heading(_(FIXED[heading]) if heading in FIXED else heading)

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            arguments = self.heading == "Arguments"
            if arguments:
                terms = {}
                for param in _arguments(self.context):
                    record = param.get_help_record(self.context)
                    if record:
                        terms[record[0]] = argument_term(self.context, param, usage=False)
                rows = [(terms.get(term, term), text) for term, text in rows]
            rows = [(translate_metavars(term), _(FIXED[text]) if text in FIXED
                     else translate_extras(text, ranges=not arguments)) for term, text in rows]
            if arguments:
                # An argument's row starts with its name ("member", or "member <text>").
                rows = [(re.sub(r"^\w+", lambda m: _argument(m[0]), term), text) for term, text in rows]
            super().write_dl(rows, *args, **kwargs)

    return TranslatedHelpFormatter


class TranslatedContext(typer.Context):
    """The context of every command of the tree: its help is written in the output language."""

    formatter_class = make_formatter_class(typer.Context.formatter_class)

    def make_formatter(self) -> Any:
        formatter: Any = super().make_formatter()
        formatter.context = self
        return formatter


# Typer's word for an abort, said by `main`: marked so that it is in our catalogues.
N_("Aborted!")
