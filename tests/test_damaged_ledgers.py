"""A damaged ledger file and odd settings of the environment: one clear line or a failed
check, never 'Unexpected error'."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from conftest import ON_POSTGRES, Cli, dump, execute_sql, query, sqlite_only
from crafting import unique_index_made_plain, voided_twice, without_constraint

UNEXPECTED = ("Unexpected error", "Gwall annisgwyl", "Traceback")


@pytest.fixture
def busy_ledger(ledger: Cli) -> Cli:
    ledger.ok("member", "add", "Llŷr Gwŷn", "--joined", "2026-01-05", "--area", "Tŷ Ddewi", "--email", "l@example.org")
    for day in range(1, 25):
        giver, receiver = [("Siân", "Llŷr"), ("Llŷr", "Llinos"), ("Llinos", "Siân")][day % 3]
        ledger.ok("record", giver, receiver, "1:30", "--date", f"2026-02-{day:02d}",
                  "--note", f"help {day}")
    ledger.ok("exchange", "void", "3", "--reason", "typed twice")
    ledger.ok("offer", "add", "Siân", "gardening")
    return ledger


def self_contained_copy(ledger: Cli, tmp_path: Path) -> bytes:
    """The ledger as one file (its write-ahead log folded in)."""
    copy = tmp_path / "whole.sqlite3"
    source = sqlite3.connect(ledger.db)
    target = sqlite3.connect(copy)
    source.backup(target)
    target.execute("PRAGMA journal_mode = DELETE")
    target.close()
    source.close()
    return copy.read_bytes()


@pytest.mark.slow
@sqlite_only
@pytest.mark.parametrize("seed", range(3))
def test_check_on_bit_flipped_copies_never_fails_unexpectedly(busy_ledger: Cli, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str], seed: int) -> None:
    # Red-team: `check` on 7 of 120 bit-flipped copies said "Unexpected error (ValueError):
    # Invalid isoformat string" instead of naming the damage.
    data = self_contained_copy(busy_ledger, tmp_path)
    randomness = random.Random(seed)
    verdicts: dict[int, int] = {}
    for trial in range(60):
        damaged = bytearray(data)
        position = randomness.randrange(len(damaged))
        damaged[position] ^= 1 << randomness.randrange(8)
        path = tmp_path / f"flipped-{trial}.sqlite3"
        path.write_bytes(bytes(damaged))
        for lang in ("en", "cy"):
            result = Cli(path, capsys)("check", lang=lang)
            assert not any(word in result.out + result.err for word in UNEXPECTED), (position, result)
            assert result.code in (0, 1), (position, result)
            verdicts[result.code] = verdicts.get(result.code, 0) + 1
        path.unlink()
    assert verdicts.get(1, 0) > 0  # some flips are damage that check names


@sqlite_only
def test_values_of_the_wrong_type_are_named_by_check(busy_ledger: Cli) -> None:
    db = busy_ledger.db
    conn = sqlite3.connect(db)
    conn.execute("UPDATE entries SET date = '2026-0u-28' WHERE id IN (3, 5)")
    conn.execute("UPDATE exchanges SET minutes = 'abc' WHERE number = 4")
    conn.execute("UPDATE audit SET at = 'yesterday' WHERE id = 2")
    conn.commit()
    conn.close()
    result = busy_ledger("check")
    assert result.code == 1 and not any(word in result.out + result.err for word in UNEXPECTED), result
    assert "entries.date: values that are not dates (2; the first in row 3)." in result.out
    assert "exchanges.minutes: values that are not whole numbers (1; the first in row 4)." in result.out
    assert "audit.at: values that are not dates and times (1; the first in row 2)." in result.out
    welsh = busy_ledger("check", lang="cy")
    assert welsh.code == 1 and "entries.date: gwerthoedd nad ydynt yn ddyddiadau (2; y cyntaf yn rhes 3)." in welsh.out
    assert "values that are" not in welsh.out, welsh


def test_a_sound_ledger_passes_the_type_check(busy_ledger: Cli) -> None:
    result = busy_ledger.ok("check")
    assert "Every stored value has its type" in result.out
    assert "✓ No value that must be unique is held twice" in result.out
    assert "✓ Schema at the latest migration" in result.out


def test_check_names_a_double_void_made_without_the_unique_constraint(busy_ledger: Cli) -> None:
    # Red-team (issue 26): a ledger rebuilt without the unique constraint on reversals held
    # a double void, and check passed it. Now the data proves one reversal an exchange.
    without_constraint(busy_ledger.db, "exchanges", "uq_exchanges_reverses")
    assert voided_twice(busy_ledger, 5) == [26, 27]
    result = busy_ledger("check")
    assert result.code == 1 and not any(word in result.out + result.err for word in UNEXPECTED), result
    assert "Exchange 5 is reversed more than once: by 26, 27." in result.out
    assert "Exchange 3 is reversed" not in result.out  # voided once
    welsh = busy_ledger("check", lang="cy")
    assert "Mae cyfnewidiad 5 wedi'i wrthdroi fwy nag unwaith: gan 26, 27." in welsh.out
    if not ON_POSTGRES:  # the schema is compared whole on SQLite
        assert ("The schema differs from the one timebank makes: the table exchanges lacks the constraint "
                "uq_exchanges_reverses (UNIQUE (reverses)).") in result.out
        assert ("Mae'r sgema yn wahanol i'r un y mae timebank yn ei greu: nid oes gan y tabl exchanges y cyfyngiad "
                "uq_exchanges_reverses (UNIQUE (reverses)).") in welsh.out


def test_check_proves_every_unique_value_from_the_data(busy_ledger: Cli) -> None:
    unique_index_made_plain(busy_ledger.db, "ix_exchanges_link", "exchanges", "link")
    without_constraint(busy_ledger.db, "categories", "uq_categories_code_cy")
    link = query(busy_ledger.db, "SELECT link FROM exchanges WHERE number = 4")[0][0]
    execute_sql(busy_ledger.db, f"UPDATE exchanges SET link = {link} WHERE number IN (6, 7)",
                "UPDATE categories SET code_cy = 'arall' WHERE code IN ('gardening', 'shopping')")
    result = busy_ledger("check")
    assert result.code == 1 and not any(word in result.out + result.err for word in UNEXPECTED), result
    assert "✗ No value that must be unique is held twice" in result.out
    assert f"exchanges (link): values held by more than one row (1; the first: {link})." in result.out
    assert "categories (code_cy): values held by more than one row (1; the first: arall)." in result.out
    welsh = busy_ledger("check", lang="cy")
    assert f"exchanges (link): gwerthoedd sydd mewn mwy nag un rhes (1; y cyntaf: {link})." in welsh.out
    if not ON_POSTGRES:
        assert "The schema differs from the one timebank makes: the index ix_exchanges_link has been changed." \
            in result.out


@sqlite_only
@pytest.mark.parametrize("statement, name", [
    ("CREATE VIEW alembic_version_copy AS SELECT * FROM alembic_version", "alembic_version_copy"),
    ("CREATE TRIGGER quiet AFTER INSERT ON exchanges BEGIN DELETE FROM audit WHERE id = -1; END", "quiet"),
    ("CREATE TEMP TABLE scratch (x)", None),  # temporary: not in the file, nothing to say
])
def test_check_names_a_view_or_trigger_in_the_ledger(busy_ledger: Cli, statement: str, name: str | None) -> None:
    execute_sql(busy_ledger.db, statement)
    result = busy_ledger("check")
    if name is None:
        assert result.code == 0, result
        return
    assert result.code == 1, result
    assert (f"The schema differs from the one timebank makes: it has a trigger or view {name} that no ledger "
            "has.") in result.out
    welsh = busy_ledger("check", lang="cy")
    assert f"mae ganddo sbardun neu olwg {name} nad oes gan unrhyw gyfriflyfr" in welsh.out


@pytest.mark.parametrize("value", ["2026-13-01", "garbage", "0001-01-01", "9999-12-31", "2026-1-1", "2026-02-30",
                                   " 2026-01-01", "2026-01-01T10:00"])
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_bad_timebank_today_is_one_line(busy_ledger: Cli, monkeypatch: pytest.MonkeyPatch, value: str,
                                         lang: str) -> None:
    # Red-team: TIMEBANK_TODAY=2026-13-01 gave "Unexpected error (ValueError): month must be in 1..12".
    before = dump(busy_ledger.db)
    monkeypatch.setenv("TIMEBANK_TODAY", value)
    for args in (["report", "monthly"], ["record", "Siân", "Llinos", "1"], ["balance"]):
        result = busy_ledger(*args, lang=lang)
        if result.code == 0:
            continue  # a command that never asks for today's date
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result
        assert "TIMEBANK_TODAY" in result.err and not any(word in result.err for word in UNEXPECTED)
    assert dump(busy_ledger.db) == before
    assert busy_ledger("report", "monthly", lang=lang).code == 1
