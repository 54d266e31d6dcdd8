// The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb, pinned in package.json) against
// build/olock-fakeserver and Amazon DynamoDB Local, started side by side by this script on
// 127.0.0.1 and stopped on exit (by pid). The same calls go to both servers; for each one the
// SDK's view (output, or error name, fault, message, HTTP status, Item, CancellationReasons) is
// compared after normalising what must differ between two servers: timestamps, ARNs, table ids,
// request ids. A check passes when the SDK sees the same thing from both AND DynamoDB Local's
// answer is the expected one (so a broken reference server cannot pass the test).
//
//   node tests/sdk/sdk_test.mjs
//
// Output: "ok - ..." / "FAIL - ..." per check (a FAIL shows both sides), then "N passed, N failed";
// exit status 1 on failure. Without node_modules (npm ci), java or a buildable olock-fakeserver it
// prints one "SKIP sdk: ..." line and exits 0.
// Environment: CC (to build the server when build/olock-fakeserver is missing or stale), OLOCK_SDK_DIR
// (state directory, default build/sdk).
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { isDeepStrictEqual, inspect } from "node:util";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.chdir(ROOT);
const DIR = process.env.OLOCK_SDK_DIR || "build/sdk";
const BIN = "build/olock-fakeserver";

function skip(why) {
  console.log(`SKIP sdk: ${why}`);
  process.exit(0);
}

let sdk;
try {
  sdk = await import("@aws-sdk/client-dynamodb");
} catch (e) {
  skip(`@aws-sdk/client-dynamodb not installed (run npm ci at the repo root): ${e.message}`);
}
const {
  DynamoDBClient, CreateTableCommand, PutItemCommand, UpdateItemCommand, GetItemCommand,
  TransactWriteItemsCommand, QueryCommand, DescribeTableCommand,
} = sdk;

// ---- servers ---------------------------------------------------------------------------------
const cleanups = [];
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const f of cleanups.reverse()) {
    try { f(); } catch { /* best effort */ }
  }
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { cleanup(); process.exit(130); });

// Builds build/olock-fakeserver when it is missing or older than its sources.
function buildServer() {
  const sources = ["tools/olock-fakeserver.c", "olock.h", "backends/olock_fake.h"];
  if (existsSync(BIN) && sources.every((f) => statSync(f).mtimeMs <= statSync(BIN).mtimeMs)) return;
  const cc = process.env.CC || "cc";
  const warn = "-Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes".split(" ");
  try {
    mkdirSync("build", { recursive: true });
    execFileSync(cc, ["-std=c99", "-O2", "-g", ...warn, "-I.", "-Ibackends", "tools/olock-fakeserver.c",
      "-o", BIN, "-lpthread", "-lm"], { stdio: "inherit" });
  } catch (e) {
    skip(`cannot build ${BIN}: ${e.message}`);
  }
}

// Starts olock-fakeserver on a free port; resolves to its URL once the first line is out.
function startFake() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(BIN, ["--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(() => { if (child.exitCode === null) child.kill("SIGTERM"); });
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => {
      const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ url: `http://127.0.0.1:${m[1]}`, pid: child.pid, startMs: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`olock-fakeserver exited (${code}) before listening`)));
  });
}

function startDdbLocal() {
  const dir = path.join(DIR, "servers");
  mkdirSync(dir, { recursive: true });
  let url;
  try {
    url = execFileSync("bash", ["tests/servers/server.sh", "start", "ddblocal", dir], { encoding: "utf8" }).trim();
  } catch (e) {
    skip(`DynamoDB Local did not start (java 17 and npm ci needed): ${String(e.stderr || e.message).trim().split("\n").pop()}`);
  }
  cleanups.push(() => execFileSync("bash", ["tests/servers/server.sh", "stop", "ddblocal", dir], { stdio: "ignore" }));
  return url;
}

// ---- normalising what the SDK returns ----------------------------------------------------------
// Values that legitimately differ between two servers become placeholders; everything else is
// compared as is (member order of objects does not matter to isDeepStrictEqual).
function norm(v, key) {
  if (v instanceof Date) return "<date>";
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("base64") };
  if (typeof v === "string" && /^arn:aws:dynamodb:/.test(v)) return "<arn>";
  if (key === "TableId" && typeof v === "string") return "<table id>";
  if (Array.isArray(v)) return v.map((x) => norm(x));
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "$metadata") {
        out.httpStatusCode = x.httpStatusCode;
        continue;
      }
      if (x !== undefined) out[k] = norm(x, k);
    }
    return out;
  }
  return v;
}

function errorView(e) {
  const view = {
    name: e.name,
    fault: e.$fault,
    message: e.message,
    httpStatusCode: e.$metadata && e.$metadata.httpStatusCode,
  };
  if (e.Item !== undefined) view.Item = norm(e.Item);
  if (e.CancellationReasons !== undefined) view.CancellationReasons = norm(e.CancellationReasons);
  return view;
}

async function observe(client, command) {
  try {
    return { ok: norm(await client.send(command)) };
  } catch (e) {
    if (!e || !e.$metadata) return { thrown: String(e && e.stack || e) };   // not a service answer
    return { error: errorView(e) };
  }
}

// ---- the calls ---------------------------------------------------------------------------------
const TABLE = "olock_sdk_test";
const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });

// Each step: a name, the command to send, and what DynamoDB Local's answer must look like.
const steps = [
  {
    name: "CreateTable (hash + range key)",
    cmd: () => new CreateTableCommand({
      TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    }),
    expect: (o) => o.ok && o.ok.TableDescription.TableStatus === "ACTIVE",
  },
  {
    name: "DescribeTable",
    cmd: () => new DescribeTableCommand({ TableName: TABLE }),
    expect: (o) => o.ok && o.ok.Table.TableName === TABLE,
  },
  {
    name: "conditional PutItem that succeeds (attribute_not_exists)",
    cmd: () => new PutItemCommand({
      TableName: TABLE, Item: { pk: S("p1"), sk: S("a"), version: N(1), gold: N(10), tags: { SS: ["b", "a"] } },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
    expect: (o) => o.ok && o.ok.httpStatusCode === 200,
  },
  {
    name: "conditional PutItem that fails, conflicting item returned (ALL_OLD)",
    cmd: () => new PutItemCommand({
      TableName: TABLE, Item: { pk: S("p1"), sk: S("a"), version: N(8), gold: N(99) },
      ConditionExpression: "#v = :expected", ExpressionAttributeNames: { "#v": "version" },
      ExpressionAttributeValues: { ":expected": N(7) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
    expect: (o) => o.error && o.error.name === "ConditionalCheckFailedException" && o.error.Item &&
      o.error.Item.version.N === "1",
  },
  {
    name: "conditional UpdateItem (version 1 -> 2, ALL_NEW)",
    cmd: () => new UpdateItemCommand({
      TableName: TABLE, Key: { pk: S("p1"), sk: S("a") },
      UpdateExpression: "SET #v = #v + :one, gold = gold + :ten ADD tags :t",
      ConditionExpression: "#v = :one", ExpressionAttributeNames: { "#v": "version" },
      ExpressionAttributeValues: { ":one": N(1), ":ten": N(10), ":t": { SS: ["c"] } }, ReturnValues: "ALL_NEW",
    }),
    expect: (o) => o.ok && o.ok.Attributes.version.N === "2" && o.ok.Attributes.gold.N === "20",
  },
  {
    name: "stale UpdateItem fails with the current item",
    cmd: () => new UpdateItemCommand({
      TableName: TABLE, Key: { pk: S("p1"), sk: S("a") }, UpdateExpression: "SET gold = :g",
      ConditionExpression: "version = :old", ExpressionAttributeValues: { ":g": N(0), ":old": N(1) },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
    expect: (o) => o.error && o.error.name === "ConditionalCheckFailedException" && o.error.Item.version.N === "2",
  },
  {
    name: "PutItem p1/b",
    cmd: () => new PutItemCommand({ TableName: TABLE, Item: { pk: S("p1"), sk: S("b"), version: N(1) } }),
    expect: (o) => o.ok,
  },
  {
    name: "PutItem p1/c",
    cmd: () => new PutItemCommand({ TableName: TABLE, Item: { pk: S("p1"), sk: S("c"), version: N(1), n: N("1.50") } }),
    expect: (o) => o.ok,
  },
  {
    name: "TransactWriteItems cancelled, with its reasons",
    cmd: () => new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { pk: S("p2"), sk: S("a"), version: N(1) }, ConditionExpression: "attribute_not_exists(pk)" } },
        { Update: {
          TableName: TABLE, Key: { pk: S("p1"), sk: S("a") }, UpdateExpression: "SET #v = :next",
          ConditionExpression: "#v = :expected", ExpressionAttributeNames: { "#v": "version" },
          ExpressionAttributeValues: { ":expected": N(1), ":next": N(2) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        } },
        { ConditionCheck: { TableName: TABLE, Key: { pk: S("p1"), sk: S("b") }, ConditionExpression: "attribute_exists(pk)" } },
      ],
      ClientRequestToken: "olock-sdk-test-1",
    }),
    expect: (o) => o.error && o.error.name === "TransactionCanceledException" &&
      isDeepStrictEqual(o.error.CancellationReasons.map((r) => r.Code), ["None", "ConditionalCheckFailed", "None"]) &&
      o.error.CancellationReasons[1].Item && o.error.CancellationReasons[1].Item.version.N === "2",
  },
  {
    name: "the cancelled transaction wrote nothing (GetItem p2)",
    cmd: () => new GetItemCommand({ TableName: TABLE, Key: { pk: S("p2"), sk: S("a") }, ConsistentRead: true }),
    expect: (o) => o.ok && o.ok.Item === undefined,
  },
  {
    name: "Query (key condition, filter, descending, Limit, LastEvaluatedKey)",
    cmd: () => new QueryCommand({
      TableName: TABLE, KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
      FilterExpression: "version >= :one", ExpressionAttributeValues: { ":p": S("p1"), ":lo": S("a"), ":hi": S("z"), ":one": N(1) },
      ScanIndexForward: false, Limit: 2, ConsistentRead: true,
    }),
    expect: (o) => o.ok && o.ok.Count === 2 && o.ok.Items[0].sk.S === "c" && o.ok.LastEvaluatedKey &&
      o.ok.LastEvaluatedKey.sk.S === "b",
  },
  {
    name: "Query, next page (ExclusiveStartKey), projection",
    cmd: () => new QueryCommand({
      TableName: TABLE, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": S("p1") },
      ExclusiveStartKey: { pk: S("p1"), sk: S("b") }, ScanIndexForward: false, ProjectionExpression: "sk, gold",
    }),
    expect: (o) => o.ok && o.ok.Count === 1 && o.ok.Items[0].sk.S === "a" && o.ok.Items[0].version === undefined,
  },
];

// ---- run -----------------------------------------------------------------------------------------
buildServer();
mkdirSync(DIR, { recursive: true });
const fake = await startFake();
const localUrl = startDdbLocal();

function client(endpoint) {
  return new DynamoDBClient({
    endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "olocksecret" },
  });
}
const clients = { fake: client(fake.url), local: client(localUrl) };

let passed = 0;
let failed = 0;
const show = (x) => inspect(x, { depth: 8, breakLength: 160 });
for (const step of steps) {
  const got = {};
  for (const side of ["local", "fake"]) got[side] = await observe(clients[side], step.cmd());
  const localAsExpected = Boolean(step.expect(got.local));
  const same = isDeepStrictEqual(got.fake, got.local);
  if (same && localAsExpected) {
    passed++;
    console.log(`ok - ${step.name}`);
  } else {
    failed++;
    const why = !localAsExpected ? "DynamoDB Local did not answer as expected" : "the SDK sees a difference";
    console.log(`FAIL - ${step.name}: ${why}`);
    console.log(`    DynamoDB Local:   ${show(got.local)}`);
    console.log(`    olock-fakeserver: ${show(got.fake)}`);
  }
}
for (const c of Object.values(clients)) c.destroy();
console.log(`${passed} passed, ${failed} failed`);
cleanup();
process.exit(failed ? 1 : 0);
