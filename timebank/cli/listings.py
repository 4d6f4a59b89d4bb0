"""Offers, requests and matching: the coordinator's brokering directory."""


from typing import Annotated, Optional

import typer

from timebank.cli.app import MAX_NUMBER, Format, by_option, format_option, state
from timebank.cli.common import shown_text, signed_hours
from timebank.i18n import N_, _, format_date

GROUP_HELP = {"offer": N_("What members offer: add, list, remove."),
              "request": N_("What members need: add, list, remove.")}
ADD_HELP = {"offer": N_("Record that a member offers help in a category; prints its number."),
            "request": N_("Record that a member needs help in a category; prints its number.")}
LIST_HELP = {"offer": N_("List open offers."), "request": N_("List open requests.")}
REMOVE_HELP = {"offer": N_("Close an offer (it stays in the audit)."),
               "request": N_("Close a request (it stays in the audit).")}
ADDED = {"offer": N_("Added offer number {id}: {name} (#{number}), {category}."),
         "request": N_("Added request number {id}: {name} (#{number}), {category}.")}
REMOVED = {"offer": N_("Closed offer number {id}."), "request": N_("Closed request number {id}.")}
TITLES = {"offer": N_("Offers"), "request": N_("Requests")}
EMPTY = {"offer": N_("No open offers to show."), "request": N_("No open requests to show.")}
CLOSED_BECAUSE = {"removed": N_("removed"), "met": N_("met"), "left": N_("member left"),
                  "erased": N_("member erased")}


def register(app: typer.Typer) -> None:
    for kind in ("offer", "request"):
        _register_kind(app, kind)

    @app.command("match", help=_("Members who offer what a request needs, best first, with the reason for each place."))
    def match_command(
        ctx: typer.Context,
        request: Annotated[Optional[int], typer.Argument(help=_("The request number."), min=1, max=MAX_NUMBER, show_default=False)] = None,
        category: Annotated[Optional[str], typer.Option("--category", help=_("Match this category instead."))] = None,
        area: Annotated[Optional[str], typer.Option("--area", help=_("Prefer members in this area."))] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.categories import category_name, find_category
        from timebank.ledger.db import reading
        from timebank.ledger.errors import UsageProblem
        from timebank.ledger.listings import match, open_listing
        from timebank.ledger.models import Member
        from timebank.render import column, emit

        if (request is None) == (category is None):
            raise UsageProblem(_("Give a request number, or --category (and --area), but not both."))
        with reading(state(ctx).ledger()) as session:
            exclude = None
            if request is not None:
                listing = open_listing(session, "request", request)
                requester = session.get(Member, listing.member)
                code, exclude = listing.category, listing.member
                area = area or (requester.area if requester else None)
            else:
                code = find_category(session, category or "").code
            title_category = category_name(find_category(session, code))
            found = match(session, code, area, exclude)
        rows = []
        for place, m in enumerate(found, 1):
            # With no area asked for, the area plays no part in the order: say nothing of it.
            reasons = [(_("same area ({area})") if m.same_area else _("another area ({area})")).format(
                           area=m.area or "-")] if area else []
            reasons += [_("last gave on {date}").format(date=format_date(m.last_given)) if m.last_given
                        else _("has not given yet"),
                        _("balance {hours} hours").format(hours=signed_hours(m.balance_minutes))]
            rows.append({"place": place, "number": m.number, "name": m.name, "area": m.area,
                         "offer": m.offer, "same_area": m.same_area,
                         "last_given": m.last_given.isoformat() if m.last_given else None,
                         "balance_minutes": m.balance_minutes, "why": "; ".join(reasons)})
        emit(fmt.value, [column("place", "#", _("place"), "right"), column("number", _("Member"), _("member"), "right"),
                         column("name", _("Name"), _("name")), column("area", _("Area"), _("area")),
                         column("why", _("Why here"), _("why"))],
             rows, title=_("Who could help: {category}").format(category=title_category),
             empty=_("Nobody active offers this yet."))


def _register_kind(app: typer.Typer, kind: str) -> None:
    group = typer.Typer(help=_(GROUP_HELP[kind]), no_args_is_help=True)
    app.add_typer(group, name=kind)

    @group.command("add", help=_(ADD_HELP[kind]))
    def add(
        ctx: typer.Context,
        member: Annotated[str, typer.Argument(help=_("Member number or name."), show_default=False)],
        category: Annotated[str, typer.Argument(help=_("Category code."), show_default=False)],
        note: Annotated[Optional[str], typer.Option("--note", help=_("A note, e.g. when they are free."))] = None,
        on: Annotated[Optional[str], typer.Option("--date", help=_("When it was made (default today)."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.dates import parse_date
        from timebank.ledger.db import writing
        from timebank.ledger.listings import add_listing
        from timebank.ledger.members import display_name, find_member

        with writing(state(ctx).ledger()) as session:
            m = find_member(session, member)
            listing = add_listing(session, current_user(by), kind, m, category, note,
                                  parse_date(on) if on is not None else None)
            typer.echo(_(ADDED[kind]).format(id=listing.id, name=display_name(m), number=m.number,
                                             category=listing.category))

    @group.command("list", help=_(LIST_HELP[kind]))
    def list_(
        ctx: typer.Context,
        category: Annotated[Optional[str], typer.Option("--category", help=_("Only this category."))] = None,
        area: Annotated[Optional[str], typer.Option("--area", help=_("Only members in this area."))] = None,
        member: Annotated[Optional[str], typer.Option("--member", help=_("Only this member's."))] = None,
        closed: Annotated[bool, typer.Option("--closed", help=_("Include closed ones."))] = False,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.ledger.db import reading
        from timebank.ledger.listings import list_listings
        from timebank.ledger.members import find_member
        from timebank.render import column, emit

        with reading(state(ctx).ledger()) as session:
            who = find_member(session, member) if member else None
            rows = list_listings(session, kind, category=category, area=area, member=who, include_closed=closed)
        json_rows = [{"id": r.id, "member": r.member, "name": r.name, "area": r.area, "category": r.category,
                      "note": r.note, "opened": r.opened.isoformat(),
                      "closed": r.closed.isoformat() if r.closed else None, "closed_because": r.closed_because,
                      "exchange": r.exchange} for r in rows]
        table_rows = [dict(j, category=r.category_name, opened=format_date(r.opened),
                           closed=(format_date(r.closed) + " (" + _(CLOSED_BECAUSE[r.closed_because]) + ")")
                           if r.closed and r.closed_because else "", note=shown_text(r.note), area=r.area or "")
                      for j, r in zip(json_rows, rows)]
        columns = [column("id", "#", "id", "right"), column("member", _("Member"), _("member"), "right"),
                   column("name", _("Name"), _("name")), column("area", _("Area"), _("area")),
                   column("category", _("Category"), _("category")), column("note", _("Note"), _("note")),
                   column("opened", _("Opened"), _("opened"))]
        if closed:
            columns.append(column("closed", _("Closed"), _("closed")))
        emit(fmt.value, columns, json_rows, json_rows=json_rows, table_rows=table_rows, title=_(TITLES[kind]),
             empty=_(EMPTY[kind]))

    @group.command("remove", help=_(REMOVE_HELP[kind]))
    def remove(
        ctx: typer.Context,
        number: Annotated[int, typer.Argument(help=_("Its number."), min=1, max=MAX_NUMBER, show_default=False)],
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing
        from timebank.ledger.listings import remove_listing

        with writing(state(ctx).ledger()) as session:
            remove_listing(session, current_user(by), kind, number)
        typer.echo(_(REMOVED[kind]).format(id=number))
