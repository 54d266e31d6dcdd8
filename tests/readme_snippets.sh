#!/usr/bin/env bash
# Every ```c block of README.md that is a whole program (it has a main) is compiled as C99
# with the project's warnings and sanitizers, and run. Prints one line per snippet and
# "N passed, N failed". (Blocks without a main, such as a struct shown for reference, are
# left alone.)
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
PY
pass=0; fail=0
for f in "$dir"/snippet*.c; do
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
