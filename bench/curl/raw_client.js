#!/usr/bin/env node
// raw_client.js - the raw node client of bench_curl: node's http module with a keep-alive Agent
// (one socket) replaying, in order and one at a time, requests that olock sent.
//
//   node bench/curl/raw_client.js CAPTURE.jsonl ENDPOINT
//
// CAPTURE.jsonl holds one request per line, as bench_curl.c recorded it: {head: the request line
// and header lines as written on the wire, body: base64}. The method, path and headers (names
// and values as they are, Host and Content-Length included) go to http.request unchanged, the
// body as bytes; node adds "Connection: keep-alive". ENDPOINT (http://IP:PORT) says where to
// connect. Everything is decoded first, then it prints "ready N".
// Then, for each line "K" on stdin: it sends the next K requests and prints "done SECONDS ERRORS"
// (monotonic clock around those K; an error is a response other than 200). Exits at EOF.
'use strict';

const fs = require('fs');
const http = require('http');
const readline = require('readline');

const [file, endpoint] = process.argv.slice(2);
const target = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const requests = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((line) => {
    const r = JSON.parse(line);
    const lines = r.head.split('\r\n').filter((l) => l.length > 0);
    const [method, path] = lines[0].split(' ');
    const headers = {};
    for (const h of lines.slice(1)) {
        const colon = h.indexOf(':');
        headers[h.slice(0, colon)] = h.slice(colon + 1).trim();
    }
    return {
        body: Buffer.from(r.body, 'base64'),
        options: { agent, host: target.hostname, port: Number(target.port || 80), path, method, headers },
    };
});

let next = 0;

// Sends requests [next, next + k) one after the other; calls done(errors) after the last.
function replay(k, done) {
    let errors = 0;
    const end = Math.min(requests.length, next + k);
    function one() {
        if (next === end) { done(errors); return; }
        const r = requests[next++];
        const req = http.request(r.options, (res) => {
            if (res.statusCode !== 200) {
                errors++;
                process.stderr.write(`request ${next - 1}: HTTP ${res.statusCode}\n`);
            }
            res.on('data', () => {});
            res.on('end', one);
        });
        req.on('error', (e) => {
            process.stderr.write(`request ${next - 1}: ${e.message}\n`);
            errors++;
            one();
        });
        req.end(r.body);
    }
    one();
}

const queue = [];
let busy = false;
function pump() {
    if (busy || queue.length === 0) return;
    busy = true;
    const k = queue.shift();
    const start = process.hrtime.bigint();
    replay(k, (errors) => {
        const secs = Number(process.hrtime.bigint() - start) / 1e9;
        process.stdout.write(`done ${secs.toFixed(6)} ${errors}\n`);
        busy = false;
        pump();
    });
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const k = Number(line);
    if (k > 0) { queue.push(k); pump(); }
}).on('close', () => {
    agent.destroy();
    process.exit(0);
});
process.stdout.write(`ready ${requests.length}\n`);
