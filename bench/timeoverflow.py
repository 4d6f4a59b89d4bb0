"""Time `timebank import timeoverflow` on a generated TimeOverflow bank (whole processes,
median of several runs) and print the figures with the machine they ran on.

    python bench/timeoverflow.py                           # 2,000 members, 100,000 transfers
    python bench/timeoverflow.py --members 500 --transfers 20000 --runs 3

The bank is written as TimeOverflow exports it (members, transfers newest first, offers):
one member number in ten is missing (deleted or inactive members), one transfer in twenty
is with a member shown only as "The user no longer exists" or "The user isn't active",
one in fifty with the organisation, and every member's balance is what the transfers add
up to, in seconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PYTHON = sys.executable
TIMEBANK = [str(Path(PYTHON).parent / "timebank")] if (Path(PYTHON).parent / "timebank").exists() \
    else [PYTHON, "-m", "timebank"]
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TIMEBANK_USER="bench", TIMEBANK_TODAY="2026-11-25")
ENV.pop("TIMEBANK_DB", None)
ORG = "Banc Amser Mawr"


def generate(folder: Path, members: int, transfers: int, seed: int = 16) -> list[Path]:
    rng = random.Random(seed)
    uids = [uid for uid in range(1, members + members // 9 + 2) if uid % 10 != 3][:members]
    names = {uid: f"Aelod {uid}" for uid in uids}
    balance = {uid: 0 for uid in uids}
    start = date(2016, 1, 1)
    rows = []
    for index in range(transfers):
        day = start + timedelta(days=rng.randrange(3600))
        minutes = rng.choice([15, 30, 45, 60, 90, 120, 180])
        pick = rng.random()
        payer, earner = rng.sample(uids, 2)
        source = f"{names[payer]} ({payer})"
        destination = f"{names[earner]} ({earner})"
        if pick < 0.025:
            source, payer = "The user no longer exists", None
        elif pick < 0.05:
            destination, earner = "The user isn't active", None
        elif pick < 0.06:
            source, payer = ORG, None
        elif pick < 0.07:
            destination, earner = ORG, None
        if payer is not None:
            balance[payer] -= minutes * 60
        if earner is not None:
            balance[earner] += minutes * 60
        rows.append((f"{day} 10:{index % 60:02d}:00 UTC", source, destination, "", f"{minutes // 60}:{minutes % 60:02d}"))
    rows.sort(key=lambda r: r[0], reverse=True)
    member_file = folder / f"{ORG}_Users_2026-11-20.csv"
    with member_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["N", "Name", "Email", "Phone", "Alternative Phone", "Created", "Last login", "Locale",
                         "Balance"])
        for uid in uids:
            writer.writerow([uid, names[uid], f"aelod{uid}@example.org", "", "", "2015-12-01 09:00:00 UTC", "", "en",
                             balance[uid]])
    transfer_file = folder / f"{ORG}_Transfers_2026-11-20.csv"
    with transfer_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["Date", "From", "To", "Post", "Quantity"])
        writer.writerows(rows)
    offer_file = folder / f"{ORG}_Offers_2026-11-20.csv"
    with offer_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["", "Offer", "Tags", "User", "Created"])
        for group in ("Gardening", "Transport", "Languages"):
            writer.writerow(["", group, "", "", ""])
            for index, uid in enumerate(uids[:: max(1, len(uids) // 200)]):
                writer.writerow([index, f"{group} help", "", f"{names[uid]} ({uid})", "2016-01-01 10:00:00 UTC"])
    return [member_file, transfer_file, offer_file]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = generate(Path(folder), args.members, args.transfers)
        times, cpu, memory = [], [], []
        for run in range(args.runs):
            db = Path(folder) / f"ledger-{run}.sqlite3"
            subprocess.run(TIMEBANK + ["--db", str(db), "init"], env=ENV, check=True, capture_output=True)
            started = time.perf_counter()
            process = subprocess.Popen(TIMEBANK + ["--db", str(db), "import", "timeoverflow", *map(str, files)],
                                       env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            _pid, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            out = process.stdout.read().decode() if process.stdout else ""
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(out + (process.stderr.read().decode() if process.stderr else ""))
            times.append(elapsed)
            # CPU seconds too: on a shared machine the wall clock also counts other people's work.
            cpu.append(usage.ru_utime + usage.ru_stime)
            memory.append(usage.ru_maxrss)
            check = subprocess.run(TIMEBANK + ["--db", str(db), "check"], env=ENV, capture_output=True)
            assert check.returncode == 0, check.stdout
        median = statistics.median(times)
        print(f"import timeoverflow: {args.members} members, {args.transfers} transfers: "
              f"median {median:.2f} s of {args.runs} ({args.transfers / median:,.0f} transfers a second), "
              f"CPU {statistics.median(cpu):.2f} s, peak memory {max(memory) / 1024:.0f} MB")
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, "
              f"SQLite {__import__('sqlite3').sqlite_version}")
        print(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
