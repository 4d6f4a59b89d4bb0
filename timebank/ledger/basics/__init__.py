"""Pure pieces every room uses, with no database: cleaning text (`text`), hours and minutes
(`hours`), dates (`dates`), members' names and their order (`names`), reporting periods
(`periods`). A face may import these directly to read or show a value."""
