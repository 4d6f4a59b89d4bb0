"""Files in and out: funder CSV exports, spreadsheet imports, accounting journals."""
