"""The ledger core: members, exchanges, balances and reports. No terminal code here, and no
language chosen: results are typed values (numbers, dates, codes, `MemberName`s); the
faces put them into words.

Where things live, lowest first (an import-linter contract keeps the order acyclic):

- `errors`, `text` (cleaning stored text, and `printable` for what reaches a terminal),
  `hours`, `dates`, `models`, `names`, `sql` (query fragments: which exchanges count, the
  month key), `files` (every file written outside the ledger: private, whole or not at all,
  never through a link or over a file without --force): the pieces everything uses.
- `db` (connections, transactions), `migrate` (Alembic), `backups`, `schema` (creating and
  upgrading a ledger).
- `audit`, `settings` (and the one credit-limit rule), `categories`, `totals` (cached
  figures and what they must equal), `balances` (every balance read).
- `members`, `erasure`, `exchanges` (the rules and the one write path), `listings`.
- `reports`, `statements`, `activity`, `figures`, `checks`, `demo`: reports as typed data.
- `restoring`: the steps of a restore, done in a staging copy so that a kill cannot leave
  the ledger half restored or un-erased.
- `actions`: one function per thing a person does, each one transaction with all its
  steps. `queries`: one function per read a face makes, each its own snapshot. A face
  calls an action or a query, never a session (an import-linter contract keeps it so).

Where a change goes: a new rule -> the module that owns the data; a new user action ->
`actions`; a new report -> its own module returning dataclasses, and a view in
`timebank.render.views`.
"""
