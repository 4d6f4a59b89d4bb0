"""How the core names a member without choosing a language.

Reports carry a `MemberName` (number, name as stored, and whether it is the pot or an
erased member); the face turns it into words ("Time bank pot", "Member 5 (erased)") in
the language it renders. `message_name` is for the core's own refusals, which the face says in
the interface language like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timebank.ledger.basics.language import letters_key
from timebank.ledger.messages import Phrase, _


@dataclass(frozen=True, slots=True)
class MemberName:
    number: int
    name: str                 # as stored; "" once erased
    kind: str                 # person, organisation or pot
    erased: bool = False
    sort_as: str | None = None

    @property
    def is_pot(self) -> bool:
        return self.kind == "pot"


def member_name(row: Any) -> MemberName:
    """From a Member or a row with number, kind, name, sort_as and forgotten."""
    return MemberName(row.number, row.name or "", row.kind, row.forgotten is not None,
                      getattr(row, "sort_as", None))


def alphabetical(names: "list[Any]", lang: str, key: Any = None) -> list[Any]:
    """Items in the alphabetical order of `lang`: the pot first, then named members by their
    sort-as name or name, then erased members by number (they have no name to sort by)."""
    items = list(names)
    got: list[MemberName] = [key(item) for item in items] if key is not None else items
    groups = [0 if name.is_pot else 2 if name.erased else 1 for name in got]
    texts = [(name.sort_as or name.name) if group == 1 else "" for name, group in zip(got, groups)]
    keys = [letters_key(text, lang) if text else "" for text in texts]
    numbers = [name.number for name in got]
    # By (group, letters, text, number), sorted from the last to the first: the sort is
    # stable, and a pass over keys of one kind (numbers, or strings) compares them in C,
    # where a tuple of tuples an item cost fifty thousand members' lines 0.2 s.
    order = sorted(range(len(items)), key=numbers.__getitem__)
    # Texts decide only between names of the same letters written differently (Sian, Siân).
    if len(set(zip(keys, texts))) > len(set(keys)):
        order.sort(key=texts.__getitem__)
    for part in (keys, groups):
        order.sort(key=part.__getitem__)
    return [items[i] for i in order]


def message_name(member: Any) -> Phrase:
    """The member's name for a message: as stored, or words the face translates (the pot,
    an erased member)."""
    if member.kind == "pot":
        return _("Time bank pot")
    if member.forgotten is not None:
        return _("Member {number} (erased)").format(number=member.number)
    return member.name
