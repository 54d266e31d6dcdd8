#!/usr/bin/env bash
# The olock test runner (called by `make test`). Runs every step, prints one line per step with
# its log under build/logs/, and ends with the line "N passed, N failed" summed over all steps.
# Exit status is non-zero when anything failed.
#   TESTS          unit test names (tests/test_<name>.c), from the Makefile
#   FUZZ_SECONDS   how long each fuzz target runs (default 10; CI uses 60)
#   SKIP_VALGRIND=1, SKIP_FUZZ=1, SKIP_MATRIX=1 to leave a step out while iterating
set -u
cd "$(dirname "$0")/.." || exit 2
T_ALL=$EPOCHREALTIME
LOG=build/logs
mkdir -p "$LOG"
PASS=0
FAIL=0
SKIPS=()

# Adds the counts of the last "N passed, N failed" line of a log; a step without one counts
# as one test decided by its exit status. A non-zero exit with no failure counted is a failure.
tally() {
  local name=$1 status=$2 logf=$3 secs=${4:-} line p f
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$logf" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
    f=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  else
    if [ "$status" -eq 0 ]; then p=1; f=0; else p=0; f=1; fi
  fi
  PASS=$((PASS + p))
  FAIL=$((FAIL + f))
  [ -n "$secs" ] && secs=$(printf '%7ss' "$secs")
  if [ "$f" -eq 0 ]; then printf 'ok    %-44s %6d passed %s\n' "$name" "$p" "$secs"
  else printf 'FAIL  %-44s %6d passed, %d failed %s (see %s)\n' "$name" "$p" "$f" "$secs" "$logf"; tail -n 15 "$logf" | sed 's/^/      | /'; fi
}

# Seconds since $1 (an $EPOCHREALTIME), with one decimal.
since() { local t=$(( (${EPOCHREALTIME/./} - ${1/./}) / 100000 )); printf '%d.%d' $((t / 10)) $((t % 10)); }

run_step() {   # run_step NAME COMMAND...
  local name=$1; shift
  local logf="$LOG/${name//\//_}.log" t0=$EPOCHREALTIME
  "$@" >"$logf" 2>&1
  tally "$name" $? "$logf" "$(since "$t0")"
}

skip() { SKIPS+=("$1"); printf 'SKIP  %s\n' "$1"; }

# ---- 1. compile matrix: every header, gcc and clang, C99 and C++11, -Werror -------------------
matrix() {
  local dir=build/matrix fails=0 h impl inc cc lang std flags
  mkdir -p "$dir"
  for h in olock.h backends/olock_fake.h backends/olock_curl.h; do
    [ -f "$h" ] || continue
    [ "$h" = backends/olock_curl.h ] && [ "${HAVE_CURL:-}" != 1 ] && continue
    case $h in
      olock.h) impl='#define OLOCK_IMPLEMENTATION';;
      backends/olock_fake.h) impl=$'#define OLOCK_IMPLEMENTATION\n#define OLOCK_FAKE_IMPLEMENTATION';;
      backends/olock_curl.h) impl=$'#define OLOCK_IMPLEMENTATION\n#define OLOCK_CURL_IMPLEMENTATION';;
    esac
    # The implementation included twice must still compile (include guards on both halves).
    printf '%s\n#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$impl" "$h" "$h" >"$dir/twice.c"
    cp "$dir/twice.c" "$dir/twice.cpp"
    for cc in gcc clang; do
      for lang in c99 c++11; do
        if [ $lang = c99 ]; then
          cmd=("$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes -I. -Ibackends -c "$dir/twice.c" -o "$dir/o.o")
        else
          cmd=("${cc/gcc/g++}" -std=c++11 -Wall -Wextra -Wpedantic -Werror -Wshadow -I. -Ibackends -c "$dir/twice.cpp" -o "$dir/o.o")
          [ "$cc" = clang ] && cmd[0]=clang++
        fi
        if "${cmd[@]}" 2>"$dir/err.txt"; then echo "ok $h $cc $lang"
        else echo "FAIL $h $cc $lang"; cat "$dir/err.txt"; fails=$((fails + 1)); fi
      done
    done
  done
  # OLOCK_STATIC in two translation units of one program: no clashes, no unused warnings.
  printf '#define OLOCK_STATIC\n#define OLOCK_IMPLEMENTATION\n#include "olock.h"\nint tu_a(void);\nint tu_a(void) { return (int)olock_crc32(0, "a", 1); }\n' >"$dir/s1.c"
  printf '#define OLOCK_STATIC\n#define OLOCK_IMPLEMENTATION\n#include "olock.h"\nint tu_a(void);\nint main(void) { return tu_a() == (int)olock_crc32(0, "a", 1) ? 0 : 1; }\n' >"$dir/s2.c"
  if gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. "$dir/s1.c" "$dir/s2.c" -o "$dir/static" && "$dir/static"; then echo "ok OLOCK_STATIC two TUs"
  else echo "FAIL OLOCK_STATIC two TUs"; fails=$((fails + 1)); fi
  # Compile-time allocator macros: all three are used (with the context), or none.
  cat >"$dir/alloc.c" <<'C'
#include <stdlib.h>
static int n_malloc, n_free;
static void *my_malloc(void *ctx, size_t n) { (void)ctx; n_malloc++; return malloc(n); }
static void *my_realloc(void *ctx, void *p, size_t o, size_t n) { (void)ctx; (void)o; if (!p) n_malloc++; return realloc(p, n); }
static void my_free(void *ctx, void *p) { (void)ctx; if (p) n_free++; free(p); }
#define OLOCK_MALLOC(c, n) my_malloc((c), (n))
#define OLOCK_REALLOC(c, p, o, n) my_realloc((c), (p), (o), (n))
#define OLOCK_FREE(c, p) my_free((c), (p))
#define OLOCK_IMPLEMENTATION
#include "olock.h"
int main(void) {
    olock_item *it = NULL;
    if (olock_item_create(NULL, &it) != OLOCK_OK || olock_item_set_s(it, "a", "b") != OLOCK_OK) return 1;
    olock_item_destroy(it);
    return n_malloc > 0 && n_malloc == n_free ? 0 : 1;
}
C
  if gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I. "$dir/alloc.c" -o "$dir/alloc" && "$dir/alloc"; then echo "ok OLOCK_MALLOC/REALLOC/FREE macros"
  else echo "FAIL OLOCK_MALLOC/REALLOC/FREE macros"; fails=$((fails + 1)); fi
  printf '#define OLOCK_MALLOC(c, n) malloc(n)\n#define OLOCK_IMPLEMENTATION\n#include "olock.h"\nint main(void) { return 0; }\n' >"$dir/partial.c"
  if gcc -std=c99 -I. -c "$dir/partial.c" -o "$dir/o.o" 2>/dev/null; then echo "FAIL a partial allocator set must not compile"; fails=$((fails + 1))
  else echo "ok partial allocator macros rejected"; fi
  [ $fails -eq 0 ]
}

count_matrix() {   # turn the ok/FAIL lines of the matrix log into a tally line
  local logf=$LOG/compile-matrix.log t0=$EPOCHREALTIME
  matrix >"$logf" 2>&1
  local st=$?
  echo "$(grep -c '^ok' "$logf") passed, $(grep -c '^FAIL' "$logf") failed" >>"$logf"
  tally compile-matrix $st "$logf" "$(since "$t0")"
}

if [ "${SKIP_MATRIX:-}" != 1 ]; then count_matrix; fi

# ---- 2. unit tests under AddressSanitizer + UndefinedBehaviorSanitizer --------------------------
for t in ${TESTS:-}; do
  run_step "asan+ubsan/$t" env ASAN_OPTIONS=detect_leaks=1 build/san/test_$t
done

# ---- 2b. the threaded tests under ThreadSanitizer ---------------------------------------------
for t in ${TSAN_TESTS:-}; do
  run_step "tsan/$t" env TSAN_OPTIONS=halt_on_error=1 build/tsan/test_$t
done

# ---- 3. the same under valgrind memcheck ---------------------------------------------------------
if [ "${SKIP_VALGRIND:-}" = 1 ]; then skip "valgrind (SKIP_VALGRIND=1)"
elif ! command -v valgrind >/dev/null; then skip "valgrind: not installed (apt-get install valgrind)"
else
  for t in ${TESTS:-}; do
    # test_curl asserts timeouts of a few hundred milliseconds, which valgrind's slowdown
    # breaks; its memory checks run under ASan above.
    [ "$t" = curl ] && continue
    # test_outcomes' 150,000-cell fault sweep would take minutes under valgrind; its memory
    # checks run under ASan above.
    [ "$t" = outcomes ] && continue
    # valgrind runs threads one at a time: the concurrency test does 8 x 100 increments here
    run_step "valgrind/$t" env OLOCK_TEST_INCREMENTS=100 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --show-leak-kinds=definite,indirect build/plain/test_$t
  done
fi

# ---- 4. fuzz smoke run ---------------------------------------------------------------------------
if [ "${SKIP_FUZZ:-}" = 1 ]; then skip "fuzz (SKIP_FUZZ=1)"
else
  for target in $(bash tests/fuzz.sh list); do
    run_step "fuzz/$target" bash tests/fuzz.sh run "$target" "${FUZZ_SECONDS:-10}"
  done
fi

# ---- 4b. the examples keep their promises ------------------------------------------------------
# counter's last line is {"final":F,"expected":E,...} and it exits 0 only if F == E.
run_step examples/counter-faults bash -c 'out=$(build/examples/counter --threads 8 --increments 1000 \
  --faults throttle=10,error500=5,lost_response=5,conflict=5 --seed 11) || exit 1; echo "$out";
  echo "$out" | tail -n 1 | grep -Eq "^\{\"final\":8000,\"expected\":8000,\"requests\":[0-9]+,\"conflicts\":[0-9]+,\"retries\":[0-9]+,\"ambiguous\":[0-9]+\}$"'
run_step examples/shop-demo build/examples/shop
run_step examples/event-loop build/examples/event_loop
run_step examples/quickstart build/examples/quickstart
run_step examples/testing-with-faults build/examples/testing
run_step examples/transfer build/examples/transfer
run_step examples/endpoint build/examples/endpoint

# ---- 4c. install and packaging: make install, pkg-config, CMake find_package/add_subdirectory/FetchContent
logf=$LOG/packaging.log
t0=$EPOCHREALTIME
bash tests/packaging.sh >"$logf" 2>&1
st=$?
if grep -q '^SKIP' "$logf" && ! grep -qE '^[0-9]+ passed' "$logf"; then skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"
else tally packaging $st "$logf" "$(since "$t0")"; fi

# ---- 5. every full program in README.md compiles and runs ----------------------------------------
run_step readme-snippets bash tests/readme_snippets.sh

# ---- 5b. the fake served over HTTP: tools/olock-fakeserver ---------------------------------------
logf=$LOG/fakeserver.log
t0=$EPOCHREALTIME
bash tests/fakeserver.sh >"$logf" 2>&1
st=$?
if grep -q '^SKIP' "$logf" && ! grep -qE '^[0-9]+ passed' "$logf"; then skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"
else tally fakeserver $st "$logf" "$(since "$t0")"; fi

# ---- 5c. the AWS SDK for JavaScript v3 against olock-fakeserver and DynamoDB Local, side by side
if [ -x build/olock-fakeserver ] && command -v node >/dev/null; then
  logf=$LOG/sdk.log
  t0=$EPOCHREALTIME
  node tests/sdk/sdk_test.mjs >"$logf" 2>&1
  st=$?
  if grep -q '^SKIP' "$logf" && ! grep -qE '^[0-9]+ passed' "$logf"; then skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"
  else tally aws-sdk-js "$st" "$logf" "$(since "$t0")"; fi
else
  skip "aws-sdk-js: needs build/olock-fakeserver (libmicrohttpd-dev) and node"
fi

# ---- 6. integration tests against DynamoDB Local and dynalite -----------------------------------
if [ -x tests/integration.sh ]; then
  logf=$LOG/integration.log
  t0=$EPOCHREALTIME
  bash tests/integration.sh >"$logf" 2>&1
  st=$?
  if grep -q '^SKIP' "$logf"; then skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"
  else tally integration $st "$logf" "$(since "$t0")"; fi
fi

echo
if [ ${#SKIPS[@]} -gt 0 ]; then printf 'skipped: %s\n' "${SKIPS[@]}"; fi
echo "tests/run.sh: $(since "$T_ALL") s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
