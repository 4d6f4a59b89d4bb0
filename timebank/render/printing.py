"""The printed files, whole: every member's statement in one PDF, the funder's one-page
report, the funder's workbook. The command line and the screen both write these, each
into a file it has opened (written whole or not at all by the caller), so there is one
way to lay out each file.

Imported only when one of them is made: ReportLab and XlsxWriter come with it.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO, Callable

from timebank.i18n import Words
from timebank.render import figures, views
from timebank.render import pdf
from timebank.render.pdf import Document


def statements_pdf(printed: Any, notes: bool, words_for: Callable[[Any], Words], interface: Words,
                   out: BinaryIO, progress: Callable[[float], None] | None = None, large_print: bool = False) -> int:
    """The statements of `printed` (a `statements.StatementSet`) into one PDF, each in the
    words `words_for` gives it (its member's language) and at its size: large print for
    every one with `large_print`, else for the members who asked for it; returns the number
    of pages."""
    documents = [Document(views.printed_statement(s, printed, notes, large_print or s.large_print), words_for(s),
                          views.printed_footer(s, printed),
                          pdf.LARGE if large_print or s.large_print else pdf.STATEMENT)
                 for s in printed.statements]
    title = interface._("Statements") if len(documents) > 1 else documents[0].words._("Statement")
    return pdf.write_pdf(documents, out, title=title, author=printed.bank_name, progress=progress)


def period_pdf(report: Any, words: Words, outcomes: Any = None, outcomes_sealed: bool = False) -> tuple[bytes, int]:
    """The funder's one-page summary (A4 landscape) of a `PeriodReport`, and its pages. A page
    that runs over (a long name, long category names) is made again giving up a little more
    each time, down to the most compact; the seal of the period is printed when there is one.
    `outcomes`, `outcomes_sealed`: as for `figures.period_page`."""
    title = words._("Figures for {span}").format(span=words._("{start} to {end}").format(
        start=words.date(report.start), end=words.date(report.end)))
    seal = report.seal.text if report.seal is not None else None
    printed = io.BytesIO()
    pages = 0
    for level in range(figures.PAGE_LEVELS):
        page = figures.period_page(report, seal=seal, level=level, outcomes=outcomes, outcomes_sealed=outcomes_sealed)
        printed = io.BytesIO()
        # No words at the foot: the name heads the page, and a long one would run into 'page 1 of 1'.
        pages = pdf.write_pdf([Document(page, words)], printed, title=title, author=report.bank_name, landscape=True)
        if pages == 1:
            break
    return printed.getvalue(), pages


def workbook(pack: Any, words: Words, out: BinaryIO) -> int:
    """The funder's workbook of a `figures.FunderPack`, in the reader's language; returns its
    number of sheets."""
    from timebank.render.xlsx import write_workbook

    seal = pack.report.seal
    book = figures.workbook(pack.report, pack.areas, words.lang, seal=seal.text if seal is not None else None,
                            outcomes=pack.outcomes)
    return write_workbook(book, out, words)


__all__ = ["statements_pdf", "period_pdf", "workbook"]
