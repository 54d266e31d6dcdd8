#!/usr/bin/env bash
# tests/it_faults.sh - examples/counter.c through tests/fault_proxy.js against DynamoDB Local and
# dynalite: transport faults injected between olock's curl backend and a real server.
#
#   bash tests/it_faults.sh                      starts both servers itself (tests/servers/server.sh,
#                                                state under build/it_faults/servers) and stops them
#   bash tests/it_faults.sh DDBLOCAL_URL DYNALITE_URL   uses running servers ("" skips one)
# Under tests/integration.sh (make test) the servers come from OLOCK_IT_DIR (their current ports,
# in case a test restarted one) or OLOCK_IT_DDBLOCAL_URL / OLOCK_IT_DYNALITE_URL.
#
# Per server, two runs of counter --threads 4 --increments 100 on a fresh table, each through its
# own proxy (the table creation and the reads of the counter before and after go straight to the
# server, --admin-endpoint):
#   cut_headers  10% of responses cut inside their header block
#   mixed        every fault mode of fault_proxy.js at a few percent (delay > the client's timeout)
# Checks per run: the increments were applied exactly once: with ok increments that returned
# OLOCK_OK and maybe of them OLOCK_ERR_MAYBE_SENT, ok <= final <= ok + maybe (an increment that
# failed in any other way must not have been applied); the proxy injected every fault asked for;
# no sanitizer report. Ends with "N passed, N failed"; exit status non-zero when anything failed.
#
# Environment: CC (default cc), OLOCK_FAULTS_SEED (default 11; run i uses seed + i),
# OLOCK_FAULTS_TIMEOUT_MS (the client's curl timeout, default 2000; the proxy's delay is 500 ms
# longer). Output of each run: build/it_faults/<server>.<run>.{out,err,proxy,log}.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
CC=${CC:-cc}
SEED=${OLOCK_FAULTS_SEED:-11}
TIMEOUT_MS=${OLOCK_FAULTS_TIMEOUT_MS:-2000}
DELAY_MS=$((TIMEOUT_MS + 500))
DIR=$ROOT/build/it_faults
COUNTER=$DIR/counter
MIXED=drop_after=2,cut_headers=2,cut_body=2,delay=1,error500_after=2,drop_before=2
mkdir -p "$DIR"

PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); echo "ok   - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; exit $?; }

# ---- the servers ----------------------------------------------------------------------------
own_servers=()
cleanup() {
    local p n
    for p in $(cat "$DIR"/*.proxy.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
    rm -f "$DIR"/*.proxy.pid
    for n in "${own_servers[@]}"; do bash tests/servers/server.sh stop "$n" "$DIR/servers" >/dev/null 2>&1; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url_of() {   # url_of NAME ENVURL: the server's current URL
    local u=""
    if [ -n "${OLOCK_IT_DIR:-}" ]; then u=$(bash tests/servers/server.sh url "$1" "$OLOCK_IT_DIR" 2>/dev/null); fi
    echo "${u:-$2}"
}
if [ $# -ge 2 ]; then
    DDB_URL=$1 DYN_URL=$2
elif [ -n "${OLOCK_IT_DIR:-}${OLOCK_IT_DDBLOCAL_URL:-}${OLOCK_IT_DYNALITE_URL:-}" ]; then
    DDB_URL=$(url_of ddblocal "${OLOCK_IT_DDBLOCAL_URL:-}")
    DYN_URL=$(url_of dynalite "${OLOCK_IT_DYNALITE_URL:-}")
else
    mkdir -p "$DIR/servers"
    for n in ddblocal dynalite; do bash tests/servers/server.sh stop "$n" "$DIR/servers" >/dev/null 2>&1; done
    bash tests/servers/server.sh start ddblocal "$DIR/servers" >"$DIR/ddblocal.url" 2>"$DIR/ddblocal.start.log" &
    s1=$!
    bash tests/servers/server.sh start dynalite "$DIR/servers" >"$DIR/dynalite.url" 2>"$DIR/dynalite.start.log" &
    s2=$!
    wait "$s1" && own_servers+=(ddblocal)
    wait "$s2" && own_servers+=(dynalite)
    DDB_URL=$(cat "$DIR/ddblocal.url" 2>/dev/null)
    DYN_URL=$(cat "$DIR/dynalite.url" 2>/dev/null)
    [ -n "$DDB_URL" ] || { fail "DynamoDB Local did not start"; cat "$DIR/ddblocal.start.log"; }
    [ -n "$DYN_URL" ] || { fail "dynalite did not start"; cat "$DIR/dynalite.start.log"; }
fi
for u in "$DDB_URL" "$DYN_URL"; do
    case $u in ""|http://127.0.0.1:[0-9]*) ;; *) fail "not a 127.0.0.1 URL: $u"; finish ;; esac
done
echo "servers: ddblocal ${DDB_URL:-none} dynalite ${DYN_URL:-none}; seed $SEED; client timeout ${TIMEOUT_MS} ms, proxy delay ${DELAY_MS} ms"

# ---- the counter, with the sanitizers of the other integration programs ----------------------
if ! "$CC" -std=c99 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
        -I. -Ibackends examples/counter.c -o "$COUNTER" -lpthread -lm -DOLOCK_EXAMPLE_CURL -lcurl \
        >"$DIR/counter.build.log" 2>&1; then
    fail "build of examples/counter.c:"; cat "$DIR/counter.build.log"
    finish
fi

# ---- one run ----------------------------------------------------------------------------------
one_run() {   # one_run SERVER URL RUN FAULTS SEED: prints its lines (to a file when in parallel)
    local server=$1 url=$2 run=$3 faults=$4 seed=$5 base="$DIR/$1.$3" pid port st i
    local table="olock_faults_${run}_$$_$(date +%s)"
    rm -f "$base".*
    node tests/fault_proxy.js --upstream "${url#http://}" --seed "$seed" --faults "$faults" \
        --delay-ms "$DELAY_MS" --stats "$base.stats" --log "$base.log" >"$base.proxy" 2>&1 &
    pid=$!
    echo "$pid" >"$base.proxy.pid"
    for i in $(seq 1 100); do grep -qs '^listening on ' "$base.proxy" && break; sleep 0.1; done
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$base.proxy" | head -n 1)
    if [ -z "$port" ]; then
        fail "$server $run: the proxy did not start:"; cat "$base.proxy"
        kill "$pid" 2>/dev/null; rm -f "$base.proxy.pid"
        return
    fi
    timeout -k 5 75 "$COUNTER" --threads 4 --increments 100 --endpoint "http://127.0.0.1:$port" \
        --admin-endpoint "$url" --table "$table" --timeout-ms "$TIMEOUT_MS" --outcomes >"$base.out" 2>"$base.err"
    st=$?
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "$base.proxy.pid"
    node - "$server $run" "$faults" "$base.out" "$base.stats" "$st" <<'EOF'
const fs = require('fs');
const [label, faults, outFile, statsFile, status] = process.argv.slice(2);
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch (e) { return ''; } };
const lines = read(outFile).trim().split('\n');
let sum = null, stats = null;
try { sum = JSON.parse(lines[lines.length - 1]); } catch (e) { /* checked below */ }
try { stats = JSON.parse(read(statsFile)); } catch (e) { /* checked below */ }
if (stats) {
    const skip = new Set(['requests', 'none', 'upstream_error', 'connections']);
    const injected = Object.entries(stats).filter(([k, v]) => !skip.has(k) && v).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`     ${label}: proxy: ${stats.requests} requests on ${stats.connections} connections, ` +
                `${injected || 'no faults'}; upstream errors ${stats.upstream_error}`);
}
if (!sum || typeof sum.ok !== 'number') {
    console.log(`FAIL - ${label}: counter printed no summary (exit ${status}); last line: ${lines[lines.length - 1]}`);
} else {
    const n = 4 * 100, start = sum.expected - n, applied = sum.final - start;
    const errs = Object.entries(sum.errors).map(([k, v]) => `${k.replace(/^OLOCK_/, '')}=${v}`).join(' ') || 'none';
    console.log(`     ${label}: final ${sum.final} of ${sum.expected}; ok ${sum.ok}, maybe_sent ${sum.maybe_sent}, ` +
                `other ${sum.other} (${errs}); requests ${sum.requests}, conflicts ${sum.conflicts}, ` +
                `retries ${sum.retries}, ambiguous ${sum.ambiguous}`);
    const exact = sum.final >= 0 && applied >= sum.ok && applied <= sum.ok + sum.maybe_sent;
    let why = '';
    if (sum.final < 0) why = 'the final read failed';
    else if (applied < sum.ok) why = `${sum.ok - applied} increment(s) reported OK were lost`;
    else if (applied > sum.ok + sum.maybe_sent) why = `${applied - sum.ok - sum.maybe_sent} increment(s) applied beyond ok + maybe_sent (failed with another error, or applied twice)`;
    console.log(`${exact ? 'ok  ' : 'FAIL'} - ${label}: exactly once: ${sum.ok} <= ${applied} <= ${sum.ok} + ${sum.maybe_sent}${why ? ': ' + why : ''}`);
}
const want = faults.split(',').map((f) => f.split('=')[0]);
const missing = stats ? want.filter((m) => !stats[m]) : want;
if (!stats) console.log(`FAIL - ${label}: the proxy wrote no stats (no clean exit on SIGTERM?)`);
else if (missing.length) console.log(`FAIL - ${label}: the proxy injected no ${missing.join(', ')}`);
else console.log(`ok   - ${label}: the proxy injected ${want.join(', ')}`);
EOF
    if grep -qE 'Sanitizer|runtime error:' "$base.err"; then
        echo "FAIL - $server $run: sanitizer report:"; grep -E -A 20 'Sanitizer|runtime error:' "$base.err" | head -n 40
    else
        echo "ok   - $server $run: no sanitizer report"
    fi
    if grep -q '^increment failed: ' "$base.err"; then
        echo "     $server $run: counter exit $st; its messages for the failed increments, most frequent first:"
        grep '^increment failed: ' "$base.err" | sed 's/^increment failed: //' | sort | uniq -c | sort -rn | head -n 5 |
            sed 's/^ */       /'
    fi
}

server_runs() {   # server_runs NAME URL: both runs, one after the other
    one_run "$1" "$2" cut_headers cut_headers=10 "$SEED"
    one_run "$1" "$2" mixed "$MIXED" "$((SEED + 1))"
}

# The two servers in parallel, each with its own proxies; output collected per server.
T0=$(date +%s)
rm -f "$DIR"/*.result
pids=()
for s in ddblocal dynalite; do
    if [ "$s" = ddblocal ]; then u=$DDB_URL; else u=$DYN_URL; fi
    if [ -z "$u" ]; then echo "     $s: no server, skipped"; continue; fi
    server_runs "$s" "$u" >"$DIR/$s.result" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for s in ddblocal dynalite; do
    [ -f "$DIR/$s.result" ] || continue
    cat "$DIR/$s.result"
    PASS=$((PASS + $(grep -c '^ok ' "$DIR/$s.result")))
    FAIL=$((FAIL + $(grep -c '^FAIL' "$DIR/$s.result")))
    rm -f "$DIR/$s.result"
done
echo "runs: $(( $(date +%s) - T0 )) s"
finish
