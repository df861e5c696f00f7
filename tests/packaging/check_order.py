#!/usr/bin/env python3
"""Read an strace -f log of dpkg (or rpm) runs and check that no file ever
named a missing module: the snippet (openssl-tlspolicy*.cnf) may only come
into place while tlspolicy.so is present, and the module may only go while
no snippet is. Usage: check_order.py TRACE. Exit 0 ok, 1 not."""
import re
import sys

ev = re.compile(r'^\d+\s+(rename|renameat2?|unlink|unlinkat)\((.*)\)\s+=\s+(-?\d+)')
strs = re.compile(r'"((?:[^"\\]|\\.)*)"')
module = snippet = None  # unknown until seen
snippets = set()
n = bad = 0
for line in open(sys.argv[1], errors="replace"):
    m = ev.match(line)
    if not m or m.group(3) != "0":
        continue
    call, args = m.group(1), strs.findall(m.group(2))
    if call.startswith("rename"):
        if len(args) < 2:
            continue
        target = args[-1]
        gone = args[0]
    else:
        target, gone = None, args[-1] if args else None
    for path, came in ((target, True), (gone, False)):
        if not path:
            continue
        base = path.rsplit("/", 1)[-1]
        if base == "tlspolicy.so":
            n += 1
            if not came and snippets:
                bad += 1
                print("module removed while present:", sorted(snippets), "::", line.strip())
            module = came
        elif re.fullmatch(r"openssl-tlspolicy(-entry|-init)?\.cnf", base):
            n += 1
            if came:
                if module is False:
                    bad += 1
                    print("snippet placed while the module is missing ::", line.strip())
                snippets.add(path)
            else:
                snippets.discard(path)
print("%d events on the module and snippets, %d bad" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
