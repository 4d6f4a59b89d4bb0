"""How the core names a member without choosing a language.

Reports carry a `MemberName` (number, name as stored, and whether it is the pot or an
erased member); the face turns it into words ("Time bank pot", "Member 5 (erased)") in
the language it renders. `message_name` is for the core's own refusals, which the face says in
the interface language like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timebank.ledger.basics.language import sort_key_in
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
    get = key or (lambda item: item)

    def order(item: Any) -> tuple:
        name: MemberName = get(item)
        if name.is_pot:
            return (0, (), name.number)
        if name.erased:
            return (2, (), name.number)
        return (1, sort_key_in(name.sort_as or name.name, lang), name.number)

    return sorted(names, key=order)


def message_name(member: Any) -> Phrase:
    """The member's name for a message: as stored, or words the face translates (the pot,
    an erased member)."""
    if member.kind == "pot":
        return _("Time bank pot")
    if member.forgotten is not None:
        return _("Member {number} (erased)").format(number=member.number)
    return member.name
