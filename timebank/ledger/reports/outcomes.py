"""`report outcomes`: for each outcome measure, the change in members' scores over a span.

A member counts as a pair when they have a first score and a later one in the span, on
different days: first = their earliest score in the span, last = their latest (of two on one
day, the one entered last). For the pairs:

- `mean_change`: the mean of last - first, exact, rounded half-up to 2 decimals;
- `ci95_low`, `ci95_high`: mean ± t(0.975, n-1) × s/√n, s the sample standard deviation
  (n-1), t Student's t quantile (`t_quantile`, computed here: no scipy);
- `improved_meaningfully`: members whose change is at least the measure's meaningful change.

The same figures are given for the assisted pairs apart: a pair is assisted when either of
its two answers was (`--assisted`: the member was helped to answer), as helped answers may
differ from answers given alone. The main figures count every pair, assisted or not.

With fewer pairs than the setting `outcome_min_pairs` (default 10) the figures are withheld
(None) and `withheld` names why (a code: `WITHHELD`); `pairs` is always given. A change in a
handful of people says little, and could be traced back to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy import select
from sqlalchemy.orm import Session

from timebank.ledger.records import settings as settings_module
from timebank.ledger.storage.models import Member, OutcomeMeasure, OutcomeScore

# Why figures are withheld: codes scripts read (the faces put them in words).
NO_PAIRS = "no_pairs"
FEWER_THAN_MINIMUM = "fewer_pairs_than_minimum"
ONE_PAIR = "one_pair"  # no spread to measure: an interval needs two pairs
WITHHELD = (NO_PAIRS, FEWER_THAN_MINIMUM, ONE_PAIR)

CENT = Decimal("0.01")


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The t with P(T ≤ t) = p (0.5 < p < 1), by bisection on `t_cdf`."""
    assert 0.5 < p < 1 and df >= 1
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _step in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one group of pairs; all but `pairs` None when `withheld` is set."""

    pairs: int
    mean_change: Decimal | None
    ci95_low: Decimal | None
    ci95_high: Decimal | None
    improved_meaningfully: int | None
    withheld: str | None


@dataclass(frozen=True, slots=True)
class MeasureFigures:
    measure: str
    meaningful_change: Decimal
    all: Figures
    assisted: Figures


@dataclass(frozen=True, slots=True)
class OutcomesReport:
    start: date
    end: date
    min_pairs: int
    centre: str | None
    measures: list[MeasureFigures]


def figures(changes: list[Decimal], meaningful: Decimal, min_pairs: int) -> Figures:
    """The figures of these changes (last - first, one for each pair)."""
    n = len(changes)
    reason = NO_PAIRS if n == 0 else FEWER_THAN_MINIMUM if n < min_pairs else ONE_PAIR if n < 2 else None
    if reason is not None:
        return Figures(n, None, None, None, None, reason)
    with localcontext() as context:
        context.prec = 40
        mean = sum(changes, Decimal(0)) / n
        variance = sum(((c - mean) ** 2 for c in changes), Decimal(0)) / (n - 1)
        margin = Decimal(repr(t_quantile(0.975, n - 1))) * variance.sqrt() / Decimal(n).sqrt()
        low, high = cents(mean - margin), cents(mean + margin)
    improved = sum(1 for c in changes if c >= meaningful)
    return Figures(n, cents(mean), low, high, improved, None)


def outcomes_report(session: Session, start: date, end: date, centre: str | None = None) -> OutcomesReport:
    """Every measure's figures for the span (of one centre's members: their home centre)."""
    min_pairs = settings_module.load(session).outcome_min_pairs
    query = (select(OutcomeScore.measure, OutcomeScore.member, OutcomeScore.day, OutcomeScore.id, OutcomeScore.score,
                    OutcomeScore.assisted)
             .where(OutcomeScore.day >= start, OutcomeScore.day <= end))
    if centre is not None:
        query = query.join(Member, Member.number == OutcomeScore.member).where(Member.centre == centre)
    # Each member's first and last score of each measure, in the order of day then entry.
    ends: dict[tuple[int, int], list[tuple[date, int, Decimal, bool]]] = {}
    for measure_id, member, day, score_id, score, assisted in session.execute(query):
        answer = (day, score_id, Decimal(score or "0"), bool(assisted))
        found = ends.get((measure_id, member))
        if found is None:
            ends[(measure_id, member)] = [answer, answer]
        else:
            found[0] = min(found[0], answer, key=lambda a: (a[0], a[1]))
            found[1] = max(found[1], answer, key=lambda a: (a[0], a[1]))
    rows = []
    for measure in session.scalars(select(OutcomeMeasure).order_by(OutcomeMeasure.id)):
        meaningful = Decimal(measure.meaningful_change)
        everyone: list[Decimal] = []
        helped: list[Decimal] = []
        for (scored, _member), (first, last) in sorted(ends.items()):
            if scored != measure.id or first[0] == last[0]:
                continue
            change = last[2] - first[2]
            everyone.append(change)
            if first[3] or last[3]:
                helped.append(change)
        rows.append(MeasureFigures(measure.name, meaningful, figures(everyone, meaningful, min_pairs),
                                   figures(helped, meaningful, min_pairs)))
    return OutcomesReport(start, end, min_pairs, centre, rows)
