"""Offers, requests and matching (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, dump, fresh_db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> "Path | str":
    from timebank.cli.main import run

    path = fresh_db(tmp_path_factory.mktemp("demo"), "demo")
    assert run(["--db", str(path), "--lang", "en", "demo"]) == 0
    return path


def test_match_puts_local_gardeners_first_and_skips_leavers(demo_db: "Path | str",
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    demo = Cli(demo_db, capsys)
    requests = [r for r in demo.json("request", "list", "--category", "gardening") if r["area"] == "CF32"]
    assert requests, "the demo has an open gardening request in CF32"
    found = demo.json("match", str(requests[0]["id"]))
    assert found
    left = {m["number"] for m in demo.json("member", "list", "--left")}
    assert not left & {m["number"] for m in found}
    offers = demo.json("offer", "list", "--category", "gardening", "--closed")
    assert any(o["closed_because"] == "left" and o["area"] == "CF32" for o in offers)
    areas = [m["area"] == "CF32" for m in found]
    assert areas[0] and areas == sorted(areas, reverse=True)
    local = [m for m in found if m["area"] == "CF32"]
    assert len(local) >= 2
    assert [m["last_given"] or "" for m in local] == sorted(m["last_given"] or "" for m in local)
    assert all(m["why"] and "CF32" in m["why"] for m in local)
    assert requests[0]["member"] not in {m["number"] for m in found}
    by_category = demo.json("match", "--category", "gardening", "--area", "CF32")
    assert [m["number"] for m in by_category if m["area"] == "CF32"]


def test_request_met_and_monthly_figures(ledger: Cli) -> None:
    ledger.ok("settings", "set", "credit_limit", "")
    ledger.ok("member", "edit", "Siân", "--area", "CF32")
    ledger.ok("offer", "add", "Siân", "gardening", "--date", "2026-02-01")
    # Requests: one made in February and met in March after 10 days, one made and met in
    # March after 4 days, one made in March and still open, one made in March and removed.
    ledger.ok("request", "add", "Llinos", "gardening", "--date", "2026-02-25")   # 2
    ledger.ok("request", "add", "Lowri", "gardening", "--date", "2026-03-02")    # 3
    ledger.ok("request", "add", "Llinos", "shopping", "--date", "2026-03-10")    # 4
    ledger.ok("request", "add", "Lowri", "transport", "--date", "2026-03-12")    # 5
    ledger.ok("record", "Siân", "Llinos", "2", "--date", "2026-03-07", "--request", "2")
    ledger.ok("record", "Siân", "Lowri", "1", "--date", "2026-03-06", "--request", "3")
    ledger.ok("request", "remove", "5")
    march = ledger.json("report", "monthly", "--month", "2026-03")
    assert (march["requests_opened"], march["requests_met"], march["requests_open"],
            march["median_days_to_meet"]) == (3, 2, 2, 7)
    feb = ledger.json("report", "monthly", "--month", "2026-02")
    assert (feb["requests_opened"], feb["requests_met"], feb["requests_open"], feb["median_days_to_meet"]) == \
        (1, 0, 1, None)
    exchanges = ledger.json("exchange", "list")
    assert exchanges[0]["category"] == "gardening"  # taken from the request
    assert [r["id"] for r in ledger.json("request", "list")] == [4]
    ledger.ok("exchange", "void", "1", "--reason", "wrong member")
    assert sorted(r["id"] for r in ledger.json("request", "list")) == [2, 4]
    ledger.ok("check")


@pytest.mark.parametrize("args", [
    ["offer", "add", "Nobody", "gardening"],
    ["offer", "add", "Siân", "juggling"],
    ["offer", "add", "#0", "gardening"],
    ["offer", "add", "Gwyn", "gardening"],
    ["offer", "add", "Siân", "gardening"],
    ["offer", "remove", "99"],
    ["request", "remove", "1"],
    ["match"],
    ["match", "1", "--category", "gardening"],
    ["match", "99"],
    ["record", "Siân", "Lowri", "1", "--request", "2"],
    ["record", "Siân", "Llinos", "1", "--request", "1"],
    ["request", "add", "Llinos", "gardening", "--date", "2999-01-01"],
])
def test_listing_refusals(ledger: Cli, args: list[str]) -> None:
    ledger.ok("member", "add", "Gwyn", "--joined", "2026-01-05")
    ledger.ok("member", "leave", "Gwyn")
    ledger.ok("offer", "add", "Siân", "gardening")
    ledger.ok("request", "add", "Llinos", "gardening")
    before = dump(ledger.db)
    for lang in ("en", "cy"):
        result = ledger(*args, lang=lang)
        assert result.code in (1, 2) and "Traceback" not in result.err, (args, result)
        assert len(result.err.strip().splitlines()) in (1, 4), result.err
    assert dump(ledger.db) == before


def test_leaving_and_forgetting_close_listings(ledger: Cli) -> None:
    ledger.ok("offer", "add", "Lowri", "diy", "--note", "Lowri ap Rhys fixes shelves")
    ledger.ok("request", "add", "Lowri", "transport")
    ledger.ok("offer", "add", "Siân", "diy")
    ledger.ok("member", "leave", "Lowri")
    assert [o["member"] for o in ledger.json("offer", "list")] == [1]
    ledger.ok("member", "forget", "Lowri", "--yes")
    closed = ledger.json("offer", "list", "--closed")
    assert {o["closed_because"] for o in closed if o["member"] == 3} == {"left"}
    assert "Lowri ap Rhys" not in repr(dump(ledger.db))
