"""Makes the sample spreadsheets in this folder (run once; the CSV files are committed).

They look like a coordinator's real sheets: Welsh headers and names, a BOM on one,
DD/MM/YYYY dates, blank lines, hours typed every which way, and in one file five
deliberate mistakes (lines 12, 53, 94, 134 and 175).
"""

import csv
import io
import random
from datetime import date, timedelta

rng = random.Random(2026)
MEMBERS = [("Siân Jones", "CF32", "cy", "01/11/2025"), ("Llŷr Evans", "CF32", "cy", "01/11/2025"),
           ("Gwenllïan Pritchard", "CF31", "cy", "01/11/2025"), ("Rhys Morgan", "CF32", "cy", "01/11/2025"),
           ("Rhys Williams", "CF34", "en", "01/11/2025"), ("Eleri Hughes", "CF32", "cy", "03/11/2025"),
           ("Dafydd ap Iwan", "CF32", "cy", "03/11/2025"), ("Mary Smith", "CF31", "en", "05/11/2025"),
           ("Peter Taylor", "CF35", "en", "05/11/2025"), ("Angharad Lewis", "CF32", "cy", "10/11/2025"),
           ("Osian Rees", "CF32", "cy", "10/11/2025"), ("Helen Price", "CF34", "en", "12/11/2025"),
           ("Ffion Bowen", "CF32", "cy", "15/11/2025"), ("Tomos Roberts", "CF31", "cy", "15/11/2025"),
           ("Catrin Davies", "CF32", "en", "20/11/2025"), ("Huw Thomas", "CF35", "cy", "20/11/2025"),
           ("Nia Griffiths", "CF32", "cy", "25/11/2025"), ("Owain Jenkins", "CF34", "cy", "25/11/2025"),
           ("Sarah Powell", "CF32", "en", "28/11/2025"), ("Meinir Llewellyn", "CF32", "cy", "28/11/2025")]
CATEGORIES = ["transport", "gardening", "shopping", "companionship", "diy", "computers", "Garddio",
              "Cludiant a lifftiau"]
HOURS = ["1", "1.5", "1,5", "2", "1:30", "90m", "45m", "1h30m", "3", "0.5"]
NOTES = ["Lifft i'r feddygfa", "Mowing, then weeding", "Siopa", "Help gyda'r ffôn", "", "", "Paned a sgwrs"]


def write(path: str, rows: list[list[str]], bom: bool = False) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if bom else "\n")
    for row in rows:
        writer.writerow(row)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        handle.write(buffer.getvalue())


members = [["Enw", "Ardal", "Iaith", "Ymunodd", "E-bost", "Nodyn"], []]
for index, (name, area, lang, joined) in enumerate(MEMBERS):
    members.append([name, area, lang, joined, f"aelod{index + 1}@example.org" if index % 3 else "", ""])
    if index % 7 == 6:
        members.append(["", "", "", "", "", ""])
write("members.csv", members, bom=True)

names = [m[0] for m in MEMBERS]
good = [["Dyddiad", "Rhoddwr", "Derbynnydd", "Oriau", "Categori", "Nodyn"]]
for k in range(200):
    day = date(2025, 12, 1) + timedelta(days=rng.randrange(330))
    giver, receiver = rng.sample(names, 2)
    good.append([day.strftime("%d/%m/%Y"), giver, receiver, rng.choice(HOURS), rng.choice(CATEGORIES),
                 rng.choice(NOTES)])
    if k % 45 == 44:
        good.append([])
write("exchanges.csv", good)

bad = [list(row) for row in good]
lines = [i for i, row in enumerate(bad) if row and i > 0]
mistakes = [(lines[10], 1, "Bob Nobody"), (lines[50], 3, "0"), (lines[90], 0, "31/02/2026"),
            (lines[130], 0, "01/01/2999"), (lines[170], 2, "Rhys")]
for index, column, value in mistakes:
    bad[index][column] = value
write("exchanges-with-mistakes.csv", bad)
print("mistakes on lines", [index + 1 for index, _c, _v in mistakes])
