#!/usr/bin/env node
// http_stub.js - a small local HTTP(S) server for tests/test_curl.c.
//
//   node tests/http_stub.js
//
// Listens on 127.0.0.1 only, on ports chosen by the OS, and prints one line once ready:
//
//   olock-stub http=P https=P https_mismatch=P silent=P ca=/tmp/.../ca.pem raw=P
//
//   http            plain HTTP/1.1 server (the routes below)
//   https           the same routes over TLS; its certificate (IP:127.0.0.1) is signed by the CA
//                   written to `ca`
//   https_mismatch  the same routes over TLS with a certificate for DNS:mismatch.invalid only,
//                   signed by the same CA (host verification must reject it)
//   silent          raw TCP: accepts connections and never writes a byte
//   raw             a hand-written HTTP/1.1 server that sends byte-exact (mis)answers; see below
//
// It exits on SIGTERM/SIGINT or when its stdin is closed (so it never outlives the test).
//
// Routes (any method; query parameters in the URL):
//   /echo            200; body = request body; every request header `h` comes back as `x-req-h`,
//                    plus x-req-method, x-stub-conn (connection number), x-stub-conn-req (requests
//                    seen on this connection, this one included)
//   /status?code=N   status N with repeated, padded and empty headers and a short body
//   /big?n=N         N body bytes, byte i = 'a' + i % 26; &chunked=1 sends no Content-Length
//   /fat-headers?n=N N headers x-fat-0 .. x-fat-(N-1) of 500 bytes each, empty body
//   /interim         102, 103 (with a Link header) and 100 before a 201 with x-final: 1
//   /short           Content-Length: 100, then 10 bytes, then the connection is destroyed
//   /drop            reads the whole request, then closes the connection without answering
//   /drop-reused     on a connection that already served a request: destroys it at once, without
//                    reading the request (what an idle-connection close racing the request looks
//                    like to the client); on a fresh connection: reads the request, answers 200
//   /hang            reads the request and never answers
//   /ddb             a sliver of DynamoDB for the olock_client smoke test: ListTables answers
//                    {"TableNames":["olock"]}, anything else ResourceNotFoundException (400);
//                    both with x-amz-crc32
//   /config?idle=MS  closes a keep-alive connection once it has been idle MS ms (0: node's own
//                    keep-alive timeout, 5 s as in dynalite, which node 20 enforces 1 s late)
//   /stats?path=P    x-stub-connections: connections that carried a non-control request;
//                    x-stub-requests: non-control requests; x-stub-path-count: requests to P
//   /ddb-slow/MS     for tests/test_curl_multi.c: answers a DynamoDB success ({} with x-amz-crc32)
//                    MS ms after the request arrived
//   /ddb-throttle/N/MS  the first N requests to this exact path answer 400 ThrottlingException
//                    with x-amz-retry-after: MS; later ones a DynamoDB success
//   /ddb-drop-reused like /drop-reused, but a fresh connection gets a DynamoDB success
//   /raw-config?at=N&close=C  (body: a whole HTTP response, bytes as sent) what the raw server
//                    answers to any request that is not a /cut one (see below); at and close as
//                    for /cut; resets x-stub-raw-requests to 0
// /config, /stats and /raw-config are control routes: they are not counted. /stats also
// returns x-stub-raw-requests: requests the raw server read since the last /raw-config.
//
// The raw server reads each request whole (head and Content-Length body) and answers it with
// bytes chosen by the test, so a test can cut a response at any byte:
//   /cut?at=N&close=C  the answer is the request's own body: its first N bytes are written
//                    (all of it without `at`), then per C: fin (default) ends the connection
//                    with FIN, rst resets it 50 ms later, hang keeps it open and silent. Without
//                    `at` the connection stays open for the next request (keep-alive).
//   anything else    the answer set by /raw-config (a 500 without one), cut the same way.
'use strict';

const http = require('http');
const https = require('https');
const net = require('net');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

// Test-only PKI generated for this stub (EC P-256, valid 2000-2100). Never trust it elsewhere.
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBYzCCAQmgAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1vbG9jayB0
ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1vbG9jayB0ZXN0IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEap6Q
RM2Ofl9ktLPirW8dm8ZHVgxnsViG9euBYR1pSE26nbwi4ZMZi7C+5GS2X4m9Tv1Q
2iC6jiDxuRAJzzwn+6NCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMC
AgQwHQYDVR0OBBYEFPBi7tav014fHmQfjqgMbUJZuojyMAoGCCqGSM49BAMCA0gA
MEUCIFqm1m9p73M1tlj8fPQWvo0tWJqu4vCZlhLx5SqmvypfAiEA1HG8mMLlXKhx
psIsP7dPzO2qPDltuJv31kACCNnoje8=
-----END CERTIFICATE-----
`;
const GOOD_CERT = `-----BEGIN CERTIFICATE-----
MIIBljCCATygAwIBAgIBAjAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1vbG9jayB0
ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAaMRgwFgYD
VQQDDA9vbG9jayB0ZXN0IGdvb2QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARr
JUVnWWWwBfcYXZklJF8P7t3FORjzNGFlw2pWYnYmKhTQH7Ulj2gRFqaI7fXM26iO
W3etAE4L1jdWWIIl0TSko3MwcTAPBgNVHREECDAGhwR/AAABMAkGA1UdEwQCMAAw
EwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFPhhtW2mUzOaErDbzQEpR0xE
+veuMB8GA1UdIwQYMBaAFPBi7tav014fHmQfjqgMbUJZuojyMAoGCCqGSM49BAMC
A0gAMEUCIDvAZWoIepQcGsGwLZrRDXrFDAkOSqHq2n0rKA6XxcG9AiEAh2NPI6Uv
ut8c7io+7fbQLrob8Il0CMTpChmfeKuDwHE=
-----END CERTIFICATE-----
`;
const GOOD_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQglXnqpL71/uLgepiG
Qt9ekZLk1UsMSrp1/l/Tw7ZiO0ShRANCAARrJUVnWWWwBfcYXZklJF8P7t3FORjz
NGFlw2pWYnYmKhTQH7Ulj2gRFqaI7fXM26iOW3etAE4L1jdWWIIl0TSk
-----END PRIVATE KEY-----
`;
const MISMATCH_CERT = `-----BEGIN CERTIFICATE-----
MIIBoTCCAUegAwIBAgIBAzAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1vbG9jayB0
ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAZMRcwFQYD
VQQDDA5vbG9jayB0ZXN0IGJhZDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFB1
d0RB+z7Feryb9tkEoXvmuYXACXQ8d5SDn4Y4OR4EDAEPsUkY+RimayftiXYpVOZa
i45uaHY3oXf3a8rsjhyjfzB9MBsGA1UdEQQUMBKCEG1pc21hdGNoLmludmFsaWQw
CQYDVR0TBAIwADATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUEY6I/dU7
EBVo/OakDDBUiw7KH74wHwYDVR0jBBgwFoAU8GLu1q/TXh8eZB+OqAxtQlm6iPIw
CgYIKoZIzj0EAwIDSAAwRQIhAJjIaBdnKB3zjjXVGmo43Nn9R1CzzjmsVRtMS/Jc
zHTAAiBLnRfmSnAkt8MxhfpUhM3HQkByvfXqApzcRsVUQt2wXg==
-----END CERTIFICATE-----
`;
const MISMATCH_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7USnnSC1pC1isJGV
+2gpZuEAwMMElNA0+8DAVKgLsBGhRANCAARQdXdEQfs+xXq8m/bZBKF75rmFwAl0
PHeUg5+GODkeBAwBD7FJGPkYpmsn7Yl2KVTmWouObmh2N6F392vK7I4c
-----END PRIVATE KEY-----
`;

const HOST = '127.0.0.1';
const stats = { connections: 0, requests: 0, paths: new Map() };
const hanging = new Set();          // responses of /hang, kept so they are never collected
const servers = [];
let connSeq = 0;
let idleMs = 0;                     // /config?idle=MS
let tmpDir = null;

function countRequest(socket, route) {
    if (!socket.olockId) {
        socket.olockId = ++connSeq;
        socket.olockReqs = 0;
    }
    if (socket.olockReqs === 0) stats.connections++;
    socket.olockReqs++;
    stats.requests++;
    stats.paths.set(route, (stats.paths.get(route) || 0) + 1);
}

function readBody(req, done) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', () => {});
}

function bigBody(n) {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
    return b;
}

// A DynamoDB-shaped answer: JSON body with its x-amz-crc32.
function ddbAnswer(res, status, body, extra) {
    const b = Buffer.from(body);
    const h = Object.assign({ 'content-type': 'application/x-amz-json-1.0', 'content-length': String(b.length) }, extra || {});
    if (typeof zlib.crc32 === 'function') h['x-amz-crc32'] = String(zlib.crc32(b));
    res.writeHead(status, h);
    res.end(b);
}

// The /ddb-* routes of tests/test_curl_multi.c; false when the route is not one of them.
function handleDdbRoutes(req, res, route, reused) {
    const parts = route.split('/');   // ['', 'ddb-slow', MS] ...
    if (parts[1] === 'ddb-slow' && parts.length === 3) {
        readBody(req, () => setTimeout(() => ddbAnswer(res, 200, '{}'), Number(parts[2]) || 0));
        return true;
    }
    if (parts[1] === 'ddb-throttle' && parts.length === 4) {
        readBody(req, () => {
            if ((stats.paths.get(route) || 0) <= Number(parts[2])) {
                ddbAnswer(res, 400, '{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",' +
                                    '"message":"Rate of requests exceeds the allowed throughput."}',
                          { 'x-amz-retry-after': parts[3] });
            } else {
                ddbAnswer(res, 200, '{}');
            }
        });
        return true;
    }
    if (route === '/ddb-drop-reused') {
        if (reused) {
            req.socket.destroy();
            return true;
        }
        readBody(req, () => ddbAnswer(res, 200, '{}'));
        return true;
    }
    return false;
}

function handle(req, res) {
    const url = new URL(req.url, 'http://stub');
    const route = url.pathname;
    const socket = req.socket;

    if (route === '/stats') {
        readBody(req, () => {
            const p = url.searchParams.get('path');
            res.writeHead(200, {
                'x-stub-connections': String(stats.connections),
                'x-stub-requests': String(stats.requests),
                'x-stub-path-count': String(p ? (stats.paths.get(p) || 0) : 0),
                'x-stub-raw-requests': String(raw.requests),
                'content-length': '0',
            });
            res.end();
        });
        return;
    }
    if (route === '/raw-config') {
        readBody(req, (body) => {
            raw.answer = Buffer.from(body);
            raw.at = url.searchParams.has('at') ? Number(url.searchParams.get('at')) : null;
            raw.close = url.searchParams.get('close') || 'fin';
            raw.requests = 0;
            res.writeHead(204);
            res.end();
        });
        return;
    }
    if (route === '/config') {
        readBody(req, () => {
            const idle = url.searchParams.get('idle');
            if (idle !== null) idleMs = Number(idle);
            res.writeHead(204);
            res.end();
        });
        return;
    }

    const reused = socket.olockReqs > 0;
    countRequest(socket, route);
    // Our own idle close, exact to the millisecond: armed when a response is finished,
    // disarmed when the next request arrives.
    clearTimeout(socket.olockIdleTimer);
    res.on('finish', () => {
        if (idleMs > 0 && !socket.destroyed) socket.olockIdleTimer = setTimeout(() => socket.end(), idleMs);
    });

    if (handleDdbRoutes(req, res, route, reused)) return;
    switch (route) {
    case '/echo':
        readBody(req, (body) => {
            const h = {
                'x-req-method': req.method,
                'x-stub-conn': String(socket.olockId),
                'x-stub-conn-req': String(socket.olockReqs),
                'content-type': 'application/octet-stream',
                'content-length': String(body.length),
            };
            for (const [name, value] of Object.entries(req.headers)) {
                h['x-req-' + name] = Array.isArray(value) ? value.join(', ') : value;
            }
            res.writeHead(200, h);
            res.end(body);
        });
        return;
    case '/status':
        readBody(req, () => {
            const code = Number(url.searchParams.get('code') || '200');
            const body = Buffer.from('status body');
            // Raw header array: repeated names, padding and an empty value as sent.
            res.writeHead(code, [
                'X-Multi', 'one',
                'X-Multi', 'two',
                'X-Padded', '   padded value   ',
                'X-Empty', '',
                'Content-Length', String(body.length),
            ]);
            res.end(body);
        });
        return;
    case '/big':
        readBody(req, () => {
            const n = Number(url.searchParams.get('n') || '0');
            const body = bigBody(n);
            if (url.searchParams.get('chunked') === '1') {
                res.writeHead(200, { 'content-type': 'application/octet-stream' });
                // Several writes so that the body really arrives in chunks.
                const step = 65536;
                for (let off = 0; off < n; off += step) res.write(body.subarray(off, Math.min(n, off + step)));
                res.end();
            } else {
                res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(n) });
                res.end(body);
            }
        });
        return;
    case '/ddb':
        readBody(req, () => {
            const target = req.headers['x-amz-target'] || '';
            let status = 200;
            let body = '{"TableNames":["olock"]}';
            if (target !== 'DynamoDB_20120810.ListTables') {
                status = 400;
                body = '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",' +
                       '"message":"Requested resource not found"}';
            }
            const b = Buffer.from(body);
            const h = { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(b.length) };
            if (typeof zlib.crc32 === 'function') h['x-amz-crc32'] = String(zlib.crc32(b));
            res.writeHead(status, h);
            res.end(b);
        });
        return;
    case '/fat-headers':
        readBody(req, () => {
            const n = Number(url.searchParams.get('n') || '0');
            const h = { 'content-length': '0' };
            for (let i = 0; i < n; i++) h['x-fat-' + i] = 'v'.repeat(500);
            res.writeHead(200, h);
            res.end();
        });
        return;
    case '/interim':
        readBody(req, () => {
            res.writeProcessing();
            res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
            res.writeContinue();
            res.writeHead(201, { 'x-final': '1', 'content-length': '4' });
            res.end('done');
        });
        return;
    case '/short':
        readBody(req, () => {
            res.writeHead(200, { 'content-length': '100' });
            res.write('0123456789');
            setTimeout(() => socket.destroy(), 20);
        });
        return;
    case '/drop':
        readBody(req, () => socket.destroy());
        return;
    case '/drop-reused':
        if (reused) {
            socket.destroy();
            return;
        }
        readBody(req, (body) => {
            res.writeHead(200, { 'content-length': '5', 'x-body-len': String(body.length) });
            res.end('fresh');
        });
        return;
    case '/hang':
        readBody(req, () => hanging.add(res));
        return;
    default:
        readBody(req, () => {
            res.writeHead(404, { 'content-length': '0' });
            res.end();
        });
    }
}

// The raw server (see the header comment).
const raw = { requests: 0, answer: null, at: null, close: 'fin' };

// Writes the answer (cut at `at` unless it is null); false once the connection is done.
function rawAnswer(socket, answer, at, close) {
    if (at === null) {
        socket.write(answer);
        return true;                                      // keep-alive: read the next request
    }
    socket.write(answer.subarray(0, Math.min(at, answer.length)));
    if (close === 'rst') setTimeout(() => socket.resetAndDestroy(), 50);
    else if (close !== 'hang') socket.end();
    return false;
}

function rawServe(socket) {
    let buf = Buffer.alloc(0);
    let open = true;
    socket.on('error', () => {});
    socket.on('data', (d) => {
        if (!open) return;
        buf = Buffer.concat([buf, d]);
        for (;;) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buf.subarray(0, end).toString('latin1');
            const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
            const len = m ? Number(m[1]) : 0;
            if (buf.length < end + 4 + len) return;
            const body = buf.subarray(end + 4, end + 4 + len);
            buf = buf.subarray(end + 4 + len);
            const url = new URL(head.split(' ')[1] || '/', 'http://stub');
            raw.requests++;
            let answer = raw.answer, at = raw.at, close = raw.close;
            if (url.pathname === '/cut') {
                answer = body;
                at = url.searchParams.has('at') ? Number(url.searchParams.get('at')) : null;
                close = url.searchParams.get('close') || 'fin';
            } else if (!answer) {
                answer = Buffer.from('HTTP/1.1 500 No Answer Set\r\nContent-Length: 0\r\n\r\n');
                at = null;
            }
            open = rawAnswer(socket, answer, at, close);
            if (!open) return;
        }
    });
}

function listen(server) {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, HOST, () => resolve(server.address().port));
    });
}

function cleanup() {
    if (tmpDir) {
        try { fs.rmSync(tmpDir, { recursive: true, force: true }); } catch (e) { /* best effort */ }
        tmpDir = null;
    }
}

async function main() {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'olock-stub-'));
    const caPath = path.join(tmpDir, 'ca.pem');
    fs.writeFileSync(caPath, CA_PEM);

    const plain = http.createServer(handle);
    const tls = https.createServer({ cert: GOOD_CERT, key: GOOD_KEY }, handle);
    const mismatch = https.createServer({ cert: MISMATCH_CERT, key: MISMATCH_KEY }, handle);
    const silentSockets = new Set();
    const silent = net.createServer((s) => {
        silentSockets.add(s);
        s.on('error', () => {});
        s.on('close', () => silentSockets.delete(s));
    });
    for (const s of [plain, tls, mismatch]) {
        s.on('clientError', (err, socket) => socket.destroy());
        servers.push(s);
    }

    const ports = [];
    const rawServer = net.createServer(rawServe);
    for (const s of [plain, tls, mismatch, silent, rawServer]) ports.push(await listen(s));
    process.stdout.write(`olock-stub http=${ports[0]} https=${ports[1]} https_mismatch=${ports[2]} ` +
                         `silent=${ports[3]} ca=${caPath} raw=${ports[4]}\n`);
}

process.on('exit', cleanup);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

main().catch((e) => {
    process.stderr.write(`http_stub: ${e && e.stack || e}\n`);
    process.exit(1);
});
