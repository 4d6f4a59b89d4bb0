"""Writes timebank/ledger/basics/common_words.txt: the common words of English and Welsh
that are also people's names ("Rose", "Hope", "Gwyn", "Haf"), which erasure may not take
out of every text where they stand alone (`timebank.ledger.basics.common_words`).

Run by hand when the list should change (not at build or run time):
    pip download --no-deps wordfreq && unzip wordfreq-*.whl && pip install msgpack
    python tools/make_common_words.py wordfreq/data/small_en.msgpack.gz

English: the 5,000 most frequent words in wordfreq's English list that Hunspell's en_US
dictionary knows written in lower case as a word that inflects, or that is no name (so "rose" and "mark" are common words, and "john",
frequent as it is, is a name). Welsh: no frequency list of Welsh is packaged anywhere
reachable, so the Welsh words are those of the project's own Welsh catalogue (cy.po) that
aspell-cy knows in lower case, and the common Welsh words that are also given names (below).
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import msgpack  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "timebank" / "ledger" / "basics" / "common_words.txt"
ENGLISH = 5000
# Welsh words that are also given names or surnames, and common enough in a note to be
# meant as words ("haf" summer, "gwyn" white, "bryn" hill, "glyn" valley, ...), and the
# names of Wales and its towns, which organisations take ("Cymru").
WELSH_NAME_WORDS = """
haf gwyn gwen bryn glyn eira awel seren alaw aur heulwen llinos mair dewi sant afon
tegid menai nant cari cariad hedd heddwyn gwawr mai mehefin medi tachwedd rhagfyr ionawr
iwan morgan lli coed derwen onnen celyn rhosyn lili briallen blodwen enfys mererid
gwynfor berw cwm dyffryn mynydd llyn ffion heledd teg tegwen del rhian mab merch bach
cymru cymraeg lloegr prydain caerdydd abertawe casnewydd wrecsam bangor aberystwyth
""".split()


def english(path: str) -> list[str]:
    buckets = msgpack.loads(gzip.open(path).read(), strict_map_key=False)[1:]
    entries = [line.strip() for line in Path("/usr/share/hunspell/en_US.dic").read_text(
        encoding="utf-8", errors="replace").splitlines()[1:]]
    names = {e.split("/")[0] for e in entries if e[:1].isupper()}
    # A lower-case entry with no affixes that is also a name ("ann", an abbreviation) is
    # the name; one that inflects ("rose/MS", "john/MS") is a word.
    known = {e.split("/")[0] for e in entries
             if e[:1].islower() and ("/" in e or e.split("/")[0].capitalize() not in names)}
    out: list[str] = []
    for bucket in buckets:
        for word in bucket:
            if re.fullmatch(r"[a-z]{2,}", word) and word in known:
                out.append(word)
                if len(out) == ENGLISH:
                    return out
    return out


def welsh() -> list[str]:
    text = (ROOT / "cy.po").read_text(encoding="utf-8")
    strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', text, flags=re.M)
    words = {w for s in strings for w in re.findall(r"[^\W\d_]{2,}", s) if w == w.lower()}
    result = subprocess.run(["aspell", "--lang=cy", "--encoding=utf-8", "list"], input="\n".join(sorted(words)),
                            capture_output=True, text=True, check=True)
    unknown = set(result.stdout.split())
    return sorted(words - unknown) + WELSH_NAME_WORDS


def fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).casefold()


def main() -> None:
    words = sorted({fold(w) for w in english(sys.argv[1]) + welsh()})
    OUT.write_text("# Made by tools/make_common_words.py: English (wordfreq, en_US) and Welsh (cy.po,\n"
                   "# aspell-cy, names that are words), folded. One word a line.\n" + "\n".join(words) + "\n",
                   encoding="utf-8")
    print(len(words), "words written to", OUT)


if __name__ == "__main__":
    main()
