"""The records and their rules: the audit log (`audit`), settings and the credit limit
(`settings`), categories, members, exchanges (the one write path), listings, erasure, and
balances with the cached totals they must equal (`balances`, `totals`)."""

# Every write to a member, period, category, setting or listing through a session is a link
# of the chain: the listeners are registered before any record can be written.
from timebank.ledger.integrity import records as _on_the_chain  # noqa: F401
