"""`member export`: a member's own copy of their data (UK GDPR right of access and portability),
one zip in the member's language."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import ByOption, ForceOption, MemberArgument, interface, ledger, say, user
from timebank.i18n import N_, Words, _, format_date, ngettext


def export(
    ctx: typer.Context,
    member: MemberArgument,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar=N_("FILE.zip"), show_default=False,
        help=N_("The zip to write: a letter (PDF), data.json and CSV files."))] = None,
    force: ForceOption = False,
    by: ByOption = None,
) -> None:
    from timebank.cli.common import write_file_atomically
    from timebank.ledger import actions, queries
    from timebank.ledger.errors import UsageProblem
    from timebank.render.member_copy import write_zip

    if output is None:
        raise UsageProblem(_("Give the file to write with --output, e.g. --output copy.zip."))
    if output.suffix.lower() != ".zip":
        raise UsageProblem(_("The copy is a zip: give a file name ending in .zip, e.g. --output copy.zip."))
    the_ledger, who = ledger(ctx), user(by)
    copy = queries.member_copy(the_ledger, member)
    # In the member's own language, unless the coordinator asked for one with --lang.
    asked = ctx.find_root().params.get("lang") is not None
    words = interface() if asked else Words(copy.member.lang)
    with write_file_atomically(output, binary=True, force=force) as handle:
        files = write_zip(copy, words, handle)
        # On record before the file is in place: a copy that leaves the ledger is in the audit.
        actions.copy_given(the_ledger, who, copy.member.number, files)
    language = _("in Welsh") if words.lang == "cy" else _("in English")
    say(ngettext("Wrote the copy of the data of {name} (member {number}) to {path}: {count} file, {language}.",
                 "Wrote the copy of the data of {name} (member {number}) to {path}: {count} files, {language}.",
                 len(files)).format(name=copy.member.name, number=copy.member.number, path=output,
                                    count=len(files), language=language))
    if copy.removals:
        say(ngettext("Someone else's contact details were taken out of {count} note.",
                     "Someone else's contact details were taken out of {count} notes.",
                     copy.removals).format(count=copy.removals))
    for request in copy.requests:
        if request.done is None:
            say(_("Access request {number} of this member is open (due {due}): once the copy is given to them, "
                  "close it with 'timebank member access-request done {number}'.").format(
                number=request.number, due=format_date(request.due)), err=True)
    if not copy.controller or not copy.retention:
        say(_("The letter says what the ledger does where the time bank has not said: set who is responsible "
              "for members' data and how long it is kept with 'timebank settings set controller TEXT' and "
              "'timebank settings set retention TEXT'."), err=True)


def register(member_app: typer.Typer) -> None:
    member_app.command("export", help=N_("A member's own copy of their data (UK GDPR): one zip in their language "
                                         "with a letter (PDF), data.json and CSV files."))(export)
