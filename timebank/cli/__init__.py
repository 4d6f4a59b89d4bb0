"""The command-line face: parse, call the ledger core, render. No SQL here."""
