"""Build a realistic ledger of a given size, fast: timebank's own schema (via `timebank
init`), then members, exchanges, entries and their audit events written in bulk in one
transaction, then linked into the tamper-evident chain as timebank would have linked them.

    python bench/generate.py LEDGER.sqlite3 --exchanges 1000000 --members 10000

The result passes `timebank check`: numbering without gaps, zero-sum exchanges, voids
as reversals dated on the original's date, members who left with no exchange after, and
a chain that verifies. Each exchange is recorded on the evening of its day with its
`exchange.record` event, as a coordinator typing them in would leave it (`--no-events`
for the bare exchanges of a bulk import).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

CATEGORIES = ["transport", "gardening", "shopping", "companionship", "diy", "computers", "cooking", "childcare",
              "teaching", "events", "admin", "other"]
WEIGHTS = [14, 12, 10, 14, 8, 8, 7, 4, 5, 6, 5, 3]
FIRST = ["Siân", "Llinos", "Lowri", "Rhys", "Dafydd", "Gwenllïan", "Llŷr", "Eleri", "Iwan", "Gareth", "Ffion",
         "Cerys", "Owain", "Elin", "Rhodri", "Angharad", "James", "Sarah", "David", "Emma", "Peter", "Ruth"]
LAST = ["Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan", "Griffiths",
        "Price", "ap Rhys", "Pritchard", "Llewellyn", "Smith", "Taylor"]
AREAS = ["CF31", "CF32", "CF33", "CF34", "CF35", "CF36", "SA10", "SA11", "SA12", "SA13"]


def generate(path: Path, exchanges: int, members: int, months: int = 36, seed: int = 1, events: bool = True) -> None:
    started = time.perf_counter()
    if path.exists():
        raise SystemExit(f"{path} exists: the generator makes a new ledger")
    subprocess.run([sys.executable, "-m", "timebank", "--db", str(path), "--lang", "en", "init",
                    "--name", "Benchmark time bank"], check=True, stdout=subprocess.DEVNULL)
    from timebank.ledger.basics.language import fold

    rng = random.Random(seed)
    today = date.today()
    start = date(today.year - months // 12, today.month, 1)
    span = (today - start).days
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    now = datetime.utcnow().replace(microsecond=0).isoformat(sep=" ")

    joined: list[date] = []
    left: list[date | None] = []
    rows = []
    for number in range(1, members + 1):
        day = start + timedelta(days=rng.randrange(span // 2)) if number > members // 2 else start
        gone = today - timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.05 else None
        if gone is not None and gone <= day:
            gone = None
        joined.append(day)
        left.append(gone)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}"
        rows.append((number, "person" if number % 50 else "organisation", name, fold(name),
                     rng.choice(AREAS), "cy" if rng.random() < 0.6 else "en", day.isoformat(),
                     gone.isoformat() if gone else None, now))
    # The folded name beside the name, as timebank keeps it (`Member.folded`).
    conn.executemany("INSERT INTO members (number, kind, name, folded, area, lang, joined, left, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # Each member's period of membership, there from the start of the history (link 0).
    conn.executemany("INSERT INTO member_periods (member, joined, \"left\", ended_by, opened_link, closed_link) "
                     "VALUES (?, ?, ?, ?, 0, ?)",
                     [(number, joined[number - 1].isoformat(), gone.isoformat() if gone else None,
                       "left" if gone else None, 0 if gone else None)
                      for number, gone in zip(range(1, members + 1), left)])

    # Exchanges spread evenly over the days; the givers and receivers are members who
    # belonged on the day.
    days = sorted(start + timedelta(days=rng.randrange(span)) for _ in range(exchanges))
    exchange_rows = []
    entry_rows = []
    event_rows: list[tuple] = []
    number = 0
    voids = []
    for day in days:
        while True:
            giver, receiver = rng.randrange(1, members + 1), rng.randrange(1, members + 1)
            if giver == receiver:
                continue
            if all(joined[m - 1] <= day and (left[m - 1] is None or day <= left[m - 1]) for m in (giver, receiver)):
                break
        number += 1
        minutes = rng.choice([30, 45, 60, 60, 60, 90, 120, 120, 180])
        category = rng.choices(CATEGORIES, WEIGHTS)[0]
        iso = day.isoformat()
        evening = f"{iso} 18:00:00"
        exchange_rows.append((number, iso, category, minutes, None, None, evening, "bench"))
        entry_rows.append((number, giver, "giver", iso, minutes))
        entry_rows.append((number, receiver, "receiver", iso, -minutes))
        event_rows.append((evening, "exchange.record", number,
                           f'{{"category": "{category}", "date": "{iso}", "givers": [{giver}], '
                           f'"minutes": {minutes}, "receivers": [{receiver}]}}'))
        if rng.random() < 0.005:
            voids.append((number, iso, category, minutes, giver, receiver))
    for original, iso, category, minutes, giver, receiver in voids:
        number += 1
        exchange_rows.append((number, iso, category, minutes, "Recorded twice", original, now, "bench"))
        entry_rows.append((number, giver, "giver", iso, -minutes))
        entry_rows.append((number, receiver, "receiver", iso, minutes))
        event_rows.append((now, "exchange.void", original, f'{{"reason": "Recorded twice", "reversal": {number}}}'))
    conn.executemany("INSERT INTO exchanges (number, date, category, minutes, note, reverses, recorded_at, "
                     "recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", exchange_rows)
    conn.executemany("INSERT INTO entries (exchange, member, role, date, minutes) VALUES (?, ?, ?, ?, ?)",
                     entry_rows)
    if events:
        conn.executemany("INSERT INTO audit (at, \"by\", action, exchange, details) VALUES (?, 'bench', ?, ?, ?)",
                         event_rows)
    conn.execute("INSERT INTO audit (at, \"by\", action, details) VALUES (?, 'bench', 'bench.generate', ?)",
                 (now, f'{{"exchanges": {exchanges}, "members": {members}}}'))
    conn.commit()
    conn.close()
    # The cached balances and monthly totals, computed from the entries as timebank does,
    # and the rows linked into the chain in the order they were written.
    from timebank.ledger.integrity.chain import link_unlinked
    from timebank.ledger.integrity.records import link_unlinked_records
    from timebank.ledger.storage.db import open_ledger, writing
    from timebank.ledger.records.totals import rebuild

    ledger = open_ledger(str(path))
    with writing(ledger) as session:
        rebuild(session)
        linking = time.perf_counter()
        linked = link_unlinked(session.connection())
        linked += link_unlinked_records(session.connection())
    print(f"linked {linked} rows into the chain in {time.perf_counter() - linking:.1f} s")
    ledger.dispose()
    conn = sqlite3.connect(path)
    conn.execute("ANALYZE")
    conn.close()
    print(f"{path}: {members} members, {number} exchanges ({len(voids)} voided) "
          f"in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-events", dest="events", action="store_false",
                        help="no audit event per exchange (a ledger filled by imports)")
    args = parser.parse_args()
    generate(args.ledger, args.exchanges, args.members, args.months, args.seed, args.events)


if __name__ == "__main__":
    main()
