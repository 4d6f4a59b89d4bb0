"""Makes the TimeOverflow fixtures in this folder (run once; the files are committed).

Written by hand from the formats TimeOverflow's source describes (app/decorators/report/*,
app/services/*_importer.rb), for one small bank, "Banc Amser Dyffryn", exported on
2026-11-20:

- en/: the four exports as an admin using English downloads them one by one
  (`<Org>_<List>_<date>.csv`, English headers and sentences).
- es/: the same exports from an admin using Spanish (Spanish headers, "El usuario ya no
  existe", category names that exist only in English shown as "Gardening [en]").
- banc-amser-dyffryn_2026-11-20.zip: the "download all" zip of the Spanish exports
  (`Members_<date>.csv`, `Transfers_…`, `Offers_…`, `Inquiries_…`).
- admin/: header-less files in the admin import formats (users, transfers in seconds,
  posts), one amount not a whole number of minutes (line 2 of transfers.csv).

The bank: members 1, 2, 4, 6 and 7 are active; 3 is inactive and 5 was deleted, so
neither is in the members export and their transfers show a sentence instead of a name.
There is a transfer from and one to the organisation, and a quantity of 0:30. TimeOverflow's
transfer source pays the time and its destination earns it. Balances in seconds:
1: -900, 2: 0, 4: 5400, 6: 10800, 7: -900 (organisation -3600, inactive +2700,
deleted -13500: the whole adds up to zero).

- audit/: a second bank, "Banc Amser Glan", built to show what issue 25 found (its figures):
  16 transfers linked to a post, 7 of them to a post that is not in the export (withdrawn,
  or a deleted or inactive member's) while another member's post of the same title is;
  16:45 of hours between people and a deleted or an inactive member (36:25 between listed
  members, 53:10 in all); two transfers of a few seconds over the minute, so that four
  members' balances (in seconds) are a minute nearer zero as TimeOverflow shows them than
  rounded to the nearest minute.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
ORG = "Banc Amser Dyffryn"
DAY = "2026-11-20"

MEMBERS = [
    ["1", "Siân Jones", "sian@example.org", "07700 900001", "", "2024-01-10 10:00:00 UTC", "2026-11-01 08:00:00 UTC",
     "en", "-900"],
    ["2", "Llinos Evans", "llinos@example.org", "07700 900002", "01650 700002", "2024-01-10 10:05:00 UTC",
     "2026-10-30 18:00:00 UTC", "en", "0"],
    ["4", "Rhys Morgan", "", "07700 900004", "", "2024-02-01 09:00:00 UTC", "", "ca", "5400"],
    ["6", "Ana García", "ana@example.org", "", "", "2025-11-30 12:00:00 UTC", "2026-11-15 20:00:00 UTC", "es",
     "10800"],
    ["7", "Mair Williams", "mair@example.org", "07700 900007", "", "2024-03-15 11:00:00 UTC",
     "2026-09-01 10:00:00 UTC", "en", "-900"],
]

GONE = {"en": "The user no longer exists", "es": "El usuario ya no existe"}
INACTIVE = {"en": "The user isn't active", "es": "El usuario no está activo"}


def transfers(lang: str) -> list[list[str]]:
    """Newest first, as TimeOverflow lists them: Date, From (pays), To (earns), Post, Quantity."""
    return [
        ["2026-11-15 10:00:00 UTC", "Siân Jones (1)", "Llinos Evans (2)", "Lifft i'r feddygfa", "1:30"],
        ["2026-10-02 14:30:00 UTC", "Llinos Evans (2)", "Rhys Morgan (4)", "", "0:30"],
        ["2026-09-10 09:00:00 UTC", ORG, "Ana García (6)", "", "2:00"],
        ["2026-08-01 16:00:00 UTC", "Mair Williams (7)", ORG, "", "1:00"],
        ["2026-06-05 11:00:00 UTC", INACTIVE[lang], "Siân Jones (1)", "", "1:15"],
        ["2026-04-20 10:00:00 UTC", GONE[lang], "Rhys Morgan (4)", "Help in the garden", "3:00"],
        ["2026-03-01 10:00:00 UTC", GONE[lang], "Mair Williams (7)", "", "0:45"],
        ["2026-01-20 12:00:00 UTC", "Rhys Morgan (4)", INACTIVE[lang], "", "2:00"],
        ["2025-12-12 18:00:00 UTC", "Llinos Evans (2)", "Ana García (6)", "Gwersi Sbaeneg", "1:00"],
    ]


def offers(lang: str) -> list[list[str]]:
    mark = " [en]" if lang == "es" else ""
    return [
        ["", "Gardening" + mark, "", "", ""],
        ["12", "Help in the garden", "garden, weeding", "Rhys Morgan (4)", "2025-05-01 09:00:00 UTC"],
        ["", "Languages" + mark, "", "", ""],
        ["15", "Gwersi Sbaeneg", "spanish", "Ana García (6)", "2025-12-01 10:00:00 UTC"],
        ["16", "Spanish conversation", "", "Ana García (6)", "2026-01-05 10:00:00 UTC"],
    ]


def inquiries(lang: str) -> list[list[str]]:
    mark = " [en]" if lang == "es" else ""
    return [
        ["", "-", "", "", ""],
        ["21", "Someone to chat with", "", "Mair Williams (7)", "2026-09-01 10:00:00 UTC"],
        ["", "Transport" + mark, "", "", ""],
        ["20", "Lift to the hospital", "", "Siân Jones (1)", "2026-10-20 10:00:00 UTC"],
    ]


HEADERS = {
    "en": {"members": ["N", "Name", "Email", "Phone", "Alternative Phone", "Created", "Last login", "Locale",
                       "Balance"],
           "transfers": ["Date", "From", "To", "Post", "Quantity"],
           "offers": ["", "Offer", "Tags", "User", "Created"],
           "inquiries": ["", "Request", "Tags", "User", "Created"]},
    "es": {"members": ["N", "Nombre", "Correo", "Teléfono", "Teléfono alternativo", "Creado", "Fecha último login",
                       "Locale", "Balance"],
           "transfers": ["Fecha", "Origen", "Destino", "Anuncio", "Cantidad"],
           "offers": ["", "Oferta", "Etiquetas", "Usuario", "Creado"],
           "inquiries": ["", "Demanda", "Etiquetas", "Usuario", "Creado"]},
}
# The lists' names in an export's file name: the model's plural in the admin's language.
FILE_LISTS = {"en": {"members": "Users", "transfers": "Transfers", "offers": "Offers", "inquiries": "Requests"},
              "es": {"members": "Usuarios", "transfers": "Transferencias", "offers": "Ofertas",
                     "inquiries": "Demandas"}}
ZIP_LISTS = {"members": "Members", "transfers": "Transfers", "offers": "Offers", "inquiries": "Inquiries"}


def text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)  # Ruby's CSV.generate: commas, \n
    return out.getvalue()


def exports(lang: str) -> dict[str, str]:
    return {"members": text([HEADERS[lang]["members"]] + MEMBERS),
            "transfers": text([HEADERS[lang]["transfers"]] + transfers(lang)),
            "offers": text([HEADERS[lang]["offers"]] + offers(lang)),
            "inquiries": text([HEADERS[lang]["inquiries"]] + inquiries(lang))}


ADMIN_USERS = [
    ["1", "2024-01-10", "Siân", "Jones", "", "2", "1970-05-01", "07700 900001", "", "sian@example.org"],
    ["2", "2024-01-10", "Llinos", "Evans", "", "2", "", "07700 900002", "01650 700002", "llinos@example.org"],
    ["4", "2024-02-01", "Rhys", "Morgan", "", "1", "", "07700 900004", "", ""],
    ["6", "2025-11-30", "Ana", "García", "", "2", "", "", "", "ana@example.org"],
    ["7", "2024-03-15", "Mair", "Williams", "", "2", "", "07700 900007", "", "mair@example.org"],
]
ADMIN_TRANSFERS = [
    ["2", "member", "6", "member", "3600", "2025-12-12 18:00:00", "Gwersi Sbaeneg", ""],
    ["1", "member", "2", "member", "5430", "2026-11-15 10:00:00", "Lifft i'r feddygfa", ""],
    ["1", "organization", "6", "member", "7200", "2026-09-10 09:00:00", "", ""],
]
ADMIN_POSTS = [
    ["4", "Offer", "Help in the garden", "Weeding and digging", "3", "2025-05-01", "", ""],
    ["1", "Inquiry", "Lift to the hospital", "", "", "2026-10-20", "", ""],
]


AUDIT_ORG = "Banc Amser Glan"
# member_uid: name, created (5 is inactive and 11 deleted: in no export).
AUDIT_MEMBERS = {1: "Siân Jones", 2: "Llinos Evans", 3: "Rhys Morgan", 4: "Ana García", 6: "Mair Williams",
                 7: "Dewi Pritchard", 8: "Gwen Hughes", 9: "Owain Price", 10: "Bethan Lloyd", 12: "Huw Roberts",
                 13: "Nia Thomas", 14: "Tomos Davies"}
GONE_EN, INACTIVE_EN = GONE["en"], INACTIVE["en"]
# (day, payer, earner, post title, seconds): payer and earner a member_uid, "org", GONE_EN or INACTIVE_EN.
AUDIT_TRANSFERS: list[tuple[str, object, object, str, int]] = [
    # Linked to the earner's own offer (or the payer's own inquiry), which the export lists.
    ("2025-03-04", 2, 3, "Help in the garden", 120 * 60),
    ("2025-04-11", 1, 3, "Help in the garden", 90 * 60),
    ("2025-05-02", 6, 4, "Spanish lessons", 60 * 60),
    ("2025-06-13", 9, 4, "Spanish lessons", 60 * 60),
    ("2025-07-08", 13, 7, "Lifts to town", 45 * 60),
    ("2025-08-19", 1, 7, "Lift to the hospital", 45 * 60),
    ("2025-09-23", 12, 10, "Computer help", 75 * 60 + 45),  # 1:15:45, shown as 1:15
    ("2025-10-14", 8, 10, "Computer help", 60 * 60),
    ("2025-11-04", 10, 12, "Dog walking", 60 * 60),
    # Linked to a post the export does not list; another member's post of the same title is.
    ("2025-03-18", 1, 6, "Company", 90 * 60),            # Mair's withdrawn offer (Huw's Company is with dogs)
    ("2025-05-27", 4, 6, "Company", 60 * 60),
    ("2025-04-29", 2, GONE_EN, "Company", 60 * 60),     # a deleted member's offer
    ("2025-06-24", 14, 13, "Lessons", 60 * 60),          # Nia's withdrawn piano lessons (Ana's are Spanish)
    ("2025-09-09", 9, 13, "Lessons", 45 * 60),
    ("2025-07-22", 8, INACTIVE_EN, "Lifts to town", 45 * 60),  # an inactive member's offer
    ("2025-10-28", 3, 14, "Repairs", 120 * 60),          # Tomos's withdrawn bike repairs (Owain's are DIY)
    # With no post.
    ("2025-02-11", 3, 1, "", 120 * 60),
    ("2025-08-05", 4, 2, "", 90 * 60),
    ("2025-12-02", 7, 8, "", 120 * 60),
    ("2026-01-13", 10, 9, "", 90 * 60),
    ("2026-02-10", 13, 12, "", 60 * 60),
    ("2026-03-03", 1, 14, "", 75 * 60 + 40),             # 1:15:40, shown as 1:15
    ("2026-03-24", 8, 6, "", 60 * 60),
    ("2026-04-14", 12, 2, "", 90 * 60),
    ("2026-05-05", 2, 9, "", 120 * 60),
    ("2026-05-26", 6, 7, "", 90 * 60),
    ("2026-06-16", 14, 10, "", 60 * 60),
    ("2026-07-07", 7, 13, "", 90 * 60),
    ("2026-07-28", 9, 3, "", 60 * 60),
    ("2026-08-18", 1, 8, "", 70 * 60),
    # With a deleted or an inactive member.
    ("2025-05-13", GONE_EN, 7, "", 180 * 60),
    ("2025-08-26", GONE_EN, 3, "", 240 * 60),
    ("2025-10-07", INACTIVE_EN, 10, "", 120 * 60),
    ("2026-01-27", 12, INACTIVE_EN, "", 90 * 60),
    ("2026-02-24", GONE_EN, 6, "", 150 * 60),
    ("2026-04-28", INACTIVE_EN, 13, "", 120 * 60),
    # With the organisation.
    ("2025-12-16", "org", 4, "", 120 * 60),
    ("2026-09-15", 9, "org", "", 60 * 60),
]
AUDIT_OFFERS = [  # category, post id, title, tags, member_uid, created: as TimeOverflow groups them
    ("Computers", 201, "Computer help", "", 10, "2024-05-01"),
    ("DIY", 202, "Repairs", "shelves, doors", 9, "2024-06-01"),
    ("Gardening", 203, "Help in the garden", "", 3, "2024-03-01"),
    ("Languages", 204, "Spanish lessons", "spanish", 4, "2024-04-01"),
    ("Languages", 205, "Lessons", "spanish", 4, "2024-04-02"),
    ("Pets", 206, "Dog walking", "", 12, "2024-07-01"),
    ("Pets", 207, "Company", "dogs", 12, "2024-07-02"),
    ("Transport", 208, "Lifts to town", "", 7, "2024-08-01"),
]
AUDIT_INQUIRIES = [
    ("-", 301, "Someone to chat with", "", 6, "2025-01-10"),
    ("Transport", 302, "Lift to the hospital", "", 1, "2025-08-01"),
]


def audit_exports() -> dict[str, str]:
    """The second bank's four English exports, balances worked out from its transfers."""
    def party(who: object) -> str:
        return AUDIT_ORG if who == "org" else f"{AUDIT_MEMBERS[who]} ({who})" if isinstance(who, int) else str(who)

    balance = {uid: 0 for uid in AUDIT_MEMBERS}
    rows = []
    for day, payer, earner, post, seconds in sorted(AUDIT_TRANSFERS, reverse=True):  # newest first
        for who, sign in ((payer, -1), (earner, 1)):
            if isinstance(who, int):
                balance[who] += sign * seconds
        rows.append([f"{day} 10:00:00 UTC", party(payer), party(earner), post,
                     f"{seconds // 3600}:{seconds % 3600 // 60:02d}"])
    members = [[str(uid), name, "", "", "", "2024-01-15 10:00:00 UTC", "", "en", str(balance[uid])]
               for uid, name in AUDIT_MEMBERS.items()]

    def posts(found: list) -> list[list[str]]:
        out: list[list[str]] = []
        last = None
        for category, number, title, tags, uid, created in found:
            if category != last:
                out.append(["", category, "", "", ""])
            last = category
            out.append([str(number), title, tags, party(uid), f"{created} 10:00:00 UTC"])
        return out
    return {"members": text([HEADERS["en"]["members"]] + members),
            "transfers": text([HEADERS["en"]["transfers"]] + rows),
            "offers": text([HEADERS["en"]["offers"]] + posts(AUDIT_OFFERS)),
            "inquiries": text([HEADERS["en"]["inquiries"]] + posts(AUDIT_INQUIRIES))}


def main() -> None:
    for lang in ("en", "es"):
        folder = HERE / lang
        folder.mkdir(exist_ok=True)
        for key, content in exports(lang).items():
            (folder / f"{ORG}_{FILE_LISTS[lang][key]}_{DAY}.csv").write_text(content, encoding="utf-8")
    with zipfile.ZipFile(HERE / f"banc-amser-dyffryn_{DAY}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for key, content in exports("es").items():
            info = zipfile.ZipInfo(f"{ZIP_LISTS[key]}_{DAY}.csv", date_time=(2026, 11, 20, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    admin = HERE / "admin"
    admin.mkdir(exist_ok=True)
    for name, rows in (("users", ADMIN_USERS), ("transfers", ADMIN_TRANSFERS), ("posts", ADMIN_POSTS)):
        (admin / f"{name}.csv").write_text(text(rows), encoding="utf-8")
    audit = HERE / "audit"
    audit.mkdir(exist_ok=True)
    for key, content in audit_exports().items():
        (audit / f"{AUDIT_ORG}_{FILE_LISTS['en'][key]}_{DAY}.csv").write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
