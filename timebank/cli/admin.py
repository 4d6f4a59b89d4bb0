"""Ledger commands: init, demo, settings, categories, check, audit, backup, restore."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from timebank.cli.common import force_option, output_option
from timebank.cli.app import (AliasGroup, ByOption, Format, FormatOption, FromOption, Lang, ToOption, interface, ledger,
                              say, state, sub_app, user)
from timebank.i18n import N_, _, get_language, ngettext

if TYPE_CHECKING:
    from timebank.ledger.queries import Ledger


def init(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Option("--name", help=N_("The time bank's name."))] = None,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help=N_("The ledger's language: cy or en."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.i18n import set_language
    from timebank.ledger import actions, queries

    # `init --lang cy` speaks Welsh from its first line (the README's recipe), unless the
    # global --lang was typed before the command; the option is init's own, so the language
    # chosen before the command was parsed could not see it.
    typed_before = getattr(ctx.find_root().get_parameter_source("lang"), "name", None) == "COMMANDLINE"
    if lang is not None and not typed_before:
        set_language(lang.value)
    new = state(ctx).new_ledger()
    if queries.is_initialised(new) or not actions.initialise(
            new, user(by), name=name, lang=(lang.value if lang else get_language()), reader=get_language()):
        # There already (perhaps made by another init at the same moment): asking for other
        # settings than it has is a mistake to say, not something to pass over.
        _as_asked(new, name, lang)
        say(_("A ledger already exists at {path}; nothing was changed.").format(path=new.display))
        return
    say(_("Created a new ledger at {path}.").format(path=new.display))


def _as_asked(ledger: "Ledger", name: str | None, lang: Lang | None) -> None:
    """Refuse an init whose --name or --lang differs from the existing ledger's, naming the
    command that changes the setting."""
    import unicodedata

    from timebank.ledger import queries
    from timebank.ledger.errors import Refused
    from timebank.render.sheet import language_words

    settings = queries.settings(ledger)
    wanted = unicodedata.normalize("NFC", name).strip() if name is not None else None
    if wanted and wanted != settings.name:
        raise Refused(_("The ledger at {path} already exists and is called '{current}': to rename it, use "
                        "timebank settings set name \"{name}\".").format(
            path=ledger.display, current=settings.name, name=wanted))
    if lang is not None and lang.value != settings.lang:
        raise Refused(_("The ledger at {path} already exists in {current}: to change its language, use "
                        "timebank settings set lang {lang}.").format(
            path=ledger.display, current=language_words(settings.lang, interface()), lang=lang.value))


def demo(
    ctx: typer.Context,
    members: Annotated[int, typer.Option("--members", min=4, max=5000, help=N_("How many members."))] = 40,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help=N_("How many months of exchanges."))] = 12,
    seed: Annotated[int, typer.Option("--seed", help=N_("Random seed: the same seed gives the same ledger."))] = 1,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions, queries
    from timebank.render import emit, views

    where = state(ctx)
    # Made-up members never go into the real ledger by default: without --db (or
    # TIMEBANK_DB) the demo is a file of its own in this folder.
    here = where.db is None
    if here:
        where.db = "demo.sqlite3"
    new = where.new_ledger()
    counts = actions.make_demo(new, user(by), name=_("Demo time bank"), lang=get_language(), members=members,
                               months=months, seed=seed)
    say(_("Demo ledger at {path}: {members} members, {exchanges} exchanges ({voided} voided).").format(
        path=new.display, **counts))
    if here:
        say(_("It was made in this folder, apart from your own ledger: use it with --db {path}.").format(
            path=new.display))
    say("")
    words = interface()
    emit(views.monthly(queries.monthly(new, queries.last_complete_month(), words.lang)), "table", words)


def settings_show(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    values = queries.settings(ledger(ctx)).as_text()
    emit(views.settings(values), fmt.value, interface())


def settings_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=N_("The setting to change."), show_default=False)],
    value: Annotated[str, typer.Argument(help=N_("The new value (empty to clear)."), show_default=False)],
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions, queries
    from timebank.render.views import setting_words

    stored = actions.set_setting(ledger(ctx), user(by), key, value, lang=get_language())
    message = _("{setting} is now '{value}'.").format(setting=setting_words(queries.welsh_key(key), interface()),
                                                      value=stored)
    say(message[:1].upper() + message[1:])


def category_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    from timebank.ledger import queries
    from timebank.render import emit, views

    rows = list(queries.categories(ledger(ctx)).values())
    words = interface()
    emit(views.categories(rows, words.lang), fmt.value, words)


def category_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=N_("A short code, e.g. music."), show_default=False)],
    en: Annotated[str, typer.Option("--en", help=N_("The English name."), show_default=False)],
    cy: Annotated[str, typer.Option("--cy", help=N_("The Welsh name."), show_default=False)],
    cy_code: Annotated[Optional[str], typer.Option(
        "--cy-code", help=N_("A Welsh code too, e.g. cerddoriaeth (accepted everywhere, shown in Welsh)."))] = None,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    category = actions.new_category(ledger(ctx), user(by), code, en, cy, cy_code)
    say(_("Added the category '{code}'.").format(code=category.code_in(get_language())))


def category_goals(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help=N_("The category, by its English or Welsh code."),
                                            show_default=False)],
    goals: Annotated[Optional[list[str]], typer.Argument(
        help=N_("The well-being goals it serves, replacing those it had: prosperous, resilient, healthier, equal, "
                "cohesive, culture, global (or llewyrchus, cydnerth, iachach, cyfartal, cydlynus, diwylliant, "
                "byd-eang)."), show_default=False)] = None,
    none: Annotated[bool, typer.Option("--none", help=N_("It serves none of the goals (clears them)."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.errors import InvalidInput
    from timebank.render.views import goal_codes

    if bool(goals) == none:
        # Neither (a slip that would clear every goal) or both (which did they mean?).
        raise InvalidInput(_("Name the well-being goals the category serves, or give --none to clear them."))
    lang = get_language()
    changed = actions.set_category_goals(ledger(ctx), user(by), category, list(goals or []), lang=lang)
    if changed.goals:
        say(_("The category '{code}' now serves the well-being goals: {goals}.").format(
            code=changed.code_in(lang), goals=goal_codes(changed.goals, ", ")(interface())))
    else:
        say(_("The category '{code}' now serves none of the well-being goals.").format(code=changed.code_in(lang)))


def check(
    ctx: typer.Context,
    seal: Annotated[Optional[str], typer.Option(
        "--seal", metavar=N_("SEAL"),
        help=N_("Prove that the ledger still holds exactly the history sealed with SEAL (as 'check', a "
                "monthly report or a journal printed it, e.g. '#1532 3f9a2b71c0de55c2')."),
        show_default=False)] = None,
) -> None:
    from timebank.ledger import actions
    from timebank.ledger.errors import CheckFailed
    from timebank.render import emit, views

    report = actions.check(ledger(ctx), seal)
    words = interface()
    emit(views.checks(report.results), "table", words)
    say(views.seal_line(report.seal, words))
    for warning in report.warnings:  # things to do, not problems: the exit code is the checks' alone
        say(_("Warning: {warning}").format(warning=words.say(warning)))
    problems = report.problems
    if problems:
        raise CheckFailed(ngettext("The check found {count} problem.", "The check found {count} problems.",
                                   problems).format(count=problems))
    if report.asked is not None and report.since:
        say(_("The ledger still holds the history sealed as {seal}, but for what erasure took out of it since:")
            .format(seal=report.asked.text))
        from timebank.i18n import say as in_words

        for line in report.since:
            say(in_words(line))
    elif report.asked is not None:
        say(_("The ledger still holds exactly the history sealed as {seal}.").format(seal=report.asked.text))
    say(_("The ledger passed every check."))


def audit_list(ctx: typer.Context, start: FromOption = None, end: ToOption = None,
               fmt: FormatOption = Format.table) -> None:
    from timebank.cli.common import parse_range
    from timebank.ledger import queries
    from timebank.render import emit, views

    first, last = parse_range(start, end)
    events, categories = queries.audit(ledger(ctx), first, last)
    emit(views.audit(events, categories), fmt.value, interface())


def backup(
    ctx: typer.Context,
    output: Annotated[Optional[Path], output_option(
        N_("The backup file (default: the backups folder beside the ledger)."))] = None,
    force: Annotated[bool, force_option(N_("Replace an older backup at --output (never a ledger)."))] = False,
) -> None:
    from timebank.ledger import actions

    target = actions.backup(ledger(ctx), output, force=force)
    say(_("Backed up the ledger to {path}.").format(path=target))


def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=N_("The backup file."), show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help=N_("Yes, replace the ledger."))] = False,
    by: ByOption = None,
) -> None:
    from timebank.cli.common import confirm
    from timebank.ledger import actions
    from timebank.ledger.errors import Refused

    if not yes and not confirm(_("Replace the whole ledger with {file}? (The ledger as it is now is saved "
                                 "first.)").format(file=file)):
        raise Refused(_("Restoring replaces the whole ledger: add --yes to go ahead."))
    done = actions.restore(state(ctx).ledger_as_found(), user(by), file)
    say(_("Restored the ledger from {path}. The ledger as it was is saved in {safety}.").format(
        path=file, safety=done.safety_copy))
    if done.unreadable:
        say(_("The ledger it replaced could not be read, so nobody erased in it could be erased again: if anyone "
              "was erased after that backup was made, erase them again with 'timebank member forget'."))
    elif done.had_erasures and not done.same_ledger:
        say(_("That backup is of another ledger, so the erasures made in the one it replaced do not "
              "apply to it."))
    if done.erased_again:
        again = done.erased_again
        say(ngettext("{count} member erased since that backup was made has been erased again: {numbers}.",
                     "{count} members erased since that backup was made have been erased again: {numbers}.",
                     len(again)).format(count=len(again), numbers=", ".join(f"#{n}" for n in again)))


class SettingsGroup(AliasGroup):
    """`settings` alone shows the settings (`settings show`): what someone typing it wants."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            args = ["show"]
        return super().parse_args(ctx, args)


def register(app: typer.Typer) -> None:
    app.command("init", help=N_("Create a new ledger with the time bank pot and the default categories."))(init)
    app.command("demo", help=N_("Create a demo ledger with a year of exchanges and show its latest monthly "
                                "report."))(demo)
    settings_app = typer.Typer(help=N_("Show or change the ledger's settings."), cls=SettingsGroup)
    app.add_typer(settings_app, name="settings")
    settings_app.command("show", help=N_("Show the ledger's settings."))(settings_show)
    settings_app.command("set", help=N_("Change a setting: name, lang, credit_limit, max_hours, hour_value, "
                                        "hour_value_source, year_start, contact, controller, retention, "
                                        "outcome_min_pairs or bank_code."))(
        settings_set)
    category_app = sub_app(N_("The categories of help."))
    app.add_typer(category_app, name="category")
    category_app.command("list", help=N_("List the categories of help."))(category_list)
    category_app.command("add", help=N_("Add a category with its English and Welsh names (and codes)."))(category_add)
    category_app.command("goals", help=N_("Set the well-being goals a category serves."))(category_goals)
    app.command("check", help=N_("Verify the ledger: integrity, zero-sum exchanges, voids, numbering, schema, and "
                                 "that its history is as it was written; print its seal."))(check)
    app.command("audit", help=N_("Every change ever made: when, by whom, what."))(audit_list)
    app.command("backup", help=N_("Copy the ledger safely, even while others are writing."))(backup)
    app.command("restore", help=N_("Replace the ledger with a backup (the current ledger is backed up first)."))(
        restore)
