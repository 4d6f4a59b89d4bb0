"""Peak memory of a large spreadsheet import (issue 17, red-team item 21: a 200 MB file of
5.7 million rows had peaked at 5.4 GB). Makes the file and a ledger of a thousand members,
imports the file once, and prints the seconds, rows per second and peak resident memory.

    python bench/import_memory.py                      # 5,700,000 rows, about 200 MB
    python bench/import_memory.py --rows 1000000 --grouped

`--grouped` adds an `exchange` column (as `export exchanges` writes), which takes the
import's other path (rows gathered by exchange in a temporary table). To measure another
version of timebank, put its source first on PYTHONPATH. The figures go in a section of
bench/RESULTS.md by hand, with the machine (`machine()` below prints it).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import ENV, PYTHON, machine, measure  # noqa: E402

CATEGORIES = ["transport", "gardening", "shopping", "companionship", "diy", "computers", "cooking", "other", ""]
HOURS = ["1", "1.5", "2", "0:45", "90m", "1h30m", "3", "0.25"]


def make_file(path: Path, rows: int, members: int, grouped: bool, seed: int = 1) -> None:
    """Rows like a year or two of a large network's paper sheets: dates in the last two
    years, any two different members, a few amounts and categories."""
    rng = random.Random(seed)
    days = [(date.today() - timedelta(days=n)).isoformat() for n in range(1, 730)]
    with path.open("w", encoding="utf-8") as handle:
        handle.write("exchange,date,giver,receiver,hours,category\n" if grouped else
                     "date,giver,receiver,hours,category\n")
        for index in range(rows):
            giver = rng.randrange(1, members + 1)
            receiver = rng.randrange(1, members)
            receiver += receiver >= giver
            line = f"{rng.choice(days)},{giver},{receiver},{rng.choice(HOURS)},{rng.choice(CATEGORIES)}\n"
            handle.write(f"{index + 1},{line}" if grouped else line)


def make_ledger(path: Path, members: int, out: Path) -> None:
    people = out / f"members-{members}.csv"
    with people.open("w", encoding="utf-8") as handle:
        handle.write("name,joined\n")
        for number in range(1, members + 1):
            handle.write(f"Aelod {number:05d},2020-01-01\n")
    for args in (["init", "--name", "Import benchmark"], ["import", "members", str(people)]):
        subprocess.run([PYTHON, "-m", "timebank", "--db", str(path), *args], check=True, env=ENV,
                       stdout=subprocess.DEVNULL)


def cpu_seconds(ledger: Path, source: Path) -> float:
    """The import's own CPU time, measured around the core call."""
    import time

    from timebank.io.imports import import_file
    from timebank.ledger.storage.db import open_ledger

    opened = open_ledger(str(ledger))
    try:
        started = time.process_time()
        import_file(opened, "bench", "exchanges", source)
        return time.process_time() - started
    finally:
        opened.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_700_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--grouped", action="store_true", help="with an exchange column")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--cpu", action="store_true",
                        help="import in this process and print its CPU time instead (no start-up, no peak)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    kind = "grouped" if args.grouped else "rows"
    source = args.out / f"import-{args.rows}-{kind}.csv"
    if not source.exists():
        make_file(source, args.rows, args.members, args.grouped)
    ledger = args.out / f"import-memory-{args.rows}-{kind}.sqlite3"
    for old in ledger.parent.glob(ledger.name + "*"):
        old.unlink()
    make_ledger(ledger, args.members, args.out)
    try:
        if args.cpu:
            print(f"import of {args.rows:,} rows ({kind}): {cpu_seconds(ledger, source):.2f} s of CPU")
            return
        seconds, peak_kb, code = measure([PYTHON, "-m", "timebank", "--db", str(ledger), "import", "exchanges",
                                          str(source)])
    finally:
        for old in ledger.parent.glob(ledger.name + "*"):
            old.unlink()
    size = source.stat().st_size
    print(f"machine: {machine()}")
    print(f"import of {args.rows:,} rows ({size / 2**20:.0f} MB, {kind}): exit {code}, {seconds:.1f} s = "
          f"{args.rows / seconds:,.0f} rows/s; peak {peak_kb / 1024:.0f} MB")
    sys.exit(code)


if __name__ == "__main__":
    main()
