"""The first page: this month at a glance, who to ring, and the open requests."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from timebank.ledger.basics.dates import today
from timebank.ledger.basics.hours import format_hours
from timebank.render import views
from timebank.ledger import queries
from timebank.ui.base import Notice, Page, attempt
from timebank.ui.draw import PickList, fill


class Home(Page):
    AUTO_FOCUS = "#ring"
    _requests: dict = {}

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title")
        with VerticalScroll(can_focus=False):
            yield Static(id="figures")
            yield Static(id="ring-title", classes="heading")
            yield Static(id="ring-head", classes="list-head")
            yield PickList(id="ring")
            yield Static(id="requests-title", classes="heading")
            yield Static(id="requests-head", classes="list-head")
            yield PickList(id="requests")
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        """The title at once; the month's figures and the lists from a read in the background
        (on a ledger of a million exchanges the page is there before they are)."""
        words = self.words
        day = today()
        name = attempt(words, self.query_one(Notice), lambda: queries.name(self.ledger))
        if name is None:
            return
        title = words._("{name}: {month} so far").format(name=name or words._("Time bank"),
                                                          month=words.month(day.replace(day=1)))
        self.query_one("#title", Static).update(Text(title))
        self.read_in_background(lambda: queries.glance(self.ledger, words.lang, day), self.show)

    def show(self, seen: queries.Glance) -> None:
        words = self.words
        self._requests = {str(r.id): r for r in seen.open_requests}
        month = seen.month
        figures = [
            words.ngettext("{count} exchange", "{count} exchanges", month.exchanges).format(count=month.exchanges),
            words._("Hours exchanged: {hours}").format(hours=format_hours(month.minutes_exchanged)),
            words.ngettext("{count} member active", "{count} members active", month.members_active).format(
                count=month.members_active)]
        self.query_one("#figures", Static).update(Text("  " + "  ·  ".join(figures)))
        width = max(self.app.size.width - 4, 40)
        ring = views.inactive(seen.to_ring, queries.RING_AFTER_DAYS)
        self.query_one("#ring-title", Static).update(Text(ring.title(words) if ring.title else ""))
        count = fill(self.query_one("#ring-head", Static), self.query_one("#ring", PickList), ring, words, width,
                     key="number")
        if not count and ring.empty is not None:
            self.query_one("#ring-title", Static).update(Text(ring.empty(words)))
        requests = views.listings("request", seen.open_requests, False)
        self.query_one("#requests-title", Static).update(Text(words.ngettext(
            "{count} open request", "{count} open requests", len(seen.open_requests)).format(
            count=len(seen.open_requests))))
        fill(self.query_one("#requests-head", Static), self.query_one("#requests", PickList), requests, words, width,
             key="id")
        for key, shown in (("ring", bool(count)), ("requests", bool(seen.open_requests))):
            self.query_one(f"#{key}", PickList).display = shown
            self.query_one(f"#{key}-head", Static).display = shown

    def on_pick_list_picked(self, event: PickList.Picked) -> None:
        """Enter on someone to ring (or on a request's member) opens their page."""
        if event.picklist.id == "ring":
            self.app.open_member(int(event.key))  # type: ignore[attr-defined]
        elif event.picklist.id == "requests":
            request = self._requests.get(event.key)
            if request is not None:
                self.app.open_member(request.member)  # type: ignore[attr-defined]

