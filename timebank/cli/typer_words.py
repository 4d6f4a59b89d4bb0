"""Typer's own words (Usage, Options, Commands, its error messages) in the output language.

Typer's vendored Click writes these as English literals, so they are translated here:
headings and the usage prefix through a help formatter, "[default: ...]" markers through
Typer's gettext hook, and usage errors by recognising each message Click and Typer make.
"""

from __future__ import annotations

import re
from typing import Any, Callable

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
                  N_("key"), N_("value"), N_("code"), N_("request"), N_("category")]

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


def make_formatter_class(base: type) -> type:
    class TranslatedHelpFormatter(base):  # type: ignore[misc, valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, translate_metavars(args), prefix=_("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            self._timebank_heading = heading
            super().write_heading(_(FIXED[heading]) if heading in FIXED else heading)

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            rows = [(translate_metavars(term), _(FIXED[text]) if text in FIXED else text) for term, text in rows]
            if getattr(self, "_timebank_heading", None) in ("Arguments", _("Arguments")):
                # An argument's row starts with its name ("member", or "member <text>").
                rows = [(re.sub(r"^\w+", lambda m: _argument(m[0]), term), text) for term, text in rows]
            super().write_dl(rows, *args, **kwargs)

    return TranslatedHelpFormatter


def install() -> None:
    """Route Typer's own words through our catalogues (once per process)."""
    import typer.core
    from typer._click import core as click_core

    if getattr(click_core.Context, "_timebank_translated", False):
        return
    click_core.Context.formatter_class = make_formatter_class(click_core.Context.formatter_class)
    click_core.Context._timebank_translated = True  # type: ignore[attr-defined]
    typer.core._ = _  # type: ignore[attr-defined]
    # "default: {default}", "required", "env var: {var}", "(dynamic)", "Aborted!" are
    # Typer's gettext calls: mark them so that they are in our catalogues.
    N_("default: {default}")
    N_("required")
    N_("env var: {var}")
    N_("Aborted!")
