"""The ledger core: members, exchanges, balances and reports. No terminal code here, and no
language: results are typed values (numbers, dates, codes, `MemberName`s) and words are
`messages.Message`s (a message id and its parameters) that the faces say in the reader's
language. Nothing here imports the catalogue.

Two doors, as in beancount and hledger: `actions` (one function per thing a person does,
each one transaction with all its steps) and `queries` (one function per read a face needs,
each returning typed results). A face (the command line, the screen) imports those, the
errors, the messages and the pure values of `basics`, nothing else of the core.

The rooms, highest first (an import-linter layers contract keeps each room to the ones below
it, and every room free of cycles):

- `actions`, `queries`, `schema` (creating and upgrading a ledger), `restoring` (the steps of
  a restore, done in a staging copy so that a kill cannot leave the ledger half restored or
  un-erased), `demo`.
- `reports/`: reports as typed data (monthly report, statements, activity, period figures,
  the funder pack).
- `records/`: the records and their rules (audit log, settings and the credit limit,
  categories, members, exchanges and their one write path, listings, erasure, balances and
  the cached totals they must equal).
- `integrity/`: the hash chain written beside every record and the checks that verify it.
- `storage/`: models, query fragments, connections and transactions, Alembic, backups,
  where a ledger lives, every file written outside the ledger.
- `basics/`: pure pieces (text cleaning, hours, dates, names, periods, the two languages).
- `errors`, `messages`: what the core says, as data.

Where a change goes: a new rule -> the module of the room that owns the data; a new user
action -> `actions`; a new read -> `queries`; a new report -> its own module in `reports/`
returning dataclasses, and a view in `timebank.render.views`.
"""
