'use strict';
// The AWS SDK for JavaScript v3's side of olock's SDK comparison (bench/sdk/README.md).
//
// One operation is one `client.send(new UpdateItemCommand(input))`, as an application writes
// it: a new input (Key, UpdateExpression "SET #g = :g, #t = :t, #v = :nv", ConditionExpression
// "#v = :expected", ExpressionAttributeNames/Values, ReturnValuesOnConditionCheckFailure
// ALL_OLD), serialised, signed with SigV4 from static credentials, handed to a stub
// requestHandler that answers at once with a canned 200 (the body as a Uint8Array, so the SDK
// has no stream to collect: the cheapest path it has), and deserialised by the SDK. One reused
// client per case; no network.
//
// Driven by bench/sdk/driver.js over stdin/stdout, one command per line:
//   cases              -> the case names, space separated
//   run CASE ITERS     -> process CPU nanoseconds spent running ITERS operations
//                         (process.cpuUsage: every thread, V8's compiler and GC helpers included)
//   check CASE         -> one operation; prints {"auth":..., "attrs":N, "body":<request>}
//   quit
const { DynamoDBClient, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
const readline = require('readline');

const PLAYER_ID = 'player#7f3a2c91-1b4e-4c6e-9a57-3d2f0e8b6a11';
// The canned answers; olock's and the Go peers send the same bytes.
const RESP_EMPTY = '{}';
const RESP_ALL_NEW = '{"Attributes":{"gold":{"N":"130"},"id":{"S":"' + PLAYER_ID + '"},' +
  '"title":{"S":"Dragon Slayer"},"version":{"N":"42"}}}';

function crc32(buf) {
  let c = ~0 >>> 0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (~c >>> 0).toString();
}

class StubHandler {
  constructor(body) {
    this.body = Buffer.from(body, 'utf8');
    this.crc = crc32(this.body);
    this.sends = 0;
    this.capture = false;
    this.last = null;
  }
  async handle(request) {
    this.sends++;
    if (this.capture) {
      const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      this.last = { auth: request.headers.authorization || request.headers.Authorization, body };
      this.capture = false;
    }
    return {
      response: {
        statusCode: 200,
        headers: {
          'x-amzn-requestid': 'N0T4REALREQUESTIDV4KQNSO5AEMVJF66Q9ASUAAJG',
          'x-amz-crc32': this.crc,
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(this.body.length),
        },
        body: new Uint8Array(this.body),   // a fresh copy: the SDK may adopt the array
      },
    };
  }
  updateHttpClientConfig() {}
  httpHandlerConfigs() { return {}; }
  destroy() {}
}

function newCase(name, allNew) {
  const stub = new StubHandler(allNew ? RESP_ALL_NEW : RESP_EMPTY);
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    requestHandler: stub,
  });
  return { name, allNew, stub, client, n: 0 };  // n: updates so far (the next gold)
}

// One versioned UpdateItem: expected version 41, new version 42, the next gold (as
// bench/peer_update.h's PEER_GOLD).
function one(c) {
  const gold = 130 + (c.n % 870);
  c.n++;
  const input = {
    TableName: 'players',
    Key: { id: { S: PLAYER_ID } },
    UpdateExpression: 'SET #g = :g, #t = :t, #v = :nv',
    ConditionExpression: '#v = :expected',
    ExpressionAttributeNames: { '#g': 'gold', '#t': 'title', '#v': 'version' },
    ExpressionAttributeValues: {
      ':g': { N: String(gold) }, ':t': { S: 'Dragon Slayer' }, ':expected': { N: String(41) }, ':nv': { N: String(42) },
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
  if (c.allNew) input.ReturnValues = 'ALL_NEW';
  return c.client.send(new UpdateItemCommand(input));
}

let sink = 0;
async function run(c, n) {
  for (let i = 0; i < n; i++) {
    const out = await one(c);
    if (c.allNew && !(out.Attributes && out.Attributes.title && out.Attributes.title.S)) {
      throw new Error('no ALL_NEW attributes in the output');
    }
    sink += out.Attributes ? 1 : 0;
  }
}

function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

async function main() {
  const cases = [newCase('js', false), newCase('js_all_new', true)];
  const byName = new Map(cases.map((c) => [c.name, c]));
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    const f = line.trim().split(/\s+/);
    if (!f[0]) continue;
    if (f[0] === 'quit') break;
    const c = byName.get(f[1]);
    const n = parseInt(f[2], 10);
    let reply;
    if (f[0] === 'cases') {
      reply = cases.map((x) => x.name).join(' ');
    } else if (!c) {
      reply = 'error unknown case or command';
    } else if (f[0] === 'run' && n > 0) {
      const t0 = cpuNs();
      await run(c, n);
      reply = String(cpuNs() - t0);
    } else if (f[0] === 'check') {
      const before = c.stub.sends;
      c.stub.capture = true;
      const out = await one(c);
      if (c.stub.sends - before !== 1) throw new Error('expected exactly one request');
      reply = '{"auth":' + JSON.stringify(c.stub.last.auth) + ',"attrs":' +
        Object.keys(out.Attributes || {}).length + ',"body":' + c.stub.last.body + '}';
    } else {
      reply = 'error bad command';
    }
    process.stdout.write(reply + '\n');
  }
  rl.close();
}

main().catch((e) => {
  process.stderr.write('olock-sdk-js-peer: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
