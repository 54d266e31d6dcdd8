#!/usr/bin/env node
// fault_proxy.js - a fault-injecting HTTP/1.1 proxy for olock's tests against real servers.
//
//   node tests/fault_proxy.js --upstream 127.0.0.1:PORT [--seed S]
//        [--faults drop_after=P,cut_headers=P,cut_body=P,delay=P,error500_after=P,drop_before=P]
//        [--force N=MODE,N=MODE,...] [--delay-ms MS] [--stats FILE] [--log FILE]
//
// Listens on 127.0.0.1 on a port chosen by the OS; its first line of output is
//   listening on 127.0.0.1:PORT
// Forwards each request (HTTP/1.1, keep-alive with the client and with the upstream, bodies
// framed by Content-Length only) to the upstream, which must be on 127.0.0.1 (nothing else is
// accepted), and answers with the upstream's response, unless the request draws a fault. Each
// request draws its fault from a PRNG seeded by --seed; P is a percentage (decimals allowed, at
// most 100 in all). Request N (1 = the first one the proxy received) can be forced to a mode
// instead with --force (a forced request still makes its draw, so the others keep theirs).
// Modes:
//   none            forward, answer with the upstream's response
//   drop_after      forward (the upstream applies it), then destroy the client's connection
//                   without a byte of response
//   cut_headers     forward, then write the response's header block only up to a random byte
//                   inside it (at least one byte, never its closing blank line), then close
//   cut_body        forward, then write the headers (with the full Content-Length) and half
//                   the body, then close
//   delay           forward, then answer only after --delay-ms (default 1500; make it longer
//                   than the client's timeout)
//   error500_after  forward, throw the upstream's answer away and answer 500 with a
//                   DynamoDB-style InternalServerError body (keep-alive)
//   drop_before     close the client's connection without forwarding the request
// A request the proxy cannot forward (the upstream connection failed) closes the client's
// connection, like drop_after (the upstream may or may not have seen it); it is counted as
// upstream_error, not as a fault.
//
// On SIGTERM or SIGINT it stops, prints one line
//   stats {"requests":N,"none":N,"drop_after":N,...,"upstream_error":N,"connections":N}
// (also written to --stats FILE when given) and exits 0. --log FILE gets one line per request:
//   N MODE X-Amz-Target STATUS   (STATUS: the upstream's, or - when not forwarded / failed)
'use strict';

const net = require('net');
const http = require('http');
const fs = require('fs');

const MODES = ['drop_after', 'cut_headers', 'cut_body', 'delay', 'error500_after', 'drop_before'];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding',
                            'te', 'trailer', 'upgrade', 'content-length']);
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 16 * 1024 * 1024;

function die(msg) {
    process.stderr.write(`fault_proxy: ${msg}\n`);
    process.exit(2);
}

// ---- options ------------------------------------------------------------------------------
const opt = { upstream: null, seed: 1, percent: {}, force: new Map(), delayMs: 1500, stats: null, log: null };
{
    const a = process.argv.slice(2);
    for (let i = 0; i < a.length; i++) {
        const v = a[i + 1];
        if (v === undefined) die(`${a[i]} needs a value`);
        switch (a[i]) {
        case '--upstream': {
            const m = /^127\.0\.0\.1:(\d{1,5})$/.exec(v);
            if (!m || +m[1] < 1 || +m[1] > 65535) die('--upstream must be 127.0.0.1:PORT');
            opt.upstream = { host: '127.0.0.1', port: +m[1] };
            break;
        }
        case '--seed':
            if (!/^\d+$/.test(v)) die('--seed takes a non-negative integer');
            opt.seed = Number(BigInt(v) % 4294967296n);
            break;
        case '--faults':
            for (const part of v.split(',').filter(Boolean)) {
                const m = /^([a-z0-9_]+)=(\d+(?:\.\d+)?)$/.exec(part);
                if (!m || !MODES.includes(m[1])) die(`bad fault "${part}" (modes: ${MODES.join(', ')})`);
                opt.percent[m[1]] = +m[2];
            }
            break;
        case '--force':
            for (const part of v.split(',').filter(Boolean)) {
                const m = /^(\d+)=([a-z0-9_]+)$/.exec(part);
                if (!m || +m[1] < 1 || !(m[2] === 'none' || MODES.includes(m[2]))) die(`bad --force "${part}"`);
                opt.force.set(+m[1], m[2]);
            }
            break;
        case '--delay-ms':
            if (!/^\d+$/.test(v)) die('--delay-ms takes milliseconds');
            opt.delayMs = +v;
            break;
        case '--stats': opt.stats = v; break;
        case '--log': opt.log = v; break;
        default: die(`unknown option ${a[i]}`);
        }
        i++;
    }
    if (!opt.upstream) die('--upstream 127.0.0.1:PORT is required');
    const total = MODES.reduce((s, m) => s + (opt.percent[m] || 0), 0);
    if (total > 100) die(`the fault percentages add up to ${total} (more than 100)`);
}

// ---- seeded PRNG (32-bit state, multiply-xorshift output): uniform in [0, 1) --------------
let rngState = opt.seed >>> 0;
function random() {
    rngState = (rngState + 0x9e3779b9) >>> 0;
    let z = rngState;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
}

function drawMode(n) {
    const r = random() * 100;
    let mode = 'none', acc = 0;
    for (const m of MODES) {
        acc += opt.percent[m] || 0;
        if (r < acc) { mode = m; break; }
    }
    return opt.force.has(n) ? opt.force.get(n) : mode;
}

// ---- CRC-32 (for x-amz-crc32 on the 500 answers) -----------------------------------------
const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[i] = c >>> 0;
    }
    return t;
})();
function crc32(buf) {
    let c = 0xffffffff;
    for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

// ---- bookkeeping ----------------------------------------------------------------------------
const stats = { requests: 0, none: 0 };
for (const m of MODES) stats[m] = 0;
stats.upstream_error = 0;
stats.connections = 0;
const logStream = opt.log ? fs.createWriteStream(opt.log) : null;
const clients = new Set();
const timers = new Set();
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function later(ms, fn) {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
}

// ---- responses to the client ----------------------------------------------------------------
function serialize(status, message, rawHeaders, body) {
    let head = `HTTP/1.1 ${status} ${message || http.STATUS_CODES[status] || 'Unknown'}\r\n`;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        if (HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) continue;
        head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
    }
    head += `Content-Length: ${body.length}\r\n\r\n`;
    return { head: Buffer.from(head, 'latin1'), body };
}

function internalError() {
    const body = Buffer.from(JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error (injected by fault_proxy)',
    }));
    return serialize(500, 'Internal Server Error', [
        'Content-Type', 'application/x-amz-json-1.0',
        'x-amzn-RequestId', `FAULTPROXY${String(stats.requests).padStart(10, '0')}`,
        'x-amz-crc32', String(crc32(body)),
    ], body);
}

// Sends req to the upstream; calls done(err, {status, message, rawHeaders, body}).
function forward(req, done) {
    const headers = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        if (HOP_BY_HOP.has(req.rawHeaders[i].toLowerCase())) continue;
        headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    }
    headers.push(['Content-Length', String(req.body.length)]);
    let finished = false;
    const finish = (err, res) => { if (!finished) { finished = true; done(err, res); } };
    const up = http.request({
        host: opt.upstream.host, port: opt.upstream.port, method: req.method, path: req.target,
        headers: Object.fromEntries(headers), agent, setHost: false,
    }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => finish(null, {
            status: res.statusCode, message: res.statusMessage, rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
        }));
        res.on('error', (e) => finish(e));
        res.on('aborted', () => finish(new Error('upstream response aborted')));
    });
    up.setTimeout(60000, () => up.destroy(new Error('upstream timeout (60 s)')));
    up.on('error', (e) => finish(e));
    up.end(req.body);
}

// ---- one client connection ----------------------------------------------------------------
// Requests on a connection are handled one at a time, in order (curl does not pipeline; a
// pipelined request simply waits in the buffer).
function onConnection(sock) {
    stats.connections++;
    clients.add(sock);
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let busy = false;
    let closed = false;
    sock.on('close', () => { closed = true; clients.delete(sock); });
    sock.on('error', () => {});
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); pump(); });
    sock.on('end', () => { if (!busy) sock.end(); });

    const kill = () => { closed = true; sock.destroy(); };

    function parse() {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
            if (buf.length > MAX_HEAD) return { error: 'request header block too large' };
            return null;
        }
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
        if (!m) return { error: `bad request line "${lines[0].slice(0, 80)}"` };
        const rawHeaders = [];
        let length = 0, keepAlive = m[3] === '1';
        for (const line of lines.slice(1)) {
            const c = line.indexOf(':');
            if (c <= 0) return { error: `bad header line "${line.slice(0, 80)}"` };
            const name = line.slice(0, c).trim(), value = line.slice(c + 1).trim();
            const lower = name.toLowerCase();
            if (lower === 'content-length') {
                if (!/^\d+$/.test(value) || +value > MAX_BODY) return { error: 'bad Content-Length' };
                length = +value;
            } else if (lower === 'transfer-encoding') {
                return { error: 'Transfer-Encoding is not supported (Content-Length bodies only)' };
            } else if (lower === 'connection') {
                if (/\bclose\b/i.test(value)) keepAlive = false;
                else if (/\bkeep-alive\b/i.test(value)) keepAlive = true;
            }
            rawHeaders.push(name, value);
        }
        if (buf.length < end + 4 + length) return null;
        const body = Buffer.from(buf.subarray(end + 4, end + 4 + length));
        buf = buf.subarray(end + 4 + length);
        return { method: m[1], target: m[2], rawHeaders, body, keepAlive };
    }

    function pump() {
        if (busy || closed) return;
        const req = parse();
        if (!req) return;
        if (req.error) {
            const body = Buffer.from(`${req.error}\n`);
            const r = serialize(400, 'Bad Request', ['Content-Type', 'text/plain', 'Connection', 'close'], body);
            sock.end(Buffer.concat([r.head, r.body]));
            closed = true;
            return;
        }
        busy = true;
        handle(req);
    }

    function next(keepAlive) {
        busy = false;
        if (closed) return;
        if (!keepAlive || sock.readableEnded) { sock.end(); closed = true; return; }
        pump();
    }

    function handle(req) {
        const n = ++stats.requests;
        const mode = drawMode(n);
        stats[mode]++;
        let target = '-';
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
            if (req.rawHeaders[i].toLowerCase() === 'x-amz-target') target = req.rawHeaders[i + 1];
        const log = (status) => { if (logStream) logStream.write(`${n} ${mode} ${target} ${status}\n`); };
        if (mode === 'drop_before') { log('-'); kill(); return; }
        forward(req, (err, res) => {
            if (err) {
                stats.upstream_error++;
                log('-');
                process.stderr.write(`fault_proxy: request ${n} (${target}): upstream: ${err.message}\n`);
                kill();
                return;
            }
            log(res.status);
            if (closed) return;   // the client went away meanwhile
            const r = serialize(res.status, res.message, res.rawHeaders, res.body);
            switch (mode) {
            case 'none':
                sock.write(Buffer.concat([r.head, r.body]));
                next(req.keepAlive);
                break;
            case 'drop_after':
                kill();
                break;
            case 'cut_headers': {
                // 1 .. head.length - 1 bytes: never the whole block (its last byte ends the blank line)
                const cut = 1 + Math.floor(random() * (r.head.length - 1));
                closed = true;
                sock.end(r.head.subarray(0, cut));
                break;
            }
            case 'cut_body':
                closed = true;
                sock.end(Buffer.concat([r.head, r.body.subarray(0, Math.floor(r.body.length / 2))]));
                break;
            case 'delay':
                later(opt.delayMs, () => {
                    if (closed) return;
                    sock.write(Buffer.concat([r.head, r.body]));
                    next(req.keepAlive);
                });
                break;
            case 'error500_after': {
                const e = internalError();
                sock.write(Buffer.concat([e.head, e.body]));
                next(req.keepAlive);
                break;
            }
            default:
                kill();
            }
        });
    }
}

// ---- start and stop ------------------------------------------------------------------------
const server = net.createServer(onConnection);
server.on('error', (e) => die(e.message));
server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});

let stopping = false;
function stop() {
    if (stopping) return;
    stopping = true;
    server.close();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of clients) s.destroy();
    agent.destroy();
    const line = JSON.stringify(stats);
    if (opt.stats) {
        try { fs.writeFileSync(opt.stats, `${line}\n`); } catch (e) { process.stderr.write(`fault_proxy: --stats: ${e.message}\n`); }
    }
    process.stdout.write(`stats ${line}\n`, () => {
        if (logStream) logStream.end(() => process.exit(0));
        else process.exit(0);
    });
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
