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


if __name__ == "__main__":
    main()
