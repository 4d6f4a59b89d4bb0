"""Member commands: add, list, show, edit, leave, rejoin, forget (and export, in `member_data`)."""

from enum import Enum
from typing import Annotated, Optional

import typer

from timebank.cli.app import ByOption, Format, FormatOption, Lang, MemberArgument, interface, ledger, say, sub_app, user
from timebank.i18n import N_, _, format_date, ngettext


class Kind(str, Enum):
    person = "person"
    organisation = "organisation"


def add(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help=N_("The member's name."), show_default=False)] = None,
    kind: Annotated[Kind, typer.Option("--kind", help=N_("person or organisation."))] = Kind.person,
    area: Annotated[Optional[str], typer.Option(
        "--area", help=N_("Where they live, e.g. a postcode district."))] = None,
    email: Annotated[Optional[str], typer.Option("--email", help=N_("Email address."))] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help=N_("Phone number."))] = None,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help=N_("The member's language: cy or en."))] = None,
    joined: Annotated[Optional[str], typer.Option("--joined", help=N_("Date joined (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", help=N_("A note for coordinators."))] = None,
    sort_as: Annotated[Optional[str], typer.Option("--sort-as", help=N_("Sort under this name instead."))] = None,
    again: Annotated[bool, typer.Option(
        "--again", help=N_("Add them even if an active member has the same name."))] = False,
    centre: Annotated[Optional[str], typer.Option(
        "--centre", metavar=N_("CODE"), help=N_("Their home centre (its code, e.g. BLA)."), show_default=False)] = None,
    by: ByOption = None,
) -> None:
    from timebank.cli.common import ask, interactive, unless_duplicate
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.ledger.basics.text import clean_text
    from timebank.ledger.errors import UsageProblem

    if name is None:
        if not interactive():
            raise UsageProblem(_("Give the member's name, e.g. timebank member add \"Siân Jones\"."))
        # Checked as the ledger will check it, so that a slip is asked again.
        name = ask(_("Name"), lambda text: str(clean_text(text, _("name"), required=True)))
        assert name is not None
    joined_on = parse_date(joined) if joined is not None else None
    the_ledger, who = ledger(ctx), user(by)
    member = unless_duplicate(lambda repeat: actions.add_member(
        the_ledger, who, name=name, kind=kind.value, area=area, email=email, phone=phone,
        lang=lang.value if lang else None, joined=joined_on, note=note, sort_as=sort_as, again=repeat,
        centre=centre), again,
        _("Add --again to add another member with the same name."))
    say(_("Added {name} as member number {number}.").format(name=member.name, number=member.number))


def list_members(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=N_("Include members who have left."))] = False,
    left: Annotated[bool, typer.Option("--left", help=N_("Only members who have left."))] = False,
    search: Annotated[Optional[str], typer.Option("--search", help=N_("Only names or areas containing this."))] = None,
    inactive: Annotated[Optional[int], typer.Option(
        "--inactive", min=1, max=36500, help=N_("Only active members with no exchange in this many days."))] = None,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger import queries
    from timebank.ledger.errors import InvalidInput
    from timebank.render import emit, views

    if all_ and left:
        raise InvalidInput(_("Give either --all or --left, not both."))
    words = interface()
    if inactive is not None:
        sheet = views.inactive(queries.inactive(ledger(ctx), inactive, words.lang), inactive)
    else:
        sheet = views.members(queries.members(ledger(ctx), words.lang, which="all" if all_ else "left" if left
                                              else "active", search=search))
    emit(sheet, fmt.value, words)


def show(ctx: typer.Context, member: MemberArgument, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    found = queries.member_summary(ledger(ctx), member)
    page = views.member_page(found.member, found.balance, found.recent, found.periods)
    emit(page, fmt.value, interface())


def edit(
    ctx: typer.Context,
    member: MemberArgument,
    name: Annotated[Optional[str], typer.Option("--name", help=N_("New name."))] = None,
    area: Annotated[Optional[str], typer.Option("--area", help=N_("New area."))] = None,
    email: Annotated[Optional[str], typer.Option("--email", help=N_("New email address."))] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help=N_("New phone number."))] = None,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help=N_("New language: cy or en."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", help=N_("New note."))] = None,
    sort_as: Annotated[Optional[str], typer.Option("--sort-as", help=N_("New sort-as name."))] = None,
    large_print: Annotated[Optional[bool], typer.Option(
        "--large-print/--no-large-print",
        help=N_("Print their statements in large print (16 pt), with statement --all too; or not."),
        show_default=False)] = None,
    centre: Annotated[Optional[str], typer.Option(
        "--centre", metavar=N_("CODE"), help=N_("New home centre (its code, e.g. BLA)."), show_default=False)] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.render.sheet import member_words
    from timebank.render.views import field_words

    changed_member, fields = actions.edit_member(
        ledger(ctx), user(by), member, name=name, area=area, email=email, phone=phone,
        lang=lang.value if lang else None, note=note, sort_as=sort_as, large_print=large_print, centre=centre)
    words = interface()
    say(_("Changed {fields} for {name} (#{number}).").format(
        fields=field_words(fields, words), name=member_words(changed_member, words), number=changed_member.number))


def leave(
    ctx: typer.Context,
    member: MemberArgument,
    on: Annotated[Optional[str], typer.Option("--date", help=N_("Date they left (default today)."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.render.sheet import member_words

    left_on = parse_date(on) if on is not None else None
    name, day = actions.leave(ledger(ctx), user(by), member, left_on)
    say(_("{name} (#{number}) left on {date}.").format(
        name=member_words(name, interface()), number=name.number, date=format_date(day)))


def rejoin(
    ctx: typer.Context,
    member: MemberArgument,
    on: Annotated[Optional[str], typer.Option("--date", help=N_("Date they rejoined (default today)."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date

    from timebank.render.sheet import member_words

    rejoined_on = parse_date(on) if on is not None else None
    name, day = actions.rejoin(ledger(ctx), user(by), member, rejoined_on)
    say(_("{name} (#{number}) is an active member again from {date}.").format(
        name=member_words(name, interface()), number=name.number, date=format_date(day)))


def forget(
    ctx: typer.Context,
    member: MemberArgument,
    yes: Annotated[bool, typer.Option("--yes", help=N_("Yes, erase them for good."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.cli.common import confirm
    from timebank.ledger import actions
    from timebank.ledger.errors import Refused
    from timebank.render import emit, views

    words = interface()

    def shown_and_agreed(plan) -> bool:
        # What would go, and where; at a terminal the coordinator may say yes to it now.
        emit(views.erasure_preview(plan), "table", words)
        return confirm(_("Erase these details of member {number} for good? This cannot be undone.").format(
            number=plan.member))

    done = actions.forget(ledger(ctx), user(by), member, confirm=True if yes else shown_and_agreed)
    if done.leftovers:
        say(ngettext("{count} copy of the ledger left by a backup or restore that was stopped part way was deleted.",
                     "{count} copies of the ledger left by backups or restores that were stopped part way were "
                     "deleted.", done.leftovers).format(count=done.leftovers))
    if not done.done:
        raise Refused(_("Erasing cannot be undone: add --yes to go ahead."))
    say(_("Member {number} has been erased; their exchanges and balance remain.").format(number=done.number))
    say(ngettext("{count} stored text was erased or cut down.", "{count} stored texts were erased or cut down.",
                 len(done.plan.places)).format(count=len(done.plan.places)))
    if done.files_clean is True:
        say(_("The erased details are gone from the ledger file and its write-ahead log."))
    elif done.files_clean is False:
        say(_("The erased details are not yet gone from the ledger's files: another program holds an older "
              "snapshot of the ledger open, which keeps the old pages. They will be removed at the next "
              "change to the ledger or by 'timebank check': close the other program, then run "
              "'timebank check'."))
    if done.vacuumed is True:
        say(_("PostgreSQL has rewritten the tables that held the details. Older copies can remain in the "
              "server's write-ahead log segments and its backups, which the server's administrator manages."))
    elif done.vacuumed is False:
        say(_("PostgreSQL could not rewrite the tables that held the details now (only their owner may, and "
              "not while others are using them): it keeps the old rows in its table files until VACUUM FULL "
              "runs on {tables}. Older copies can also remain in the server's write-ahead log segments and "
              "its backups, which the server's administrator manages.").format(tables=", ".join(done.plan.tables)))
    if done.backups:
        # A restore erases them again, but the files themselves still hold the details.
        say(ngettext("{count} backup made before now still holds their details: delete it from {folder} "
                     "if the erasure must reach backups too.",
                     "{count} backups made before now still hold their details: delete them from "
                     "{folder} if the erasure must reach backups too.", len(done.backups)).format(
            count=len(done.backups), folder=done.backups_folder))


def register(app: typer.Typer) -> None:
    member_app = sub_app(N_("Add, list, show and change members."))
    app.add_typer(member_app, name="member")
    member_app.command("add", help=N_("Add a member and print their new member number."))(add)
    member_app.command("list", help=N_("List members in alphabetical order, with their balances."))(list_members)
    member_app.command("show", help=N_("A member's details, balance and latest exchanges."))(show)
    member_app.command("edit", help=N_("Change a member's details (an empty value clears a detail)."))(edit)
    member_app.command("leave", help=N_("Mark a member as having left (their exchanges stay)."))(leave)
    member_app.command("rejoin", help=N_("Bring back a member who had left."))(rejoin)
    member_app.command("forget", help=N_("Erase a member's name, contact details and notes (UK GDPR); "
                                         "their number and exchanges stay. Without --yes, shows what would be "
                                         "erased and where."))(forget)
    from timebank.cli import member_data
    from timebank.cli.access_requests import register as register_access_requests

    member_data.register(member_app)
    register_access_requests(member_app)
