"""Nothing leaks between the languages: every command, on its success and refusal paths,
says nothing in English under --lang cy and nothing in Welsh under --lang en (issue 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import Cli, fresh_db
from timebank.i18n import parse_po

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


def _catalogue(lang: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    singular, plural, _rule = parse_po((ROOT / f"{lang}.po").read_text(encoding="utf-8"))
    return singular, plural


NUMERIC = {"count", "number", "id", "rows", "created", "days", "minutes", "hours", "exchange", "reversal", "year",
           "quarter", "limit", "after", "given", "received", "line", "member"}


def _pattern(template: str) -> re.Pattern[str] | None:
    """A regex for a message template; None if it has too little literal text to be telling.
    Numeric placeholders match numbers only, others any short text."""
    pieces = re.split(r"(\{\w*\})", template)
    literal = "".join(p for p in pieces if not p.startswith("{"))
    if len(re.sub(r"[^A-Za-zÀ-ÿŵŷŴŶ]", "", literal)) < 4:
        return None
    body = "".join((r"[-+#]?[\d.,]+" if p[1:-1] in NUMERIC else r".{1,80}?") if p.startswith("{") and p.endswith("}")
                   else re.escape(p) for p in pieces)
    return re.compile(r"(?<![\w-])" + body + r"(?![\w-])")


def _foreign(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """Texts of the *other* language that must not appear in `lang` output."""
    cy_singular, cy_plural = _catalogue("cy")
    patterns: list[tuple[str, re.Pattern[str]]] = []
    if lang == "cy":
        for msgid, msgstr in cy_singular.items():
            if msgstr != msgid:
                patterns.append((msgid, _pattern(msgid)))
        for msgid, forms in cy_plural.items():
            if msgid not in forms:
                patterns.append((msgid, _pattern(msgid)))
    else:
        for msgid, msgstr in cy_singular.items():
            if msgstr != msgid:
                patterns.append((msgstr, _pattern(msgstr)))
        for msgid, forms in cy_plural.items():
            for form in set(forms):
                if form != msgid:
                    patterns.append((form, _pattern(form)))
    # Lower-case one-word msgids are CSV column keys and option values (identifiers that
    # also appear in data and in option names); their Welsh headers are tested elsewhere.
    # "Cymraeg" is how English help names the language (cy (Cymraeg)), on purpose.
    return [(text, p) for text, p in patterns if p is not None and not re.fullmatch(r"[a-zâêîôûŵŷ_]+", text)
            and text != "Cymraeg"]


COMMANDS: list[list[str]] = [
    ["--help"], ["member", "--help"], ["member", "add", "--help"], ["record", "--help"], ["exchange", "--help"],
    ["exchange", "void", "--help"], ["balance", "--help"], ["statement", "--help"], ["report", "monthly", "--help"],
    ["report", "period", "--help"], ["settings", "--help"], ["category", "--help"], ["check", "--help"],
    ["audit", "--help"], ["backup", "--help"], ["restore", "--help"], ["export", "--help"], ["import", "--help"],
    ["journal", "--help"], ["offer", "--help"], ["request", "add", "--help"], ["match", "--help"],
    ["init", "--help"], ["demo", "--help"],
    ["init"], ["demo"],
    ["member", "list"], ["member", "list", "--all"], ["member", "list", "--inactive", "30"], ["member", "show", "1"],
    ["member", "add", "Nia Newydd", "--area", "CF32"], ["member", "edit", "1", "--note", "x"],
    ["member", "leave", "#0"], ["member", "rejoin", "1"], ["member", "forget", "2"],
    ["record", "1", "2", "1:30", "--allow-overdraft"], ["record", "1", "1", "1"], ["record", "1", "2", "0"],
    ["record", "1", "2", "abc"], ["record", "1", "2", "1", "--date", "2999-01-01"], ["record", "Nobody", "1", "1"],
    ["record", "1", "2"], ["record", "1", "2", "1", "--dat", "x"], ["record", "1", "2", "25"],
    ["exchange", "list", "--month", "2026-10"], ["exchange", "list", "--include-void", "--member", "1"],
    ["exchange", "show", "1"], ["exchange", "void", "9999", "--reason", "x"], ["exchange", "void", "1"],
    ["balance"], ["balance", "1", "--as-of", "2026-06-30"], ["statement", "1"], ["statement", "1", "--month", "2026-10"],
    ["report", "monthly"], ["report", "monthly", "--month", "2026-13"], ["report", "period", "--from", "2026-01-01",
                                                                          "--to", "2026-10-31", "--by", "quarter"],
    ["settings", "show"], ["settings", "set", "colour", "x"], ["settings", "set", "credit_limit", "lots"],
    ["category", "list"], ["category", "add", "gardening", "--en", "x", "--cy", "y"],
    # (`journal` is left out: its account names and metadata keys are identifiers, like JSON keys.)
    ["check"], ["audit", "--from", "2026-11-01"],
    ["export", "exchanges", "--from", "2026-10-01"], ["export", "members"], ["export", "summary", "--by", "quarter"],
    ["export", "areas"], ["import", "exchanges", str(DATA / "exchanges-with-mistakes.csv")],
    ["import", "members", str(DATA / "members.csv"), "--dry-run"],
    ["restore", "nowhere.sqlite3", "--yes"], ["restore", "nowhere.sqlite3"],
    ["offer", "list"], ["request", "list", "--closed"], ["offer", "add", "1", "juggling"], ["offer", "remove", "9999"],
    ["match", "--category", "gardening", "--area", "CF32"], ["match"],
    ["balance", "--format", "xml"], ["bogus"], ["exchange", "void"], ["balance", "--as-of"],
]


@pytest.fixture(scope="module", params=["cy", "en"])
def session_output(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Every command's output in one language (success and refusal paths)."""
    from timebank.cli.main import run

    lang = request.param
    db = fresh_db(tmp_path_factory.mktemp(f"leak-{lang}"), "leak")
    assert run(["--db", str(db), "--lang", lang, "demo", "--members", "20", "--months", "13"]) == 0
    outputs = []
    import contextlib
    import io

    for args in COMMANDS:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run(["--db", str(db), "--lang", lang] + args)
        outputs.append(f"$ timebank {' '.join(args)}\n{out.getvalue()}{err.getvalue()}")
    return lang, "\n".join(outputs)


def test_no_message_from_the_other_language(session_output: tuple[str, str]) -> None:
    lang, text = session_output
    leaks = sorted({message for message, pattern in _foreign(lang) if pattern.search(text)})
    assert not leaks, f"{len(leaks)} {'English' if lang == 'cy' else 'Welsh'} messages in --lang {lang} output: " \
                      f"{leaks[:15]}"


def test_json_keys_do_not_change_with_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(fresh_db(tmp_path), capsys)
    cli.ok("demo", "--members", "8", "--months", "2")
    for args in (["balance"], ["member", "list"], ["exchange", "list"], ["report", "monthly"], ["settings", "show"],
                 ["category", "list"], ["audit"], ["offer", "list"], ["statement", "1"]):
        english = cli.json(*args, lang="en")
        welsh = cli.json(*args, lang="cy")

        def keys(value: object) -> object:
            if isinstance(value, dict):
                return {k: keys(v) for k, v in value.items() if k not in ("name",)}
            if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
                # A list of codes (a category's goals): its length follows the row, not the language.
                return "list"
            if isinstance(value, list):
                return [keys(v) for v in value[:3]]
            return type(value).__name__

        assert keys(english) == keys(welsh), args
        assert json.dumps(english)  # plain data


def test_welsh_csv_headers_are_welsh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every header of every CSV under --lang cy is a Welsh translation from cy.po."""
    import csv
    import io

    welsh = set(_catalogue("cy")[0].values())
    cli = Cli(fresh_db(tmp_path), capsys)
    cli.ok("demo", "--members", "8", "--months", "3")
    cli.ok("settings", "set", "hour_value", "10")
    for args in (["balance"], ["member", "list"], ["member", "show", "1"], ["exchange", "list"],
                 ["report", "monthly"], ["report", "period", "--from", "2026-01-01", "--to", "2026-10-31"],
                 ["statement", "1"], ["settings", "show"], ["category", "list"], ["audit"], ["offer", "list"],
                 ["request", "list"], ["match", "--category", "gardening"]):
        out = cli.ok(*args, "--format", "csv", lang="cy").out
        headers = next(csv.reader(io.StringIO(out)))
        english = [h for h in headers if h not in welsh and h not in ("#", "id", "cy", "en")]
        assert not english, (args, english)
    for kind in ("exchanges", "members", "summary", "areas"):
        headers = next(csv.reader(io.StringIO(cli.ok("export", kind, lang="cy").out)))
        english = [h for h in headers if h not in welsh and not h.startswith("oriau_")]
        assert not english, (kind, english)


ENGLISH_WORDS = {"the", "and", "or", "of", "to", "an", "is", "for", "with", "this", "from", "Usage", "Options",
                 "Commands", "Arguments", "Show", "message", "exit", "default", "required", "text", "member",
                 "TEXT", "INTEGER", "OPTIONS", "COMMAND", "ARGS", "help", "Record", "hours", "date", "giver",
                 "receiver", "GIVER", "RECEIVER", "HOURS", "Who", "Output", "language", "ledger", "list", "str", "int",
                 "name", "category", "number", "file", "key", "value", "code"}
COMMAND_NAMES = {"init", "demo", "settings", "category", "check", "audit", "backup", "restore", "member", "record",
                 "exchange", "balance", "statement", "report", "journal", "export", "import", "offer", "request",
                 "match", "timebank", "cy", "en", "table", "csv", "json", "TIMEBANK_USER", "SQLite", "URL",
                 "timebank.sqlite3"}


def english_words(text: str) -> set[str]:
    words = set()
    for token in re.findall(r"[-\w.]+", text):
        if token.startswith("-") or token in COMMAND_NAMES:
            continue
        if token in ENGLISH_WORDS:
            words.add(token)
    return words


@pytest.mark.parametrize("args", [["--help"], ["record", "--help"], ["member", "add", "--help"],
                                  ["report", "monthly", "--help"], ["exchange", "void", "--help"],
                                  ["member", "show", "--help"], ["offer", "add", "--help"], ["match", "--help"],
                                  ["category", "add", "--help"], ["import", "--help"]])
def test_welsh_help_has_no_english(cli: Cli, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli.ok(*args, lang="cy")
    assert not english_words(result.out), (args, english_words(result.out), result.out)
    english = cli.ok(*args, lang="en")
    assert english.out != result.out


def test_help_language_from_environment_and_ledger(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.cli.main import run

    monkeypatch.setenv("TIMEBANK_LANG", "cy")
    cli.capsys.readouterr()
    assert run(["member", "add", "--help"]) == 0
    welsh = cli.capsys.readouterr().out
    assert not english_words(welsh)
    monkeypatch.delenv("TIMEBANK_LANG")
    cli.ok("init", "--lang", "cy")
    cli.capsys.readouterr()
    assert run(["--db", str(cli.db), "member", "add", "--help"]) == 0
    assert cli.capsys.readouterr().out == welsh


WELSH_COUNTS = {
    "{count} exchange": {0: "0 cyfnewidiad", 1: "1 cyfnewidiad", 2: "2 gyfnewidiad", 3: "3 chyfnewidiad",
                         4: "4 cyfnewidiad", 6: "6 chyfnewidiad", 11: "11 cyfnewidiad"},
}


def test_welsh_plurals_for_counts() -> None:
    from timebank.i18n import ngettext, using_language

    with using_language("cy"):
        for n, expected in WELSH_COUNTS["{count} exchange"].items():
            assert ngettext("{count} exchange", "{count} exchanges", n).format(count=n) == expected
        members = {n: ngettext("{count} new member", "{count} new members", n).format(count=n)
                   for n in (0, 1, 2, 3, 4, 6, 11)}
    assert members == WELSH_MEMBERS


WELSH_MEMBERS = {0: "0 aelod newydd", 1: "1 aelod newydd", 2: "2 aelod newydd", 3: "3 aelod newydd",
                 4: "4 aelod newydd", 6: "6 aelod newydd", 11: "11 aelod newydd"}


def test_member_list_order_in_both_languages(cli: Cli) -> None:
    cli.ok("init")
    names = "Llinos Lloyd Lowri Luned Rhian Rhodri Robert Thomas Tomos".split()
    for name in names:
        cli.ok("member", "add", name)
    assert [m["name"] for m in cli.json("member", "list", lang="cy")] == \
        "Lowri Luned Llinos Lloyd Robert Rhian Rhodri Tomos Thomas".split()
    assert [m["name"] for m in cli.json("member", "list", lang="en")] == names
