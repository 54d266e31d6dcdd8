// Small helpers for writing conformance cases.  A case is
//   { name, steps: [ { op, request, expect? } ] }
// where `expect` (optional, not written to the corpus) is the HTTP status the
// author meant the step to get; the recorder warns when the server disagrees.
'use strict';

const TBL = 'tbl';

// Attribute values.
const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });
const B = (b) => ({ B: Buffer.isBuffer(b) ? b.toString('base64') : Buffer.from(b, 'utf8').toString('base64') });
const BOOL = (b) => ({ BOOL: b });
const NUL = () => ({ NULL: true });
const M = (m) => ({ M: m });
const L = (...l) => ({ L: l });
const SS = (...s) => ({ SS: s });
const NS = (...n) => ({ NS: n.map(String) });
const BS = (...b) => ({ BS: b.map((x) => Buffer.from(x, 'utf8').toString('base64')) });

function step(op, request, expect) {
    const s = { op, request };
    if (expect !== undefined) s.expect = expect;
    return s;
}

function c(name, steps) {
    return { name, steps };
}

// CreateTable.  opts: { name, hash: [attr, type], range: [attr, type],
// billing: 'PAY_PER_REQUEST' | 'PROVISIONED', extra: {...} }
function createReq(opts = {}) {
    const name = opts.name !== undefined ? opts.name : TBL;
    const hash = opts.hash || ['pk', 'S'];
    const req = {
        TableName: name,
        KeySchema: [{ AttributeName: hash[0], KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: hash[0], AttributeType: hash[1] }],
    };
    if (opts.range) {
        req.KeySchema.push({ AttributeName: opts.range[0], KeyType: 'RANGE' });
        req.AttributeDefinitions.push({ AttributeName: opts.range[0], AttributeType: opts.range[1] });
    }
    if ((opts.billing || 'PAY_PER_REQUEST') === 'PAY_PER_REQUEST') {
        req.BillingMode = 'PAY_PER_REQUEST';
    } else {
        req.BillingMode = 'PROVISIONED';
        req.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    }
    return Object.assign(req, opts.extra || {});
}

const table = (opts) => step('CreateTable', createReq(opts), 200);
// Hash key "pk" (S) + range key "sk" (N).
const table2 = (opts) => table(Object.assign({ range: ['sk', 'N'] }, opts || {}));

// Expression shorthands merged into requests:
//   cond -> ConditionExpression, names -> ExpressionAttributeNames,
//   values -> ExpressionAttributeValues, rv -> ReturnValues,
//   rvf -> ReturnValuesOnConditionCheckFailure, proj -> ProjectionExpression.
const SHORT = {
    cond: 'ConditionExpression',
    names: 'ExpressionAttributeNames',
    values: 'ExpressionAttributeValues',
    rv: 'ReturnValues',
    rvf: 'ReturnValuesOnConditionCheckFailure',
    proj: 'ProjectionExpression',
    update: 'UpdateExpression',
};

function expand(base, extra) {
    const out = Object.assign({}, base);
    let expect;
    for (const [k, v] of Object.entries(extra || {})) {
        if (k === 'expect') expect = v;
        else if (k === 'table') out.TableName = v;
        else out[SHORT[k] || k] = v;
    }
    return [out, expect];
}

function put(item, extra) {
    const [r, e] = expand({ TableName: TBL, Item: item }, extra);
    return step('PutItem', r, e);
}
function get(key, extra) {
    const [r, e] = expand({ TableName: TBL, Key: key }, extra);
    return step('GetItem', r, e);
}
function del(key, extra) {
    const [r, e] = expand({ TableName: TBL, Key: key }, extra);
    return step('DeleteItem', r, e);
}
function upd(key, update, extra) {
    const base = { TableName: TBL, Key: key };
    if (update !== null && update !== undefined) base.UpdateExpression = update;
    const [r, e] = expand(base, extra);
    return step('UpdateItem', r, e);
}
function describe(name, expect) {
    return step('DescribeTable', { TableName: name || TBL }, expect);
}

// Key of the default table for pk = s.
const K = (s) => ({ pk: S(s) });

module.exports = { TBL, S, N, B, BOOL, NUL, M, L, SS, NS, BS, step, c, createReq, table, table2, put, get, del, upd, describe, K };
