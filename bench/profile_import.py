"""Where an import's time goes: imports a file of exchange rows (bench/import_memory.py
makes it) into a fresh copy of a ledger of 1,000 members, in this process, and prints its
CPU time; with --profile FILE the run is made under cProfile and the statistics saved.

    python bench/profile_import.py --rows 200000 [--profile /tmp/import.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from import_memory import make_file, make_ledger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / f"import-{args.rows}-rows.csv"
    if not source.exists():
        make_file(source, args.rows, args.members, False)
    template = args.out / f"import-template-{args.members}.sqlite3"
    if not template.exists():
        make_ledger(template, args.members, args.out)
    ledger = args.out / f"import-profile-{args.rows}.sqlite3"
    for old in ledger.parent.glob(ledger.name + "*"):
        old.unlink()
    shutil.copyfile(template, ledger)

    from timebank.io.imports import import_file
    from timebank.ledger.storage.db import open_ledger

    opened = open_ledger(str(ledger))
    profiler = cProfile.Profile() if args.profile else None
    try:
        started, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        import_file(opened, "bench", "exchanges", source)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - started, time.perf_counter() - wall
    finally:
        opened.dispose()
        for old in ledger.parent.glob(ledger.name + "*"):
            old.unlink()
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
    print(f"import of {args.rows:,} rows: {cpu:.2f} s of CPU ({args.rows / cpu:,.0f} rows/s), {wall:.2f} s wall")


if __name__ == "__main__":
    main()
