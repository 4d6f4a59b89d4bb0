"""The first page: this month at a glance, who to ring, and the open requests."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from timebank.ledger.dates import today
from timebank.ledger.hours import format_hours
from timebank.render import views
from timebank.ui import reading
from timebank.ui.base import Notice, Page, attempt
from timebank.ui.draw import fill_table


class Home(Page):
    _requests: dict = {}

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title")
        with VerticalScroll():
            yield Static(id="figures")
            yield Static(id="ring-title", classes="heading")
            yield DataTable(id="ring", cursor_type="row", zebra_stripes=True)
            yield Static(id="requests-title", classes="heading")
            yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        words = self.words
        day = today()
        seen = attempt(words, self.query_one(Notice), lambda: reading.glance(self.ledger, words.lang, day))
        if seen is None:
            return
        self._requests = {str(r.id): r for r in seen.open_requests}
        month = seen.month
        title = words._("{name}: {month} so far").format(name=seen.name or words._("Time bank"),
                                                          month=words.month(month.month))
        self.query_one("#title", Static).update(Text(title))
        figures = [
            words.ngettext("{count} exchange", "{count} exchanges", month.exchanges).format(count=month.exchanges),
            words._("Hours exchanged: {hours}").format(hours=format_hours(month.minutes_exchanged)),
            words.ngettext("{count} member active", "{count} members active", month.members_active).format(
                count=month.members_active)]
        self.query_one("#figures", Static).update(Text("  " + "  ·  ".join(figures)))
        width = max(self.app.size.width - 4, 40)
        ring = views.inactive(seen.to_ring, reading.RING_AFTER_DAYS)
        self.query_one("#ring-title", Static).update(Text(ring.title(words) if ring.title else ""))
        count = fill_table(self.query_one("#ring", DataTable), ring, words, width, key="number")
        if not count and ring.empty is not None:
            self.query_one("#ring-title", Static).update(Text(ring.empty(words)))
        requests = views.listings("request", seen.open_requests, False)
        self.query_one("#requests-title", Static).update(Text(words.ngettext(
            "{count} open request", "{count} open requests", len(seen.open_requests)).format(
            count=len(seen.open_requests))))
        fill_table(self.query_one("#requests", DataTable), requests, words, width, key="id")
        self.query_one("#ring", DataTable).display = bool(count)
        self.query_one("#requests", DataTable).display = bool(seen.open_requests)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on someone to ring (or on a request's member) opens their page."""
        if event.data_table.id == "ring" and event.row_key.value is not None:
            self.app.open_member(int(event.row_key.value))  # type: ignore[attr-defined]
        elif event.data_table.id == "requests" and event.row_key.value is not None:
            request = self._requests.get(event.row_key.value)
            if request is not None:
                self.app.open_member(request.member)  # type: ignore[attr-defined]

