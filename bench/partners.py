"""Trade between two banks at scale (issue 31): how long `partner export`, `partner import`
(new trades, then the same file again) and `partner statement` take as the trades grow.

    python bench/partners.py /tmp/bench-partners --trades 5000 --voids 200

Makes two ledgers in the folder (BLA and DYF, 200 members each), records `--trades` trades
at BLA with DYF's members (in-process, one transaction each, as `record` makes them) and
voids `--voids` of them, then times the commands as a coordinator runs them (a new process
each, wall time, best of `--runs`)."""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path


def timebank(db: Path, *args: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "timebank", "--db", str(db), *args], check=True,
                   stdout=subprocess.DEVNULL, env={"TIMEBANK_USER": "bench", "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--trades", type=int, default=5000)
    parser.add_argument("--voids", type=int, default=200)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    from timebank.ledger import actions
    from timebank.ledger.storage.db import open_ledger

    shutil.rmtree(options.folder, ignore_errors=True)
    options.folder.mkdir(parents=True)
    a, b = options.folder / "bla.sqlite3", options.folder / "dyf.sqlite3"
    for db, code, other, name in ((a, "BLA", "DYF", "Blaengarw"), (b, "DYF", "BLA", "Dyffryn")):
        ledger = open_ledger(str(db), create=True)
        actions.initialise(ledger, "bench", name=name, lang="en")
        for number in range(options.members):
            actions.add_member(ledger, "bench", name=f"Member {name} {number}", joined=date(2025, 1, 1))
        actions.set_setting(ledger, "bench", "bank_code", code, lang="en")
        actions.set_setting(ledger, "bench", "credit_limit", "", lang="en")
        actions.add_partner(ledger, "bench", f"Banc Amser {other}", other, joined=date(2025, 1, 1))
        ledger.dispose()
    rng = random.Random(31)
    ledger = open_ledger(str(a))
    began = time.perf_counter()
    numbers = []
    for index in range(options.trades):
        ours, theirs = str(rng.randint(1, options.members)), f"DYF:{rng.randint(1, options.members)}"
        givers, receivers = ([ours], [theirs]) if rng.random() < 0.5 else ([theirs], [ours])
        done = actions.record(ledger, "bench", givers=givers, receivers=receivers, minutes=rng.choice([30, 60, 90]),
                              on=date(2025, 1, 1) + timedelta(days=index % 600), lang="en", again=True,
                              allow_overdraft=True)
        numbers.append(done.result.number)
    for number in rng.sample(numbers, options.voids):
        actions.void(ledger, "bench", number, "bench")
    made = time.perf_counter() - began
    ledger.dispose()
    print(f"recorded {options.trades} trades and {options.voids} voids in-process: {made:.1f} s "
          f"({1000 * made / (options.trades + options.voids):.1f} ms each)")
    file = options.folder / "to-dyf.json"
    export = min(timebank(a, "partner", "export", "DYF", "--output", str(file), "--force")
                 for _ in range(options.runs))
    print(f"partner export DYF ({file.stat().st_size // 1024} KB): {export:.2f} s")
    first = timebank(b, "partner", "import", str(file))
    print(f"partner import, {options.trades} new trades: {first:.2f} s")
    again = min(timebank(b, "partner", "import", str(file)) for _ in range(options.runs))
    print(f"partner import, the same file again: {again:.2f} s")
    back = options.folder / "to-bla.json"
    timebank(b, "partner", "export", "BLA", "--output", str(back))
    known = timebank(a, "partner", "import", str(back))
    print(f"partner import at BLA, every trade already held: {known:.2f} s")
    statement = min(timebank(a, "partner", "statement", "DYF", "--format", "json") for _ in range(options.runs))
    print(f"partner statement DYF --format json: {statement:.2f} s")
    check = timebank(b, "check")
    print(f"check at DYF: {check:.2f} s")


if __name__ == "__main__":
    main()
