"""The catalogues: every message in the code is in cy.po and en.po, complete and not fuzzy;
Welsh has the six-form plural header; both pass msgfmt --check; the compiled catalogues the
program reads say exactly what the .po files say."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import timebank
from timebank import i18n
from timebank.i18n import catalogue_path, load_catalogue, parse_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(timebank.__file__).resolve().parent
WELSH_PLURALS = "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);"


def messages_in_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # _("..."), N_("..."), ngettext("...", ...), and words._("...") of a Words object.
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name in ("_", "N_", "ngettext", "plural"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_every_message_translated(lang: str) -> None:
    path = ROOT / f"{lang}.po"
    text = path.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    singular, plural, _rule = parse_po(text)
    missing = sorted(m for m in messages_in_code() if m not in singular and m not in plural)
    assert not missing, f"{len(missing)} messages missing from {lang}.po, e.g. {missing[:5]}"
    for msgid, forms in plural.items():
        assert len(forms) == (6 if lang == "cy" else 2) and all(forms), msgid


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_placeholders_survive(lang: str) -> None:
    singular, plural, _rule = parse_po((ROOT / f"{lang}.po").read_text(encoding="utf-8"))
    names = re.compile(r"\{(\w*)\}")
    for msgid, msgstr in singular.items():
        assert set(names.findall(msgid)) == set(names.findall(msgstr)), msgid
    for msgid, forms in plural.items():
        for form in forms:
            assert set(names.findall(form)) <= set(names.findall(msgid)) | {"count"}, (msgid, form)


def test_welsh_plural_header() -> None:
    assert WELSH_PLURALS in (ROOT / "cy.po").read_text(encoding="utf-8")
    welsh = load_catalogue("cy")
    assert isinstance(welsh, gettext.GNUTranslations)
    rule = welsh.plural  # type: ignore[attr-defined]  # read by gettext from the compiled catalogue's header
    assert [rule(n) for n in (0, 1, 2, 3, 4, 6, 11)] == [0, 1, 2, 3, 5, 4, 5]


def six_forms() -> list[tuple[str, str, list[str]]]:
    """Welsh plural messages: (msgid, msgid_plural, the six forms)."""
    from babel.messages.pofile import read_po

    with (ROOT / "cy.po").open("rb") as source:
        catalog = read_po(source)
    return [(m.id[0], m.id[1], list(m.string)) for m in catalog
            if isinstance(m.id, tuple) and isinstance(m.string, tuple)]


def test_welsh_plurals_say_each_form() -> None:
    """n = 0, 1, 2, 3, 6 and 11 each take their own form of a Welsh plural message."""
    welsh = load_catalogue("cy")
    found = six_forms()
    assert found
    for msgid, msgid_plural, forms in found:
        assert [welsh.ngettext(msgid, msgid_plural, n) for n in (0, 1, 2, 3, 6, 11)] == forms, msgid


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_the_compiled_catalogue_is_the_po_file(lang: str) -> None:
    """What the program reads (the .mo made when the package was built, or made again in a
    checkout whose .po has changed) says every message as the .po does, every plural form
    for its own numbers, and holds nothing the .po does not."""
    from babel.messages.pofile import read_po

    with (ROOT / f"{lang}.po").open("rb") as source:
        po = read_po(source)
    rule = gettext.c2py(po.plural_expr)
    catalogue = load_catalogue(lang)
    wrong = []
    for message in po:
        if not message.id:
            continue
        if isinstance(message.id, str):
            if catalogue.gettext(message.id) != message.string:
                wrong.append(message.id)
        else:
            assert isinstance(message.string, tuple)
            if any(catalogue.ngettext(message.id[0], message.id[1], n) != message.string[rule(n)] for n in range(30)):
                wrong.append(message.id[0])
    assert not wrong, f"{len(wrong)} messages of {lang}.po read otherwise from its .mo, e.g. {wrong[:3]}"
    kept = {key if isinstance(key, str) else key[0] for key in catalogue._catalog}  # type: ignore[attr-defined]
    assert kept <= {message.id if isinstance(message.id, str) else message.id[0] for message in po}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_msgfmt_check(lang: str, tmp_path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "x.mo"), str(ROOT / f"{lang}.po")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_catalogues_load_from_the_installed_package() -> None:
    for lang in ("cy", "en"):
        path = catalogue_path(lang)
        assert path == SOURCE / "locale" / lang / "LC_MESSAGES" / "timebank.mo"
        assert path.is_file()
        if not (SOURCE.parent / "pyproject.toml").exists():  # an installed wheel, not a checkout
            assert not (SOURCE / "locale" / f"{lang}.po").exists()  # only the compiled catalogue


def test_a_checkout_compiles_a_changed_po_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a checkout, a .po newer than its .mo is compiled again before it is read (a
    test sees the catalogue as it is, without a reinstall); the .mo is read as it is otherwise,
    and a checkout that cannot be written is compiled each time."""
    import os

    package = tmp_path / "timebank"
    package.mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    po = tmp_path / "xx.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                  'msgid "Hello"\nmsgstr "Shwmae"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "_PACKAGE_DIR", package)
    mo = catalogue_path("xx")
    assert i18n.read_catalogue("xx").gettext("Hello") == "Shwmae" and mo.is_file()
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Bye"\nmsgstr "Hwyl"\n', encoding="utf-8")
    os.utime(po, ns=(mo.stat().st_mtime_ns + 1, mo.stat().st_mtime_ns + 1))
    assert i18n.read_catalogue("xx").gettext("Bye") == "Hwyl"  # the change is read, not the old .mo
    assert i18n.read_catalogue("xx").gettext("Bye") == "Hwyl"  # from the .mo made just now
    mo.write_bytes(mo.read_bytes().replace("Hwyl".encode(), "Hwyr".encode()))
    assert i18n.read_catalogue("xx").gettext("Bye") == "Hwyr"  # an up-to-date .mo is read as it is
    (tmp_path / "pyproject.toml").unlink()  # an installed package: its .po is never compiled
    os.utime(po, ns=(mo.stat().st_mtime_ns + 1, mo.stat().st_mtime_ns + 1))
    assert i18n.read_catalogue("xx").gettext("Bye") == "Hwyr"
    (tmp_path / "pyproject.toml").write_text("")
    shutil.rmtree(package / "locale")
    (package / "locale").write_text("a file where the folder would go")  # nowhere to write the .mo
    assert i18n.read_catalogue("xx").gettext("Bye") == "Hwyl"  # compiled each time, never an error
    assert i18n.read_catalogue("yy").gettext("Bye") == "Bye"  # no catalogue at all: the messages as written


def test_the_pot_answers_to_its_name_in_each_catalogue() -> None:
    """The core has no catalogue: the names the pot is found by are the catalogues' words."""
    from timebank.i18n import say
    from timebank.ledger.basics.names import message_name
    from timebank.ledger.records.members import POT_NAMES

    class Pot:
        kind, forgotten = "pot", None

    assert POT_NAMES == (say(message_name(Pot()), "en"), say(message_name(Pot()), "cy"))
