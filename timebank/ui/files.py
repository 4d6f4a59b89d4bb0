"""The files the screen writes for members and funders: a member's statement as a PDF (in
the member's language), every statement of the month in one PDF, and the funder's workbook
for the financial year up to the month on screen.

Each is laid out by `render.printing`, as at the command line, and written by the core's one
writer of output files (private, whole or not at all, never over another file). The screen
has no --force and no file name to ask for: it writes into the folder it was started in,
under a name that says what the file holds, and takes the next free name rather than
replace a file that is there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from timebank.i18n import Words, os_reason
from timebank.ledger import actions, queries
from timebank.ledger.basics.dates import month_end, report_end
from timebank.ledger.errors import Refused

TRIES = 100   # statement-1-2026-10.pdf, then statement-1-2026-10 (2).pdf, ...


def _names(stem: str, suffix: str, folder: Path) -> Iterator[Path]:
    yield folder / f"{stem}{suffix}"
    for count in range(2, TRIES + 1):
        yield folder / f"{stem} ({count}){suffix}"


def _write(words: Words, stem: str, suffix: str, write: Callable[[Any], Any]) -> tuple[Path, Any]:
    """Write a new file named from `stem` in the current folder; returns its path and what
    `write` returned. A name already taken (even by another screen a moment ago) moves on to
    the next. Why a file could not be written is said in the interface language, as the
    command line says it."""
    try:
        folder = Path.cwd()
    except OSError as error:  # the folder the screen was started in has gone
        raise Refused(words._("Cannot write {path}: {reason}").format(
            path=f"{stem}{suffix}", reason=os_reason(error, words.lang))) from error
    for path in _names(stem, suffix, folder):
        if path.exists() or path.is_symlink():
            continue
        try:
            with actions.output_file(path, binary=True) as handle:
                return path, write(handle)
        except Refused:
            if path.exists():
                continue   # taken between our look and our write
            raise
        except OSError as error:
            raise Refused(words._("Cannot write {path}: {reason}").format(
                path=queries.shown(path), reason=os_reason(error, words.lang))) from error
    raise Refused(words._("Cannot write {path}: {reason}").format(
        path=queries.shown(folder / f"{stem}{suffix}"), reason=words._("too many files of that name in this folder")))


def _printing() -> Any:
    """`render.printing`, imported only once the folder to write in is known: ReportLab asks
    for the current folder as it is imported, and that fails when the folder has gone."""
    from timebank.render import printing

    return printing


def _pages(words: Words, count: int) -> str:
    return words.ngettext("{count} page", "{count} pages", count).format(count=count)


def statement_pdf(app: Any, month: date, member: str | None) -> str:
    """The statement on screen, for its month, as a PDF in the member's own language."""
    from timebank.ledger.basics.names import message_name

    words: Words = app.words
    if not member:
        raise Refused(words._("Show a member's statement first (s), then write it as a PDF."))
    first = month
    last = report_end(first, month_end(first))
    # In the member's own language.
    found = queries.statement(app.ledger, member, None, first, last)
    theirs = Words(found.member.lang)
    stem = words._("statement-{number}-{month}").format(number=found.member.number, month=f"{first:%Y-%m}")
    path, pages = _write(words, stem, ".pdf", lambda handle: _printing().statements_pdf(
        found.printed, True, lambda s: theirs, words, handle))
    return words._("Wrote the statement of {name} ({pages}) to {path}.").format(
        name=words.say(message_name(found.member)), pages=_pages(words, pages), path=queries.shown(path))


def month_pdfs(app: Any, month: date, member: str | None) -> str:
    """Every statement of the month on screen in one PDF, each in its member's language, in
    the interface language's alphabetical order."""
    words: Words = app.words
    first = month
    last = report_end(first, month_end(first))
    printed = queries.statements(app.ledger, words.lang, first, last)
    everyone = printed.statements
    if not everyone:
        raise Refused(words._("Nobody was a member in that period: there are no statements to print."))
    languages = {lang: Words(lang) for lang in {s.lang for s in everyone}}
    stem = words._("statements-{month}").format(month=f"{first:%Y-%m}")
    path, pages = _write(words, stem, ".pdf", lambda handle: _printing().statements_pdf(
        printed, True, lambda s: languages[s.lang], words, handle))
    return words._("Wrote {statements} ({pages}) to {path}.").format(
        statements=words.ngettext("{count} statement", "{count} statements", len(everyone)).format(
            count=len(everyone)), pages=_pages(words, pages), path=queries.shown(path))


def workbook(app: Any, month: date, member: str | None) -> str:
    """The funder's workbook, a row a month, from the start of the financial year (the setting
    year_start) that holds the month on screen to that month's end (today at the latest)."""
    words: Words = app.words
    first, last, pack = queries.funder_year(app.ledger, month, MIN_COUNT)
    stem = words._("funders-{start}-to-{end}").format(start=first.isoformat(), end=last.isoformat())
    path, sheets = _write(words, stem, ".xlsx", lambda handle: _printing().workbook(pack, words, handle))
    return words.ngettext("Wrote a workbook of {count} sheet to {path}.",
                          "Wrote a workbook of {count} sheets to {path}.", sheets).format(
        count=sheets, path=queries.shown(path))


MIN_COUNT = 5   # as `export workbook`'s --min-count: areas blank any count below it


def member_copy(app: Any, number: int) -> str:
    """A member's own copy of their data (as `member export`): one zip in the member's
    language, its making on the audit."""
    from timebank.render.member_copy import write_zip

    words: Words = app.words
    copy = queries.member_copy(app.ledger, number)
    theirs = Words(copy.member.lang)
    stem = words._("data-of-member-{number}").format(number=copy.member.number)

    def write(handle: Any) -> list[str]:
        files = write_zip(copy, theirs, handle)
        actions.copy_given(app.ledger, app.by, copy.member.number, files)
        return files

    path, files = _write(words, stem, ".zip", write)
    return words.ngettext("Wrote the copy of the data of {name} (member {number}) to {path}: {count} file, "
                          "{language}.",
                          "Wrote the copy of the data of {name} (member {number}) to {path}: {count} files, "
                          "{language}.", len(files)).format(
        name=copy.member.name, number=copy.member.number, path=queries.shown(path), count=len(files),
        language=words._("in Welsh") if theirs.lang == "cy" else words._("in English"))


__all__ = ["statement_pdf", "month_pdfs", "workbook", "member_copy"]
