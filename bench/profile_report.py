"""A command beside the stack's import floor, timed in turn (wall and CPU time) (the machine is shared: a change
of load moves both), with medians and their ratio; with --profile FILE the command is run
once more under cProfile and the statistics saved.

    python bench/profile_report.py --db LEDGER [--runs 9] [--profile /tmp/report.prof] -- report monthly
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

FLOOR = [sys.executable, "-c", "import typer, sqlalchemy.orm, rich.table, babel.dates, babel.numbers"]
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TIMEBANK_USER="bench", COLUMNS="120")
ENV.pop("TIMEBANK_DB", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def seconds(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user and system) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(argv)} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    command = [sys.executable, "-m", "timebank", "--db", args.db, *args.command]
    seconds(command)  # the file cache, and any .pyc
    floors, times = [], []
    for _run in range(args.runs):
        floors.append(seconds(FLOOR))
        times.append(seconds(command))
    for what, at in (("wall", 0), ("CPU", 1)):
        floor, took = statistics.median(f[at] for f in floors), statistics.median(t[at] for t in times)
        print(f"{' '.join(args.command)}: {what} {took:.3f} s; floor {floor:.3f} s; {took / floor:.2f}x "
              f"(medians of {args.runs})")
    if args.profile:
        subprocess.run([sys.executable, "-m", "cProfile", "-o", args.profile, "-m", "timebank", "--db", args.db,
                        *args.command], env=ENV, stdout=subprocess.DEVNULL, check=True)


if __name__ == "__main__":
    main()
