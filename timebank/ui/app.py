"""The screen as one Textual app: a page for each part of a coordinator's Saturday, a
function key for each page, and the ledger, the user and the language it works with."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from timebank.i18n import N_, Words
from timebank.ui.base import translate_bindings
from timebank.ui.exchanges import Exchanges
from timebank.ui.home import Home
from timebank.ui.members import Members, MemberView
from timebank.ui.record import Record
from timebank.ui.reports import Reports

CSS = """
Screen { layout: vertical; }
.title { background: $primary-background; color: $text; text-style: bold; padding: 0 1; height: 1; }
.heading { text-style: bold; padding: 1 1 0 1; }
#figures { padding: 0 1; }
.report-text { padding: 0 1; }
.report-table { height: auto; max-height: 100%; margin: 0 1 1 1; }
#ring, #requests { height: auto; max-height: 12; }
.list-head { padding: 0 1; }
#search { margin: 0 1; }
#members, #exchanges { height: 1fr; }
Notice { height: auto; max-height: 8; padding: 0 1; }
Notice.error { color: $error; text-style: bold; }
Notice.done { color: $success; }
Record Notice { height: 6; }
.form { grid-size: 3; grid-columns: 16 1fr 1fr; grid-rows: auto; grid-gutter: 0 1; height: auto; padding: 1 1 0 1; }
.form Label { width: 100%; }
.hint { color: $text-muted; }
.hint.error { color: $error; }
.filters { height: 1; padding: 0 1; }
.filters Label { padding: 0 1 0 0; }
.filters Input { width: 1fr; margin: 0 2 0 0; }
Question, Ask, EditMember { align: center middle; }
.dialog { width: 70%; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2; }
.dialog.wide { width: 90%; }
EditMember .form { grid-size: 2; grid-columns: 14 1fr; padding: 1 0; }
"""


class TimebankApp(App[None]):
    CSS = CSS
    ENABLE_COMMAND_PALETTE = False
    TITLE = "timebank"
    BINDINGS = [Binding("f1", "page('home')", N_("Overview")), Binding("f2", "page('members')", N_("Members")),
                Binding("f3", "page('record')", N_("Record")), Binding("f4", "page('exchanges')", N_("Exchanges")),
                Binding("f5", "page('reports')", N_("Reports")), Binding("ctrl+r", "reload", N_("Refresh")),
                Binding("ctrl+q", "quit", N_("Close"), priority=True)]
    MODES = {"home": Home, "members": Members, "record": Record, "exchanges": Exchanges, "reports": Reports}

    def __init__(self, ledger: Any, by: str, words: Words) -> None:
        super().__init__()
        self.ledger, self.by, self.words = ledger, by, words
        # The member whose page a statement or the record form was opened from: Esc there
        # goes back to that page (one step back, as everywhere).
        self.back_to: int | None = None
        translate_bindings(self, words)

    def on_mount(self) -> None:
        import gc

        # Everything loaded so far (Textual, SQLAlchemy, Rich, Babel: a few hundred thousand
        # objects that live as long as the screen) is kept out of the garbage collector's
        # sweeps: a page that reads ten thousand members makes enough objects to set off
        # full sweeps, and each one walked all of these again (a third of the monthly
        # report's time on screen).
        gc.freeze()
        # And sweeps made rarer: the defaults (after every 700 new objects, a full sweep
        # every hundred sweeps) were tuned for small programs; a monthly report makes a few
        # hundred thousand objects, nearly all freed at once by their counts, and the
        # sweeps it set off cost another third of its time (bench/ui.py: 390 -> 310 ms CPU).
        gc.set_threshold(20_000, 50, 20)
        # One member's page, made once and shown for each member (making a page costs more
        # than reading a member).
        self.install_screen(MemberView(), name="member")
        self.switch_mode("home")

    def get_key_display(self, binding: Binding) -> str:
        """Keys named as they are printed on the keyboard (`Ctrl+Q`, `F1`, `Esc`), not in
        Textual's shorthand (`^q`, `f1`): a volunteer reads the foot of the screen aloud."""
        return key_name(binding)

    def action_help_quit(self) -> None:
        """Ctrl-C (a reflex from the command line): say, in the interface language, how to
        close the screen (Textual's own words for it are English)."""
        self.notify(self.words._("Press Ctrl-Q to close the screen."), markup=False)

    def action_reload(self) -> None:
        self.screen.reload()  # type: ignore[attr-defined]

    def _member_shown(self) -> int | None:
        return self.screen.number if isinstance(self.screen, MemberView) else None

    def go_back(self) -> bool:
        """Back to the member page this page was opened from, if it was; says whether it went."""
        number, self.back_to = self.back_to, None
        if number is None:
            return False
        self.open_member(number)
        return True

    def action_page(self, mode: str) -> None:
        self.back_to = None
        self.switch_mode(mode)

    def open_member(self, number: int) -> None:
        self.switch_mode("members")
        view = self.get_screen("member")
        assert isinstance(view, MemberView)
        view.number = number
        if view.is_mounted:
            # Read now, so the page never shows the member before for a moment.
            view.query_one("#notice").clear()  # type: ignore[attr-defined]
            view.reload()
            view.fresh = True
        if view not in self.screen_stack:
            self.push_screen(view)

    def open_record(self, giver: str | None = None) -> None:
        """The record form, with a member already named as the giver (from their page)."""
        self.back_to = self._member_shown()
        self.switch_mode("record")
        if isinstance(self.screen, Record):
            self.screen.wanted_giver = giver   # filled in when the page is next shown

    def open_statement(self, member: str) -> None:
        self.back_to = self._member_shown()
        self.switch_mode("reports")
        if isinstance(self.screen, Reports):
            self.screen.wanted_member = member


KEY_NAMES = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space", "delete": "Delete",
             "backspace": "Backspace", "home": "Home", "end": "End", "pageup": "PgUp", "pagedown": "PgDn",
             "up": "↑", "down": "↓", "left": "←", "right": "→", "left_square_bracket": "[",
             "right_square_bracket": "]"}


def key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    *modifiers, key = binding.key.split(",")[0].split("+")
    if key in KEY_NAMES:
        name = KEY_NAMES[key]
    elif len(key) == 1:
        name = key.upper() if modifiers else key   # "v" as typed; "P" is Shift+P, as typed too
    else:
        name = key[:1].upper() + key[1:]           # f1 -> F1
    return "+".join([m.capitalize() for m in modifiers] + [name])


def run_screen(ledger: Any, by: str, words: Words) -> None:
    TimebankApp(ledger, by, words).run()
