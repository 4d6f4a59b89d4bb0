"""Words the core wants said, as data: a catalogue message id with its parameters (and its
plural and count), never translated here. The face that shows them turns them into the
reader's language (the faces' `say`); the core imports no catalogue.

Inside the core, `_("...")` and `ngettext(...)` mark a message exactly as gettext's do (so the
catalogue tools find them) but return a `Message`. `.format(**params)` adds its parameters
and `+` joins pieces, as with the strings they replace; a parameter may itself be a
`Message`, translated in turn. What is not a `Message` (a member's name, a number, a path) is
said as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union


@dataclass(frozen=True, slots=True)
class Message:
    """One catalogue message: its id (the English text), its plural and count where the
    words depend on a number, and the values of its `{placeholders}`."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()
    plural: str | None = None
    n: int = 1

    def format(self, **params: object) -> Message:
        return replace(self, params=self.params + tuple(params.items()))

    def __add__(self, other: Phrase) -> Joined:
        return Joined((self, other))

    def __radd__(self, other: str) -> Joined:
        return Joined((other, self))

    def __str__(self) -> str:
        """The English source text, for logs and tracebacks (a face says it with `say`)."""
        text = self.msgid if self.plural is None or self.n == 1 else self.plural
        params = {key: str(value) if isinstance(value, (Message, Joined)) else value
                  for key, value in self.params}
        return text.format(**params) if params else text


@dataclass(frozen=True, slots=True)
class Joined:
    """Pieces said one after another ("A refusal." + " " + "What to do instead.")."""

    parts: tuple[Phrase, ...]

    def __add__(self, other: Phrase) -> Joined:
        return Joined((*self.parts, other))

    def __radd__(self, other: str) -> Joined:
        return Joined((other, *self.parts))

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


Phrase = Union[str, Message, Joined]
"""Anything the core hands a face to say: plain text is said as it is."""


def _(msgid: str) -> Message:
    """Mark a message for the catalogue; the face translates it."""
    return Message(msgid)


def N_(msgid: str) -> str:
    """Mark a message id kept as plain text (a table of ids), translated where it is shown."""
    return msgid


def ngettext(singular: str, plural: str, n: int) -> Message:
    """A message whose words depend on `n` (Welsh has six forms)."""
    return Message(singular, (), plural, n)


def join(separator: str, pieces: list[Phrase] | tuple[Phrase, ...]) -> Phrase:
    """`separator.join(pieces)` for phrases that may be messages."""
    parts: list[Phrase] = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append(separator)
        parts.append(piece)
    return Joined(tuple(parts))
