#!/usr/bin/env bash
# Tests of tools/olock-fakeserver (the fake served over HTTP), on 127.0.0.1 only.
# Called by tests/run.sh like tests/integration.sh. Builds the server if needed:
#   build/olock-fakeserver       -O2, the program users run (valgrind leak check)
#   build/san/olock-fakeserver   AddressSanitizer + UndefinedBehaviorSanitizer (the main run)
# then checks: the first line, --port/--help/usage errors, keep-alive, x-amz-crc32 and
# x-amzn-RequestId, the fake behind it (tables, conditional writes, concurrent increments), the
# bad inputs answered as DynamoDB Local 3.3.1 answers them (tables below), bodies over 16 MiB,
# malformed HTTP, hostile clients (slowloris, garbage bytes, a bounded connection flood, huge
# headers, clients that vanish mid-request), SIGTERM and SIGINT (exit 0, promptly, with
# connections open) and no leaks (LeakSanitizer at exit; valgrind memcheck when installed).
# Every server started is recorded by pid and stopped on exit.
#
# Output: one "ok - ..." or "FAIL - ..." line per check, then "N passed, N failed"; exit status
# non-zero when anything failed. Without python3 (the test client) it prints one
# "SKIP fakeserver: ..." line and exits 0.
#
# Environment: CC (default cc).
set -u
cd "$(dirname "$0")/.." || exit 2
CC=${CC:-cc}
DIR=build/fakeserver
BIN=build/olock-fakeserver
SAN_BIN=build/san/olock-fakeserver
WARN_C="-Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes"
SRC=(tools/olock-fakeserver.c olock.h backends/olock_fake.h)

command -v python3 >/dev/null 2>&1 || { echo "SKIP fakeserver: python3 not installed (the test client)"; exit 0; }

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

# Servers and helpers started here and not yet reaped; a pid leaves the list once waited for,
# so that the exit trap never signals a recycled pid.
PIDS=()
forget() {
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DIR" build/san
rm -f "$DIR"/*.out "$DIR"/*.err

# ---- build ----------------------------------------------------------------------------------
stale() {   # stale BIN: missing or older than a source
  local f
  [ -x "$1" ] || return 0
  for f in "${SRC[@]}"; do [ "$f" -nt "$1" ] && return 0; done
  return 1
}
build() {   # build OUT FLAGS...
  local out=$1; shift
  # shellcheck disable=SC2086
  "$CC" -std=c99 "$@" $WARN_C -I. -Ibackends tools/olock-fakeserver.c -o "$out" -lpthread -lm
}
if stale "$BIN"; then
  if build "$BIN" -O2 -g; then echo "note: built $BIN"; else fail "build $BIN"; echo "$PASS passed, $FAIL failed"; exit 1; fi
fi
if stale "$SAN_BIN"; then
  if build "$SAN_BIN" -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  then echo "note: built $SAN_BIN"; else fail "build $SAN_BIN"; echo "$PASS passed, $FAIL failed"; exit 1; fi
fi

# ---- start / stop ---------------------------------------------------------------------------
# start NAME WAIT_SECONDS COMMAND...: runs it in the background (stdout DIR/NAME.out, stderr
# DIR/NAME.err), waits for the first line; sets SPID, SPORT and FIRST_LINE. 1 if no line came.
start() {
  local name=$1 wait_s=$2 i
  shift 2
  "$@" >"$DIR/$name.out" 2>"$DIR/$name.err" </dev/null &
  SPID=$!
  PIDS+=("$SPID")
  FIRST_LINE=""
  SPORT=""
  for ((i = 0; i < wait_s * 50; i++)); do
    if [ -s "$DIR/$name.out" ] && FIRST_LINE=$(head -n 1 "$DIR/$name.out") && [ -n "$FIRST_LINE" ]; then
      SPORT=${FIRST_LINE##*:}
      return 0
    fi
    if ! kill -0 "$SPID" 2>/dev/null; then wait "$SPID" 2>/dev/null; forget "$SPID"; return 1; fi
    sleep 0.02
  done
  kill -9 "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; forget "$SPID"
  return 1
}

# stop_with SIG PID LIMIT_SECONDS: sends SIG and waits; sets STOP_STATUS and STOP_MS.
stop_with() {
  local sig=$1 pid=$2 limit=$3 t0 t1 i
  t0=$(date +%s%N)
  kill "-$sig" "$pid" 2>/dev/null
  for ((i = 0; i < limit * 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    # a zombie is done: wait reaps it below
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
    sleep 0.01
  done
  if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    STOP_STATUS=timeout
  else
    wait "$pid"
    STOP_STATUS=$?
  fi
  forget "$pid"
  t1=$(date +%s%N)
  STOP_MS=$(((t1 - t0) / 1000000))
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

no_sanitizer_report() { ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1"; }

# ---- the test client ------------------------------------------------------------------------
# client.py PORT MODE: MODE "all" (+ TIMEOUT MAX_CONNECTIONS SERVER_PID) runs every check; "short" a few requests (under valgrind);
# "hold" opens connections in awkward states and keeps them until killed.
cat >"$DIR/client.py" <<'PY'
import json, os, random, socket, sys, threading, time, zlib

PORT = int(sys.argv[1])
MODE = sys.argv[2]
HOST = "127.0.0.1"
passed = failed = 0

def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + name)
    else:
        failed += 1
        print("FAIL - " + name + (": " + detail if detail else ""))
    sys.stdout.flush()

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)

def connect(timeout=5.0):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def request_bytes(op="ListTables", body=b"{}", auth=AUTH, method="POST", path="/", extra=None,
                  content_type="application/x-amz-json-1.0", chunked=False):
    h = [method + " " + path + " HTTP/1.1", "Host: 127.0.0.1:%d" % PORT, "X-Amz-Date: 20260101T000000Z"]
    if content_type is not None: h.append("Content-Type: " + content_type)
    if op is not None: h.append("X-Amz-Target: " + (op if "." in op or op == "" else "DynamoDB_20120810." + op))
    if auth is not None: h.append("Authorization: " + auth)
    for k, v in (extra or []): h.append(k + ": " + v)
    if chunked:
        h.append("Transfer-Encoding: chunked")
        head = ("\r\n".join(h) + "\r\n\r\n").encode()
        out = [head]
        step = 1 << 20
        for i in range(0, len(body), step):
            part = body[i:i + step]
            out.append(b"%x\r\n" % len(part) + part + b"\r\n")
        out.append(b"0\r\n\r\n")
        return b"".join(out)
    if body is not None: h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode() + (body or b"")

class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def fill(self):
        d = self.s.recv(65536)
        if not d: raise EOFError("connection closed")
        self.buf += d
    def line(self):
        while b"\r\n" not in self.buf: self.fill()
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("latin-1")
    def exact(self, n):
        while len(self.buf) < n: self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d
    def response(self, head=False):
        status_line = self.line()
        status = int(status_line.split()[1])
        hdrs = {}
        while True:
            l = self.line()
            if l == "": break
            k, v = l.split(":", 1)
            hdrs.setdefault(k.strip().lower(), v.strip())
        if status == 100: return self.response(head)
        body = b""
        if not head:
            if "content-length" in hdrs: body = self.exact(int(hdrs["content-length"]))
            elif hdrs.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    n = int(self.line().split(";")[0], 16)
                    if n == 0:
                        self.line(); break
                    body += self.exact(n); self.line()
        return status, hdrs, body

def roundtrip(data, s=None, timeout=10.0):
    own = s is None
    if own: s = connect(timeout)
    try:
        s.sendall(data)
        return Reader(s).response()
    finally:
        if own: s.close()

def call(op, payload, s=None):
    st, h, b = roundtrip(request_bytes(op, json.dumps(payload).encode()), s)
    return st, h, (json.loads(b) if b else None)

def closed_by_peer(s, within):
    """True when the server closes s (EOF or reset) within `within` seconds."""
    s.settimeout(within)
    try:
        while True:
            if not s.recv(65536): return True
    except socket.timeout:
        return False
    except OSError:
        return True

# DynamoDB Local 3.3.1's answers, recorded with curl against a fresh server started by
# tests/servers/server.sh (java -jar DynamoDBLocal.jar -inMemory -sharedDb -disableTelemetry).
# Every error body is {"__type": ..., "Message": ...} with Content-Type application/x-amz-json-1.0.
NS = "com.amazonaws.dynamodb.v20120810#"
MISSING = (400, NS + "MissingAuthenticationToken",
           "Request must contain either a valid (registered) AWS access key ID or X.509 certificate.")
UNRECOGNIZED = (400, NS + "UnrecognizedClientException", "The Access Key ID or security token is invalid.")
INTERNAL = (500, NS + "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.")
INVALID_ACTION = (400, NS + "InvalidAction",
                  "The action or operation requested is invalid. Verify that the action is typed correctly.")
UNKNOWN_OP = (400, NS + "UnknownOperationException", "An unknown operation was requested.")
OK_EMPTY = (200, None, None)
BAD_INPUT = [
    # name, request, DynamoDB Local's status, __type, Message
    ("no Authorization", dict(auth=None), MISSING),
    ("empty Authorization", dict(auth=""), INTERNAL),
    ("Authorization garbage", dict(auth="garbage"), INTERNAL),
    ("Authorization scheme only", dict(auth="AWS4-HMAC-SHA256"), INTERNAL),
    ("Authorization SigV2 style", dict(auth="AWS AKIDLOCAL:abcdef"), INTERNAL),
    ("Authorization parameter without =", dict(auth="AWS4-HMAC-SHA256 x"), INTERNAL),
    ("Authorization Credential without scope", dict(auth="AWS4-HMAC-SHA256 Credential=AKIDLOCAL"), INTERNAL),
    ("Authorization without Credential",
     dict(auth="AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + "0" * 64), UNRECOGNIZED),
    ("Authorization Credential not first",
     dict(auth="AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request"),
     UNRECOGNIZED),
    ("access key not alphanumeric", dict(auth=AUTH.replace("AKIDLOCAL", "AKID-LOCAL")), UNRECOGNIZED),
    ("access key empty", dict(auth=AUTH.replace("AKIDLOCAL", "")), UNRECOGNIZED),
    ("Credential without a scope, other parameters present",
     dict(auth=AUTH.replace("/20260101/us-east-1/dynamodb/aws4_request", "")), UNRECOGNIZED),
    ("Credential empty, other parameters present",
     dict(auth=AUTH.replace("AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request", "")), UNRECOGNIZED),
    # the scope is not checked: the aws4 npm package leaves the service empty for a bare IP host
    ("empty service in the scope (served)", dict(auth=AUTH.replace("/dynamodb/", "//")), OK_EMPTY),
    ("empty region in the scope (served)", dict(auth=AUTH.replace("/us-east-1/", "//")), OK_EMPTY),
    ("scope of other shape (served)", dict(auth=AUTH.replace("/20260101/us-east-1/dynamodb/aws4_request", "/x")), OK_EMPTY),
    ("scope of slashes only (served)", dict(auth=AUTH.replace("/20260101/us-east-1/dynamodb/aws4_request", "////")), OK_EMPTY),
    ("unknown X-Amz-Target, no Authorization", dict(op="DynamoDB_20120810.Frob", auth=None), MISSING),
    ("wrong Content-Type (accepted)", dict(content_type="text/plain"), OK_EMPTY),
    ("no Content-Type (accepted)", dict(content_type=None), OK_EMPTY),
    ("missing X-Amz-Target", dict(op=None), INTERNAL),
    ("empty X-Amz-Target", dict(op=""), INTERNAL),
    ("X-Amz-Target of the prefix only", dict(op="DynamoDB_20120810."), INTERNAL),
    ("X-Amz-Target of the prefix without the dot", dict(op=None, extra=[("X-Amz-Target", "DynamoDB_20120810")]), INTERNAL),
    ("X-Amz-Target with an empty operation", dict(op="DynamoDB_20120810.."), INTERNAL),
    ("X-Amz-Target of dots only", dict(op="..."), INTERNAL),
    ("X-Amz-Target with an empty operation, then one", dict(op="DynamoDB_20120810..ListTables"), UNKNOWN_OP),
    ("X-Amz-Target with a trailing dot (served)", dict(op="DynamoDB_20120810.ListTables."), OK_EMPTY),
    ("X-Amz-Target with more parts (served)", dict(op="DynamoDB_20120810.ListTables.foo.bar"), OK_EMPTY),
    ("Authorization with a short Signature (served)", dict(auth=AUTH.split("Signature=")[0] + "Signature=abc"), OK_EMPTY),
    ("Authorization without SignedHeaders (served)",
     dict(auth="AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request, Signature=" + "0" * 64), OK_EMPTY),
    ("Authorization with another algorithm (served)", dict(auth=AUTH.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")), OK_EMPTY),
    ("Authorization with a trailing comma (served)", dict(auth=AUTH + ","), OK_EMPTY),
    ("Authorization of Credential only (served)",
     dict(auth="AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request"), OK_EMPTY),
    ("unknown X-Amz-Target", dict(op="DynamoDB_20120810.Frob"), UNKNOWN_OP),
    ("X-Amz-Target without the API version", dict(op="Foo.ListTables"), INVALID_ACTION),
    ("X-Amz-Target in lower case", dict(op="dynamodb_20120810.listtables"), INVALID_ACTION),
    ("unknown X-Amz-Target, non-JSON body", dict(op="DynamoDB_20120810.Frob", body=b"xx"), UNKNOWN_OP),
    ("non-JSON body", dict(body=b"hello"), INTERNAL),
    ("empty body", dict(body=b""), INTERNAL),
    ("JSON array body", dict(body=b"[]"), INTERNAL),
    ("GET without a body", dict(method="GET", body=None), INTERNAL),
    ("GET without Authorization", dict(method="GET", body=None, auth=None, op=None), MISSING),
    ("GET with a body (served)", dict(method="GET"), OK_EMPTY),
    ("PUT (served)", dict(method="PUT"), OK_EMPTY),
    ("wrong path (served)", dict(path="/foo/bar"), OK_EMPTY),
    ("query string (served)", dict(path="/?a=b"), OK_EMPTY),
    # 16 MiB of spaces is within the limit, and not JSON
    ("body of exactly 16 MiB", dict(body=b" " * (16 << 20)), INTERNAL),
]

def is_uuid(s):
    p = s.split("-")
    return [len(x) for x in p] == [8, 4, 4, 4, 12] and all(c in "0123456789abcdef" for c in "".join(p))

def check_answer(name, got, want):
    st, h, b = got
    wst, wtype, wmsg = want
    if wtype is None:
        ok = st == wst and b.startswith(b'{"TableNames":[')
    else:
        try: j = json.loads(b)
        except ValueError: j = None
        ok = (st == wst and j == {"__type": wtype, "Message": wmsg} and list(j) == ["__type", "Message"] and
              h.get("content-type") == "application/x-amz-json-1.0")
    ok = ok and h.get("x-amz-crc32") == str(zlib.crc32(b)) and is_uuid(h.get("x-amzn-requestid", ""))
    check("bad input: %s -> %d %s" % (name, wst, (wtype or "").split("#")[-1] or "served"), ok,
          "got %d %r %r" % (st, b[:200], h))

def t_basics():
    s = connect()
    r = Reader(s)
    s.sendall(request_bytes())
    st, h, b = r.response()
    check("ListTables answers 200 {\"TableNames\":[]}", st == 200 and b == b'{"TableNames":[]}', "%d %r" % (st, b))
    check("Content-Type application/x-amz-json-1.0", h.get("content-type") == "application/x-amz-json-1.0", repr(h))
    check("x-amz-crc32 is the CRC-32 of the body", h.get("x-amz-crc32") == str(zlib.crc32(b)), repr(h))
    check("x-amzn-RequestId is a UUID", is_uuid(h.get("x-amzn-requestid", "")), repr(h))
    local = s.getsockname()
    ids = {h.get("x-amzn-requestid")}
    same = True
    for _ in range(5):
        s.sendall(request_bytes())
        st, h, b = r.response()
        same = same and st == 200 and s.getsockname() == local
        ids.add(h.get("x-amzn-requestid"))
    check("keep-alive: 6 requests on one connection", same and h.get("connection", "").lower() != "close")
    check("request ids differ", len(ids) == 6, repr(ids))
    # HTTP/1.0 with keep-alive asked for, and a HEAD
    s.sendall(b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
              b"Authorization: " + AUTH.encode() + b"\r\nContent-Length: 2\r\n\r\n{}")
    st, h, b = r.response()
    check("HTTP/1.0 request answered", st == 200 and b == b'{"TableNames":[]}', "%d %r" % (st, b))
    s.close()
    s = connect()
    s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    st, h, b = Reader(s).response(head=True)
    check("HEAD without Authorization: 400, no body", st == 400 and h.get("content-length") == "173", repr(h))
    s.close()

def t_fake():
    s = connect()
    st, _, j = call("CreateTable", {"TableName": "fs_t1", "BillingMode": "PAY_PER_REQUEST",
                                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}, s)
    check("CreateTable through the server", st == 200 and j["TableDescription"]["TableName"] == "fs_t1", repr(j))
    st, _, j = call("PutItem", {"TableName": "fs_t1", "Item": {"id": {"S": "a"}, "v": {"N": "1"}},
                                "ConditionExpression": "attribute_not_exists(id)"}, s)
    check("conditional PutItem succeeds", st == 200 and j == {}, "%d %r" % (st, j))
    st, h, j = call("PutItem", {"TableName": "fs_t1", "Item": {"id": {"S": "a"}, "v": {"N": "2"}},
                                "ConditionExpression": "attribute_not_exists(id)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}, s)
    check("failing PutItem: 400 ConditionalCheckFailedException with the item",
          st == 400 and j.get("__type", "").endswith("#ConditionalCheckFailedException") and
          j.get("Item") == {"id": {"S": "a"}, "v": {"N": "1"}}, "%d %r" % (st, j))
    s.close()
    # concurrent read-modify-write with a version condition: no lost update
    threads, per = 4, 25
    errors = []
    def worker():
        c = connect()
        try:
            for _ in range(per):
                while True:
                    _, _, got = call("GetItem", {"TableName": "fs_t1", "Key": {"id": {"S": "a"}}, "ConsistentRead": True}, c)
                    v = int(got["Item"]["v"]["N"])
                    st2, _, r2 = call("UpdateItem", {"TableName": "fs_t1", "Key": {"id": {"S": "a"}},
                                                     "UpdateExpression": "SET v = :n", "ConditionExpression": "v = :o",
                                                     "ExpressionAttributeValues": {":n": {"N": str(v + 1)}, ":o": {"N": str(v)}}}, c)
                    if st2 == 200: break
                    if not r2.get("__type", "").endswith("ConditionalCheckFailedException"):
                        errors.append(r2); return
        except Exception as e:
            errors.append(repr(e))
        finally:
            c.close()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()
    _, _, got = call("GetItem", {"TableName": "fs_t1", "Key": {"id": {"S": "a"}}, "ConsistentRead": True})
    check("4 x 25 concurrent conditional increments over HTTP: none lost",
          not errors and got["Item"]["v"]["N"] == str(1 + threads * per), repr((errors[:2], got)))

def t_bad_input():
    for name, kw, want in BAD_INPUT:
        check_answer(name, roundtrip(request_bytes(**kw)), want)

def t_too_large():
    big = b" " * ((16 << 20) + 1)
    want = (413, b'{"Message":""}')
    # body sent at once: read to the end and answered 413; the connection stays usable
    s = connect(30)
    r = Reader(s)
    s.sendall(request_bytes(body=big))
    st, h, b = r.response()
    check("body of 16 MiB + 1: 413 {\"Message\":\"\"}, no Content-Type, no x-amz-crc32 (DynamoDB Local's answer)",
          (st, b) == want and "content-type" not in h and "x-amz-crc32" not in h, "%d %r %r" % (st, b, h))
    try:
        s.sendall(request_bytes())
        st, _, b = r.response()
        alive = st == 200
    except (OSError, EOFError):
        alive = False
    check("the connection still serves after a 413", alive)
    s.close()
    # Expect: 100-continue: refused before any body byte is sent
    s = connect(30)
    data = request_bytes(body=big, extra=[("Expect", "100-continue")])
    head = data[:data.index(b"\r\n\r\n") + 4]
    s.sendall(head)
    st, h, b = Reader(s).response()
    check("Expect: 100-continue with 16 MiB + 1: 413 before the body", (st, b) == want, "%d %r" % (st, b))
    s.close()
    # chunked, no length announced: counted while it streams
    st, h, b = roundtrip(request_bytes(body=big, chunked=True), timeout=30)
    check("chunked body over 16 MiB: 413", (st, b) == want, "%d %r" % (st, b))
    st, h, b = roundtrip(request_bytes(body=b"{}", chunked=True))
    check("chunked small body served", st == 200 and b.startswith(b'{"TableNames":['), "%d %r" % (st, b))
    # a Content-Length far beyond the limit: answered at once, connection closed
    s = connect()
    s.sendall(request_bytes(body=None, extra=[("Content-Length", "99999999999")]))
    st, h, b = Reader(s).response()
    check("Content-Length 99999999999: 413 at once", (st, b) == want, "%d %r" % (st, b))
    check("... and the connection is closed", closed_by_peer(s, 3))
    s.close()

# Framing DynamoDB Local 3.3.1 (Jetty 12.1.11) refuses with its HTML page, recorded over a raw
# socket: the title is "Error <status> <message>", the URI row shows the target as sent (header
# refusals, with Connection: close), "/badMessage" (refusals of the request line, without a
# Connection header) or the request Jetty built ("http://" + Host + target); the connection is
# closed after the page, except after "Authority!=Host" and "Illegal Path Character".
T = b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: " + AUTH.encode() + b"\r\n"
H = b"POST / HTTP/1.1\r\nHost: x\r\n" + T
BM = "/badMessage"

def line(request_line, extra=b""):
    return request_line + b"\r\nHost: x\r\n" + T + extra + b"Content-Length: 2\r\n\r\n{}"

def hdr(extra):
    return H + extra + b"Content-Length: 2\r\n\r\n{}"

def cl(value):
    return H + b"Content-Length: " + value + b"\r\n\r\n{}"

def te(value, body=b"2\r\n{}\r\n0\r\n\r\n"):
    return H + b"Transfer-Encoding: " + value + b"\r\n\r\n" + body

def host(value):
    return b"POST / HTTP/1.1\r\nHost: " + value + b"\r\n" + T + b"Content-Length: 2\r\n\r\n{}"

def big_head(size):
    """A request whose head (request line to blank line) is `size` bytes."""
    fixed = len(H + b"X-Big: \r\nContent-Length: 2\r\n\r\n")
    return H + b"X-Big: " + b"a" * (size - fixed) + b"\r\nContent-Length: 2\r\n\r\n{}"

def chunk(size_line, rest=b"{}\r\n0\r\n\r\n"):
    return H + b"Transfer-Encoding: chunked\r\n\r\n" + size_line + b"\r\n" + rest

# name, request, status, message, URI row, "Connection: close" on the page, connection closed
CLOSE, OPEN = True, False
JETTY_PAGES = [
    # framing of the headers
    ("two different Content-Length headers", b"POST /a?b=<c>&d HTTP/1.1\r\nHost: x\r\n" + T +
     b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "Multiple Content-Lengths", "/a?b=<c>&d", CLOSE, CLOSE),
    ("two equal Content-Length headers", hdr(b"Content-Length: 2\r\n"), 400, "Multiple Content-Lengths", "/", CLOSE, CLOSE),
    ("Content-Length and Transfer-Encoding: chunked", H + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
     400, "Transfer-Encoding and Content-Length", "/", CLOSE, CLOSE),
    ("Transfer-Encoding: chunked, then Content-Length", H + b"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
     400, "Transfer-Encoding and Content-Length", "/", CLOSE, CLOSE),
    ("Transfer-Encoding: gzip", te(b"gzip", b"{}"), 400, "Bad Transfer-Encoding, chunked not last", "/", CLOSE, CLOSE),
    ("Transfer-Encoding: identity", te(b"identity", b"{}"), 400, "Bad Transfer-Encoding, chunked not last", "/", CLOSE, CLOSE),
    ("Transfer-Encoding: chunked, gzip", te(b"chunked, gzip"), 400, "Bad Transfer-Encoding, chunked not last", "/", CLOSE, CLOSE),
    ("empty Transfer-Encoding", te(b"", b"{}"), 400, "Bad Transfer-Encoding, chunked not last", "/", CLOSE, CLOSE),
    ("Transfer-Encoding: chunked, chunked", te(b"chunked, chunked"), 400, "Bad Transfer-Encoding, multiple chunked tokens", "/", CLOSE, CLOSE),
    ("HTTP/1.1 without Host", b"POST / HTTP/1.1\r\n" + T + b"Content-Length: 2\r\n\r\n{}", 400, "No Host", "/", CLOSE, CLOSE),
    ("two Host headers", b"POST / HTTP/1.1\r\nHost: x\r\nHost: y\r\n" + T + b"Content-Length: 2\r\n\r\n{}", 400, "Duplicate Host Header", "/", CLOSE, CLOSE),
    ("empty Host", host(b""), 400, "Blank Host", "/", CLOSE, CLOSE),
    ("Host with a port that is not a number", host(b"x:abc"), 400, "Bad HostPort", "/", CLOSE, CLOSE),
    ("Host with a blank", host(b"x y"), 400, "Bad HostPort", "/", CLOSE, CLOSE),
    ("Host with port 99999", host(b"x:99999"), 400, "Bad HostPort", "/", CLOSE, CLOSE),
    ("Host with an empty port", host(b"x:"), 400, "Bad HostPort", "/", CLOSE, CLOSE),
    ("Host with a slash", host(b"a/b"), 400, "Bad HostPort", "/", CLOSE, CLOSE),
    ("Content-Length 2^63", cl(b"9223372036854775808"), 400, "Bad Request", "/", CLOSE, CLOSE),
    ("Content-Length 2^64-1", cl(b"18446744073709551615"), 400, "Bad Request", "/", CLOSE, CLOSE),
    ("Content-Length 2^64", cl(b"18446744073709551616"), 400, "Bad Request", "/", CLOSE, CLOSE),
    ("Content-Length of 23 digits", cl(b"99999999999999999999999"), 400, "Bad Request", "/", CLOSE, CLOSE),
    ("Content-Length abc", cl(b"abc"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length +2", cl(b"+2"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length -1", cl(b"-1"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length '2 2'", cl(b"2 2"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length 0x2", cl(b"0x2"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length 2,2", cl(b"2,2"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("Content-Length 2.0", cl(b"2.0"), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    ("empty Content-Length", cl(b""), 400, "Invalid Content-Length Value", "/", CLOSE, CLOSE),
    # header lines
    ("NUL inside a header value", hdr(b"X-Foo: a\x00b\r\n"), 400, "Illegal character CNTL=0x0", "/", CLOSE, CLOSE),
    ("NUL inside a header name", hdr(b"X-F\x00o: ab\r\n"), 400, "Illegal character CNTL=0x0", "/", CLOSE, CLOSE),
    ("0x01 inside a header value", hdr(b"X-Foo: a\x01b\r\n"), 400, "Illegal character CNTL=0x1", "/", CLOSE, CLOSE),
    ("DEL inside a header value", hdr(b"X-Foo: a\x7fb\r\n"), 400, "Illegal character CNTL=0x7f", "/", CLOSE, CLOSE),
    ("space before a header's colon", hdr(b"X-Foo : y\r\n"), 400, "Illegal character SPACE=' '", "/", CLOSE, CLOSE),
    ("space before Host's colon", b"POST / HTTP/1.1\r\nHost : x\r\n" + T + b"Content-Length: 2\r\n\r\n{}",
     400, "Illegal character SPACE=' '", "/", CLOSE, CLOSE),
    ("tab before a header's colon", hdr(b"X-Foo\t: y\r\n"), 400, "Illegal character HTAB=0x9", "/", CLOSE, CLOSE),
    ("folded header line (space)", hdr(b"X-Foo: a\r\n b\r\n"), 400, "Line Folding not supported", "/", CLOSE, CLOSE),
    ("folded header line (tab)", hdr(b"X-Foo: a\r\n\tb\r\n"), 400, "Line Folding not supported", "/", CLOSE, CLOSE),
    ("header line starting with its colon", hdr(b": v\r\n"), 400, "Line Folding not supported", "/", CLOSE, CLOSE),
    ("header line without colon", hdr(b"NoColonHere\r\n"), 400, "Illegal character EOL=0xa", "/", CLOSE, CLOSE),
    ("'(' in a header name", hdr(b"X(Foo): v\r\n"), 400, "Illegal character VCHAR='('", "/", CLOSE, CLOSE),
    ("8-bit byte in a header name", hdr(b"X-F\xe9o: a\r\n"), 400, "Illegal character OTEXT=0xe9", "/", CLOSE, CLOSE),
    ("CR alone in a header value", hdr(b"X-Foo: a\rb\r\n"), 400, "Bad EOL", "/", CLOSE, CLOSE),
    ("CR alone in a header name", hdr(b"X-F\roo: a\r\n"), 400, "Bad EOL", "/", CLOSE, CLOSE),
    ("head of 8193 bytes", big_head(8193),
     431, "Request Header Fields Too Large", "/", CLOSE, CLOSE),
    # the request line
    ("a word and no target", b"GARBAGE\r\n\r\n", 400, "No URI", BM, OPEN, CLOSE),
    ("a method and a blank", b"POST \r\n\r\n", 400, "No URI", BM, OPEN, CLOSE),
    ("binary bytes", b"\x00\x01\x02\xff\r\n\r\n", 400, "Illegal character CNTL=0x0", BM, OPEN, CLOSE),
    ("no HTTP version", b"POST /\r\n\r\n", 505, "HTTP/0.9 not supported", BM, OPEN, CLOSE),
    ("version XYZ", b"POST / XYZ\r\nHost: x\r\n\r\n", 505, "Unknown Version", BM, OPEN, CLOSE),
    ("HTTP/1.2", line(b"POST / HTTP/1.2"), 505, "Unknown Version", BM, OPEN, CLOSE),
    ("HTTP/0.9", line(b"POST / HTTP/0.9"), 505, "Unsupported Version", BM, OPEN, CLOSE),
    ("a word after the version", line(b"POST / HTTP/1.1 x"), 400, "Illegal character SPACE=' '", BM, OPEN, CLOSE),
    ("a space inside the target", line(b"POST /a b HTTP/1.1"), 400, "Illegal character SPACE=' '", BM, OPEN, CLOSE),
    ("a tab between method and target", line(b"POST\t/ HTTP/1.1"), 400, "Illegal character HTAB=0x9", BM, OPEN, CLOSE),
    ("a tab inside the target", line(b"POST /a\tb HTTP/1.1"), 400, "Illegal character HTAB=0x9", BM, OPEN, CLOSE),
    ("'(' in the method", line(b"PO(T / HTTP/1.1"), 400, "Illegal character VCHAR='('", BM, OPEN, CLOSE),
    ("8-bit byte in the method", line(b"PO\xe9T / HTTP/1.1"), 400, "Illegal character OTEXT=0xe9", BM, OPEN, CLOSE),
    ("8-bit byte in the version", line(b"POST / HTTP/1.\xe9"), 400, "Illegal character OTEXT=0xe9", BM, OPEN, CLOSE),
    ("0x01 in the version", line(b"POST / HTTP/1.\x01"), 400, "Illegal character CNTL=0x1", BM, OPEN, CLOSE),
    ("0x01 in the target", line(b"POST /a\x01b HTTP/1.1"), 400, "Illegal character CNTL=0x1", BM, OPEN, CLOSE),
    ("DEL in the target", line(b"POST /\x7f HTTP/1.1"), 400, "Illegal character CNTL=0x7f", BM, OPEN, CLOSE),
    ("CR alone in the request line", line(b"POST /\r HTTP/1.1"), 400, "Bad EOL", BM, OPEN, CLOSE),
    ("'%zz' in the target", line(b"POST /%zz HTTP/1.1"), 400, "Bad Request", BM, OPEN, CLOSE),
    ("'%' ending the target", line(b"POST /% HTTP/1.1"), 400, "Bad Request", BM, OPEN, CLOSE),
    ("request line past 8 KiB, target within", line(b"POST /" + b"a" * 8180 + b" HTTP/1.1"),
     431, "Request Header Fields Too Large", BM, OPEN, CLOSE),
    ("target past 8 KiB", line(b"POST /" + b"a" * 8190 + b" HTTP/1.1"), 414, "URI Too Long", BM, OPEN, CLOSE),
    # refused once Jetty has built the request
    ("target without '/'", line(b"POST p HTTP/1.1"), 400, "Bad Request", "http:p", CLOSE, CLOSE),
    ("Expect: foo", hdr(b"Expect: foo\r\n"), 417, "Expectation Failed", "http://x/", CLOSE, CLOSE),
    ("Expect: 100-continue, foo", hdr(b"Expect: 100-continue, foo\r\n"), 417, "Expectation Failed", "http://x/", CLOSE, CLOSE),
    ("HTTP/2.0", line(b"POST / HTTP/2.0"), 426, "Upgrade Required", "http://x/", OPEN, CLOSE),
    ("absolute target naming another host", line(b"POST http://h/p HTTP/1.1"), 400, "Authority!=Host", "http://h/p", OPEN, OPEN),
    ("8-bit byte in the target", line(b"POST /\xe9 HTTP/1.1"), 400, "Illegal Path Character", "http://x/?", OPEN, OPEN),
]

# What DynamoDB Local serves although it looks odd (each answered 200 {"TableNames":[...]}).
SERVED = [
    ("Content-Length with blanks around it", cl(b" 2 ")),
    ("Content-Length with a tab before it", cl(b"\t2")),
    ("Content-Length with leading zeros", cl(b"002")),
    ("Transfer-Encoding: Chunked", te(b"Chunked")),
    ("Transfer-Encoding: gzip, chunked", te(b"gzip, chunked")),
    ("Transfer-Encoding gzip, then chunked in a second header", H + b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
    ("8-bit byte in a header value", hdr(b"X-Foo: a\xe9b\r\n")),
    ("tab in a header value", hdr(b"X-Foo: a\tb\r\n")),
    ("'::' after a header name", hdr(b"X-A:: b\r\n")),
    ("200 header lines", hdr(b"".join(b"X-%d: v\r\n" % i for i in range(200)))),
    ("head of exactly 8192 bytes", big_head(8192)),
    ("Host [::1]:80", host(b"[::1]:80")),
    ("Host with '_'", host(b"a_b.c")),
    ("Host with blanks around it", host(b"  x  ")),
    ("version in lower case", line(b"POST / http/1.1")),
    ("two spaces after the method", line(b"POST  / HTTP/1.1")),
    ("empty lines before the request line", b"\r\n\r\n" + line(b"POST / HTTP/1.1")),
    ("bare LF line ends", (line(b"POST / HTTP/1.1")).replace(b"\r\n", b"\n")),
    ("method in lower case", line(b"post / HTTP/1.1")),
    ("unknown method", line(b"FOO / HTTP/1.1")),
    ("target '*'", line(b"OPTIONS * HTTP/1.1")),
    ("target with %41", line(b"POST /%41 HTTP/1.1")),
    ("absolute target naming the Host", line(b"POST http://x/p HTTP/1.1")),
    ("empty Expect", hdr(b"Expect: \r\n")),
    ("Expect: 100-Continue", hdr(b"Expect: 100-Continue\r\n")),
    ("Expect: foo in HTTP/1.0", b"POST / HTTP/1.0\r\n" + T + b"Expect: foo\r\nContent-Length: 2\r\n\r\n{}"),
    ("chunk extension 2;a=b", chunk(b"2;a=b")),
    ("chunk extension after a blank", chunk(b"2 ;a=b")),
    ("chunk extension without value", chunk(b"2;a")),
    ("chunk size with leading zeros", chunk(b"0002")),
    ("chunk size in upper case", H + b"Transfer-Encoding: chunked\r\n\r\nA\r\n{\"a\":\"bc\"}\r\n0\r\n\r\n"),
    ("chunked body with a trailer", chunk(b"2", b"{}\r\n0\r\nX-T: y\r\n\r\n")),
]

# Chunked bodies Jetty cannot decode: DynamoDB Local answers 500 InternalFailure without
# Content-Type (and without x-amz-crc32), with Connection: close.
BAD_CHUNKS = [
    ("chunk size zz", chunk(b"zz")),
    ("chunk size 2^64", chunk(b"10000000000000000")),
    ("chunk size of 17 hex digits", chunk(b"FFFFFFFFFFFFFFFFF")),
    ("chunk size 2^63", chunk(b"8000000000000000")),
    ("chunk size with a blank after it", chunk(b"2 ")),
    ("chunk size with a blank before it", chunk(b" 2")),
    ("chunk size +2", chunk(b"+2")),
    ("chunk size -2", chunk(b"-2")),
    ("chunk size 0x2", chunk(b"0x2")),
    ("empty chunk size", chunk(b"")),
    ("chunk extension ';' alone", chunk(b"2;")),
    ("chunk data without CRLF after it", H + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n"),
    ("chunk lines ended by bare LF", H + b"Transfer-Encoding: chunked\r\n\r\n2\n{}\n0\n\n"),
    ("trailers over 8 KiB", chunk(b"0", b"X: " + b"a" * 9000 + b"\r\n\r\n")),
]

def html(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&apos;")

def t_framing():
    for name, data, status, message, uri, says_close, closes in JETTY_PAGES:
        try:
            c = connect()
            c.sendall(data)
            r = Reader(c)
            st, h, b = r.response()
            if closes:
                still_open = not closed_by_peer(c, 3)
            else:
                c.sendall(request_bytes())
                still_open = r.response()[0] == 200
            c.close()
        except (OSError, EOFError) as e:
            st, h, b, still_open = repr(e), {}, b"", None
        m = html(message).encode()
        whole = len(b) < 8192
        ok = (st == status and h.get("content-type") == "text/html;charset=iso-8859-1" and
              h.get("cache-control") == "must-revalidate,no-cache,no-store" and
              b.startswith(b"<html>\n<head>\n") and b"<title>Error %d %s</title>" % (status, m) in b and
              b"<h2>HTTP ERROR %d %s</h2>" % (status, m) in b and
              (not whole or b"<tr><th>URI:</th><td>%s</td></tr>" % html(uri).encode("latin-1") in b) and
              (not whole or b"<tr><th>MESSAGE:</th><td>%s</td></tr>" % m in b) and
              (h.get("connection") == "close") == says_close and still_open == (not closes))
        check("framing: %s -> %s \"%s\" (Jetty's page, URI %s%s), %s" %
              (name, st, message, uri[:20], ", Connection: close" if says_close else "", "closed" if closes else "kept open"),
              ok, "%r %r %r open=%r" % (st, h, b[:300], still_open))
    # a head past 8 KiB whose target is nearly 8 KiB: Jetty's page, cut at 8 KiB with the target
    c = connect()
    c.sendall(line(b"POST /" + b"a" * 8100 + b" HTTP/1.1"))
    st, h, b = Reader(c).response()
    c.close()
    check("framing: target of 8100 bytes -> 431, Jetty's page cut at 8192 bytes", st == 431 and len(b) == 8192 and
          b.endswith(b"a" * 100), "%r %d" % (st, len(b)))
    for name, data in SERVED:
        try:
            st, _, b = roundtrip(data)
        except (OSError, EOFError) as e:
            st, b = repr(e), b""
        check("framing: %s (served, as by DynamoDB Local)" % name, st == 200 and b.startswith(b'{"TableNames":['), "%r %r" % (st, b[:200]))
    want = json.dumps({"__type": INTERNAL[1], "Message": INTERNAL[2]}, separators=(",", ":")).encode()
    for name, data in BAD_CHUNKS:
        try:
            c = connect()
            c.sendall(data)
            st, h, b = Reader(c).response()
            closed = closed_by_peer(c, 3)
            c.close()
        except (OSError, EOFError) as e:
            st, h, b, closed = repr(e), {}, b"", False
        ok = (st == 500 and b == want and "content-type" not in h and "x-amz-crc32" not in h and
              is_uuid(h.get("x-amzn-requestid", "")) and h.get("connection") == "close" and closed)
        check("framing: %s -> 500 InternalFailure, no Content-Type, closed (DynamoDB Local's answer)" % name, ok,
              "%r %r %r" % (st, h, b[:200]))
    # HTTP/1.0 needs no Host, in DynamoDB Local too
    st, _, b = roundtrip(b"POST / HTTP/1.0\r\n" + T + b"Content-Length: 2\r\n\r\n{}")
    check("framing: HTTP/1.0 without Host served", st == 200 and b.startswith(b'{"TableNames":['), "%r %r" % (st, b))

def t_connection():
    # HTTP/1.0: closed after the answer unless it asks; asked, the answer says keep-alive
    c = connect()
    r = Reader(c)
    c.sendall(b"POST / HTTP/1.0\r\n" + T + b"Content-Length: 2\r\n\r\n{}")
    st, h, _ = r.response()
    check("HTTP/1.0: answered without a Connection header, then closed", st == 200 and "connection" not in h and
          closed_by_peer(c, 3), repr(h))
    c.close()
    c = connect()
    r = Reader(c)
    c.sendall(b"POST / HTTP/1.0\r\nConnection: keep-alive\r\n" + T + b"Content-Length: 2\r\n\r\n{}")
    st, h, _ = r.response()
    c.sendall(b"POST / HTTP/1.0\r\nConnection: keep-alive\r\n" + T + b"Content-Length: 2\r\n\r\n{}")
    st2, _, _ = r.response()
    check("HTTP/1.0 with Connection: keep-alive: the answer says keep-alive, the connection serves again",
          st == 200 and st2 == 200 and h.get("connection") == "keep-alive", repr(h))
    c.close()
    c = connect()
    r = Reader(c)
    c.sendall(hdr(b"Connection: keep-alive, close\r\n"))
    st, h, _ = r.response()
    check("Connection: keep-alive, close: the answer says close, and closes", st == 200 and h.get("connection") == "close" and
          closed_by_peer(c, 3), repr(h))
    c.close()
    # two requests in one send, and a third split in the middle of its head
    c = connect()
    r = Reader(c)
    one = request_bytes()
    c.sendall(one + one + one[:40])
    a, b = r.response(), r.response()
    time.sleep(0.1)
    c.sendall(one[40:])
    d = r.response()
    check("pipelining: 2 requests in one send and one split in its head, answered in order",
          [a[0], b[0], d[0]] == [200, 200, 200] and a[1]["x-amzn-requestid"] != b[1]["x-amzn-requestid"])
    c.close()
    # Expect: 100-continue with a small body: "100 Continue" before the body is sent
    c = connect()
    data = request_bytes(extra=[("Expect", "100-continue")])
    head = data[:data.index(b"\r\n\r\n") + 4]
    c.sendall(head)
    r = Reader(c)
    first = r.line()
    r.line()
    c.sendall(data[len(head):])
    st, _, b = r.response()
    check("Expect: 100-continue: 'HTTP/1.1 100 Continue', then the answer once the body is sent",
          first == "HTTP/1.1 100 Continue" and st == 200, "%r %r" % (first, st))
    c.close()
    # HEAD: the answer's length, no body; the connection goes on
    c = connect()
    r = Reader(c)
    c.sendall(line(b"HEAD / HTTP/1.1"))
    st, h, _ = r.response(head=True)
    c.sendall(request_bytes())
    st2, _, b = r.response()
    check("HEAD: 200 with the body's Content-Length and no body, then the next request", st == 200 and
          h.get("content-length", "").isdigit() and st2 == 200 and b.startswith(b'{"TableNames":['), "%r %r %r" % (st, h, b))
    c.close()
    # a chunked body whose chunk lines arrive one byte at a time
    c = connect()
    r = Reader(c)
    data = chunk(b"1;ext=1", b"{\r\n1\r\n}\r\n0\r\nX-T: y\r\n\r\n")
    head = data[:data.index(b"\r\n\r\n") + 4]
    c.sendall(head)
    for i in range(len(head), len(data)):
        c.sendall(data[i:i + 1])
        time.sleep(0.002)
    st, _, b = r.response()
    check("chunked body sent a byte at a time, with an extension and a trailer", st == 200 and b.startswith(b'{"TableNames":['),
          "%r %r" % (st, b[:100]))
    c.close()

def t_malformed_http(timeout_s):
    # What nothing in HTTP can parse: answered (as above) or closed; the client is never left
    # hanging, and nothing else is disturbed.
    for name, data in [("random bytes without a line end", bytes(random.Random(3).getrandbits(8) for _ in range(3000))),
                       ("a request line that never ends", b"POST /" + b"a" * 100)]:
        c = connect()
        c.sendall(data)
        c.settimeout(timeout_s + 3)
        try:
            got = c.recv(65536)
            ok = got == b"" or got.startswith(b"HTTP/1.1 400 ")
        except socket.timeout:
            got, ok = "no answer", False
        except OSError:
            got, ok = "reset", True
        c.close()
        check("malformed HTTP, %s: 400 or closed within --timeout" % name, ok, repr(got[:80]))
    st, _, _ = roundtrip(request_bytes())
    check("still serving after malformed HTTP", st == 200)

def t_hostile(timeout_s, max_conns, server_pid):
    # One established keep-alive client that must not be harmed by anything below. It sends a
    # request every 0.3 s (an idle one would rightly be closed by --timeout).
    victim = connect()
    vr = Reader(victim)
    vlock = threading.Lock()
    vstate = {"bad": 0, "slow": 0.0, "stop": False}
    def victim_once():
        with vlock:
            try:
                t0 = time.time()
                victim.sendall(request_bytes())
                st, _, _ = vr.response()
                vstate["slow"] = max(vstate["slow"], time.time() - t0)
                if st != 200: vstate["bad"] += 1
            except (OSError, EOFError):
                vstate["bad"] += 1
    def victim_loop():
        while not vstate["stop"]:
            victim_once()
            time.sleep(0.3)
    vt = threading.Thread(target=victim_loop)
    vt.start()
    def victim_ok():
        victim_once()
        ok = vstate["bad"] == 0 and vstate["slow"] < 2
        if not ok: print("  victim: %d failed requests, slowest %.2f s" % (vstate["bad"], vstate["slow"]))
        return ok
    check("victim connection answers", victim_ok())

    # garbage bytes
    rnd = random.Random(7)
    for i in range(20):
        try:
            g = connect()
            g.sendall(bytes(rnd.getrandbits(8) for _ in range(4096)))
            g.close()
        except OSError:
            pass
    check("20 clients sending random bytes: victim still served", victim_ok())

    # slowloris: headers dripped one byte at a time, and clients that send nothing at all
    stop = threading.Event()
    drips, idles = [], []
    for i in range(10):
        d = connect()
        d.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        drips.append(d)
        idles.append(connect())
    def drip():
        n = 0
        while not stop.is_set():
            for d in drips:
                try: d.sendall(b"X-Slow-%d: y\r\n" % n)
                except OSError: pass
            n += 1
            stop.wait(0.5)
    t = threading.Thread(target=drip)
    t.start()
    lat = []
    for _ in range(20):
        t0 = time.time()
        st, _, _ = roundtrip(request_bytes())
        lat.append(time.time() - t0)
    check("slowloris (10 dripping + 10 silent connections): new clients served, slowest %.0f ms" % (max(lat) * 1000),
          max(lat) < 1.0)
    check("slowloris: victim still served", victim_ok())
    closed = [closed_by_peer(c, timeout_s + 3) for c in idles]
    check("silent connections closed after --timeout %d s" % timeout_s, all(closed), "%d of %d" % (sum(closed), len(closed)))
    stop.set()
    t.join()
    closed = [closed_by_peer(c, timeout_s + 3) for c in drips]
    check("dripping connections closed once they stall", all(closed), "%d of %d" % (sum(closed), len(closed)))
    for c in drips + idles: c.close()

    # A flood of connections beyond --max-connections. The server stops accepting at the
    # limit: the rest wait in the kernel's backlog until a slot frees (an idle one times out).
    flood = []
    for i in range(max_conns * 2):
        try: flood.append(connect())
        except OSError: pass
    for c in flood:
        try: c.sendall(request_bytes())
        except OSError: pass
    time.sleep(1.0)
    answered = 0
    for c in flood:
        c.settimeout(0.01)
        try:
            if c.recv(65536).startswith(b"HTTP/1.1 200"): answered += 1
        except OSError:
            pass
    fds = len(os.listdir("/proc/%d/fd" % server_pid)) if server_pid else 0
    check("flood of %d connections: at most --max-connections %d served at once (%d), server holds %d fds" %
          (len(flood), max_conns, answered, fds), 0 < answered < max_conns and fds <= max_conns + 24)
    check("flood: victim still served", victim_ok())
    for c in flood: c.close()
    served = False
    deadline = time.time() + timeout_s + 5
    while time.time() < deadline and not served:
        try: served = roundtrip(request_bytes(), timeout=timeout_s + 5)[0] == 200
        except (OSError, EOFError): time.sleep(0.1)
    check("after the flood: new connections served again", served)

    # headers far over the 8 KiB a head may take (Jetty's request header size)
    try:
        st, _, _ = roundtrip(request_bytes(extra=[("X-Big", "a" * 200000)]), timeout=5)
    except (OSError, EOFError) as e:
        st = repr(e)
    check("200 KB header: 431 (as DynamoDB Local's Jetty answers)", st == 431, repr(st))

    # clients that vanish in the middle of a request
    for part in (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":", b"POST / HTTP/1.1\r\nHo"):
        for _ in range(10):
            c = connect()
            c.sendall(part)
            c.close()
    big = request_bytes(body=b" " * (4 << 20))
    for _ in range(3):
        c = connect()
        c.sendall(big[:3 << 20])
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()   # reset
    check("clients gone mid-request: victim still served", victim_ok())
    vstate["stop"] = True
    vt.join()
    victim.close()

def t_hold():
    # for the SIGTERM check: connections in awkward states, kept until killed
    keep = []
    c = connect(); r = Reader(c); c.sendall(request_bytes()); r.response(); keep.append(c)
    c = connect(); c.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n"); keep.append(c)
    c = connect(); c.sendall(request_bytes(body=b" " * 100000)[:50000]); keep.append(c)
    print("holding"); sys.stdout.flush()
    time.sleep(60)

if MODE == "all":
    timeout_s, max_conns, server_pid = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    for f in (t_basics, t_fake, t_bad_input, t_framing, t_connection, t_too_large, lambda: t_malformed_http(timeout_s),
              lambda: t_hostile(timeout_s, max_conns, server_pid)):
        try:
            f()
        except Exception as e:
            check("%s raised" % getattr(f, "__name__", "hostile"), False, repr(e))
elif MODE == "short":
    t_basics()
    t_fake()
    st, _, _ = roundtrip(request_bytes(body=b" " * ((16 << 20) + 1)), timeout=120)
    check("413 under valgrind", st == 413)
    check_answer("no Authorization", roundtrip(request_bytes(auth=None)), MISSING)
elif MODE == "hold":
    t_hold()
print("client: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY

# slowloris.py PORT REQUEST_TIMEOUT: 1,100 connections trickle header bytes (more than the
# server's 1,000 slots; one reconnects when the server closes it) while a good client sends a
# request on a new connection every 0.1 s for 6 s: each must be answered within a second. Then
# one connection dripping a header byte every 0.25 s (never idle) must be closed after the
# request deadline.
cat >"$DIR/slowloris.py" <<'PY'
import resource, select, socket, sys, threading, time

PORT, REQUEST_TIMEOUT = int(sys.argv[1]), float(sys.argv[2])
N, RUN_S = 1100, 6.0
passed = failed = 0

def check(name, cond, detail=""):
    global passed, failed
    if cond: passed += 1; print("ok - " + name)
    else: failed += 1; print("FAIL - " + name + (": " + detail if detail else ""))
    sys.stdout.flush()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = N + 200
if soft < want and (hard == resource.RLIM_INFINITY or hard >= want):
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64)
GOOD = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
        "Authorization: " + AUTH + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").encode()

def open_trickler():
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", PORT))
    return s

stop = threading.Event()
stats = {"reconnects": 0}
def attack():
    socks = [open_trickler() for _ in range(N)]
    started = [False] * N
    while not stop.is_set():
        for i, s in enumerate(socks):
            try:
                if s.send(b"x" if started[i] else b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ") <= 0: raise OSError()
                started[i] = True
            except BlockingIOError:
                pass   # still connecting, or the send buffer is full
            except OSError:
                s.close()
                socks[i] = open_trickler()
                started[i] = False
                stats["reconnects"] += 1
        stop.wait(0.5)
    for s in socks: s.close()

t = threading.Thread(target=attack)
t.start()
time.sleep(1.5)   # let the trickling connections take every slot
lat, errors = [], []
t_end = time.time() + RUN_S
while time.time() < t_end:
    t0 = time.time()
    try:
        c = socket.create_connection(("127.0.0.1", PORT), timeout=3)
        c.sendall(GOOD)
        got = b""
        while b"TableNames" not in got:
            d = c.recv(65536)
            if not d: break
            got += d
        c.close()
        if not got.startswith(b"HTTP/1.1 200"): errors.append(got[:60])
    except OSError as e:
        errors.append(repr(e))
    lat.append(time.time() - t0)
    time.sleep(0.1)
stop.set()
t.join()
check("slowloris, %d trickling connections: %d good requests answered, slowest %.0f ms (%d trickling reconnects)" %
      (N, len(lat) - len(errors), max(lat) * 1000, stats["reconnects"]),
      not errors and max(lat) < 1.0, repr(errors[:3]))

# the deadline: a connection that is never idle but never finishes its headers
d = socket.create_connection(("127.0.0.1", PORT), timeout=1)
d.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
t0 = time.time()
closed_after = None
while time.time() - t0 < REQUEST_TIMEOUT + 5:
    try:
        d.send(b"y")
        r, _, _ = select.select([d], [], [], 0.25)
        if r and not d.recv(65536): closed_after = time.time() - t0; break
    except OSError:
        closed_after = time.time() - t0; break
d.close()
check("headers dripped without a pause: closed after the --request-timeout %g s (%s)" %
      (REQUEST_TIMEOUT, "%.1f s" % closed_after if closed_after is not None else "never"),
      closed_after is not None and REQUEST_TIMEOUT - 0.5 <= closed_after <= REQUEST_TIMEOUT + 1.5)
print("client: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY

# tally_client LOG: adds the client's counts (its ok/FAIL lines are already printed)
tally_client() {
  local line p f
  line=$(grep -E '^client: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then fail "test client ended without a summary (see $1)"; return; fi
  p=$(sed -E 's/^client: ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/^client: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
  PASS=$((PASS + p))
  FAIL=$((FAIL + f))
}

run_client() {   # run_client LOGNAME ARGS...: runs client.py (slowloris.py for "slowloris"), tallies it
  local log=$DIR/$1.log script=$DIR/client.py; shift
  [ "$(basename "$log")" = slowloris.log ] && script=$DIR/slowloris.py
  python3 "$script" "$@" >"$log" 2>&1
  grep -E '^(ok|FAIL) - ' "$log"
  grep -vE '^(ok|FAIL) - |^client: ' "$log" | head -n 20 | sed 's/^/  client: /'
  tally_client "$log"
}

# ---- command line ---------------------------------------------------------------------------
"$BIN" --help >"$DIR/help.out" 2>&1
st=$?
check "--help exits 0 with a usage text" [ $st -eq 0 -a -n "$(grep -- --port "$DIR/help.out")" ]
"$BIN" --port abc >/dev/null 2>&1
check "--port abc: usage error, exit 2" [ $? -eq 2 ]
"$BIN" --bogus 1 >/dev/null 2>&1
check "unknown option: exit 2" [ $? -eq 2 ]
"$BIN" --host localhost >/dev/null 2>&1
check "--host must be numeric (no name lookups): exit 2" [ $? -eq 2 ]
"$BIN" --faults throttle --seed 1 >/dev/null 2>&1
check "--faults: refused until the fake has fault injection (exit 2)" [ $? -eq 2 ]

PORT_WANTED=$(free_port)
if start fixed 10 "$BIN" --port "$PORT_WANTED"; then
  check "--port $PORT_WANTED: first line 'listening on 127.0.0.1:$PORT_WANTED'" [ "$FIRST_LINE" = "listening on 127.0.0.1:$PORT_WANTED" ]
  # a second server on the same port fails cleanly
  "$BIN" --port "$PORT_WANTED" >/dev/null 2>"$DIR/busy.err"
  st=$?
  check "port in use: exit 1 with a message" [ $st -eq 1 -a -n "$(grep 'cannot listen' "$DIR/busy.err")" ]
  stop_with INT "$SPID" 5
  check "SIGINT: exit 0 (${STOP_MS} ms)" [ "$STOP_STATUS" = 0 ]
else
  fail "--port $PORT_WANTED: server did not start ($(head -c 300 "$DIR/fixed.err"))"
fi

# ---- the main run, under AddressSanitizer + UndefinedBehaviorSanitizer ----------------------
TIMEOUT_S=2
MAX_CONNS=32
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
if start san 10 "$SAN_BIN" --port 0 --timeout "$TIMEOUT_S" --max-connections "$MAX_CONNS" --threads 2; then
  check "first line 'listening on 127.0.0.1:PORT' ($FIRST_LINE)" grep -qE '^listening on 127\.0\.0\.1:[0-9]+$' <<<"$FIRST_LINE"
  run_client san-client "$SPORT" all "$TIMEOUT_S" "$MAX_CONNS" "$SPID"
  # SIGTERM with connections open in awkward states: exit 0 promptly, nothing leaked
  python3 "$DIR/client.py" "$SPORT" hold >"$DIR/hold.log" 2>&1 &
  HOLD=$!
  PIDS+=("$HOLD")
  for _ in $(seq 1 100); do grep -q holding "$DIR/hold.log" && break; sleep 0.05; done
  stop_with TERM "$SPID" 5
  kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null; forget "$HOLD"
  check "SIGTERM with 3 connections open: exit 0 within 2 s (${STOP_MS} ms, status $STOP_STATUS)" \
    [ "$STOP_STATUS" = 0 -a "$STOP_MS" -lt 2000 ]
  check "no AddressSanitizer / LeakSanitizer / UBSan report" no_sanitizer_report "$DIR/san.err"
  grep -E 'ERROR|runtime error|SUMMARY' "$DIR/san.err" | head -n 10 | sed 's/^/  server: /'
else
  fail "sanitizer build did not start: $(head -c 300 "$DIR/san.err")"
fi

# ---- slowloris at full scale: 1,100 trickling connections against 1,000 slots -------------------
if [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 1400 ]; then
  if start slow 10 bash -c 'ulimit -Sn 1400 && exec "$@"' _ "$SAN_BIN" --port 0 --timeout 60 --request-timeout 2; then
    run_client slowloris "$SPORT" 2
    stop_with TERM "$SPID" 5
    check "slowloris server: SIGTERM exit 0 (status $STOP_STATUS)" [ "$STOP_STATUS" = 0 ]
    check "slowloris server: no AddressSanitizer / LeakSanitizer / UBSan report" no_sanitizer_report "$DIR/slow.err"
  else
    fail "slowloris server did not start: $(head -c 300 "$DIR/slow.err")"
  fi
else
  echo "note: open-file hard limit $(ulimit -Hn) < 1400: the 1,100-connection slowloris run is skipped"
fi

# ---- room: the oldest connection waiting for its request leaves when the last slot is taken ----
if start room 10 "$SAN_BIN" --port 0 --threads 2 --max-connections 10; then
  python3 - "$SPORT" >"$DIR/room.log" 2>&1 <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
def closed_ones(ss):
    r, _, _ = select.select(ss, [], [], 0.3)
    return [s for s in r if not s.recv(16)]
a = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
time.sleep(0.5)
print("8 silent of 10 slots: %d closed" % len(closed_ones(a)))
b = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
time.sleep(0.5)
gone = closed_ones(a + b)
print("12 silent of 10 slots: %d closed, oldest first: %s" % (len(gone), all(s in a[:3] for s in gone)))
PY
  check "8 silent connections of 10 slots: none closed" grep -q '^8 silent of 10 slots: 0 closed$' "$DIR/room.log"
  check "12 silent connections of 10 slots: the 3 oldest closed, one slot kept free" \
    grep -q '^12 silent of 10 slots: 3 closed, oldest first: True$' "$DIR/room.log"
  stop_with TERM "$SPID" 5
  check "room server: SIGTERM exit 0 (status $STOP_STATUS)" [ "$STOP_STATUS" = 0 ]
  check "room server: no AddressSanitizer / LeakSanitizer / UBSan report" no_sanitizer_report "$DIR/room.err"
else
  fail "room server did not start: $(head -c 300 "$DIR/room.err")"
fi

# ---- valgrind memcheck: the -O2 build, a short run --------------------------------------------
if command -v valgrind >/dev/null 2>&1; then
  if start vg 60 valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect \
       --show-leak-kinds=definite,indirect "$BIN" --port 0; then
    run_client vg-client "$SPORT" short
    stop_with TERM "$SPID" 30
    check "valgrind: SIGTERM exit 0, no memory errors, nothing lost (status $STOP_STATUS)" [ "$STOP_STATUS" = 0 ]
    grep -E '==[0-9]+==' "$DIR/vg.err" | head -n 20 | sed 's/^/  valgrind: /'
  else
    fail "server did not start under valgrind: $(head -c 300 "$DIR/vg.err")"
  fi
else
  echo "note: valgrind not installed; the leak check ran under LeakSanitizer only"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
