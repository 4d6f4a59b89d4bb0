"""Ledger commands: init, demo, settings, categories, check, audit."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from timebank.cli.app import Format, Lang, by_option, format_option, state
from timebank.i18n import _, get_language, ngettext


def register(app: typer.Typer) -> None:
    register_safety(app)
    settings_app = typer.Typer(help=_("Show or change the ledger's settings."), no_args_is_help=True)
    category_app = typer.Typer(help=_("The categories of help."), no_args_is_help=True)
    app.add_typer(settings_app, name="settings")
    app.add_typer(category_app, name="category")

    @app.command("init", help=_("Create a new ledger with the time bank pot and the default categories."))
    def init(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Option("--name", help=_("The time bank's name."))] = None,
        lang: Annotated[Optional[Lang], typer.Option("--lang", help=_("The ledger's language: cy or en."))] = None,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import open_ledger
        from timebank.ledger.setup import initialise, is_initialised

        ledger = open_ledger(state(ctx).db, create=True)
        try:
            if is_initialised(ledger):
                typer.echo(_("A ledger already exists at {path}; nothing was changed.").format(path=ledger.display))
                return
            initialise(ledger, current_user(by), name=name, lang=(lang.value if lang else get_language()))
            typer.echo(_("Created a new ledger at {path}.").format(path=ledger.display))
        finally:
            ledger.dispose()

    @app.command("demo", help=_("Create a demo ledger with a year of exchanges and show its latest monthly report."))
    def demo(
        ctx: typer.Context,
        members: Annotated[int, typer.Option("--members", min=4, max=5000, help=_("How many members."))] = 40,
        months: Annotated[int, typer.Option("--months", min=1, max=120, help=_("How many months of exchanges."))] = 12,
        seed: Annotated[int, typer.Option("--seed", help=_("Random seed: the same seed gives the same ledger."))] = 1,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.cli.reports import show_monthly
        from timebank.ledger import settings as settings_module
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import ensure_current, open_ledger, writing
        from timebank.ledger.demo import build_demo
        from timebank.ledger.errors import Refused
        from timebank.ledger.reports import last_complete_month
        from timebank.ledger.setup import has_members, initialise, is_initialised

        who = current_user(by)
        ledger = open_ledger(state(ctx).db, create=True)
        try:
            if not is_initialised(ledger):
                initialise(ledger, who, name=_("Demo time bank"), lang=get_language())
            else:
                ensure_current(ledger)
                if has_members(ledger):
                    raise Refused(_("The ledger at {path} already has members: the demo needs an empty ledger.").format(
                        path=ledger.display))
            with writing(ledger) as session:
                counts = build_demo(session, who, settings_module.load(session), members=members, months=months,
                                    seed=seed)
            typer.echo(_("Demo ledger at {path}: {members} members, {exchanges} exchanges ({voided} voided).").format(
                path=ledger.display, **counts))
            typer.echo("")
            show_monthly(ledger, last_complete_month(), "table")
        finally:
            ledger.dispose()

    @settings_app.command("show", help=_("Show the ledger's settings."))
    def settings_show(ctx: typer.Context, fmt: Annotated[Format, format_option()] = Format.table) -> None:
        from timebank.ledger import settings as settings_module
        from timebank.ledger.db import reading
        from timebank.render import column, emit

        with reading(state(ctx).ledger()) as session:
            values = settings_module.load(session).as_text()
        descriptions = {
            "name": _("The time bank's name"),
            "lang": _("The ledger's language"),
            "credit_limit": _("Hours a member may go below zero (empty: no limit)"),
            "max_hours": _("Most hours for one receiver in one exchange"),
            "hour_value": _("Pounds per hour for social value (empty: not shown)"),
        }
        rows = [{"key": k, "value": v, "description": descriptions[k]} for k, v in values.items()]
        emit(fmt.value, [column("key", _("Setting"), _("key")), column("value", _("Value"), _("value")),
                         column("description", _("Meaning"), _("description"))],
             rows, title=_("Settings"), json_rows=values)  # type: ignore[arg-type]

    @settings_app.command("set", help=_("Change a setting: name, lang, credit_limit, max_hours or hour_value."))
    def settings_set(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help=_("The setting to change."), show_default=False)],
        value: Annotated[str, typer.Argument(help=_("The new value (empty to clear)."), show_default=False)],
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger import settings as settings_module
        from timebank.ledger.audit import current_user
        from timebank.ledger.db import writing

        with writing(state(ctx).ledger()) as session:
            stored = settings_module.set_value(session, key, value, current_user(by))
        typer.echo(_("{key} is now '{value}'.").format(key=key, value=stored))

    @category_app.command("list", help=_("List the categories of help."))
    def category_list(ctx: typer.Context, fmt: Annotated[Format, format_option()] = Format.table) -> None:
        from timebank.ledger.categories import category_name, list_categories
        from timebank.ledger.db import reading
        from timebank.render import column, emit

        with reading(state(ctx).ledger()) as session:
            rows = [{"code": c.code, "en": c.name_en, "cy": c.name_cy, "name": category_name(c)}
                    for c in list_categories(session)]
        emit(fmt.value, [column("code", _("Code"), _("code")), column("cy", _("Welsh"), "cy"),
                         column("en", _("English"), "en")], rows, title=_("Categories"))

    @category_app.command("add", help=_("Add a category with its English and Welsh names."))
    def category_add(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(help=_("A short code, e.g. music."), show_default=False)],
        en: Annotated[str, typer.Option("--en", help=_("The English name."), show_default=False)],
        cy: Annotated[str, typer.Option("--cy", help=_("The Welsh name."), show_default=False)],
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger.audit import current_user
        from timebank.ledger.categories import add_category
        from timebank.ledger.db import writing

        with writing(state(ctx).ledger()) as session:
            category = add_category(session, current_user(by), code, en, cy)
        typer.echo(_("Added the category '{code}'.").format(code=category.code))

    @app.command("check", help=_("Verify the ledger: integrity, zero-sum exchanges, voids, numbering, schema."))
    def check(ctx: typer.Context) -> None:
        from timebank.ledger.checks import run_checks
        from timebank.ledger.db import reading
        from timebank.ledger.errors import CheckFailed
        from timebank.render import console

        ledger = state(ctx).ledger()
        with reading(ledger) as session:
            results = run_checks(session, ledger)
        out = console()
        problems = 0
        for result in results:
            out.print("✓" if not result.problems else "✗", style="green" if not result.problems else "red", end=" ")
            out.print(result.title)
            for problem in result.problems:
                out.print(f"    {problem}", markup=False)
            problems += len(result.problems)
        if problems:
            from timebank.i18n import ngettext

            raise CheckFailed(ngettext("The check found {count} problem.", "The check found {count} problems.",
                                       problems).format(count=problems))
        out.print(_("The ledger passed every check."))

    @app.command("audit", help=_("Every change ever made: when, by whom, what."))
    def audit_list(
        ctx: typer.Context,
        start: Annotated[Optional[str], typer.Option("--from", help=_("From this date."), show_default=False)] = None,
        end: Annotated[Optional[str], typer.Option("--to", help=_("To this date."), show_default=False)] = None,
        fmt: Annotated[Format, format_option()] = Format.table,
    ) -> None:
        from timebank.cli.common import describe_event, parse_range, shown_text
        from timebank.ledger.audit import list_events
        from timebank.ledger.db import reading
        from timebank.render import column, emit

        first, last = parse_range(start, end)
        with reading(state(ctx).ledger()) as session:
            events = list_events(session, first, last)
        json_rows = [{"id": e.id, "at": e.at.isoformat(), "by": e.by, "action": e.action, "member": e.member,
                      "exchange": e.exchange, "details": e.details} for e in events]
        rows = [{"id": e.id, "at": e.at.isoformat(sep=" "), "by": e.by, "action": e.action,
                 "what": shown_text(describe_event(e))} for e in events]
        emit(fmt.value, [column("id", "#", "id", "right"), column("at", _("When (UTC)"), _("when")),
                         column("by", _("By"), _("by")), column("action", _("Action"), _("action")),
                         column("what", _("What"), _("what"))],
             rows, title=_("Audit"), json_rows=json_rows, empty=_("Nothing in the audit for these dates."))


def register_safety(app: typer.Typer) -> None:
    @app.command("backup", help=_("Copy the ledger safely, even while others are writing."))
    def backup_command(
        ctx: typer.Context,
        output: Annotated[Optional[Path], typer.Option(
            "--output", "-o", help=_("The backup file (default: the backups folder beside the ledger)."))] = None,
    ) -> None:
        from timebank.ledger.backups import backup

        target = backup(state(ctx).ledger(), output)
        typer.echo(_("Backed up the ledger to {path}.").format(path=target))

    @app.command("restore", help=_("Replace the ledger with a backup (the current ledger is backed up first)."))
    def restore_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help=_("The backup file."), show_default=False)],
        yes: Annotated[bool, typer.Option("--yes", help=_("Yes, replace the ledger."))] = False,
        by: Annotated[Optional[str], by_option()] = None,
    ) -> None:
        from timebank.ledger import audit
        from timebank.ledger.backups import restore
        from timebank.ledger.db import ensure_current, flush_to_file, reading, writing
        from timebank.ledger.errors import Refused
        from timebank.ledger.members import erase_again, erased_numbers

        if not yes:
            raise Refused(_("Restoring replaces the whole ledger: add --yes to go ahead."))
        ledger = state(ctx).ledger()
        user = audit.current_user(by)
        with reading(ledger) as session:
            erased, replaced = erased_numbers(session), audit.origin(session)
        safety, _revision = restore(ledger, file)
        ensure_current(ledger)
        with writing(ledger) as session:
            audit.log(session, user, "ledger.restore", file=str(file), safety_copy=str(safety))
            # Member numbers mean something only within one ledger's history.
            same_ledger = audit.origin(session) == replaced
            again = erase_again(session, user, erased) if same_ledger else []
        if again:
            flush_to_file(ledger)
        typer.echo(_("Restored the ledger from {path}. The ledger as it was is saved in {safety}.").format(
            path=file, safety=safety))
        if erased and not same_ledger:
            typer.echo(_("That backup is of another ledger, so the erasures made in the one it replaced do not "
                         "apply to it."))
        if again:
            typer.echo(ngettext("{count} member erased since that backup was made has been erased again: {numbers}.",
                                "{count} members erased since that backup was made have been erased again: {numbers}.",
                                len(again)).format(count=len(again), numbers=", ".join(f"#{n}" for n in again)))
