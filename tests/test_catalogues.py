"""The catalogues: every message in the code is in cy.po and en.po, complete and not fuzzy;
Welsh has the six-form plural header; both pass msgfmt --check."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import timebank
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
            name = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
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
    rule = load_catalogue("cy").plural_rule
    assert [rule(n) for n in (0, 1, 2, 3, 4, 6, 11)] == [0, 1, 2, 3, 5, 4, 5]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_msgfmt_check(lang: str, tmp_path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "x.mo"), str(ROOT / f"{lang}.po")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_catalogues_load_from_the_installed_package() -> None:
    for lang in ("cy", "en"):
        path = catalogue_path(lang)
        assert path is not None
        if not (SOURCE.parent / "pyproject.toml").exists():  # an installed wheel, not a checkout
            assert path.parent == SOURCE / "locale"


def test_a_catalogue_read_once_is_kept_and_read_again_when_it_changes(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    from timebank.i18n import read_catalogue

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    po = tmp_path / "xx.po"
    po.write_text('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
                  'msgid "Hello"\nmsgstr "Shwmae"\n', encoding="utf-8")
    first = read_catalogue(po)
    assert first == parse_po(po.read_text(encoding="utf-8"))
    kept = tmp_path / "__pycache__" / "xx.po.marshal"
    assert kept.is_file()
    assert read_catalogue(po) == first  # from what was kept
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Bye"\nmsgstr "Hwyl"\n', encoding="utf-8")
    assert read_catalogue(po)[0] == {"Hello": "Shwmae", "Bye": "Hwyl"}  # the change is read, not the old copy
    stat = po.stat()
    po.write_text(po.read_text(encoding="utf-8").replace("Hwyl", "Hwyr"), encoding="utf-8")
    os.utime(po, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: a reinstalled release
    assert read_catalogue(po)[0]["Bye"] == "Hwyr"
    kept.write_bytes(b"not what was kept")
    assert read_catalogue(po)[0] == {"Hello": "Shwmae", "Bye": "Hwyr"}  # a damaged copy is parsed past
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE: nothing written
    shutil.rmtree(tmp_path / "__pycache__")
    assert read_catalogue(po)[0]["Bye"] == "Hwyr" and not (tmp_path / "__pycache__").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "__pycache__").write_text("a file where the folder would go")  # nowhere to keep it
    assert read_catalogue(po)[0]["Bye"] == "Hwyr"  # parsed each time, never an error
