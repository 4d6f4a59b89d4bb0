"""timebank: a bilingual (Cymraeg / English) ledger for community time banks."""

__version__ = "0.1.0"
