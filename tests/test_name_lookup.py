"""Finding a member by name reads the stored, indexed folded name (`members.folded`) and only
the members who answer to what was typed (issue 28): the rule is as it always was (exact, then
unique prefix, then unique substring; case and accents folded; active members before those
who have left; the pot by its name in either language; erased members by no name)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import event

from conftest import ON_POSTGRES, Cli, execute_sql, query
from timebank.ledger import actions
from timebank.ledger.basics.language import fold
from timebank.ledger.errors import NotFound, Refused
from timebank.ledger.records.members import add_member, find_member, leave_member, member_index
from timebank.ledger.schema import initialise
from timebank.ledger.storage.db import Ledger, open_ledger, reading, writing

MANY = 2000


@pytest.fixture
def core(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-11-20")
    ledger = open_ledger(str(cli.db), create=True)
    initialise(ledger, "test", name="Banc", lang="en")
    yield ledger
    ledger.dispose()


def _add(ledger: Ledger, *names: str) -> None:
    with writing(ledger) as session:
        for name in names:
            add_member(session, "test", name=name, joined=date(2026, 1, 5), again=True)


class Reads:
    """Every statement the engine runs while it listens, each run again afterwards to count
    the rows it returned: the rows a lookup read, whatever the database."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> "Reads":
        event.listen(self.ledger.engine, "before_cursor_execute", self._heard)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.ledger.engine, "before_cursor_execute", self._heard)

    def _heard(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               _many: bool) -> None:
        self.statements.append((statement, parameters))

    @property
    def selects(self) -> list[tuple[str, Any]]:
        return [(s, p) for s, p in self.statements if s.lstrip().upper().startswith("SELECT")]

    def rows(self) -> int:
        with self.ledger.engine.connect() as conn:
            return sum(len(conn.exec_driver_sql(statement, parameters).fetchall())
                       for statement, parameters in self.selects)

    def plans(self) -> list[str]:
        """Each SELECT's plan, as the database would run it."""
        explain = "EXPLAIN QUERY PLAN " if self.ledger.is_sqlite else "EXPLAIN "
        with self.ledger.engine.connect() as conn:
            if not self.ledger.is_sqlite:
                # A table of two thousand rows may be read whole: asked not to, the planner
                # shows whether the index can serve the question at all.
                conn.exec_driver_sql("SET enable_seqscan = off")
            return ["\n".join(str(row[-1]) for row in conn.exec_driver_sql(explain + statement, parameters))
                    for statement, parameters in self.selects]


def _many(ledger: Ledger) -> None:
    """Two thousand members with names that share first and last names, as a real ledger's do."""
    first = ["Siân", "Llinos", "Lowri", "Rhys", "Dafydd", "Gwenllïan", "Llŷr", "Eleri", "Iwan", "Ffion"]
    last = ["Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Hughes", "Lewis"]
    _add(ledger, *(f"{first[n % 10]} {last[n // 10 % 8]} {n}" for n in range(1, MANY + 1)))


def test_a_name_reads_only_its_candidates(core: Ledger) -> None:
    """At two thousand members a name typed in full, or a unique prefix, or a unique part,
    reads a handful of rows, never every member; the exact name and the prefix go through
    the index of folded names."""
    _many(core)
    _add(core, "Angharad Prŷs")
    for typed, number, most in [("GWENLLIAN THOMAS 1005", 1005, 3),  # exact, accents folded
                                ("ANGHARAD", MANY + 1, 4),            # unique prefix
                                ("prys", MANY + 1, 5)]:              # unique part of a name
        with reading(core) as session, Reads(core) as reads:
            assert find_member(session, typed).number == number
        assert reads.rows() <= most, (typed, reads.statements)
        assert len(reads.selects) <= 4, reads.statements
    # By number: one read of one row, as before.
    with reading(core) as session, Reads(core) as reads:
        assert find_member(session, "#17").number == 17
    assert reads.rows() == 1
    # The exact name and the prefix are each one search of the index.
    with reading(core) as session, Reads(core) as reads:
        find_member(session, "angharad")
    index = "ix_members_folded"
    plans = reads.plans()
    assert index in plans[0] and index in plans[1], plans
    if core.is_sqlite:
        assert "SEARCH" in plans[0] and "SEARCH" in plans[1], plans
    else:
        # Byte order, whatever the server's locale: a prefix is then exactly a range.
        assert query(str(core.url), "SELECT collation_name FROM information_schema.columns "
                                    "WHERE table_name = 'members' AND column_name = 'folded'") == [("C",)]


def test_an_ambiguous_or_unknown_name_reads_no_member_objects(core: Ledger) -> None:
    """Ambiguity loads only the members listed (ten at most); a name that matches no one reads
    the folded names for the did-you-mean, not a member object each."""
    _many(core)
    loaded: list[int] = []
    from timebank.ledger.storage.models import Member

    def _loaded(member: Member, _context: Any) -> None:
        loaded.append(member.number)

    event.listen(Member, "load", _loaded)
    try:
        with reading(core) as session:
            with pytest.raises(Refused) as ambiguous:
                find_member(session, "jones")
            assert f"'jones' matches {MANY // 8} members" in str(ambiguous.value.phrase)
            assert len(loaded) == 10
            loaded.clear()
            with pytest.raises(NotFound) as unknown:
                find_member(session, "Gwenlian Thomas 1005")
            assert "Did you mean #1005 Gwenllïan Thomas 1005," in str(unknown.value.phrase)
            assert len(loaded) == 3  # the three closest, named
    finally:
        event.remove(Member, "load", _loaded)


WELSH_LETTERS = "âêîôûŵŷ äëïöüẅÿ áéíóúẃý àèìòùẁỳ"


def test_folded_names_are_right_for_every_welsh_letter(core: Ledger, cli: Cli) -> None:
    """Each accented Welsh letter, small and capital, is stored folded to its plain letter,
    as `fold` folds it, and found by its plain spelling."""
    plain = "aeiouwy aeiouwy aeiouwy aeiouwy"
    assert fold(WELSH_LETTERS) == plain and fold(WELSH_LETTERS.upper()) == plain
    names = [f"Aelod {letters}" for letters in (*WELSH_LETTERS.split(), *WELSH_LETTERS.upper().split())]
    _add(core, *names)
    stored = dict(query(cli.db, "SELECT name, folded FROM members WHERE kind <> 'pot'"))
    assert stored == {name: fold(name) for name in names}
    assert set(stored.values()) == {"aelod aeiouwy"}
    # Eight members answer to the plain spelling: found by it, and by each accented spelling.
    for typed in ("aelod aeiouwy", "AELOD ÂÊÎÔÛŴŶ", "aelod àèìòùẁỳ"):
        result = cli("balance", typed, lang="en")
        assert result.code == 1 and "matches 8 members" in result.err
    # A rename through the ORM folds again in the same transaction.
    cli.ok("member", "edit", "1", "--name", "Ŵyn Ŷr")
    assert query(cli.db, "SELECT folded FROM members WHERE number = 1") == [("wyn yr",)]
    assert "Ŵyn Ŷr" in cli.ok("balance", "wyn yr", lang="en").out
    cli.ok("check")


def test_check_finds_a_stale_folded_name(ledger: Cli) -> None:
    ledger.ok("check")
    execute_sql(ledger.db, "UPDATE members SET folded = 'llinos' WHERE number = 1")
    english = ledger("check", lang="en")
    assert english.code == 1
    assert "Member 1's name as kept for finding members by name (without capitals or accents) is not their " \
           "name" in english.out
    welsh = ledger("check", lang="cy")
    assert welsh.code == 1 and "Nid yw enw aelod 1 fel y'i cedwir" in welsh.out
    # The stale name misleads a lookup: that is why check looks.
    execute_sql(ledger.db, "UPDATE members SET folded = NULL WHERE number = 2")
    assert "Member 2's name as kept" in ledger("check", lang="en").out
    execute_sql(ledger.db, "UPDATE members SET folded = 'sian' WHERE number = 1",
                "UPDATE members SET folded = 'llinos' WHERE number = 2")
    ledger.ok("check")


def test_the_lookup_rule(ledger: Cli) -> None:
    """Exact beats prefix, prefix beats a part, active before left, ambiguity, did-you-mean,
    the pot in both languages, erased members by no name (both languages)."""
    ledger.ok("member", "add", "Siân Jones")          # 4: 'Siân' is exact for 1, a prefix of 4
    ledger.ok("member", "add", "Dai Llinosfab")       # 5: 'llinos' is exact for 2, a part of 5
    ledger.ok("member", "add", "Rhodri Bevan")        # 6: leaves
    ledger.ok("member", "add", "Rhodri Bevan-Evans", "--again")  # 7
    ledger.ok("member", "add", "Bevan Morgan")         # 8

    def found(typed: str) -> int:
        return ledger.json("member", "show", typed)["number"]

    assert found("sian") == 1 and found("SIAN J") == 4 and found("llinos") == 2 and found("llinosf") == 5
    assert found("fab") == 5                        # a unique part
    assert found("rhodri bevan") == 6               # exact beats the prefix of 7
    ledger.ok("member", "leave", "6")
    assert found("rhodri bevan") == 7               # an active member's prefix beats a member who left
    assert found("bevan m") == 8
    assert found("bevan") == 8                      # a prefix beats a part (of 7)
    ambiguous = ledger("member", "show", "evan", lang="en")
    assert ambiguous.code == 1 and "'evan' matches 2 members: #7 Rhodri Bevan-Evans, #8 Bevan Morgan" in ambiguous.err
    assert "Mae 'evan' yn cyfateb i 2 aelod" in ledger("member", "show", "evan", lang="cy").err
    unknown = ledger("member", "show", "Lowry", lang="en")
    assert unknown.code == 1 and "Did you mean #3 Lowri ap Rhys?" in unknown.err
    for typed in ("Time bank pot", "pot y banc amser", "POT Y BANC"):
        assert found(typed) == 0
    ledger.ok("member", "forget", "5", "--yes")
    assert query(ledger.db, "SELECT folded FROM members WHERE number = 5") == [("",)]
    gone = ledger("member", "show", "Llinosfab", lang="en")
    assert gone.code == 1 and "No member matches 'Llinosfab'" in gone.err
    assert found("5") == 5                          # by number, still
    ledger.ok("check")


def test_the_index_for_many_lookups_keeps_the_same_rule(core: Ledger) -> None:
    """`member_index` (imports, the screen) and `find_member` answer alike, refusals too."""
    _add(core, "Siân Jones", "Siôn Jones", "Llŷr Pritchard", "Siân", "Eleri ap Siôn")
    actions.leave(core, "test", 3, on=date(2026, 11, 1))
    with reading(core) as session:
        index = member_index(session)
        for typed in ("sian", "siân j", "sion", "llyr", "pritch", "ap", "jones", "pot", "time bank pot", "zzz",
                      "Sian Jnoes", "#3", "99", ""):
            outcomes = []
            for find in (lambda text: find_member(session, text), index.find):
                try:
                    outcomes.append(find(typed).number)
                except Exception as error:  # the refusal itself is compared
                    outcomes.append((type(error).__name__, str(getattr(error, "phrase", error))))
            assert outcomes[0] == outcomes[1], (typed, outcomes)


def test_a_prefix_ending_in_the_last_character_still_finds(core: Ledger) -> None:
    """The prefix range ends at the text with its last character advanced: a name whose
    folded form has characters beyond ASCII (and beyond the Basic Multilingual Plane) in it."""
    _add(core, "Ŧom Ŧ\U0001F600x", "Zoë")
    with reading(core) as session:
        assert find_member(session, "ŧom ŧ\U0001F600").number == 1
        assert find_member(session, "ZOE").number == 2


@pytest.mark.skipif(ON_POSTGRES, reason="reads SQLite's own list of indexes (the migrations test covers both)")
def test_a_new_ledger_has_the_folded_names_and_their_index(tmp_path: Path) -> None:
    """What `init` makes has the column and its index at once (migration 0010)."""
    from conftest import fresh_db

    db = fresh_db(tmp_path, "new")
    ledger = open_ledger(str(db), create=True)
    initialise(ledger, "test", name="Banc", lang="cy")
    ledger.dispose()
    assert query(db, "SELECT name, folded FROM members") == [("pot", "pot")]
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'ix_members_folded'") == [
        ("ix_members_folded",)]


@pytest.mark.skipif(ON_POSTGRES, reason="reads the SQLite file's bytes (PostgreSQL rewrites the table: test_erasure)")
def test_erasure_leaves_no_folded_name_in_the_file(ledger: Cli) -> None:
    """The folded name is personal data too: erased with the name, from the row and from the
    index, and from the bytes of the file."""
    ledger.ok("member", "add", "Blodwen Zzyzxquör")
    ledger.ok("record", "Blodwen", "Siân", "1")
    assert query(ledger.db, "SELECT folded FROM members WHERE number = 4") == [("blodwen zzyzxquor",)]
    ledger.ok("member", "forget", "4", "--yes")
    assert query(ledger.db, "SELECT name, folded FROM members WHERE number = 4") == [("", "")]
    db = Path(ledger.db)
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    assert b"zzyzxquor" not in raw and "Zzyzxquör".encode() not in raw
    ledger.ok("check")


def test_completion_offers_the_same_names_from_the_folded_column(core: Ledger, cli: Cli,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Shell completion (`lookup.members_matching`) reads the stored folded names: the database
    sends only the members holding what was typed, and the answers are the rule's as ever
    (a number, the name or a word of it starting with the text; case and accents folded;
    active members only, in the order of their names, fifty at most; now members of one name
    by number on PostgreSQL too)."""
    from timebank.ledger.storage import lookup

    _many(core)
    _add(core, "Angharad Prŷs", "Siôn ap Siân", "Ann O'Brien-Siôr")
    with writing(core) as session:
        leave_member(session, "test", find_member(session, "Angharad Prŷs"), date(2026, 2, 1))
    with reading(core) as session:
        from sqlalchemy import select

        from timebank.ledger.storage.models import Member

        active = [(m.number, m.name) for m in session.scalars(
            select(Member).where(Member.kind != "pot", Member.left.is_(None), Member.forgotten.is_(None)))]
    sent: list[int] = []
    rows = lookup._rows

    def counted(*args: Any, **kwargs: Any) -> Any:
        got = rows(*args, **kwargs)
        sent.append(len(got or []))
        return got

    monkeypatch.setattr(lookup, "_rows", counted)
    db = str(cli.db)
    for typed in ("si", "SIÂ", "siôn ap", "ap", "o'brien", "brien", "lly", "Prŷs", "1", "#19", "2001", "zz", "%", "_"):
        wanted = fold(typed.lstrip("#").strip())
        expected = {row for row in active if str(row[0]).startswith(wanted) or fold(row[1]).startswith(wanted)
                    or any(word.startswith(wanted) for word in fold(row[1]).split())}
        offered = lookup.members_matching(db, typed)
        # In the order of the names (the test servers compare code points, as SQLite does).
        assert offered == sorted(expected, key=lambda row: (row[1], row[0]))[:50], typed
        # The database sent only the members holding the text (or whose number starts with it).
        holding = [row for row in active if wanted in fold(row[1]) or str(row[0]).startswith(wanted)]
        assert sent[-1] == len(holding) < len(active), typed
    assert lookup.members_matching(db, "prys") == []  # has left
    assert lookup.members_matching(db, "sion ap") == [(MANY + 2, "Siôn ap Siân")]
    # What is read is the stored folded name (which `check` keeps honest).
    execute_sql(cli.db, f"UPDATE members SET folded = 'xyzzy' WHERE number = {MANY + 2}")
    assert lookup.members_matching(db, "xyz") == [(MANY + 2, "Siôn ap Siân")]
