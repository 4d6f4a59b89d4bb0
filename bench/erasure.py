"""How long `member forget` takes to find every mention (`plan_erasure`, no change made) on
a ledger of bench/generate.py whose exchanges all have notes naming members, in Latin and
Cyrillic script: the database's cheap filter (erasure._may_mention) against reading every
row in Python.

    python bench/generate.py /tmp/b.sqlite3 --exchanges 100000 --members 2000
    python bench/erasure.py /tmp/b.sqlite3
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import select, true

from timebank.ledger.records import erasure
from timebank.ledger.storage.db import open_ledger, reading
from timebank.ledger.storage.models import Member

WORDS = "took the shopping round for help with garden lift to surgery and back thanks from".split()


def add_notes(path: Path) -> tuple[int, int]:
    """Every exchange gets a note naming a member; one member is renamed into Cyrillic."""
    rng = random.Random(1)
    conn = sqlite3.connect(path)
    names = [name for (name,) in conn.execute("SELECT name FROM members WHERE kind != 'pot'")]
    latin = conn.execute("SELECT number FROM members WHERE kind != 'pot' ORDER BY number "
                         "LIMIT 1 OFFSET 9").fetchone()[0]
    cyrillic = latin + 1
    conn.execute("UPDATE members SET name = 'Ольга Петрова' WHERE number = ?", (cyrillic,))
    names.append("Ольга Петрова")
    numbers = [n for (n,) in conn.execute("SELECT number FROM exchanges")]
    conn.executemany("UPDATE exchanges SET note = ? WHERE number = ?", [
        (" ".join(rng.sample(WORDS, 4) + [rng.choice(names)] + rng.sample(WORDS, 3)), n) for n in numbers])
    conn.commit()
    conn.close()
    return latin, cyrillic


def main() -> None:
    path = Path(sys.argv[1])
    latin, cyrillic = add_notes(path)
    ledger = open_ledger(str(path))
    for number in (latin, cyrillic):
        every_row = lambda column, runs, dialect="": true()
        for label, filter_ in (("filter", erasure._may_mention), ("every row", every_row)):
            saved = erasure._may_mention
            erasure._may_mention = filter_  # type: ignore[assignment]
            try:
                with reading(ledger) as session:
                    member = session.scalars(select(Member).where(Member.number == number)).one()
                    started = time.perf_counter()
                    plan = erasure.plan_erasure(session, member)
                    took = time.perf_counter() - started
            finally:
                erasure._may_mention = saved  # type: ignore[assignment]
            print(f"{member.name:<24} {label:<10} {took:6.2f} s  {len(plan.places)} places")
    ledger.dispose()


if __name__ == "__main__":
    main()
