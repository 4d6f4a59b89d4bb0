"""Blanks that hold: every blank of the areas, worked out as an attacker would, still has
at least two values it could be.

The attacker holds the areas (the CSV, or the workbook's sheet), the pot's row, every
column's true total (the summary gives members trading and hours; the total row the rest)
and the rule: a count shown is at least the minimum, a blanked count takes its hours with
it, members trading are at most the members, an area has at least one member, an area with
no members trading has no hours, and each member trading gave or received at least a
minute (so hours given and received add up to at least the members trading).

`feasible` below works out, by exact reasoning, every value each blank cell could take
given all of that. Only the blank rows are unknown, and the constraints tie a row's cells
together and the rows only through the column sums, so:
- hours: rows of the other blanks can hold any hours given and received whose sum is at
  least their members trading (and none where they have none), so for them only the sum of
  their members trading matters;
- members: the other whole blank rows can hold any members whose sum is at least the sum of
  max(1, members trading) over them, which a small dynamic programme minimises for each sum
  of members trading.
Every value of the row in question is then tried in turn (a brute force over its own four
cells), which is small for the small tables hypothesis draws.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st

from conftest import Cli
from timebank.ledger.reports.figures import AREA_COLUMNS, AreaFigures, blank_small

M, A, G, R = AREA_COLUMNS
ACTIVITY = (A, G, R)
Table = dict[str, dict[str, int]]


# The attacker ------------------------------------------------------------------------------------

def feasible(shown: dict[str, dict[str, int | None]], pot: dict[str, int], totals: dict[str, int]
             ) -> dict[tuple[str, str], set[int]]:
    """Every value each blank cell of `shown` could take, given everything visible, the
    totals and the rule (module docstring). A blank count always takes its hours, and a blank
    members count takes the members trading: a row is shown, blank but for its members, or
    blank whole."""
    whole = [area for area, cells in shown.items() if cells[M] is None]
    activity = [area for area, cells in shown.items() if cells[M] is not None and cells[A] is None]
    for area, cells in shown.items():
        blank = {column for column in AREA_COLUMNS if cells[column] is None}
        assert blank in (set(), set(ACTIVITY), set(AREA_COLUMNS)), (area, cells)
    rest = {column: totals[column] - pot[column] - sum(cells[column] or 0 for cells in shown.values())
            for column in AREA_COLUMNS}
    found: dict[tuple[str, str], set[int]] = {}
    for area in whole + activity:
        others = [other for other in whole + activity if other != area]
        cheapest = _least_members(others, whole, shown, rest[A])
        others_whole = any(other in whole for other in others)
        top = shown[area][M] if area in activity else rest[A]
        values: dict[str, set[int]] = {column: set() for column in AREA_COLUMNS}
        for trading in range(0, (top or 0) + 1):
            left = rest[A] - trading
            if left < 0 or cheapest[left] is None:
                continue
            # The members this row can have (when blank) with the others' members still possible.
            if area in whole:
                low = max(1, trading)
                high = rest[M] - cheapest[left] if others_whole else rest[M]  # type: ignore[operator]
                if not others_whole and rest[M] < low:
                    continue
                members = range(low, high + 1) if others_whole else range(rest[M], rest[M] + 1)
                if not members:
                    continue
            else:
                members = range(0)
                if (cheapest[left] or 0) > rest[M] or (not others_whole and rest[M] != 0):
                    continue
            hours = hours_possible(trading, left, rest[G], rest[R])
            if hours is None:
                continue
            values[A].add(trading)
            values[G].update(hours[0])
            values[R].update(hours[1])
            values[M].update(members)
        for column in AREA_COLUMNS:
            if shown[area][column] is None:
                found[(area, column)] = values[column]
    return found


def hours_possible(trading: int, left: int, given: int, received: int) -> tuple[range, range] | None:
    """The hours (given, received) a blank row with `trading` members trading can hold, when
    the other blank rows hold `left` members trading and the blank rows together hold
    `given` and `received`; None where there are none. The others can hold any hours whose
    sum is at least their members trading (none where they have none): the two columns can
    be split between them at will."""
    if trading == 0:
        fits = given == received == 0 if left == 0 else given + received >= left
        return (range(0, 1), range(0, 1)) if fits else None
    if left == 0:
        return (range(given, given + 1), range(received, received + 1)) if given + received >= trading else None
    if trading + left > given + received:
        return None
    return (range(max(0, trading - received), min(given, given + received - left) + 1),
            range(max(0, trading - given), min(received, given + received - left) + 1))


def hours_by_brute_force(trading: int, left: int, given: int, received: int) -> tuple[set[int], set[int]]:
    """`hours_possible` the long way: this row's hours, then the others' as one row each of
    members trading 1 (the most freedom) or all in one row, whichever fits."""
    found: tuple[set[int], set[int]] = (set(), set())
    for mine_given in range(given + 1):
        for mine_received in range(received + 1):
            if trading == 0 and (mine_given or mine_received) or trading and mine_given + mine_received < trading:
                continue
            their_given, their_received = given - mine_given, received - mine_received
            if left == 0 and (their_given or their_received) or left and their_given + their_received < left:
                continue
            found[0].add(mine_given)
            found[1].add(mine_received)
    return found


def test_hours_possible_is_the_brute_force() -> None:
    for trading in range(4):
        for left in range(4):
            for given_ in range(7):
                for received in range(7):
                    quick = hours_possible(trading, left, given_, received)
                    slow = hours_by_brute_force(trading, left, given_, received)
                    assert (set(quick[0]), set(quick[1])) == slow if quick else slow == (set(), set()), (
                        trading, left, given_, received)


def _least_members(others: list[str], whole: list[str], shown: dict[str, dict[str, int | None]],
                   most: int) -> list[int | None]:
    """For each sum of members trading over `others`, the least sum of members their whole
    rows then need (None where the sum cannot be reached): each whole row has at least one
    member and at least its members trading; a row whose members are shown holds at most
    that many members trading."""
    least: list[int | None] = [0] + [None] * most
    for other in others:
        top = most if other in whole else shown[other][M] or 0
        step: list[int | None] = [None] * (most + 1)
        for done, cost in enumerate(least):
            if cost is None:
                continue
            for trading in range(0, min(top, most - done) + 1):
                more = cost + (max(1, trading) if other in whole else 0)
                was = step[done + trading]
                if was is None or more < was:
                    step[done + trading] = more
        least = step
    return least


def assert_blanks_hold(figures: AreaFigures, true: Table, pot: dict[str, int], min_count: int) -> None:
    """The rule as a funder reads it, and no blank worked out to one value."""
    shown = {row.area: {column: getattr(row, column) for column in AREA_COLUMNS} for row in figures.rows
             if not row.pot}
    assert set(shown) == set(true)
    totals = {column: sum(values[column] for values in true.values()) + pot[column] for column in AREA_COLUMNS}
    for area, cells in shown.items():
        for column in AREA_COLUMNS:
            assert cells[column] in (None, true[area][column]), (area, column)
        # A count shown is at least the minimum; a count under it is blank, with its hours.
        for column in (M, A):
            assert cells[column] is None or cells[column] >= min_count
            assert true[area][column] >= min_count or cells[column] is None
        if cells[M] is None or cells[A] is None:
            assert cells[G] is None and cells[R] is None, (area, cells)
    pot_rows = [row for row in figures.rows if row.pot]
    assert [(row.minutes_given, row.minutes_received) for row in pot_rows] == (
        [(pot[G], pot[R])] if pot[G] or pot[R] else [])
    for column in AREA_COLUMNS:
        assert getattr(figures.total, column) in (None, totals[column])
    everything_blank = all(cells[M] is None for cells in shown.values())
    for (area, column), values in feasible(shown, pot, totals).items():
        assert true[area][column] in values, ("the attacker's rules must hold of the truth", area, column)
        if not everything_blank:  # then the file says no more than the totals alone
            assert len(values) >= 2, (f"{area} {column} can only be {values}", shown, true, pot, min_count)


# Tables ------------------------------------------------------------------------------------------

def make_table(draws: list[tuple[int, int, int, int]]) -> Table:
    """Areas as a ledger makes them: at least one member, members trading no more than the
    members, hours only where someone traded and at least a minute for each who did."""
    table: Table = {}
    for index, (members, trading, given_, received) in enumerate(draws):
        members = max(members, 1)
        trading = min(trading, members)
        if trading == 0:
            given_ = received = 0
        elif given_ + received < trading:
            given_ = trading - received
        table[f"A{index}" if index else ""] = {M: members, A: trading, G: given_, R: received}
    return table


areas_drawn = st.lists(st.tuples(st.integers(1, 8), st.integers(0, 8), st.integers(0, 9), st.integers(0, 9)),
                       min_size=1, max_size=5)


@hypothesis_settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(areas_drawn, st.tuples(st.integers(0, 3), st.integers(0, 3)), st.integers(1, 6))
def test_no_blank_can_be_worked_out(draws: list[tuple[int, int, int, int]], pot_hours: tuple[int, int],
                                    min_count: int) -> None:
    true = make_table(draws)
    pot = {M: 0, A: 0, G: pot_hours[0], R: pot_hours[1]}
    assert_blanks_hold(blank_small(true, pot if any(pot_hours) else None, min_count), true, pot, min_count)


def test_no_blank_can_be_worked_out_seeded() -> None:
    """The same on larger tables than hypothesis draws, from fixed seeds (members to 12,
    hours to 12 minutes, six areas)."""
    for seed in range(120):
        chance = random.Random(seed)
        true = make_table([(chance.randint(1, 12), chance.randint(0, 12), chance.randint(0, 12),
                            chance.randint(0, 12)) for _ in range(chance.randint(1, 6))])
        pot = {M: 0, A: 0, G: chance.randint(0, 3), R: 0}
        min_count = chance.randint(2, 7)
        assert_blanks_hold(blank_small(true, pot if pot[G] else None, min_count), true, pot, min_count)


def test_the_issues_areas() -> None:
    """AA1 (10 members), BB2 (5, all trading), CC3 (6, 3 trading): BB2's members trading go
    with its hours, and neither BB2 nor CC3 can be worked out (it was BB2 = 5, CC3 = 3)."""
    # AA1's hours are the smaller: the old rule blanked them beside CC3's and showed BB2's.
    true = {"AA1": {M: 10, A: 10, G: 200, R: 250}, "BB2": {M: 5, A: 5, G: 300, R: 240},
            "CC3": {M: 6, A: 3, G: 90, R: 210}}
    figures = blank_small(true, None, 5)
    rows = {row.area: row for row in figures.rows}
    assert rows["AA1"].members_active == 10 and rows["AA1"].minutes_given == 200
    assert (rows["BB2"].members, rows["BB2"].members_active, rows["BB2"].minutes_given,
            rows["BB2"].minutes_received) == (5, None, None, None)
    assert (rows["CC3"].members, rows["CC3"].members_active, rows["CC3"].minutes_given) == (6, None, None)
    totals = {column: sum(v[column] for v in true.values()) for column in AREA_COLUMNS}
    shown = {area: {column: getattr(row, column) for column in AREA_COLUMNS} for area, row in rows.items()}
    values = feasible(shown, {M: 0, A: 0, G: 0, R: 0}, totals)
    # 18 - 10 = 8 members trading between them: BB2 2 to 5 (its 5 members), CC3 3 to 6.
    assert values[("BB2", A)] == {2, 3, 4, 5} and values[("CC3", A)] == {3, 4, 5, 6}


def test_the_attacker_finds_what_the_old_rule_gave_away() -> None:
    """The check can fail: the old rule's file (BB2's members trading blank, its hours
    shown) and a lone blank are both worked out to one value."""
    # Hours shown: the rule makes BB2's blank count one with its hours, so this pattern is refused.
    shown: dict[str, dict[str, int | None]] = {"AA1": {M: 10, A: 10, G: 600, R: 540},
                                               "BB2": {M: 5, A: None, G: 300, R: 240},
                                               "CC3": {M: 6, A: None, G: None, R: None}}
    totals = {M: 21, A: 18, G: 990, R: 990}
    with pytest.raises(AssertionError):
        feasible(shown, {M: 0, A: 0, G: 0, R: 0}, totals)
    # One blank row among shown ones: the total less the rest.
    shown = {"AA1": {M: 10, A: 10, G: 600, R: 540}, "CC3": {M: 6, A: None, G: None, R: None}}
    values = feasible(shown, {M: 0, A: 0, G: 0, R: 0}, {M: 16, A: 13, G: 690, R: 750})
    assert values[("CC3", A)] == {3} and values[("CC3", G)] == {90}
    # Two blank rows whose members trading fill their members: each is its members.
    shown = {"AA1": {M: 10, A: 10, G: 600, R: 540}, "BB2": {M: 5, A: None, G: None, R: None},
             "CC3": {M: 6, A: None, G: None, R: None}}
    values = feasible(shown, {M: 0, A: 0, G: 0, R: 0}, {M: 21, A: 21, G: 700, R: 700})
    assert values[("BB2", A)] == {5} and values[("CC3", A)] == {6}
    # Two whole blank rows with no hours between them: both none.
    shown = {"AA1": {M: 10, A: 10, G: 600, R: 540}, "BB2": {M: None, A: None, G: None, R: None},
             "CC3": {M: None, A: None, G: None, R: None}}
    values = feasible(shown, {M: 0, A: 0, G: 0, R: 0}, {M: 14, A: 10, G: 600, R: 540})
    assert values[("BB2", A)] == {0} and values[("BB2", G)] == {0}
    assert values[("BB2", M)] == {1, 2, 3}


# Through the command line, on a real ledger ------------------------------------------------------

def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def minutes(text: str) -> int:
    return int(Decimal(text) * 60)


def file_table(text: str, lang: str) -> tuple[dict[str, dict[str, int | None]], dict[str, int]]:
    """The areas CSV as the attacker reads it (any language: the columns are in the same
    order), in minutes: the areas, and the pot (its row named in words; none without hours)."""
    from timebank.i18n import Words

    pot_name = Words(lang)._("(time bank pot)")
    shown: dict[str, dict[str, int | None]] = {}
    pot = {M: 0, A: 0, G: 0, R: 0}
    for area, *cells in read_csv(text)[1:]:
        row = {column: None if cell == "" else (minutes(cell) if column in (G, R) else int(cell))
               for column, cell in zip(AREA_COLUMNS, cells)}
        if area == pot_name:
            pot = {column: value or 0 for column, value in row.items()}
        else:
            shown[area] = row
    return shown, pot


def build_issue_ledger(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """AA1: 10 members, all trading; BB2: 5, all trading; CC3: 6, 3 trading; one exchange
    with the pot."""
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-01-01")  # the pot is there from the start
    cli.ok("init", "--name", "Banc Amser")
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-04-01")
    names: dict[str, list[str]] = {}
    for area, count in (("AA1", 10), ("BB2", 5), ("CC3", 6)):
        names[area] = [f"{area} aelod {index}" for index in range(count)]
        for name in names[area]:
            cli.ok("member", "add", name, "--area", area, "--joined", "2026-01-05")
    day = 10
    for first, second in zip(names["AA1"][:5], names["AA1"][5:]):
        cli.ok("record", first, second, "2", "--date", f"2026-02-{day}", "--allow-overdraft")
        day += 1
    for first, second in ((names["BB2"][0], names["BB2"][1]), (names["BB2"][2], names["BB2"][3]),
                          (names["BB2"][4], names["CC3"][0]), (names["CC3"][1], names["CC3"][2])):
        cli.ok("record", first, second, "1.5", "--date", f"2026-02-{day}", "--allow-overdraft")
        day += 1
    cli.ok("record", "0", names["AA1"][0], "0.5", "--date", "2026-02-27", "--allow-overdraft")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_issues_ledger_through_the_files(cli: Cli, tmp_path: Path, lang: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    build_issue_ledger(cli, monkeypatch)
    span = ["--from", "2026-01-01", "--to", "2026-03-31"]
    true, pot = file_table(cli.ok("export", "areas", *span, "--min-count", "1", lang=lang).out, lang)
    assert true["BB2"] == {M: 5, A: 5, G: 270, R: 180} and true["CC3"] == {M: 6, A: 3, G: 90, R: 180}
    assert pot == {M: 0, A: 0, G: 30, R: 0}
    text = cli.ok("export", "areas", *span, lang=lang).out
    shown, _ = file_table(text, lang)
    assert shown["AA1"] == true["AA1"]
    assert shown["BB2"] == {M: 5, A: None, G: None, R: None} and shown["CC3"] == {M: 6, A: None, G: None, R: None}
    # The totals the summary gives agree with the true ones the attacker is given.
    total = cli.json("report", "period", *span)["total"]
    totals = {column: sum(cells[column] for cells in true.values()) + pot[column]  # type: ignore[misc]
              for column in AREA_COLUMNS}
    assert totals[A] == total["members_trading"] and totals[G] == totals[R] == minutes(total["hours"])
    for (area, column), values in feasible(shown, pot, totals).items():
        assert true[area][column] in values and len(values) >= 2, (area, column, values)
    # The workbook's area sheet blanks the same cells.
    from openpyxl import load_workbook

    path = tmp_path / f"pack-{lang}.xlsx"
    cli.ok("export", "workbook", *span, "--output", str(path), lang=lang)
    from timebank.i18n import Words

    sheet = load_workbook(path)[Words(lang)._("Areas")]
    cells = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert cells["BB2"] == [5, None, None, None] and cells["CC3"] == [6, None, None, None]
    assert cells["AA1"][:2] == [10, 10]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_members_file_names_only_areas_of_enough_members(cli: Cli, lang: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build_issue_ledger(cli, monkeypatch)
    header, *rows = read_csv(cli.ok("export", "members", lang=lang).out)
    area = header.index("area" if lang == "en" else "ardal")
    assert len(header) == 7  # the columns are as they were
    # Every area has at least 5 members (the default): all are given.
    assert sorted({row[area] for row in rows}) == ["AA1", "BB2", "CC3"]
    header, *rows = read_csv(cli.ok("export", "members", "--min-count", "6", "--with-names", lang=lang).out)
    area = header.index("area" if lang == "en" else "ardal")
    by_area: dict[str, int] = {}
    for row in rows:
        by_area[row[area]] = by_area.get(row[area], 0) + 1
    # BB2's 5 are written with no area, as a member with none is: they cannot be picked out.
    assert by_area == {"AA1": 10, "": 5, "CC3": 6}
    assert all(row[area] == "" for row in rows if "BB2" in row[header.index("name" if lang == "en" else "enw")])
    header, *rows = read_csv(cli.ok("export", "members", "--min-count", "11", lang=lang).out)
    assert {row[header.index("area" if lang == "en" else "ardal")] for row in rows} == {""}
    # One member alone in DD4: not in the funder's file, but in the bank's own list with
    # names (which tells who everyone is, and moves a ledger), unless a minimum is given.
    cli.ok("member", "add", "Unig", "--area", "DD4", "--joined", "2026-01-05")
    header, *rows = read_csv(cli.ok("export", "members", lang=lang).out)
    assert "DD4" not in {row[header.index("area" if lang == "en" else "ardal")] for row in rows}
    header, *rows = read_csv(cli.ok("export", "members", "--with-names", lang=lang).out)
    assert {row[header.index("area" if lang == "en" else "ardal")] for row in rows} == {"AA1", "BB2", "CC3", "DD4"}
    header, *rows = read_csv(cli.ok("export", "members", "--with-names", "--min-count", "2", lang=lang).out)
    assert {row[header.index("area" if lang == "en" else "ardal")] for row in rows} == {"AA1", "BB2", "CC3", ""}
    help_text = cli.ok("export", "--help", lang=lang).out
    assert ("give an area only" if lang == "en" else "rhoi ardal dim ond") in " ".join(help_text.split())


def random_ledger(cli: Cli, tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger of random areas and exchanges, imported from spreadsheets."""
    chance = random.Random(seed)
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-01-01")
    cli.ok("init", "--name", "Banc Amser")
    monkeypatch.setenv("TIMEBANK_TODAY", "2026-04-01")
    areas = ["CF31", "CF32", "CF33", "SA1", "SA2", ""][:chance.randint(2, 6)]
    people = [f"Aelod {index}" for index in range(chance.randint(8, 30))]
    members = tmp_path / f"members-{seed}.csv"
    members.write_text("name,area,lang,joined,email,note\n" + "".join(
        f"{name},{chance.choice(areas)},cy,2026-01-05,,\n" for name in people), encoding="utf-8")
    cli.ok("import", "members", str(members))
    exchanges = tmp_path / f"exchanges-{seed}.csv"
    lines = []
    for day in range(chance.randint(5, 40)):
        giver, receiver = chance.sample(people, 2)
        hours = chance.choice(["0.5", "1", "1.5", "2", "3"])
        lines.append(f"2026-02-{1 + day % 27:02d},{giver},{receiver},{hours},,\n")
    exchanges.write_text("date,giver,receiver,hours,category,note\n" + "".join(lines), encoding="utf-8")
    cli.ok("import", "exchanges", str(exchanges))


@pytest.mark.parametrize("seed", range(4))
def test_random_ledgers_through_the_file(cli: Cli, tmp_path: Path, seed: int,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    random_ledger(cli, tmp_path, seed, monkeypatch)
    lang = "cy" if seed % 2 else "en"
    true, pot = file_table(cli.ok("export", "areas", "--min-count", "1", lang=lang).out, lang)
    totals = {column: sum(cells[column] for cells in true.values()) + pot[column]  # type: ignore[misc]
              for column in AREA_COLUMNS}
    for min_count in (2, 3, 5):
        shown, _ = file_table(cli.ok("export", "areas", "--min-count", str(min_count), lang=lang).out, lang)
        everything_blank = all(cells[M] is None for cells in shown.values())
        for (area, column), values in feasible(shown, pot, totals).items():
            assert true[area][column] in values
            assert everything_blank or len(values) >= 2, (seed, min_count, area, column, values)
