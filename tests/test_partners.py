"""Trade between time banks (issue 31): partner banks, their members typed `CODE:NUMBER` in an
exchange, files of trades carried between two ledgers (`partner export` / `partner import`),
the reconciliation (`partner statement`) and the rule that a partner's member is never one of
ours.

Two real ledgers trade in every test that needs the other side: A, "Banc Amser Blaengarw"
(code BLA), and B, "Banc Amser Dyffryn" (code DYF), each with four members of its own and the
other as its partner since 1 January 2026. The acceptance test
(`test_two_banks_agree_after_random_trading`) drives both with a seeded random sequence of trades, voids, exports and
imports (files taken out of order, some twice) and checks what the two ledgers hold against
a model of its own: every balance, the balance of trade either way, each trade held once on
both sides and voided on both or neither, and nothing unconfirmed after the last round trip.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import Cli, Result, dump, fresh_db, query
from refusal import refused

TODAY = "2026-06-30"
ROOT = Path(__file__).resolve().parent.parent
A_NAME, B_NAME, C_NAME = "Banc Amser Blaengarw", "Banc Amser Dyffryn", "Banc Amser Pen-y-bont"
A_MEMBERS = ("Siân Jones", "Huw Morgan", "Llinos Rees", "Lowri ap Rhys")
B_MEMBERS = ("Mair Evans", "Gwyn Price", "Eleri Hughes", "Dafydd Huws")
STATEMENT_KEYS = ["code", "name", "limit_minutes", "left", "balance_minutes", "last_sent", "last_sent_sha256",
                  "last_received", "last_received_sha256", "trades", "unconfirmed_by_partner", "unconfirmed_here"]
TRADE_KEYS = ["trade", "exchange", "date", "minutes", "category", "ours", "void", "confirmed"]
LIST_KEYS = ["code", "name", "balance_minutes", "limit_minutes", "joined", "left", "members", "trades"]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEBANK_TODAY", TODAY)


def new_bank(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, code: str,
             members: tuple[str, ...]) -> Cli:
    """A ledger of its own (a file, or a database of the PostgreSQL server) with its code set."""
    bank = Cli(fresh_db(tmp_path, code.lower()), capsys)
    bank.ok("init", "--name", name)
    bank.ok("settings", "set", "credit_limit", "")
    for member in members:
        bank.ok("member", "add", member, "--joined", "2026-01-01")
    bank.ok("settings", "set", "bank_code", code)
    return bank


@pytest.fixture
def banks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Cli, Cli]:
    a = new_bank(tmp_path, capsys, A_NAME, "BLA", A_MEMBERS)
    b = new_bank(tmp_path, capsys, B_NAME, "DYF", B_MEMBERS)
    a.ok("partner", "add", B_NAME, "--code", "DYF", "--date", "2026-01-01")
    b.ok("partner", "add", A_NAME, "--code", "BLA", "--date", "2026-01-01")
    return a, b


_files = Counter[str]()


def export(bank: Cli, code: str, folder: Path) -> Path:
    """`partner export CODE` to a new file."""
    _files[str(folder)] += 1
    path = folder / f"to-{code.lower()}-{_files[str(folder)]:03d}.json"
    bank.ok("partner", "export", code, "--output", str(path))
    assert path.is_file()
    return path


def send(sender: Cli, code: str, receiver: Cli, folder: Path) -> Result:
    """The sender's file to `code` taken by the receiver."""
    return receiver.ok("partner", "import", str(export(sender, code, folder)))


def statement(bank: Cli, code: str) -> dict:
    return bank.json("partner", "statement", code)


def partner_row(bank: Cli, code: str) -> dict:
    rows = {row["code"]: row for row in bank.json("partner", "list")}
    return rows[code]


def held(bank: Cli) -> int:
    """Rows of partner_trades: grows with every trade or void a file brings."""
    return query(bank.db, "SELECT count(*) FROM partner_trades")[0][0]


def round_trips(a: Cli, b: Cli, folder: Path) -> int:
    """Files both ways until a round brings nothing new to either side; returns the rounds."""
    for rounds in range(1, 6):
        before = held(a), held(b)
        send(a, "DYF", b, folder)
        send(b, "BLA", a, folder)
        if (held(a), held(b)) == before:
            return rounds
    raise AssertionError("the two ledgers never agreed")


def last_exchange(bank: Cli) -> int:
    return query(bank.db, "SELECT max(number) FROM exchanges")[0][0]


def accounts(bank: Cli) -> dict[tuple[str, int], int]:
    """Each partner member's account here: (code, their number) -> its balance."""
    return {(code, number): balance for code, number, balance in query(
        bank.db, "SELECT pa.partner, pa.number, m.balance_minutes FROM partner_accounts pa "
                 "JOIN members m ON m.number = pa.member")}


def account_names(bank: Cli) -> dict[tuple[str, int], str]:
    return {(code, number): name for code, number, name in query(
        bank.db, "SELECT pa.partner, pa.number, m.name FROM partner_accounts pa "
                 "JOIN members m ON m.number = pa.member")}


def sum_of_balances(bank: Cli) -> int:
    return query(bank.db, "SELECT sum(balance_minutes) FROM members")[0][0]


# 1. The acceptance test ----------------------------------------------------------------------

Party = tuple[str, int]  # (bank code, member number there)


@dataclass
class Trade:
    side: str          # the code of the bank that recorded it
    number: int        # its exchange number there
    givers: list[Party]
    receivers: list[Party]
    minutes: int
    on: str

    @property
    def id(self) -> str:
        return f"{self.side}-{self.number}"

    @property
    def with_partner(self) -> bool:
        return any(code != self.side for code, _n in (*self.givers, *self.receivers))


class Model:
    """What both ledgers must hold, worked out here from what the test did."""

    def __init__(self) -> None:
        self.trades: list[Trade] = []
        self.voided: set[str] = set()

    def partner_trades(self) -> list[Trade]:
        return [t for t in self.trades if t.with_partner]

    def balances(self, code: str) -> Counter[Party]:
        """Every balance in the ledger of `code` once it holds all of the other's trades: its
        own exchanges in full, and of the other's trades the pairs with one of its members."""
        moved: Counter[Party] = Counter()
        for trade in self.trades:
            if trade.with_partner and trade.id in self.voided:
                continue
            for giver in trade.givers:
                for receiver in trade.receivers:
                    if trade.side == code or code in (giver[0], receiver[0]):
                        moved[giver] += trade.minutes
                        moved[receiver] -= trade.minutes
        return moved

    def accounts(self, code: str) -> set[Party]:
        """The other bank's members with an account in the ledger of `code`: those paired in a
        trade with one of its members (voided trades too)."""
        found = set()
        for trade in self.partner_trades():
            for giver in trade.givers:
                for receiver in trade.receivers:
                    if code in (giver[0], receiver[0]):
                        found |= {p for p in (giver, receiver) if p[0] != code}
        return found


def typed(party: Party, side: str) -> str:
    code, number = party
    return str(number) if code == side else f"{code}:{number}"


def hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def random_parties(rng: random.Random, side: str, other: str) -> tuple[list[Party], list[Party]]:
    ours = [(side, n) for n in range(1, 5)]
    theirs = [(other, n) for n in range(1, 5)]
    form = rng.choice(["one", "one", "one", "group", "group", "own"])
    if form == "own":  # two of this bank's members: no trade with the partner
        giver, receiver = rng.sample(ours, 2)
        return [giver], [receiver]
    if form == "one":
        pair = [rng.choice(ours), rng.choice(theirs)]
        rng.shuffle(pair)
        return [pair[0]], [pair[1]]
    single = rng.choice(ours + theirs)
    if single[0] == side:  # one of ours with several: ours and theirs mixed
        many = rng.sample([p for p in ours if p != single] + theirs, rng.randint(2, 3))
        if all(p[0] == side for p in many):
            many[-1] = rng.choice(theirs)
    else:  # one of theirs with several of ours (never two of theirs in one pair)
        many = rng.sample(ours, rng.randint(2, 3))
    return ([single], many) if rng.random() < 0.5 else (many, [single])


def record_random(rng: random.Random, bank: Cli, side: str, other: str, model: Model) -> None:
    givers, receivers = random_parties(rng, side, other)
    minutes = rng.choice([15, 30, 45, 60, 90, 120, 150])
    on = f"2026-{rng.randint(2, 6):02d}-{rng.randint(1, 28):02d}"
    extra = ["--date", on, "--again", "--allow-overdraft"]
    if rng.random() < 0.3:
        extra += ["--note", rng.choice(["Garddio", "Siopa i Mair", "Lifft i'r meddyg", "Help with a form"])]
    if len(givers) == 1 and len(receivers) == 1 and rng.random() < 0.7:
        bank.ok("record", typed(givers[0], side), typed(receivers[0], side), hours(minutes), *extra)
    else:
        args = [arg for p in givers for arg in ("--giver", typed(p, side))]
        args += [arg for p in receivers for arg in ("--receiver", typed(p, side))]
        bank.ok("record", *args, "--hours", hours(minutes), *extra)
    model.trades.append(Trade(side, last_exchange(bank), givers, receivers, minutes, on))


def void_random(rng: random.Random, bank: Cli, other: str, model: Model) -> None:
    standing = [t for t in statement(bank, other)["trades"] if t["void"] is None]
    if not standing:
        return
    trade = rng.choice(standing)
    bank.ok("exchange", "void", str(trade["exchange"]), "--reason", "Wedi'i gofnodi ddwywaith")
    model.voided.add(trade["trade"])


@pytest.mark.parametrize("seed", [31, 2026, 7, 1234])
def test_two_banks_agree_after_random_trading(banks: tuple[Cli, Cli], tmp_path: Path, seed: int) -> None:
    a, b = banks
    rng = random.Random(seed)
    model = Model()
    side = {"BLA": a, "DYF": b}
    other = {"BLA": "DYF", "DYF": "BLA"}
    files: dict[str, list[Path]] = {"BLA": [], "DYF": []}   # written by each bank
    taken: dict[str, set[str]] = {"BLA": set(), "DYF": set()}  # hashes each bank took
    repeats = out_of_order = 0
    for _step in range(40):
        code = rng.choice(["BLA", "DYF"])
        bank = side[code]
        action = rng.choices(["record", "void", "export", "import"], [10, 3, 4, 5])[0]
        if action == "record":
            record_random(rng, bank, code, other[code], model)
        elif action == "void":
            void_random(rng, bank, other[code], model)
        elif action == "export":
            files[code].append(export(bank, other[code], tmp_path))
        elif files[other[code]]:
            path = rng.choice(files[other[code]])
            out_of_order += path != files[other[code]][-1]
            digest = json.loads(path.read_text(encoding="utf-8"))["sha256"]
            before = dump(bank.db) if digest in taken[code] else None
            said = bank.ok("partner", "import", str(path), lang="en").out
            if before is not None:  # the same file again: nothing is read or written
                repeats += 1
                assert "was taken before: nothing new was recorded" in said, said
                assert dump(bank.db) == before
            taken[code].add(digest)
    groups = sum(1 for t in model.partner_trades() if len(t.givers) + len(t.receivers) > 2)
    assert len(model.partner_trades()) >= 10 and groups and model.voided and out_of_order and repeats, (
        model.trades, model.voided, out_of_order, repeats)

    assert round_trips(a, b, tmp_path) <= 3
    for code, bank in side.items():
        # Every balance as the model has it: our members', the pot's and each partner account's.
        expected = model.balances(code)
        assert dict(query(bank.db, "SELECT number, balance_minutes FROM members WHERE kind <> 'partner'")) == {
            0: 0, **{n: expected[(code, n)] for n in range(1, 5)}}
        assert set(accounts(bank)) == model.accounts(code)
        assert accounts(bank) == {party: expected[party] for party in model.accounts(code)}
        assert sum_of_balances(bank) == 0
        bank.ok("check")
    balance_a, balance_b = partner_row(a, "DYF")["balance_minutes"], partner_row(b, "BLA")["balance_minutes"]
    assert balance_a == -balance_b == sum(v for p, v in model.balances("BLA").items() if p[0] == "DYF")
    ids = {t.id for t in model.partner_trades()}
    for code, bank in side.items():
        shown = statement(bank, other[code])
        assert list(shown) == STATEMENT_KEYS and all(list(t) == TRADE_KEYS for t in shown["trades"])
        trades = [t["trade"] for t in shown["trades"]]
        assert len(trades) == len(set(trades)) and set(trades) == ids  # each held once, on both sides
        assert {t["trade"] for t in shown["trades"] if t["void"]} == model.voided
        assert {t["trade"] for t in shown["trades"] if t["ours"]} == {i for i in ids if i.startswith(code)}
        assert all(t["confirmed"] for t in shown["trades"]), shown["trades"]
        assert shown["unconfirmed_by_partner"] == [] and shown["unconfirmed_here"] == [], shown
        assert shown["balance_minutes"] == partner_row(bank, other[code])["balance_minutes"]
        row = partner_row(bank, other[code])
        assert row["trades"] == len(ids - model.voided)
        assert row["members"] == len(model.accounts(code))
        said = bank.ok("partner", "statement", other[code], lang="en").out
        assert "has confirmed every trade held here" in said and "has been sent back to it" in said
    # One more file each way changes nothing (the same file again, if made in the same second).
    before = dump(a.db), dump(b.db)
    for said in (send(a, "DYF", b, tmp_path).out, send(b, "BLA", a, tmp_path).out):
        assert "New trades recorded: 0; voids recorded: 0" in said or "was taken before" in said, said
    assert len(dump(a.db)) > len(before[0])  # the files were recorded, and nothing else
    bookkeeping = ("partner_files", "audit", "record_links")
    for bank, old in zip((a, b), before):
        assert [r for r in dump(bank.db) if r[0] not in bookkeeping] == [r for r in old if r[0] not in bookkeeping]


def test_a_trade_mirrored_on_the_other_side(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    """One trade each way, by hand: what each ledger shows of the other's side."""
    a, b = banks
    said = a.ok("record", "Siân", "DYF:1", "1:30", "--date", "2026-06-01", "--note", "Garddio", "--welsh",
                lang="en").out
    assert "Siân Jones (#1) gave DYF:1 (Banc Amser Dyffryn) 1.50 hours" in said
    assert "Balance of trade with Banc Amser Dyffryn (DYF): -1.50 hours" in said
    b.ok("record", "Gwyn", "BLA:2", "1", "--date", "2026-06-02")
    assert partner_row(a, "DYF")["balance_minutes"] == -90
    assert partner_row(b, "BLA")["balance_minutes"] == -60  # Gwyn earned an hour of BLA:2: B owes none, BLA owes
    file = export(a, "DYF", tmp_path)
    content = json.loads(file.read_text(encoding="utf-8"))
    assert list(content) == ["format", "version", "sender", "receiver", "made", "trades", "declined", "sha256"]
    assert content["format"] == "timebank partner trades" and content["version"] == 1
    assert content["sender"] == {"code": "BLA", "name": A_NAME}
    assert content["receiver"] == {"code": "DYF", "name": B_NAME}
    assert content["trades"] == [{
        "id": "BLA-1", "date": "2026-06-01", "minutes": 90, "category": "other", "note": "Garddio", "welsh": True,
        "givers": [{"bank": "BLA", "number": 1, "first_name": "Siân"}], "receivers": [{"bank": "DYF", "number": 1}],
        "void": None}]
    said = b.ok("partner", "import", str(file), lang="en").out
    assert (f"Took {file.name} from {A_NAME} (BLA). New trades recorded: 1; voids recorded: 0; trades held "
            "already: 0.") in said
    assert "Balance of trade with Banc Amser Blaengarw: +0.50 hours." in said
    mirror = [e for e in b.json("exchange", "list") if e["note"] == "Garddio"]
    assert len(mirror) == 1 and mirror[0]["welsh"] is True and mirror[0]["minutes"] == 90
    assert mirror[0]["receivers"] == [1] and mirror[0]["givers"][0] < 0
    assert account_names(b) == {("BLA", 1): "BLA:1 Siân (Banc Amser Blaengarw)",
                                ("BLA", 2): "BLA:2 (Banc Amser Blaengarw)"}
    assert dict(query(b.db, "SELECT number, balance_minutes FROM members WHERE number > 0")) == {
        1: -90, 2: 60, 3: 0, 4: 0}
    # B has A's trade but A has not had B's file yet.
    shown = statement(b, "BLA")
    assert shown["unconfirmed_by_partner"] == ["DYF-1"] and shown["unconfirmed_here"] == ["BLA-1"]
    shown = statement(a, "DYF")
    assert shown["unconfirmed_by_partner"] == ["BLA-1"] and shown["unconfirmed_here"] == []
    round_trips(a, b, tmp_path)
    assert partner_row(a, "DYF")["balance_minutes"] == -partner_row(b, "BLA")["balance_minutes"] == -30
    # Typed here as DYF:1, then named by B's file, which holds the trade with Mair's first name.
    assert account_names(a) == {("DYF", 1): "DYF:1 Mair (Banc Amser Dyffryn)",
                                ("DYF", 2): "DYF:2 Gwyn (Banc Amser Dyffryn)"}
    for bank, code in ((a, "DYF"), (b, "BLA")):
        shown = statement(bank, code)
        assert shown["unconfirmed_by_partner"] == shown["unconfirmed_here"] == []
        assert shown["last_sent_sha256"] and shown["last_received_sha256"]
    # The same file again, in either language: taken before, nothing written.
    before = dump(b.db)
    assert "was taken before: nothing new was recorded" in b.ok("partner", "import", str(file), lang="en").out
    welsh = b.ok("partner", "import", str(file), lang="cy").out
    assert file.name in welsh and "was taken before" not in welsh
    assert dump(b.db) == before
    # A file that holds only trades held already is taken, and brings nothing.
    said = send(a, "DYF", b, tmp_path).out
    assert "New trades recorded: 0; voids recorded: 0; trades held already: 2" in said or "was taken before" in said
    rows = list(csv.DictReader(io.StringIO(a.ok("partner", "statement", "DYF", "--format", "csv").out)))
    assert [(r["trade"], r["minutes"], r["ours"], r["void"], r["confirmed"]) for r in rows] == [
        ("BLA-1", "-90", "true", "", "true"), ("DYF-1", "60", "false", "", "true")]
    # A new name for the partner bank renames its members' accounts, first names kept.
    a.ok("partner", "edit", "DYF", "--name", "Banc Dyffryn")
    assert account_names(a) == {("DYF", 1): "DYF:1 Mair (Banc Dyffryn)", ("DYF", 2): "DYF:2 Gwyn (Banc Dyffryn)"}
    a.ok("check")


def test_a_void_on_either_side_reaches_the_other(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")                 # BLA-1
    a.ok("record", "--giver", "Huw", "--receiver", "Llinos", "--receiver", "DYF:2", "--receiver", "DYF:3",
         "--hours", "2", "--date", "2026-06-02")                                 # BLA-2
    round_trips(a, b, tmp_path)
    # B voids its mirror of BLA-1; A voids its own BLA-2, both before any file.
    mirror = {t["trade"]: t["exchange"] for t in statement(b, "BLA")["trades"]}
    b.ok("exchange", "void", str(mirror["BLA-1"]), "--reason", "Mair was away")
    a.ok("exchange", "void", "2", "--reason", "Wrong day")
    assert partner_row(a, "DYF")["balance_minutes"] == -60
    assert partner_row(b, "BLA")["balance_minutes"] == 240
    assert statement(a, "DYF")["unconfirmed_by_partner"] == ["BLA-3"]  # the void of BLA-2 is A's exchange 3
    round_trips(a, b, tmp_path)
    for bank, code in ((a, "DYF"), (b, "BLA")):
        shown = statement(bank, code)
        assert shown["balance_minutes"] == 0
        assert {t["trade"]: t["void"] for t in shown["trades"]} == {"BLA-1": "DYF-3", "BLA-2": "BLA-3"}
        assert shown["unconfirmed_by_partner"] == shown["unconfirmed_here"] == []
        assert partner_row(bank, code)["trades"] == 0
        assert sum_of_balances(bank) == 0
        bank.ok("check")
    # Huw's hour to Llinos (one of A's own pairs) stays voided only on A, and only A had it.
    assert dict(query(a.db, "SELECT number, balance_minutes FROM members WHERE number > 0")) == {
        1: 0, 2: 0, 3: 0, 4: 0}


def test_both_banks_void_the_same_trade(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    """Each bank voids the trade before it has the other's void: one void counts on each side."""
    a, b = banks
    a.ok("record", "DYF:4", "Lowri", "1:15", "--date", "2026-05-01")
    round_trips(a, b, tmp_path)
    a.ok("exchange", "void", "1", "--reason", "Never happened")
    b.ok("exchange", "void", str(statement(b, "BLA")["trades"][0]["exchange"]), "--reason", "Ni ddigwyddodd")
    round_trips(a, b, tmp_path)
    for bank, code in ((a, "DYF"), (b, "BLA")):
        assert query(bank.db, "SELECT count(*) FROM exchanges WHERE reverses IS NOT NULL") == [(1,)]
        assert sum_of_balances(bank) == 0 and partner_row(bank, code)["balance_minutes"] == 0
        shown = statement(bank, code)
        assert shown["unconfirmed_by_partner"] == shown["unconfirmed_here"] == []
        bank.ok("check")


def test_a_trade_voided_before_any_file_travels_voided(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    a.ok("record", "Siân", "DYF:2", "3", "--date", "2026-04-01")
    a.ok("exchange", "void", "1", "--reason", "Typo")
    said = send(a, "DYF", b, tmp_path).out
    assert "New trades recorded: 1; voids recorded: 1" in said
    assert dict(query(b.db, "SELECT number, balance_minutes FROM members WHERE number > 0")) == {
        1: 0, 2: 0, 3: 0, 4: 0}
    round_trips(a, b, tmp_path)
    assert statement(a, "DYF")["unconfirmed_by_partner"] == []


def test_a_mistyped_member_fixed_by_a_void(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    """A mistyped partner member (DYF:9) makes B refuse the file; A voids the trade and records it
    again for DYF:3; B then takes the file. The voided trade should not stay unconfirmed."""
    a, b = banks
    a.ok("record", "Siân", "DYF:9", "1", "--date", "2026-06-01")
    assert b("partner", "import", str(export(a, "DYF", tmp_path))).code == 1
    a.ok("exchange", "void", "1", "--reason", "Wrong member")
    a.ok("record", "Siân", "DYF:3", "1", "--date", "2026-06-01")
    round_trips(a, b, tmp_path)
    assert partner_row(a, "DYF")["balance_minutes"] == -partner_row(b, "BLA")["balance_minutes"] == -60
    assert statement(b, "BLA")["unconfirmed_by_partner"] == []
    assert statement(a, "DYF")["unconfirmed_by_partner"] == []


def test_files_made_in_the_same_second_taken_out_of_order(banks: tuple[Cli, Cli], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """B's two files, made in one second (a script, a double click), taken newest first: the
    statement must still reconcile against the newer."""
    from datetime import datetime

    from timebank.ledger.records import audit

    a, b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")
    round_trips(a, b, tmp_path)
    monkeypatch.setattr(audit, "now", lambda: datetime(2026, 6, 30, 12, 0, 0))
    older = export(b, "BLA", tmp_path)                       # holds BLA-1
    a.ok("exchange", "void", "1", "--reason", "Wrong day")
    send(a, "DYF", b, tmp_path)
    newer = export(b, "BLA", tmp_path)                       # holds BLA-1 voided by BLA-2
    # Made in one second by the audit's clock (pinned): the file's own moment tells them apart.
    assert json.loads(older.read_bytes())["made"] < json.loads(newer.read_bytes())["made"]
    a.ok("partner", "import", str(newer))
    a.ok("partner", "import", str(older))
    monkeypatch.undo()
    shown = statement(a, "DYF")
    assert shown["last_received_sha256"] == json.loads(newer.read_bytes())["sha256"]
    assert shown["unconfirmed_by_partner"] == [], shown


def crafted(path: Path, sender: tuple[str, str], receiver: tuple[str, str], trades: list[dict]) -> Path:
    """A file with a good hash that timebank did not write (another program, or a forger)."""
    from timebank.ledger.records.partner_files import file_bytes

    path.write_bytes(file_bytes({
        "format": "timebank partner trades", "version": 1,
        "sender": {"code": sender[0], "name": sender[1]}, "receiver": {"code": receiver[0], "name": receiver[1]},
        "made": "2026-06-30T12:00:00", "trades": trades}))
    return path


def trade(trade_id: str, minutes: int, givers: list[tuple[str, int]], receivers: list[tuple[str, int]],
          on: str = "2026-06-01") -> dict:
    return {"id": trade_id, "date": on, "minutes": minutes, "category": "gardening", "note": None, "welsh": False,
            "givers": [{"bank": c, "number": n} for c, n in givers],
            "receivers": [{"bank": c, "number": n} for c, n in receivers], "void": None}


def test_a_file_with_a_good_hash_is_still_checked(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, _b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")   # BLA-1, 60 minutes
    good = trade("DYF-7", 30, [("DYF", 2)], [("BLA", 2)])
    cases = {
        "changed": trade("BLA-1", 90, [("BLA", 1)], [("DYF", 1)]),      # A's trade, other minutes
        "unknown": trade("BLA-5", 60, [("BLA", 1)], [("DYF", 1)]),      # "A's" trade A never made
        "stranger": trade("DYF-8", 60, [("PEN", 1)], [("BLA", 1)]),     # a third bank's member
    }
    refused_whole(a, tmp_path, good, cases)
    path = crafted(tmp_path / "good.json", ("DYF", B_NAME), ("BLA", A_NAME), [good])
    assert "New trades recorded: 1;" in a.ok("partner", "import", str(path), lang="en").out
    assert partner_row(a, "DYF")["balance_minutes"] == -60 + 30
    # A category this ledger has is kept; the exchange is B's trade under B's id.
    assert [t["trade"] for t in statement(a, "DYF")["trades"]] == ["BLA-1", "DYF-7"]
    assert a.json("exchange", "list")[-1]["category"] == "gardening"
    a.ok("check")


def test_a_file_trading_between_members_of_one_bank_is_refused(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, _b = banks
    good = trade("DYF-7", 30, [("DYF", 2)], [("BLA", 2)])
    refused_whole(a, tmp_path, good, {
        "theirs": trade("DYF-9", 60, [("DYF", 1)], [("DYF", 2)]),        # two of B's members
        "ours": trade("DYF-10", 600, [("BLA", 1)], [("BLA", 2)]),        # ten hours from Siân to Huw
        "mixed": trade("DYF-11", 60, [("BLA", 1)], [("DYF", 1), ("BLA", 3)]),  # Siân to Llinos inside
    })


def refused_whole(bank: Cli, folder: Path, good: dict, cases: dict[str, dict]) -> None:
    """Each file of `good` and one bad trade is refused, the bad one named, nothing written."""
    for name, bad in cases.items():
        path = crafted(folder / f"{name}.json", ("DYF", B_NAME), ("BLA", A_NAME), [good, bad])
        before = dump(bank.db)
        result = bank("partner", "import", str(path), lang="en")
        assert result.code == 1 and "Traceback" not in result.err, (name, result)
        assert "1 trade in it cannot be recorded here" in result.err and bad["id"] in result.err, (name, result)
        assert good["id"] not in result.err
        assert dump(bank.db) == before, name


# 2. Refusals ---------------------------------------------------------------------------------

@pytest.fixture
def a_file(banks: tuple[Cli, Cli], tmp_path: Path) -> tuple[Cli, Cli, Path]:
    """A, B, and a file B wrote for A with two trades (one of them with a note and Welsh names)."""
    a, b = banks
    b.ok("record", "Mair", "BLA:1", "1:30", "--date", "2026-06-01", "--note", "Garddio yn yr haul")
    b.ok("record", "BLA:2", "Dafydd", "2", "--date", "2026-06-02")
    return a, b, export(b, "BLA", tmp_path)


@pytest.mark.parametrize("change", ["minutes", "note", "space", "newline", "hash", "accent"])
def test_a_file_changed_by_one_byte_is_refused(a_file: tuple[Cli, Cli, Path], change: str) -> None:
    a, _b, file = a_file
    data = file.read_bytes()
    if change == "minutes":
        changed = data.replace(b'"minutes": 90', b'"minutes": 80', 1)
    elif change == "note":
        changed = data.replace(b"Garddio", b"Garddia", 1)
    elif change == "space":
        changed = data.replace(b'"trades": [', b'"trades":  [', 1)
    elif change == "newline":
        changed = data[:-1]
    elif change == "hash":
        digest = data.rindex(b'"sha256": "') + len(b'"sha256": "')
        changed = data[:digest] + (b"0" if data[digest:digest + 1] != b"0" else b"1") + data[digest + 1:]
    else:  # a byte that is no UTF-8 where Mair's first name is
        changed = data.replace(b"Mair", b"M\xc3ir", 1)
    assert changed != data and len(changed) - len(data) in (-1, 0, 1)
    file.write_bytes(changed)
    said = refused(a, "partner", "import", str(file))
    assert "has been changed since it was written" in said["en"].err
    assert file.name in said["en"].err and file.name in said["cy"].err
    assert accounts(a) == {}


def test_a_file_for_another_bank_or_from_a_stranger(banks: tuple[Cli, Cli], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    a, b = banks
    c = new_bank(tmp_path, capsys, C_NAME, "PEN", ("Rhian Owen",))
    c.ok("partner", "add", B_NAME, "--code", "DYF", "--date", "2026-01-01")
    c.ok("partner", "add", A_NAME, "--code", "BLA", "--date", "2026-01-01")
    b.ok("partner", "add", C_NAME, "--code", "PEN", "--date", "2026-01-01")
    c.ok("record", "Rhian", "DYF:1", "1", "--date", "2026-06-01")
    c.ok("record", "Rhian", "BLA:1", "1", "--date", "2026-06-01")
    for_b = export(c, "DYF", tmp_path)
    said = refused(a, "partner", "import", str(for_b))
    assert said["en"].err.strip() == (f"{for_b.name} is for another time bank ({B_NAME}, code DYF), not this one "
                                      "(BLA): nothing was written.")
    for_a = export(c, "BLA", tmp_path)
    said = refused(a, "partner", "import", str(for_a))
    assert said["en"].err.strip() == (f"{for_a.name} is from {C_NAME} (code PEN), which is not a partner bank here: "
                                      "add it with 'timebank partner add' first. Nothing was written.")
    # Once A makes PEN a partner, the same file is taken.
    a.ok("partner", "add", C_NAME, "--code", "PEN", "--date", "2026-01-01")
    assert "New trades recorded: 1;" in a.ok("partner", "import", str(for_a), lang="en").out
    assert partner_row(a, "PEN")["balance_minutes"] == 60 and partner_row(a, "DYF")["balance_minutes"] == 0


def test_a_file_naming_members_this_bank_lacks_is_refused_whole(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    b.ok("record", "Mair", "BLA:1", "1", "--date", "2026-06-01")    # DYF-1: fine
    b.ok("record", "Gwyn", "BLA:9", "1", "--date", "2026-06-02")    # DYF-2: A has no member 9
    b.ok("record", "BLA:12", "Eleri", "1", "--date", "2026-06-03")  # DYF-3: nor 12
    file = export(b, "BLA", tmp_path)
    for lang in ("en", "cy"):
        before = dump(a.db)
        result = a("partner", "import", str(file), lang=lang)
        assert result.code == 1 and "Traceback" not in result.err, result
        assert dump(a.db) == before
        assert "DYF-2" in result.err and "DYF-3" in result.err and "DYF-1" not in result.err
    said = a("partner", "import", str(file), lang="en").err
    assert said.splitlines()[-1] == (f"{file.name} was not imported: 2 trades in it cannot be recorded here. "
                                     "Nothing was written.")
    assert "there is no member number 9 here" in said and "there is no member number 12 here" in said
    # With member 9 and 12 gone from B's trades (voided), the file is taken.
    b.ok("exchange", "void", "2", "--reason", "No such member")
    b.ok("exchange", "void", "3", "--reason", "No such member")
    said = a.ok("partner", "import", str(export(b, "BLA", tmp_path)), lang="en").out
    assert "New trades recorded: 1;" in said
    assert partner_row(a, "DYF")["balance_minutes"] == 60


def test_the_refusal_of_a_file_lists_each_bad_trade_on_a_line(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    b.ok("record", "Gwyn", "BLA:9", "1", "--date", "2026-06-02")
    b.ok("record", "BLA:12", "Eleri", "1", "--date", "2026-06-03")
    file = export(b, "BLA", tmp_path)
    lines = a("partner", "import", str(file), lang="en").err.splitlines()
    # Every bad trade on a line of its own, then the one refusal that counts them (as `import` does).
    assert lines == [
        "trade DYF-1: there is no member number 9 here",
        "trade DYF-2: there is no member number 12 here",
        f"{file.name} was not imported: 2 trades in it cannot be recorded here. Nothing was written."]
    welsh = a("partner", "import", str(file), lang="cy").err.splitlines()
    assert len(welsh) == 3 and "DYF-1" in welsh[0] and "DYF-2" in welsh[1]
    assert welsh[2] != lines[2] and welsh[0] != lines[0]


def test_a_file_that_is_not_one_or_is_missing(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, _b = banks
    for content in ("hello, not JSON\n", '{"format": "something else"}\n', "[1, 2]\n", ""):
        path = tmp_path / "not-trades.json"
        path.write_text(content, encoding="utf-8")
        said = refused(a, "partner", "import", str(path))
        assert said["en"].err.strip() == "not-trades.json is not a file of trades from a partner bank.", content
    path = tmp_path / "binary.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    refused(a, "partner", "import", str(path))
    said = refused(a, "partner", "import", str(tmp_path / "nowhere.json"))
    assert "nowhere.json" in said["en"].err


def test_partner_add_needs_the_banks_own_code(ledger: Cli) -> None:
    said = refused(ledger, "partner", "add", B_NAME, "--code", "DYF")
    assert "settings set bank_code CODE" in said["en"].err
    assert ledger.json("partner", "list") == []
    ledger.ok("settings", "set", "bank_code", "bla")
    assert query(ledger.db, "SELECT value FROM settings WHERE key = 'bank_code'") == [("BLA",)]
    ledger.ok("partner", "add", B_NAME, "--code", "dyf", "--limit", "10")
    assert ledger.json("partner", "list") == [{
        "code": "DYF", "name": B_NAME, "balance_minutes": 0, "limit_minutes": 600, "joined": TODAY, "left": None,
        "members": 0, "trades": 0}]
    assert list(ledger.json("partner", "list")[0]) == LIST_KEYS


@pytest.mark.parametrize("code", ["1AB", "A", "TOOLONGCODE", "DY-F", "DŴR", ""])
def test_a_code_that_is_no_code(banks: tuple[Cli, Cli], code: str) -> None:
    a, _b = banks
    said = refused(a, "partner", "add", C_NAME, "--code", code)
    assert "is not a time bank's code" in said["en"].err
    if code:  # an empty bank_code is no code at all: the setting cleared
        refused(a, "settings", "set", "bank_code", code)


def test_duplicates_and_our_own_code(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    said = refused(a, "partner", "add", C_NAME, "--code", "dyf")
    assert said["en"].err.strip() == f"There is already a partner bank with the code DYF: {B_NAME}."
    said = refused(a, "partner", "add", "banc amser dyffryn", "--code", "DYF2")
    assert said["en"].err.strip() == f"There is already a partner bank called {B_NAME} (code DYF)."
    said = refused(a, "partner", "add", C_NAME, "--code", "BLA")
    assert "BLA is this time bank's own code" in said["en"].err
    a.ok("partner", "add", C_NAME, "--code", "PEN")
    said = refused(a, "partner", "edit", "PEN", "--name", "BANC AMSER DYFFRYN")
    assert "There is already a partner bank called" in said["en"].err
    refused(a, "partner", "edit", "PEN")  # nothing to change
    refused(a, "partner", "edit", "PEN", "--limit", "3", "--no-limit")
    said = refused(a, "partner", "edit", "XYZ", "--limit", "3")
    assert said["en"].err.strip() == "There is no partner bank XYZ. The partner banks are: DYF, PEN."


def test_the_limit_of_the_balance_of_trade(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("partner", "edit", "DYF", "--limit", "2")
    assert partner_row(a, "DYF")["limit_minutes"] == 120
    a.ok("record", "Siân", "DYF:1", "1:30", "--date", "2026-06-01")
    said = refused(a, "record", "Huw", "DYF:2", "1", "--date", "2026-06-02")
    assert said["en"].err.strip() == ("The balance of trade with Banc Amser Dyffryn (DYF) would be -2.50 hours, past "
                                      "its limit of 2.00 hours either way. Use --allow-overdraft to record it anyway.")
    refused(a, "record", "--giver", "Huw", "--receiver", "DYF:2", "--receiver", "DYF:3", "--hours", "0:30",
            "--date", "2026-06-02")
    # Back towards even is always allowed; past the limit only with --allow-overdraft.
    a.ok("record", "DYF:3", "Llinos", "0:15", "--date", "2026-06-03")
    a.ok("record", "Huw", "DYF:2", "1", "--date", "2026-06-02", "--allow-overdraft")
    assert partner_row(a, "DYF")["balance_minutes"] == -135
    a.ok("partner", "edit", "DYF", "--no-limit")
    a.ok("record", "Huw", "DYF:2", "5", "--date", "2026-06-04")
    assert partner_row(a, "DYF")["limit_minutes"] is None


def test_no_trade_after_the_partnership_ends(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")
    said = a.ok("partner", "leave", "DYF", "--date", "2026-06-15", lang="en").out
    assert "ended on 15 June 2026" in said and "Balance of trade: -1.00 hours" in said
    said = refused(a, "record", "Siân", "DYF:1", "1", "--date", "2026-06-16")
    assert said["en"].err.strip() == ("The partnership with Banc Amser Dyffryn (DYF) ended on 2026-06-15: no trade "
                                      "after it can be recorded.")
    refused(a, "record", "--giver", "DYF:2", "--receiver", "Huw", "--receiver", "Llinos", "--hours", "1")
    refused(a, "partner", "leave", "DYF")  # once
    a.ok("record", "Huw", "DYF:2", "1", "--date", "2026-06-15")  # the last day still counts
    refused(a, "record", "Huw", "DYF:2", "1", "--date", "2025-12-31")  # before it began
    assert partner_row(a, "DYF")["left"] == "2026-06-15"
    # Files still go both ways after the end.
    b.ok("record", "Mair", "BLA:3", "1", "--date", "2026-06-10")
    round_trips(a, b, tmp_path)
    assert partner_row(a, "DYF")["balance_minutes"] == -partner_row(b, "BLA")["balance_minutes"] == -60
    assert statement(a, "DYF")["left"] == "2026-06-15"
    assert statement(a, "DYF")["unconfirmed_by_partner"] == []


def test_who_may_trade_with_whom(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("partner", "add", C_NAME, "--code", "PEN", "--date", "2026-01-01")
    said = refused(a, "record", "DYF:1", "PEN:2", "1")
    assert "Two partner banks' members cannot trade through this ledger" in said["en"].err
    refused(a, "record", "DYF:1", "DYF:2", "1")
    refused(a, "record", "--giver", "DYF:1", "--receiver", "Huw", "--receiver", "PEN:1", "--hours", "1")
    said = refused(a, "record", "0", "DYF:1", "1")
    assert said["en"].err.strip() == "The time bank pot cannot trade with a partner bank's member."
    refused(a, "record", "DYF:1", "0", "1")
    said = refused(a, "record", "Siân", "XYZ:1", "1")
    assert said["en"].err.strip() == "There is no partner bank XYZ. The partner banks are: DYF, PEN."
    said = refused(a, "record", "Siân", "DYF:0", "1")
    assert "DYF:0" in said["en"].err
    refused(a, "record", "DYF:1", "DYF:1", "1")
    assert accounts(a) == {}


def test_one_exchange_with_two_partner_banks(banks: tuple[Cli, Cli]) -> None:
    """Siân giving to a member of each partner bank at once is one trade with each bank."""
    a, _b = banks
    a.ok("partner", "add", C_NAME, "--code", "PEN", "--date", "2026-01-01")
    a.ok("record", "--giver", "Siân", "--receiver", "DYF:1", "--receiver", "PEN:1", "--hours", "1",
         "--date", "2026-06-01")
    assert partner_row(a, "DYF")["balance_minutes"] == partner_row(a, "PEN")["balance_minutes"] == -60
    assert {t["trade"] for t in statement(a, "PEN")["trades"]} == {"BLA-1"}


def test_the_banks_code_cannot_change_once_it_traded(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("settings", "set", "bank_code", "BLAE")  # no trade yet: it may change
    a.ok("settings", "set", "bank_code", "BLA")
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")
    said = refused(a, "settings", "set", "bank_code", "BLAE")
    assert said["en"].err.strip() == ("This time bank's code (BLA) is in the trades its partner banks hold: it cannot "
                                      "change.")
    refused(a, "settings", "set", "cod_banc", "")
    a.ok("settings", "set", "bank_code", "bla")  # the same code again is no change


def test_export_refuses_to_overwrite_and_knows_no_stranger(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, _b = banks
    path = tmp_path / "out.json"
    path.write_text("keep me", encoding="utf-8")
    said = refused(a, "partner", "export", "DYF", "--output", str(path))
    assert "--force" in said["en"].err
    assert path.read_text(encoding="utf-8") == "keep me"
    a.ok("partner", "export", "DYF", "--output", str(path), "--force")
    assert json.loads(path.read_text(encoding="utf-8"))["trades"] == []
    refused(a, "partner", "export", "XYZ", "--output", str(tmp_path / "other.json"))
    assert not (tmp_path / "other.json").exists()
    refused(a, "partner", "statement", "XYZ")


def test_settings_show_the_banks_code(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    assert a.json("settings", "show")["bank_code"] == "BLA"
    assert "BLA" in a.ok("settings", "show", lang="cy").out


# 3. A partner's member is never one of ours ------------------------------------------------------

@pytest.fixture
def traded(banks: tuple[Cli, Cli], tmp_path: Path) -> tuple[Cli, Cli]:
    """A's members traded with Mair (DYF:1) and Gwyn (DYF:2), and the files went both ways, so
    A knows their first names."""
    a, b = banks
    a.ok("record", "Siân", "DYF:1", "1:30", "--date", "2026-06-01", "--note", "Siopa")
    b.ok("record", "Gwyn", "BLA:2", "2", "--date", "2026-06-02")
    b.ok("record", "--giver", "Mair", "--receiver", "BLA:3", "--receiver", "Eleri", "--hours", "1",
         "--date", "2026-06-03")
    round_trips(a, b, tmp_path)
    return a, b


def test_partner_accounts_are_no_members(traded: tuple[Cli, Cli]) -> None:
    a, _b = traded
    assert account_names(a) == {("DYF", 1): "DYF:1 Mair (Banc Amser Dyffryn)",
                                ("DYF", 2): "DYF:2 Gwyn (Banc Amser Dyffryn)"}
    for args in (("member", "list"), ("member", "list", "--all"), ("member", "list", "--search", "Mair"),
                 ("member", "list", "--search", "Dyffryn")):
        listed = a.json(*args)
        assert all(m["number"] > 0 for m in listed), (args, listed)
        assert "Dyffryn" not in json.dumps(listed, ensure_ascii=False)
    assert {m["number"] for m in a.json("balance")} == {0, 1, 2, 3, 4}
    members = list(csv.DictReader(io.StringIO(a.ok("export", "members").out)))
    assert [int(m["member"]) for m in members] == [1, 2, 3, 4]
    named = a.ok("export", "members", "--with-names").out
    assert "Dyffryn" not in named and "Mair" not in named
    figures = a.json("report", "period", "--from", "2026-06-01", "--to", "2026-06-30")["total"]
    assert (figures["members_registered"], figures["members_total"]) == (4, 4)
    assert (figures["members_trading"], figures["members_giving"], figures["members_receiving"]) == (3, 1, 2)
    assert figures["members_new"] == 0
    summary = list(csv.DictReader(io.StringIO(a.ok("export", "summary", "--from", "2026-06-01", "--to",
                                                   "2026-06-30").out)))
    assert [(r["members_total"], r["members_registered"], r["members_trading"]) for r in summary] == [
        ("4", "4", "3")]
    # Found by no name, nor by its number.
    for name in ("Mair", "Gwyn", "Dyffryn", "DYF:1 (Banc Amser Dyffryn)", "-1", "#-1"):
        said = refused(a, "statement", "--", name)
        assert f"No member matches '{name}'" in said["en"].err, (name, said)
        refused(a, "balance", "--", name)
        refused(a, "member", "show", "--", name)
        refused(a, "member", "edit", "--note", "x", "--", name)
        refused(a, "record", "--", name, "Siân", "1")
    # Our member's statement names the partner bank on the line of the trade.
    lines = [line for line in a.ok("statement", "Siân", lang="en").out.splitlines() if "01/06/26" in line]
    assert len(lines) == 1 and "DYF:1 Mair (Banc Amser Dyffryn)" in lines[0] and "+1.50" in lines[0]
    listed = a.json("statement", "Huw")
    assert "DYF:2 Gwyn (Banc Amser Dyffryn)" in json.dumps(listed, ensure_ascii=False)


def test_the_monthly_report_counts_no_partner_account(traded: tuple[Cli, Cli]) -> None:
    a, _b = traded
    month = a.json("report", "monthly", "--month", "2026-06")
    # Siân, Huw and Llinos traded in June; Mair's and Gwyn's accounts are no members.
    assert month["members_active"] == 3
    assert month["members_total"] == 4


# 4. Figures --------------------------------------------------------------------------------------

def test_hours_with_partners(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    a.ok("member", "add", "Cyngor Cymuned", "--kind", "organisation", "--joined", "2026-01-01")  # 5
    a.ok("record", "Siân", "DYF:1", "1:30", "--date", "2026-05-03")                     # with partners 1:30
    a.ok("record", "DYF:2", "Huw", "1", "--date", "2026-05-04")                         # 1:00
    a.ok("record", "--giver", "Siân", "--receiver", "Huw", "--receiver", "DYF:1", "--hours", "1",
         "--date", "2026-05-05")                                                          # the whole 2:00
    a.ok("record", "Siân", "Llinos", "0:45", "--date", "2026-05-06")                     # person to person
    a.ok("record", "Cyngor", "Siân", "2", "--date", "2026-05-07")                        # organisation
    a.ok("record", "Lowri", "DYF:3", "4", "--date", "2026-05-08")
    a.ok("exchange", "void", "6", "--reason", "Wrong")                                   # counts nowhere
    b.ok("record", "Mair", "BLA:4", "0:30", "--date", "2026-05-09")                      # taken by A: 0:30
    round_trips(a, b, tmp_path)
    figures = a.json("report", "period", "--from", "2026-05-01", "--to", "2026-05-31")["total"]
    assert figures["minutes_with_partners"] == 90 + 60 + 120 + 30
    assert figures["hours_with_partners"] == "5.00"
    assert figures["minutes_person_to_person"] == 45
    assert figures["minutes_with_organisations"] == 120
    assert figures["minutes_exchanged"] == 90 + 60 + 120 + 45 + 120 + 30
    assert (figures["minutes_person_to_person"] + figures["minutes_with_organisations"]
            + figures["minutes_with_partners"]) == figures["minutes_exchanged"]
    assert float(figures["hours_person_to_person"]) + float(figures["hours_with_organisations"]) + float(
        figures["hours_with_partners"]) == float(figures["hours"])
    summary = list(csv.DictReader(io.StringIO(a.ok("export", "summary", "--from", "2026-05-01", "--to",
                                                   "2026-05-31").out)))
    assert [(r["hours_with_partners"], r["hours_person_to_person"], r["hours_with_organisations"])
            for r in summary] == [("5.00", "0.75", "2.00")]
    # B's side of the same trades: the pairs with its members only.
    figures = b.json("report", "period", "--from", "2026-05-01", "--to", "2026-05-31")["total"]
    assert figures["minutes_with_partners"] == figures["minutes_exchanged"] == 90 + 60 + 60 + 30
    assert figures["minutes_person_to_person"] == figures["minutes_with_organisations"] == 0
    assert figures["members_registered"] == 4 and figures["members_trading"] == 2  # Mair and Gwyn


# 5. Erasure --------------------------------------------------------------------------------------

def erase_sian(a: Cli, b: Cli, tmp_path: Path, *, another_trade: bool) -> Path:
    """Siân (BLA:1) traded with Mair and B took the file; A then erases her. With
    `another_trade`, a trade of hers B has not had yet is in the next file."""
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")
    round_trips(a, b, tmp_path)
    assert account_names(b)[("BLA", 1)] == "BLA:1 Siân (Banc Amser Blaengarw)"
    if another_trade:
        a.ok("record", "Siân", "DYF:2", "0:30", "--date", "2026-06-20")
    said = a.ok("member", "forget", "Siân", "--yes", lang="en").out
    assert "Member 1 has been erased" in said
    file = export(a, "DYF", tmp_path)
    parties = [p for t in json.loads(file.read_text(encoding="utf-8"))["trades"] for p in t["givers"]]
    assert parties and all(p == {"bank": "BLA", "number": 1, "first_name": None} for p in parties)
    assert "Siân".encode() not in file.read_bytes()
    return file


def test_erasure_reaches_the_partner_with_a_new_trade(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    file = erase_sian(a, b, tmp_path, another_trade=True)
    b.ok("partner", "import", str(file))
    assert account_names(b)[("BLA", 1)] == "BLA:1 (Banc Amser Blaengarw)"
    assert "Siân" not in repr(query(b.db, "SELECT name, note, folded, sort_as FROM members"))
    assert "Siân" not in b.ok("statement", "Mair", lang="en").out
    b.ok("check")


def test_erasure_reaches_the_partner_without_a_new_trade(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    file = erase_sian(a, b, tmp_path, another_trade=False)
    b.ok("partner", "import", str(file))
    assert account_names(b)[("BLA", 1)] == "BLA:1 (Banc Amser Blaengarw)"
    assert "Siân" not in repr(query(b.db, "SELECT name, note, folded, sort_as FROM members"))


# 6. Welsh ----------------------------------------------------------------------------------------

def test_partner_commands_in_welsh(banks: tuple[Cli, Cli], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = banks
    said = a.ok("partner", "ychwanegu", C_NAME, "--code", "PEN", "--limit", "5", "--dyddiad", "2026-01-01",
                lang="cy")
    english = f"Added the partner bank {C_NAME} with the code PEN (a limit of 5.00 hours)."
    assert english not in said.out and "PEN" in said.out
    a.ok("partner", "golygu", "PEN", "--limit", "6", lang="cy")
    assert partner_row(a, "PEN")["limit_minutes"] == 360
    a.ok("cofnodi", "Siân", "DYF:1", "1:30", "--dyddiad", "2026-06-01", lang="cy")
    a.ok("cofnodi", "--giver", "Huw", "--receiver", "PEN:3", "--hours", "1", lang="cy")
    listed = a.json("partner", "rhestr", lang="cy")
    assert [(p["code"], p["balance_minutes"]) for p in listed] == [("DYF", -90), ("PEN", -60)]
    table = a.ok("partner", "rhestr", lang="cy").out
    assert "Cod" in table and "Enw" in table and "Balans" in table
    assert "Partner banks" not in table and "Their members" not in table
    path = tmp_path / "i-dyf.json"
    said = a.ok("partner", "allforio", "DYF", "--output", str(path), lang="cy").out
    assert "Wrote" not in said and "i-dyf.json" in said
    monkeypatch.setenv("TIMEBANK_LANG", "cy")
    said = b.ok("partner", "mewnforio", str(path)).out
    assert "i-dyf.json" in said
    assert "Took" not in said and "Balance of trade" not in said
    # The mirror's account is named from the file, whatever the language.
    assert account_names(b)[("BLA", 1)] == "BLA:1 Siân (Banc Amser Blaengarw)"
    shown = b.ok("partner", "cyfriflen", "BLA").out
    assert "BLA-1" in shown and "+1.50" in shown
    assert "Balance with" not in shown and "Trades" not in shown
    assert list(b.json("partner", "cyfriflen", "BLA")) == STATEMENT_KEYS
    said = a.ok("partner", "gadael", "PEN", "--dyddiad", "2026-06-30").out
    assert "PEN" in said and "30 Mehefin 2026" in said
    assert "The partnership with" not in said
    monkeypatch.delenv("TIMEBANK_LANG")
    assert partner_row(a, "PEN")["left"] == "2026-06-30"
    # The Welsh names of the settings and of the refusals.
    result = b("gosodiadau", "gosod", "cod_banc", "DYFF", lang="cy")
    assert result.code == 1 and "DYF" in result.err
    assert "is in the trades its partner banks hold" not in result.err


def test_the_welsh_help_names_every_partner_command() -> None:
    import subprocess
    import sys

    shown = subprocess.run([sys.executable, "-m", "timebank", "--lang", "cy", "partner", "--help"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)}).stdout
    for welsh, english in (("ychwanegu", "add"), ("rhestr", "list"), ("golygu", "edit"), ("gadael", "leave"),
                           ("allforio", "export"), ("mewnforio", "import"), ("cyfriflen", "statement")):
        assert re.search(rf"{welsh} \({english}\)", shown), (welsh, shown)
    assert "Partner time banks" not in shown


# 7. What a review found (each once a bug) ----------------------------------------------------

def test_a_file_trade_must_find_our_member_a_member_that_day(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    """As `record` does: a member who had left, was erased or had not joined is refused."""
    a, _b = banks
    a.ok("member", "add", "Pat Gadael", "--joined", "2026-01-01")
    a.ok("member", "leave", "Pat", "--date", "2026-03-01")
    left = a.json("member", "list", "--left")[0]["number"]
    a.ok("member", "add", "Nia Newydd", "--joined", "2026-06-20")
    late = a.json("member", "show", "Nia")["number"]
    good = trade("DYF-7", 30, [("DYF", 2)], [("BLA", 2)])
    refused_whole(a, tmp_path, good, {
        "left": trade("DYF-8", 60, [("DYF", 1)], [("BLA", left)], on="2026-06-01"),
        "not yet": trade("DYF-9", 60, [("DYF", 1)], [("BLA", late)], on="2026-06-01"),
    })


@pytest.mark.parametrize("change", ["future", "ancient", "huge", "number", "offset", "no void", "void is itself"])
def test_a_file_with_a_good_hash_and_wild_values(banks: tuple[Cli, Cli], tmp_path: Path, change: str) -> None:
    """Values no ledger could hold, in a file whose hash is good: refused cleanly, nothing written."""
    a, _b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")   # BLA-1
    bad = trade("DYF-8", 60, [("DYF", 1)], [("BLA", 1)])
    made = "2026-06-30T12:00:00"
    trades = [trade("DYF-7", 30, [("DYF", 2)], [("BLA", 2)]), bad]
    if change == "future":
        bad["date"] = "9999-12-31"
    elif change == "ancient":
        bad["date"] = "0001-01-01"
    elif change == "huge":
        bad["minutes"] = 10**15
    elif change == "number":
        bad["givers"][0]["number"] = 2**40
    elif change == "offset":
        made = "2026-06-30T12:00:00+05:00"
    elif change == "no void":
        held = trade("BLA-1", 60, [("BLA", 1)], [("DYF", 1)])
        del held["void"]
        trades = [held]
    elif change == "void is itself":
        bad["void"] = {"id": "DYF-8", "reason": "x"}
    from timebank.ledger.records.partner_files import file_bytes

    path = tmp_path / f"{change}.json"
    path.write_bytes(file_bytes({"format": "timebank partner trades", "version": 1,
                                 "sender": {"code": "DYF", "name": B_NAME}, "receiver": {"code": "BLA", "name": A_NAME},
                                 "made": made, "trades": trades}))
    before = dump(a.db)
    result = a("partner", "import", str(path), lang="en")
    if change == "no void":  # a trade written without its void key is one with no void
        assert result.code == 0, result
        return
    assert result.code == 1 and "Unexpected error" not in result.err and "Traceback" not in result.err, result
    assert dump(a.db) == before


def test_a_file_nested_beyond_reason(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, _b = banks
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    refused(a, "partner", "import", str(path))


def test_a_declined_trade_makes_no_account(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    """B voided a trade naming a member A lacks: A records neither it nor an account for it."""
    a, b = banks
    b.ok("record", "Gwyn", "BLA:9", "1", "--date", "2026-06-02")    # DYF-1: A has no member 9
    b.ok("exchange", "void", "1", "--reason", "No such member")
    b.ok("record", "Gwyn", "BLA:1", "1", "--date", "2026-06-03")
    send(b, "BLA", a, tmp_path)
    assert set(accounts(a)) == {("DYF", 2)}  # Gwyn's account only, made for the trade that counts
    assert partner_row(a, "DYF")["members"] == 1


def test_the_banks_code_is_no_partners_code(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    refused(a, "settings", "set", "bank_code", "DYF")
    said = refused(a, "record", "Siân", "BLA:2", "1")
    assert "BLA is this time bank's own code" in said["en"].err


def test_a_long_organisation_name_still_travels(banks: tuple[Cli, Cli], tmp_path: Path) -> None:
    a, b = banks
    name = "Cymdeithas " + "Gymunedol " * 12
    b.ok("member", "add", name.strip(), "--kind", "organisation", "--joined", "2026-01-01")
    organisation = b.json("member", "show", "Cymdeithas")["number"]
    b.ok("record", str(organisation), "BLA:1", "1", "--date", "2026-06-02")
    send(b, "BLA", a, tmp_path)
    assert partner_row(a, "DYF")["balance_minutes"] == 60


def test_the_limit_holds_on_the_other_side_of_zero(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("partner", "edit", "DYF", "--limit", "2")
    a.ok("record", "Siân", "DYF:1", "1:30", "--date", "2026-06-01")                       # -1.50
    a.ok("record", "--giver", "Siân", "--giver", "Huw", "--receiver", "DYF:1", "--hours", "1", "--date",
         "2026-06-02", "--allow-overdraft")                                                # -3.50
    a.ok("record", "DYF:2", "Huw", "1", "--date", "2026-06-03")                            # -2.50: towards zero
    refused(a, "record", "DYF:2", "Huw", "5", "--date", "2026-06-04")                      # would be +2.50


def test_a_partnership_ends_after_its_last_trade(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-10")
    said = refused(a, "partner", "leave", "DYF", "--date", "2026-06-01")
    assert "2026-06-10" in said["en"].err
    a.ok("partner", "leave", "DYF", "--date", "2026-06-10")


def test_exchange_show_names_a_partners_member_by_their_code(banks: tuple[Cli, Cli]) -> None:
    a, _b = banks
    a.ok("record", "Siân", "DYF:1", "1", "--date", "2026-06-01")
    shown = a.ok("exchange", "show", "1", lang="en").out
    assert "DYF:1 (Banc Amser Dyffryn)" in shown and "#-1" not in shown and "Siân Jones (#1)" in shown
