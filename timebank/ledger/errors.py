"""Errors a user can cause. Each carries its own exit code and a translated message."""

from __future__ import annotations


class TimebankError(Exception):
    """A refused or failed request: the CLI prints the message and exits with `code`."""

    code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TimebankError):
    pass


class InvalidInput(TimebankError):
    pass


class Refused(TimebankError):
    pass


class Duplicate(Refused):
    """What looks like a second copy of something already recorded: a person at the keyboard
    is asked whether it is meant; a script must say so (--again)."""

    def __init__(self, message: str, question: str) -> None:
        super().__init__(message)
        self.question = question


class OverLimit(Refused):
    """A receiver this exchange would take below the credit limit: a person at the keyboard
    of the screen is asked whether to allow it; the command line needs --allow-overdraft."""

    def __init__(self, message: str, question: str, reason: str) -> None:
        super().__init__(message)
        self.question = question
        self.reason = reason


class LedgerMissing(TimebankError):
    pass


class LedgerUnusable(TimebankError):
    pass


class CheckFailed(TimebankError):
    pass


class UsageProblem(TimebankError):
    """A malformed command line that the option parser cannot see (exit 2, like it)."""

    code = 2


def os_reason(error: OSError) -> str:
    """Why the operating system said no, in the output language (its own text is English)."""
    import errno

    from timebank.i18n import _

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
