"""Errors a user can cause, as data: each carries its exit code, what to say (a `Message` of
`timebank.ledger.messages`, translated by the face in the reader's language) and, where one
helps, a hint. The core never names a command-line flag: a face that has one adds it."""

from __future__ import annotations

from timebank.ledger.messages import Phrase, _


class TimebankError(Exception):
    """A refused or failed request: a face says `phrase` (and `hint`) and exits with `code`."""

    code = 1

    def __init__(self, phrase: Phrase, hint: Phrase | None = None) -> None:
        super().__init__(str(phrase))
        self.phrase = phrase
        self.hint = hint


class NotFound(TimebankError):
    pass


class InvalidInput(TimebankError):
    pass


class Refused(TimebankError):
    pass


class Duplicate(Refused):
    """What looks like a second copy of something already recorded: a person at the keyboard
    is asked `question`; a script must say it is meant (the command line's --again)."""

    def __init__(self, phrase: Phrase, question: Phrase) -> None:
        super().__init__(phrase)
        self.question = question


class OverLimit(Refused):
    """A receiver this exchange would take below the credit limit: a person at the keyboard
    of the screen is asked `question`; the command line needs --allow-overdraft."""

    def __init__(self, phrase: Phrase, question: Phrase, reason: Phrase) -> None:
        super().__init__(phrase)
        self.question = question
        self.reason = reason


class TradesRefused(Refused):
    """A partner bank's file that cannot be taken because of some of its trades: the refusal
    says how many (one line), `rows` what is wrong with each (a face lists them first, one a
    line)."""

    def __init__(self, phrase: Phrase, rows: list[Phrase]) -> None:
        super().__init__(phrase)
        self.rows = rows


class FileExists(Refused):
    """An output file is already there: a face offers its own way to replace it (--force).
    `path` is the file's name as the refusal shows it."""

    def __init__(self, path: str) -> None:
        super().__init__(_("{path} already exists.").format(path=path))
        self.path = path


class LedgerMissing(TimebankError):
    pass


class LedgerUnusable(TimebankError):
    pass


class CheckFailed(TimebankError):
    pass


class UsageProblem(TimebankError):
    """A malformed command line that the option parser cannot see (exit 2, like it)."""

    code = 2


def os_reason(error: OSError) -> Phrase:
    """Why the operating system said no, as words the face can translate (its own text is
    English, and stays as it is only for a reason this table does not know)."""
    import errno

    reasons = {
        errno.ENOENT: _("no such file or folder"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"),
        errno.ENOSPC: _("the disk is full"),
        errno.EISDIR: _("it is a folder"),
        errno.ENOTDIR: _("part of the path is not a folder"),
        errno.EROFS: _("the file system is read-only"),
        errno.EEXIST: _("it already exists"),
        errno.ENAMETOOLONG: _("the name is too long"),
        errno.EIO: _("the device reported an input/output error"),
    }
    return reasons.get(error.errno or 0, error.strerror or str(error))
