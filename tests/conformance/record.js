#!/usr/bin/env node
// Records the conformance corpus from a running Amazon DynamoDB Local.
//
//   node tests/conformance/record.js URL [--out DIR] [--area NAME]... [--wipe]
//
// URL is the server (e.g. the output of `tests/servers/server.sh start ddblocal DIR`).
// Cases are defined in tests/conformance/cases/<area>.js (transactions, batch and
// query in cases/part2.js); the corpus goes to
// DIR/<area>.jsonl (DIR defaults to tests/conformance).  See README.md there.
//
// The server must be dedicated to the recording: every case starts from an
// empty server, so the recorder deletes ALL tables after each case.  It refuses
// to start if the server already has tables, unless --wipe is given.
//
// Plain node (>= 18), node core modules only.
'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const AREAS = ['tables', 'items', 'conditions', 'updates', 'transactions', 'batch', 'query'];
// Areas whose cases live together in cases/part2.js (exported as { area: [cases] }).
const PART2 = new Set(['transactions', 'batch', 'query']);

// Response fields whose values are time-based, random or account/region
// specific.  Inside a "Table" or "TableDescription" object (at any depth) the
// value of a key in this set is replaced by the string "<ignored>".
const IGNORED_KEYS = new Set([
    'CreationDateTime',
    'LastUpdateToPayPerRequestDateTime',
    'LastIncreaseDateTime',
    'LastDecreaseDateTime',
    'TableArn',
    'IndexArn',
    'TableId',
    'LatestStreamArn',
    'LatestStreamLabel',
]);
const IGNORED = '<ignored>';
const TABLE_OBJECTS = new Set(['Table', 'TableDescription']);

// ---------------------------------------------------------------------------
// JSON with raw number text.  DynamoDB Local writes numbers such as 0.000 or
// 1.0 whose text JSON.parse would lose; we keep the exact token by turning each
// number token into a marked string before parsing and back when writing.
const NUM_MARK = '\u0000#';

function markNumbers(text) {
    let out = '';
    let i = 0;
    const n = text.length;
    while (i < n) {
        const c = text[i];
        if (c === '"') {
            let j = i + 1;
            while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
            out += text.slice(i, j + 1);
            i = j + 1;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
            let j = i + 1;
            while (j < n && /[0-9eE.+-]/.test(text[j])) j++;
            out += JSON.stringify(NUM_MARK + text.slice(i, j));
            i = j;
        } else {
            out += c;
            i++;
        }
    }
    return out;
}

function parseRaw(text) {
    return JSON.parse(markNumbers(text));
}

function stringifyRaw(value) {
    return JSON.stringify(value).replace(/"\\u0000#([-+0-9.eE]+)"/g, '$1');
}

// ---------------------------------------------------------------------------
// HTTP client.
class Client {
    constructor(url) {
        const u = new URL(url);
        if (u.protocol !== 'http:') throw new Error('only http:// URLs are supported');
        if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') {
            throw new Error('refusing to talk to ' + u.hostname + ': the recorder only uses a local server');
        }
        this.host = u.hostname;
        this.port = Number(u.port || 80);
        this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    }

    // Returns { status, text }.
    call(op, request) {
        const body = Buffer.from(JSON.stringify(request), 'utf8');
        const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
        const signature = crypto.createHash('sha256').update(body).digest('hex');
        const headers = {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': 'DynamoDB_20120810.' + op,
            'X-Amz-Date': amzDate,
            Authorization:
                'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/' + amzDate.slice(0, 8) +
                '/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' +
                signature,
            'Content-Length': body.length,
        };
        return new Promise((resolve, reject) => {
            const req = http.request(
                { host: this.host, port: this.port, method: 'POST', path: '/', headers, agent: this.agent },
                (res) => {
                    const chunks = [];
                    res.on('data', (c) => chunks.push(c));
                    res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
                    res.on('error', reject);
                }
            );
            req.setTimeout(60000, () => req.destroy(new Error(op + ': timeout')));
            req.on('error', reject);
            req.end(body);
        });
    }

    async json(op, request) {
        const r = await this.call(op, request);
        if (r.status !== 200) throw new Error(op + ' failed: ' + r.status + ' ' + r.text);
        return JSON.parse(r.text);
    }

    close() {
        this.agent.destroy();
    }
}

async function listAllTables(client) {
    const names = [];
    let start;
    for (;;) {
        const req = start ? { ExclusiveStartTableName: start } : {};
        const r = await client.json('ListTables', req);
        names.push(...(r.TableNames || []));
        if (!r.LastEvaluatedTableName) return names;
        start = r.LastEvaluatedTableName;
    }
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// DynamoDB Local creates and deletes tables synchronously; other servers
// (dynalite) report CREATING / DELETING for a moment.  Wait for the change to
// finish so the next step sees a settled table.  These polls are not recorded.
async function settle(client, op, request, status, text) {
    if (status !== 200 || !['CreateTable', 'UpdateTable', 'DeleteTable'].includes(op)) return;
    let desc;
    try {
        desc = JSON.parse(text).TableDescription || {};
    } catch (e) {
        return;
    }
    if (desc.TableStatus === 'ACTIVE' || !desc.TableName) return;
    for (let i = 0; i < 300; i++) {
        const r = await client.call('DescribeTable', { TableName: desc.TableName });
        if (op === 'DeleteTable') {
            if (r.status !== 200) return;
        } else if (r.status === 200 && JSON.parse(r.text).Table.TableStatus === 'ACTIVE') {
            return;
        }
        await sleep(20);
    }
    throw new Error(op + ' ' + desc.TableName + ': table did not settle');
}

async function deleteAllTables(client) {
    for (let i = 0; i < 300; i++) {
        if (await deleteAllTablesOnce(client)) return;
        await sleep(20);
    }
    throw new Error('cannot empty the server');
}

// Returns true when the server had no tables left.
async function deleteAllTablesOnce(client) {
    const names = await listAllTables(client);
    if (!names.length) return true;
    for (const name of names) {
        for (let attempt = 0; ; attempt++) {
            const r = await client.call('DeleteTable', { TableName: name });
            if (r.status === 200 || /ResourceNotFoundException/.test(r.text)) break;
            if (attempt >= 50) throw new Error('cannot delete table ' + name + ': ' + r.status + ' ' + r.text);
            if (/protected against deletion/.test(r.text)) {
                await client.json('UpdateTable', { TableName: name, DeletionProtectionEnabled: false });
            } else {
                // e.g. a table still CREATING on servers that delay status changes
                await sleep(50);
            }
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
function normalise(value, inTable) {
    if (Array.isArray(value)) return value.map((v) => normalise(v, inTable));
    if (value === null || typeof value !== 'object') return value;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
        if (inTable && IGNORED_KEYS.has(k)) out[k] = IGNORED;
        else out[k] = normalise(v, inTable || TABLE_OBJECTS.has(k));
    }
    return out;
}

async function runCase(client, c) {
    const steps = [];
    for (const s of c.steps) {
        const r = await client.call(s.op, s.request);
        await settle(client, s.op, s.request, r.status, r.text);
        let response;
        try {
            response = normalise(parseRaw(r.text), false);
        } catch (e) {
            response = r.text; // not JSON: recorded as a plain string
        }
        steps.push({ op: s.op, request: s.request, status: r.status, response });
        if (s.expect !== undefined && s.expect !== r.status) {
            console.error(`warning: ${c.name}: ${s.op} answered ${r.status}, case expects ${s.expect}: ${r.text.slice(0, 300)}`);
        }
    }
    return { name: c.name, steps };
}

function loadCases(area) {
    const cases = PART2.has(area)
        ? require(path.join(__dirname, 'cases', 'part2.js'))[area]
        : require(path.join(__dirname, 'cases', area + '.js'));
    const seen = new Set();
    for (const c of cases) {
        if (!/^[a-z0-9][a-z0-9-]*$/.test(c.name)) throw new Error(area + ': bad case name ' + JSON.stringify(c.name));
        if (seen.has(c.name)) throw new Error(area + ': duplicate case name ' + c.name);
        seen.add(c.name);
        if (!c.steps.length || c.steps.length > 8) throw new Error(area + ': ' + c.name + ' has ' + c.steps.length + ' steps');
    }
    return cases;
}

async function main() {
    const args = process.argv.slice(2);
    let url;
    let outDir = __dirname;
    let wipe = false;
    const areas = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === '--out') outDir = args[++i];
        else if (a === '--area') areas.push(args[++i]);
        else if (a === '--wipe') wipe = true;
        else if (a.startsWith('-')) throw new Error('unknown option ' + a);
        else if (!url) url = a;
        else throw new Error('unexpected argument ' + a);
    }
    if (!url) {
        console.error('usage: node tests/conformance/record.js URL [--out DIR] [--area NAME]... [--wipe]');
        process.exit(2);
    }
    for (const a of areas) if (!AREAS.includes(a)) throw new Error('unknown area ' + a);

    const client = new Client(url);
    try {
        const existing = await listAllTables(client);
        if (existing.length && !wipe) {
            throw new Error('server already has tables (' + existing.slice(0, 5).join(', ') +
                '); use a dedicated server or pass --wipe to delete them');
        }
        await deleteAllTables(client);
        fs.mkdirSync(outDir, { recursive: true });
        let total = 0;
        for (const area of areas.length ? areas : AREAS) {
            const cases = loadCases(area);
            const lines = [];
            for (const c of cases) {
                lines.push(stringifyRaw(await runCase(client, c)));
                await deleteAllTables(client);
            }
            fs.writeFileSync(path.join(outDir, area + '.jsonl'), lines.join('\n') + '\n');
            console.log(`${area}: ${cases.length} cases`);
            total += cases.length;
        }
        console.log(`total: ${total} cases`);
    } finally {
        client.close();
    }
}

main().catch((e) => {
    console.error('record.js: ' + (e && e.message ? e.message : e));
    process.exit(1);
});
