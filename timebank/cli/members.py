"""Member commands: add, list, show, edit, leave, rejoin."""


from enum import Enum
from typing import Annotated, Optional

import typer

from timebank.cli.app import Format, Lang, by_option, format_option, state
from timebank.cli.common import hours, signed_hours
from timebank.i18n import _, format_date, ngettext


class Kind(str, Enum):
    person = "person"
    organisation = "organisation"


def kind_name(kind: str) -> str:
    return {"person": _("person"), "organisation": _("organisation"), "pot": _("pot")}.get(kind, kind)


def register(app: typer.Typer) -> None:
    member_app = typer.Typer(help=_("Add, list, show and change members."), no_args_is_help=True)
    app.add_typer(member_app, name="member")
    register_forget(member_app)

    @member_app.command("add", help=_("Add a member and print their new member number."))
    def add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help=_("The member's name."), show_default=False)],
        kind: Annotated[Kind, typer.Option("--kind", help=_("person or organisation."))] = Kind.person,
        area: Annotated[Optional[str], typer.Option("--area", help=_("Where they live, e.g. a postcode district."))] = None,
        email: Annotated[Optional[str], typer.Option("--email", help=_("Email address."))] = None,
        phone: Annotated[Optional[str], typer.Option("--phone", help=_("Phone number."))] = None,
        lang: Annotated[Optional[Lang], typer.Option("--lang", help=_("The member's language: cy or en."))] = None,
        joined: Annotated[Optional[str], typer.Option("--joined", help=_("Date joined (default today)."))] = None,
        note: Annotated[Optional[str], typer.Option("--note", help=_("A note for coordinators."))] = None,
        sort_as: Annotated[Optional[str], typer.Option("--sort-as", help=_("Sort under this name instead."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger import settings as settings_module
        from timebank.ledger.audit import current_user
        from timebank.ledger.dates import parse_date
        from timebank.ledger.db import writing
        from timebank.ledger.members import add_member

        joined_on = parse_date(joined) if joined is not None else None
        with writing(state(ctx).ledger()) as session:
            default_lang = settings_module.load(session).lang
            member = add_member(session, current_user(by), name=name, kind=kind.value, area=area, email=email,
                                phone=phone, lang=lang.value if lang else None, joined=joined_on, note=note,
                                sort_as=sort_as, default_lang=default_lang)
        typer.echo(_("Added {name} as member number {number}.").format(name=member.name, number=member.number))

    @member_app.command("list", help=_("List members in alphabetical order, with their balances."))
    def list_(
        ctx: typer.Context,
        all_: Annotated[bool, typer.Option("--all", help=_("Include members who have left."))] = False,
        left: Annotated[bool, typer.Option("--left", help=_("Only members who have left."))] = False,
        search: Annotated[Optional[str], typer.Option("--search", help=_("Only names or areas containing this."))] = None,
        inactive: Annotated[Optional[int], typer.Option(
            "--inactive", min=1, max=36500, help=_("Only active members with no exchange in this many days."))] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.errors import InvalidInput
        from timebank.ledger.members import list_members
        from timebank.render import column, emit

        if all_ and left:
            raise InvalidInput(_("Give either --all or --left, not both."))
        which = "all" if all_ else "left" if left else "active"
        with reading(state(ctx).ledger()) as session:
            if inactive is not None:
                from timebank.ledger.activity import inactive_members

                rows_inactive = inactive_members(session, inactive)
                _emit_inactive(fmt.value, rows_inactive, inactive)
                return
            rows = list_members(session, which=which, search=search)
        json_rows = [{"number": r.number, "name": r.name, "kind": r.kind, "area": r.area, "lang": r.lang,
                      "joined": r.joined.isoformat(), "left": r.left.isoformat() if r.left else None,
                      "balance_minutes": r.balance_minutes} for r in rows]
        csv_rows = [dict(row, balance_hours=hours(row["balance_minutes"])) for row in json_rows]
        table_rows = [{"number": r.number, "name": r.name, "kind": kind_name(r.kind), "area": r.area or "",
                       "lang": r.lang, "joined": format_date(r.joined),
                       "left": format_date(r.left) if r.left else "", "balance_hours": signed_hours(r.balance_minutes)}
                      for r in rows]
        columns = [column("number", "#", _("number"), "right"), column("name", _("Name"), _("name")),
                   column("kind", _("Kind"), _("kind")), column("area", _("Area"), _("area")),
                   column("lang", _("Language"), _("lang")), column("joined", _("Joined"), _("joined")),
                   column("left", _("Left"), _("left")),
                   column("balance_hours", _("Balance (hours)"), _("balance_hours"), "right")]
        emit(fmt.value, columns, csv_rows, json_rows=json_rows, table_rows=table_rows,
             title=_("Members"), empty=_("No members to show."))

    @member_app.command("show", help=_("A member's details, balance and latest exchanges."))
    def show(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.exchanges import iter_exchanges, member_balance
        from timebank.ledger.members import display_name, find_member
        from timebank.render import column, console, csv_columns, print_table, write_csv, write_json

        with reading(state(ctx).ledger()) as session:
            m = find_member(session, member)
            balance = member_balance(session, m.number)
            recent = list(iter_exchanges(session, member=m.number))[-10:]
            name = display_name(m)
        erased = m.forgotten is not None
        details = {"number": m.number, "name": name, "kind": m.kind, "area": None if erased else m.area,
                   "email": None if erased else m.email, "phone": None if erased else m.phone, "lang": m.lang,
                   "joined": m.joined.isoformat(), "left": m.left.isoformat() if m.left else None,
                   "note": None if erased else m.note, "sort_as": None if erased else m.sort_as,
                   "balance_minutes": balance}
        lines = [{"number": r.number, "date": r.date.isoformat(), "minutes": _signed(r, m.number),
                  "others": r.receiver_names if m.number in r.givers else r.giver_names,
                  "category": r.category} for r in reversed(recent)]
        if fmt == Format.json:
            write_json(dict(details, exchanges=lines))
            return
        if fmt == Format.csv:
            write_csv(csv_columns(details), [details])
            return
        out = console()
        labels = [("number", _("Member number")), ("name", _("Name")), ("kind", _("Kind")), ("area", _("Area")),
                  ("email", _("Email")), ("phone", _("Phone")), ("lang", _("Language")), ("joined", _("Joined")),
                  ("left", _("Left")), ("note", _("Note"))]
        shown = dict(details, kind=kind_name(m.kind), joined=format_date(m.joined),
                     left=format_date(m.left) if m.left else None)
        out.print(f"{name} (#{m.number})", style="bold")
        for key, label in labels:
            if shown.get(key) not in (None, ""):
                out.print(f"  {label}: {shown[key]}", markup=False)
        out.print("  " + _("Balance: {hours} hours").format(hours=signed_hours(balance)), markup=False)
        if lines:
            print_table(_("Latest exchanges"),
                            [column("number", "#", "", "right"), column("date", _("Date")),
                             column("others", _("With")), column("category", _("Category")),
                             column("hours", _("Hours"), "", "right")],
                            [{"number": l["number"], "date": format_date(r.date), "others": ", ".join(l["others"]),
                              "category": r.category_name, "hours": signed_hours(l["minutes"])}
                             for l, r in zip(lines, reversed(recent))])
        else:
            out.print(_("No exchanges yet."))

    def _edit_options(name: Optional[str], area: Optional[str], email: Optional[str], phone: Optional[str],
                      lang: Optional[Lang], note: Optional[str], sort_as: Optional[str]) -> dict:
        return {"name": name, "area": area, "email": email, "phone": phone,
                "lang": lang.value if lang else None, "note": note, "sort_as": sort_as}

    @member_app.command("edit", help=_("Change a member's details (an empty value clears a detail)."))
    def edit(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        name: Annotated[Optional[str], typer.Option("--name", help=_("New name."))] = None,
        area: Annotated[Optional[str], typer.Option("--area", help=_("New area."))] = None,
        email: Annotated[Optional[str], typer.Option("--email", help=_("New email address."))] = None,
        phone: Annotated[Optional[str], typer.Option("--phone", help=_("New phone number."))] = None,
        lang: Annotated[Optional[Lang], typer.Option("--lang", help=_("New language: cy or en."))] = None,
        note: Annotated[Optional[str], typer.Option("--note", help=_("New note."))] = None,
        sort_as: Annotated[Optional[str], typer.Option("--sort-as", help=_("New sort-as name."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing
        from timebank.ledger.members import display_name, edit_member, find_member

        with writing(state(ctx).ledger()) as session:
            m = find_member(session, member)
            changed = edit_member(session, current_user(by), m,
                                  **_edit_options(name, area, email, phone, lang, note, sort_as))
            typer.echo(_("Changed {fields} for {name} (#{number}).").format(
                fields=", ".join(changed), name=display_name(m), number=m.number))

    @member_app.command("leave", help=_("Mark a member as having left (their exchanges stay)."))
    def leave(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        on: Annotated[Optional[str], typer.Option("--date", help=_("Date they left (default today)."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.dates import parse_date
        from timebank.ledger.db import writing
        from timebank.ledger.members import display_name, find_member, leave_member

        left_on = parse_date(on) if on is not None else None
        with writing(state(ctx).ledger()) as session:
            m = find_member(session, member)
            day = leave_member(session, current_user(by), m, left_on)
            typer.echo(_("{name} (#{number}) left on {date}.").format(
                name=display_name(m), number=m.number, date=format_date(day)))

    @member_app.command("rejoin", help=_("Bring back a member who had left."))
    def rejoin(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing
        from timebank.ledger.members import display_name, find_member, rejoin_member

        with writing(state(ctx).ledger()) as session:
            m = find_member(session, member)
            rejoin_member(session, current_user(by), m)
            typer.echo(_("{name} (#{number}) is an active member again.").format(name=display_name(m), number=m.number))


def register_forget(member_app: typer.Typer) -> None:
    @member_app.command("forget", help=_("Erase a member's name, contact details and notes (UK GDPR); "
                                         "their number and exchanges stay."))
    def forget(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        yes: Annotated[bool, typer.Option("--yes", help=_("Yes, erase them for good."))] = False,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import flush_to_file, writing
        from timebank.ledger.errors import Refused
        from timebank.ledger.members import find_member, forget_member

        if not yes:
            raise Refused(_("Erasing cannot be undone: add --yes to go ahead."))
        ledger = state(ctx).ledger()
        with writing(ledger) as session:
            m = find_member(session, member)
            forget_member(session, current_user(by), m)
            number = m.number
        flush_to_file(ledger)
        typer.echo(_("Member {number} has been erased; their exchanges and balance remain.").format(number=number))
        from timebank.ledger.backups import backups_folder, existing_backups

        older = existing_backups(ledger)
        if older:
            # A restore erases them again, but the files themselves still hold the details.
            typer.echo(ngettext("{count} backup made before now still holds their details: delete it from {folder} "
                                "if the erasure must reach backups too.",
                                "{count} backups made before now still hold their details: delete them from "
                                "{folder} if the erasure must reach backups too.", len(older)).format(
                count=len(older), folder=backups_folder(ledger)))


def _signed(row, number: int) -> int:  # type: ignore[no-untyped-def]
    if number in row.givers:
        return row.minutes * len(row.receivers)
    return -row.minutes * len(row.givers)


def _emit_inactive(fmt: str, rows, days: int) -> None:  # type: ignore[no-untyped-def]
    from timebank.render import column, emit

    json_rows = [{"number": r.number, "name": r.name, "area": r.area,
                  "last_exchange": r.last.isoformat() if r.last else None,
                  "balance_minutes": r.balance_minutes} for r in rows]
    table_rows = [{"number": r.number, "name": r.name, "area": r.area or "",
                   "last_exchange": format_date(r.last) if r.last else _("never"),
                   "balance_minutes": signed_hours(r.balance_minutes)} for r in rows]
    emit(fmt, [column("number", "#", _("number"), "right"), column("name", _("Name"), _("name")),
               column("area", _("Area"), _("area")), column("last_exchange", _("Last exchange"), _("last_exchange")),
               column("balance_minutes", _("Balance (hours)"), _("balance_minutes"), "right")],
         json_rows, table_rows=table_rows,
         title=_("Members with no exchange in the last {days} days").format(days=days),
         empty=_("Every active member has had an exchange in the last {days} days.").format(days=days))
