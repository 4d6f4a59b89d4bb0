"""The record form: a paper sheet's lines typed one after another. Names are completed and
checked as they are typed, hours and dates are read back in words, the duplicate and
credit-limit rules are asked as questions, and Enter records."""

from __future__ import annotations

from datetime import date
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Checkbox, Input, Label, Static

from timebank.i18n import N_, fold, sort_key
from timebank.ledger import actions
from timebank.ledger.basics.dates import parse_date, today
from timebank.ledger.errors import Duplicate, InvalidInput, OverLimit, TimebankError
from timebank.ledger.basics.hours import format_hours, parse_hours
from timebank.ledger.basics.names import member_name
from timebank.render.read_back import read_back
from timebank.render.sheet import member_words, said_hours
from timebank.ledger import queries
from timebank.ui.base import Notice, Page, Question, attempt


def parts(text: str) -> list[str]:
    """'Siân, Llinos' -> ['Siân', 'Llinos']: several givers or receivers, comma-separated."""
    return [p.strip() for p in text.split(",") if p.strip()]


class Names(Suggester):
    """Completes the name being typed (the last one after a comma) from the start of a
    member's name, ignoring case and accents: 'sian' offers 'Siân Jones'."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = [(fold(n), n) for n in names]

    async def get_suggestion(self, value: str) -> str | None:
        head, _comma, last = value.rpartition(",")
        typed = last.lstrip()
        wanted = fold(typed)
        if not wanted or wanted.isdigit() or wanted.startswith("#"):
            return None
        for folded, name in self.names:
            if folded.startswith(wanted) and len(name) > len(typed):
                prefix = value[:len(value) - len(typed)]
                return prefix + name
        return None


class Categories(Suggester):
    def __init__(self, names: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = [(fold(n), n) for n in names]

    async def get_suggestion(self, value: str) -> str | None:
        wanted = fold(value.strip())
        if not wanted:
            return None
        return next((name for folded, name in self.names if folded.startswith(wanted) and len(name) > len(value)), None)


FIELDS = [("giver", N_("Giver(s)")), ("receiver", N_("Receiver(s)")), ("hours", N_("Hours")), ("date", N_("Date")),
          ("category", N_("Category")), ("note", N_("Note")), ("request", N_("Request met"))]


class WelshBox(Checkbox, inherit_bindings=False):
    """"In Welsh": Space ticks it, and Enter records, as it does in every field of the form."""

    BINDINGS = [Binding("space", "toggle_button", show=False), Binding("enter", "record", show=False)]

    def action_record(self) -> None:
        screen = self.screen
        if isinstance(screen, Record):
            screen.submit()


class Record(Page):
    AUTO_FOCUS = "#giver"
    BINDINGS = [Binding("ctrl+n", "clear", N_("New line")), Binding("escape", "back", show=False)]

    data: queries.FormData | None = None
    wanted_giver: str | None = None

    def compose(self) -> ComposeResult:
        words = self.words
        yield Static(Text(words._("Record an exchange: Enter records it")), classes="title")
        with VerticalScroll(can_focus=False):
            with Grid(classes="form"):
                for key, label in FIELDS:
                    yield Label(words._(label))
                    yield Input(id=key, compact=True, placeholder=self._placeholder(key))
                    yield Static(id=f"{key}-hint", classes="hint")
                yield Label(words._("In Welsh"))
                # The box's label says how to tick it, and shows where the cursor is.
                yield WelshBox(words._("Space: tick or clear"), id="welsh", compact=True)
                yield Static(classes="hint")
            yield Notice(id="notice")
        yield from self.footer()

    def _placeholder(self, key: str) -> str:
        words = self.words
        return {"giver": words._("a name or number; several with commas"),
                "receiver": words._("a name or number; several with commas"),
                "hours": words._("1.5, 1:30, 1h30, 90 mins, 1½"),
                "date": words._("today (or 31/10/2026, yesterday, Monday)"),
                "note": "",
                "request": words._("the number of an open request")}.get(key, "")

    def reload(self) -> None:
        words = self.words
        data = attempt(words, self.query_one(Notice), lambda: queries.form_data(self.ledger, words.lang))
        if data is None:
            return
        self.data = data
        for key in ("giver", "receiver"):
            self.query_one(f"#{key}", Input).suggester = Names(data.names)
        names = sorted({c.name(words.lang) for c in data.categories.values()}, key=lambda n: sort_key(n, words.lang))
        self.query_one("#category", Input).suggester = Categories(names)
        self.query_one("#category", Input).placeholder = data.categories["other"].name(words.lang) \
            if "other" in data.categories else ""
        for key, _label in FIELDS:
            self.check(key)
        if self.wanted_giver is not None:
            self.fill(self.wanted_giver)
            self.wanted_giver = None

    # Reading back what is typed ---------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.check(event.input.id)

    def check(self, key: str) -> None:
        hint = self.query_one(f"#{key}-hint", Static)
        value = self.query_one(f"#{key}", Input).value
        text, error = self.read_back(key, value)
        hint.set_class(error, "error")
        hint.update(Text(text))

    def read_back(self, key: str, value: str) -> tuple[str, bool]:
        """What the value in field `key` means, by the same rules the record will apply."""
        words, data = self.words, self.data
        if data is None:
            return "", False
        try:
            if key in ("giver", "receiver"):
                shown = []
                for ref in parts(value):
                    if queries.is_partner_member(ref):  # DYF:12, a partner bank's member
                        shown.append(queries.partner_member(self.ledger, ref))
                    else:
                        member = data.members.find(ref)
                        shown.append(f"{member_words(member_name(member), words)} (#{member.number})")
                return ", ".join(shown), False
            if key == "hours":
                if not value.strip():
                    return "", False
                minutes = parse_hours(value)
                return words._("{words} ({hours} hours)").format(words=said_hours(minutes, words),
                                                                 hours=format_hours(minutes)), False
            if key == "date":
                return words.date(parse_date(value) if value.strip() else today()), False
            if key == "category":
                if not value.strip():
                    return "", False
                return queries.category(self.ledger, value, words.lang).name(words.lang), False
            if key == "request":
                if not value.strip():
                    return "", False
                asked = value.strip()
                # ASCII digits only, as everywhere: "١" is not request 1.
                request = data.requests.get(int(asked)) if asked.isascii() and asked.isdigit() else None
                if request is None:
                    return words._("There is no open request number {number}.").format(number=value.strip()), True
                return words._("{name} (#{number}) asks for {category}").format(
                    name=member_words(request.name, words), number=request.member,
                    category=request.category.name(words.lang)), False
        except TimebankError as error:
            return words.tell(error), True
        return "", False

    # Recording ------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def values(self) -> dict[str, str]:
        return {key: self.query_one(f"#{key}", Input).value for key, _label in FIELDS}

    def submit(self, *, again: bool = False, allow_overdraft: bool = False) -> None:
        words, notice = self.words, self.query_one(Notice)
        typed = self.values()

        def record() -> actions.Recorded:
            givers, receivers = parts(typed["giver"]), parts(typed["receiver"])
            if not givers or not receivers:
                raise InvalidInput(words._("Give a giver and a receiver."))
            if not typed["hours"].strip():
                raise InvalidInput(words._("Give the hours (1.5, 1:30, 1h30, 90 mins or 1½)."))
            request = typed["request"].strip()
            if request and not (request.isascii() and request.isdigit()):
                raise InvalidInput(words._("There is no open request number {number}.").format(number=request))
            return actions.record(
                self.ledger, self.by, givers=givers, receivers=receivers, minutes=parse_hours(typed["hours"]),
                on=parse_date(typed["date"]) if typed["date"].strip() else None,
                category=typed["category"].strip() or None, note=typed["note"].strip() or None,
                allow_overdraft=allow_overdraft, request=int(request) if request else None, again=again,
                lang=words.lang, centre=recording_centre(), welsh=self.query_one("#welsh", Checkbox).value)

        try:
            done = record()
        except Duplicate as duplicate:
            self.confirm(self.words.say(duplicate.question),
                         lambda: self.submit(again=True, allow_overdraft=allow_overdraft))
            return
        except OverLimit as over:
            self.confirm(self.words.say(over.question), lambda: self.submit(again=again, allow_overdraft=True),
                         self.words.say(over.reason))
            return
        except TimebankError as error:
            notice.say(self.words.tell(error), error=True)
            return
        except Exception as error:  # never a crash
            from timebank.ui.base import unexpected

            notice.say(unexpected(words, error), error=True)
            return
        self.recorded(done, typed)

    def confirm(self, question: str, go_on: Callable[[], None], reason: str | None = None) -> None:
        words, notice = self.words, self.query_one(Notice)

        def answered(yes: bool | None) -> None:
            if yes:
                go_on()
            else:
                notice.say(" ".join(filter(None, [reason, words._("Nothing was recorded.")])), error=True)

        self.ask(Question(question, words), answered)

    def recorded(self, done: actions.Recorded, typed: dict[str, str]) -> None:
        """Say what was recorded, and make the form ready for the next line of the sheet:
        the date, category and the Welsh mark stay (a sheet is often one session's), the rest
        is cleared."""
        words = self.words
        lines = read_back(done, words)
        day = parse_date(typed["date"]) if typed["date"].strip() else today()
        self.clear(keep_date=day)
        self.query_one(Notice).say("\n".join(lines))
        self.app.refresh_bindings()
        if done.request is not None:
            self.reload()

    def clear(self, keep_date: date | None = None) -> None:
        for key in ("giver", "receiver", "hours", "note", "request"):
            self.query_one(f"#{key}", Input).value = ""
        if keep_date is not None:
            self.query_one("#date", Input).value = "" if keep_date == today() else \
                f"{keep_date.day:02d}/{keep_date.month:02d}/{keep_date.year}"
        self.query_one("#giver", Input).focus()

    def action_back(self) -> None:
        """Esc: back to the member page the form was opened from, if it was."""
        self.app.go_back()  # type: ignore[attr-defined]

    def action_clear(self) -> None:
        self.clear()
        self.query_one(Notice).clear()

    def fill(self, giver: str | None = None) -> None:
        """Open with a member already named (from their page)."""
        if giver is not None:
            self.query_one("#giver", Input).value = giver
            self.query_one("#receiver", Input).focus()


__all__ = ["Record", "parts"]


def recording_centre() -> str | None:
    """The centre the screen records at: `TIMEBANK_CENTRE`, as for `record` (an unknown code is
    refused by the core with the list of codes, in the form's notice)."""
    import os

    return os.environ.get("TIMEBANK_CENTRE", "").strip() or None
