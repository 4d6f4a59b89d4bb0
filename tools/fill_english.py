"""Fill every empty msgstr of en.po with its msgid (and plural forms with msgid/msgid_plural)."""

import re
import sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
out: list[str] = []
msgid: list[str] = []
plural: list[str] = []
field = None
for line in lines:
    if line.startswith("msgid "):
        msgid, plural, field = [line[6:]], [], "msgid"
    elif line.startswith("msgid_plural "):
        plural, field = [line[13:]], "plural"
    elif line.startswith('"') and field == "msgid":
        msgid.append(line)
    elif line.startswith('"') and field == "plural":
        plural.append(line)
    elif line.startswith("msgstr"):
        field = None
        match = re.match(r'msgstr(\[(\d)\])? ""$', line)
        if match and msgid != ['""']:
            index = match.group(2)
            source = plural if index not in (None, "0") and plural else msgid
            out.append(line[: line.index(" ")] + " " + source[0])
            out.extend(source[1:])
            continue
    out.append(line)
open(path, "w", encoding="utf-8").write("\n".join(out))
