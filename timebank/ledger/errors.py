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


class LedgerMissing(TimebankError):
    pass


class LedgerUnusable(TimebankError):
    pass


class CheckFailed(TimebankError):
    pass


class UsageProblem(TimebankError):
    """A malformed command line that the option parser cannot see (exit 2, like it)."""

    code = 2
