"""The records and their rules: the audit log (`audit`), settings and the credit limit
(`settings`), categories, members, exchanges (the one write path), listings, erasure, and
balances with the cached totals they must equal (`balances`, `totals`)."""
