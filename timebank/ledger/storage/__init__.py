"""Model and storage: the SQLAlchemy models (`models`), query fragments (`sql`), connections
and transactions (`db`), Alembic (`migrate`), backups, where a ledger lives (`location`,
`lookup`) and every file written outside the ledger (`files`, `filesystem`)."""
