"""Time `timebank check` -- the whole chain verified, and every other check -- on a ledger
of a million exchanges, and write the figures with the machine to a section of bench/RESULTS.md.

    python bench/check.py                          # 1,000,000 exchanges, 3 runs
    python bench/check.py --exchanges 100000 --runs 5

The ledger (bench/out/chain-N.sqlite3) is made by bench/generate.py with one audit event
per exchange, as typed records leave it, so the chain has about two links per exchange.
Its linking time is the work the upgrade to revision 0004 does on such a ledger.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import time
from datetime import date
from pathlib import Path

from generate import generate
from results import RESULTS, add_section
from run import ENV, TIMEBANK, machine

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 10.0
# Where the time goes, measured on 2026-11-26 (CPU seconds, so that the machine's load
# does not move them; they go stale as the code changes, so measure again).
WHY = """\
Where the time goes on this ledger (measured 2026-11-26, each part alone on an idle machine):

- the pass over the history (`timebank/ledger/integrity/verify.py`: 1M exchanges with their 2M entries and
  1M audit events, every rule, every sum, every link hashed): 14.4 s, in Python, on one core -- about
  8 us an exchange and 5 us an event to read, check, lay out and hash. It sets the wall time;
- SQLite's `PRAGMA integrity_check` (every page, every index against its table) and foreign-key check:
  7.5 s, and the check that every stored value has its column's type: 3.4 s. Each runs on a connection
  of its own in a thread of its own (SQLite's work, outside Python's lock), beside the pass;
- everything else (start-up, schema, voids, numbering, cached balances and totals): about 1 s.

That is 27 s of CPU for 2 cores: under 10 s of wall time on this machine needs about 40% less work, not
only more parallelism. What would do it, not done here: checking the audit events' links in a second
process (each link is checked against its stored predecessor, so the work splits; that process has its
own snapshot and must leave alone links written after the check began), and `PRAGMA quick_check` in
place of the full integrity check (0.8 s, but it no longer proves that the indexes the reports read
agree with their tables). The ledger bench/run.py builds -- the same million exchanges, written by
imports, so one link per exchange -- is checked in 9.8 s (bench/RESULTS.md, 2026-11-26).

For comparison, on the 1,000,000-exchange ledger of bench/generate.py without audit events (1M links):
`check` before the chain took 19.2 s of CPU and 1.3 GB of memory; with the chain (verified) 18.5 s and
80 MB (2026-11-25). Upgrading that ledger from revision 0003 (automatic backup, linking a million
exchanges, indexing) and checking it took 41 s of CPU.
"""


def measure(argv: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system, the process and its threads), peak
    resident memory (KB) and exit code of one process. CPU time says what the work costs
    when other programs share the machine; wall time is what a coordinator waits."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _pid, status, usage = os.wait4(process.pid, 0)
    return (time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
            os.waitstatus_to_exitcode(status))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ledger = args.out / f"chain-{args.exchanges}.sqlite3"
    made = ""
    if not ledger.exists():
        started = time.perf_counter()
        generate(ledger, args.exchanges, args.members)
        made = f"built (and linked) in {time.perf_counter() - started:.0f} s"
    db = ["--db", str(ledger)]
    shown = subprocess.run(TIMEBANK + db + ["check"], env=ENV, capture_output=True, text=True)
    seal = re.search(r"#\d+ [0-9a-f]{16}", shown.stdout)
    assert shown.returncode == 0 and seal, shown.stdout + shown.stderr
    links = int(seal.group(0)[1:].split()[0])
    rows = []
    for label, argv in (("check", TIMEBANK + db + ["check"]),
                        ("check --seal SEAL", TIMEBANK + db + ["check", "--seal", seal.group(0)])):
        results = [measure(argv) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[1] for r in results)
        peak = max(r[2] for r in results) / 1024
        code = max(r[3] for r in results)
        rows.append(f"| `timebank {label}` | {seconds:.2f} s | {cpu:.2f} s | {peak:.0f} MB | "
                    f"{'yes' if seconds <= TARGET_SECONDS else 'no'} |" + ("" if code == 0 else f" exit {code}"))
        print(rows[-1], flush=True)
    lines = ["# `timebank check` at scale", "",
             f"Measured on {date.today().isoformat()} with `python bench/check.py --exchanges {args.exchanges} "
             f"--runs {args.runs}`.", "", f"Machine: {machine()}.", "",
             f"Ledger: {args.exchanges:,} exchanges, {args.members:,} members, one audit event per exchange: "
             f"{links:,} links in the chain ({ledger.stat().st_size / 2**20:.0f} MB){'; ' + made if made else ''}.",
             "", f"Median wall time of {args.runs} whole processes; target: at most {TARGET_SECONDS:g} s.", "",
             "| command | wall time | CPU time (all threads) | peak memory | within target |", "|---|---|---|---|---|",
             *rows, "", f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: "
             "other programs shared the machine, so the CPU time says more than the wall time.", "", WHY]
    add_section(lines, date.today().isoformat(), args.results)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
