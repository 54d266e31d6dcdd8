#!/usr/bin/env bash
# The olock test runner (called by `make test`, after `make all`). Runs every step, prints one
# line per step with its time and its log under build/logs/, and ends with the line
# "N passed, N failed" summed over all steps. Exit status is non-zero when anything failed.
#
# Steps run OLOCK_TEST_JOBS at a time (default: the number of CPUs), the longest first (by the
# rough times in COST below), so the integration servers start while the unit tests run. Steps
# that share files run one after the other in one job (the SigV4 runs all write
# build/test_sigv4_home; the fake server's tests and the SDK comparison both rebuild
# build/olock-fakeserver when it is stale). Steps that go by the clock run at normal priority,
# the others under nice 10 (TIMED below). Each line comes out as soon as its step is done.
#
#   TESTS, TSAN_TESTS  unit test names (tests/test_<name>.c), from the Makefile
#   FUZZ_SECONDS       how long each fuzz target runs (default 10; CI uses 60)
#   OLOCK_TEST_JOBS    steps at a time (1: one after the other, in this file's order)
#   SKIP_VALGRIND=1, SKIP_FUZZ=1, SKIP_MATRIX=1, SKIP_INTEGRATION=1 leave a step out while iterating
set -u
cd "$(dirname "$0")/.." || exit 2
T_ALL=$EPOCHREALTIME
LOG=build/logs
STATE=$LOG/.run.$$
mkdir -p "$LOG"
rm -rf "$STATE"
mkdir -p "$STATE"
JOBS=${OLOCK_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
case $JOBS in ''|*[!0-9]*|0) JOBS=2 ;; esac
PASS=0
FAIL=0
SKIPS=()

# Adds the counts of the last "N passed, N failed" line of a log; a step without one counts
# as one test decided by its exit status. A non-zero exit with no failure counted is a failure.
tally() {
  local name=$1 status=$2 logf=$3 secs=${4:-} line p f
  line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$logf" 2>/dev/null | tail -n 1)
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

skip() { SKIPS+=("$1"); printf 'SKIP  %s\n' "$1"; }

# ---- the step list ------------------------------------------------------------------------------
# step JOB NAME KIND COMMAND...   adds a step to job JOB (a job's steps run one after the other)
#   KIND test       tallied from its log (see tally)
#        optional   as test, but a log with a SKIP line and no "N passed" line is a skip
#        skippable  as test, but any SKIP line in the log makes it a skip
#        skip       not run: COMMAND is the reason, printed as a SKIP line in its place
# The log of step NAME is build/logs/NAME.log ('/' -> '_').
declare -A COST=(   # rough seconds each step took here (2 cores), for the order jobs start in
  [compile-matrix]=24 [asan+ubsan/outcomes]=27 [asan+ubsan/curl]=6 [asan+ubsan/curl_multi]=8
  [tsan/engine]=7 [valgrind/corpus]=9 [valgrind/curl_multi]=8 [valgrind/decimal]=11
  [valgrind/conformance]=3 [examples/counter-faults]=2 [packaging]=14 [readme-snippets]=9 [fakeserver]=12
  [aws-sdk-js]=4 [integration]=80)
FUZZ_COST=$(( ${FUZZ_SECONDS:-10} + 15 ))   # the run plus building the target
N=0
S_NAME=(); S_KIND=(); S_CMD=(); S_JOB=()
declare -A JOB_COST=() JOB_STEPS=()
JOB_KEYS=()
step() {
  local job=$1 name=$2 kind=$3 cost
  shift 3
  case $name in fuzz/*) cost=$FUZZ_COST ;; *) cost=${COST[$name]:-1} ;; esac
  if [ -z "${JOB_STEPS[$job]+set}" ]; then JOB_KEYS+=("$job"); JOB_STEPS[$job]=""; JOB_COST[$job]=0; fi
  JOB_STEPS[$job]+=" $N"
  JOB_COST[$job]=$(( JOB_COST[$job] + cost ))
  S_NAME[N]=$name; S_KIND[N]=$kind; S_JOB[N]=$job
  if [ "$kind" = skip ]; then S_CMD[N]=$1; else S_CMD[N]=$(printf '%q ' "$@"); fi
  N=$((N + 1))
}
logf_of() { local n=${S_NAME[$1]}; echo "$LOG/${n//\//_}.log"; }
# Steps that go by the clock (timeouts, deadlines, servers answering in time) run at normal
# priority; the others under nice 10, so that what runs alongside does not make those late.
TIMED=" asan+ubsan/curl asan+ubsan/curl_multi valgrind/curl_multi fakeserver aws-sdk-js integration "

# ---- 0. the pinned npm packages: DynamoDB Local, dynalite, the AWS SDK (package-lock.json) ----------
# Installed as make deps does (npm ci) when node_modules is missing. An older node_modules is left
# alone (npm ci would first delete it, under any server running from it): make deps updates it.
if [ ! -d node_modules ]; then
  missing=()
  command -v node >/dev/null 2>&1 || missing+=(node)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ ${#missing[@]} -eq 2 ]; then missing=("node and npm are"); else missing=("${missing[0]} is"); fi
    skip "npm ci: node_modules is not installed and ${missing[0]} missing (apt-get install nodejs npm)"
  else
    echo "npm ci --no-audit --no-fund (node_modules is missing) ..."
    t0=$EPOCHREALTIME
    npm ci --no-audit --no-fund >"$LOG/npm-ci.log" 2>&1
    tally "npm ci" $? "$LOG/npm-ci.log" "$(since "$t0")"
  fi
elif [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "note: package-lock.json is newer than node_modules: make deps updates it"
fi

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

compile_matrix() {   # the matrix, then its ok/FAIL lines counted into a tally line
  local out st
  out=$(matrix 2>&1)
  st=$?
  printf '%s\n' "$out"
  echo "$(grep -c '^ok' <<<"$out") passed, $(grep -c '^FAIL' <<<"$out") failed"
  return $st
}
if [ "${SKIP_MATRIX:-}" != 1 ]; then step compile-matrix compile-matrix test compile_matrix; fi

# ---- 2. unit tests under AddressSanitizer + UndefinedBehaviorSanitizer --------------------------
# (one job for the SigV4 runs: they share build/test_sigv4_home)
job_of() { case $1 in sigv4|sigv4_mbedtls) echo sigv4 ;; *) echo "$2" ;; esac; }
for t in ${TESTS:-}; do
  step "$(job_of "$t" "asan+ubsan/$t")" "asan+ubsan/$t" test env ASAN_OPTIONS=detect_leaks=1 build/san/test_$t
done

# ---- 2b. the threaded tests under ThreadSanitizer ---------------------------------------------
for t in ${TSAN_TESTS:-}; do
  step "tsan/$t" "tsan/$t" test env TSAN_OPTIONS=halt_on_error=1 build/tsan/test_$t
done

# ---- 3. the same under valgrind memcheck ---------------------------------------------------------
if [ "${SKIP_VALGRIND:-}" = 1 ]; then step valgrind valgrind skip "valgrind (SKIP_VALGRIND=1)"
elif ! command -v valgrind >/dev/null; then step valgrind valgrind skip "valgrind: not installed (apt-get install valgrind)"
else
  for t in ${TESTS:-}; do
    # test_curl asserts timeouts of a few hundred milliseconds, which valgrind's slowdown
    # breaks; its memory checks run under ASan above.
    [ "$t" = curl ] && continue
    # test_outcomes' 150,000-cell fault sweep would take minutes under valgrind; its memory
    # checks run under ASan above.
    [ "$t" = outcomes ] && continue
    # test_core once more with the JSON parser's portable path: its memory checks run under
    # ASan above, and test_core itself runs here.
    [ "$t" = core_portable ] && continue
    # valgrind runs threads one at a time: the concurrency test does 8 x 100 increments here
    step "$(job_of "$t" "valgrind/$t")" "valgrind/$t" test env OLOCK_TEST_INCREMENTS=100 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --show-leak-kinds=definite,indirect build/plain/test_$t
  done
fi

# ---- 4. fuzz smoke run ---------------------------------------------------------------------------
if [ "${SKIP_FUZZ:-}" = 1 ]; then step fuzz fuzz skip "fuzz (SKIP_FUZZ=1)"
else
  for target in $(bash tests/fuzz.sh list); do
    step "fuzz/$target" "fuzz/$target" test bash tests/fuzz.sh run "$target" "${FUZZ_SECONDS:-10}"
  done
fi

# ---- 4b. the examples keep their promises ------------------------------------------------------
# counter's last line is {"final":F,"expected":E,...} and it exits 0 only if F == E.
step examples examples/counter-faults test bash -c 'out=$(build/examples/counter --threads 8 --increments 1000 \
  --faults throttle=10,error500=5,lost_response=5,conflict=5 --seed 11) || exit 1; echo "$out";
  echo "$out" | tail -n 1 | grep -Eq "^\{\"final\":8000,\"expected\":8000,\"requests\":[0-9]+,\"conflicts\":[0-9]+,\"retries\":[0-9]+,\"ambiguous\":[0-9]+\}$"'
step examples examples/shop-demo test build/examples/shop
step examples examples/event-loop test build/examples/event_loop
step examples examples/quickstart test build/examples/quickstart
step examples examples/testing-with-faults test build/examples/testing
step examples examples/transfer test build/examples/transfer
step examples examples/player test build/examples/player
step examples examples/endpoint test build/examples/endpoint

# ---- 4c. install and packaging: make install, pkg-config, CMake find_package/add_subdirectory/FetchContent
step packaging packaging optional bash tests/packaging.sh

# ---- 4d. the parts under src/ keep one style (.clang-format) ------------------------------------
step style style skippable sh tools/check-format
# ... and depend on each other one way, privates only through the interfaces they list
step style parts test sh tools/check-parts
step style parts-self-test test sh tools/check-parts --self-test

# ---- 5. every full program in README.md compiles and runs ----------------------------------------
step readme-snippets readme-snippets test bash tests/readme_snippets.sh

# ---- 5b. the fake served over HTTP: tools/olock-fakeserver ---------------------------------------
step fakeserver fakeserver optional bash tests/fakeserver.sh

# ---- 5c. the AWS SDK for JavaScript v3 against olock-fakeserver and DynamoDB Local, side by side
if [ -x build/olock-fakeserver ] && command -v node >/dev/null; then
  step fakeserver aws-sdk-js optional node tests/sdk/sdk_test.mjs
else
  step fakeserver aws-sdk-js skip "aws-sdk-js: needs build/olock-fakeserver and node"
fi

# ---- 6. integration tests against DynamoDB Local and dynalite -----------------------------------
if [ "${SKIP_INTEGRATION:-}" = 1 ]; then step integration integration skip "integration (SKIP_INTEGRATION=1)"
elif [ -x tests/integration.sh ]; then step integration integration skippable bash tests/integration.sh
fi

# ---- running them ----------------------------------------------------------------------------------
# A job runs in a subshell, its steps one after the other, each in a process group of its own
# (set -m); step I leaves "STATUS SECONDS" in $STATE/I.done. On SIGINT/SIGTERM a job sends
# SIGTERM to its running step's group (the scripts that start servers stop them on it) and ends.
run_job() {
  local job=$1 i t0 st child=
  set -m
  trap '[ -n "$child" ] && kill -TERM -- "-$child" 2>/dev/null; exit 143' INT TERM
  for i in ${JOB_STEPS[$job]}; do
    t0=$EPOCHREALTIME
    st=0
    if [ "${S_KIND[i]}" != skip ]; then
      ( [[ $TIMED == *" ${S_NAME[i]} "* ]] || renice -n 10 -p "$BASHPID" >/dev/null 2>&1
        eval "${S_CMD[i]}" ) >"$(logf_of "$i")" 2>&1 </dev/null &
      child=$!
      wait "$child"
      st=$?
      child=
    fi
    echo "$st $(since "$t0")" >"$STATE/$i.tmp" && mv "$STATE/$i.tmp" "$STATE/$i.done"
  done
}

report() {   # report I: the line (or SKIP line) of step I, counted
  local i=$1 st secs logf
  read -r st secs <"$STATE/$i.done"
  logf=$(logf_of "$i")
  case ${S_KIND[i]} in
    skip) skip "${S_CMD[i]}"; return ;;
    optional) if grep -q '^SKIP' "$logf" && ! grep -qE '^[0-9]+ passed' "$logf"; then
                skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"; return; fi ;;
    skippable) if grep -q '^SKIP' "$logf"; then skip "$(grep '^SKIP' "$logf" | head -n 1 | sed 's/^SKIP *//')"; return; fi ;;
  esac
  tally "${S_NAME[i]}" "$st" "$logf" "$secs"
}

PRINTED=()
flush() {   # prints the steps done since the last call
  local i
  for ((i = 0; i < N; i++)); do
    [ -z "${PRINTED[i]:-}" ] && [ -e "$STATE/$i.done" ] && { report "$i"; PRINTED[i]=1; }
  done
  return 0
}

# The jobs by cost, highest first (ties: in the order above); with OLOCK_TEST_JOBS=1, in the order above.
if [ "$JOBS" -eq 1 ]; then ORDER=("${JOB_KEYS[@]}")
else
  mapfile -t ORDER < <(for k in "${!JOB_KEYS[@]}"; do printf '%s\t%s\t%s\n' "${JOB_COST[${JOB_KEYS[k]}]}" "$k" "${JOB_KEYS[k]}"; done |
                       sort -t "$(printf '\t')" -k1,1nr -k2,2n | cut -f 3)
fi
declare -A PID_JOB=()
stop_jobs() { local p; for p in "${!PID_JOB[@]}"; do kill -TERM "$p" 2>/dev/null; done; wait; echo "interrupted"; exit 130; }
trap stop_jobs INT TERM
next=0
while :; do
  for p in "${!PID_JOB[@]}"; do
    kill -0 "$p" 2>/dev/null && continue
    wait "$p" 2>/dev/null
    # a job that died before its end: its remaining steps fail
    for i in ${JOB_STEPS[${PID_JOB[$p]}]}; do
      [ -e "$STATE/$i.done" ] || { echo "(the job running this step died)" >>"$(logf_of "$i")"; echo "1 0.0" >"$STATE/$i.done"; }
    done
    unset "PID_JOB[$p]"
  done
  while [ "${#PID_JOB[@]}" -lt "$JOBS" ] && [ "$next" -lt "${#ORDER[@]}" ]; do
    run_job "${ORDER[next]}" &
    PID_JOB[$!]=${ORDER[next]}
    next=$((next + 1))
  done
  flush
  [ "${#PID_JOB[@]}" -eq 0 ] && [ "$next" -ge "${#ORDER[@]}" ] && break
  sleep 0.2
done
flush
rm -rf "$STATE"

echo
if [ ${#SKIPS[@]} -gt 0 ]; then printf 'skipped: %s\n' "${SKIPS[@]}"; fi
echo "tests/run.sh: $(since "$T_ALL") s with $JOBS at a time"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
