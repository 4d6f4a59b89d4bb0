"""What stands in for a Windows machine here: no module or function that exists only on POSIX
is used outside a platform guard; file modes are set where the system has them and skipped
quietly where it does not; a replace that Windows refuses (the file is open elsewhere) is one
clear line and leaves the file as it was."""

from __future__ import annotations

import ast
import errno
import os
import sqlite3
from pathlib import Path

import pytest

import timebank
from conftest import Cli, dump, sqlite_only

PACKAGE = Path(timebank.__file__).resolve().parent

# Modules Python has on POSIX only (Windows: ImportError).
POSIX_ONLY_MODULES = {"fcntl", "pwd", "grp", "termios", "resource", "tty", "pty", "posix", "syslog", "crypt", "spwd",
                      "nis", "readline", "curses", "_curses"}
# Names in `os` and `signal` that Windows' Python does not have (AttributeError there).
POSIX_ONLY_NAMES = {
    "os": {"O_NOFOLLOW", "O_DIRECTORY", "O_NOCTTY", "O_NONBLOCK", "O_SYNC", "O_DSYNC", "O_CLOEXEC", "O_ASYNC",
           "fchmod", "fchown", "chown", "lchown", "lchmod", "getuid", "geteuid", "getgid", "getegid", "getgroups",
           "setuid", "setgid", "fork", "forkpty", "setsid", "getpgid", "getpgrp", "killpg", "mkfifo", "mknod",
           "sync", "statvfs", "fstatvfs", "getloadavg", "sched_getaffinity", "pipe2", "uname", "getpwnam",
           "geteuid", "WNOHANG", "nice", "pread", "pwrite", "posix_fadvise", "fdatasync"},
    "signal": {"SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGPIPE", "SIGCHLD", "SIGTSTP",
               "SIGCONT", "SIGSTOP", "alarm", "setitimer", "getitimer", "pause", "siginterrupt", "pthread_kill",
               "pthread_sigmask", "sigwait"},
}


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside `if sys.platform ...`/`if os.name ...` (either branch), a `try` that catches
    ImportError or AttributeError, or a `getattr(os, NAME, default)`."""
    child = node
    parent = parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If):
            test = ast.unparse(parent.test)
            if "sys.platform" in test or "os.name" in test or "hasattr(" in test:
                return True
        if isinstance(parent, ast.Try) and child in parent.body:
            for handler in parent.handlers:
                caught = ast.unparse(handler.type) if handler.type is not None else "BaseException"
                if any(name in caught for name in ("ImportError", "ModuleNotFoundError", "AttributeError",
                                                   "Exception", "BaseException")):
                    return True
        child, parent = parent, parents.get(parent)
    return False


def posix_only_uses(source: str, filename: str = "<source>") -> list[str]:
    """Each POSIX-only import or name used outside a platform guard, as 'file:line what'."""
    tree = ast.parse(source, filename)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found: list[str] = []
    aliases = {"os": "os", "signal": "signal"}
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            for alias in node.names:
                if alias.name in aliases and alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            if node.module in POSIX_ONLY_NAMES:
                modules += [f"{node.module}.{alias.name}" for alias in node.names
                            if alias.name in POSIX_ONLY_NAMES[node.module]]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id)
            if module in POSIX_ONLY_NAMES and node.attr in POSIX_ONLY_NAMES[module]:
                modules = [f"{module}.{node.attr}"]
        for module in modules:
            top = module.split(".")[0]
            if (top in POSIX_ONLY_MODULES or "." in module and module.split(".", 1)[0] in POSIX_ONLY_NAMES
                    and module.split(".", 1)[1] in POSIX_ONLY_NAMES[module.split(".", 1)[0]]):
                if not _guarded(node, parents):
                    found.append(f"{filename}:{node.lineno} {module}")
    return found


def test_no_posix_only_module_or_name_is_used_unguarded() -> None:
    # Issue 19, acceptance 2. Imports inside functions count: a command that imports fcntl
    # when it runs fails on Windows just the same.
    found: list[str] = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 30
    for path in files:
        found += posix_only_uses(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))
    assert found == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import fcntl\n", ["<source>:1 fcntl"]),
    ("def f():\n    import pwd\n    return pwd.getpwuid(0)\n", ["<source>:2 pwd"]),
    ("from resource import getrlimit\n", ["<source>:1 resource"]),
    ("import termios, json\n", ["<source>:1 termios"]),
    ("import os\nfd = os.open('x', os.O_CREAT | os.O_NOFOLLOW)\n", ["<source>:2 os.O_NOFOLLOW"]),
    ("import os\nos.fchmod(3, 0o600)\n", ["<source>:2 os.fchmod"]),
    ("from os import getuid\n", ["<source>:1 os.getuid"]),
    ("import signal\nsignal.signal(signal.SIGPIPE, signal.SIG_DFL)\n", ["<source>:2 signal.SIGPIPE"]),
    ("import os as o\no.chown('x', 0, 0)\n", ["<source>:2 os.chown"]),
    # Guarded: fine.
    ("import sys\nif sys.platform != 'win32':\n    import fcntl\n", []),
    ("import os\nif os.name == 'posix':\n    os.fchmod(3, 0o600)\n", []),
    ("try:\n    import grp\nexcept ImportError:\n    grp = None\n", []),
    ("import os\nflags = getattr(os, 'O_NOFOLLOW', 0)\n", []),
    ("import os\nif hasattr(os, 'fchmod'):\n    os.fchmod(3, 0o600)\n", []),
    ("import os, signal\nos.chmod('x', 0o600)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n", []),
])
def test_the_static_check_finds_what_would_break_on_windows(source: str, expected: list[str]) -> None:
    assert posix_only_uses(source) == expected


@sqlite_only
def test_file_modes_are_skipped_quietly_where_the_system_has_none(ledger: Cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A FAT or exFAT USB stick, or a network share, refuses chmod (EPERM); Python on some
    # systems raises NotImplementedError for modes it cannot set. Nothing may fail for it.
    refusals = iter([PermissionError(errno.EPERM, "Operation not permitted"), NotImplementedError("no modes")] * 50)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise next(refusals)

    monkeypatch.setattr(os, "chmod", refuse)
    if hasattr(os, "fchmod"):
        monkeypatch.setattr(os, "fchmod", refuse)
    monkeypatch.chdir(tmp_path)
    fresh = Cli(tmp_path / "stick" / "new.sqlite3", ledger.capsys)
    fresh.ok("init")
    fresh.ok("member", "add", "Llŷr", "--joined", "2026-01-05")
    ledger.ok("backup")
    ledger.ok("backup", "--output", str(tmp_path / "copy.sqlite3"))
    ledger.ok("export", "members", "--output", str(tmp_path / "members.csv"))
    ledger.ok("journal", "--output", str(tmp_path / "banc.journal"))
    ledger.ok("restore", str(tmp_path / "copy.sqlite3"), "--yes")
    ledger.ok("check")


@sqlite_only
def test_a_refused_replace_leaves_the_file_as_it_was(ledger: Cli, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows will not replace a file another program has open (a CSV open in Excel, a ledger
    # in use): os.replace raises PermissionError [WinError 5/32]. Simulated here.
    target = tmp_path / "members.csv"
    target.write_bytes(b"kept,as,it,was\r\n")
    journal = tmp_path / "banc.journal"
    journal.write_bytes(b"; the old journal\n")

    def refused(*_args: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(Path, "replace", lambda self, other: refused())
    for lang in ("en", "cy"):
        # --force: without it an existing file is refused before anything is written.
        for args, path in ((["export", "members", "--output", str(target), "--force"], target),
                           (["journal", "--output", str(journal), "--force"], journal)):
            result = ledger(*args, lang=lang)
            assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
            assert str(path) in result.err and "Unexpected" not in result.err and "annisgwyl" not in result.err
            assert ("another program" if lang == "en" else "rhaglen arall") in result.err, result.err
    assert target.read_bytes() == b"kept,as,it,was\r\n" and journal.read_bytes() == b"; the old journal\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no .partial left


@sqlite_only
def test_restore_when_the_system_refuses_to_replace_the_ledger(ledger: Cli, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # However a restore puts the backup in place, a refused replace (Windows: another
    # timebank has the ledger open) must leave the ledger as it was, said in one line.
    ledger.ok("backup", "--output", str(tmp_path / "copy.sqlite3"))
    ledger.ok("member", "add", "Gwenllïan", "--joined", "2026-01-05")
    before = dump(ledger.db)

    def refused(*_args: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(os, "rename", refused)
    monkeypatch.setattr(Path, "replace", lambda self, other: refused())
    monkeypatch.setattr(Path, "rename", lambda self, other: refused())
    holder = sqlite3.connect(ledger.db)  # another program with the ledger open
    holder.execute("SELECT count(*) FROM members").fetchone()
    try:
        result = ledger("restore", str(tmp_path / "copy.sqlite3"), "--yes")
    finally:
        holder.close()
    assert "Unexpected" not in result.err and "Traceback" not in result.err
    if result.code == 0:
        # Restored in place, with no replace at all: the backup's contents are the ledger's now.
        assert "Gwenllïan" not in [row[0] for row in sqlite3.connect(ledger.db).execute("SELECT name FROM members")]
    else:
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
        assert dump(ledger.db) == before
