"""The faces stay faces: neither the command line nor the screen opens a session or runs
SQL (every read is one `timebank.ledger.queries` call), and every command that changes the
ledger goes through one `timebank.ledger.actions` function (or the importer of `io`).

Both are read from the code itself: the files under timebank/cli and timebank/ui (their
syntax trees), and the command tree the command line builds, each command's function
followed into the helpers of the command line it calls. A new command must be put in one
of the tables below before this test passes."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import types
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import timebank
from timebank.ledger import actions

SOURCE = Path(timebank.__file__).resolve().parent
FACES = [SOURCE / "cli", SOURCE / "ui"]

# Part (a): no session, no SQL ---------------------------------------------------------------

SESSION_METHODS = {"execute", "scalars", "scalar", "get", "add", "flush", "commit"}
SNAPSHOTS = {"reading", "writing", "Session", "sessionmaker", "create_engine"}


def session_use(source: str, filename: str = "<source>") -> list[str]:
    """Where `source` uses a session or opens a snapshot: `session.execute(...)`, `reading(...)`,
    `writing(...)`, an import of SQLAlchemy."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in SESSION_METHODS
                    and isinstance(func.value, ast.Name) and "session" in func.value.id.lower()):
                found.append(f"{where}: {func.value.id}.{func.attr}(...)")
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in SNAPSHOTS:
                found.append(f"{where}: {name}(...)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(module.split(".")[0] == "sqlalchemy" for module in modules):
                found.append(f"{where}: imports SQLAlchemy")
    # And as text, whatever the syntax around it (a call through a variable of another name).
    for number, line in enumerate(source.splitlines(), 1):
        if re.search(r"\bsession\.(execute|scalars)\b", line):
            found.append(f"{filename}:{number}: {line.strip()}")
    return found


def face_files() -> Iterator[Path]:
    for folder in FACES:
        yield from sorted(folder.rglob("*.py"))


def test_no_face_opens_a_session_or_runs_sql() -> None:
    files = list(face_files())
    assert len(files) > 20
    found = [use for path in files for use in session_use(path.read_text(encoding="utf-8"),
                                                           str(path.relative_to(SOURCE)))]
    assert found == []


def test_the_scanner_finds_a_session() -> None:
    # The scan above can fail: each way of reading the ledger directly is seen.
    assert session_use("with reading(ledger) as session:\n    rows = session.execute(query)\n")
    assert len(session_use("def f(s):\n    return s.scalars(q)\n")) == 0  # not a session by name...
    assert session_use("x = the_session.scalars(q)\n")                     # ...this one is
    assert session_use("from sqlalchemy import select\n")
    assert session_use("with db.writing(ledger) as s:\n    pass\n")
    assert session_use("def f():\n    from timebank.ledger.storage.db import reading\n    reading(x)\n")


# Part (b): every write command through one action ------------------------------------------

A = "timebank.ledger.actions."
# Each command that changes the ledger (or, for `check`, may finish an erasure's scrub, and
# for `backup`, copies it) and the core functions it must call: exactly these actions.
WRITES: dict[tuple[str, ...], set[str]] = {
    ("init",): {A + "initialise"},
    ("demo",): {A + "make_demo"},
    ("check",): {A + "check"},
    ("backup",): {A + "backup"},
    ("restore",): {A + "restore"},
    ("settings", "set"): {A + "set_setting"},
    ("category", "add"): {A + "new_category"},
    ("category", "goals"): {A + "set_category_goals"},
    ("centre", "add"): {A + "new_centre"},
    ("partner", "add"): {A + "add_partner"}, ("partner", "edit"): {A + "edit_partner"},
    ("partner", "leave"): {A + "leave_partner"}, ("partner", "export"): {A + "export_partner"},
    ("partner", "import"): {A + "import_partner"},
    ("member", "access-request", "log"): {A + "log_access_request"},
    ("member", "access-request", "done"): {A + "close_access_request"},
    ("outcome", "measure", "add"): {A + "add_outcome_measure"},
    ("outcome", "record"): {A + "record_outcome"},
    ("member", "add"): {A + "add_member"},
    ("member", "edit"): {A + "edit_member"},
    ("member", "leave"): {A + "leave"},
    ("member", "rejoin"): {A + "rejoin"},
    ("member", "forget"): {A + "forget"},
    # A copy of a member's data is read whole, and its making goes on the audit.
    ("member", "export"): {A + "copy_given"},
    ("record",): {A + "record"},
    ("exchange", "void"): {A + "void"},
    ("offer", "add"): {A + "add_listing"},
    ("offer", "remove"): {A + "remove_listing"},
    ("request", "add"): {A + "add_listing"},
    ("request", "remove"): {A + "remove_listing"},
}
# The importers of `io`: each import is one transaction of theirs (a TimeOverflow move-in too).
IMPORTERS = {("import",): {"timebank.io.imports.import_file", "timebank.io.moving_in.import_timeoverflow"}}
# Commands that only read: each through `queries` (or `io`'s journal, one read of its own).
READS = {("settings", "show"), ("category", "list"), ("centre", "list"), ("partner", "list"), ("partner", "statement"),
         ("audit",), ("member", "list"),
         ("member", "show"), ("member", "access-request", "list"),
         ("outcome", "measure", "list"), ("report", "outcomes"),
         ("exchange", "list"), ("exchange", "show"), ("balance",), ("statement",), ("report", "monthly"),
         ("report", "period"), ("journal",), ("export",), ("match",), ("offer", "list"), ("request", "list")}
# The screen: its pages read and write through the same core (checked by part (a) and its tests).
OTHERS = {("ui",)}


def commands() -> dict[tuple[str, ...], Callable[..., Any]]:
    """Every command of the command line, by its path, as the function that runs it."""
    from timebank.cli.app import build_command

    found: dict[tuple[str, ...], Callable[..., Any]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, path + (name,))
        else:
            found[path] = inspect.unwrap(command.callback)

    walk(build_command([]), ())
    return found


def _bindings(tree: ast.AST) -> dict[str, str]:
    """Names bound by the imports inside a function: name -> dotted path."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:                 # import a.b as c: c is a.b
                    bound[alias.asname] = alias.name
                else:                            # import a.b: a is a
                    top = alias.name.split(".")[0]
                    bound[top] = top
    return bound


def _resolve(name: str, bound: dict[str, str], scope: dict[str, Any]) -> tuple[str | None, Any]:
    if name in bound:
        return bound[name], None
    value = scope.get(name)
    if isinstance(value, types.ModuleType):
        return value.__name__, None
    if callable(value) and getattr(value, "__module__", None):
        return f"{value.__module__}.{getattr(value, '__qualname__', name)}", value
    return None, None


def calls(function: Callable[..., Any], seen: set[Any] | None = None) -> set[str]:
    """The dotted names of what `function` calls, and what the command line's own helpers it
    calls call in turn (imports inside the functions resolved)."""
    seen = set() if seen is None else seen
    if function in seen:
        return set()
    seen.add(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    bound, scope = _bindings(tree), function.__globals__
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, target = node.func, None
        if isinstance(func, ast.Name):
            dotted, target = _resolve(func.id, bound, scope)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            base, _value = _resolve(func.value.id, bound, scope)
            dotted = f"{base}.{func.attr}" if base else None
        else:
            dotted = None
        if dotted is None:
            continue
        found.add(dotted)
        if target is not None and inspect.isfunction(target) and target.__module__.startswith("timebank.cli."):
            found |= calls(target, seen)
    return found


def test_every_command_is_a_write_a_read_or_the_screen() -> None:
    known = set(WRITES) | set(IMPORTERS) | READS | OTHERS
    assert set(commands()) == known  # a new command goes into one of the tables above


@pytest.mark.parametrize("path", sorted(WRITES), ids=" ".join)
def test_each_write_command_is_one_action(path: tuple[str, ...]) -> None:
    for name in WRITES[path]:
        assert callable(getattr(actions, name.removeprefix(A), None)), name
    reached = calls(commands()[path])
    assert {name for name in reached if name.startswith(A)} == WRITES[path], reached


def test_import_goes_through_the_importers() -> None:
    reached = calls(commands()[("import",)])
    assert IMPORTERS[("import",)] <= reached
    assert {name for name in reached if name.startswith(A)} == set()


@pytest.mark.parametrize("path", sorted(READS), ids=" ".join)
def test_each_read_command_reads_through_queries_and_writes_nothing(path: tuple[str, ...]) -> None:
    reached = calls(commands()[path])
    assert {name for name in reached if name.startswith(A)} == set(), reached
    assert any(name.startswith("timebank.ledger.queries.") or name == "timebank.io.journal.read_journal"
               for name in reached), reached


def test_the_checker_sees_a_write_that_bypasses_actions() -> None:
    # The tables above can fail: a write made with the rooms' own functions reaches no action.
    def sneaky(ctx: Any, name: str) -> None:
        from timebank.ledger.records.members import add_member
        from timebank.ledger.storage.db import writing

        with writing(ctx) as session:
            add_member(session, "me", name=name)

    reached = calls(sneaky)
    assert "timebank.ledger.records.members.add_member" in reached
    assert {name for name in reached if name.startswith(A)} == set()

    def honest(ctx: Any, name: str) -> None:
        from timebank.ledger import actions as core

        core.add_member(ctx, "me", name=name)

    assert calls(honest) == {A + "add_member"}
