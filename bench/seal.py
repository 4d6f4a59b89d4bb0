"""Time reports made again at a seal (`--seal`), beside the same reports made from the ledger
as it is, on bench ledgers of 100,000 and 1,000,000 exchanges, and write a section of bench/RESULTS.md with
the machine it ran on.

    python bench/seal.py                 # 3 runs each (builds the ledgers in bench/out once)
    python bench/seal.py --runs 5 --skip-million

The seal is taken from `check`'s output before a back-dated exchange is recorded, so that the
history at the seal is not the ledger's present one (every table is rebuilt as it was).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from funders import financial_year  # noqa: E402
from results import add_section  # noqa: E402
from run import ENV, TIMEBANK, machine  # noqa: E402
from statements import timed  # noqa: E402


def seal_of(ledger: Path) -> str:
    out = subprocess.run(TIMEBANK + ["--db", str(ledger), "check"], capture_output=True, text=True, env=ENV).stdout
    found = re.search(r"#\d+ [0-9a-f]{16}", out)
    if not found:
        raise SystemExit(f"no seal in: {out}")
    return found.group(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ledgers = [("100,000 exchanges, 3,000 members", args.out / "seal-100k.sqlite3", (100_000, 3_000)),
               ("1,000,000 exchanges, 10,000 members", args.out / "seal-1m.sqlite3", (1_000_000, 10_000))]
    if args.skip_million:
        ledgers = ledgers[:1]
    start, end = financial_year()
    span = ["--from", start, "--to", end, "--by", "quarter"]
    seals = {}
    for _label, path, size in ledgers:
        if not path.exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), "--exchanges", str(size[0]),
                            "--members", str(size[1])], check=True)
        seals[path] = seal_of(path)
        subprocess.run(TIMEBANK + ["--db", str(path), "record", "1", "2", "1", "--date", start, "--again",
                                   "--allow-overdraft"], check=True, stdout=subprocess.DEVNULL, env=ENV)
    load = os.getloadavg()
    lines = [
        "# Reports made again at a seal",
        "",
        f"Measured on {date.today().isoformat()} with `python bench/seal.py --runs {args.runs}`, for the financial "
        f"year {start} to {end} by quarter.",
        "",
        f"Machine: {machine()}. Load average when the runs began: {load[0]:.2f}.",
        "",
        "Median of whole processes. `--seal` copies the history up to the seal into temporary tables "
        "(exchanges, entries, members and their periods, listings) and recomputes the monthly totals, then "
        "runs the same report over them.",
        "",
        "| ledger | command | wall | CPU | peak memory |",
        "|---|---|---|---|---|",
    ]
    for label, path, _size in ledgers:
        seal = seals[path]
        for name, argv in [("`report period --format json`", ["report", "period", *span, "--format", "json"]),
                           ("`report period --format json --seal S`", ["report", "period", *span, "--format", "json",
                                                                        "--seal", seal]),
                           ("`report period --changes-since S`", ["report", "period", *span, "--format", "json",
                                                                  "--changes-since", seal]),
                           ("`report monthly --seal S`", ["report", "monthly", "--format", "json", "--seal", seal])]:
            results = [timed(TIMEBANK + ["--db", str(path)] + argv) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[1] for r in results)
            peak = max(r[2] for r in results) / 1024
            lines.append(f"| {label} | {name} | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB |")
            print(lines[-1], flush=True)
    add_section(lines, date.today().isoformat())
    print("\n".join(lines))


if __name__ == "__main__":
    main()
