#!/usr/bin/env bash
# Every ```c block of README.md that is a whole program (it has a main) is compiled as C99
# with the project's warnings and sanitizers, and run, and so is the quick start of olock.h's
# doc block: the indented lines after the line "Quick start (compiled by tests/readme_snippets.sh):".
# Prints one line per snippet and "N passed, N failed". (README blocks without a main, such as
# a struct shown for reference, are left alone; a doc block without that marker, or whose
# example has no main, is a failure.)
set -u
cd "$(dirname "$0")/.." || exit 2
dir=$PWD/build/readme
rm -rf "$dir"; mkdir -p "$dir"
python3 - "$dir" <<'PY'
import re, sys
out = sys.argv[1]
text = open('README.md').read()
n = 0
for m in re.finditer(r'```c\n(.*?)```', text, re.S):
    body = m.group(1)
    if 'int main' not in body:
        continue
    n += 1
    open('%s/snippet%02d.c' % (out, n), 'w').write(body)

# The doc block's example: from the marker line on, the lines indented deeper than the marker
# (and the blank lines among them), dedented; it ends at the first line indented no deeper,
# such as the prose after it, the next section's title or the comment's end.
marker = 'Quick start (compiled by tests/readme_snippets.sh):'
lines = open('olock.h').read().split('\n')
at = [i for i, l in enumerate(lines) if l.strip() == marker]
if len(at) != 1:
    sys.exit('olock.h: %d lines "%s" (want 1)' % (len(at), marker))
outer = len(lines[at[0]]) - len(lines[at[0]].lstrip())
code = []
for l in lines[at[0] + 1:]:
    if l.strip() and len(l) - len(l.lstrip()) <= outer:
        break
    code.append(l)
while code and not code[-1].strip():
    code.pop()
while code and not code[0].strip():
    code.pop(0)
indent = min(len(l) - len(l.lstrip()) for l in code if l.strip()) if code else 0
body = '\n'.join(l[indent:] for l in code) + '\n'
if 'int main' not in body or '*/' in body:
    sys.exit('olock.h: the quick start after "%s" is not a whole program' % marker)
open('%s/header_quickstart.c' % out, 'w').write(body)
PY
[ -f "$dir/header_quickstart.c" ] || { echo "FAIL olock.h doc block: no quick start extracted"; echo "0 passed, 1 failed"; exit 1; }
pass=0; fail=0
for f in "$dir"/header_quickstart.c "$dir"/snippet*.c; do
  [ -f "$f" ] || continue
  exe=${f%.c}
  libs=(-lm -lpthread)
  grep -q OLOCK_CURL_IMPLEMENTATION "$f" && libs+=(-lcurl)
  if gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wstrict-prototypes -Wmissing-prototypes \
       -fsanitize=address,undefined -I. -Ibackends "$f" -o "$exe" "${libs[@]}" 2>"$exe.err" && \
     (cd "$dir" && timeout 60 "$exe" >"$exe.out" 2>&1); then
    echo "ok   $f"; pass=$((pass + 1))
  else
    echo "FAIL $f"; cat "$exe.err" "$exe.out" 2>/dev/null | head -20; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
