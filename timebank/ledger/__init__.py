"""The ledger core: members, exchanges, balances and reports. No terminal code here."""
