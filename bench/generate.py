"""Build a realistic ledger of a given size, fast: timebank's own schema (via `timebank
init`), then members, exchanges, entries and their audit events written in bulk in one
transaction, then linked into the tamper-evident chain as timebank would have linked them.

    python bench/generate.py LEDGER.sqlite3 --exchanges 1000000 --members 10000 [--centres 10]

The result passes `timebank check`: numbering without gaps, zero-sum exchanges, voids
as reversals dated on the original's date, members who left with no exchange after, and
a chain that verifies. Each exchange is recorded on the evening of its day with its
`exchange.record` event, as a coordinator typing them in would leave it (`--no-events`
for the bare exchanges of a bulk import).

Names are as a time bank's are: a few common Welsh and English surnames shared by many
(Jones, Davies, ...) and a long tail of rarer ones, so that some names are shared and most
are not, at 1,000 members as at 100,000; bench/run.py picks real ones to type.

With `--centres N`, and when the ledger has centres (a `centres` table), the network's N
centres are added, each member gets a home centre and each exchange the giver's centre.
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
# The long tail: double-barrelled place-name surnames, some with Welsh accents, so that a
# name typed with its accents dropped still has to be found.
TAIL_A = ["Llan", "Aber", "Pen", "Tre", "Caer", "Bryn", "Glan", "Pont", "Maes", "Cwm", "Rhos", "Nant", "Bod",
          "Dôl", "Ffynnon", "Gwaun", "Hafod", "Llech", "Mynydd", "Tŷ"]
TAIL_B = ["dŵr", "gwyn", "fawr", "ddu", "coed", "wen", "llyn", "ffordd", "hir", "môr", "celyn", "derwen",
          "afon", "rhiw", "onnen", "garth", "bedw", "gwern", "eithin", "wern", "ŷd", "meillion", "rhedyn",
          "mawn", "clwyd", "teifi", "tawe", "ogwr", "llŷn", "menai"]
TAIL = [a + b for a in TAIL_A for b in TAIL_B]
MORE_FIRST = ["Aled", "Alun", "Bethan", "Bryn", "Catrin", "Dewi", "Dylan", "Eirlys", "Elwyn", "Emrys", "Esyllt",
              "Geraint", "Glesni", "Gwion", "Gwyneth", "Heledd", "Huw", "Ieuan", "Ifan", "Luned", "Mared", "Meinir",
              "Mererid", "Nia", "Nerys", "Osian", "Rhiannon", "Sioned", "Tegwen", "Tomos", "Anwen", "Branwen",
              "Carys", "Cai", "Deiniol", "Efa", "Gwenno", "Hywel", "Lleucu", "Morfudd", "Non", "Pedr", "Sianed",
              "Math", "Olwen", "Andrew", "Helen", "John", "Mary", "Paul", "Susan", "Mark", "Karen", "Chris",
              "Julie", "Anne", "Michael", "Claire", "Ian", "Rachel", "Steven", "Nicola", "Robert", "Joanne"]
NAMES_FIRST = FIRST + MORE_FIRST
CENTRE_NAMES = ["Blaengarw", "Maesteg", "Pencoed", "Porthcawl", "Caerau", "Nantyffyllon", "Ogmore Vale",
                "Bryncethin", "Cefn Cribwr", "Kenfig Hill", "Aberkenfig", "Pontycymer", "Sarn", "Tondu", "Betws"]
AREAS = ["CF31", "CF32", "CF33", "CF34", "CF35", "CF36", "SA10", "SA11", "SA12", "SA13"]


def person_name(rng: random.Random) -> str:
    """A first name and a surname: one in three from the common surnames, the rest from the
    tail (one in four of those double-barrelled), so that names are mostly unique."""
    first = rng.choice(NAMES_FIRST)
    if rng.random() < 0.33:
        return f"{first} {rng.choice(LAST)}"
    surname = rng.choice(TAIL)
    if rng.random() < 0.25:
        surname = f"{surname}-{rng.choice(TAIL)}"
    return f"{first} {surname}"


def table_columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, bool, bool]]:
    """(name, not null, has a default) of each column of a table; empty when there is no such table."""
    return [(row[1], bool(row[3]), row[4] is not None or bool(row[5]))
            for row in conn.execute(f'PRAGMA table_info("{table}")')]


def add_centres(conn: sqlite3.Connection, count: int, now: str) -> list[str]:
    """The network's centres, when the ledger has them: their codes (BLA, MAE, ...)."""
    columns = table_columns(conn, "centres")
    if not columns or count <= 0:
        return []
    names = [CENTRE_NAMES[i % len(CENTRE_NAMES)] + (f" {i // len(CENTRE_NAMES) + 1}" if i >= len(CENTRE_NAMES) else "")
             for i in range(count)]
    codes = [f"{name.replace(' ', '')[:3].upper()}{i if i >= len(CENTRE_NAMES) else ''}"
             for i, name in enumerate(names)]
    if len(set(codes)) < len(codes):
        codes = [f"C{i:02d}" for i in range(count)]
    known = {"code": codes, "name": [f"Canolfan {n}" for n in names]}
    fill = {"created_at": now}
    wanted = [c for c, _nn, _d in columns if c in known or c in fill]
    missing = [c for c, not_null, default in columns if not_null and not default and c not in wanted]
    if missing:
        raise SystemExit(f"centres has required columns the generator does not know: {', '.join(missing)}")
    rows = [tuple(known[c][i] if c in known else fill[c] for c in wanted) for i in range(count)]
    conn.executemany(f"INSERT INTO centres ({', '.join(wanted)}) VALUES ({', '.join('?' * len(wanted))})", rows)
    return codes


def generate(path: Path, exchanges: int, members: int, months: int = 36, seed: int = 1, events: bool = True,
             centres: int = 0) -> None:
    started = time.perf_counter()
    if path.exists():
        raise SystemExit(f"{path} exists: the generator makes a new ledger")
    subprocess.run([sys.executable, "-m", "timebank", "--db", str(path), "--lang", "en", "init",
                    "--name", "Benchmark time bank"], check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(seed)
    today = date.today()
    start = date(today.year - months // 12, today.month, 1)
    span = (today - start).days
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    now = datetime.utcnow().replace(microsecond=0).isoformat(sep=" ")

    codes = add_centres(conn, centres, now)
    member_columns = [c for c, _n, _d in table_columns(conn, "members")]
    member_centre = bool(codes) and "centre" in member_columns
    # The folded name beside the name, as timebank keeps it (`Member.folded`), where it does.
    member_folded = "folded" in member_columns
    from timebank.ledger.basics.language import fold
    exchange_centre = bool(codes) and any(c == "centre" for c, _n, _d in table_columns(conn, "exchanges"))
    if centres and not codes:
        print("this ledger has no centres table: generating a ledger without centres")
    home = [codes[rng.randrange(len(codes))] if codes else None for _ in range(members + 1)]
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
        organisation = number % 50 == 0
        name = f"Cymdeithas {rng.choice(TAIL)} {number}" if organisation else person_name(rng)
        rows.append((number, "organisation" if organisation else "person", name,
                     rng.choice(AREAS), "cy" if rng.random() < 0.6 else "en", day.isoformat(),
                     gone.isoformat() if gone else None, now) + ((home[number],) if member_centre else ())
                    + ((fold(name),) if member_folded else ()))
    extra = (["centre"] if member_centre else []) + (["folded"] if member_folded else [])
    conn.executemany("INSERT INTO members (number, kind, name, area, lang, joined, left, created_at"
                     + "".join(f", {c}" for c in extra) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?"
                     + ", ?" * len(extra) + ")", rows)
    # Each member's period of membership, there from the start of the history (link 0).
    conn.executemany("INSERT INTO member_periods (member, joined, \"left\", ended_by, opened_link, closed_link) "
                     "VALUES (?, ?, ?, ?, 0, ?)",
                     [(number, joined[number - 1].isoformat(), gone.isoformat() if gone else None,
                       "left" if gone else None, 0 if gone else None)
                      for number, gone in zip(range(1, members + 1), left)])

    # Exchanges spread evenly over the days; the givers and receivers are members who
    # belonged on the day.
    days = sorted(start + timedelta(days=rng.randrange(span)) for _ in range(exchanges))
    exchange_rows: list[tuple] = []
    entry_rows: list[tuple] = []
    event_rows: list[tuple] = []

    def flush() -> None:
        """Write the rows gathered so far: memory stays flat however many exchanges (5M
        exchanges held at once took several GB)."""
        conn.executemany("INSERT INTO exchanges (number, date, category, minutes, note, reverses, recorded_at, "
                         "recorded_by" + (", centre" if exchange_centre else "") + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?"
                         + (", ?" if exchange_centre else "") + ")", exchange_rows)
        conn.executemany("INSERT INTO entries (exchange, member, role, date, minutes) VALUES (?, ?, ?, ?, ?)",
                         entry_rows)
        if events:
            conn.executemany("INSERT INTO audit (at, \"by\", action, exchange, details) VALUES (?, 'bench', ?, ?, ?)",
                             event_rows)
        exchange_rows.clear()
        entry_rows.clear()
        event_rows.clear()

    number = 0
    voids = []
    for day in days:
        if len(exchange_rows) >= 100_000:
            flush()
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
        exchange_rows.append((number, iso, category, minutes, None, None, evening, "bench")
                             + ((home[giver],) if exchange_centre else ()))
        entry_rows.append((number, giver, "giver", iso, minutes))
        entry_rows.append((number, receiver, "receiver", iso, -minutes))
        event_rows.append((evening, "exchange.record", number,
                           f'{{"category": "{category}", "date": "{iso}", "givers": [{giver}], '
                           f'"minutes": {minutes}, "receivers": [{receiver}]}}'))
        if rng.random() < 0.005:
            voids.append((number, iso, category, minutes, giver, receiver))
    for original, iso, category, minutes, giver, receiver in voids:
        number += 1
        exchange_rows.append((number, iso, category, minutes, "Recorded twice", original, now, "bench")
                             + ((home[giver],) if exchange_centre else ()))
        entry_rows.append((number, giver, "giver", iso, -minutes))
        entry_rows.append((number, receiver, "receiver", iso, minutes))
        event_rows.append((now, "exchange.void", original, f'{{"reason": "Recorded twice", "reversal": {number}}}'))
    flush()
    conn.execute("INSERT INTO audit (at, \"by\", action, details) VALUES (?, 'bench', 'bench.generate', ?)",
                 (now, f'{{"exchanges": {exchanges}, "members": {members}}}'))
    conn.commit()
    conn.close()
    # The cached balances and monthly totals, computed from the entries as timebank does,
    # and the rows linked into the chain in the order they were written.
    from timebank.ledger.integrity.chain import link_unlinked
    from timebank.ledger.integrity.records import link_unlinked_records
    from timebank.ledger.records.totals import rebuild
    from timebank.ledger.storage.db import open_ledger, writing

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
    print(f"{path}: {members} members, {number} exchanges ({len(voids)} voided), {len(codes)} centres "
          f"in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--centres", type=int, default=0,
                        help="a network of N centres (when the ledger has centres)")
    parser.add_argument("--no-events", dest="events", action="store_false",
                        help="no audit event per exchange (a ledger filled by imports)")
    args = parser.parse_args()
    generate(args.ledger, args.exchanges, args.members, args.months, args.seed, args.events, args.centres)


if __name__ == "__main__":
    main()
