"""Reports: the monthly report and a member's statement, on screen, with the chart of the
last twelve months."""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label

from timebank.i18n import N_
from timebank.ledger.basics.dates import add_months, month_end, report_end, today
from timebank.render import views
from timebank.ledger import queries
from timebank.ui import files
from timebank.ui.base import Notice, Page, attempt
from timebank.ui.draw import TextView, report_lines

# The files for members and funders. Each is `writer(app, month, member)`: `app.ledger`,
# `app.by` and `app.words` are the ledger, the user and the interface language, `month` the
# first day of the month on screen, `member` what was typed for a statement (or None); it
# writes the file through the core and returns one line saying what it wrote and where (a
# refusal is raised as a TimebankError and shown in the page). A key whose writer is None is
# not shown.
WRITERS: dict[str, Callable[..., str] | None] = {"statement_pdf": files.statement_pdf, "month_pdfs": files.month_pdfs,
                                                  "workbook": files.workbook}


class Body(TextView):
    BINDINGS = [Binding("left_square_bracket", "screen.month(-1)", N_("Month"), key_display="[ ]"),
                Binding("right_square_bracket", "screen.month(1)", N_("Month"), show=False),
                Binding("m", "screen.monthly", N_("Monthly report")),
                Binding("s", "screen.find", N_("Statement")),
                Binding("p", "screen.write('statement_pdf')", N_("Statement PDF")),
                Binding("P", "screen.write('month_pdfs')", N_("Month's statements PDF")),
                Binding("w", "screen.write('workbook')", N_("Funder workbook"))]


class Reports(Page):
    AUTO_FOCUS = "Body"
    BINDINGS = [Binding("escape", "body", show=False)]

    def __init__(self) -> None:
        super().__init__()
        self.month = queries.last_complete_month()
        self.member: str | None = None
        self.wanted_member: str | None = None   # a statement asked for from a member's page
        self.asked = 0        # the reads asked for: a read that comes after a later one was asked is not shown
        self.whole = False    # the page shows all it was asked for (not the monthly figures alone)

    def compose(self) -> ComposeResult:
        words = self.words
        with Horizontal(classes="filters"):
            yield Label(words._("Statement for"))
            yield Input(id="member", compact=True, placeholder=words._("a member's name or number; Enter shows it"))
        yield Body(id="body")
        yield Notice(id="notice")
        yield from self.footer()

    def reload(self) -> None:
        if self.wanted_member is not None:
            self.query_one("#member", Input).value = self.member = self.wanted_member
            self.wanted_member = None
            self.query_one(Notice).clear()
        words, notice = self.words, self.query_one(Notice)
        first, last = self.month, month_end(self.month)
        self.asked += 1
        self.whole = False
        report: Any
        if self.member:
            member = self.member
            # On screen in the interface language's order, and (as ever) without the credit limit.
            result = attempt(words, notice, lambda: queries.statement(
                self.ledger, member, words.lang, first, report_end(first, last), credit_limit=False, months=True))
            if result is not None:
                report = views.statement(result.statement)
                report.parts.append(views.member_chart(result.months))
            else:
                report = None
        else:
            # Read in the background: the month's figures are shown as soon as the core has
            # them, the line of each of ten thousand members when the whole report comes;
            # the keys answer meanwhile.
            asked, ledger, lang = self.asked, self.ledger, words.lang
            self.read_in_background(
                lambda: queries.monthly(ledger, first, lang,
                                        lambda figures: self.hand_over(self.show_monthly, figures, asked, False)),
                lambda found: self.show_monthly(found, asked))
            return
        if report is None:
            return
        self.query_one(Body).show(report_lines(report, words, self.width_for_text))
        self.whole = True

    @property
    def width_for_text(self) -> int:
        return max(self.app.size.width - 4, 40)

    def show_monthly(self, report: Any, asked: int, whole: bool = True) -> None:
        """The month's figures (`whole` False), or the whole monthly report in their place,
        unless another month or a statement has been asked for since."""
        if asked != self.asked:
            return
        self.query_one(Body).show(report_lines(views.monthly(report), self.words, self.width_for_text),
                                  keep_place=whole)
        self.whole = whole

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(Notice).clear()
        self.member = event.value.strip() or None
        self.reload()
        self.query_one(Body).focus()

    def action_month(self, step: int) -> None:
        month = add_months(self.month, step)
        if month > today():
            return
        self.month = month
        self.query_one(Notice).clear()
        self.reload()

    def action_monthly(self) -> None:
        self.member = None
        self.query_one("#member", Input).value = ""
        self.reload()

    def action_find(self) -> None:
        self.query_one("#member", Input).focus()

    def action_body(self) -> None:
        """Esc: one step back. From the name being typed to the report; from a statement
        opened on a member's page to that page; from a statement to the monthly report."""
        body = self.query_one(Body)
        if not body.has_focus:
            body.focus()
        elif self.app.go_back():  # type: ignore[attr-defined]
            return
        elif self.member:
            self.action_monthly()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A file's key is there only when this build can write the file."""
        if action == "write":
            return WRITERS.get(str(parameters[0])) is not None
        return True

    def action_write(self, kind: str) -> None:
        writer = WRITERS.get(kind)
        if writer is None:
            return
        notice = self.query_one(Notice)
        said = attempt(self.words, notice, lambda: writer(self.app, self.month, self.member))
        if said:
            notice.say(said)


__all__ = ["Reports", "WRITERS"]
