"""Offers, requests and matching: the coordinator's brokering directory."""

from typing import Annotated, Optional

import typer

from timebank.cli.app import (MAX_NUMBER, ByOption, CategoryOption, Format, FormatOption, MemberArgument,
                              interface, ledger, say, sub_app, user)
from timebank.i18n import N_, _

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

CategoryArgument = Annotated[str, typer.Argument(help=N_("Category code."), show_default=False)]
Number = Annotated[int, typer.Argument(help=N_("Its number."), min=1, max=MAX_NUMBER, show_default=False)]


def match(
    ctx: typer.Context,
    request: Annotated[Optional[int], typer.Argument(
        help=N_("The request number."), min=1, max=MAX_NUMBER, show_default=False)] = None,
    category: Annotated[Optional[str], typer.Option("--category", help=N_("Match this category instead."))] = None,
    area: Annotated[Optional[str], typer.Option("--area", help=N_("Prefer members in this area."))] = None,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger import queries
    from timebank.ledger.errors import UsageProblem
    from timebank.render import emit, views

    if (request is None) == (category is None):
        raise UsageProblem(_("Give a request number, or --category (and --area), but not both."))
    words = interface()
    wanted, area_used, found = queries.matches(ledger(ctx), words.lang, request=request, category=category, area=area)
    emit(views.matches(found, wanted, area_used is not None), fmt.value, words)


def _listing_commands(kind: str):
    def add(
        ctx: typer.Context,
        member: MemberArgument,
        category: CategoryArgument,
        note: Annotated[Optional[str], typer.Option("--note", help=N_("A note, e.g. when they are free."))] = None,
        on: Annotated[Optional[str], typer.Option("--date", help=N_("When it was made (default today)."))] = None,
        by: ByOption = None,
    ) -> None:
        from timebank.ledger import actions
        from timebank.ledger.basics.dates import parse_date
        from timebank.render.sheet import member_words

        words = interface()
        number, name, chosen = actions.add_listing(ledger(ctx), user(by), kind, member, category, note,
                                                   parse_date(on) if on is not None else None, lang=words.lang)
        say(_(ADDED[kind]).format(id=number, name=member_words(name, words), number=name.number,
                                  category=chosen.name(words.lang)))

    def list_(
        ctx: typer.Context,
        category: CategoryOption = None,
        area: Annotated[Optional[str], typer.Option("--area", help=N_("Only members in this area."))] = None,
        member: Annotated[Optional[str], typer.Option("--member", help=N_("Only this member's."))] = None,
        closed: Annotated[bool, typer.Option("--closed", help=N_("Include closed ones."))] = False,
        fmt: FormatOption = Format.table,
    ) -> None:
        from timebank.ledger import queries
        from timebank.render import emit, views

        words = interface()
        rows = queries.listings(ledger(ctx), kind, words.lang, category=category, area=area, member=member,
                                include_closed=closed)
        emit(views.listings(kind, rows, closed), fmt.value, words)

    def remove(ctx: typer.Context, number: Number, by: ByOption = None) -> None:
        from timebank.ledger import actions
        actions.remove_listing(ledger(ctx), user(by), kind, number)
        say(_(REMOVED[kind]).format(id=number))

    return add, list_, remove


# Importable by name, like every other command.
add_offer, list_offers, remove_offer = _listing_commands("offer")
add_request, list_requests, remove_request = _listing_commands("request")


def register(app: typer.Typer) -> None:
    for kind, (add, list_, remove) in (("offer", (add_offer, list_offers, remove_offer)),
                                       ("request", (add_request, list_requests, remove_request))):
        group = sub_app(GROUP_HELP[kind])
        app.add_typer(group, name=kind)
        group.command("add", help=ADD_HELP[kind])(add)
        group.command("list", help=LIST_HELP[kind])(list_)
        group.command("remove", help=REMOVE_HELP[kind])(remove)
    app.command("match", help=N_("Members who offer what a request needs, best first, with the reason for each "
                                 "place."))(match)
