"""Exchanges: a month's list, filtered by member or category; void with a reason after a
y/N question."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from timebank.i18n import N_
from timebank.ledger import actions
from timebank.ledger.basics.dates import add_months, month_end, today
from timebank.ledger.queries import ExchangeRow
from timebank.render import views
from timebank.ledger import queries
from timebank.ui.base import Ask, Notice, Page, Question, attempt
from timebank.ui.draw import PickList, fill

SHOWN = 500   # the latest exchanges of a busy month (a ledger of a million has 28,000 a month); a filter finds the rest


class ExchangeList(PickList):
    BINDINGS = [Binding("v", "screen.void", N_("Void")),
                Binding("left_square_bracket", "screen.month(-1)", N_("Month"), key_display="[ ]"),
                Binding("right_square_bracket", "screen.month(1)", N_("Month"), show=False),
                Binding("a", "screen.voided", N_("Voided too"))]


class Exchanges(Page):
    AUTO_FOCUS = "ExchangeList"
    BINDINGS = [Binding("escape", "filters", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.month = today().replace(day=1)
        self.include_void = False
        self.rows: dict[str, ExchangeRow] = {}

    def compose(self) -> ComposeResult:
        words = self.words
        yield Static(id="title", classes="title")
        with Horizontal(classes="filters"):
            yield Label(words._("Member"))
            yield Input(id="member", compact=True, placeholder=words._("everyone"))
            yield Label(words._("Category"))
            yield Input(id="category", compact=True, placeholder=words._("every category"))
        yield Static(id="exchanges-head", classes="list-head")
        yield ExchangeList(id="exchanges")
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        words, notice = self.words, self.query_one(Notice)
        member = self.query_one("#member", Input).value.strip() or None
        category = self.query_one("#category", Input).value.strip() or None
        last = min(month_end(self.month), max(today(), self.month))
        # One more than is shown, to know whether there are more.
        rows = attempt(words, notice, lambda: self.read(last, member, category))
        if rows is None:
            return
        latest = rows[::-1][:SHOWN]
        self.rows = {str(r.number): r for r in latest}
        fill(self.query_one("#exchanges-head", Static), self.query_one(ExchangeList),
             views.exchanges(latest, self.include_void), words, max(self.app.size.width - 4, 40), key="number")
        title = words._("Exchanges in {month}").format(month=words.month(self.month))
        if len(rows) > SHOWN:
            title += ": " + words._("the latest {shown} shown").format(shown=SHOWN)
        else:
            title += ": " + words.ngettext("{count} exchange", "{count} exchanges", len(rows)).format(count=len(rows))
        self.query_one("#title", Static).update(Text(title))

    def read(self, last: date, member: str | None, category: str | None) -> list[ExchangeRow]:
        # One more than is shown, to know whether there are more.
        with queries.exchanges(self.ledger, member=member, start=self.month, end=last, category=category,
                               include_void=self.include_void, latest=SHOWN + 1, lang=self.words.lang) as rows:
            return list(rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(Notice).clear()
        self.reload()
        self.query_one(ExchangeList).focus()

    def action_filters(self) -> None:
        """Esc: from the list to the filters, and from a filter back to the list."""
        listed = self.query_one(ExchangeList)
        if listed.has_focus:
            self.query_one("#member", Input).focus()
        else:
            listed.focus()

    def action_month(self, step: int) -> None:
        month = add_months(self.month, step)
        if month > today():
            return
        self.month = month
        self.reload()

    def action_voided(self) -> None:
        self.include_void = not self.include_void
        self.reload()

    def chosen(self) -> ExchangeRow | None:
        return self.rows.get(self.query_one(ExchangeList).chosen or "")

    def action_void(self) -> None:
        row = self.chosen()
        if row is None:
            return
        words = self.words
        self.ask(Ask(words._("Why is exchange {number} being voided?").format(number=row.number), words),
                             lambda reason: self._confirm(row, reason))

    def _confirm(self, row: ExchangeRow, reason: str | None) -> None:
        if reason is None:
            return
        words = self.words
        self.ask(Question(words._("Void exchange {number}?").format(number=row.number), words),
                             lambda yes: self._void(row, reason, bool(yes)))

    def _void(self, row: ExchangeRow, reason: str, yes: bool) -> None:
        words, notice = self.words, self.query_one(Notice)
        if not yes:
            notice.say(words._("Nothing was voided."), error=True)
            return
        reversal = attempt(words, notice, lambda: actions.void(self.ledger, self.by, row.number, reason))
        if reversal is not None:
            notice.say(words._("Voided exchange {number}: its reversal is exchange {reversal}.").format(
                number=row.number, reversal=reversal))
            self.reload()


__all__ = ["Exchanges"]
