"""Trust you can show a funder (issue 17): the tamper-evident chain, seals, and what a
person with the file and `sqlite3` (or `psql`) can no longer do unseen."""

from __future__ import annotations

import json
from contextlib import nullcontext

import re
from datetime import datetime
from pathlib import Path

import pytest

from conftest import Cli, dump, execute_sql, query

SEAL = re.compile(r"#(\d+) ([0-9a-f]{16})")


def seal_of(result_text: str) -> str:
    match = SEAL.search(result_text)
    assert match, result_text
    return match.group(0)


@pytest.fixture
def history(ledger: Cli) -> Cli:
    """Three exchanges in February, one in March, and a void."""
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-02", "--note", "Lifft i'r feddygfa")
    ledger.ok("record", "Llinos", "Lowri", "1:30", "--date", "2026-02-10", "--category", "gardening")
    ledger.ok("record", "Lowri", "Siân", "2", "--date", "2026-02-20")
    ledger.ok("record", "Siân", "Lowri", "45m", "--date", "2026-03-03")
    ledger.ok("exchange", "void", "3", "--reason", "Recorded twice")
    return ledger


def links(db: "Path | str") -> list[int]:
    return [link for (link,) in query(db, "SELECT link FROM exchanges UNION ALL SELECT link FROM audit "
                                          "UNION ALL SELECT link FROM record_links ORDER BY 1")]


def test_every_write_is_a_link_and_check_prints_the_seal(history: Cli) -> None:
    chain = links(history.db)
    assert chain == list(range(1, len(chain) + 1))
    result = history.ok("check", lang="en")
    assert "✓ The history is as it was written" in result.out
    seal = seal_of(result.out)
    head = query(history.db, "SELECT link, link_hash FROM audit WHERE link = (SELECT max(link) FROM audit)")[0]
    assert seal == f"#{head[0]} {bytes(head[1]).hex()[:16]}" and head[0] == len(chain)
    assert "Sêl: " + seal in history.ok("check", lang="cy").out


def test_acceptance_1_a_moved_entry_is_named_even_with_every_cache_repaired(history: Cli) -> None:
    """Change one entry's minutes, and repair both members' cached balances and the
    monthly totals, so that every check but the chain passes: check names the exchange."""
    history.ok("check")
    execute_sql(history.db,
                "UPDATE entries SET minutes = 150 WHERE exchange = 2 AND role = 'giver'",
                "UPDATE entries SET minutes = -150 WHERE exchange = 2 AND role = 'receiver'",
                "UPDATE exchanges SET minutes = 150 WHERE number = 2",
                "UPDATE members SET balance_minutes = balance_minutes + 60 WHERE number = 2",
                "UPDATE members SET balance_minutes = balance_minutes - 60 WHERE number = 3",
                "UPDATE month_totals SET minutes = minutes + 60 WHERE month = '2026-02' AND category = 'gardening'")
    for lang, words in (("en", "Exchange 2 has changed since it was recorded"),
                        ("cy", "Mae cyfnewidiad 2 wedi newid ers ei gofnodi")):
        result = history(*["check"], lang=lang)
        assert result.code == 1, result
        assert words in result.out, result.out
        assert result.out.count("✗") == 1  # the sums all agree: only the chain sees it


def test_acceptance_2_deleting_the_newest_exchange_breaks_an_earlier_seal(history: Cli) -> None:
    """Delete the newest exchange and every trace of it consistently: the chain that is
    left is whole, but a seal printed before the deletion no longer holds."""
    sealed = seal_of(history.ok("check").out)
    assert history.ok("check", "--seal", sealed, lang="en").out.count("still holds exactly the history sealed as") == 1
    newest = query(history.db, "SELECT max(number) FROM exchanges")[0][0]
    history.ok("record", "Llinos", "Siân", "3", "--date", "2026-03-05")
    later = seal_of(history.ok("check").out)
    execute_sql(history.db,
                "DELETE FROM audit WHERE exchange = (SELECT max(number) FROM exchanges)",
                "UPDATE members SET balance_minutes = balance_minutes - 180 WHERE number = 2",
                "UPDATE members SET balance_minutes = balance_minutes + 180 WHERE number = 1",
                "UPDATE month_totals SET exchanges = exchanges - 1, minutes = minutes - 180 "
                "WHERE month = '2026-03' AND category = 'other'",
                "DELETE FROM entries WHERE exchange = (SELECT max(number) FROM exchanges)",
                "DELETE FROM exchanges WHERE number = (SELECT max(number) FROM exchanges)")
    assert query(history.db, "SELECT max(number) FROM exchanges")[0][0] == newest
    history.ok("check")                                  # what is left is consistent...
    history.ok("check", "--seal", sealed)                # ...and still holds the older seal
    for lang, words in (("en", "the ledger's history ends at link"), ("cy", "daw hanes y cyfriflyfr i ben")):
        result = history("check", "--seal", later, lang=lang)
        assert result.code == 1 and words in result.out + result.err, result


def test_acceptance_3_changing_who_made_an_event_is_named(history: Cli) -> None:
    event = query(history.db, "SELECT id FROM audit WHERE action = 'member.add' ORDER BY id LIMIT 1")[0][0]
    execute_sql(history.db, f"UPDATE audit SET \"by\" = 'mallory' WHERE id = {event}")
    for lang, words in (("en", f"Audit event {event} (member.add) has changed since it was recorded"),
                        ("cy", f"Mae digwyddiad archwilio {event} (member.add) wedi newid ers ei gofnodi")):
        result = history("check", lang=lang)
        assert result.code == 1 and words in result.out, result.out


def test_the_first_broken_link_is_named_first_and_each_change_once(history: Cli) -> None:
    execute_sql(history.db, "UPDATE exchanges SET note = 'nothing to see' WHERE number = 4",
                "UPDATE exchanges SET recorded_by = 'mallory' WHERE number = 1")
    out = history("check", lang="en").out
    chain = out[out.index("The history is as it was written"):]
    assert chain.index("Exchange 1 ") < chain.index("Exchange 4 ")
    assert chain.count("has changed since it was recorded") == 2


def test_rows_written_behind_timebanks_back_are_named(history: Cli) -> None:
    execute_sql(history.db, "INSERT INTO audit (at, \"by\", action, details) VALUES "
                            "('2026-03-01 10:00:00', 'mallory', 'member.add', '{}')")
    result = history("check", lang="en")
    assert result.code == 1 and "is not on the chain" in result.out
    # ...and the next write does not launder it into the chain.
    history.ok("record", "Siân", "Llinos", "1", "--date", "2026-03-06")
    assert "is not on the chain" in history("check", lang="en").out


def test_a_deleted_link_in_the_middle_is_named(history: Cli) -> None:
    execute_sql(history.db, "DELETE FROM audit WHERE id = (SELECT min(id) FROM audit WHERE action = 'member.add')")
    out = history("check", lang="en").out
    assert "of the chain is missing: an exchange or audit event was deleted" in out


def test_seals_in_other_spellings_and_wrong_seals(history: Cli) -> None:
    sealed = seal_of(history.ok("check").out)
    number, digits = sealed[1:].split()
    for spelling in (f"{number} {digits[:4]} {digits[4:8]} {digits[8:12]} {digits[12:]}",
                     f"#{number} {digits[:8]}…{digits[-8:]}", f"#{number} {digits[:8]}...{digits[-8:]}",
                     f"#{number} {digits.upper()}"):
        history.ok("check", "--seal", spelling)
    # Fewer than the 16 digits printed prove too little (8 were ground to match in minutes):
    # refused with a line saying why, in the reader's language.
    for short in (f"#{number} {digits[:8]}", f"#{number} {digits[:15]}", f"#{number} {digits[:4]}…{digits[-4:]}"):
        for lang, words in (("en", "a seal needs all 16"), ("cy", "mae sêl angen y 16")):
            result = history("check", "--seal", short, lang=lang)
            assert result.code == 1 and words in result.err and len(result.err.strip().splitlines()) == 1, result
    wrong = f"#{number} {'0' if digits[0] != '0' else '1'}{digits[1:]}"
    result = history("check", "--seal", wrong, lang="en")
    assert result.code == 1 and "does not match" in result.out
    before = dump(history.db)
    for bad in ("nonsense", "#12", "#12 3f9a", "#12 3f9a…c2", "3f9a2b71c0de55c2", "", "#0 3f9a2b71c0de55c2"):
        result = history("check", "--seal", bad, lang="cy")
        assert result.code == 1 and len(result.err.strip().splitlines()) == 1, (bad, result)
        assert "nid yw'n sêl" in result.err or "mae sêl angen y 16" in result.err, result.err
    assert dump(history.db) == before


def test_the_monthly_report_and_the_journal_carry_seals(history: Cli) -> None:
    """A report carries the seal of the history it was made from (the chain's last link), and
    `--seal` makes the same report again from that history after later writes."""
    february = history.json("report", "monthly", "--month", "2026-02")
    assert february["seal"] == seal_of(history.ok("check").out)
    table = history.ok("report", "monthly", "--month", "2026-02", lang="en").out
    assert f"Seal of the history these figures were made from: {february['seal']}" in table
    assert february["seal"] in history.ok("report", "monthly", "--month", "2026-02", lang="cy").out
    journal = history.ok("journal").out
    assert f"; seal: {seal_of(history.ok('check').out)}" in journal.splitlines()[1]
    # A later write, back-dated into February: the report moves, the seal makes it again.
    history.ok("record", "Siân", "Llinos", "1", "--date", "2026-02-10")
    assert history.json("report", "monthly", "--month", "2026-02") != february
    assert history.json("report", "monthly", "--month", "2026-02", "--seal", february["seal"]) == february
    history.ok("check", "--seal", february["seal"])
    execute_sql(history.db, "UPDATE exchanges SET note = 'Lifft i Ben-y-bont' WHERE number = 1")
    assert history("check", "--seal", february["seal"]).code == 1


def test_erasure_keeps_the_chain_whole_and_a_later_change_to_erased_text_is_named(history: Cli) -> None:
    """Acceptance 4: forget a member with notes and edits; the chain still verifies, the
    old text and salt are gone; then a change to the erased text is caught."""
    history.ok("member", "add", "Gwenllïan Unigryw", "--email", "gwen.u@example.org", "--phone", "07700 900123",
               "--note", "Yn hoffi pysgota", "--joined", "2026-01-05")
    history.ok("member", "edit", "Gwenllïan", "--name", "Gwenllïan Newydd", "--note", "Alergedd i gathod")
    history.ok("record", "Gwenllïan", "Siân", "1", "--date", "2026-03-04", "--note", "Help i Gwenllïan Newydd")
    history.ok("record", "Siân", "Llinos", "1", "--date", "2026-03-05", "--note", "gyda Gwenllïan Unigryw",
               "--by", "Gwenllïan Newydd")
    sealed = seal_of(history.ok("check").out)
    salts_before = {bytes(s[i:i + 16]) for (s,) in query(history.db, "SELECT salt FROM exchanges UNION ALL "
                                                                      "SELECT salt FROM audit")
                    for i in range(0, len(s), 16)}
    history.ok("member", "forget", "Gwenllïan", "--yes")
    history.ok("check")
    history.ok("check", "--seal", sealed)  # the history up to then still verifies
    stored = repr(dump(history.db))
    for secret in ("Unigryw", "Newydd", "gwen.u", "900123", "pysgota", "gathod"):
        assert secret not in stored, secret
    changed = query(history.db, "SELECT salt, redaction FROM exchanges WHERE redaction IS NOT NULL UNION ALL "
                                "SELECT salt, redaction FROM audit WHERE redaction IS NOT NULL")
    assert len(changed) >= 4
    salts_after = {bytes(s[i:i + 16]) for (s, _r) in query(history.db, "SELECT salt, 1 FROM exchanges UNION ALL "
                                                                        "SELECT salt, 1 FROM audit")
                   for i in range(0, len(s), 16)}
    taken_out = sum(1 for (_s, r) in changed for _f, _i, part in json.loads(r) if re.fullmatch("[0-9a-f]{64}", part))
    # The salts of the words taken out are gone; every other salt is as it was.
    assert len(salts_before - salts_after) == taken_out
    if isinstance(history.db, Path):
        raw = b"".join(p.read_bytes() for p in history.db.parent.glob(history.db.name + "*"))
        for secret in ("Unigryw", "Newydd", "gwen.u", "900123"):
            assert secret.encode() not in raw, secret
    execute_sql(history.db, "UPDATE exchanges SET note = 'Help i [erased] a Mallory' WHERE redaction "
                            "IS NOT NULL AND note LIKE 'Help i%'")
    result = history("check", lang="en")
    assert result.code == 1 and "has changed since it was recorded" in result.out


def test_amounts_have_the_same_limits_on_both_databases(ledger: Cli, tmp_path: Path) -> None:
    """Red-team 20: 100,000 hours to each of 358 receivers overflowed PostgreSQL's INTEGER."""
    ledger.ok("settings", "set", "max_hours", "100000")
    ledger.ok("settings", "set", "credit_limit", "")
    sheet = tmp_path / "many.csv"
    sheet.write_text("name,joined\n" + "".join(f"Derbynnydd {n},2026-01-05\n" for n in range(358)), encoding="utf-8")
    ledger.ok("import", "members", str(sheet))
    receivers = [arg for n in range(4, 362) for arg in ("--receiver", str(n))]
    ledger.ok("record", "--giver", "1", *receivers, "--hours", "100000", "--date", "2026-02-01")
    ledger.ok("record", "--giver", "1", *receivers, "--hours", "100000", "--date", "2026-02-02")
    giver = 100_000 * 60 * 358 * 2
    assert giver > 2**31
    assert ledger.json("balance", "1")[0]["balance_minutes"] == giver
    assert ledger.json("report", "monthly", "--month", "2026-02")["minutes_exchanged"] == giver
    assert ledger.json("member", "show", "1")["balance_minutes"] == giver
    ledger.ok("exchange", "void", "2", "--reason", "too much")
    assert ledger.json("balance", "1")[0]["balance_minutes"] == giver // 2
    ledger.ok("check")


def test_canonical_form_is_as_documented() -> None:
    """The bytes of a link, as an outside verifier would compute them from the docstring."""
    import hashlib

    from timebank.ledger.integrity import canonical
    salt = bytes(range(16))
    committed = canonical.commitment(salt, ("Siân", None))
    assert committed == hashlib.sha256(salt + '["Siân",null]'.encode()).digest()
    content = canonical.exchange_content(7, 3, "2026-02-02", "transport", 90, None, "2026-11-24T10:00:00",
                                         [(2, "receiver", "2026-02-02", -90), (1, "giver", "2026-02-02", 90)],
                                         committed, version=1)
    assert content == ('[1,7,"exchange",3,"2026-02-02","transport",90,null,"2026-11-24T10:00:00",'
                       '[[1,"giver","2026-02-02",90],[2,"receiver","2026-02-02",-90]],"' + committed.hex()
                       + '"]').encode()
    assert canonical.audit_content(8, 5, canonical.moment_text(datetime(2026, 11, 24, 10, 0, 0, 5)),
                                   "exchange.void", None, 3, committed, version=1) == (
        '[1,8,"audit",5,"2026-11-24T10:00:00.000005","exchange.void",null,3,"' + committed.hex() + '"]').encode()
    # NFC: a decomposed name commits as the composed one.
    assert canonical.commitment(salt, ("Sia\u0302n", None)) == committed
    assert canonical.link_hash(canonical.GENESIS, content) == hashlib.sha256(bytes(32) + content).digest()
    assert canonical.string('a"b\\c\n') == '"a\\"b\\\\c\\n"'


def test_canonical_form_version_2_is_as_documented() -> None:
    """Version 2: each word of the text committed with its own salt, separators as they are."""
    import hashlib

    from timebank.ledger.integrity import canonical
    salts = bytes(range(16)) + bytes(range(16, 32)) + bytes(range(32, 48))
    word = [hashlib.sha256(salts[i * 16:i * 16 + 16] + w.encode()).hexdigest() for i, w in
            enumerate(("Siân", "Lifft", "O’Brien"))]
    committed = canonical.parts_commitment(("Siân", "Lifft, O’Brien"), salts)
    assert committed == hashlib.sha256(f'[["{word[0]}"],["{word[1]}",", ","{word[2]}"]]'.encode()).digest()
    assert canonical.parts_commitment(("Sia\u0302n", "Lifft, O’Brien"), salts) == committed  # NFC
    # A word taken out: its text is the mark, its salt gone, its hash kept -- the same commitment.
    erased = {(1, 2): word[2]}  # "Lifft", ", ", "O’Brien": its third token
    assert canonical.parts_commitment(("Siân", "Lifft, [erased]"), salts[:32], erased) == committed
    for wrong in (("Siân", "Lifft, Mallory"), ("Siân", "Lifft; [erased]")):
        with pytest.raises(canonical.Unfit) if "Mallory" in wrong[1] else nullcontext():
            assert canonical.parts_commitment(wrong, salts[:32], erased) != committed
    content = canonical.exchange_content(7, 3, "2026-02-02", "transport", 90, None, "2026-11-24T10:00:00",
                                         [(2, "receiver", "2026-02-02", -90), (1, "giver", "2026-02-02", 90)],
                                         committed)
    assert content.startswith(b'[2,7,"exchange",3,')
    for text in ("a \\n b", 'x{"k": "Se\\u00e1n"}', "[erased]] [[", "\\", "–—"):
        assert "".join(token for _w, token in canonical.split(text)) == text
    # The writer's one-pass path gives the reference bytes.
    for personal in (("Siân", None), ("coordinator", 'Ольга Петрова\n{"a": "b"}'), ("x", ""), ("محمد الحسن", "–")):
        committed, salts = canonical.commit_new(personal)
        assert canonical.parts_commitment(personal, salts) == committed
        assert len(salts) == 16 * canonical.word_count(personal)


def test_the_write_path_and_the_check_make_the_reference_bytes() -> None:
    """The chain writer and `check` fill the canonical templates themselves, for speed:
    they must give the bytes of `canonical.exchange_content`, for the common exchange and
    for a group one in any order."""
    from datetime import date as day

    from timebank.ledger.integrity import canonical
    from timebank.ledger.integrity.chain import ChainWriter

    salt = bytes(32)  # a salt for each word: "Siân", "Lifft"
    for entries in ([(1, "giver", day(2026, 2, 2), 90), (2, "receiver", day(2026, 2, 2), -90)],
                    [(3, "receiver", day(2026, 2, 2), -30), (1, "giver", day(2026, 2, 2), 60),
                     (2, "receiver", day(2026, 2, 2), -30)]):
        writer = ChainWriter(None)  # type: ignore[arg-type]
        writer._head = (6, bytes(range(32)))
        link, digest, _salt = writer.exchange(3, day(2026, 2, 2), "trafnidiaeth", 30 if len(entries) == 3 else 90,
                                              None, datetime(2026, 11, 24, 10, 0), entries, "Siân", "Lifft",
                                              salt=salt)
        expected = canonical.exchange_content(
            7, 3, "2026-02-02", "trafnidiaeth", 30 if len(entries) == 3 else 90, None, "2026-11-24T10:00:00",
            [(m, r, d.isoformat(), a) for m, r, d, a in entries], canonical.parts_commitment(("Siân", "Lifft"), salt))
        assert link == 7 and digest == canonical.link_hash(bytes(range(32)), expected)
