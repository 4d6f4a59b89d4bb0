"""UK GDPR erasure: a member's name, contact details and notes go from wherever the ledger
keeps them (their row, their listings' notes, the audit's stored details and import file
names, other people's free text that mentions them, `recorded_by`/`by` where they recorded
with `--by`, the settings such as the contact line printed on statements); their
number, dates and exchanges stay, so every balance still adds up. Closing their listings
and scrubbing the database files are the `forget` action's other steps (`actions`).

Texts are compared by meaning, not spelling (`fold`): after Unicode NFKC, without case or
accents, every apostrophe (' ’ ‘ ʼ ′ ` ´) as one and every hyphen or dash as one, soft
hyphens and zero-width characters left out, in any script. A name word stands between
anything but letters (digits, underscores and dots part the words of a file name).

What identifies a person, and is erased wherever it stands (any case, with a possessive 's):
- a name of two or more words (as they are called now, and as they were called before an
  edit; their sort-as name), its words parted by any spacing or punctuation; their first
  name and surname without the middle ones; the first name's initial or start with the
  surname ("Z. Quimbyworth", "Zeb Quimbyworth"); their e-mail; their phone number (the
  digits however spaced, national or +44);
- each word of their names ("Quimbyworth", "O'Brien" however its apostrophe is written or
  left out), unless it is a common English or Welsh word ("Rose", "Gwyn": `common_words`)
  or a word of another member's name ("Jones" of "Gareth Jones"). Such a word is erased
  only next to another of their names or initials ("Rose Quimbyworth"), or written as a
  name in a text about them (their own exchanges' notes, events about them, a text holding
  one of the identifiers above) where it is not part of a longer name ("Gareth Jones",
  "Jones Hall", "Banc Amser Cymru"). Every mention kept is listed in the preview, with why.
- a name word as Welsh mutates it ("i Wenllïan", "fy Ngwenllïan", "a Phritchard"): as the
  word itself when the form is long and the name theirs alone, else only beside their names.
A full postcode in their area becomes its district ("CF32 8AB" -> "CF32").

`plan_erasure` works out every change without making it: the preview a coordinator sees
before `--yes`, and exactly what `forget_member` then does.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from timebank.ledger.basics.common_words import is_common
from timebank.ledger.basics.text import ERASED
from timebank.ledger.errors import Refused
from timebank.ledger.integrity import chain
from timebank.ledger.messages import _
from timebank.ledger.basics.dates import today
from timebank.ledger.records import audit, membership
from timebank.ledger.storage.models import (AuditEvent, Entry, Exchange, Listing, Member, OutcomeMeasure, OutcomeScore,
                                          Setting)

PERSONAL_FIELDS = ("name", "sort_as", "email", "phone", "note")
IDENTIFYING_FIELDS = ("name", "sort_as", "email", "phone")
# Values that are digests or identities, never text about a person.
DIGEST_KEYS = frozenset({"sha256", "content", "ledger", "bound", chain.RESEALED, chain.ERASED_PARTS})
# Words that join a name without being one ("Lowri ap Rhys", "Ludwig van Beethoven").
PARTICLES = frozenset({"ap", "ab", "ferch", "verch", "de", "da", "di", "du", "van", "von", "der", "den", "le", "la",
                       "del", "della", "y", "and", "a", "ac", "the"})
# Before a name, these make it more surely the person's (not another name's first word).
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "revd", "cllr", "prof", "sir", "dame", "parch",
                    "y parch", "mrs.", "mr.", "dr."})


# Finding mentions -------------------------------------------------------------------------------

# Written as one character, compared as one: every apostrophe, and every hyphen and dash.
APOSTROPHES = "'\u2019\u2018\u02bc\u2032`\u00b4"
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
# Characters that show nothing (soft hyphen, zero-width and direction marks): left out.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
# Why a mention is kept (the preview says it in words).
COMMON = "common"        # the name word is also a common word ("Rose", "Gwyn")
OTHER = "other"          # it is (part of) another member's name
ALONE = "alone"          # it stands alone in a text not about them


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in INVISIBLE:
        return ""
    if ch in APOSTROPHES:
        return "'"
    if ch in HYPHENS:
        return "-"
    # Compatibility forms (full-width letters, ligatures) as their letters, then no case,
    # then no accents (the case-folded form decomposed, its combining marks left out).
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", ch).casefold())
    return "".join("'" if c in APOSTROPHES else "-" if c in HYPHENS else c
                   for c in folded if not unicodedata.combining(c) and c not in INVISIBLE)


def fold_map(text: str) -> tuple[str, list[int] | None]:
    """The text compared by meaning (NFKC, no case, no accents, one apostrophe, one hyphen,
    nothing invisible), and for each of its characters the index of the original character
    (None when they are the same length and place, as for plain ASCII)."""
    if text.isascii():
        return text.lower().replace("`", "'"), None
    folded: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        for piece in _fold_char(ch):
            folded.append(piece)
            where.append(index)
    where.append(len(text))
    return "".join(folded), where


def fold(text: str) -> str:
    return fold_map(text)[0]


_LETTER = r"[^\W\d_]"
# A name's words in folded text: letters, joined inside by an apostrophe or a hyphen.
_TOKEN = re.compile(_LETTER + r"+(?:['-]" + _LETTER + r"+)*")
_NUMBERED = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# A name word stands between anything but letters: digits, underscores and dots separate
# words in a file name ("zebedee_quimbyworth_members.csv").
_START = r"(?<!" + _LETTER + r")"
_END = r"(?:'s)?(?!" + _LETTER + r")"
_SEP = r"[\s_.,'-]*[\s_.,-][\s_.,'-]*"
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})(?![A-Za-z0-9])")
# A name as written (NFC), for the database's filter: letters joined by any apostrophe or hyphen.
_WRITTEN = re.compile(_LETTER + r"+(?:[" + re.escape(APOSTROPHES + HYPHENS) + "]" + _LETTER + r"+)*")
_JOINERS = re.compile("[" + re.escape(APOSTROPHES + HYPHENS) + "]")


def district(area: str) -> str:
    """Each full UK postcode in an area reduced to its district ('CF32 8AB' -> 'CF32')."""
    return _POSTCODE.sub(lambda m: m.group(1), area)


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+") or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") else digits
        national = "0" + digits[2:] if digits.startswith("44") else None
        international = digits[2:] if digits.startswith("44") else None
    else:
        national = digits
        international = digits[1:] if digits.startswith("0") else None
    if len(national or digits) < 6:
        return None  # too short to be anyone's number rather than any number
    sep = r"[\s().\-/]*"
    forms = []
    if national:
        forms.append(sep.join(national))
    if international:
        forms.append(r"(?:\+|00)\s*44\s*(?:\(0\)\s*)?" + sep.join(international))
    return r"(?<![\d+])(?:" + "|".join(forms) + r")(?!\d)"


def name_words(name: str) -> list[str]:
    """The folded words of a name: each word as written ("o'brien", "smith-jones") and
    each part of a hyphenated one ("smith", "jones")."""
    words: list[str] = []
    for token in _TOKEN.findall(fold(name)):
        words.append(token)
        if "-" in token:
            words += token.split("-")
    return words


def _word_pattern(word: str) -> str:
    """A folded name word with its inner apostrophes and hyphens written any way, or left out
    ("O'Brien", "O Brien", "OBrien")."""
    return r"[-'\s_]?".join(re.escape(part) for part in re.split(r"['-]", word))


def _meaningful(word: str) -> bool:
    return word not in PARTICLES and len(word.replace("'", "").replace("-", "")) >= 2


@dataclass
class Identity:
    """What identifies one member, compiled for searching folded text."""

    strong: re.Pattern[str] | None     # full names, e-mails, phone numbers: erased wherever
    weak: re.Pattern[str] | None       # each single name word
    free: frozenset[str]               # name words that are neither common nor another's name
    own_words: frozenset[str]          # folded words of their names
    other_names: frozenset[str]        # folded words of other members' names
    runs: list[str]                    # pieces of text as written, for the database's cheap filter

    @classmethod
    def of(cls, names: Iterable[str], emails: Iterable[str | None], phones: Iterable[str | None],
           other_names: Iterable[str]) -> "Identity":
        strong: list[str] = []
        own: set[str] = set()
        weak: set[str] = set()
        runs: set[str] = set()
        names = {n.strip() for n in names if n and n.strip()}
        for name in names:
            own.update(name_words(name))
        # Another member's name words, shared with theirs or not ("Jones" of "Gareth Jones").
        others = {w for name in other_names for w in name_words(name or "")}
        for name in names:
            words = name_words(name)
            own.update(words)
            weak.update(w for w in words if _meaningful(w))
            tokens = _TOKEN.findall(fold(name))
            meaningful = [t for t in tokens if _meaningful(t)]
            # A number in a name ("Cylch 2") is part of it: the whole name holds it, and no
            # shorter form of the name stands for it.
            numbered = _NUMBERED.findall(fold(name))
            if len(numbered) > len(tokens) and len(numbered) >= 2:
                strong.append(r"(?<![^\W_])" + _SEP.join(_word_pattern(t) for t in numbered) + r"(?:'s)?(?![^\W_])")
            elif len(tokens) >= 2:
                # The whole name, its words parted by any spacing or punctuation.
                strong.append(_START + _SEP.join(_word_pattern(t) for t in tokens) + _END)
            if len(meaningful) >= 2 and len(numbered) == len(tokens):
                first, last = meaningful[0], meaningful[-1]
                # First name and surname without the middle ones; the first name's initial
                # ("Z. Quimbyworth", "Z Quimbyworth") or its start ("Zeb Quimbyworth").
                strong.append(_START + _word_pattern(first) + _SEP + _word_pattern(last) + _END)
                # Without a dot, or shortened, only before a surname that is theirs alone
                # ("a smith" is no initial).
                surname_free = last not in others and not is_common(last)
                strong.append(_START + re.escape(first[0]) + (r"(?:\.[\s_]*|[\s_]+)" if surname_free else r"\.\s*")
                              + _word_pattern(last) + _END)
                starts = [first[:n] for n in range(3, len(first)) if first[n - 1].isalpha()]
                if starts and surname_free:
                    strong.append(_START + "(?:" + "|".join(map(re.escape, sorted(starts, key=len, reverse=True)))
                                  + r")\.?" + _SEP + _word_pattern(last) + _END)
            runs.update(_filter_runs(name))
        for email in {e.strip() for e in emails if e and e.strip()}:
            strong.append(r"(?<![\w.+-])" + re.escape(fold(email)) + r"(?![\w-])")
            runs.update(_ascii_runs(email))
        for phone in {p for p in phones if p and p.strip()}:
            pattern = _phone_pattern(phone)
            if pattern:
                strong.append(pattern)
                digits = re.sub(r"\D", "", phone)
                runs.add(digits[-4:])  # the last four digits, however the rest was spaced
        free = {w for w in weak if w not in others and not is_common(w)}
        # Welsh mutates a name's first sound ("i Wenllïan", "fy Ngwenllïan", "a Chatrin"): a
        # mutated form stands for the name too -- wherever it stands when it is long and the
        # name is theirs alone, else as a name word bound to the others.
        for word in list(weak):
            for form in mutations(word):
                if form not in own and form not in others and len(form) >= 3:
                    weak.add(form)
                    if word in free and len(form) >= 5 and not is_common(form):
                        free.add(form)
        alternatives = sorted(weak, key=len, reverse=True)
        return cls(re.compile("|".join(f"(?:{p})" for p in strong)) if strong else None,
                   re.compile(_START + "(" + "|".join(_word_pattern(w) for w in alternatives) + ")" + _END)
                   if weak else None,
                   frozenset(free), frozenset(own), frozenset(others), sorted(runs))

    def _word(self, matched: str) -> str | None:
        """Which of their name words a weak match is (written any way)."""
        bare = re.sub(r"[-'\s_]", "", matched)
        for word in self.own_words:
            if re.sub(r"[-']", "", word) == bare:
                return word
        return None

    def scan(self, text: str, linked: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
        """The spans of `text` to erase, and the spans of name words kept with why (COMMON,
        OTHER or ALONE)."""
        if not text:
            return [], []
        folded, where = fold_map(text)

        def original(span: tuple[int, int]) -> tuple[int, int]:
            if where is None:
                return span
            return where[span[0]], where[span[1] - 1] + 1 if span[1] > span[0] else where[span[0]]

        erase = [m.span() for m in self.strong.finditer(folded)] if self.strong else []
        bound: list[tuple[int, int, str]] = []
        if self.weak is not None:
            for match in self.weak.finditer(folded):
                start, end = match.span()
                if any(s < end and start < e for s, e in erase):
                    continue
                word = self._word(match.group(1)) or match.group(1)
                if word in self.free:
                    erase.append((start, end))   # their own: wherever it stands, however written
                else:
                    bound.append((start, end, word))
        # A common word or another's name stands for them next to another of their names
        # ("Rose Quimbyworth"), or alone in a text about them when written as a name.
        kept: list[tuple[int, int, str]] = []
        changed = True
        while changed:
            changed = False
            for item in list(bound):
                start, end, word = item
                if any(_adjacent(folded, (start, end), span) for span in erase):
                    erase.append((start, end))
                    bound.remove(item)
                    changed = True
        for start, end, word in bound:
            o_start, o_end = original((start, end))
            capital = text[o_start].isupper()
            if capital and self._part_of_another_name(text, o_start, o_end):
                kept.append((o_start, o_end, OTHER))
            elif linked and capital:
                erase.append((start, end))
            else:
                kept.append((o_start, o_end, OTHER if word in self.other_names else
                             COMMON if is_common(word) else ALONE))
        return sorted(original(span) for span in erase), sorted(kept)

    def identifies(self, *texts: str | None) -> bool:
        """Whether any of these texts holds one of the strong identifiers: then a name word
        in any text of the same record stands next to another identifier."""
        return self.strong is not None and any(text and self.strong.search(fold(text)) for text in texts)

    def _part_of_another_name(self, text: str, start: int, end: int) -> bool:
        after = re.match(r"[ \t]+(\w[\w'’-]*)", text[end:])
        if after and after.group(1)[0].isupper() and fold(after.group(1)) not in self.own_words:
            return True
        before = re.search(r"(\w[\w'’.-]*)[ \t]+$", text[:start])
        if before and before.group(1)[0].isupper():
            word = fold(before.group(1))
            if word in self.own_words or word in TITLES:
                return False
            opening = text[:before.start(1)].rstrip(" \t")
            # A capital that only starts a sentence ("Took Ann home") is no name, unless it
            # is another member's name ("Gareth Jones fixed it").
            if opening == "" or opening[-1] in ".!?:;\n(\"'“‘":
                return word in self.other_names
            return True
        return False


# The initial mutations of Welsh: soft, nasal and aspirate (the radical first; digraphs
# before single letters).
_MUTATIONS = (("ll", ("l",)), ("rh", ("r",)), ("c", ("g", "ngh", "ch")), ("p", ("b", "mh", "ph")),
              ("t", ("d", "nh", "th")), ("g", ("", "ng")), ("b", ("f", "m")), ("d", ("dd", "n")), ("m", ("f",)))


def mutations(word: str) -> list[str]:
    """The mutated forms of a (folded) name word: 'gwenllian' -> 'wenllian', 'ngwenllian'."""
    for radical, forms in _MUTATIONS:
        if word.startswith(radical) and len(word) > len(radical):
            rest = word[len(radical):]
            if radical == "d" and rest.startswith("d"):
                return []  # "dd" is no radical of its own
            return [form + rest for form in forms]
    return []


def _adjacent(folded: str, one: tuple[int, int], other: tuple[int, int]) -> bool:
    gap = folded[one[1]:other[0]] if one[1] <= other[0] else folded[other[1]:one[0]]
    return one != other and len(gap) <= 3 and re.fullmatch(r"[\s_.,-]*", gap) is not None


def _ascii_runs(text: str) -> list[str]:
    parts = re.findall(r"[A-Za-z0-9@.+-]{2,}", text)
    return [max(parts, key=len)] if parts else []


def _filter_runs(name: str) -> set[str]:
    """Pieces of each of a name's words that every spelling of it holds as stored, for the
    database's cheap filter (which compares without case only in ASCII): a run of three or
    more ASCII letters as written ("Brien" of "Seán O’Brien"); for a word without one
    ("Siân", "Ольга", "Γιώργος"), the word as written, without its accents, decomposed,
    in lower, upper and title case, less its last letter (a declension, a final sigma)."""
    runs: set[str] = set()
    for token in _WRITTEN.findall(unicodedata.normalize("NFC", name)):
        for part in _JOINERS.split(token):
            if not _meaningful(fold(part)):
                continue
            ascii_runs = re.findall(r"[A-Za-z]{3,}", part)
            if ascii_runs:
                runs.add(max(ascii_runs, key=len))
                continue
            stem = part[:-1] if len(part) >= 4 else part
            bare = "".join(c for c in unicodedata.normalize("NFD", stem) if not unicodedata.combining(c))
            for form in {stem, bare}:
                for cased in {form, form.lower(), form.upper(), form.title()}:
                    runs.update({unicodedata.normalize("NFC", cased), unicodedata.normalize("NFD", cased)})
    return runs


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    out, at = [], 0
    for start, end in _merged(spans):
        out += [text[at:start], ERASED]
        at = end
    out.append(text[at:])
    return "".join(out)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


# The plan ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """One stored text that erasure changes (or, in `kept`, leaves as it is)."""

    where: str               # "member", "exchange", "listing", "audit", "setting", "outcome"
    key: int | str           # member number, exchange number, listing id, audit event id, setting key, score id
    field: str               # the column, or the key in an audit event's details ("changes.note.old")
    before: str
    after: str
    erased: tuple[str, ...]  # the pieces that go (all of `before` for their own details)
    kept: tuple[str, ...] = ()
    why: tuple[str, ...] = ()  # for each kept piece: COMMON, OTHER or ALONE


@dataclass
class ErasurePlan:
    member: int
    places: list[Place] = field(default_factory=list)
    kept: list[Place] = field(default_factory=list)
    # New values by row: (model, key) -> {column: value}
    changes: dict[tuple[str, int | str], dict[str, Any]] = field(default_factory=dict)
    # Their outcome scores (health data: a special category), deleted whole, by id.
    scores: list[int] = field(default_factory=list)

    @property
    def tables(self) -> list[str]:
        names = {"member": "members", "exchange": "exchanges", "listing": "listings", "audit": "audit",
                 "setting": "settings"}
        return sorted({"members", "audit"} | {names[kind] for kind, _key in self.changes}
                      | ({"outcome_scores"} if self.scores else set()))


def plan_erasure(session: Session, member: Member) -> ErasurePlan:
    """Every change erasing `member` makes, without making it."""
    if member.kind == "pot":
        raise Refused(_("The time bank pot cannot be erased."))
    if member.forgotten is not None:
        raise Refused(_("Member {number} has already been erased.").format(number=member.number))
    plan = ErasurePlan(member.number)
    own_events = list(session.scalars(select(AuditEvent).where(AuditEvent.member == member.number)
                                      .order_by(AuditEvent.id)))
    # What they were called and how to reach them before any edit: the audit of their own
    # `member add` and `member edit` holds the earlier values too.
    earlier = [(key, value) for event in own_events for key, value in _personal_values(_details(event))
               if value != ERASED]
    names = {member.name, *(v for k, v in earlier if k == "name")}
    sort_names = {member.sort_as, *(v for k, v in earlier if k == "sort_as")}
    identity = Identity.of(
        [n for n in names | sort_names if n],
        [member.email, *(v for k, v in earlier if k == "email")],
        [member.phone, *(v for k, v in earlier if k == "phone")],
        [name for (name,) in session.execute(select(Member.name).where(Member.number != member.number,
                                                                         Member.forgotten.is_(None)))])

    # Their own row.
    own: dict[str, Any] = {}
    for column in PERSONAL_FIELDS:
        value = getattr(member, column)
        if value:
            plan.places.append(Place("member", member.number, column, value, ERASED, (value,)))
        own[column] = "" if column == "name" else None
    if member.area and district(member.area) != member.area:
        plan.places.append(Place("member", member.number, "area", member.area, district(member.area),
                                 _postcodes(member.area)))
        own["area"] = district(member.area)
    plan.changes[("member", member.number)] = own

    # Their listings' notes go whole.
    for listing in session.scalars(select(Listing).where(Listing.member == member.number, Listing.note.is_not(None))):
        plan.places.append(Place("listing", listing.id, "note", listing.note or "", "", (listing.note or "",)))
        plan.changes[("listing", listing.id)] = {"note": None}

    # Their outcome scores are health data: the rows go whole (the measure and the day too), not
    # only the values, and the figures of `report outcomes` no longer count them.
    for score, measure in session.execute(
            select(OutcomeScore, OutcomeMeasure.name).join(OutcomeMeasure, OutcomeMeasure.id == OutcomeScore.measure)
            .where(OutcomeScore.member == member.number).order_by(OutcomeScore.id)):
        shown = f"{measure} {score.day.isoformat()}: {score.raw}"
        plan.places.append(Place("outcome", score.id, "score", shown, "", (shown,)))
        plan.scores.append(score.id)

    theirs = set(session.scalars(select(Entry.exchange).where(Entry.member == member.number)))
    dialect = session.get_bind().dialect.name

    def mention(column: QueryableAttribute[Any]) -> ColumnElement[bool]:
        return _may_mention(column, identity.runs, dialect)

    # Exchanges: notes and who recorded them.
    candidates = select(Exchange).where(or_(Exchange.number.in_(select(Entry.exchange).where(
        Entry.member == member.number)), mention(Exchange.note), mention(Exchange.recorded_by)))
    for exchange in session.scalars(candidates.order_by(Exchange.number)):
        linked = exchange.number in theirs or identity.identifies(exchange.note, exchange.recorded_by)
        for column in ("note", "recorded_by"):
            _plan_text(plan, identity, "exchange", exchange.number, column, getattr(exchange, column), linked)

    # Other members' notes and areas, and other people's listing notes.
    for other in session.scalars(select(Member).where(Member.number != member.number, or_(
            mention(Member.note), mention(Member.area))).order_by(Member.number)):
        near = identity.identifies(other.note, other.area)
        for column in ("note", "area"):
            _plan_text(plan, identity, "member", other.number, column, getattr(other, column), near)
    for listing in session.scalars(select(Listing).where(Listing.member != member.number,
                                                         mention(Listing.note)).order_by(Listing.id)):
        _plan_text(plan, identity, "listing", listing.id, "note", listing.note, False)

    # The audit: their own events' personal details go; any event's text that mentions them.
    own_ids = {event.id for event in own_events}
    events = session.scalars(select(AuditEvent).where(or_(
        AuditEvent.member == member.number,
        AuditEvent.exchange.in_(select(Entry.exchange).where(Entry.member == member.number)),
        mention(AuditEvent.details), mention(AuditEvent.by))).order_by(AuditEvent.id))
    for event in events:
        own_event = event.id in own_ids
        linked = own_event or event.exchange in theirs or identity.identifies(event.by, event.details)
        _plan_text(plan, identity, "audit", event.id, "by", event.by, linked)
        details = _details(event)
        if own_event:
            cleaned = _scrub(plan, identity, event.id, _erase_own(plan, event.id, details), True,
                             {*PERSONAL_FIELDS, "area"}, path="")
        else:
            # Another member's own name and contact details are theirs, whatever they share.
            keep = set(IDENTIFYING_FIELDS) if event.action.startswith("member.") else set()
            cleaned = _scrub(plan, identity, event.id, details, linked, keep, path="")
        if cleaned != details:
            plan.changes.setdefault(("audit", event.id), {})["details"] = json.dumps(
                cleaned, ensure_ascii=False, sort_keys=True, default=str)

    # Settings: the contact line printed on every statement may name them or give their phone.
    for setting in session.scalars(select(Setting).order_by(Setting.key)):
        _plan_text(plan, identity, "setting", setting.key, "value", setting.value, identity.identifies(setting.value))
    return plan


def _details(event: AuditEvent) -> dict:
    try:
        value = json.loads(event.details)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _postcodes(area: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _POSTCODE.finditer(area))


def _plan_text(plan: ErasurePlan, identity: Identity, where: str, key: int | str, column: str,
               value: str | None, linked: bool) -> None:
    if not value:
        return
    erase, kept = identity.scan(value, linked)
    pieces, why = tuple(value[s:e] for s, e, _why in kept), tuple(w for _s, _e, w in kept)
    if erase:
        after = _replace(value, erase)
        if where in ("exchange", "audit"):
            after = chain.as_taken_out(value, after)  # words go, nothing is put in: as it will be stored
        plan.places.append(Place(where, key, column, value, after, tuple(value[s:e] for s, e in _merged(erase)),
                                 pieces, why))
        plan.changes.setdefault((where, key), {})[column] = after
    elif kept:
        plan.kept.append(Place(where, key, column, value, value, (), pieces, why))


def _personal_values(details: dict) -> list[tuple[str, str]]:
    """(field, text) of the personal texts in one audit event's details: `member add` stores
    the name and area, `member edit` the old and new value of each changed field."""
    values = [(key, details[key]) for key in (*PERSONAL_FIELDS, "area") if isinstance(details.get(key), str)]
    for name, change in (details.get("changes") or {}).items():
        if name in (*PERSONAL_FIELDS, "area") and isinstance(change, dict):
            values += [(name, v) for v in (change.get("old"), change.get("new")) if isinstance(v, str)]
    return values


def _erase_own(plan: ErasurePlan, event_id: int, details: dict) -> dict:
    """One of their own events: personal fields blanked, areas down to the district."""
    cleaned = json.loads(json.dumps(details))

    def erase(container: dict, key: str, path: str, area: bool = False) -> None:
        value = container.get(key)
        if not isinstance(value, str) or value == ERASED or not value:
            return
        if area or key == "area":
            if district(value) != value:
                plan.places.append(Place("audit", event_id, path, value, district(value), _postcodes(value)))
                container[key] = district(value)
            return
        plan.places.append(Place("audit", event_id, path, value, ERASED, (value,)))
        container[key] = ERASED

    for key in (*PERSONAL_FIELDS, "area"):
        erase(cleaned, key, key)
    for name, change in (cleaned.get("changes") or {}).items():
        if name in (*PERSONAL_FIELDS, "area") and isinstance(change, dict):
            for side in ("old", "new"):
                if name == "area":
                    # An area, before or after an edit, goes down to its district as the
                    # member's own does (it was erased whole: a seal's areas then lost it).
                    erase(change, side, f"changes.{name}.{side}", area=True)
                    continue
                value = change.get(side)
                if isinstance(value, str) and value and value != ERASED:
                    plan.places.append(Place("audit", event_id, f"changes.{name}.{side}", value, ERASED, (value,)))
                    change[side] = ERASED
    return cleaned


def _scrub(plan: ErasurePlan, identity: Identity, event_id: int, value: Any, linked: bool, keep: set[str],
           path: str) -> Any:
    """The same JSON value with every mention erased in its strings (never in its keys),
    leaving the entries named in `keep` (and digests) as they are."""
    if isinstance(value, str):
        erase, kept = identity.scan(value, linked)
        pieces, why = tuple(value[s:e] for s, e, _why in kept), tuple(w for _s, _e, w in kept)
        if erase:
            after = chain.as_taken_out(value, _replace(value, erase))
            plan.places.append(Place("audit", event_id, path or "details", value, after,
                                     tuple(value[s:e] for s, e in _merged(erase)), pieces, why))
            return after
        if kept:
            plan.kept.append(Place("audit", event_id, path or "details", value, value, (), pieces, why))
        return value
    if isinstance(value, list):
        return [_scrub(plan, identity, event_id, item, linked, set(), path) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            if key in DIGEST_KEYS or key in keep:
                out[key] = item
            elif key == "changes" and isinstance(item, dict):
                out[key] = {name: change if name in keep else _scrub(plan, identity, event_id, change, linked,
                                                                     set(), f"{inner}.{name}")
                            for name, change in item.items()}
            else:
                out[key] = _scrub(plan, identity, event_id, item, linked, set(), inner)
        return out
    return value


def _may_mention(column: QueryableAttribute[Any], runs: list[str], dialect: str = "sqlite") -> ColumnElement[bool]:
    """A cheap SQL filter for rows that might mention one of `runs` (pieces every spelling of
    a name holds as stored: `_filter_runs`), in any case where the database can fold it and
    in the usual cases where it cannot. A row holding a character that shows nothing (a soft
    hyphen or a zero-width space can sit inside a name and part any run) is always a
    candidate: such rows are few (none is typed now). Python then decides on whole words, by
    meaning."""
    if not runs:
        return false()
    # One regular expression on PostgreSQL; on SQLite a LIKE for each character is four
    # times faster than one GLOB with a class of them (100,000 notes: 0.11 s against 0.43 s).
    hidden = [column.op("~")(f"[{INVISIBLE}]")] if dialect == "postgresql" else \
        [column.contains(ch) for ch in INVISIBLE]
    return or_(*[column.icontains(run, autoescape=True) for run in runs], *hidden)


# Doing it ---------------------------------------------------------------------------------------

MODELS: dict[str, Any] = {"member": Member, "exchange": Exchange, "listing": Listing, "audit": AuditEvent,
                          "setting": Setting}


def apply_plan(session: Session, by: str, member: Member, plan: ErasurePlan, on: date | None = None) -> int:
    """Make the planned changes and record the erasure. A linked row's text (an exchange's,
    an event's) loses words and never gains any (`chain.take_out`): the erasure's audit
    event lists each part taken out. Returns how many stored texts changed."""
    taken: list[list[Any]] = []
    for (kind, key), values in sorted(plan.changes.items()):
        row: Any = member if kind == "member" and key == member.number else session.get(MODELS[kind], key)
        if row is None:
            continue
        linked_kind = chain.EXCHANGE if kind == "exchange" else chain.AUDIT if kind == "audit" else None
        if linked_kind and row.link is not None:
            wanted = list(chain.personal_text(linked_kind, row))
            for column, value in values.items():
                wanted[chain.COLUMNS[linked_kind].index(column)] = value
            for field_number, index in chain.take_out(linked_kind, row, (wanted[0], wanted[1])):
                taken.append([linked_kind, key, field_number, index])
            continue
        for column, value in values.items():
            setattr(row, column, value)
    for score_id in plan.scores:
        score = session.get(OutcomeScore, score_id)
        if score is not None:
            session.delete(score)  # the records listener writes the row's deletion link
    member.forgotten = audit.now()
    if member.left is None:
        # Erased, the member belongs no more: they count as having left that day (today, or
        # for a restore, the day the ledger it replaces had erased them).
        member.left = on or today()
        membership.close_period(session, member.number, member.left, membership.ERASED)
    session.flush()
    listing: dict[str, Any] = {chain.ERASED_PARTS: taken}
    audit.log(session, by, "member.forget", member=member.number, texts=len(plan.places), **listing)
    return len(plan.places)


def forget_member(session: Session, by: str, member: Member, on: date | None = None) -> int:
    """UK GDPR erasure of one member, in the caller's transaction (`on`: the day they count as
    having left, today by default). Returns how many stored texts were scrubbed."""
    return apply_plan(session, by, member, plan_erasure(session, member), on)


def erased_on(session: Session) -> dict[int, date]:
    """The members erased, and the day each was (a restore erases them again as of that day)."""
    return {number: at.date() for number, at in session.execute(
        select(Member.number, Member.forgotten).where(Member.forgotten.is_not(None))) if at is not None}


def not_yet_erased(session: Session, numbers: set[int]) -> list[Member]:
    """Of these members, the ones whose details are in the ledger (a restored backup brings
    back people erased since it was made)."""
    return list(session.scalars(select(Member).where(Member.number.in_(numbers), Member.forgotten.is_(None))
                                .order_by(Member.number)))
