"""Time the funder pack as whole processes -- the figures of a financial year (`report period`
as JSON and as the one-page PDF), the workbook, the summary and the areas -- on the demo
ledger and on bench ledgers of 100,000 and 1,000,000 exchanges, and write a section of bench/RESULTS.md
with the machine it ran on.

    python bench/funders.py              # 3 runs each (builds the ledgers in bench/out once)
    python bench/funders.py --runs 5 --skip-million

Wall time depends on what else the machine is doing (it is shared); the CPU time of the
process is reported beside it, and the load average when the runs began.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from results import add_section  # noqa: E402
from run import ENV, TIMEBANK, machine  # noqa: E402
from statements import timed  # noqa: E402


def financial_year() -> tuple[str, str]:
    """The UK financial year that holds today (April to March)."""
    today = date.today()
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}-04-01", f"{first + 1}-03-31"


def commands(out: Path) -> list[tuple[str, list[str]]]:
    start, end = financial_year()
    span = ["--from", start, "--to", end]
    return [("`report period --by quarter --format json`", ["report", "period", *span, "--by", "quarter",
                                                            "--format", "json"]),
            ("`report period --output year.pdf`", ["report", "period", *span, "--output", str(out / "year.pdf")]),
            ("`export workbook --output year.xlsx`", ["export", "workbook", *span, "--output", str(out / "year.xlsx")]),
            ("`export summary --by month`", ["export", "summary", *span, "--output", str(out / "summary.csv")]),
            ("`export areas`", ["export", "areas", *span, "--output", str(out / "areas.csv")])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--skip-million", action="store_true", help="leave out the ledger of 1,000,000 exchanges")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ledgers = [("demo ledger (43 members, a year)", args.out / "funders-demo.sqlite3", None),
               ("100,000 exchanges, 3,000 members", args.out / "funders-100k.sqlite3", (100_000, 3_000)),
               ("1,000,000 exchanges, 10,000 members", args.out / "funders-1m.sqlite3", (1_000_000, 10_000))]
    if args.skip_million:
        ledgers = ledgers[:2]
    for _label, path, size in ledgers:
        if path.exists():
            continue
        if size is None:
            subprocess.run(TIMEBANK + ["--db", str(path), "demo"], check=True, stdout=subprocess.DEVNULL, env=ENV)
        else:
            # In a process of its own: a child forked from a large parent would report the
            # parent's memory as its own peak.
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), "--exchanges", str(size[0]),
                            "--members", str(size[1])], check=True)
        subprocess.run(TIMEBANK + ["--db", str(path), "settings", "set", "hour_value", "12.60"], check=True,
                       stdout=subprocess.DEVNULL, env=ENV)
    load = os.getloadavg()
    start, end = financial_year()
    lines = [
        "# The funder pack: `report period`, `export workbook`, `export summary`, `export areas`",
        "",
        f"Measured on {date.today().isoformat()} with `python bench/funders.py --runs {args.runs}`, for the "
        f"financial year {start} to {end} (it ends today).",
        "",
        f"Machine: {machine()}. Load average when the runs began: {load[0]:.2f} (the machine is shared: "
        "wall time rises with the load, CPU time much less).",
        "",
        "Median of whole processes (start-up, reading the ledger, writing the file).",
        "",
        "| ledger | command | wall | CPU | peak memory |",
        "|---|---|---|---|---|",
    ]
    for label, path, _size in ledgers:
        for name, argv in commands(args.out):
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
