"""Time printing every member's statement (`statement --all --output FILE.pdf`) as whole
processes, on the demo ledger and on a bench ledger of 1,000 members, and write
a section of bench/RESULTS.md with the machine it ran on. Target: 1,000 statements in under 20 s.

    python bench/statements.py              # 3 runs each (about 2 minutes)
    python bench/statements.py --runs 5

Wall time depends on what else the machine is doing (it is shared); the CPU time of the
process is reported beside it, and the load average when the runs began.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from results import add_section  # noqa: E402
from run import ENV, TIMEBANK, machine  # noqa: E402

TARGET_SECONDS = 20.0


def timed(argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), peak memory (KB) and stderr of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, err


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]


def last_complete_month() -> str:
    first = date.today().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def bench(label: str, ledger: Path, period: list[str], runs: int, out: Path) -> dict[str, str]:
    target = out / "statements.pdf"
    results = [timed(TIMEBANK + ["--db", str(ledger), "statement", "--all", *period, "--output", str(target)])
               for _ in range(runs)]
    statements = int(re.search(r"(\d+) statement", results[-1][3]).group(1))  # type: ignore[union-attr]
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    return {"label": label, "period": " ".join(period), "statements": f"{statements:,}",
            "pages": f"{pdf_pages(target):,}", "size": f"{target.stat().st_size / 2**20:.1f} MB",
            "wall": f"{wall:.2f} s", "cpu": f"{cpu:.2f} s", "peak": f"{max(r[2] for r in results) / 1024:.0f} MB",
            "per": f"{wall / statements * 1000:.1f} ms", "seconds": f"{wall:.3f}", "count": str(statements)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    demo = args.out / "statements-demo.sqlite3"
    if not demo.exists():
        subprocess.run(TIMEBANK + ["--db", str(demo), "demo"], check=True, stdout=subprocess.DEVNULL, env=ENV)
    big = args.out / "statements-1000.sqlite3"
    if not big.exists():
        # 1,000 members and 100,000 exchanges over three years: about 2,800 exchanges a month.
        generate(big, 100_000, 1_000)
    month = last_complete_month()
    load = os.getloadavg()
    rows = [bench("demo ledger (40 members)", demo, ["--month", month], args.runs, args.out),
            bench("bench ledger, 1,000 members", big, ["--month", month], args.runs, args.out),
            bench("bench ledger, 1,000 members", big, ["--from", f"{month[:4]}-01-01", "--to",
                                                       f"{month}-28"], args.runs, args.out)]
    lines = [
        "# Printed statements: `statement --all --output FILE.pdf`",
        "",
        f"Measured on {date.today().isoformat()} with `python bench/statements.py --runs {args.runs}`.",
        "",
        f"Machine: {machine()}. Load average when the runs began: {load[0]:.2f} (the machine is shared: "
        "wall time rises with the load, CPU time much less).",
        "",
        "Median of whole processes (start-up, reading the ledger, drawing and writing the PDF).",
        "",
        "| ledger | period | statements | pages | file | wall | CPU | per statement | peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {r['label']} | `{r['period']}` | {r['statements']} | {r['pages']} | {r['size']} | {r['wall']} | "
              f"{r['cpu']} | {r['per']} | {r['peak']} |" for r in rows]
    monthly = rows[1]
    per_thousand = float(monthly["seconds"]) / int(monthly["count"]) * 1000
    met = "met" if per_thousand < TARGET_SECONDS else "missed"
    lines += ["", f"Target: 1,000 statements in under {TARGET_SECONDS:.0f} s: {per_thousand:.1f} s for 1,000 "
              f"monthly statements at this rate ({met})."]
    add_section(lines, date.today().isoformat())
    print("\n".join(lines))


if __name__ == "__main__":
    main()
