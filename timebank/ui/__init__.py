"""The screen: `timebank ui`, a Textual face for a coordinator at the keyboard.

It is one more face over the same core and the same views as the command line: every
write is one call to `timebank.ledger.actions`, every read one call to
`timebank.ledger.queries` (each its own snapshot of the ledger), and everything it says comes from the views in
`timebank.render` and the catalogues, in the interface language (`Words`). No SQL, no session
and no rule lives here. Textual is imported only by the `ui` command, so no other command pays
for it at start-up.

Where things live, lowest first: `draw` (sheets, reports and charts as widgets), `base` (pages, key labels in the
interface language, questions, messages), then one module per page: `home`, `members`,
`record`, `exchanges`, `reports`; `app` puts them together.
"""
