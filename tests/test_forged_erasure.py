"""Issue 26, high 1: a forged erasure could rewrite sealed text. The red team computed an
exchange's original commitment from its stored salt and text, kept it as the "erased"
commitment, wrote new text with a new salt and appended a `member.forget` event that
"resealed" it: `check` and `check --seal` passed. In version 2 of the chain a text is
committed word by word: erasure can take words out, never put any in, and no event can
re-bind a text. These tests make the attack (on a link written in version 2 and on one
written before the upgrade) and a quieter one (words taken out with or without a forged
erasure event), on both databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import Cli, execute_sql, fresh_db, query
from timebank.ledger.integrity import canonical
from timebank.ledger.integrity.chain import ChainWriter
from timebank.ledger.records.audit import now

FIXTURES = Path(__file__).parent / "data"


def _seal(cli: Cli) -> str:
    line = next(line for line in cli.ok("check", lang="en").out.splitlines() if line.startswith("Seal: "))
    return line.removeprefix("Seal: ")


def _append_event(db: "Path | str", action: str, member: int | None, details: dict) -> None:
    """An audit event appended as a proper link of the chain, as a forger with the code would."""
    from sqlalchemy import text

    from timebank.ledger.storage.db import open_ledger

    opened = open_ledger(str(db))
    try:
        with opened.engine.begin() as connection:
            at, body = now(), json.dumps(details, ensure_ascii=False, sort_keys=True)
            connection.execute(text('INSERT INTO audit (at, "by", action, member, details) '
                                    "VALUES (:at, 'mallory', :action, :member, :details)"),
                               {"at": at, "action": action, "member": member, "details": body})
            event_id = connection.execute(text("SELECT max(id) FROM audit")).scalar_one()
            link, digest, salt = ChainWriter(connection).audit(event_id, at, action, member, None, "mallory", body)
            connection.execute(text("UPDATE audit SET link = :link, link_hash = :digest, salt = :salt WHERE id = :id"),
                               {"link": link, "digest": digest, "salt": salt, "id": event_id})
    finally:
        opened.dispose()


def _forge(cli: Cli, number: int, new_note: str) -> None:
    """The red team's attack on exchange `number`: the original commitment kept as if erased,
    new text with new salts, and a resealing `member.forget` event."""
    by, note, salt, text_commitment, redaction = query(
        cli.db, f"SELECT recorded_by, note, salt, text_commitment, redaction FROM exchanges WHERE number = {number}")[0]
    original = canonical.parts_commitment((by, note), bytes(salt), canonical.read_redaction(redaction))
    salts = canonical.new_salts((by, new_note))
    forged = canonical.parts_commitment((by, new_note), salts)
    quoted = new_note.replace("'", "''")
    execute_sql(cli.db, f"UPDATE exchanges SET note = '{quoted}', salt = {_blob(cli, salts)}, "
                        f"erased_commitment = {_blob(cli, original)} WHERE number = {number}")
    _append_event(cli.db, "member.forget", 2, {"texts": 1, "resealed": [["exchange", number, forged.hex()]]})


def _blob(cli: Cli, value: bytes) -> str:
    return f"X'{value.hex()}'" if isinstance(cli.db, Path) else f"'\\x{value.hex()}'::bytea"


@pytest.fixture
def lifts(ledger: Cli) -> Cli:
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-02", "--note", "Lifft i'r feddygfa i Llinos")
    ledger.ok("record", "Llinos", "Lowri", "2", "--date", "2026-02-03", "--note", "Garddio")
    return ledger


def test_the_red_team_forgery_of_a_version_2_text_is_caught(lifts: Cli) -> None:
    sealed = _seal(lifts)
    _forge(lifts, 1, "Lifft i'r dafarn i Mallory")
    broken = lifts("check", lang="en")
    assert broken.code == 1 and "Exchange 1 has changed since it was recorded" in broken.out, broken.out
    at_seal = lifts("check", "--seal", sealed, lang="en")
    assert at_seal.code == 1 and "still holds" not in at_seal.out
    welsh = lifts("check", lang="cy")
    assert welsh.code == 1 and "Mae cyfnewidiad 1 wedi newid ers ei gofnodi" in welsh.out


def test_a_word_put_in_where_one_was_taken_out_is_caught(lifts: Cli) -> None:
    """The quieter forgery: take a word out properly, then write another in its place."""
    lifts.ok("member", "add", "Mallory Jones", "--joined", "2026-01-05")
    lifts.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-04", "--note", "Help gan Llinos i Mallory Jones")
    lifts.ok("member", "forget", "Mallory", "--yes")
    assert query(lifts.db, "SELECT note FROM exchanges WHERE number = 3") == [("Help gan Llinos i [erased]",)]
    lifts.ok("check")
    execute_sql(lifts.db, "UPDATE exchanges SET note = 'Help gan Llinos i Gareth' WHERE number = 3")
    broken = lifts("check", lang="en")
    assert broken.code == 1 and "Exchange 3 has changed since it was recorded" in broken.out


def test_words_taken_out_without_an_erasure_are_named_and_a_forged_erasure_is_counted_since_the_seal(
        lifts: Cli) -> None:
    sealed = _seal(lifts)
    by, note, salt = query(lifts.db, "SELECT recorded_by, note, salt FROM exchanges WHERE number = 1")[0]
    # "Lifft i'r feddygfa i Llinos": take out "Llinos" (token 8, the 5th word; the 1st word
    # is who recorded it) the way erasure does.
    tokens = canonical.split(note)
    assert tokens[8] == (True, "Llinos") and canonical.word_count((by, None)) == 1
    word_salt = bytes(salt)[5 * 16:6 * 16]
    redaction = canonical.write_redaction({(1, 8): canonical.word_hash(word_salt, "Llinos")})
    execute_sql(lifts.db, f"UPDATE exchanges SET note = 'Lifft i''r feddygfa i [erased]', "
                          f"salt = {_blob(lifts, bytes(salt)[:80])}, redaction = '{redaction}' WHERE number = 1")
    quiet = lifts("check", lang="en")
    assert quiet.code == 1 and "Exchange 1: 1 word of its text was taken out with no erasure that says so" in quiet.out
    # With an erasure event that lists it, the removal is an erasure: check passes, and the
    # seal says what erasure took out since, never that nothing changed.
    _append_event(lifts.db, "member.forget", 2, {"texts": 1, "erased": [["exchange", 1, 1, 8]]})
    lifts.ok("check")
    at_seal = lifts.ok("check", "--seal", sealed, lang="en")
    assert "still holds exactly" not in at_seal.out
    assert "Erasure since the seal took out 1 part of the text of exchange 1." in at_seal.out, at_seal.out
    welsh = lifts.ok("check", "--seal", sealed, lang="cy")
    assert "Ers y sêl, mae dileu wedi tynnu 1 rhan o destun cyfnewidiad 1." in welsh.out, welsh.out


def test_a_real_erasure_since_the_seal_is_counted(lifts: Cli) -> None:
    sealed = _seal(lifts)
    lifts.ok("member", "forget", "Llinos", "--yes")
    at_seal = lifts.ok("check", "--seal", sealed, lang="en")
    assert "still holds the history sealed as" in at_seal.out and "exactly" not in at_seal.out
    assert "parts of the text of exchange 1, audit event" in at_seal.out, at_seal.out
    # A seal made after the erasure: nothing taken out since.
    assert "still holds exactly" in lifts.ok("check", "--seal", _seal(lifts), lang="en").out


@pytest.fixture
def upgraded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The 0007 fixture (made by the 0007 code: an erasure with resealing, notes) upgraded."""
    target = fresh_db(tmp_path, "old")
    if isinstance(target, Path):
        shutil.copy(FIXTURES / "ledger-0007.sqlite3", target)
    else:
        from test_migrations import _load_fixture

        _load_fixture("0007", target)
    return Cli(target, capsys)


def test_the_forgery_of_a_text_written_before_the_upgrade_is_caught(upgraded: Cli) -> None:
    sealed = _seal(upgraded)
    older = query(upgraded.db, "SELECT min(number) FROM exchanges WHERE note IS NOT NULL "
                               "AND text_commitment IS NOT NULL")[0][0]
    _forge(upgraded, older, "Mallory was here")
    broken = upgraded("check", lang="en")
    assert broken.code == 1 and f"Exchange {older}: its text has changed since it was recorded" in broken.out
    assert upgraded("check", "--seal", sealed).code == 1
    # Rewriting the bound commitment too: the upgrade's event no longer agrees.
    by, salts = "x", canonical.new_salts(("x", "Mallory was here"))
    del by
    forged = canonical.parts_commitment((query(upgraded.db, f"SELECT recorded_by FROM exchanges WHERE number = "
                                                            f"{older}")[0][0], "Mallory was here"), salts)
    execute_sql(upgraded.db, f"UPDATE exchanges SET salt = {_blob(upgraded, salts)}, "
                             f"text_commitment = {_blob(upgraded, forged)} WHERE number = {older}")
    broken = upgraded("check", lang="en")
    assert broken.code == 1 and "are not those its audit event" in broken.out, broken.out


def test_an_old_seal_holds_after_the_upgrade_and_erasure_still_works(upgraded: Cli) -> None:
    old_head = query(upgraded.db, "SELECT link, link_hash FROM audit WHERE action = 'ledger.chain' "
                                  "ORDER BY link LIMIT 1")
    assert old_head
    upgraded.ok("check")
    events = upgraded.json("audit")
    assert [e["details"].get("canonical") for e in events if e["action"] == "ledger.chain"][-1] == 2
    upgraded.ok("member", "forget", "1", "--yes")  # Llŷr: in notes written before the upgrade
    upgraded.ok("check")
    assert not any("Llŷr" in (note or "") for (note,) in query(upgraded.db, "SELECT note FROM exchanges"))
