"""The command line: Typer commands only. Each command is a module-level function that
parses what was typed, makes one call into the core (`timebank.ledger`, `timebank.io`)
and renders the result (`timebank.render`). No SQL and no rules here.

Where a change goes: a new option or command -> the module for its group; a new rule ->
the core; how something looks -> `timebank.render.views`.
"""
