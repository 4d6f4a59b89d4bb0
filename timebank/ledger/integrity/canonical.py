"""The canonical form of the ledger's history, version 1: the exact bytes each link of the
chain hashes. Pure functions, no database: the write path, `check`, the upgrade that
builds the chain for older ledgers and any outside verifier compute the same bytes.

The chain
---------
Every exchange (with its entries) and every audit event is one link, numbered 1, 2, 3, ...
in the order the writers wrote them (writers take turns: BEGIN IMMEDIATE on SQLite, a
row lock on `alembic_version` on PostgreSQL). Within one transaction links follow the order of writing.

    hash(link n) = SHA-256( hash(link n-1) || content(link n) )      hash(link 0) = 32 zero bytes

content(link) is the UTF-8 encoding of a JSON array, written without whitespace, with
integers in decimal, strings NFC-normalised and escaped minimally (`"` `\\` and control
characters; other characters as themselves), `null` for nothing -- the serialisation RFC
8785 (JCS) gives an array of integers, strings and nulls:

    [2, link, "exchange", number, date, category, minutes, reverses, recorded_at,
        [[member, role, date, minutes], ...], commitment]
    [2, link, "audit", id, at, action, member, exchange, commitment]

- `2` is this version of the form (links written before migration 0008 start with `1` and
  differ only in their commitment, below).
- dates are ISO `YYYY-MM-DD`; moments ISO `YYYY-MM-DDTHH:MM:SS` in UTC, with `.ffffff`
  only when the microseconds are not zero.
- an exchange's entries are sorted: givers before receivers, then by member number.
- `reverses`, `member`, `exchange` are integers or null.
- an exchange that is not help given (its `purpose`, e.g. "opening" for an opening balance
  moved in from another system) carries its purpose as a last element, after the
  commitment: `[..., commitment, "opening"]`. Help -- every exchange written before the
  purpose existed, and nearly every one since -- has no such element, so their links are
  the bytes they always were.
- an exchange recorded at a centre (`TIMEBANK_CENTRE`, `record --centre`; migration 0011)
  carries its purpose and then the centre's code as its last two elements, whatever the
  purpose: `[..., commitment, "help", "BLA"]`. The array's length tells which is there
  (11 elements: help at no centre; 12: a purpose; 13: a purpose and a centre), and an
  exchange at no centre -- every one written before centres existed -- is unchanged.
- an exchange carried out in Welsh (`record --welsh`; migration 0013) carries its purpose,
  its centre's code (null at no centre) and then `true` as its last three elements:
  `[..., commitment, "help", null, true]` (14 elements). An exchange not in Welsh -- every
  one written before the mark existed -- has no such element, so its link is unchanged; a
  reversal carries its original's mark, as it carries its purpose.

Personal text: commitments in parts (version 2)
-----------------------------------------------
What erasure may remove -- the exchange's `recorded_by` and `note`, the audit event's `by`
and `details` (a JSON text that holds names, reasons, file names) -- enters the link only as
a commitment to its parts, so that a word can be taken out without the link changing, and
nothing can be put in:

    split(text)   the text (NFC) cut into tokens, each a *word* -- a run of letters and
                  digits in any script, with apostrophes and hyphens inside it
                  (`\\w(?:[\\w'’‐‑-]*\\w)?`), or the mark "[erased]" -- or a *separator*: a
                  run of anything else, with a backslash escape (`\\n`, `\\u00e1`) and a
                  lone `[` or `\\` tokens of their own. The tokens put together are the text.
    word hash     SHA-256( salt || UTF-8 of the word ), a 16-byte random salt per word
    field         null for no text, else the JSON array of its tokens in order: each word
                  as the lowercase hex of its hash, each separator as itself (a string)
    commitment    lowercase hex of SHA-256( UTF-8 of the JSON array of the fields )
                  -- [recorded_by, note] for an exchange, [by, details] for an event

A separator holds no letter or digit, so it can never be mistaken for a hash. The salts of
a row's words are stored beside it, one after the other (`salt`). Erasure takes words out:
a word's salt goes, but its hash is kept (`redaction`, a JSON array of [field, token index,
hash hex], and the separators between two words taken out as [field, token index,
separator]), so the row still yields the commitment its link was made with. In the text a
run of tokens taken out reads "[erased]" once. The erasure's `member.forget` event lists each
part it took out (`"erased": [[kind, key, field, token index], ...]`). No event can re-bind
a text: a word that is not its hash's preimage breaks the link, and a part taken out that no
erasure lists is named by `check`.

Version 1 (links written before migration 0008) committed the whole personal text with one
salt, `SHA-256(salt || [recorded_by, note])`, and erasure re-bound a rewritten text through a
later event -- which a forged event could do too. The upgrade keeps each such link's
commitment beside its row (`erased_commitment`, so the link verifies as it always did),
commits the row's text in parts as above (`text_commitment`), and binds every one of those
in its own audit event (`ledger.chain`, `"version": 2`, `"bound"`: the hex SHA-256 of the
rows' text commitments in link order, `"texts"`: how many). From then on those texts are
proven by their parts exactly as newer ones are.

Records (version 2)
-------------------
Every change to a member, a period of membership, a category, a setting, a listing (an
offer or a request), a centre or a member's request for their data is a link of its own,
written in the same transaction as the change:

    [2, link, "record", table, key, digest]

- `table` is the table's name: "members", "member_periods", "categories", "settings",
  "listings", "centres", "access_requests"; `key` the row's key as text (a setting's key, a
  category's or a centre's code, the others' number as decimal text).
- `digest` is the lowercase hex of the row's digest as the change left it, or null when the
  change deleted the row:

      commitment = SHA-256( salt || UTF-8 of the JSON array of the row's personal columns )
      digest     = SHA-256( UTF-8 of [table, key, structural columns..., commitment hex] )

  written as the links are. Personal columns (committed): a member's name, sort_as, email,
  phone, note and area; a listing's note; a setting's value; none for periods and
  categories, which commit to `[]` with their salt all the same. Structural columns (in the
  clear, in this order): members kind, lang, joined, left, forgotten, created_at,
  large_print (true or false; migration 0009 relinks every member with it), then the
  member's home centre's code only when they have one (so a member at no centre -- every
  member written before migration 0011 -- has the digest they had); periods
  member, joined, left, ended_by; categories code_cy, name_en, name_cy; settings none;
  listings kind, member, category, opened, closed, closed_because, exchange; centres
  name, created_at (and none personal: a centre is a public place); access_requests (a
  member's request for a copy of their data, UK GDPR Article 15; migration 0012) member,
  received, due, done (none personal: who asked is a number, and what they were sent is not
  kept). Dates and moments as above, integers in decimal, null for nothing. Left out: a
  member's cached balance (proven from the entries), the salt, and the links stamped on
  periods and listings after their event. A new 16-byte salt is drawn each time a row is linked, so an
  old digest cannot confirm a guess at text erased since.
- `records.row_digest` computes the digest, `record_content` below the link's bytes.

Seals
-----
A seal names a link and the start of its hash: `#1532 3f9a2b71c0de55c2` (16 hex digits,
64 bits). `timebank check --seal SEAL` proves that the ledger still holds exactly the
history up to that link.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from json.encoder import encode_basestring
from typing import Any, Iterator

from timebank.ledger.basics.text import ERASED
from timebank.ledger.errors import InvalidInput
from timebank.ledger.messages import _

VERSION = 2
VERSION_1 = 1
GENESIS = bytes(32)
SALT_BYTES = 16
SEAL_DIGITS = 16
# A seal given with fewer digits is refused: 8 (32 bits) were matched by a changed history
# after six minutes of one CPU's search; 16 (64 bits) is what every seal prints.
MIN_SEAL_DIGITS = 16

_sha256 = hashlib.sha256


def nfc(value: str) -> str:
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def string(value: str | None) -> str:
    """A JSON string (or null) in the canonical form."""
    return "null" if value is None else encode_basestring(nfc(value))


def integer(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def day_text(value: date | str) -> str:
    """A date as ISO text: a `date`, or the text SQLite keeps ('2026-11-24')."""
    if isinstance(value, str):
        # As SQLAlchemy reads it: the date at the start of the text.
        return date.fromisoformat(value[:10]).isoformat()
    return value.isoformat()


def moment_text(value: datetime | str) -> str:
    """A moment as ISO text (seconds, and microseconds only when there are some): a
    `datetime`, or the text SQLite keeps ('2026-11-24 10:00:00[.000000]')."""
    if isinstance(value, str):
        if len(value) == 19 and value[10] == " ":
            return value[:10] + "T" + value[11:]
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return value[:10] + "T" + (value[11:19] if value.endswith(".000000") else value[11:])
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None).isoformat(sep="T")


def personal_bytes(personal: tuple[str | None, ...]) -> bytes:
    return ("[" + ",".join([string(part) for part in personal]) + "]").encode("utf-8")


def commitment(salt: bytes, personal: tuple[str | None, ...]) -> bytes:
    """The salted commitment to a row's personal text (32 bytes)."""
    return _sha256(bytes(salt) + personal_bytes(personal)).digest()


# Version 2: text in parts ------------------------------------------------------------------------

# Two groups: a word, or a separator (findall gives one of the two, the other empty).
_TOKEN = re.compile(r"(\[erased\]|\w(?:[\w'’‐‑-]*\w)?)|(\\(?:u[0-9A-Fa-f]{4}|.)|\[|\\|[^\w\\\[]+)", re.S)
assert ERASED == "[erased]"  # the mark is one word of the form


def split(text: str) -> list[tuple[bool, str]]:
    """A text's tokens: (is a word, token), in order; together they are the text (NFC)."""
    return [(True, word) if word else (False, separator) for word, separator in _TOKEN.findall(nfc(text))]


_QUOTED: dict[str, str] = {}


def _quoted(separator: str) -> str:
    """A separator as its JSON string (the few that recur -- ", ", ": " -- worked out once)."""
    found = _QUOTED.get(separator)
    if found is None:
        found = encode_basestring(separator)
        if len(_QUOTED) < 4096:
            _QUOTED[separator] = found
    return found


def _field_items(text: str, salts: Iterator[bytes]) -> str:
    """A field with nothing taken out, as the JSON array its commitment hashes: the common
    case, in one comprehension (`check` runs it for every exchange and event)."""
    sha = _sha256
    return "[" + ",".join(['"' + sha(next(salts) + word.encode("utf-8")).hexdigest() + '"' if word
                           else _quoted(separator) for word, separator in _TOKEN.findall(nfc(text))]) + "]"


def word_count(personal: tuple[str | None, ...]) -> int:
    return sum(1 for text in personal if text for is_word, _token in split(text) if is_word)


def new_salts(personal: tuple[str | None, ...]) -> bytes:
    """A fresh salt for every word of a row's personal text, one after the other."""
    return b"".join(new_salt() for _n in range(word_count(personal)))


class Unfit(ValueError):
    """Stored salts or erased parts that do not fit the stored text."""


def parts_commitment(personal: tuple[str | None, ...], salts: bytes,
                     erased: dict[tuple[int, int], str] | None = None) -> bytes:
    """The commitment (32 bytes) to a row's personal text in parts. `salts`: one per word
    still there; `erased`: (field, token index) -> what stands for each token taken out (a
    word's hash in hex, a separator as itself). A run of tokens taken out reads "[erased]"
    once in the text. Raises `Unfit` when they do not fit the text."""
    salts = bytes(salts)
    if not erased:
        if len(salts) % SALT_BYTES:
            raise Unfit("salts of a wrong length")
        each = iter([salts[i:i + SALT_BYTES] for i in range(0, len(salts), SALT_BYTES)])
        try:
            body = ",".join(["null" if text is None else _field_items(text, each) for text in personal])
        except StopIteration:
            raise Unfit("too few salts") from None
        if next(each, None) is not None:
            raise Unfit("salts left over")
        return _sha256(("[" + body + "]").encode("utf-8")).digest()
    at = 0
    used = 0
    fields: list[str] = []
    for number, text in enumerate(personal):
        if text is None:
            fields.append("null")
            continue
        items: list[str] = []
        index = 0
        for is_word, token in split(text):
            if erased and (number, index) in erased and token == ERASED:
                while (number, index) in erased:  # the run the mark stands for
                    items.append(encode_basestring(erased[(number, index)]))
                    index += 1
                    used += 1
                continue
            if is_word:
                salt = salts[at:at + SALT_BYTES]
                if len(salt) != SALT_BYTES:
                    raise Unfit("too few salts")
                at += SALT_BYTES
                items.append('"' + _sha256(salt + token.encode("utf-8")).hexdigest() + '"')
            else:
                items.append(encode_basestring(token))
            index += 1
        fields.append("[" + ",".join(items) + "]")
    if at != len(salts) or used != len(erased or ()):
        raise Unfit("salts or erased parts left over")
    return _sha256(("[" + ",".join(fields) + "]").encode("utf-8")).digest()


_SHAPES: dict[str, list[bytes | str]] = {}


def shape(text: str) -> list[bytes | str]:
    """A text's tokens as they enter its commitment: each word as its UTF-8 bytes (to be
    hashed with its salt), each separator as its JSON string. Short texts (who recorded, a
    category of note written again and again) are worked out once."""
    found = _SHAPES.get(text)
    if found is None:
        found = [token.encode("utf-8") if is_word else encode_basestring(token) for is_word, token in split(text)]
        if len(text) <= 200:
            if len(_SHAPES) >= 10_000:
                _SHAPES.clear()
            _SHAPES[text] = found
    return found


_PLANS: dict[tuple[str | None, ...], tuple[str, tuple[bytes, ...]]] = {}


def _plan(personal: tuple[str | None, ...]) -> tuple[str, tuple[bytes, ...]]:
    """A personal text's commitment as a %-template with a `%s` for each word's hash, and
    its words (UTF-8): what `commit_new` fills in. Who recorded an import's rows, with no
    note, is the same for a million rows: worked out once."""
    found = _PLANS.get(personal)
    if found is None:
        words: list[bytes] = []
        fields: list[str] = []
        for text in personal:
            if text is None:
                fields.append("null")
                continue
            items: list[str] = []
            for piece in shape(text):
                if isinstance(piece, bytes):
                    words.append(piece)
                    items.append('"%s"')
                else:
                    items.append(piece.replace("%", "%%"))
            fields.append("[" + ",".join(items) + "]")
        found = ("[" + ",".join(fields) + "]", tuple(words))
        if sum(len(text or "") for text in personal) <= 200:
            if len(_PLANS) >= 10_000:
                _PLANS.clear()
            _PLANS[personal] = found
    return found


def commit_new(personal: tuple[str | None, ...]) -> tuple[bytes, bytes]:
    """(commitment, salts) of a text written now: a fresh salt for each word. The writer's
    path, in one pass; `parts_commitment` gives the same bytes."""
    template, words = _plan(personal)
    sha = _sha256
    if not words:
        return sha(template.encode("utf-8")).digest(), b""
    if len(words) == 1:  # who recorded an import's rows, with no note: a million times
        salts = new_salt.take(1)
        return sha((template % (sha(salts + words[0]).hexdigest(),)).encode("utf-8")).digest(), salts
    salts = new_salt.take(len(words))
    hashes = tuple([sha(salts[at:at + SALT_BYTES] + word).hexdigest()
                    for at, word in zip(range(0, len(salts), SALT_BYTES), words)])
    return sha((template % hashes).encode("utf-8")).digest(), salts


def word_hash(salt: bytes, word: str) -> str:
    return _sha256(bytes(salt) + nfc(word).encode("utf-8")).hexdigest()


_HASH = re.compile(r"[0-9a-f]{64}")


def read_redaction(text: str | None) -> dict[tuple[int, int], str]:
    """The tokens a row's `redaction` says were taken out: (field, token index) -> a
    word's hash (hex) or a separator. Raises `Unfit` for anything else."""
    if not text:
        return {}
    import json

    try:
        listed = json.loads(text)
        found = {(int(field), int(index)): str(value) for field, index, value in listed}
    except (ValueError, TypeError) as error:
        raise Unfit("unreadable redaction") from error
    if any(_WORDLIKE.search(value) and not _HASH.fullmatch(value) for value in found.values()):
        raise Unfit("a part taken out is neither a hash nor a separator")
    return found


_WORDLIKE = re.compile(r"\w")


def write_redaction(erased: dict[tuple[int, int], str]) -> str | None:
    if not erased:
        return None
    import json

    return json.dumps([[field, index, value] for (field, index), value in sorted(erased.items())],
                      ensure_ascii=False, separators=(",", ":"))


# The content of a link, as %-templates: (version, link, number or id, ...). `verify` fills
# them in directly for speed; the functions below are the reference.
EXCHANGE_FORMAT = '[%d,%d,"exchange",%d,%s,%s,%d,%s,%s,[%s],"%s"]'
ENTRY_FORMAT = "[%d,%s,%s,%d]"
AUDIT_FORMAT = '[%d,%d,"audit",%d,%s,%s,%s,%s,"%s"]'
ROLES = {"giver": '"giver"', "receiver": '"receiver"'}
# EXCHANGE_FORMAT with the entries of the common exchange written in (one giver, one
# receiver, both on the exchange's day): (giver, day, minutes, receiver, day, minutes) fill
# them. The writer and `verify` fill it in for the million links that are such exchanges.
PAIR_FORMAT = EXCHANGE_FORMAT.replace("[%s]", "[" + ENTRY_FORMAT.replace("%s", ROLES["giver"], 1) + ","
                                      + ENTRY_FORMAT.replace("%s", ROLES["receiver"], 1) + "]")


def entries_text(entries: list[tuple[int, str, str, int]], day: str) -> str:
    """An exchange's entries (member, role, canonical date, minutes) in canonical order."""
    quoted_day = string(day)
    return ",".join([ENTRY_FORMAT % (member, ROLES.get(role) or string(role),
                                     quoted_day if entry_day == day else string(entry_day), amount)
                     for member, role, entry_day, amount in sorted(entries, key=_entry_order)])


HELP = "help"


def with_purpose(content: bytes, purpose: str | None, centre: str | None = None, welsh: bool = False) -> bytes:
    """An exchange's content with its purpose as the last element, when it is not help; with
    a centre, its purpose (help too) and then the centre; in Welsh, its purpose, its centre
    (or null) and then `true`: the length of the array tells the three apart."""
    if welsh:
        return (content[:-1] + b"," + string(purpose or HELP).encode("utf-8") + b"," + string(centre).encode("utf-8")
                + b",true]")
    if centre is not None:
        return (content[:-1] + b"," + string(purpose or HELP).encode("utf-8") + b"," + string(centre).encode("utf-8")
                + b"]")
    if purpose is None or purpose == HELP:
        return content
    return content[:-1] + b"," + string(purpose).encode("utf-8") + b"]"


def exchange_content(link: int, number: int, day: str, category: str, minutes: int, reverses: int | None,
                     recorded_at: str, entries: list[tuple[int, str, str, int]], committed: bytes,
                     purpose: str = HELP, version: int = VERSION, centre: str | None = None,
                     welsh: bool = False) -> bytes:
    """The bytes of an exchange's link. `day`, `recorded_at` and each entry's date are
    already canonical text (`day_text`, `moment_text`); entries are (member, role, date,
    minutes) in any order."""
    return with_purpose((EXCHANGE_FORMAT % (
        version, link, number, string(day), string(category), minutes, integer(reverses), string(recorded_at),
        entries_text(entries, day), committed.hex())).encode("utf-8"), purpose, centre, welsh)


def _entry_order(entry: tuple[int, str, str, int]) -> tuple:
    return (entry[1] != "giver", entry[1], entry[0], entry[3], entry[2])


def audit_content(link: int, event_id: int, at: str, action: str, member: int | None, exchange: int | None,
                  committed: bytes, version: int = VERSION) -> bytes:
    return (AUDIT_FORMAT % (version, link, event_id, string(at), string(action), integer(member), integer(exchange),
                            committed.hex())).encode("utf-8")


RECORD_VERSION = 2


def record_content(link: int, tbl: str, key: str, digest: bytes | None) -> bytes:
    """The bytes of a record link (version 2): `[2,link,"record",table,key,digest]`."""
    return ('[%d,%d,"record",%s,%s,%s]' % (RECORD_VERSION, link, string(tbl), string(key),
                                           "null" if digest is None else '"' + digest.hex() + '"')).encode("utf-8")


class TextCache:
    """Canonical texts worked out once: days (a million exchanges share a thousand),
    categories, actions, who recorded, and the last moment (an import's rows share one)."""

    def __init__(self) -> None:
        self.days: dict[Any, tuple[str, str]] = {}
        self.quoted: dict[Any, str] = {}
        self.personal: dict[Any, bytes] = {}
        self.last_moment: tuple[Any, str] = (None, "")

    def day(self, value: Any) -> tuple[str, str]:
        """(ISO text, JSON string) of a date."""
        found = self.days.get(value)
        if found is None:
            iso = day_text(value)
            found = self.days[value] = (iso, string(iso))
        return found

    def quote(self, value: str) -> str:
        found = self.quoted.get(value)
        if found is None:
            found = self.quoted[value] = string(value)
        return found

    def moment(self, value: Any) -> str:
        raw, quoted = self.last_moment
        if value != raw or raw is None:
            quoted = string(moment_text(value))
            self.last_moment = (value, quoted)
        return quoted

    def recorder(self, by: str | None, note: str | None) -> bytes:
        """The personal text of an exchange, as committed: who recorded it changes rarely."""
        if note is None:
            found = self.personal.get(by)
            if found is None:
                found = self.personal[by] = personal_bytes((by, None))
            return found
        return personal_bytes((by, note))


def link_hash(previous: bytes, content: bytes) -> bytes:
    return _sha256(bytes(previous) + content).digest()


class Salts:
    """Random salts, drawn from the operating system a thousand at a time (one system call
    per salt would cost more than the hashing of an imported row)."""

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0

    def __call__(self) -> bytes:
        if self._at >= len(self._pool):
            self._pool, self._at = os.urandom(SALT_BYTES * 1024), 0
        salt = self._pool[self._at:self._at + SALT_BYTES]
        self._at += SALT_BYTES
        return salt

    def take(self, count: int) -> bytes:
        """`count` salts, one after the other (a row's words, drawn at once)."""
        size = count * SALT_BYTES
        if self._at + size > len(self._pool):
            self._pool, self._at = os.urandom(max(SALT_BYTES * 1024, size)), 0
        salts = self._pool[self._at:self._at + size]
        self._at += size
        return salts


new_salt = Salts()


@dataclass(frozen=True)
class Seal:
    """A link of the chain and its hash: what paper and files carry to anchor the history."""

    link: int
    hash: bytes

    @property
    def text(self) -> str:
        return f"#{self.link} {self.hash.hex()[:SEAL_DIGITS]}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SealQuery:
    """A seal as a person typed it: the link, and the hex digits they gave (a prefix, and
    after an ellipsis a suffix)."""

    link: int
    prefix: str
    suffix: str = ""

    def matches(self, digest: bytes) -> bool:
        text = digest.hex()
        if self.suffix:
            # 'prefix…suffix' abbreviates the seal as printed (its 16 digits).
            printed = text[:SEAL_DIGITS]
            return (len(self.prefix) + len(self.suffix) <= SEAL_DIGITS and printed.startswith(self.prefix)
                    and printed.endswith(self.suffix))
        return text.startswith(self.prefix)

    @property
    def text(self) -> str:
        return f"#{self.link} {self.prefix}" + (f"…{self.suffix}" if self.suffix else "")


_SEAL = re.compile(r"#?\s*([0-9]{1,18})\s+([0-9a-f\s]*?)\s*(?:(?:…|\.\.\.)\s*([0-9a-f\s]*))?")


def parse_seal(text: str) -> SealQuery | None:
    """'#1532 3f9a2b71c0de55c2', '1532 3f9a 2b71 c0de 55c2', '#1532 3f9a2b71…c0de55c2' or the
    full hash; None if it is not a seal, or gives fewer than 16 hex digits (too few to prove
    anything: a history changed on purpose can be ground to match them)."""
    found = _digits(text)
    if found is None or found[1] < MIN_SEAL_DIGITS:
        return None
    return found[0]


def _digits(text: str) -> tuple[SealQuery, int] | None:
    """The seal typed and how many hex digits it gives, whatever their number (None if it is
    not written as a seal at all)."""
    match = _SEAL.fullmatch(text.strip().lower())
    if not match:
        return None
    prefix = re.sub(r"\s", "", match.group(2) or "")
    suffix = re.sub(r"\s", "", match.group(3) or "")
    given = len(prefix) + len(suffix)
    if given == 0 or given > 64 or int(match.group(1)) < 1:
        return None
    return SealQuery(int(match.group(1)), prefix, suffix), given


def read_seal(text: str) -> SealQuery:
    """A seal as typed, or a refusal that shows how to give one."""
    found = _digits(text)
    if found is not None and found[1] < MIN_SEAL_DIGITS:
        raise InvalidInput(_("'{seal}' gives {count} hex digits of the hash: a seal needs all {needed} that "
                             "'timebank check' prints (e.g. '#1532 3f9a2b71c0de55c2'), since a changed history can "
                             "be made to match fewer.").format(seal=text, count=found[1], needed=MIN_SEAL_DIGITS))
    asked = parse_seal(text)
    if asked is None:
        raise InvalidInput(_("'{seal}' is not a seal: give the link number and the 16 hex digits of its hash, as "
                             "'timebank check' prints it (e.g. '#1532 3f9a2b71c0de55c2').").format(seal=text))
    return asked
