"""Hatch build hook: the catalogues cy.po and en.po (the sources, at the top of the
repository) compiled with Babel into the `.mo` files the program reads with the standard
library's `gettext`, as `timebank/locale/<lang>/LC_MESSAGES/timebank.mo`.

A wheel gets them from a temporary folder (the checkout is left as it was); an editable
install writes them into the checkout's own `timebank/locale/` (ignored by git), which is
where the package it points at looks. A checkout whose `.po` has changed since is compiled
again by `timebank.i18n` itself (see `catalogue_path`), so tests see the catalogues as they
are without a reinstall.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LANGUAGES = ("cy", "en")
DOMAIN = "timebank"


def compile_catalogue(po: Path, mo: Path) -> None:
    """`po` compiled to `mo`, fuzzy entries left out (as msgfmt does), and those that say the
    message as written (all of en.po: English loads nothing at start-up); written whole or
    not at all. timebank.i18n.compile_po does the same for a checkout."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, abort_invalid=True)
    for message in list(catalog):
        if message.id and _said_as_written(message, catalog):
            catalog.delete(message.id)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_name(mo.name + ".partial")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    partial.replace(mo)


def _said_as_written(message: Any, catalog: Any) -> bool:
    """Whether gettext would say `message` the same without it: a translation that is the
    message itself (every entry of en.po), which `gettext` gives for a missing one anyway."""
    if isinstance(message.id, str):
        return bool(message.string == message.id)
    return bool(catalog.plural_expr in ("(n != 1)", "n != 1") and list(message.string or ()) == list(message.id))


def mo_path(lang: str) -> str:
    """Where a language's compiled catalogue sits, relative to the package's parent."""
    return f"timebank/locale/{lang}/LC_MESSAGES/{DOMAIN}.mo"


class CataloguesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if version == "editable":
            for lang in LANGUAGES:
                compile_catalogue(root / f"{lang}.po", root / mo_path(lang))
            return
        self._compiled = Path(tempfile.mkdtemp(prefix="timebank-catalogues-"))
        for lang in LANGUAGES:
            mo = self._compiled / mo_path(lang)
            compile_catalogue(root / f"{lang}.po", mo)
            build_data["force_include"][str(mo)] = mo_path(lang)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        compiled = getattr(self, "_compiled", None)
        if compiled is not None:
            shutil.rmtree(compiled, ignore_errors=True)
