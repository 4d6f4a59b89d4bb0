"""The hash chain and the checks: the canonical text of each record (`canonical`), the chain
written beside every record (`chain`), the pass that verifies it (`verify`) and `check`'s
database checks (`checks`). Knows nothing of members or exchanges beyond their rows."""
