"""Files in: spreadsheet imports (`imports`); files out that are not sheets: the accounting
journal (`journal`). Funder CSVs are sheets, drawn by `timebank.render`.

Each import parses and checks every row first, then writes through the core's one write
path (`ledger.exchanges.write_exchanges`) in one transaction.
"""
