"""Members' requests for a copy of their data (UK GDPR Article 15): `member access-request
MEMBER --received DATE` logs one, `member access-request list` lists them, `member
access-request done N` closes one.

The member comes straight after the group's name, where its commands' names go: a first word
that is not the name of one of its commands (in either language) is the member, given to the
hidden `log` command (`RequestsGroup`). A member whose name is a command's name ("list") is
named by number.
"""

from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from timebank.cli.app import (MAX_NUMBER, AliasGroup, ByOption, Format, FormatOption, MemberArgument, interface,
                              ledger, say, user)
from timebank.cli.typer_words import TranslatedContext
from timebank.i18n import N_, _, format_date

LOG = "log"


class _WithoutName(TranslatedContext):
    """The context of `log`, which is reached without its name: its usage and its 'Try ...
    --help' name the group's path (`timebank member access-request`), where the member goes."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent is not None else super().command_path


class LogCommand(TyperCommand):
    """`log`, with a context that names the group's path, never its own hidden name."""

    @property
    def context_class(self) -> Any:
        return _WithoutName

    @context_class.setter
    def context_class(self, _value: Any) -> None:
        # `translate_help` gives every command TranslatedContext; this one keeps its subclass.
        pass


class RequestsGroup(AliasGroup):
    """`member access-request`: its commands by name (English or Welsh), anything else a member."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[Any, Any, list[str]]:
        found = self.get_command(ctx, args[0])
        if found is None or found.hidden:
            if args[0].startswith("-"):  # an option of the group's own (--help), or a slip
                return super().resolve_command(ctx, args)
            return LOG, self.get_command(ctx, LOG), list(args)
        return super().resolve_command(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        # In place of COMMAND [ARGS]...: the member may come first too.
        return [*super().collect_usage_pieces(ctx)[:-1], _("MEMBER --received DATE | COMMAND [ARGS]...")]


def log(
    ctx: typer.Context,
    member: MemberArgument,
    received: Annotated[str, typer.Option(
        "--received", metavar=N_("DATE"),
        help=N_("The day the request reached the time bank (today, yesterday, DD/MM/YYYY...; not in the future)."),
        show_default=False)],
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.render.sheet import member_words

    day = parse_date(received)
    request = actions.log_access_request(ledger(ctx), user(by), member, day)
    say(_("Logged access request {number} from {name} (#{member}), received on {received}: the answer is due by "
          "{due}.").format(number=request.number, name=member_words(request.member, interface()),
                           member=request.member.number, received=format_date(request.received),
                           due=format_date(request.due)))


def list_requests(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=N_("Include the requests already done."))] = False,
    fmt: FormatOption = Format.table,
) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    emit(views.access_requests(queries.access_requests(ledger(ctx), include_done=all_), all_), fmt.value,
         interface())


def done(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help=N_("The request's number."), min=1, max=MAX_NUMBER,
                                          show_default=False)],
    on: Annotated[Optional[str], typer.Option(
        "--date", metavar=N_("DATE"), help=N_("The day it was answered (default today)."), show_default=False)] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.basics.dates import parse_date
    from timebank.render.sheet import member_words

    day = parse_date(on) if on is not None else None
    request = actions.close_access_request(ledger(ctx), user(by), number, day)
    assert request.done is not None
    say(_("Access request {number} from {name} (#{member}) done on {date}.").format(
        number=request.number, name=member_words(request.member, interface()), member=request.member.number,
        date=format_date(request.done)))


def register(member_app: typer.Typer) -> None:
    requests_app = typer.Typer(no_args_is_help=True, cls=RequestsGroup)
    member_app.add_typer(
        requests_app, name="access-request",
        help=N_("Members' requests for a copy of their data (UK GDPR Article 15), each due a calendar month after it "
                "was received: 'access-request MEMBER --received DATE' logs one and prints its due date, 'list' "
                "lists the open ones, 'done N' closes one."),
        short_help=N_("Log members' requests for a copy of their data (UK GDPR), list them and close them."))
    requests_app.command(LOG, hidden=True, cls=LogCommand,
                         help=N_("Log a member's request for a copy of their data and print its due date."))(log)
    requests_app.command("list", help=N_("The open requests, the soonest due first; overdue ones are marked."))(
        list_requests)
    requests_app.command("done", help=N_("Close a request: its answer was sent (today, or on --date)."))(done)
