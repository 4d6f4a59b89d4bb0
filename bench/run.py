"""Time whole `timebank` processes as coordinators use them -- members typed by number and
by name -- on ledgers of 10k, 100k and 1M exchanges (and 100,000 members), on SQLite or on
SQLite and PostgreSQL side by side, and write a dated section into bench/RESULTS.md.

    python bench/run.py                       # SQLite (see bench/README.md for the phases' times)
    python bench/run.py --backend postgres    # the same on both databases, the 5M national
                                              # ledger, and 8 coordinators recording at once
    python bench/run.py --sizes 10000 --names 10000:2000 --national 20000:2000:10 \\
        --import-rows 10000 --coordinator-seconds 10 --runs 2 --backend postgres   # a quick try

Ledgers are made by bench/generate.py and kept in bench/out/ (and, for PostgreSQL, in the
bench's own server's data folder, /tmp/timebank-bench-pg) for the next run. Each ledger's
figures are saved in bench/out/ as soon as they are measured: `--resume` skips the ledgers
an interrupted run finished.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import pg  # noqa: E402
from results import RESULTS, add_section  # noqa: E402

PYTHON = sys.executable
TIMEBANK = [str(Path(PYTHON).parent / "timebank")] if (Path(PYTHON).parent / "timebank").exists() \
    else [PYTHON, "-m", "timebank"]
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TIMEBANK_USER="bench", COLUMNS="120")
ENV.pop("TIMEBANK_DB", None)
ENV.pop("TIMEBANK_CENTRE", None)
# As installed for a user: modules read from their compiled .pyc (a shell with this set
# recompiles every module of timebank on every start, 15-40 ms that no user pays).
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
FLOOR = [PYTHON, "-c", "import typer, sqlalchemy.orm, rich.table, babel.dates, babel.numbers"]
FLOOR_TEXT = 'python -c "import typer, sqlalchemy.orm, rich.table, babel.dates, babel.numbers"'
TYPER = [PYTHON, "-c", "import typer"]
Row = dict[str, Any]


def fold(text: str) -> str:
    """As timebank.ledger.basics.language.fold (case and accents dropped), copied so that
    this process never imports timebank: a child's peak memory as wait4 reports it includes
    what it inherited from this process at fork, so this process stays small."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def measure(argv: list[str], *, stdout: Path | None = None, env: dict[str, str] | None = None,
            cpu: list[float] | None = None) -> tuple[float, int, int]:
    """Seconds, peak resident memory (KB) and exit code of one process (its CPU seconds
    appended to `cpu` if given)."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env or ENV)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if stdout:
        out.close()  # type: ignore[union-attr]
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


# Ledgers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """A ledger: its exchanges, members and centres ('1000000', '1000000:100000', '5000000:50000:10')."""
    exchanges: int
    members: int
    centres: int = 0

    @classmethod
    def parse(cls, text: str) -> Spec:
        parts = [int(p) for p in text.split(":")]
        members = parts[1] if len(parts) > 1 else max(1000, min(10_000, parts[0] // 100))
        return cls(parts[0], members, parts[2] if len(parts) > 2 else 0)

    @property
    def key(self) -> str:
        return f"{self.exchanges}-{self.members}" + (f"-{self.centres}c" if self.centres else "")

    @property
    def title(self) -> str:
        return (f"{self.exchanges:,} exchanges, {self.members:,} members"
                + (f", {self.centres} centres" if self.centres else ""))


def ledger_file(spec: Spec, out: Path) -> Path:
    # The ledgers of earlier versions of this bench keep their names, so they are not built again.
    if spec.members == Spec.parse(str(spec.exchanges)).members and not spec.centres:
        return out / f"ledger-{spec.exchanges}.sqlite3"
    return out / f"ledger-{spec.key}.sqlite3"


def build(spec: Spec, out: Path, phases: dict[str, float]) -> Path:
    ledger = ledger_file(spec, out)
    if not ledger.exists():
        started = time.perf_counter()
        print(f"   building {ledger.name} ...", flush=True)
        partial = ledger.with_suffix(".building")
        partial.unlink(missing_ok=True)
        # In a process of its own: the bench's process stays small (see `measure`).
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(partial), "--exchanges", str(spec.exchanges),
                        "--members", str(spec.members), "--centres", str(spec.centres)], check=True, env=ENV)
        partial.rename(ledger)
        phases[f"build {spec.key} (SQLite)"] = time.perf_counter() - started
    return ledger


@dataclass
class People:
    """Who the commands name: numbers, and names as a coordinator types them."""
    one: int
    two: int
    prefix: str          # the shortest unique prefix of a name, the first name whole
    prefix_number: int
    surname: str         # a surname with its accents dropped, found by substring
    surname_number: int
    pairs: list[tuple[int, int]]
    centre: str | None


def choose_people(ledger: Path) -> People:
    conn = sqlite3.connect(ledger)
    rows = conn.execute("SELECT number, name, kind, \"left\" FROM members WHERE forgotten IS NULL "
                        "AND kind != 'pot' ORDER BY number").fetchall()
    centre = None
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'centres'").fetchone():
        found = conn.execute("SELECT code FROM centres ORDER BY code LIMIT 1").fetchone()
        centre = found[0] if found else None
    conn.close()
    active = [(n, name, fold(name)) for n, name, kind, left in rows if left is None]
    persons = {n for n, _nm, kind, left in rows if kind == "person" and left is None}
    people = [p for p in active if p[0] in persons]
    folded_active = [f for _n, _nm, f in active]
    # Members are found in the order exact, unique prefix, unique substring (active members
    # first): a prefix typed must start no other active member's name, and match no name exactly.
    ordered = sorted(folded_active)

    def starts(text: str) -> int:
        import bisect

        left = bisect.bisect_left(ordered, text)
        right = bisect.bisect_left(ordered, text + "\U0010ffff")
        return right - left

    middle = people[len(people) // 2:] + people[:len(people) // 2]
    prefix = prefix_number = None
    for number, name, _folded in middle:
        first, _, surname = name.partition(" ")
        if not surname or starts(fold(name)) != 1:
            continue
        for cut in range(len(first) + 2, len(name) + 1):
            typed = name[:cut]
            if starts(fold(typed)) == 1:
                prefix, prefix_number = typed, number
                break
        if prefix:
            break
    surname = surname_number = None
    for number, name, _folded in middle:
        last = name.partition(" ")[2]
        if last.isascii() or number == prefix_number:
            continue
        typed = fold(last)
        if sum(typed in f for f in folded_active) == 1 and starts(typed) == 0:
            surname, surname_number = typed, number
            break
    if prefix is None or surname is None:
        raise SystemExit(f"{ledger}: no unique name to type (prefix {prefix!r}, surname {surname!r})")
    numbers = [n for n, _nm, _f in people]
    return People(numbers[0], numbers[1], prefix, prefix_number, surname, surname_number,  # type: ignore[arg-type]
                  [(numbers[2 * i + 2], numbers[2 * i + 3]) for i in range(16)], centre)


# Timing -------------------------------------------------------------------------------------

def timed(results: dict[str, Row], label: str, commands: dict[str, list[str]], runs: int,
          base: list[str] = FLOOR, env: dict[str, dict[str, str]] | None = None) -> None:
    """Each backend's command and the baseline measured in turn, so that a change in the
    machine's load moves them all and not their ratios. `commands` maps a backend to its argv."""
    env = env or {}
    for backend, argv in commands.items():
        measure(argv, env=env.get(backend))  # once to warm the file cache and compile any .pyc
    samples: dict[str, list[tuple[float, int, int]]] = {b: [] for b in commands}
    floors = []
    for _ in range(runs):
        floors.append(measure(base)[0])
        for backend, argv in commands.items():
            samples[backend].append(measure(argv, env=env.get(backend)))
    row: Row = {"floor": statistics.median(floors), "base": "import typer" if base is TYPER else "floor"}
    for backend, got in samples.items():
        row[backend] = statistics.median(s[0] for s in got)
        row[f"{backend}_code"] = max(s[2] for s in got)
    results[label] = row


def once(results: dict[str, Row], label: str, commands: dict[str, list[str]], runs: int,
         env: dict[str, dict[str, str]] | None = None) -> None:
    """Whole-ledger commands (export, check): the median of `runs` runs each, no baseline."""
    env = env or {}
    row: Row = {}
    for backend, argv in commands.items():
        got = [measure(argv, env=env.get(backend)) for _ in range(runs)]
        row[backend] = statistics.median(s[0] for s in got)
        row[f"{backend}_code"] = max(s[2] for s in got)
        row[f"{backend}_peak"] = max(s[1] for s in got) / 1024
    results[label] = row


def bench_ledger(spec: Spec, kind: str, args: argparse.Namespace, urls: dict[str, str], sqlite_path: Path,
                 phases: dict[str, float]) -> dict[str, Row]:
    """kind: 'size' (every command), 'names' (the commands that name members), 'national'."""
    people = choose_people(sqlite_path)
    dbs = {"sqlite": str(sqlite_path), **urls}
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    today = date.today().isoformat()
    results: dict[str, Row] = {"_people": {"prefix": people.prefix, "prefix_number": people.prefix_number,
                                           "surname": people.surname, "surname_number": people.surname_number,
                                           "centre": people.centre}}
    started = time.perf_counter()

    def each(*argv: str) -> dict[str, list[str]]:
        return {b: TIMEBANK + ["--db", db, *argv] for b, db in dbs.items()}

    if kind == "size":
        timed(results, "timebank --help", {b: TIMEBANK + ["--help"] for b in ["sqlite"]}, args.runs, TYPER)
        timed(results, "timebank --version", {b: TIMEBANK + ["--version"] for b in ["sqlite"]}, args.runs, TYPER)
    # By number, the same two members as by name: the only difference is finding them.
    one, two = str(people.prefix_number), str(people.surname_number)
    timed(results, "balance NUMBER", each("balance", one), args.runs)
    timed(results, f"balance NAME ('{people.prefix}')", each("balance", people.prefix), args.runs)
    timed(results, f"balance SURNAME ('{people.surname}')", each("balance", people.surname), args.runs)
    timed(results, "record NUMBER NUMBER 0:01",
          each("record", one, two, "0:01", "--allow-overdraft", "--again"), args.runs)
    timed(results, "record NAME NAME 0:01",
          each("record", people.prefix, people.surname, "0:01", "--allow-overdraft", "--again"), args.runs)
    timed(results, "member show NUMBER", each("member", "show", one), args.runs)
    timed(results, "member show NAME", each("member", "show", people.prefix), args.runs)
    if kind == "names":
        phases[f"time {spec.key} ({'+'.join(dbs)})"] = time.perf_counter() - started
        return results
    timed(results, "statement (one year)", each("statement", one, "--from", year_ago), args.runs)
    timed(results, "report monthly", each("report", "monthly"), args.runs)
    if kind == "national" or people.centre:
        if people.centre is None:
            results["_skip_centre"] = {"why": "the ledger has no centres (this version of timebank has no "
                                              "`centres` table): per-centre report not timed"}
        elif "--centre" not in subprocess.run(TIMEBANK + ["report", "period", "--help"], env=ENV,
                                              capture_output=True, text=True).stdout:
            results["_skip_centre"] = {"why": "`report period` has no --centre option in this version: "
                                              "per-centre report not timed"}
        else:
            timed(results, f"report period --centre {people.centre} (a year)",
                  each("report", "period", "--centre", people.centre, "--from", year_ago, "--to", today,
                       "--by", "month"), args.runs)
    if kind == "size":
        completing = {b: dict(ENV, _TIMEBANK_COMPLETE="bash_complete", COMP_WORDS="timebank balance Si",
                              COMP_CWORD="2", TIMEBANK_DB=db) for b, db in dbs.items()}
        once(results, "complete a member name (bash, Tab after 'balance Si')", {b: TIMEBANK for b in dbs},
             args.runs, env=completing)
        heavy_runs = args.runs if spec.exchanges <= 100_000 else 1
        once(results, "export exchanges (all rows)",
             {b: TIMEBANK + ["--db", db, "export", "exchanges", "--force", "--output",
                             str(args.out / f"export-{b}.csv")] for b, db in dbs.items()}, heavy_runs)
        once(results, "check (every check, the chain included)", each("check"), heavy_runs)
    phases[f"time {spec.key} ({'+'.join(dbs)})"] = time.perf_counter() - started
    return results


# Imports and coordinators: on copies of a ledger ---------------------------------------------

def active_pair(ledger: Path) -> tuple[int, int]:
    """Two active people (bench/compare.py times its commands with them)."""
    conn = sqlite3.connect(ledger)
    rows = conn.execute("SELECT number FROM members WHERE kind = 'person' AND left IS NULL "
                        "ORDER BY number LIMIT 2").fetchall()
    conn.close()
    return rows[0][0], rows[1][0]


def import_file(path: Path, ledger: Path, rows: int) -> None:
    conn = sqlite3.connect(ledger)
    members = [n for (n,) in conn.execute("SELECT number FROM members WHERE kind = 'person' AND left IS NULL "
                                          "AND joined <= date('now', '-400 days')")]
    conn.close()
    start = date.today() - timedelta(days=365)
    with path.open("w") as handle:
        handle.write("date,giver,receiver,hours\n")
        for index in range(rows):
            giver = members[index % len(members)]
            receiver = members[(index * 7 + 3) % len(members)]
            if giver == receiver:
                receiver = members[(index * 7 + 4) % len(members)]
            handle.write(f"{(start + timedelta(days=index % 360)).isoformat()},{giver},{receiver},1:30\n")


class Copy:
    """A throwaway copy of a bench ledger for commands that write a lot (a file copy on
    SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), removed on the way out."""

    def __init__(self, backend: str, source: str, server: str | None) -> None:
        self.backend, self.source, self.server = backend, source, server

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            self.target = str(Path(self.source).with_name("copy-" + Path(self.source).name))
            shutil.copyfile(self.source, self.target)
            return self.target
        template = self.source.rsplit("/", 1)[1]
        self.target = f"{template}_copy"
        pg.sql(self.server or "", f'DROP DATABASE IF EXISTS "{self.target}"')
        pg.sql(self.server or "", f'CREATE DATABASE "{self.target}" TEMPLATE "{template}"')
        return pg.ledger_url(self.source, self.target)

    def __exit__(self, *_exc: object) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.target + suffix).unlink(missing_ok=True)
            return
        pg.sql(self.server or "", f'DROP DATABASE IF EXISTS "{self.target}" WITH (FORCE)')


def bench_import(rows: int, sqlite_path: Path, dbs: dict[str, str], server: str | None, out: Path,
                 phases: dict[str, float]) -> dict[str, Row]:
    started = time.perf_counter()
    source = out / f"import-{rows}.csv"
    if not source.exists():
        import_file(source, sqlite_path, rows)
    results: dict[str, Row] = {}
    row: Row = {"rows": rows}
    for backend, db in dbs.items():
        with Copy(backend, db, server) as copy:
            seconds, peak, code = measure(TIMEBANK + ["--db", copy, "import", "exchanges", str(source)])
        row[backend], row[f"{backend}_code"], row[f"{backend}_peak"] = seconds, code, peak / 1024
    results[f"import {rows:,} exchange rows from one file"] = row
    phases[f"import {rows:,} rows ({'+'.join(dbs)})"] = time.perf_counter() - started
    return results


def coordinators(db: str, pairs: list[tuple[int, int]], count: int, seconds: float) -> Row:
    """`count` coordinators, each a loop running `timebank record` as a new process again and
    again for `seconds`: records a second in all, and the wall time of each record."""
    times: list[float] = []
    cpu: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(giver: int, receiver: int) -> None:
        argv = TIMEBANK + ["--db", db, "record", str(giver), str(receiver), "0:01", "--allow-overdraft", "--again"]
        while time.perf_counter() < deadline:
            took, _peak, code = measure(argv, cpu=cpu)
            with lock:
                if code == 0:
                    times.append(took)
                else:
                    failures[0] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=loop, args=pairs[i]) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    times.sort()
    return {"coordinators": count, "records": len(times), "failed": failures[0], "seconds": elapsed,
            "per_second": len(times) / elapsed,
            "p50": statistics.median(times) if times else None,
            "p95": times[min(len(times) - 1, int(0.95 * len(times)))] if times else None,
            "cpu": statistics.median(cpu) if cpu else None}


def bench_coordinators(args: argparse.Namespace, sqlite_path: Path, dbs: dict[str, str], server: str | None,
                       phases: dict[str, float]) -> dict[str, Row]:
    started = time.perf_counter()
    pairs = choose_people(sqlite_path).pairs
    results: dict[str, Row] = {}
    for backend, db in dbs.items():
        for count in (1, args.coordinators):
            with Copy(backend, db, server) as copy:
                results[f"{backend}, {count} coordinator{'s' if count > 1 else ''}"] = coordinators(
                    copy, pairs, count, args.coordinator_seconds)
    phases[f"coordinators ({'+'.join(dbs)})"] = time.perf_counter() - started
    return results


# The machine -------------------------------------------------------------------------------

def machine(pg_version: str | None = None) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from importlib.metadata import version

    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
            + (f"; PostgreSQL {pg_version}" if pg_version else "")
            + f"; Typer {version('typer')}, SQLAlchemy {version('sqlalchemy')}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# Writing the section -----------------------------------------------------------------------

def _cell(row: Row, backend: str) -> str:
    seconds = row.get(backend)
    if seconds is None:
        return ""
    text = f"{seconds:.3f} s"
    if "floor" in row:
        text += f" = {seconds / row['floor']:.2f}x"
    if row.get(f"{backend}_peak"):
        text += f"; peak {row[f'{backend}_peak']:.0f} MB"
    if "rows" in row:
        text = f"{seconds:.1f} s = {row['rows'] / seconds:,.0f} rows/s; peak {row[f'{backend}_peak']:.0f} MB"
    code = row.get(f"{backend}_code", 0)
    return text + (f" (exit {code})" if code else "")


def render_targets(targets: list[tuple[str, str, str, float, float]]) -> list[str]:
    """The targets, a table a ledger: a row a command, a column a target (the value, its limit, met or not)."""
    lines = ["## Targets", "",
             "Checked on the largest ledger, the ledgers of many members and the national one. Each cell: "
             "the measured ratio (or seconds, or rows a second), the limit, and whether it was met.", ""]
    missed = [t for t in targets if (t[3] > t[4] if t[4] > 0 else t[3] < -t[4])]
    ledgers = list(dict.fromkeys(t[0] for t in targets))
    for ledger in ledgers:
        mine = [t for t in targets if t[0] == ledger]
        kinds = list(dict.fromkeys(t[2] for t in mine))
        lines += [f"{ledger}:", "", "| command | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
        for command in dict.fromkeys(t[1] for t in mine):
            cells = []
            for kind in kinds:
                found = [t for t in mine if t[1] == command and t[2] == kind]
                if not found:
                    cells.append("")
                    continue
                _l, _c, _k, value, limit = found[0]
                if limit > 0:
                    cells.append(f"{value:.2f} (at most {limit:g}) {'yes' if value <= limit else '**no**'}")
                else:
                    cells.append(f"{value:,.0f} (at least {-limit:,.0f}) {'yes' if value >= -limit else '**no**'}")
            lines.append(f"| {command} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(f"{len(targets) - len(missed)} of {len(targets)} targets met"
                 + ("; the others are marked **no** above." if missed else "."))
    return lines


def render(data: dict[str, Any]) -> list[str]:
    backends: list[str] = data["backends"]
    lines = [f"# Commands as coordinators type them (`{data['command']}`)", "",
             f"Machine: {data['machine']}. Load average (1, 5, 15 min) at the start {data['load_start']}, "
             f"at the end {data['load_end']}.", "",
             f"Median wall time of whole processes (start-up included). `= N.NNx` is against the floor "
             f"`{FLOOR_TEXT}` (or `python -c \"import typer\"` for --help and --version), measured in turn "
             f"with each command in the same run (the floor column is its median).", ""]
    # (ledger, command, which target, value, limit): a negative limit is "at least".
    targets: list[tuple[str, str, str, float, float]] = []
    sizes = [sec for sec in data["ledgers"].values() if sec["kind"] == "size"]
    largest = max(sizes, key=lambda sec: sec.get("exchanges", 0))["title"] if sizes else None
    for section in data["ledgers"].values():
        title = section["title"]
        # The targets are checked on the largest ledger, the ledgers of many members (names)
        # and the national one; the smaller ledgers are there to show growth.
        checked = title == largest or section["kind"] != "size"
        rows = {k: v for k, v in section["results"].items() if not k.startswith("_")}
        people = section["results"].get("_people", {})
        lines += [f"## {title}", ""]
        if people:
            lines += [f"Names typed: `{people['prefix']}` (member #{people['prefix_number']}, the shortest "
                      f"prefix of the name that only they start with), `{people['surname']}` (member "
                      f"#{people['surname_number']}, a surname with its accents dropped).", ""]
        skip = section["results"].get("_skip_centre")
        if skip:
            lines += [f"Skipped: {skip['why']}.", ""]
        header = "| command | floor | " + " | ".join(backends) + (" | PostgreSQL / SQLite |" if len(backends) > 1
                                                                    else " |")
        lines += [header, "|---" * (len(backends) + 2 + (len(backends) > 1)) + "|"]
        for label, row in rows.items():
            floor = f"{row['floor']:.3f} s" if "floor" in row else ""
            cells = [_cell(row, b) for b in backends]
            ratio = ""
            if len(backends) > 1 and row.get("postgres") and row.get("sqlite") and checked:
                if "rows" in row:
                    ratio = f"{row['sqlite'] / row['postgres']:.2f}x the rows/s"
                else:
                    ratio = f"{row['postgres'] / row['sqlite']:.2f}"
                    targets.append((title, label, "PostgreSQL / SQLite", row["postgres"] / row["sqlite"], 1.5))
            lines.append(f"| {label} | {floor} | " + " | ".join(cells) + (f" | {ratio} |" if len(backends) > 1
                                                                            else " |"))
        lines.append("")
        for label, row in rows.items():
            value = row.get("sqlite")
            if value is None or "floor" not in row or not checked:
                continue
            if row.get("base") == "floor" and re.match(r"(balance|record|member show)", label):
                targets.append((title, label, "SQLite / floor", value / row["floor"], 1.3))
            if label == "report monthly":
                targets.append((title, label, "SQLite / floor", value / row["floor"], 2.0))
            if label.startswith("report period --centre"):
                for backend in backends:
                    if row.get(backend):
                        targets.append((title, label, f"seconds ({backend})", row[backend], 5.0))
        names_limit = 1.1 if section["members"] <= 10_000 else 1.2
        for command in ("balance", "record", "member show"):
            by_number = next((r for k, r in rows.items() if k.startswith(f"{command} NUMBER")), None)
            for k, r in rows.items():
                if by_number is None or not k.startswith(command + " ") or "NUMBER" in k or not checked:
                    continue
                for backend in backends:
                    if r.get(backend) and by_number.get(backend):
                        targets.append((title, k, f"by name / by number ({backend})",
                                        r[backend] / by_number[backend], names_limit))
        for label, row in rows.items():
            if "rows" in row and row["rows"] >= 1_000_000:
                for backend in backends:
                    if row.get(backend):
                        targets.append((title, label, f"rows/s ({backend})", row["rows"] / row[backend], -20_000))
    if data.get("coordinators"):
        cores = os.cpu_count() or 1
        lines += [f"## Coordinators recording at once ({data['coordinators_ledger']}, "
                  f"{data['coordinator_seconds']:.0f} s each)", "",
                  "Each coordinator is a loop running `timebank record GIVER RECEIVER 0:01` as a new process "
                  "again and again (its own pair of members, by number); records a second in all, the wall "
                  "time of one record (the whole process) and its CPU time. With every coordinator on this one "
                  f"machine ({cores} cores), N coordinators cannot take less than N x CPU / cores a record "
                  "whatever the database does: that bound is shown beside the p50, so that what the database "
                  "adds (waiting for the writers' turn) is the difference.", "",
                  "| database, coordinators | records | failed | records/s | p50 | p95 | CPU a record | "
                  "CPU bound on a record's wall time |", "|---|---|---|---|---|---|---|---|"]
        by_backend: dict[str, dict[int, Row]] = {}
        for label, row in data["coordinators"].items():
            by_backend.setdefault(label.split(",")[0], {})[row["coordinators"]] = row
            p50 = f"{row['p50']:.3f} s" if row["p50"] else ""
            p95 = f"{row['p95']:.3f} s" if row["p95"] else ""
            cpu = row.get("cpu")
            bound = f"{max(1.0, row['coordinators'] / cores) * cpu:.3f} s" if cpu else ""
            lines.append(f"| {label} | {row['records']} | {row['failed']} | {row['per_second']:.1f} | {p50} | {p95} "
                         f"| {f'{cpu:.3f} s' if cpu else ''} | {bound} |")
        lines.append("")
        for backend, rows_by_count in by_backend.items():
            counts = sorted(rows_by_count)
            alone, many = rows_by_count[counts[0]], rows_by_count[counts[-1]]
            if len(counts) > 1 and alone["p50"] and many["p95"]:
                targets.append(("Coordinators recording at once", f"record, {counts[-1]} coordinators at once",
                                f"p95 / one coordinator's p50 ({backend})", many["p95"] / alone["p50"], 2.0))
    lines += render_targets(targets)
    lines += ["", "Phases of this run (to plan a full one): "
              + "; ".join(f"{k} {v:.0f} s" for k, v in data["phases"].items()) + ".", ""]
    return lines


# The run -----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite",
                        help="postgres: every command on SQLite and PostgreSQL in turn, the national ledger too")
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="ledgers timed with every command: EXCHANGES[:MEMBERS]")
    parser.add_argument("--names", default="1000000:100000",
                        help="ledgers timed only with the commands that name members (the 100,000-member target)")
    parser.add_argument("--national", default="5000000:50000:10",
                        help="with --backend postgres: the network's ledger, EXCHANGES:MEMBERS:CENTRES ('' for none)")
    parser.add_argument("--import-rows", type=int, default=1_000_000,
                        help="rows of the one-file import, into a copy of the largest --sizes ledger (0: none)")
    parser.add_argument("--coordinators", type=int, default=8)
    parser.add_argument("--coordinator-seconds", type=float, default=60.0,
                        help="how long each coordinators test records (0: none)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--pg-data", type=Path, default=Path("/tmp/timebank-bench-pg"))
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument("--fresh-pg", action="store_true", help="a new server data folder (ledgers moved in again)")
    parser.add_argument("--resume", action="store_true", help="keep the figures of ledgers an earlier run finished")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--rewrite", action="store_true",
                        help="write the section again from the last run's figures (bench/out/last-run-*.json)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    state_path = args.out / f"last-run-{args.backend}.json"
    if args.rewrite:
        saved = json.loads(state_path.read_text())
        add_section(render(saved), saved['day'], args.results)
        print(f"wrote {args.results}")
        return
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    previous = json.loads(state_path.read_text()) if args.resume and state_path.exists() else {}
    data: dict[str, Any] = {
        "day": date.today().isoformat(), "command": command.strip(), "load_start": load(),
        "backends": ["sqlite"] + (["postgres"] if args.backend == "postgres" else []),
        "ledgers": previous.get("ledgers", {}), "phases": previous.get("phases", {}),
        "coordinators": previous.get("coordinators", {}), "coordinator_seconds": args.coordinator_seconds}

    def save() -> None:
        state_path.write_text(json.dumps(data, indent=1))

    plan = [(Spec.parse(s), "size") for s in args.sizes.split(",") if s] + \
           [(Spec.parse(s), "names") for s in args.names.split(",") if s]
    if args.backend == "postgres" and args.national:
        plan.append((Spec.parse(args.national), "national"))
    largest = max((s for s, k in plan if k == "size"), key=lambda s: s.exchanges, default=None)
    server_cm = pg.server(args.pg_data, args.pg_port, args.fresh_pg) if args.backend == "postgres" else None
    server_url = server_cm.__enter__() if server_cm else None
    try:
        data["machine"] = machine(pg.server_version(server_url) if server_url else None)
        for spec, kind in plan:
            if spec.key in data["ledgers"] and data["ledgers"][spec.key].get("kind") == kind:
                print(f"== {spec.title}: kept from the earlier run", flush=True)
                continue
            print(f"== {spec.title}", flush=True)
            sqlite_path = build(spec, args.out, data["phases"])
            urls: dict[str, str] = {}
            if server_url:
                marker = sqlite3.connect(sqlite_path).execute(
                    "SELECT at FROM audit WHERE action = 'bench.generate'").fetchone()
                started = time.perf_counter()
                moved = subprocess.run(
                    [PYTHON, str(HERE / "pg.py"), str(sqlite_path), server_url, f"ledger_{spec.key.replace('-', '_')}",
                     f"{sqlite_path.name} generated {marker[0] if marker else '?'}", *TIMEBANK],
                    env=ENV, check=True, capture_output=True, text=True)
                url, took = json.loads(moved.stdout.splitlines()[-1])
                if took:
                    data["phases"][f"move {spec.key} into PostgreSQL"] = time.perf_counter() - started
                urls["postgres"] = url
            results = bench_ledger(spec, kind, args, urls, sqlite_path, data["phases"])
            for label, row in results.items():
                if not label.startswith("_"):
                    print(f"  {label}: " + "; ".join(f"{b} {_cell(row, b)}" for b in data["backends"] if b in row),
                          flush=True)
            if spec == largest and args.import_rows:
                results.update(bench_import(args.import_rows, sqlite_path, {"sqlite": str(sqlite_path), **urls},
                                            server_url, args.out, data["phases"]))
            if spec == largest and args.coordinator_seconds:
                data["coordinators"] = bench_coordinators(args, sqlite_path, {"sqlite": str(sqlite_path), **urls},
                                                          server_url, data["phases"])
                data["coordinators_ledger"] = spec.title
                for label, row in data["coordinators"].items():
                    print(f"  {label}: {row}", flush=True)
            data["ledgers"][spec.key] = {"title": spec.title, "kind": kind, "members": spec.members,
                                         "exchanges": spec.exchanges,
                                         "results": results}
            save()
    finally:
        if server_cm:
            server_cm.__exit__(None, None, None)
    data["load_end"] = load()
    save()
    add_section(render(data), data['day'], args.results)
    print("phases: " + "; ".join(f"{k} {v:.0f} s" for k, v in data["phases"].items()))
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
