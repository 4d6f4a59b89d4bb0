"""Partner banks as lists and reports: `partner list` and `partner statement` (reconciliation)."""

from __future__ import annotations

from typing import Any

from timebank.i18n import N_, Words
from timebank.render.sheet import (BOOL, CATEGORY, CODE, CSV, DATE, DATETIME, INT, JSON, MINUTES, SAY, SIGNED, TABLE,
                                   TEXT, Field, Line, Report, Say, Sheet, col, signed_hours)
from timebank.render.views import _say, plural


def partners(rows: list) -> Sheet:
    """Each partner bank: its code, name, limit, when the partnership began (and ended), this
    ledger's balance of trade with it, its members who traded here and the trades that count."""
    return Sheet([col("code", N_("Code"), CODE), col("name", N_("Name"), wrap=True),
                  col("balance_minutes", kind=MINUTES, only=[JSON, CSV]),
                  col("balance", N_("Balance (hours)"), SIGNED, only=[TABLE], source="balance_minutes"),
                  col("limit_minutes", N_("Limit (hours)"), MINUTES, none=N_("none")),
                  col("joined", N_("Since"), DATE), col("left", N_("Left"), DATE),
                  col("members", N_("Their members"), INT), col("trades", N_("Trades"), INT)],
                 [{"code": p.code, "name": p.name, "balance_minutes": p.balance_minutes,
                   "limit_minutes": p.limit_minutes, "joined": p.joined, "left": p.left, "members": p.accounts,
                   "trades": p.trades} for p in rows],
                 title=_say(N_("Partner banks")),
                 empty=_say(N_("No partner banks yet: 'timebank partner add NAME --code CODE' adds one.")))


def _balance_line(statement: Any) -> Say:
    def say(w: Words) -> str:
        minutes = statement.balance_minutes
        if minutes > 0:
            return w._("Balance with {name}: {hours} hours (this time bank owes {name} the hours).").format(
                name=statement.name, hours=signed_hours(minutes))
        if minutes < 0:
            return w._("Balance with {name}: {hours} hours ({name} owes this time bank the hours).").format(
                name=statement.name, hours=signed_hours(minutes))
        return w._("Balance with {name}: 0.00 hours (even).").format(name=statement.name)
    return say


def _files_line(statement: Any) -> Say:
    def say(w: Words) -> str:
        sent = (w._("Last file sent {moment}").format(moment=w.date(statement.last_sent.date()))
                if statement.last_sent else w._("No file sent yet"))
        received = (w._("last file taken made {moment}").format(moment=w.date(statement.last_received.date()))
                    if statement.last_received else w._("no file taken yet"))
        return sent + "; " + received + "."
    return say


def _status(trade: Any) -> Say:
    def say(w: Words) -> str:
        status = w._("voided, no longer counts") if trade.void else w._("counts")
        return status if trade.confirmed else status + " · " + w._("not confirmed")
    return say


def partner_statement(statement: Any) -> Report:
    """`partner statement CODE`. JSON: {code, name, limit_minutes, left, balance_minutes,
    last_sent, last_sent_sha256, last_received, last_received_sha256, trades: [{trade,
    exchange, date, minutes, category, ours, void, confirmed}], unconfirmed_by_partner,
    unconfirmed_here}; CSV: a row a trade."""
    rows = [{"trade": t.trade, "exchange": t.exchange, "date": t.on, "minutes": t.minutes, "category": t.category,
             "ours": t.ours, "void": t.void, "confirmed": t.confirmed, "status": _status(t)}
            for t in statement.trades]
    trades = Sheet([col("trade", N_("Trade"), CODE), col("exchange", N_("Exchange"), INT),
                    col("date", N_("Date"), DATE), col("minutes", kind=MINUTES, only=[JSON, CSV]),
                    col("hours", N_("Hours"), SIGNED, only=[TABLE], source="minutes"),
                    col("category", N_("Category"), CATEGORY),
                    col("ours", N_("Recorded here"), BOOL), col("void", N_("Void"), CODE, none=""),
                    col("confirmed", kind=BOOL, only=[JSON, CSV]),
                    col("status", N_("Status"), SAY, only=[TABLE], wrap=True)],
                   rows, key="trades", title=_say(N_("Trades")), empty=_say(N_("No trades with this bank yet.")))
    parts: list[Any] = [
        Field("code", statement.code, CODE), Field("name", statement.name, TEXT),
        Field("limit_minutes", statement.limit_minutes, INT), Field("left", statement.left, DATE),
        Field("balance_minutes", statement.balance_minutes, INT),
        Field("last_sent", statement.last_sent, DATETIME), Field("last_sent_sha256", statement.last_sent_hash, CODE),
        Field("last_received", statement.last_received, DATETIME),
        Field("last_received_sha256", statement.last_received_hash, CODE),
        Line(_say(N_("Partner bank {name} ({code})"), name=statement.name, code=statement.code), bold=True),
        Line(_balance_line(statement)),
        Line(_files_line(statement)),
        trades,
        Field("unconfirmed_by_partner", statement.unconfirmed_by_partner,
              line=_unconfirmed(statement.unconfirmed_by_partner, statement.name, mine=True)),
        Field("unconfirmed_here", statement.unconfirmed_here,
              line=_unconfirmed(statement.unconfirmed_here, statement.name, mine=False)),
    ]
    return Report(parts, csv=trades)


def _unconfirmed(ids: list[str], name: str, *, mine: bool) -> Say:
    if not ids:
        return (_say(N_("{name} has confirmed every trade held here."), name=name) if mine else
                _say(N_("Every trade {name} holds has been sent back to it."), name=name))
    shown = ", ".join(ids[:20]) + (" …" if len(ids) > 20 else "")
    if mine:
        return plural("Not yet in a file from {name}: {count} trade: {ids}",
                      "Not yet in a file from {name}: {count} trades: {ids}", len(ids),
                      name=name, ids=shown)
    return plural("Held by {name} but not in a file sent to it yet: {count} trade: {ids}",
                  "Held by {name} but not in a file sent to it yet: {count} trades: {ids}", len(ids),
                  name=name, ids=shown)
