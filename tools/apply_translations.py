"""Fill empty msgstr entries of a PO file from Python dicts S (singular) and P (plural
forms), leaving entries that already have a translation alone.

    python tools/apply_translations.py cy.po translations.py [more.py ...]
"""

import ast
import re
import runpy
import sys


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    path, sources = sys.argv[1], sys.argv[2:]
    singular: dict[str, str] = {}
    plural: dict[str, list[str]] = {}
    for source in sources:
        data = runpy.run_path(source)
        singular.update(data.get("S", {}))
        plural.update(data.get("P", {}))
    blocks = open(path, encoding="utf-8").read().split("\n\n")
    filled = missing = 0
    out = []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, l in enumerate(lines) if l.startswith("msgid ")]
        if not ids or lines[ids[0]] == 'msgid ""':
            out.append(block)
            continue
        msgid = ast.literal_eval(lines[ids[0]][6:])
        if any(l.startswith("msgid_plural ") for l in lines):
            forms = plural.get(msgid)
            new = []
            for line in lines:
                m = re.match(r'msgstr\[(\d)\] ""$', line)
                if m and forms:
                    new.append(f"msgstr[{m.group(1)}] {quote(forms[int(m.group(1))])}")
                    filled += 1
                else:
                    if m:
                        missing += 1
                    new.append(line)
            out.append("\n".join(new))
        else:
            new = []
            for line in lines:
                if line == 'msgstr ""' and msgid in singular:
                    new.append(f"msgstr {quote(singular[msgid])}")
                    filled += 1
                else:
                    if line == 'msgstr ""':
                        missing += 1
                    new.append(line)
            out.append("\n".join(new))
    open(path, "w", encoding="utf-8").write("\n\n".join(out))
    print(f"filled {filled}, still empty {missing}")


if __name__ == "__main__":
    main()
