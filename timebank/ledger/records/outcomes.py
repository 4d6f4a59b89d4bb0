"""Outcome measures and members' scores on them (issue 30): a wellbeing scale such as SWEMWBS,
or any other the time bank uses, defined once (`outcome measure add`), and a member's score on
it recorded on a day (`outcome record`).

A score is health data (UK GDPR special category): its values are personal columns of the
record (committed on the chain, never in the clear), the audit says who entered a score, for
whom, on which measure and day -- never the score -- and erasing the member deletes the rows.

A measure's conversion table (raw total to the scale's metric score, as SWEMWBS has) belongs
to the scale's authors: the time bank obtains it under its own licence and gives it as a file;
timebank ships none.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.language import fold
from timebank.ledger.basics.text import clean_text
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.messages import Phrase, _
from timebank.ledger.records import audit
from timebank.ledger.records.members import require_member_on
from timebank.ledger.storage.models import Member, OutcomeMeasure, OutcomeScore

MAX_NAME = 100
# The columns hold 16 characters; a score needs far fewer.
MAX_DIGITS = 12
# A conversion table is a few dozen rows (SWEMWBS: 29); a thousand is far beyond any scale.
MAX_ROWS = 1000
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """A measure as lists carry it."""

    id: int
    name: str
    minimum: Decimal
    maximum: Decimal
    meaningful_change: Decimal
    conversion: dict[Decimal, Decimal] | None  # raw -> metric, or None
    scores: int = 0


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One score as the member's copy of their data and the report read it."""

    id: int
    member: int
    measure: str
    day: date
    raw: Decimal
    score: Decimal
    assisted: bool


def number(text: str, what: Phrase | str) -> Decimal:
    """A decimal as typed ("7", "9.51", "9,51"); refused unless it is plain digits."""
    value = text.strip()
    if not _NUMBER.fullmatch(value) or len(value.replace("-", "").replace(",", "").replace(".", "")) > MAX_DIGITS:
        raise InvalidInput(_("'{value}' is not a number for {what} (e.g. 14 or 9.51).").format(value=text.strip(),
                                                                                                what=what))
    return Decimal(value.replace(",", "."))


def text_of(value: Decimal) -> str:
    """The exact text a decimal is stored as (no exponent: 10, 9.51, -3.5)."""
    return format(value, "f")


def _conversion(text: str, minimum: Decimal, maximum: Decimal) -> dict[Decimal, Decimal]:
    """The rows of a conversion table: `raw,metric`, a header line allowed."""
    table: dict[Decimal, Decimal] = {}
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    for line, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) != 2:
            raise InvalidInput(_("Line {line} of the conversion table must have two columns, the raw score and the "
                                 "metric score.").format(line=line))
        if line == 1 and not _NUMBER.fullmatch(cells[0]):
            continue  # its header
        raw = number(cells[0], _("a raw score"))
        metric = number(cells[1], _("a metric score"))
        if raw in table:
            raise InvalidInput(_("The raw score {raw} is in the conversion table twice (line {line}).").format(
                raw=text_of(raw), line=line))
        if not minimum <= metric <= maximum:
            raise InvalidInput(_("The metric score {score} on line {line} of the conversion table is outside the "
                                 "measure's range, {min} to {max}.").format(
                score=text_of(metric), line=line, min=text_of(minimum), max=text_of(maximum)))
        table[raw] = metric
        if len(table) > MAX_ROWS:
            raise InvalidInput(_("The conversion table is too long (at most {count} rows).").format(count=MAX_ROWS))
    if not table:
        raise InvalidInput(_("The conversion table has no rows: each line is a raw score and its metric score."))
    return dict(sorted(table.items()))


def _stored_table(table: dict[Decimal, Decimal]) -> str:
    return json.dumps({text_of(raw): text_of(metric) for raw, metric in table.items()})


def _read_table(stored: str | None) -> dict[Decimal, Decimal] | None:
    if stored is None:
        return None
    return {Decimal(raw): Decimal(metric) for raw, metric in json.loads(stored).items()}


def _row(measure: OutcomeMeasure, scores: int = 0) -> MeasureRow:
    return MeasureRow(measure.id, measure.name, Decimal(measure.minimum), Decimal(measure.maximum),
                      Decimal(measure.meaningful_change), _read_table(measure.conversion), scores)


def add_measure(session: Session, by: str, name: str, minimum: str, maximum: str, meaningful: str,
                conversion: str | None = None) -> MeasureRow:
    """A new measure: scores from `minimum` to `maximum`, a change of `meaningful` or more
    counted as meaningful; `conversion` the text of its raw-to-metric table (CSV), if any."""
    cleaned = clean_text(name, _("name"), required=True, limit=MAX_NAME)
    assert cleaned is not None  # required
    low = number(minimum, "--min")
    high = number(maximum, "--max")
    change = number(meaningful, "--meaningful-change")
    if not low < high:
        raise InvalidInput(_("The lowest score (--min {min}) must be below the highest (--max {max}).").format(
            min=text_of(low), max=text_of(high)))
    if not 0 < change <= high - low:
        raise InvalidInput(_("A meaningful change must be more than 0 and at most the whole range ({range}).").format(
            range=text_of(high - low)))
    table = _conversion(conversion, low, high) if conversion is not None else None
    for measure in session.scalars(select(OutcomeMeasure)):
        if fold(measure.name) == fold(cleaned):
            raise Refused(_("There is already a measure called {name}.").format(name=measure.name))
    measure = OutcomeMeasure(name=cleaned, minimum=text_of(low), maximum=text_of(high),
                             meaningful_change=text_of(change),
                             conversion=_stored_table(table) if table is not None else None, created_at=audit.now())
    session.add(measure)
    session.flush()
    audit.log(session, by, "outcome.measure", id=measure.id, name=cleaned, min=measure.minimum, max=measure.maximum,
              meaningful_change=measure.meaningful_change, conversion=table is not None)
    return _row(measure)


def find_measure(session: Session, name: str) -> OutcomeMeasure:
    """A measure by its name (any case); a refusal names the measures there are."""
    wanted = fold(name.strip())
    measures = list(session.scalars(select(OutcomeMeasure).order_by(OutcomeMeasure.name)))
    for measure in measures:
        if fold(measure.name) == wanted:
            return measure
    if not measures:
        raise NotFound(_("There is no measure called {name}: no measures yet ('outcome measure add' adds one).")
                       .format(name=name.strip()))
    raise NotFound(_("There is no measure called {name}. The measures are: {names}.").format(
        name=name.strip(), names=", ".join(m.name for m in measures)))


def list_measures(session: Session) -> list[MeasureRow]:
    counts = dict(session.execute(select(OutcomeScore.measure, func.count()).group_by(OutcomeScore.measure)).all())
    return [_row(m, counts.get(m.id, 0)) for m in session.scalars(select(OutcomeMeasure).order_by(OutcomeMeasure.id))]


def record_score(session: Session, by: str, member: Member, measure_name: str, score: str, day: date,
                 assisted: bool = False) -> ScoreRow:
    """`member`'s score on a measure on `day` (a member then: joined, not left, never erased).
    With a conversion table the score given is a raw total, one of the table's; the metric
    score it converts to is stored beside it."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot has no wellbeing to score: it is not a person."))
    measure = find_measure(session, measure_name)
    row = _row(measure)
    raw = number(score, _("the score"))
    if row.conversion is not None:
        if raw not in row.conversion:
            raws = list(row.conversion)
            raise InvalidInput(_("{score} is not a raw score of {measure}'s conversion table ({first} to {last})."
                                 ).format(score=text_of(raw), measure=measure.name, first=text_of(raws[0]),
                                          last=text_of(raws[-1])))
        counted = row.conversion[raw]
    else:
        if not row.minimum <= raw <= row.maximum:
            raise InvalidInput(_("{score} is outside the range of {measure}: {min} to {max}.").format(
                score=text_of(raw), measure=measure.name, min=text_of(row.minimum), max=text_of(row.maximum)))
        counted = raw
    require_member_on(member, day)
    stored = OutcomeScore(member=member.number, measure=measure.id, day=day, raw=text_of(raw),
                          score=text_of(counted), assisted=assisted, created_at=audit.now())
    session.add(stored)
    session.flush()
    # Who entered a score, for whom, when, on which measure -- never the score (health data).
    audit.log(session, by, "outcome.record", member=member.number, measure=measure.name, date=day.isoformat(),
              assisted=assisted)
    return ScoreRow(stored.id, member.number, measure.name, day, raw, counted, assisted)


def member_scores(session: Session, member: int) -> list[ScoreRow]:
    """One member's scores, by day (their own copy of their data)."""
    return [ScoreRow(s.id, s.member, name, s.day, Decimal(s.raw or "0"), Decimal(s.score or "0"), s.assisted)
            for s, name in session.execute(
                select(OutcomeScore, OutcomeMeasure.name)
                .join(OutcomeMeasure, OutcomeMeasure.id == OutcomeScore.measure)
                .where(OutcomeScore.member == member).order_by(OutcomeScore.day, OutcomeScore.id))]
