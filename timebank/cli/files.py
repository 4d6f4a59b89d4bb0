"""File commands: the accounting journal (and, later, exports and imports)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import state
from timebank.i18n import _


class JournalFormat(str, Enum):
    hledger = "hledger"
    beancount = "beancount"


def register(app: typer.Typer) -> None:
    @app.command("journal", help=_("The whole ledger as an hledger or beancount journal (commodity HRS)."))
    def journal(
        ctx: typer.Context,
        fmt: Annotated[JournalFormat, typer.Option("--format", "-f", help=_("hledger or beancount."))] = JournalFormat.hledger,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help=_("Write to this file instead of the screen."))] = None,
    ) -> None:
        from timebank.io.journal import write_journal
        from timebank.ledger.db import reading

        with reading(state(ctx).ledger()) as session:
            if output is None:
                write_journal(session, sys.stdout, fmt.value)
                return
            from timebank.cli.common import write_file_atomically

            with write_file_atomically(output) as handle:
                count = write_journal(session, handle, fmt.value)
        typer.echo(_("Wrote {count} transactions to {path}.").format(count=count, path=output), err=True)
