"""A realistic demo ledger: Welsh and English names, a year of help, a few mistakes voided."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from timebank.ledger.basics.dates import add_months, today
from timebank.ledger.errors import InvalidInput, TimebankError
from timebank.ledger.records.exchanges import record_exchange, void_exchange
from timebank.ledger.records.listings import add_listing, close_member_listings, meet_request
from timebank.ledger.records.members import add_member, leave_member
from timebank.ledger.storage.models import Member
from timebank.ledger.records.settings import Settings, below_limit

if TYPE_CHECKING:
    from timebank.ledger.storage.db import Ledger

WELSH_FIRST = ["Siân", "Llinos", "Lowri", "Rhys", "Dafydd", "Gwenllïan", "Llŷr", "Eleri", "Iwan", "Gareth",
               "Ffion", "Cerys", "Owain", "Elin", "Rhodri", "Angharad", "Bethan", "Carys", "Dylan", "Emyr",
               "Geraint", "Heledd", "Ieuan", "Mared", "Nia", "Osian", "Tomos", "Catrin", "Huw", "Meinir",
               "Gwilym", "Rhian", "Aled", "Non", "Ffraid", "Tegwen"]
ENGLISH_FIRST = ["James", "Sarah", "David", "Emma", "Peter", "Ruth", "Michael", "Claire", "John", "Helen",
                 "Mark", "Julie", "Thomas", "Karen", "Paul", "Lisa", "Robert", "Mary"]
SURNAMES = ["Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan",
            "Griffiths", "Price", "ap Rhys", "Pritchard", "Llewellyn", "Smith", "Taylor", "Rees", "Powell",
            "Jenkins", "Phillips", "ab Owen", "Bowen"]
ORGANISATIONS = [("Canolfan Gymunedol Blaengarw", "cy"), ("Garw Valley Food Bank", "en"),
                 ("Ysgol Gynradd Blaengarw", "cy")]
AREAS = ["CF32", "CF32", "CF32", "CF31", "CF34", "CF35"]
# (category, relative frequency, typical hours)
CATEGORY_WEIGHTS: list[tuple[str, int, list[float]]] = [
    ("transport", 14, [1, 1.5, 2]), ("gardening", 12, [1, 2, 3]), ("shopping", 10, [0.5, 1]),
    ("companionship", 14, [1, 2]), ("diy", 8, [1, 2, 3]), ("computers", 8, [1, 1.5]),
    ("cooking", 7, [1, 2]), ("childcare", 4, [2, 3]), ("teaching", 5, [1, 2]),
    ("events", 6, [2, 3, 4]), ("admin", 5, [1, 2]), ("other", 3, [1])]
# Notes as a coordinator would type them, in the ledger's language.
NOTES = {"en": {"transport": ["Lift to the surgery", "Lift to Bridgend"],
                "gardening": ["Mowing the lawn", "Planting the veg patch"],
                "computers": ["Setting up video calls", "Help with a new phone"],
                "teaching": ["Welsh conversation class", "Baking lesson"]},
         "cy": {"transport": ["Lifft i'r feddygfa", "Lifft i Ben-y-bont"],
                "gardening": ["Torri'r gwair", "Plannu'r ardd lysiau"],
                "computers": ["Galwadau fideo", "Help gyda'r ffôn newydd"],
                "teaching": ["Gwers sgwrsio Cymraeg", "Gwers bobi"]}}
VOID_REASONS = {"en": ["Recorded twice", "Wrong member"], "cy": ["Cofnodwyd ddwywaith", "Aelod anghywir"]}


def categories_for_offers() -> list[str]:
    return [c for c, _w, _h in CATEGORY_WEIGHTS if c != "other"]


def build_demo(session: Session, by: str, settings: Settings, *, members: int = 40, months: int = 12,
               seed: int = 1) -> dict[str, int]:
    """Fill an empty ledger; the same seed and the same day give the same ledger."""
    if members < 4 or members > 5000:
        raise InvalidInput("members")
    if months < 1 or months > 120:
        raise InvalidInput("months")
    rng = random.Random(seed)
    language = settings.lang if settings.lang in NOTES else "en"
    notes = NOTES[language]
    end = today()
    start = add_months(end.replace(day=1), -months)

    people: list[Member] = []
    used: set[str] = set()
    for index in range(members):
        welsh = rng.random() < 0.65
        pool = WELSH_FIRST if welsh else ENGLISH_FIRST
        for attempt in itertools.count():
            # First name and surname pairs run out after about a thousand members; then
            # a middle name makes room for the five thousand that --members allows.
            middle = f"{rng.choice(pool)} " if attempt >= 20 else ""
            name = f"{rng.choice(pool)} {middle}{rng.choice(SURNAMES)}"
            if name not in used:
                used.add(name)
                break
        # Two thirds are founding members; the rest join through the year.
        joined = start if index < members * 2 // 3 else start + timedelta(days=rng.randrange((end - start).days))
        people.append(add_member(session, by, name=name, area=rng.choice(AREAS),
                                 lang="cy" if welsh and rng.random() < 0.7 else "en", joined=joined,
                                 email=f"aelod{index + 1}@example.org" if rng.random() < 0.5 else None,
                                 again=True))
    organisations = [add_member(session, by, name=name, kind="organisation", area="CF32", lang=lang, joined=start,
                                again=True)
                     for name, lang in ORGANISATIONS]

    # The directory: about half the members offer one or two kinds of help.
    offered: dict[str, list[Member]] = {}
    for member in people:
        if rng.random() < 0.5:
            for category in set(rng.choices(categories_for_offers(), k=rng.choice([1, 2]))):
                add_listing(session, by, "offer", member, category, on=member.joined, lang=language)
                offered.setdefault(category, []).append(member)
    # Gardeners in CF32, the area of the demo's open gardening request: three who stay,
    # and one who leaves (so that matching has someone to skip).
    leavers = set(rng.sample(range(len(people)), k=max(1, members // 20)))
    local = [i for i, m in enumerate(people) if m.area == "CF32"]
    if local:
        leavers.add(local[-1])
    for index in [i for i in local if i not in leavers][:3] + local[-1:]:
        member = people[index]
        if member not in offered.get("gardening", []):
            add_listing(session, by, "offer", member, "gardening", on=member.joined, lang=language)
            offered.setdefault("gardening", []).append(member)

    balances = {m.number: 0 for m in people + organisations}
    categories = [c for c, _w, _h in CATEGORY_WEIGHTS]
    weights = [w for _c, w, _h in CATEGORY_WEIGHTS]
    hours_for = {c: h for c, _w, h in CATEGORY_WEIGHTS}
    recorded = voided = 0
    leave_on = {people[i].number: end - timedelta(days=rng.randrange(20, 200)) for i in leavers}

    day = start
    while day <= end:
        active = [m for m in people if m.joined <= day and leave_on.get(m.number, end + timedelta(1)) > day]
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
            if len(active) < 4:
                break
            category = rng.choices(categories, weights)[0]
            minutes = int(rng.choice(hours_for[category]) * 60)
            giver = rng.choice(active)
            if category == "teaching" and rng.random() < 0.4:
                receivers = rng.sample([m for m in active if m is not giver], k=3)
            elif rng.random() < 0.06:
                receivers = [rng.choice(organisations)]
            else:
                receivers = [rng.choice([m for m in active if m is not giver])]
            if any(below_limit(settings, r.kind, balances[r.number] - minutes) for r in receivers):
                continue
            request = None
            if len(receivers) == 1 and receivers[0].kind == "person" and rng.random() < 0.3:
                asked = max(receivers[0].joined, day - timedelta(days=rng.randrange(0, 21)))
                try:
                    request = add_listing(session, by, "request", receivers[0], category, on=asked, lang=language)
                except TimebankError:
                    request = None  # a voided exchange left their earlier request open
            result = record_exchange(session, by, settings, givers=[giver], receivers=receivers, minutes=minutes,
                                     on=day, category=category, note=rng.choice(notes.get(category, [None])),
                                     again=True, lang=language)
            if request is not None:
                meet_request(session, by, request.id, result.number, day, [receivers[0].number])
            for party, balance in result.balances:
                balances[party.number] = balance
            recorded += 1
            if rng.random() < 0.015:
                void_exchange(session, by, result.number, rng.choice(VOID_REASONS[language]))
                for r in receivers:
                    balances[r.number] += minutes
                balances[giver.number] -= minutes * len(receivers)
                voided += 1
        day += timedelta(days=1)

    for member in people:
        if member.number in leave_on:
            left = leave_member(session, by, member, max(leave_on[member.number], member.joined))
            close_member_listings(session, by, member.number, "left", left)
    # Requests still waiting for help, one of them for gardening in CF32.
    waiting = [m for m in people if m.left is None]
    in_cf32 = [m for m in waiting if m.area == "CF32"]
    if in_cf32:
        add_listing(session, by, "request", rng.choice(in_cf32), "gardening",
                    note=notes["gardening"][0], on=end - timedelta(days=3), lang=language)
    for _ in range(5):
        member = rng.choice(waiting)
        category = rng.choices(categories, weights)[0]
        try:
            add_listing(session, by, "request", member, category, on=end - timedelta(days=rng.randrange(1, 25)),
                        lang=language)
        except TimebankError:
            pass  # they already have an open request for it
    return {"members": len(people) + len(organisations), "exchanges": recorded, "voided": voided}


def make_demo(ledger: "Ledger", by: str, *, name: str, lang: str, members: int = 40, months: int = 12,
              seed: int = 1) -> dict[str, int]:
    """The demo action: an empty ledger (created if need be) filled with a year of help."""
    from timebank.ledger.messages import _
    from timebank.ledger.records import settings as settings_module
    from timebank.ledger.storage.db import writing
    from timebank.ledger.errors import Refused
    from timebank.ledger.schema import ensure_current, has_members, initialise, is_initialised

    if not is_initialised(ledger):
        initialise(ledger, by, name=name, lang=lang)
    else:
        ensure_current(ledger)
        if has_members(ledger):
            raise Refused(_("The ledger at {path} already has members: the demo needs an empty ledger.").format(
                path=ledger.display))
    with writing(ledger) as session:
        return build_demo(session, by, settings_module.load(session), members=members, months=months, seed=seed)
