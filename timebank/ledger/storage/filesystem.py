"""File operations whose behaviour differs between operating systems, written once.

- Replacing a file: Windows refuses `os.replace` onto a file that another program has open
  (a ledger another timebank is using, a CSV open in Excel), where Linux and macOS allow it.
  `replace` says so in one line and leaves the target exactly as it was.
- Owner-only modes: POSIX systems have them; Windows, and FAT or network drives mounted on
  Linux, do not, and refuse or ignore `chmod`. `make_private` sets them where they exist and
  carries on quietly where they do not.

Anything that must be new or untouched on disk goes through here, so a Windows laptop gets
the same clear answers as this machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from timebank.ledger.errors import Refused
from timebank.ledger.messages import _


def replace(temporary: Path, target: Path) -> None:
    """Put `temporary` in the place of `target` in one step. If the system refuses (Windows:
    another program has the target open), the target is left as it was, the temporary file
    is removed, and the refusal is one line."""
    try:
        os.replace(temporary, target)
    except PermissionError:
        try:
            temporary.unlink()
        except OSError:
            pass
        raise Refused(_("{path} was not replaced: another program has it open, or it is read-only. It is as it "
                        "was; close the other program and try again.").format(path=target)) from None


def make_private(path: Path, mode: int = 0o600) -> None:
    """Owner-only permissions where the file system has them; nothing (and no error) where
    it does not."""
    try:
        os.chmod(path, mode)
    except (OSError, NotImplementedError):
        pass
