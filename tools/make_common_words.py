"""Writes timebank/ledger/basics/common_words.txt: the common words of English and Welsh
that are also people's names ("Rose", "Hope", "Gwyn", "Haf"), which erasure may not take
out of every text where they stand alone (`timebank.ledger.basics.common_words`).

Run by hand when the list should change (not at build or run time):
    pip download --no-deps wordfreq && unzip wordfreq-*.whl && pip install msgpack
    python tools/make_common_words.py wordfreq/data/small_en.msgpack.gz

English: the 5,000 most frequent words in wordfreq's English list that Hunspell's en_US
dictionary knows written in lower case as a word that inflects or that is no name ("rose",
"mark" and "john" are words; "ann", an abbreviation there, is a name). Welsh: no frequency
list of Welsh is packaged anywhere reachable, so the Welsh words are those of the project's
own Welsh catalogue (cy.po) that aspell-cy knows in lower case, the common Welsh words that
are also given names, and the everyday Welsh of a time bank's notes (both below, written by hand).
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
haf gwyn gwen bryn glyn eira awel seren alaw aur heulwen llinos afon nant cariad hedd gwawr
mai mehefin medi tachwedd rhagfyr ionawr lli coed derwen onnen celyn rhosyn lili briallen
enfys berw cwm dyffryn mynydd llyn teg del mab merch bach
cymru cymraeg lloegr prydain caerdydd abertawe casnewydd wrecsam bangor aberystwyth
""".split()
# Everyday Welsh of a time bank's notes, which the catalogue's words lack.
WELSH_EVERYDAY = """
diolch croeso helpu help siopa siop gardd garddio tŷ car bwyd ysbyty meddyg capel eglwys ysgol
plant plentyn mam tad nain taid mam-gu tad-cu bore prynhawn nos noson dydd wythnos blwyddyn
heddiw yfory ddoe da iawn mawr hen coch glas gwyrdd du melyn llyfr tref pentref ffordd stryd
bws trên lifft cinio swper brecwast coffi llaeth bara cig ffrwythau llysiau dŵr tân gwaith
cymydog cymdogion ffrind ffrindiau teulu pawb rhywun pob gyda heb dros drwy wrth gan rhwng
dan ond neu mae roedd bydd oedd wedi ei eu ein eich fy dy chi nhw fe hi fo ef hwn hon hyn
yma yna acw pryd ble pwy beth sut pam faint llawer ychydig mwy llai gwell gorau hwyl cwpan
cegin drws ffenest ffenestr to wal llawr gwely cadair bwrdd golchi glanhau coginio paentio
trwsio torri gwair coed blodau ci cath ceffyl defaid fferm cae mynd dod gweld gwneud cael
rhoi cymryd prynu talu ffonio galw cerdded gyrru darllen ysgrifennu canu siarad dysgu
cyfrifiadur ffôn llythyr post banc arian awr awrau munud amser credyd cymorth gofal
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
    return sorted(words - unknown) + WELSH_NAME_WORDS + WELSH_EVERYDAY


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
