"""Typer's checking of each value typed, without Pydantic for the values that need none.

Typer (0.29) checks every parameter's value through a Pydantic `TypeAdapter`, built for
each parameter when the line is parsed: importing Pydantic and building the adapters cost a
point command about a tenth of its CPU time (balance, record and member show build 9 to 17
of them), mostly for text that is already text and options that were not given. Here each
parameter first tries the plain answer Typer's adapter would give, for the kinds of value
whose answer is certain: text as typed, a list of texts, a choice named exactly as one of its
options (Typer's own choice rule, `coerce_cli_choice`). Anything else (numbers, a parser of
our own, a choice that is not one of the options, so its error message is Typer's own) goes
to Typer's adapter, built then, so every answer and every refusal is exactly Typer's.

An unknown version of Typer (no `_runtime_param` to fill in, or a different `RuntimeParam`)
is left as it is: the commands work the same, only without the saving.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, get_args, get_origin

try:
    import dataclasses

    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice

    if [field.name for field in dataclasses.fields(RuntimeParam)] != ["parameter_info", "annotation"]:
        raise ImportError("a RuntimeParam of another shape")
except (ImportError, TypeError):  # another Typer: its own way, unchanged
    RuntimeParam = None  # type: ignore[assignment,misc]


def _plain(annotation: Any, value: Any, case_sensitive: bool, ctx: Any) -> tuple[bool, Any]:
    """(True, the value Typer's adapter would return) where that is certain, else (False, None)."""
    if annotation is str:
        return (True, value) if type(value) is str else (False, None)
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        # Typer's list adapter answers a list, each item checked as text.
        if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
            return True, list(value)
        return False, None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return True, coerce_cli_choice(value, choices=tuple(annotation), case_sensitive=case_sensitive, ctx=ctx)
        except ValueError:  # not one of the options: Typer's adapter says so, in its words
            return False, None
    return False, None


if RuntimeParam is not None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class PlainFirst(RuntimeParam):
        """A parameter's check: the plain answer where it is certain, else Typer's adapter."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.parameter_info.parser is None:
                certain, plain = _plain(self.annotation, value, self.parameter_info.case_sensitive, ctx)
                if certain:
                    return plain
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)


def _fill(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or descriptor.file_annotation is not None or "_runtime_param" not in vars(param) \
            or param._runtime_param is not None:
        return
    param._runtime_param = PlainFirst(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)


def plain_first(command: Any) -> None:
    """Every parameter of `command` and its subcommands checks plain values without Pydantic,
    --help too (made by each command when a line is parsed)."""
    if RuntimeParam is None:
        return
    for param in getattr(command, "params", []):
        _fill(param)
    help_option = getattr(command, "get_help_option", None)
    if help_option is not None:
        def with_plain_help(ctx: Any, made: Any = help_option) -> Any:
            option = made(ctx)
            if option is not None:
                _fill(option)
            return option

        command.get_help_option = with_plain_help
    for sub in getattr(command, "commands", {}).values():
        plain_first(sub)
