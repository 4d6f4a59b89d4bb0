"""Members: search as you type, a member's page, and editing, leaving and rejoining."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from timebank.i18n import N_, Words
from timebank.ledger import actions
from timebank.ledger.basics.dates import today
from timebank.ledger.basics.hours import format_hours
from timebank.ledger.queries import MemberSearch
from timebank.ledger.basics.names import member_name
from timebank.render import views
from timebank.render.sheet import Line, Report, member_words
from timebank.ledger import queries
from timebank.ui.base import Ask, Guarded, KeyBar, Notice, Page, Question, attempt, translate_bindings
from timebank.ui.draw import PickList, TextView, fill, report_lines

# A search shows at most this many members: typing more of a name narrows it (a ledger
# may have ten thousand members, and a keystroke must answer at once).
SHOWN = 60


class Members(Page):
    AUTO_FOCUS = "#search"
    BINDINGS = [Binding("ctrl+t", "everyone", N_("Who left too")), Binding("escape", "search", show=False),
                Binding("down", "to_list", show=False)]

    everyone = False
    search: MemberSearch = MemberSearch([])

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title")
        yield Input(placeholder=self.words._("A name, part of a name, a number or an area"), id="search",
                    compact=True)
        yield Static(id="members-head", classes="list-head")
        yield PickList(id="members")
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        rows = attempt(self.words, self.query_one(Notice), lambda: queries.members(self.ledger, self.words.lang))
        if rows is not None:
            self.search = MemberSearch(rows)
            self.show_matches()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.show_matches()

    def show_matches(self) -> None:
        """The one search rule of the core (`members.matching`), on the members read when
        the page was shown: a keystroke costs no query."""
        words = self.words
        search = self.query_one("#search", Input).value
        found = self.search.find(search, everyone=self.everyone)
        fill(self.query_one("#members-head", Static), self.query_one("#members", PickList),
             views.members(found[:SHOWN]), words, max(self.app.size.width - 4, 40), key="number")
        if len(found) > SHOWN:
            title = words._("{shown} of {count} members: type more of a name to narrow the list").format(
                shown=SHOWN, count=len(found))
        elif search.strip():
            title = words.ngettext("{count} member found", "{count} members found", len(found)).format(
                count=len(found))
        else:
            title = words.ngettext("{count} member", "{count} members", len(found)).format(count=len(found))
        title += "  " + (words._("(with those who left)") if self.everyone else words._("(active members)"))
        self.query_one("#title", Static).update(Text(title))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search opens the first member found (the one highlighted: no Down
        needed); with nothing typed, or nobody found, it goes to the list."""
        found = self.query_one("#members", PickList)
        if event.value.strip() and found.chosen is not None:
            self.app.open_member(int(found.chosen))  # type: ignore[attr-defined]
            return
        found.focus()

    def on_pick_list_picked(self, event: PickList.Picked) -> None:
        self.app.open_member(int(event.key))  # type: ignore[attr-defined]

    def action_everyone(self) -> None:
        self.everyone = not self.everyone
        self.show_matches()

    def action_to_list(self) -> None:
        self.query_one("#members", PickList).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()


class MemberView(Page):
    AUTO_FOCUS = "#page"
    """One member: details, balance, this year's giving and receiving, latest exchanges,
    offers and requests."""

    BINDINGS = [Binding("escape", "back", N_("Back")), Binding("e", "edit", N_("Edit")),
                Binding("l", "leave", N_("Leave")), Binding("j", "rejoin", N_("Rejoin")),
                Binding("r", "record", N_("Record")), Binding("s", "statement", N_("Statement")),
                Binding("x", "export", N_("Their data"))]

    def __init__(self, number: int = 0) -> None:
        super().__init__()
        self.number = number
        self.page: queries.MemberPage | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="title", classes="title")
        yield TextView(id="page")
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        words = self.words
        page = attempt(words, self.query_one(Notice),
                       lambda: queries.member_page(self.ledger, self.number, words.lang, today()))
        if page is None:
            return
        self.page = page
        m = page.member
        report = views.member_page(m, page.balance, page.recent, page.periods)
        self.query_one("#title", Static).update(Text(report.parts[0].say(words)))  # type: ignore[union-attr]
        width = max(self.app.size.width - 4, 40)
        parts = report.parts[1:]
        # This year's giving and receiving comes straight after the balance line.
        after = next(i for i, part in enumerate(parts) if getattr(part, "key", None) == "balance_minutes") + 1
        parts.insert(after, Line(lambda w: "  " + w._("Since {date}: given {given} hours, received {received} "
                                                      "hours.").format(date=w.date(page.year_start),
                                                                       given=format_hours(page.given),
                                                                       received=format_hours(page.received))))
        for kind, rows in (("offer", page.offers), ("request", page.requests)):
            parts.append(views.listings(kind, rows, False))
        self.query_one("#page", TextView).show(report_lines(Report(parts), words, width))

    def action_back(self) -> None:
        self.app.back_to = None  # type: ignore[attr-defined]
        self.app.pop_screen()

    def action_edit(self) -> None:
        if self.page is not None:
            self.ask(EditMember(self.page.member, self.words), self._after)

    def action_leave(self) -> None:
        words = self.words
        self.ask(Ask(words._("Date they left (default today):"), words,
                                 placeholder=words._("today")), self._leave)

    def _leave(self, answer: str | None) -> None:
        if answer is None:
            return
        from timebank.ledger.basics.dates import parse_date

        notice, words = self.query_one(Notice), self.words
        done = attempt(words, notice, lambda: actions.leave(
            self.ledger, self.by, self.number, parse_date(answer) if answer.strip() else None))
        if done is not None:
            name, day = done
            notice.say(words._("{name} (#{number}) left on {date}.").format(
                name=member_words(name, words), number=name.number, date=words.date(day)))
            self.reload()

    def action_rejoin(self) -> None:
        words = self.words
        if self.page is not None:
            name = member_words(member_name(self.page.member), words)
            self.ask(Question(words._("Bring back {name} (#{number}) as an active member?").format(
                name=name, number=self.number), words), self._rejoin)

    def _rejoin(self, yes: bool | None) -> None:
        if not yes:
            return
        notice, words = self.query_one(Notice), self.words
        done = attempt(words, notice, lambda: actions.rejoin(self.ledger, self.by, self.number))
        if done is not None:
            name, day = done
            notice.say(words._("{name} (#{number}) is an active member again from {date}.").format(
                name=member_words(name, words), number=name.number, date=words.date(day)))
            self.reload()

    def action_record(self) -> None:
        self.app.open_record(giver=str(self.number))  # type: ignore[attr-defined]

    def action_statement(self) -> None:
        self.app.open_statement(str(self.number))  # type: ignore[attr-defined]

    def action_export(self) -> None:
        """A member's copy of their data (UK GDPR), asked first: it holds all of it."""
        words = self.words
        if self.page is not None:
            name = member_words(member_name(self.page.member), words)
            self.ask(Question(words._("Write a copy of all the data of {name} (#{number}) for them: a zip in their "
                                      "language, in this folder?").format(name=name, number=self.number), words),
                     self._export)

    def _export(self, yes: bool | None) -> None:
        if not yes:
            return
        from timebank.ui.files import member_copy

        notice = self.query_one(Notice)
        said = attempt(self.words, notice, lambda: member_copy(self.app, self.number))
        if said is not None:
            notice.say(said)
            self.reload()

    def _after(self, message: str | None) -> None:
        if message:
            self.query_one(Notice).say(message)
        self.reload()


FIELDS = [("name", N_("Name")), ("area", N_("Area")), ("email", N_("Email")), ("phone", N_("Phone")),
          ("lang", N_("Language")), ("note", N_("Note")), ("sort_as", N_("Sort as"))]


class EditMember(Guarded, ModalScreen["str | None"]):
    """A member's details as a form: Enter saves what changed (an emptied field clears the
    detail), Escape leaves them as they were."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, member: Any, words: Words) -> None:
        super().__init__()
        self.member, self.words = member, words
        translate_bindings(self, words)

    def compose(self) -> ComposeResult:
        words = self.words
        with Vertical(classes="dialog wide"):
            yield Static(Text(words._("Change the details of {name} (#{number}); Enter saves.").format(
                name=self.member.name, number=self.member.number)), classes="heading")
            with Grid(classes="form"):
                for key, label in FIELDS:
                    yield Label(words._(label))
                    yield Input(getattr(self.member, key) or "", id=f"edit-{key}", compact=True,
                                placeholder="cy / en" if key == "lang" else "")
            yield Notice(id="edit-notice")
        yield KeyBar()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        changes: dict[str, str] = {}
        for key, _label in FIELDS:
            value = self.query_one(f"#edit-{key}", Input).value
            if value != (getattr(self.member, key) or ""):
                changes[key] = value
        words = self.words
        notice = self.query_one(Notice)
        done = attempt(words, notice, lambda: actions.edit_member(
            self.app.ledger, self.app.by, self.member.number, **changes))  # type: ignore[attr-defined]
        if done is not None:
            name, fields = done
            self.dismiss(words._("Changed {fields} for {name} (#{number}).").format(
                fields=views.field_words(fields, words), name=member_words(name, words), number=name.number))

    def action_cancel(self) -> None:
        self.dismiss(None)
