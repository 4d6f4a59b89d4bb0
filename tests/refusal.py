"""One check for every refusal (issue 17's red-team items): one line on stderr in the
chosen language (Welsh differs from English), exit 1, no traceback, the ledger unchanged."""

from __future__ import annotations

from conftest import Cli, Result, dump


def refused(cli: Cli, *args: str, code: int = 1) -> dict[str, Result]:
    """Run `args` in English and in Welsh; both must be refused without change."""
    results = {}
    for lang in ("en", "cy"):
        before = dump(cli.db)
        result = cli(*args, lang=lang)
        assert result.code == code, (lang, args, result)
        assert "Traceback" not in result.out + result.err, result
        lines = [line for line in result.err.splitlines() if line.strip()]
        assert len(lines) == 1, (lang, args, result.err)
        assert dump(cli.db) == before, (lang, args)
        results[lang] = result
    assert results["cy"].err != results["en"].err, results  # translated, not English in Welsh
    return results
