"""Time this checkout against another version of timebank, side by side, and write
a section of bench/RESULTS.md.

Each command of bench/run.py is run by both versions in turn (old, new, old, new, ...), with
each version's own run of the stack floor beside it, so a change in the machine's load moves
both alike. This is what "no ratio worse than before by more than 5%" asks: two runs of
bench/run.py made on different days differ by more than that from the load alone.

    python bench/compare.py --old-python OLD/bin/python --old-ledger OLD.sqlite3 --runs 15

The other version needs its own ledger, made by its own bench/generate.py (its schema may be
older). A version kept as a git revision is set up with:

    git worktree add /tmp/old REV && python -m venv /tmp/oldvenv && /tmp/oldvenv/bin/pip install /tmp/old
    (cd /tmp/old && /tmp/oldvenv/bin/python -c "import sys; sys.path.insert(0, 'bench'); \\
        from pathlib import Path; from generate import generate; \\
        generate(Path('/tmp/old.sqlite3'), 1_000_000, 10_000)")
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import RESULTS, add_section  # noqa: E402
from run import ENV, active_pair, import_file, machine, measure  # noqa: E402

FLOOR = "import typer, sqlalchemy.orm, rich, babel"


class Version:
    def __init__(self, name: str, python: Path, ledger: Path) -> None:
        self.name = name
        self.python = python
        script = python.parent / "timebank"
        self.timebank = [str(script)] if script.exists() else [str(python), "-m", "timebank"]
        self.ledger = ledger
        # As installed for a user: every module compiled once, before anything is timed.
        subprocess.run([str(python), "-c", "import compileall, os, timebank; "
                        "compileall.compile_dir(os.path.dirname(timebank.__file__), quiet=1)"],
                       env=ENV, check=True, cwd=tempfile.gettempdir())

    def takes(self, command: list[str], option: str) -> bool:
        """Whether this version's `command` has `option` (`--again`, `--force` came later)."""
        done = subprocess.run(self.timebank + command + ["--help"], env=ENV, capture_output=True, text=True,
                              cwd=tempfile.gettempdir())
        return option in done.stdout

    def argv(self, command: list[str]) -> list[str]:
        return self.timebank + ["--db", str(self.ledger)] + command


def paired(old: Version, new: Version, runs: int, old_argv: list[str], new_argv: list[str]
           ) -> dict[str, float]:
    """Medians of `runs` turns of old floor, old command, new floor, new command."""
    for argv in (old_argv, new_argv):
        measure(argv)  # warm the file cache
    times: dict[str, list[float]] = {"old floor": [], "old": [], "new floor": [], "new": []}
    for _ in range(runs):
        times["old floor"].append(measure([str(old.python), "-c", FLOOR])[0])
        times["old"].append(measure(old_argv)[0])
        times["new floor"].append(measure([str(new.python), "-c", FLOOR])[0])
        times["new"].append(measure(new_argv)[0])
    return {key: statistics.median(values) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-python", type=Path, required=True)
    parser.add_argument("--old-ledger", type=Path, required=True)
    parser.add_argument("--old-name", default="the other version")
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--ledger", type=Path, default=HERE / "out" / "ledger-1000000.sqlite3")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    old = Version(args.old_name, args.old_python, args.old_ledger)
    new = Version("this checkout", args.python, args.ledger)
    year_ago = (date.today() - timedelta(days=365)).isoformat()

    rows: list[tuple[str, dict[str, float]]] = []

    def compare(label: str, command: list[str], *, old_command: list[str] | None = None,
                own_ledger: bool = True) -> None:
        old_argv = old.argv(old_command or command) if own_ledger else old.timebank + (old_command or command)
        new_argv = new.argv(command) if own_ledger else new.timebank + command
        figures = paired(old, new, args.runs, old_argv, new_argv)
        rows.append((label, figures))
        print(f"  {label}: old {figures['old']:.3f} s, new {figures['new']:.3f} s, "
              f"new/old {figures['new'] / figures['old']:.3f}", flush=True)

    compare("timebank --help", ["--help"], own_ledger=False)
    compare("timebank --version", ["--version"], own_ledger=False)
    one, two = active_pair(new.ledger)
    old_one, old_two = active_pair(old.ledger)
    compare("balance MEMBER", ["balance", str(one)], old_command=["balance", str(old_one)])
    record = ["record", str(one), str(two), "1", "--allow-overdraft"]
    old_record = ["record", str(old_one), str(old_two), "1", "--allow-overdraft"]
    compare("record", record + (["--again"] if new.takes(["record"], "--again") else []),
            old_command=old_record + (["--again"] if old.takes(["record"], "--again") else []))
    compare("member show", ["member", "show", str(one)], old_command=["member", "show", str(old_one)])
    compare("statement (one year)", ["statement", str(one), "--from", year_ago],
            old_command=["statement", str(old_one), "--from", year_ago])
    compare("report monthly", ["report", "monthly"])
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        export = ["export", "exchanges", "--output"]
        compare("export exchanges (all rows)",
                export + [str(out / "new.csv")] + (["--force"] if new.takes(["export", "exchanges"], "--force") else []),
                old_command=export + [str(out / "old.csv")]
                + (["--force"] if old.takes(["export", "exchanges"], "--force") else []))
        imports: dict[str, list[float]] = {"old": [], "new": []}
        for key, version in (("old", old), ("new", new)):
            import_file(out / f"{key}-import.csv", version.ledger, 100_000)  # of its own ledger's members
        for _ in range(args.import_runs):
            for key, version in (("old", old), ("new", new)):
                copy = out / f"{key}.sqlite3"
                shutil.copyfile(version.ledger, copy)
                imports[key].append(measure(version.timebank + ["--db", str(copy), "import", "exchanges",
                                                                str(out / f"{key}-import.csv")])[0])
                for suffix in ("", "-wal", "-shm"):
                    Path(str(copy) + suffix).unlink(missing_ok=True)
        figures = {key: statistics.median(values) for key, values in imports.items()}
        rows.append(("import 100k exchange rows", figures))
        print(f"  import: old {figures['old']:.2f} s, new {figures['new']:.2f} s", flush=True)

    lines = ["# This checkout beside an earlier version", "",
             f"Measured on {date.today().isoformat()} with `python bench/compare.py --runs {args.runs}` "
             f"against {args.old_name}.", "", f"Machine: {machine()}.", "",
             f"Each command run {args.runs} times by each version in turn, each run beside a run of its own "
             "stack floor (`python -c 'import typer, sqlalchemy.orm, rich, babel'`); medians. The import: "
             f"{args.import_runs} runs each, 100,000 rows into a copy of each version's 1M ledger.", "",
             "| command | before | now | now / before | before, vs its floor | now, vs its floor |",
             "|---|---|---|---|---|---|"]
    for label, figures in rows:
        if "old floor" in figures:
            lines.append(f"| {label} | {figures['old']:.3f} s | {figures['new']:.3f} s | "
                         f"{figures['new'] / figures['old']:.2f} | {figures['old'] / figures['old floor']:.2f}x | "
                         f"{figures['new'] / figures['new floor']:.2f}x |")
        else:
            lines.append(f"| {label} | {100_000 / figures['old']:,.0f} rows/s | {100_000 / figures['new']:,.0f} "
                         f"rows/s | {figures['new'] / figures['old']:.2f} (time) | | |")
    add_section(lines, date.today().isoformat(), args.results)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
