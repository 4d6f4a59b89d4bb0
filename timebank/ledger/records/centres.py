"""The centres of a network of time banks sharing one ledger: each a named place with a
short code (`centre add "Canolfan Blaengarw" --code BLA`). Members may have a home centre,
exchanges remember the centre they were recorded at, and every report can be made for one
centre (`reports.centre_view`). A ledger of one place has none, and works as it always did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timebank.ledger.basics.language import fold
from timebank.ledger.basics.text import clean_text
from timebank.ledger.errors import InvalidInput, NotFound, Refused
from timebank.ledger.messages import _
from timebank.ledger.records import audit
from timebank.ledger.storage.models import Centre, Member

# Two to eight letters or digits (kept in capitals): short enough to type at every report.
CODE = re.compile(r"[A-Z0-9]{2,8}")
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class CentreName:
    """A centre as reports and lists carry it."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class CentreRow:
    code: str
    name: str
    members: int  # members whose home centre it is (never the pot), who have not left


def check_code(text: str) -> str:
    code = text.strip().upper()
    if not CODE.fullmatch(code):
        raise InvalidInput(_("'{code}' is not a centre code: use 2 to 8 letters or digits (e.g. BLA).").format(
            code=text.strip()))
    return code


def add_centre(session: Session, by: str, name: str, code: str) -> CentreName:
    """A new centre; its code and its name (ignoring case and accents) are each its own."""
    wanted = check_code(code)
    cleaned = clean_text(name, _("name"), required=True, limit=MAX_NAME)
    assert cleaned is not None  # required
    centres = list(session.scalars(select(Centre)))
    for centre in centres:
        if centre.code == wanted:
            raise Refused(_("There is already a centre with the code {code}: {name}.").format(
                code=centre.code, name=centre.name))
        if fold(centre.name) == fold(cleaned):
            raise Refused(_("There is already a centre called {name} (code {code}).").format(
                name=centre.name, code=centre.code))
    session.add(Centre(code=wanted, name=cleaned, created_at=audit.now()))
    session.flush()
    audit.log(session, by, "centre.add", code=wanted, name=cleaned)
    return CentreName(wanted, cleaned)


def centre_names(session: Session) -> dict[str, CentreName]:
    return {c.code: CentreName(c.code, c.name) for c in session.scalars(select(Centre).order_by(Centre.code))}


def find_centre(session: Session, text: str) -> CentreName:
    """A centre by its code (any case); a refusal lists the codes there are."""
    wanted = text.strip().upper()
    known = centre_names(session)
    found = known.get(wanted)
    if found is not None:
        return found
    if not known:
        raise NotFound(_("There is no centre {code}: this ledger has no centres ('timebank centre add NAME --code "
                         "CODE' adds one).").format(code=text.strip()))
    raise NotFound(_("There is no centre {code}. The centres are: {codes}.").format(
        code=text.strip(), codes=", ".join(known)))


def list_centres(session: Session) -> list[CentreRow]:
    counts = dict(session.execute(select(Member.centre, func.count()).where(
        Member.centre.is_not(None), Member.kind != "pot", Member.left.is_(None)).group_by(Member.centre)).all())
    return [CentreRow(c.code, c.name, int(counts.get(c.code, 0))) for c in centre_names(session).values()]
