// Part 2 of the corpus: transactions, batches, Query and Scan.
// Exported as { transactions: [...], batch: [...], query: [...] }; each area is recorded
// into its own <area>.jsonl (record.js --area transactions, ...).
'use strict';
const { TBL, S, N, B, BOOL, NUL, M, L, SS, NS, BS, step, c, createReq, table, table2, put, get, del, upd, K } = require('./lib');

// ---------------------------------------------------------------------------
// helpers

// Expression shorthands, as in lib.js.
const SHORT = {
    cond: 'ConditionExpression',
    names: 'ExpressionAttributeNames',
    values: 'ExpressionAttributeValues',
    rvf: 'ReturnValuesOnConditionCheckFailure',
    proj: 'ProjectionExpression',
    update: 'UpdateExpression',
    filter: 'FilterExpression',
    kc: 'KeyConditionExpression',
};
function merge(base, extra) {
    const out = Object.assign({}, base);
    let expect;
    for (const [k, v] of Object.entries(extra || {})) {
        if (k === 'expect') expect = v;
        else if (k === 'table') out.TableName = v;
        else out[SHORT[k] || k] = v;
    }
    return [out, expect];
}
const X = (base, extra) => merge(base, extra)[0];

// TransactWriteItems actions.
const tPut = (item, extra) => ({ Put: X({ TableName: TBL, Item: item }, extra) });
const tUpd = (key, expr, extra) => ({ Update: X({ TableName: TBL, Key: key, UpdateExpression: expr }, extra) });
const tDel = (key, extra) => ({ Delete: X({ TableName: TBL, Key: key }, extra) });
const tChk = (key, cond, extra) => ({ ConditionCheck: X({ TableName: TBL, Key: key, ConditionExpression: cond }, extra) });
const tGet = (key, extra) => ({ Get: X({ TableName: TBL, Key: key }, extra) });

function tw(items, extra) {
    const [r, e] = merge({ TransactItems: items }, extra);
    return step('TransactWriteItems', r, e);
}
function tg(items, extra) {
    const [r, e] = merge({ TransactItems: items }, extra);
    return step('TransactGetItems', r, e);
}
function bw(requestItems, extra) {
    const [r, e] = merge({ RequestItems: requestItems }, extra);
    return step('BatchWriteItem', r, e);
}
function bg(requestItems, extra) {
    const [r, e] = merge({ RequestItems: requestItems }, extra);
    return step('BatchGetItem', r, e);
}
function query(extra) {
    const [r, e] = merge({ TableName: TBL }, extra);
    return step('Query', r, e);
}
function scan(extra) {
    const [r, e] = merge({ TableName: TBL }, extra);
    return step('Scan', r, e);
}
const scanAll = (name) => scan(name ? { table: name } : {});

const item = (pk, extra) => Object.assign({ pk: S(pk) }, extra || {});
const v1 = (pk) => item(pk, { version: N(1) });
const tbl2 = () => table({ name: 'tb2' });

// Setup writes go in one TransactWriteItems (a case has at most 8 steps).
const fill = (items, name) => tw(items.map((i) => tPut(i, name ? { table: name } : {})), { expect: 200 });
// A table with a GSI (gk S hash, gr N range, ALL), a hash-only GSI (gk, KEYS_ONLY), an INCLUDE
// GSI (gk, gr; n) and an LSI (pk, lr S; KEYS_ONLY) on pk S + sk N.
const idxTable = () => step('CreateTable', createReq({ range: ['sk', 'N'], extra: {
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'gk', AttributeType: 'S' }, { AttributeName: 'gr', AttributeType: 'N' }, { AttributeName: 'lr', AttributeType: 'S' }],
    GlobalSecondaryIndexes: [
        { IndexName: 'gsi', KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }, { AttributeName: 'gr', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'gkeys', KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'ginc', KeySchema: [{ AttributeName: 'gk', KeyType: 'HASH' }, { AttributeName: 'gr', KeyType: 'RANGE' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['n'] } }],
    LocalSecondaryIndexes: [
        { IndexName: 'lsi', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'lr', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
} }), 200);

// ---------------------------------------------------------------------------
// transactions

const transactions = [
    // --- TransactWriteItems: success -----------------------------------------
    c('tw-put-two', [table(), tw([tPut(v1('a')), tPut(v1('b'))], { expect: 200 }), scanAll()]),
    c('tw-put-update-delete', [table(), put(v1('b')), put(v1('c')),
        tw([tPut(v1('a')), tUpd(K('b'), 'SET version = version + :one', { values: { ':one': N(1) } }), tDel(K('c'))], { expect: 200 }),
        scanAll()]),
    c('tw-two-tables', [table(), tbl2(), put(v1('a')),
        tw([tPut(v1('a'), { table: 'tb2' }), tUpd(K('a'), 'ADD n :n', { values: { ':n': N(5) } })], { expect: 200 }),
        scanAll(), scanAll('tb2')]),
    c('tw-same-key-two-tables', [table(), tbl2(), tw([tDel(K('a')), tDel(K('a'), { table: 'tb2' })], { expect: 200 })]),
    c('tw-versioned-ok', [table(), put(item('a', { version: N(3), gold: N(10) })),
        tw([tUpd(K('a'), 'SET version = :new, gold = gold + :g', { cond: 'version = :old', values: { ':new': N(4), ':old': N(3), ':g': N(5) } }),
            tChk(K('b'), 'attribute_not_exists(pk)')], { expect: 200 }),
        get(K('a'))]),
    c('tw-condition-check-ok', [table(), put(v1('a')),
        tw([tChk(K('a'), 'version = :v', { values: { ':v': N(1) } }), tPut(v1('b'))], { expect: 200 }), scanAll()]),
    c('tw-update-creates-item', [table(), tw([tUpd(K('new'), 'SET x = :x', { values: { ':x': S('y') } })], { expect: 200 }), get(K('new'))]),
    c('tw-delete-missing-item', [table(), tw([tDel(K('nope'))], { expect: 200 })]),
    c('tw-put-all-types', [table(), tw([tPut(item('a', { s: S('x'), n: N('1.50'), b: B('hi'), t: BOOL(true), z: NUL(), m: M({ q: L(N(1)) }), ss: SS('b', 'a'), ns: NS(2, 1), bs: BS('y', 'x') }))], { expect: 200 }), get(K('a'))]),
    c('tw-names-values', [table(), put(item('a', { data: N(1) })),
        tw([tUpd(K('a'), 'SET #d = #d + :one', { cond: '#d = :one', names: { '#d': 'data' }, values: { ':one': N(1) } })], { expect: 200 }), get(K('a'))]),
    c('tw-one-action', [table(), tw([tPut(v1('a'))], { expect: 200 })]),
    c('tw-capacity-total', [table(), tbl2(), tw([tPut(v1('a')), tPut(v1('b')), tPut(v1('a'), { table: 'tb2' })], { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tw-capacity-indexes', [table(), tw([tPut(v1('a')), tDel(K('b'))], { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('tw-capacity-none', [table(), tw([tPut(v1('a'))], { ReturnConsumedCapacity: 'NONE', expect: 200 })]),
    c('tw-item-collection-metrics', [table(), tw([tPut(v1('a'))], { ReturnItemCollectionMetrics: 'SIZE', expect: 200 })]),
    c('tw-100-actions', [table(), tw(Array.from({ length: 100 }, (_, i) => tPut(v1('k' + i))), { expect: 200 }),
        step('DescribeTable', { TableName: TBL }, 200)]),

    // --- TransactWriteItems: cancelled ---------------------------------------
    c('tw-cancel-put-condition', [table(), put(v1('b')),
        tw([tPut(v1('a')), tPut(v1('b'), { cond: 'attribute_not_exists(pk)' })], { expect: 400 }), scanAll()]),
    c('tw-cancel-all-old', [table(), put(item('b', { version: N(2), x: S('old') })),
        tw([tPut(v1('a')), tPut(v1('b'), { cond: 'version = :v', values: { ':v': N(1) }, rvf: 'ALL_OLD' })], { expect: 400 }), scanAll()]),
    c('tw-cancel-all-old-missing-item', [table(),
        tw([tUpd(K('a'), 'SET version = :v', { cond: 'attribute_exists(pk)', values: { ':v': N(1) }, rvf: 'ALL_OLD' })], { expect: 400 })]),
    c('tw-cancel-all-old-none', [table(), put(v1('a')),
        tw([tDel(K('a'), { cond: 'version = :v', values: { ':v': N(9) }, rvf: 'NONE' })], { expect: 400 })]),
    c('tw-cancel-check-all-old', [table(), put(v1('a')), put(v1('b')),
        tw([tUpd(K('a'), 'SET version = :two', { values: { ':two': N(2) } }), tChk(K('b'), 'version = :nine', { values: { ':nine': N(9) }, rvf: 'ALL_OLD' })], { expect: 400 }),
        get(K('a'))]),
    c('tw-cancel-two-failures', [table(), put(v1('a')), put(v1('b')),
        tw([tChk(K('a'), 'version = :z', { values: { ':z': N(0) } }), tPut(v1('c')), tDel(K('b'), { cond: 'version = :z', values: { ':z': N(0) }, rvf: 'ALL_OLD' })], { expect: 400 })]),
    c('tw-cancel-delete-condition', [table(), put(v1('a')),
        tw([tDel(K('a'), { cond: 'attribute_not_exists(pk)' })], { expect: 400 }), get(K('a'))]),
    c('tw-cancel-update-condition-missing', [table(),
        tw([tUpd(K('a'), 'SET x = :x', { cond: 'attribute_exists(pk)', values: { ':x': N(1) } })], { expect: 400 }), get(K('a'))]),
    c('tw-cancel-other-table', [table(), tbl2(), put(v1('a'), { table: 'tb2' }),
        tw([tPut(v1('a')), tPut(v1('a'), { table: 'tb2', cond: 'attribute_not_exists(pk)', rvf: 'ALL_OLD' })], { expect: 400 }), scanAll()]),
    c('tw-cancel-key-type', [table(), tw([tPut(v1('a')), tPut({ pk: N(1) })], { expect: 400 })]),
    c('tw-cancel-missing-key', [table(), tw([tPut({ x: S('a') })], { expect: 400 })]),
    c('tw-cancel-update-type-error', [table(), put(item('a', { s: S('x') })),
        tw([tPut(v1('b')), tUpd(K('a'), 'SET s = s + :one', { values: { ':one': N(1) } })], { expect: 400 }), scanAll()]),
    c('tw-cancel-update-missing-attr', [table(), put(v1('a')),
        tw([tUpd(K('a'), 'SET n = nope + :one', { values: { ':one': N(1) } })], { expect: 400 })]),
    c('tw-cancel-update-key-attr', [table(), put(v1('a')),
        tw([tUpd(K('a'), 'SET pk = :x', { values: { ':x': S('b') } })], { expect: 400 })]),
    c('tw-cancel-item-too-big', [table(), tw([tPut(v1('a')), tPut(item('b', { x: S('z'.repeat(409600)) }))], { expect: 400 })]),
    c('tw-cancel-condition-and-validation', [table(), put(v1('a')),
        tw([tChk(K('a'), 'version = :z', { values: { ':z': N(0) } }), tPut({ pk: N(1) })], { expect: 400 })]),

    // --- TransactWriteItems: request validation ------------------------------
    c('tw-empty-list', [table(), tw([], { expect: 400 })]),
    c('tw-missing-list', [table(), step('TransactWriteItems', {}, 400)]),
    c('tw-101-actions', [table(), tw(Array.from({ length: 101 }, (_, i) => tPut(v1('k' + i))), { expect: 400 })]),
    c('tw-duplicate-item', [table(), tw([tPut(v1('a')), tDel(K('a'))], { expect: 400 })]),
    c('tw-duplicate-check-and-put', [table(), tw([tChk(K('a'), 'attribute_not_exists(pk)'), tPut(v1('a'))], { expect: 400 })]),
    c('tw-duplicate-range-key', [table2(), tw([tPut({ pk: S('a'), sk: N(1) }), tPut({ pk: S('a'), sk: N('1.0') })], { expect: 400 })]),
    c('tw-different-range-keys', [table2(), tw([tPut({ pk: S('a'), sk: N(1) }), tPut({ pk: S('a'), sk: N(2) })], { expect: 200 }), query({ kc: 'pk = :p', values: { ':p': S('a') } })]),
    c('tw-no-table', [table(), tw([tPut(v1('a'), { table: 'nope' })], { expect: 400 })]),
    c('tw-no-table-second', [table(), tw([tPut(v1('a')), tPut(v1('a'), { table: 'nope' })], { expect: 400 })]),
    c('tw-bad-table-name', [table(), tw([tPut(v1('a'), { table: 'x' })], { expect: 400 })]),
    c('tw-missing-table-name', [table(), tw([{ Put: { Item: v1('a') } }], { expect: 400 })]),
    c('tw-two-kinds-in-one', [table(), tw([Object.assign(tPut(v1('a')), tDel(K('b')))], { expect: 400 })]),
    c('tw-empty-element', [table(), tw([{}], { expect: 400 })]),
    c('tw-only-condition-checks', [table(), put(v1('a')), tw([tChk(K('a'), 'attribute_exists(pk)')], { expect: 200 })]),
    c('tw-check-without-condition', [table(), tw([{ ConditionCheck: { TableName: TBL, Key: K('a') } }, tPut(v1('b'))], { expect: 400 })]),
    c('tw-put-missing-item', [table(), tw([{ Put: { TableName: TBL } }], { expect: 400 })]),
    c('tw-delete-missing-key', [table(), tw([{ Delete: { TableName: TBL } }], { expect: 400 })]),
    c('tw-update-missing-expression', [table(), tw([{ Update: { TableName: TBL, Key: K('a') } }], { expect: 200 })]),
    c('tw-key-extra-attribute', [table(), tw([tDel({ pk: S('a'), x: S('b') })], { expect: 400 })]),
    c('tw-condition-syntax-error', [table(), tw([tPut(v1('a'), { cond: 'version = = 1' })], { expect: 400 })]),
    c('tw-condition-reserved-word', [table(), tw([tPut(v1('a'), { cond: 'attribute_exists(data)' })], { expect: 400 })]),
    c('tw-unused-value', [table(), tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)', values: { ':x': N(1) } })], { expect: 400 })]),
    c('tw-undefined-value', [table(), tw([tPut(v1('a'), { cond: 'version = :x' })], { expect: 400 })]),
    c('tw-update-syntax-error', [table(), tw([tUpd(K('a'), 'SET = 1')], { expect: 400 })]),
    c('tw-bad-rvf', [table(), tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)', rvf: 'ALL_NEW' })], { expect: 200 })]),
    c('tw-bad-capacity', [table(), tw([tPut(v1('a'))], { ReturnConsumedCapacity: 'SOME', expect: 200 })]),
    c('tw-bad-metrics', [table(), tw([tPut(v1('a'))], { ReturnItemCollectionMetrics: 'ALL', expect: 200 })]),
    c('tw-empty-key-value', [table(), tw([tPut({ pk: S('') })], { expect: 400 })]),
    c('tw-bad-number', [table(), tw([tPut(item('a', { n: N('abc') }))], { expect: 400 })]),

    // --- ClientRequestToken ----------------------------------------------------
    c('tw-token-replay', [table(),
        tw([tUpd(K('a'), 'ADD n :one', { values: { ':one': N(1) } })], { ClientRequestToken: 'tok-1', expect: 200 }),
        tw([tUpd(K('a'), 'ADD n :one', { values: { ':one': N(1) } })], { ClientRequestToken: 'tok-1', expect: 200 }),
        get(K('a'))]),
    c('tw-token-mismatch', [table(),
        tw([tPut(v1('a'))], { ClientRequestToken: 'tok-2', expect: 200 }),
        tw([tPut(v1('b'))], { ClientRequestToken: 'tok-2', expect: 400 }), scanAll()]),
    c('tw-token-replay-capacity', [table(),
        tw([tPut(v1('a'))], { ClientRequestToken: 'tok-3', expect: 200 }),
        tw([tPut(v1('a'))], { ClientRequestToken: 'tok-3', ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tw-token-after-cancel', [table(), put(v1('a')),
        tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)' })], { ClientRequestToken: 'tok-4', expect: 400 }),
        step('DeleteItem', { TableName: TBL, Key: K('a') }, 200),
        tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)' })], { ClientRequestToken: 'tok-4' }), get(K('a'))]),
    c('tw-token-different-tokens', [table(),
        tw([tUpd(K('a'), 'ADD n :one', { values: { ':one': N(1) } })], { ClientRequestToken: 'tok-5', expect: 200 }),
        tw([tUpd(K('a'), 'ADD n :one', { values: { ':one': N(1) } })], { ClientRequestToken: 'tok-6', expect: 200 }),
        get(K('a'))]),
    c('tw-token-too-long', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'x'.repeat(37), expect: 400 })]),
    c('tw-token-36', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'x'.repeat(36), expect: 200 })]),
    c('tw-token-empty', [table(), tw([tPut(v1('a'))], { ClientRequestToken: '', expect: 200 })]),

    // --- TransactGetItems ------------------------------------------------------
    c('tg-two-items', [table(), put(item('a', { x: N(1) })), put(item('b', { x: N(2) })), tg([tGet(K('b')), tGet(K('a'))], { expect: 200 })]),
    c('tg-missing-item', [table(), put(v1('a')), tg([tGet(K('nope')), tGet(K('a'))], { expect: 200 })]),
    c('tg-all-missing', [table(), tg([tGet(K('x')), tGet(K('y'))], { expect: 200 })]),
    c('tg-projection', [table(), put(item('a', { x: N(1), y: M({ z: S('q'), w: S('r') }), data: S('d') })),
        tg([tGet(K('a'), { proj: 'x, y.z, #d', names: { '#d': 'data' } })], { expect: 200 })]),
    c('tg-two-tables', [table(), tbl2(), put(v1('a')), put(item('a', { t: S('two') }), { table: 'tb2' }),
        tg([tGet(K('a'), { table: 'tb2' }), tGet(K('a'))], { expect: 200 })]),
    c('tg-capacity', [table(), tbl2(), put(v1('a')), tg([tGet(K('a')), tGet(K('b')), tGet(K('a'), { table: 'tb2' })], { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tg-capacity-indexes', [table(), put(v1('a')), tg([tGet(K('a'))], { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('tg-duplicate-item', [table(), tg([tGet(K('a')), tGet(K('a'))], { expect: 400 })]),
    c('tg-empty', [table(), tg([], { expect: 400 })]),
    c('tg-missing-list', [table(), step('TransactGetItems', {}, 400)]),
    c('tg-101', [table(), tg(Array.from({ length: 101 }, (_, i) => tGet(K('k' + i))), { expect: 400 })]),
    c('tg-100', [table(), put(v1('k7')), tg(Array.from({ length: 100 }, (_, i) => tGet(K('k' + i))), { expect: 200 })]),
    c('tg-no-table', [table(), tg([tGet(K('a'), { table: 'nope' })], { expect: 400 })]),
    c('tg-put-action', [table(), tg([tPut(v1('a'))], { expect: 400 })]),
    c('tg-empty-element', [table(), tg([{}], { expect: 400 })]),
    c('tg-key-type', [table(), tg([tGet({ pk: N(1) })], { expect: 400 })]),
    c('tg-key-missing', [table(), tg([{ Get: { TableName: TBL } }], { expect: 400 })]),
    c('tg-projection-error', [table(), tg([tGet(K('a'), { proj: 'data' })], { expect: 400 })]),
    c('tg-unused-name', [table(), tg([tGet(K('a'), { proj: 'x', names: { '#n': 'y' } })], { expect: 400 })]),
    c('tg-names-without-projection', [table(), tg([tGet(K('a'), { names: { '#n': 'y' } })], { expect: 400 })]),
    c('tg-after-write', [table(), tw([tPut(v1('a')), tUpd(K('b'), 'SET version = :v', { values: { ':v': N(7) } })], { expect: 200 }),
        tg([tGet(K('a')), tGet(K('b'))], { expect: 200 })]),

    // --- TransactWriteItems: DynamoDB Local runs the actions one by one ------------------
    // An action whose condition fails takes no lock on its item; one whose condition holds
    // does, and a later action on that item is "multiple operations on one item".
    c('tw-seq-check-sees-earlier-delete', [table(), put(v1('a')),
        tw([tDel(K('a')), tPut(v1('b')), tChk(K('a'), 'attribute_exists(pk)')], { expect: 400 }), scanAll()]),
    c('tw-seq-check-holds-then-duplicate', [table(), put(v1('a')),
        tw([tDel(K('a')), tPut(v1('b')), tChk(K('a'), 'attribute_not_exists(pk)')], { expect: 400 })]),
    c('tw-seq-failed-check-takes-no-lock', [table(), tw([tChk(K('a'), 'attribute_exists(pk)'), tPut(v1('b')), tPut(v1('a'))], { expect: 400 })]),
    c('tw-seq-put-then-check-fails', [table(), tw([tPut(item('a', { x: N(2) })), tChk(K('a'), 'x = :one', { values: { ':one': N(1) }, rvf: 'ALL_OLD' })], { expect: 400 })]),
    c('tw-duplicate-far-apart', [table(), tw([tPut(v1('a')), tPut(v1('b')), tPut(v1('c')), tPut(v1('d')), tDel(K('a'))], { expect: 400 })]),
    c('tw-duplicate-update-update', [table(), tw([tUpd(K('a'), 'SET x = :x', { values: { ':x': N(1) } }), tUpd(K('a'), 'SET y = :x', { values: { ':x': N(1) } })], { expect: 400 })]),
    c('tw-duplicate-check-check', [table(), tw([tChk(K('a'), 'attribute_not_exists(pk)'), tChk(K('a'), 'attribute_not_exists(pk)')], { expect: 400 })]),
    // --- TransactWriteItems: which failures are reasons, which stop everything -----------
    c('tw-reasons-keytype-between-failures', [table(), put(v1('a')), put(v1('c')),
        tw([tChk(K('a'), 'attribute_not_exists(pk)'), tDel({ pk: N(1) }), tChk(K('c'), 'attribute_not_exists(pk)')], { expect: 400 })]),
    c('tw-reasons-key-too-long', [table(), tw([tPut({ pk: S('k'.repeat(2049)) }), tPut({ pk: N(5) })], { expect: 400 })]),
    c('tw-reasons-update-too-big', [table(), put(v1('b')), put(item('a', { x: S('z'.repeat(409000)) })),
        tw([tChk(K('b'), 'version = :z', { values: { ':z': N(0) } }), tUpd(K('a'), 'SET y = :y', { values: { ':y': S('q'.repeat(1000)) } })], { expect: 400 })]),
    c('tw-key-attribute-cancels-alone', [table(), put(v1('a')), put(v1('c')),
        tw([tChk(K('a'), 'attribute_not_exists(pk)'), tUpd(K('b'), 'SET pk = :x', { values: { ':x': S('b') } }), tChk(K('c'), 'attribute_not_exists(pk)')], { expect: 400 })]),
    c('tw-type-error-beats-reasons', [table(), put(item('a', { s: S('x') })), put(v1('b')),
        tw([tChk(K('b'), 'version = :z', { values: { ':z': N(0) } }), tUpd(K('a'), 'SET s = s + :one', { values: { ':one': N(1) } })], { expect: 400 })]),
    c('tw-condition-before-update-error', [table(), put(item('a', { s: S('x') })),
        tw([tUpd(K('a'), 'SET s = s + :one', { cond: 'attribute_not_exists(pk)', values: { ':one': N(1) } })], { expect: 400 })]),
    c('tw-index-key-type-reason', [idxTable(), tw([tPut({ pk: S('b'), sk: N(1) }), tPut({ pk: S('a'), sk: N(1), gk: N(1) })], { expect: 400 })]),
    c('tw-index-key-type-update-reason', [idxTable(), tw([tPut({ pk: S('b'), sk: N(1) }), tUpd({ pk: S('a'), sk: N(1) }, 'SET gk = :g', { values: { ':g': N(1) } })], { expect: 400 })]),
    c('tw-index-key-empty', [idxTable(), tw([tPut({ pk: S('b'), sk: N(1) }), tPut({ pk: S('a'), sk: N(1), gk: S('') })], { expect: 400 })]),
    // --- TransactWriteItems: the order of the checks ---------------------------------------
    c('tw-order-syntax-before-duplicate', [table(), tw([tPut(v1('a')), tDel(K('a')), tPut(v1('b'), { cond: 'a = = 1' })], { expect: 400 })]),
    c('tw-order-number-before-syntax', [table(), tw([tPut(item('q', { n: N('abc') })), tPut(v1('s'), { cond: 'a = = 1' })], { expect: 400 })]),
    c('tw-order-syntax-before-number-same-action', [table(), tw([tPut(item('a', { n: N('abc') }), { cond: 'a = = 1' })], { expect: 400 })]),
    c('tw-order-size-before-key', [table(), tw([tPut({ pk: N(1) }), tPut(item('b', { x: S('z'.repeat(409600)) }))], { expect: 400 })]),
    c('tw-order-missing-table-then-duplicate', [table(), tw([tPut(v1('n'), { table: 'nope' }), tPut(v1('d')), tDel(K('d'))], { expect: 400 })]),
    c('tw-order-duplicate-then-missing-table', [table(), tw([tPut(v1('d')), tDel(K('d')), tPut(v1('n'), { table: 'nope' })], { expect: 400 })]),
    c('tw-order-null-member-after-syntax', [table(), tw([{ Delete: { TableName: TBL } }, tPut(v1('a'), { cond: 'a = = b' })], { expect: 400 })]),
    c('tw-order-empty-element-before-null-member', [table(), tw([{ Put: {} }, {}], { expect: 400 })]),
    c('tw-order-values-without-expression', [table(), tw([tPut(v1('b'), { values: { ':x': N(1) } }), tPut(v1('a'), { table: 'nope' })], { expect: 400 })]),
    c('tw-names-without-expression', [table(), tw([tDel(K('a'), { names: { '#a': 'a' } })], { expect: 400 })]),
    c('tw-update-values-without-expression', [table(), tw([{ Update: { TableName: TBL, Key: K('a'), ExpressionAttributeValues: { ':a': N(1) } } }], { expect: 400 })]),
    c('tw-update-without-expression-writes-key', [table(), tw([{ Update: { TableName: TBL, Key: K('a') } }], { expect: 200 }), get(K('a'))]),
    c('tw-get-action', [table(), tw([tGet(K('a'))], { expect: 400 })]),
    c('tw-not-an-array', [table(), step('TransactWriteItems', { TransactItems: 'abc' }, 500)]),
    c('tw-element-not-an-object', [table(), tw([5], { expect: 500 })]),
    c('tw-ignored-members', [table(), tw([{ Delete: { TableName: TBL, Key: K('a'), ReturnValues: 'ALL_OLD' } },
        { Put: { TableName: TBL, Item: K('b'), Expected: { x: { Exists: false } } } }], { expect: 200 })]),
    c('tw-101-and-long-token', [table(), tw(Array.from({ length: 101 }, () => ({ Put: {} })), { ClientRequestToken: 'x'.repeat(40), expect: 400 })]),
    // --- TransactWriteItems: consumed capacity ------------------------------------------------
    c('tw-capacity-equal-amounts-count-once', [table(), tw([tPut(item('a', { x: S('z'.repeat(300)) })), tPut(item('b', { x: S('z'.repeat(300)) }))], { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tw-capacity-distinct-amounts-add', [table(), tw([tPut(item('a', { x: S('z'.repeat(1500)) })), tPut(item('b', { x: S('z'.repeat(100)) })), tDel(K('m1')), tDel(K('m2'))],
        { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tw-capacity-sizes', [table({ name: 't01' }), table({ name: 't02' }), table({ name: 't03' }), put(item('big', { x: S('z'.repeat(5000)) }), { table: 't02' }),
        put(item('big', { x: S('z'.repeat(300)) }), { table: 't03' }),
        tw([tPut(item('a', { x: S('z'.repeat(3000)) }), { table: 't01' }), tChk(K('big'), 'attribute_exists(pk)', { table: 't02' }),
            tUpd(K('big'), 'SET y = :y', { table: 't03', values: { ':y': S('z'.repeat(3000)) } })], { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('tw-capacity-table-order', [table({ name: 't01' }), table({ name: 't04' }),
        tw([tPut(K('a'), { table: 't01' }), tPut(K('b'), { table: 't01' }), tPut(K('c'), { table: 't01' }), tPut(K('a'), { table: 't04' }), tPut(K('b'), { table: 't04' })],
            { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    // --- ClientRequestToken: what makes two requests the same ---------------------------------
    c('tw-token-member-order', [table(), tw([{ Put: { TableName: TBL, Item: { pk: S('a'), v: N(1) } } }], { ClientRequestToken: 'tok-member-order', expect: 200 }),
        tw([{ Put: { Item: { v: N(1), pk: S('a') }, TableName: TBL } }], { ClientRequestToken: 'tok-member-order', expect: 200 })]),
    c('tw-token-number-text', [table(), tw([tPut(item('a', { v: N('1') }))], { ClientRequestToken: 'tok-number-text', expect: 200 }),
        tw([tPut(item('a', { v: N('1.0') }))], { ClientRequestToken: 'tok-number-text', expect: 400 })]),
    c('tw-token-return-values-on-failure', [table(), tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)' })], { ClientRequestToken: 'tok-rvf', expect: 200 }),
        tw([tPut(v1('a'), { cond: 'attribute_not_exists(pk)', rvf: 'ALL_OLD' })], { ClientRequestToken: 'tok-rvf', expect: 400 })]),
    c('tw-token-collection-metrics-ignored', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'tok-metrics', expect: 200 }),
        tw([tPut(v1('a'))], { ClientRequestToken: 'tok-metrics', ReturnItemCollectionMetrics: 'SIZE', expect: 200 })]),
    c('tw-token-mismatch-before-table-check', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'tok-before-table', expect: 200 }),
        tw([tPut(v1('a'), { table: 'nope' })], { ClientRequestToken: 'tok-before-table', expect: 400 })]),
    c('tw-token-syntax-before-mismatch', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'tok-syntax', expect: 200 }),
        tw([tPut(v1('a'), { cond: 'a = = b' })], { ClientRequestToken: 'tok-syntax', expect: 400 })]),
    c('tw-token-replay-table-deleted', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 'tok-deleted', expect: 200 }),
        step('DeleteTable', { TableName: TBL }, 200), tw([tPut(v1('a'))], { ClientRequestToken: 'tok-deleted', expect: 400 })]),
    c('tw-token-after-validation-error', [table(), tw([tPut({ pk: N(1) })], { ClientRequestToken: 'tok-invalid', expect: 400 }),
        tw([tPut(v1('b'))], { ClientRequestToken: 'tok-invalid', expect: 200 }), get(K('b'))]),
    c('tw-token-as-number', [table(), tw([tPut(v1('a'))], { ClientRequestToken: 12345, expect: 200 })]),
    c('tw-token-any-characters', [table(), tw([tPut(v1('a'))], { ClientRequestToken: '\u00e9!\u0000 /', expect: 200 })]),
    // --- TransactGetItems: more ----------------------------------------------------------
    c('tg-keytype-then-missing-table', [table(), tg([tGet({ pk: N(1) }), tGet(K('a'), { table: 'nope' })], { expect: 400 })]),
    c('tg-missing-table-then-keytype', [table(), tg([tGet(K('a'), { table: 'nope' }), tGet({ pk: N(1) })], { expect: 400 })]),
    c('tg-duplicate-before-projection', [table(), tg([tGet(K('a')), tGet(K('a')), tGet(K('b'), { proj: 'a,,b' })], { expect: 400 })]),
    c('tg-projection-before-key', [table(), tg([tGet({ pk: N(1) }, { proj: 'a,,b' })], { expect: 400 })]),
    c('tg-key-count', [table(), tg([tGet({ pk: S('a'), x: S('b') })], { expect: 400 })]),
    c('tg-key-wrong-name', [table(), tg([tGet({ x: S('b') })], { expect: 400 })]),
    c('tg-key-empty', [table(), tg([tGet({ pk: S('') })], { expect: 400 })]),
    c('tg-key-too-long', [table(), tg([tGet({ pk: S('k'.repeat(2049)) })], { expect: 400 })]),
    c('tg-bad-table-name', [table(), tg([tGet(K('a'), { table: 'x' })], { expect: 400 })]),
    c('tg-missing-table-name', [table(), tg([{ Get: { Key: K('a') } }], { expect: 400 })]),
    c('tg-get-and-put-in-one', [table(), tg([{ Get: { TableName: TBL, Key: K('a') }, Put: { TableName: TBL, Item: K('a') } }], { expect: 200 })]),
    c('tg-element-without-get', [table(), tg([tGet(K('a')), {}], { expect: 400 })]),
    c('tg-ignored-members', [table(), put(v1('a')), tg([tGet(K('a'), { ConsistentRead: true, ProjectionExpression: 'pk', ExpressionAttributeValues: { ':v': N(1) } })],
        { ClientRequestToken: 'ignored', expect: 200 })]),
    c('tg-unknown-capacity-mode', [table(), tg([tGet(K('a'))], { ReturnConsumedCapacity: 'SOME', expect: 200 })]),
    c('tg-capacity-sizes', [table(), put(item('a', { x: S('z'.repeat(5000)) })), put(item('b', { x: S('z'.repeat(9000)) })),
        tg([tGet(K('a')), tGet(K('b')), tGet(K('c'))], { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tg-capacity-table-order', [table({ name: 't05' }), table({ name: 't02' }), tg([tGet(K('a'), { table: 't05' }), tGet(K('a'), { table: 't02' })], { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('tg-projection-list-indexes', [table(), put(item('a', { l: L(N(1), N(2), N(3)) })), tg([tGet(K('a'), { proj: 'l[2], l[0], pk' })], { expect: 200 })]),
    c('tg-projection-matches-nothing', [table(), put(K('a')), tg([tGet(K('a'), { proj: 'x' })], { expect: 200 })]),
    c('tg-not-an-array', [table(), step('TransactGetItems', { TransactItems: { a: 1 } }, 500)]),
];

// ---------------------------------------------------------------------------
// Query and Scan

// pk S + sk N, items a/1..5 and b/1..3 with attributes n (= sk * 10) and t ('even'/'odd').
const rangeItems = () => {
    const out = [];
    for (const [p, m] of [['a', 5], ['b', 3]])
        for (let i = 1; i <= m; i++) out.push({ pk: S(p), sk: N(i), n: N(i * 10), t: S(i % 2 ? 'odd' : 'even') });
    return [fill(out)];
};
const vals = (o) => { const r = {}; for (const [k, v] of Object.entries(o)) r[k] = v; return r; };
const qa = (extra) => query(Object.assign({ kc: 'pk = :p', values: vals(Object.assign({ ':p': S('a') }, extra && extra.values || {})) },
    Object.fromEntries(Object.entries(extra || {}).filter(([k]) => k !== 'values'))));
// Items for idxTable: a/1..4 and b/1..3 in gsi partition x with gr = sk % 2 (ties), lr
// descending, n and m; c/1 in partition y; d/1 without index keys.
const idxItems = () => {
    const out = [];
    for (const [p, m] of [['a', 4], ['b', 3]])
        for (let i = 1; i <= m; i++)
            out.push({ pk: S(p), sk: N(i), gk: S('x'), gr: N(i % 2), lr: S(String.fromCharCode(106 - i)), n: N(i), m: S('m' + i) });
    out.push({ pk: S('c'), sk: N(1), gk: S('y'), gr: N(5), lr: S('z'), n: N(9) });
    out.push({ pk: S('d'), sk: N(1), n: N(0) });
    return [fill(out)];
};
const qi = (index, kc, values, extra) => query(Object.assign({ IndexName: index, kc, values }, extra || {}));
const si = (index, extra) => scan(Object.assign({ IndexName: index }, extra || {}));
const manyKeys = () => [fill('abcdefghijklmnopqrstuvwxyz'.split('').concat(['0', '1', '10', 'aa', 'ab', 'Z']).map((k) => ({ pk: S(k), v: N(k.length) })))];

const qcases = [
    // --- Query on the table --------------------------------------------------------------
    c('q-hash-only-table', [table(), put({ pk: S('a'), x: N(1) }), put({ pk: S('b') }), qa({ expect: 200 })]),
    c('q-all-of-partition', [table2(), ...rangeItems(), qa({ expect: 200 })]),
    c('q-range-eq', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk = :s', values: { ':s': N(3) }, expect: 200 })]),
    c('q-range-lt', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk < :s', values: { ':s': N(3) }, expect: 200 })]),
    c('q-range-le', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk <= :s', values: { ':s': N(3) }, expect: 200 })]),
    c('q-range-gt', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk > :s', values: { ':s': N(3) }, expect: 200 })]),
    c('q-range-ge', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk >= :s', values: { ':s': N('3.0') }, expect: 200 })]),
    c('q-range-between', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk BETWEEN :lo AND :hi', values: { ':lo': N(2), ':hi': N(4) }, expect: 200 })]),
    c('q-range-begins-with', [table({ range: ['sk', 'S'] }), put({ pk: S('a'), sk: S('ab1') }), put({ pk: S('a'), sk: S('ab2') }),
        put({ pk: S('a'), sk: S('ac') }), put({ pk: S('a'), sk: S('a') }),
        qa({ kc: 'pk = :p AND begins_with(sk, :b)', values: { ':b': S('ab') }, expect: 200 })]),
    c('q-range-begins-with-binary', [table({ range: ['sk', 'B'] }), put({ pk: S('a'), sk: B('xy') }), put({ pk: S('a'), sk: B('xz') }),
        qa({ kc: 'pk = :p AND begins_with(sk, :b)', values: { ':b': B('xy') }, expect: 200 })]),
    c('q-parens-and-reversed', [table2(), ...rangeItems(), qa({ kc: '(:s < sk) AND (:p = pk)', values: { ':s': N(3) }, expect: 200 })]),
    c('q-names', [table2(), ...rangeItems(), qa({ kc: '#h = :p AND #r > :s', names: { '#h': 'pk', '#r': 'sk' }, values: { ':s': N(3) }, expect: 200 })]),
    c('q-backward', [table2(), ...rangeItems(), qa({ ScanIndexForward: false, expect: 200 })]),
    c('q-backward-range', [table2(), ...rangeItems(), qa({ kc: 'pk = :p AND sk <= :s', values: { ':s': N(4) }, ScanIndexForward: false, expect: 200 })]),
    c('q-no-match', [table2(), ...rangeItems(), qa({ values: { ':p': S('zz') }, expect: 200 })]),
    c('q-limit', [table2(), ...rangeItems(), qa({ Limit: 2, expect: 200 })]),
    c('q-limit-exact', [table2(), ...rangeItems(), qa({ Limit: 5, expect: 200 })]),
    c('q-limit-over', [table2(), ...rangeItems(), qa({ Limit: 6, expect: 200 })]),
    c('q-exclusive-start', [table2(), ...rangeItems(), qa({ Limit: 2, ExclusiveStartKey: { pk: S('a'), sk: N(2) }, expect: 200 })]),
    c('q-exclusive-start-last', [table2(), ...rangeItems(), qa({ ExclusiveStartKey: { pk: S('a'), sk: N(5) }, expect: 200 })]),
    c('q-exclusive-start-missing-item', [table2(), ...rangeItems(), qa({ ExclusiveStartKey: { pk: S('a'), sk: N('2.5') }, expect: 200 })]),
    c('q-exclusive-start-backward', [table2(), ...rangeItems(), qa({ ScanIndexForward: false, Limit: 2, ExclusiveStartKey: { pk: S('a'), sk: N(4) }, expect: 200 })]),
    c('q-exclusive-start-other-hash', [table2(), ...rangeItems(), qa({ ExclusiveStartKey: { pk: S('b'), sk: N(1) }, expect: 400 })]),
    c('q-filter', [table2(), ...rangeItems(), qa({ filter: 't = :t', values: { ':t': S('odd') }, expect: 200 })]),
    c('q-filter-limit', [table2(), ...rangeItems(), qa({ filter: 't = :t', values: { ':t': S('even') }, Limit: 3, expect: 200 })]),
    c('q-filter-none-match', [table2(), ...rangeItems(), qa({ filter: 'n > :n', values: { ':n': N(100) }, expect: 200 })]),
    c('q-filter-key-attribute', [table2(), ...rangeItems(), qa({ filter: 'sk > :n', values: { ':n': N(1) }, expect: 400 })]),
    c('q-filter-hash-attribute', [table2(), ...rangeItems(), qa({ filter: 'attribute_exists(pk)', expect: 400 })]),
    c('q-projection', [table2(), ...rangeItems(), qa({ proj: 'n, sk', Limit: 2, expect: 200 })]),
    c('q-projection-missing-attr', [table2(), ...rangeItems(), qa({ proj: 'zz', Limit: 2, expect: 200 })]),
    c('q-select-count', [table2(), ...rangeItems(), qa({ Select: 'COUNT', expect: 200 })]),
    c('q-select-count-filter-limit', [table2(), ...rangeItems(), qa({ Select: 'COUNT', filter: 't = :t', values: { ':t': S('odd') }, Limit: 4, expect: 200 })]),
    c('q-select-specific', [table2(), ...rangeItems(), qa({ Select: 'SPECIFIC_ATTRIBUTES', proj: 'n', Limit: 1, expect: 200 })]),
    c('q-select-all', [table2(), ...rangeItems(), qa({ Select: 'ALL_ATTRIBUTES', Limit: 1, expect: 200 })]),
    c('q-capacity-total', [table2(), ...rangeItems(), qa({ ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('q-capacity-consistent', [table2(), ...rangeItems(), qa({ ReturnConsumedCapacity: 'INDEXES', ConsistentRead: true, expect: 200 })]),
    c('q-capacity-big', [table2(), put({ pk: S('a'), sk: N(1), x: S('x'.repeat(5000)) }), put({ pk: S('a'), sk: N(2), x: S('x'.repeat(5000)) }),
        qa({ ReturnConsumedCapacity: 'TOTAL', proj: 'sk', expect: 200 })]),
    c('q-number-hash', [table({ hash: ['pk', 'N'], range: ['sk', 'S'] }), put({ pk: N(1), sk: S('b') }), put({ pk: N('1.0'), sk: S('a') }), put({ pk: N(2), sk: S('a') }),
        query({ kc: 'pk = :p', values: { ':p': N('1.00') }, expect: 200 })]),
    c('q-string-range-order', [table({ range: ['sk', 'S'] }), fill(['b', 'B', 'a', '\u00e9', '10', '9', 'aa', '\ud83d\ude00', '\uffff'].map((k) => ({ pk: S('a'), sk: S(k) }))), qa({ expect: 200 })]),
    c('q-binary-range-order', [table({ range: ['sk', 'B'] }), fill(['/w==', 'AA==', 'gA==', 'fw==', 'AAA='].map((k) => ({ pk: S('a'), sk: { B: k } }))), qa({ expect: 200 })]),
    c('q-number-range-order', [table2(), fill(['-1', '10', '9', '0.5', '-20', '1e2', '0', '-0.5', '-100'].map((k) => ({ pk: S('a'), sk: N(k) }))), qa({ expect: 200 })]),
    c('q-large-items-1mb', [table2(), fill([1, 2, 3, 4].map((i) => ({ pk: S('a'), sk: N(i), x: S('x'.repeat(400000)) }))), qa({ proj: 'sk', expect: 200 })]),
    // --- Query errors ----------------------------------------------------------------------
    c('q-no-key-condition', [table2(), query({ expect: 400 })]),
    c('q-key-condition-non-key', [table2(), query({ kc: 'n = :v', values: { ':v': N(1) }, expect: 400 })]),
    c('q-key-condition-only-range', [table2(), query({ kc: 'sk = :v', values: { ':v': N(1) }, expect: 400 })]),
    c('q-key-condition-or', [table2(), query({ kc: 'pk = :p OR sk = :s', values: { ':p': S('a'), ':s': N(1) }, expect: 400 })]),
    c('q-key-condition-not', [table2(), query({ kc: 'NOT pk = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-hash-lt', [table2(), query({ kc: 'pk < :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-range-ne', [table2(), qa({ kc: 'pk = :p AND sk <> :s', values: { ':s': N(1) }, expect: 400 })]),
    c('q-key-condition-in', [table2(), qa({ kc: 'pk = :p AND sk IN (:s)', values: { ':s': N(1) }, expect: 400 })]),
    c('q-key-condition-exists', [table2(), qa({ kc: 'pk = :p AND attribute_exists(sk)', expect: 400 })]),
    c('q-key-condition-begins-number', [table2(), qa({ kc: 'pk = :p AND begins_with(sk, :s)', values: { ':s': N(1) }, expect: 400 })]),
    c('q-key-condition-begins-hash', [table2(), query({ kc: 'begins_with(pk, :p)', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-hash-twice', [table2(), query({ kc: 'pk = :p AND pk = :q', values: { ':p': S('a'), ':q': S('b') }, expect: 400 })]),
    c('q-key-condition-range-twice', [table2(), qa({ kc: 'pk = :p AND sk > :s AND sk < :t', values: { ':s': N(1), ':t': N(3) }, expect: 400 })]),
    c('q-key-condition-extra-attr', [table2(), qa({ kc: 'pk = :p AND n = :n', values: { ':n': N(1) }, expect: 400 })]),
    c('q-key-condition-two-paths', [table2(), query({ kc: 'pk = sk', expect: 400 })]),
    c('q-key-condition-type-mismatch', [table2(), query({ kc: 'pk = :p', values: { ':p': N(1) }, expect: 400 })]),
    c('q-key-condition-range-type-mismatch', [table2(), qa({ kc: 'pk = :p AND sk = :s', values: { ':s': S('1') }, expect: 400 })]),
    c('q-key-condition-syntax', [table2(), query({ kc: 'pk = = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-undefined-value', [table2(), query({ kc: 'pk = :nope', expect: 400 })]),
    c('q-key-condition-unused-value', [table2(), qa({ values: { ':x': N(1) }, expect: 400 })]),
    c('q-key-condition-reserved', [table({ hash: ['data', 'S'] }), query({ kc: 'data = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-nested-path', [table2(), query({ kc: 'pk.x = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-between-wrong-order', [table2(), qa({ kc: 'pk = :p AND sk BETWEEN :hi AND :lo', values: { ':lo': N(2), ':hi': N(4) }, expect: 400 })]),
    c('q-key-condition-size', [table2(), qa({ kc: 'pk = :p AND size(sk) = :s', values: { ':s': N(1) }, expect: 400 })]),
    c('q-no-table', [table2(), query({ table: 'nope', kc: 'pk = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-limit-zero', [table2(), qa({ Limit: 0, expect: 400 })]),
    c('q-bad-select', [table2(), qa({ Select: 'SOME', expect: 400 })]),
    c('q-select-count-with-projection', [table2(), qa({ Select: 'COUNT', proj: 'n', expect: 400 })]),
    c('q-select-specific-without-projection', [table2(), qa({ Select: 'SPECIFIC_ATTRIBUTES', expect: 400 })]),
    c('q-select-all-with-projection', [table2(), qa({ Select: 'ALL_ATTRIBUTES', proj: 'n', expect: 400 })]),
    c('q-select-projected-on-table', [table2(), qa({ Select: 'ALL_PROJECTED_ATTRIBUTES', expect: 400 })]),
    c('q-exclusive-start-wrong-type', [table2(), qa({ ExclusiveStartKey: { pk: S('a'), sk: S('x') }, expect: 400 })]),
    c('q-exclusive-start-missing-range', [table2(), qa({ ExclusiveStartKey: { pk: S('a') }, expect: 400 })]),
    c('q-exclusive-start-extra-attr', [table2(), qa({ ExclusiveStartKey: { pk: S('a'), sk: N(1), n: N(1) }, expect: 400 })]),
    c('q-filter-syntax', [table2(), qa({ filter: 'n = = 1', expect: 400 })]),
    c('q-filter-unused-name', [table2(), qa({ names: { '#x': 'x' }, expect: 400 })]),
    c('q-projection-reserved', [table2(), qa({ proj: 'data', expect: 400 })]),
    c('q-legacy-and-expression', [table2(), qa({ KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('a')] } }, expect: 400 })]),
    // --- indexes ------------------------------------------------------------------------------
    c('q-gsi', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { proj: 'pk, sk, gr', expect: 200 })]),
    c('q-gsi-range', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g AND gr = :r', { ':g': S('x'), ':r': N(1) }, { expect: 200 })]),
    c('q-gsi-backward', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { ScanIndexForward: false, proj: 'pk, sk', expect: 200 })]),
    c('q-gsi-limit', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { Limit: 3, proj: 'pk, sk', expect: 200 })]),
    c('q-gsi-exclusive-start', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') },
        { ExclusiveStartKey: { gk: S('x'), gr: N(1), pk: S('a'), sk: N(1) }, proj: 'pk, sk', expect: 200 })]),
    c('q-gsi-keys-only', [idxTable(), ...idxItems(), qi('gkeys', 'gk = :g', { ':g': S('x') }, { expect: 200 })]),
    c('q-gsi-keys-only-limit', [idxTable(), ...idxItems(), qi('gkeys', 'gk = :g', { ':g': S('x') }, { Limit: 2, expect: 200 })]),
    c('q-gsi-include', [idxTable(), ...idxItems(), qi('ginc', 'gk = :g', { ':g': S('y') }, { expect: 200 })]),
    c('q-gsi-include-projection', [idxTable(), ...idxItems(), qi('ginc', 'gk = :g', { ':g': S('y') }, { proj: 'n, m, pk', expect: 400 })]),
    c('q-gsi-missing-key-items', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('y') }, { expect: 200 })]),
    c('q-gsi-filter', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { filter: 'n > :n', values: { ':g': S('x'), ':n': N(2) }, proj: 'pk, sk', expect: 200 })]),
    c('q-gsi-filter-on-table-key', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x'), ':n': N(2) }, { filter: 'sk > :n', expect: 200 })]),
    c('q-gsi-filter-on-index-key', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x'), ':n': N(0) }, { filter: 'gr > :n', expect: 400 })]),
    c('q-gsi-select-count', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { Select: 'COUNT', expect: 200 })]),
    c('q-gsi-select-projected', [idxTable(), ...idxItems(), qi('gkeys', 'gk = :g', { ':g': S('y') }, { Select: 'ALL_PROJECTED_ATTRIBUTES', expect: 200 })]),
    c('q-gsi-select-all-keys-only', [idxTable(), ...idxItems(), qi('gkeys', 'gk = :g', { ':g': S('y') }, { Select: 'ALL_ATTRIBUTES', expect: 400 })]),
    c('q-gsi-projection-not-projected', [idxTable(), ...idxItems(), qi('gkeys', 'gk = :g', { ':g': S('y') }, { proj: 'n', expect: 400 })]),
    c('q-gsi-consistent', [idxTable(), qi('gsi', 'gk = :g', { ':g': S('x') }, { ConsistentRead: true, expect: 400 })]),
    c('q-gsi-key-condition-table-key', [idxTable(), qi('gsi', 'pk = :g', { ':g': S('x') }, { expect: 400 })]),
    c('q-gsi-capacity', [idxTable(), ...idxItems(), qi('gsi', 'gk = :g', { ':g': S('x') }, { ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', expect: 200 })]),
    c('q-lsi', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('a') }, { expect: 200 })]),
    c('q-lsi-range', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p AND lr > :r', { ':p': S('a'), ':r': S('g') }, { expect: 200 })]),
    c('q-lsi-fetches-table', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('a') }, { proj: 'm, lr', expect: 200 })]),
    c('q-lsi-select-all', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('b') }, { Select: 'ALL_ATTRIBUTES', Limit: 2, expect: 200 })]),
    c('q-lsi-exclusive-start', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('a') }, { ExclusiveStartKey: { pk: S('a'), sk: N(3), lr: S('g') }, expect: 200 })]),
    c('q-lsi-consistent', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('b') }, { ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('q-lsi-ties', [idxTable(), fill([1, 2, 3, 4, 5, 6, 7].map((i) => ({ pk: S('t'), sk: N(i), lr: S('same') }))), qi('lsi', 'pk = :p', { ':p': S('t') }, { expect: 200 })]),
    c('q-no-such-index', [idxTable(), qi('nope', 'gk = :g', { ':g': S('x') }, { expect: 400 })]),
    c('q-bad-index-name', [idxTable(), qi('x', 'gk = :g', { ':g': S('x') }, { expect: 400 })]),
    c('q-index-on-table-without-indexes', [table2(), qi('gsi', 'pk = :g', { ':g': S('x') }, { expect: 400 })]),
    // --- Scan ------------------------------------------------------------------------------
    c('s-hash-order', [table(), ...manyKeys(), scan({ expect: 200 })]),
    c('s-number-hash-order', [table({ hash: ['pk', 'N'] }), fill(['1', '2', '3', '5', '10', '-1', '0.5', '7', '100', '1e3', '-0.001', '12345678901234567890123', '-7.25'].map((k) => ({ pk: N(k) }))), scan({ expect: 200 })]),
    c('s-binary-hash-order', [table({ hash: ['pk', 'B'] }), fill(['AA==', 'AQ==', '/w==', 'gA==', 'YWJj'].map((k) => ({ pk: { B: k } }))), scan({ expect: 200 })]),
    c('s-range-table', [table2(), ...rangeItems(), scan({ expect: 200 })]),
    c('s-empty', [table(), scan({ expect: 200 })]),
    c('s-limit', [table(), ...manyKeys(), scan({ Limit: 3, proj: 'pk', expect: 200 })]),
    c('s-exclusive-start', [table(), ...manyKeys(), scan({ Limit: 3, proj: 'pk', ExclusiveStartKey: { pk: S('x') }, expect: 200 })]),
    c('s-exclusive-start-missing-item', [table(), ...manyKeys(), scan({ Limit: 3, proj: 'pk', ExclusiveStartKey: { pk: S('nothere') }, expect: 200 })]),
    c('s-exclusive-start-range', [table2(), ...rangeItems(), scan({ Limit: 3, proj: 'pk, sk', ExclusiveStartKey: { pk: S('a'), sk: N(2) }, expect: 200 })]),
    c('s-filter', [table2(), ...rangeItems(), scan({ filter: 't = :t AND sk > :s', values: { ':t': S('odd'), ':s': N(1) }, expect: 200 })]),
    c('s-filter-limit', [table2(), ...rangeItems(), scan({ filter: 'n > :n', values: { ':n': N(20) }, Limit: 4, expect: 200 })]),
    c('s-projection', [table2(), ...rangeItems(), scan({ proj: 't', Limit: 2, expect: 200 })]),
    c('s-select-count', [table2(), ...rangeItems(), scan({ Select: 'COUNT', filter: 'n >= :n', values: { ':n': N(30) }, expect: 200 })]),
    c('s-capacity', [table2(), ...rangeItems(), scan({ ReturnConsumedCapacity: 'TOTAL', Select: 'COUNT', expect: 200 })]),
    c('s-capacity-consistent', [table2(), ...rangeItems(), scan({ ReturnConsumedCapacity: 'INDEXES', ConsistentRead: true, Select: 'COUNT', expect: 200 })]),
    c('s-segments', [table(), ...manyKeys(), scan({ Segment: 0, TotalSegments: 2, proj: 'pk', expect: 200 }), scan({ Segment: 1, TotalSegments: 2, proj: 'pk', expect: 200 })]),
    c('s-segments-three', [table(), ...manyKeys(), scan({ Segment: 0, TotalSegments: 3, proj: 'pk', expect: 200 }),
        scan({ Segment: 1, TotalSegments: 3, proj: 'pk', expect: 200 }), scan({ Segment: 2, TotalSegments: 3, proj: 'pk', expect: 200 })]),
    c('s-segment-limit', [table(), ...manyKeys(), scan({ Segment: 1, TotalSegments: 2, Limit: 2, proj: 'pk', expect: 200 })]),
    c('s-large-items-1mb', [table(), fill([1, 2, 3, 4].map((i) => ({ pk: S('k' + i), x: S('x'.repeat(400000)) }))), scan({ proj: 'pk', expect: 200 })]),
    c('s-gsi', [idxTable(), ...idxItems(), si('gsi', { proj: 'pk, sk, gk, gr', expect: 200 })]),
    c('s-gsi-keys-only', [idxTable(), ...idxItems(), si('gkeys', { expect: 200 })]),
    c('s-gsi-limit', [idxTable(), ...idxItems(), si('gsi', { Limit: 4, proj: 'pk, sk', expect: 200 })]),
    c('s-gsi-exclusive-start', [idxTable(), ...idxItems(), si('gsi', { ExclusiveStartKey: { gk: S('x'), gr: N(1), pk: S('a'), sk: N(1) }, proj: 'pk, sk', expect: 200 })]),
    c('s-lsi', [idxTable(), ...idxItems(), si('lsi', { expect: 200 })]),
    c('s-gsi-consistent', [idxTable(), si('gsi', { ConsistentRead: true, expect: 400 })]),
    c('s-gsi-filter-index-key', [idxTable(), ...idxItems(), si('gsi', { filter: 'gr = :r', values: { ':r': N(0) }, proj: 'pk, sk', expect: 200 })]),
    c('s-filter-key-attribute', [table2(), ...rangeItems(), scan({ filter: 'sk = :s', values: { ':s': N(2) }, expect: 200 })]),
    // --- Scan errors -----------------------------------------------------------------------
    c('s-no-table', [table(), scan({ table: 'nope', expect: 400 })]),
    c('s-limit-zero', [table(), scan({ Limit: 0, expect: 400 })]),
    c('s-segment-without-total', [table(), scan({ Segment: 0, expect: 400 })]),
    c('s-total-without-segment', [table(), scan({ TotalSegments: 2, expect: 400 })]),
    c('s-segment-too-big', [table(), scan({ Segment: 2, TotalSegments: 2, expect: 400 })]),
    c('s-total-segments-too-big', [table(), scan({ Segment: 0, TotalSegments: 1000001, expect: 400 })]),
    c('s-total-segments-zero', [table(), scan({ Segment: 0, TotalSegments: 0, expect: 400 })]),
    c('s-segment-negative', [table(), scan({ Segment: -1, TotalSegments: 2, expect: 400 })]),
    c('s-exclusive-start-wrong-type', [table(), scan({ ExclusiveStartKey: { pk: N(1) }, expect: 400 })]),
    c('s-exclusive-start-not-in-segment', [table(), ...manyKeys(), scan({ Segment: 1, TotalSegments: 2, ExclusiveStartKey: { pk: S('a') }, expect: 200 })]),
    c('s-filter-syntax', [table(), scan({ filter: 'a = = b', expect: 400 })]),
    c('s-filter-undefined-value', [table(), scan({ filter: 'a = :nope', expect: 400 })]),
    c('s-values-without-expression', [table(), scan({ values: { ':a': N(1) }, expect: 400 })]),
    c('s-key-condition', [table(), scan({ kc: 'pk = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('s-bad-select', [table(), scan({ Select: 'COUNTS', expect: 400 })]),
    c('s-select-count-projection', [table(), scan({ Select: 'COUNT', proj: 'pk', expect: 400 })]),
    c('s-no-such-index', [table(), scan({ IndexName: 'nope', expect: 400 })]),
    // --- more checks, and the order DynamoDB Local makes them in ---------------------------------
    c('q-capacity-nothing-read', [table2(), qa({ ReturnConsumedCapacity: 'TOTAL', expect: 200 }), scan({ ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('q-exclusive-start-outside-range', [table2(), put({ pk: S('a'), sk: N(1) }), qa({ kc: 'pk = :p AND sk > :s', values: { ':s': N(5) }, ExclusiveStartKey: { pk: S('a'), sk: N(1) }, expect: 400 })]),
    c('q-exclusive-start-wrong-names', [table2(), qa({ ExclusiveStartKey: { pk: S('a'), x: N(1) }, expect: 400 })]),
    c('s-exclusive-start-empty-key', [table2(), scan({ ExclusiveStartKey: { pk: S(''), sk: N(1) }, expect: 400 })]),
    c('q-gsi-unprojected-list', [idxTable(), qi('gkeys', 'gk = :p', { ':p': S('a') }, { proj: 'zz, n, m.x, pk', expect: 400 })]),
    c('q-gsi-filter-unprojected', [idxTable(), qi('gkeys', 'gk = :p', { ':p': S('a'), ':n': N(1) }, { filter: 'n = :n', expect: 400 })]),
    c('s-gsi-projection-unprojected', [idxTable(), si('gkeys', { proj: 'n', expect: 400 })]),
    c('s-select-projected-on-table', [table2(), scan({ Select: 'ALL_PROJECTED_ATTRIBUTES', expect: 400 })]),
    c('q-lsi-filter-table-range-key', [idxTable(), ...idxItems(), qi('lsi', 'pk = :p', { ':p': S('a'), ':n': N(2) }, { filter: 'sk = :n', expect: 200 })]),
    c('q-lsi-filter-index-key', [idxTable(), qi('lsi', 'pk = :p', { ':p': S('a'), ':n': S('1') }, { filter: 'lr = :n', expect: 400 })]),
    c('q-index-capacity', [idxTable(), put({ pk: S('a'), sk: N(1), gk: S('x'), gr: N(1), lr: S('l'), n: N(1), x: S('z'.repeat(9000)) }),
        qi('gkeys', 'gk = :p', { ':p': S('x') }, { ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', expect: 200 }),
        qi('gsi', 'gk = :p', { ':p': S('x') }, { ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', expect: 200 }),
        qi('lsi', 'pk = :p', { ':p': S('a') }, { ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', expect: 200 }),
        qi('lsi', 'pk = :p', { ':p': S('a') }, { ReturnConsumedCapacity: 'INDEXES', proj: 'n', expect: 200 }),
        si('gkeys', { ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', expect: 200 }), scan({ ReturnConsumedCapacity: 'INDEXES', Select: 'COUNT', Limit: 1, expect: 200 })]),
    c('q-select-count-last-key', [table2(), ...rangeItems(), qa({ Select: 'COUNT', Limit: 1, ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('q-legacy-key-conditions', [table2(), ...rangeItems(), query({ KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('a')] }, sk: { ComparisonOperator: 'GT', AttributeValueList: [N(3)] } }, expect: 200 })]),
    c('s-legacy-scan-filter', [table2(), ...rangeItems(), scan({ ScanFilter: { n: { ComparisonOperator: 'GT', AttributeValueList: [N(30)] } }, expect: 200 })]),
    c('q-attributes-to-get-with-expression', [table2(), qa({ AttributesToGet: ['n'], expect: 400 })]),
    c('q-key-condition-between-types', [table2(), qa({ kc: 'pk = :p AND sk BETWEEN :a AND :b', values: { ':a': S('1'), ':b': S('2') }, expect: 400 })]),
    c('q-key-condition-values-only', [table2(), query({ kc: ':p = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-key-condition-begins-empty', [table({ range: ['sk', 'S'] }), qa({ kc: 'pk = :p AND begins_with(sk, :b)', values: { ':b': S('') }, expect: 400 })]),
    c('q-key-condition-three', [table2(), qa({ kc: 'pk = :p AND sk > :s AND n = :s', values: { ':s': N(1) }, expect: 400 })]),
    c('q-order-filter-before-key-condition', [table2(), query({ kc: 'pk = = :p', values: { ':p': S('a') }, filter: 'a = = b', expect: 400 })]),
    c('q-order-projection-before-key-condition', [table2(), query({ kc: 'pk = = :p', values: { ':p': S('a') }, proj: ',', expect: 400 })]),
    c('q-order-filter-before-projection', [table2(), qa({ filter: 'a = = b', proj: ',', expect: 400 })]),
    c('q-order-table-before-key-condition', [table2(), query({ table: 'nope', kc: 'pk = = :p', values: { ':p': S('a') }, expect: 400 })]),
    c('q-order-limit-before-select', [table2(), qa({ Select: 'X', Limit: 0, expect: 400 })]),
    c('q-order-key-condition-before-select', [table2(), query({ kc: 'pk = = :p', values: { ':p': S('a') }, Select: 'X', expect: 400 })]),
    c('q-order-index-before-key-condition', [idxTable(), qi('nope', 'gk = = :p', { ':p': S('a') }, { expect: 400 })]),
    c('q-order-missed-before-filter-key', [table2(), query({ kc: 'n = :p', values: { ':p': S('a'), ':s': N(1) }, filter: 'sk = :s', expect: 400 })]),
    c('q-order-missed-before-start-key', [table2(), query({ kc: 'n = :p', values: { ':p': S('a') }, ExclusiveStartKey: { pk: S('a') }, expect: 400 })]),
    c('q-order-type-before-missed', [table2(), query({ kc: 'pk = :n AND n = :p', values: { ':p': S('a'), ':n': N(1) }, expect: 400 })]),
    c('q-order-type-before-hash-operator', [table2(), query({ kc: 'pk < :n', values: { ':n': N(1) }, expect: 400 })]),
    c('q-order-twice-before-missed', [table2(), query({ kc: 'n = :p AND n = :p', values: { ':p': S('a') }, expect: 400 })]),
];

// ---------------------------------------------------------------------------
// BatchWriteItem and BatchGetItem

const PR = (item) => ({ PutRequest: { Item: item } });
const DR = (key) => ({ DeleteRequest: { Key: key } });
const KA = (keys, extra) => Object.assign({ Keys: keys }, extra || {});
const getAll = (name) => scanAll(name);

const bcases = [
    // --- BatchWriteItem ------------------------------------------------------------------
    c('bw-put-two', [table(), bw({ tbl: [PR(v1('a')), PR(v1('b'))] }, { expect: 200 }), scanAll()]),
    c('bw-put-and-delete', [table(), put(v1('a')), bw({ tbl: [PR(v1('b')), DR(K('a'))] }, { expect: 200 }), scanAll()]),
    c('bw-two-tables', [table(), tbl2(), bw({ tbl: [PR(v1('a'))], tb2: [PR(item('a', { t: S('two') })), DR(K('z'))] }, { expect: 200 }), scanAll(), scanAll('tb2')]),
    c('bw-overwrite', [table(), put(item('a', { x: N(1), y: N(2) })), bw({ tbl: [PR(item('a', { x: N(3) }))] }, { expect: 200 }), get(K('a'))]),
    c('bw-delete-missing', [table(), bw({ tbl: [DR(K('nope'))] }, { expect: 200 })]),
    c('bw-range-keys', [table2(), bw({ tbl: [PR({ pk: S('a'), sk: N(1) }), PR({ pk: S('a'), sk: N(2) }), DR({ pk: S('a'), sk: N(3) })] }, { expect: 200 }),
        query({ kc: 'pk = :p', values: { ':p': S('a') } })]),
    c('bw-all-types', [table(), bw({ tbl: [PR(item('a', { s: S('x'), n: N('1.50'), b: B('hi'), t: BOOL(false), z: NUL(), m: M({ q: L(N(1)) }), ss: SS('b', 'a'), ns: NS(2, 1), bs: BS('y', 'x') }))] }, { expect: 200 }), get(K('a'))]),
    c('bw-25', [table(), bw({ tbl: Array.from({ length: 25 }, (_, i) => PR(v1('k' + i))) }, { expect: 200 }), step('DescribeTable', { TableName: TBL }, 200)]),
    c('bw-26', [table(), bw({ tbl: Array.from({ length: 26 }, (_, i) => PR(v1('k' + i))) }, { expect: 400 })]),
    c('bw-26-two-tables', [table(), tbl2(), bw({ tbl: Array.from({ length: 13 }, (_, i) => PR(v1('k' + i))), tb2: Array.from({ length: 13 }, (_, i) => PR(v1('k' + i))) }, { expect: 400 })]),
    c('bw-capacity-total', [table(), tbl2(), put(item('big', { x: S('x'.repeat(3000)) })),
        bw({ tbl: [PR(v1('a')), PR(item('b', { x: S('x'.repeat(1500)) })), DR(K('big')), DR(K('none'))], tb2: [PR(v1('a'))] }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('bw-capacity-indexes', [table(), bw({ tbl: [PR(v1('a')), PR(v1('b'))] }, { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('bw-item-collection-metrics', [table(), bw({ tbl: [PR(v1('a'))] }, { ReturnItemCollectionMetrics: 'SIZE', expect: 200 })]),
    c('bw-duplicate-put', [table(), bw({ tbl: [PR(v1('a')), PR(item('a', { x: N(1) }))] }, { expect: 400 }), scanAll()]),
    c('bw-duplicate-put-delete', [table(), bw({ tbl: [PR(v1('a')), DR(K('a'))] }, { expect: 400 })]),
    c('bw-duplicate-delete', [table(), bw({ tbl: [DR(K('a')), DR(K('a'))] }, { expect: 400 })]),
    c('bw-duplicate-number-key', [table({ hash: ['pk', 'N'] }), bw({ tbl: [PR({ pk: N(1) }), PR({ pk: N('1.0') })] }, { expect: 400 })]),
    c('bw-same-key-two-tables', [table(), tbl2(), bw({ tbl: [PR(v1('a'))], tb2: [PR(v1('a'))] }, { expect: 200 })]),
    c('bw-missing-request-items', [table(), step('BatchWriteItem', {}, 400)]),
    c('bw-empty-request-items', [table(), bw({}, { expect: 400 })]),
    c('bw-empty-table-list', [table(), bw({ tbl: [] }, { expect: 400 })]),
    c('bw-no-table', [table(), bw({ nope: [PR(v1('a'))] }, { expect: 400 })]),
    c('bw-no-table-after-good', [table(), bw({ tbl: [PR(v1('a'))], nope: [PR(v1('a'))] }, { expect: 400 }), scanAll()]),
    c('bw-bad-table-name', [table(), bw({ x: [PR(v1('a'))] }, { expect: 400 })]),
    c('bw-put-and-delete-one-element', [table(), bw({ tbl: [Object.assign(PR(v1('a')), DR(K('b')))] }, { expect: 400 })]),
    c('bw-empty-element', [table(), bw({ tbl: [{}] }, { expect: 400 })]),
    c('bw-put-missing-item', [table(), bw({ tbl: [{ PutRequest: {} }] }, { expect: 400 })]),
    c('bw-delete-missing-key', [table(), bw({ tbl: [{ DeleteRequest: {} }] }, { expect: 400 })]),
    c('bw-put-missing-key-attr', [table(), bw({ tbl: [PR({ x: S('a') })] }, { expect: 400 })]),
    c('bw-key-type', [table(), bw({ tbl: [PR(v1('a')), PR({ pk: N(1) })] }, { expect: 400 }), scanAll()]),
    c('bw-delete-extra-key-attr', [table(), bw({ tbl: [DR({ pk: S('a'), x: S('b') })] }, { expect: 400 })]),
    c('bw-empty-key', [table(), bw({ tbl: [PR({ pk: S('') })] }, { expect: 400 })]),
    c('bw-item-too-big', [table(), bw({ tbl: [PR(v1('a')), PR(item('b', { x: S('z'.repeat(409600)) }))] }, { expect: 400 }), scanAll()]),
    c('bw-bad-number', [table(), bw({ tbl: [PR(item('a', { n: N('abc') }))] }, { expect: 400 })]),
    c('bw-condition-ignored', [table(), put(v1('a')), bw({ tbl: [{ PutRequest: { Item: v1('a'), ConditionExpression: 'attribute_not_exists(pk)' } }] }, { expect: 200 })]),
    c('bw-gsi-key-type', [idxTable(), bw({ tbl: [PR({ pk: S('a'), sk: N(1), gk: N(1) })] }, { expect: 400 })]),
    c('bw-then-query-gsi', [idxTable(), bw({ tbl: [PR({ pk: S('a'), sk: N(1), gk: S('g'), gr: N(1) }), PR({ pk: S('b'), sk: N(1), gk: S('g'), gr: N(0) })] }, { expect: 200 }),
        qi('gsi', 'gk = :g', { ':g': S('g') }, { proj: 'pk' })]),
    // --- BatchGetItem ------------------------------------------------------------------------
    c('bg-two-items', [table(), put(item('a', { x: N(1) })), put(item('b', { x: N(2) })), bg({ tbl: KA([K('b'), K('a')]) }, { expect: 200 })]),
    c('bg-order-many', [table(), fill('abcdefghij'.split('').map((k) => v1(k))), bg({ tbl: KA('jihgfedcba'.split('').map((k) => K(k))) }, { expect: 200 })]),
    c('bg-missing', [table(), put(v1('a')), bg({ tbl: KA([K('nope'), K('a')]) }, { expect: 200 })]),
    c('bg-all-missing', [table(), bg({ tbl: KA([K('x')]) }, { expect: 200 })]),
    c('bg-two-tables', [table(), tbl2(), put(v1('a')), put(item('a', { t: S('two') }), { table: 'tb2' }), bg({ tbl: KA([K('a')]), tb2: KA([K('a'), K('b')]) }, { expect: 200 })]),
    c('bg-projection', [table(), put(item('a', { x: N(1), y: M({ z: S('q'), w: S('r') }), data: S('d') })),
        bg({ tbl: KA([K('a')], { ProjectionExpression: 'x, y.z, #d', ExpressionAttributeNames: { '#d': 'data' } }) }, { expect: 200 })]),
    c('bg-attributes-to-get', [table(), put(item('a', { x: N(1), y: N(2) })), bg({ tbl: KA([K('a')], { AttributesToGet: ['y', 'nope'] }) }, { expect: 200 })]),
    c('bg-consistent', [table(), put(v1('a')), bg({ tbl: KA([K('a')], { ConsistentRead: true }) }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('bg-capacity', [table(), tbl2(), put(v1('a')), put(item('big', { x: S('x'.repeat(5000)) })),
        bg({ tbl: KA([K('a'), K('big'), K('none')]), tb2: KA([K('a')]) }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 })]),
    c('bg-capacity-indexes', [table(), put(v1('a')), bg({ tbl: KA([K('a')], { ConsistentRead: true }) }, { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('bg-range-table', [table2(), put({ pk: S('a'), sk: N(1) }), put({ pk: S('a'), sk: N(2) }), bg({ tbl: KA([{ pk: S('a'), sk: N(2) }, { pk: S('a'), sk: N('1.0') }]) }, { expect: 200 })]),
    c('bg-100', [table(), put(v1('k7')), bg({ tbl: KA(Array.from({ length: 100 }, (_, i) => K('k' + i))) }, { expect: 200 })]),
    c('bg-101', [table(), bg({ tbl: KA(Array.from({ length: 101 }, (_, i) => K('k' + i))) }, { expect: 400 })]),
    c('bg-101-two-tables', [table(), tbl2(), bg({ tbl: KA(Array.from({ length: 51 }, (_, i) => K('k' + i))), tb2: KA(Array.from({ length: 50 }, (_, i) => K('k' + i))) }, { expect: 400 })]),
    c('bg-duplicate-keys', [table(), bg({ tbl: KA([K('a'), K('a')]) }, { expect: 400 })]),
    c('bg-same-key-two-tables', [table(), tbl2(), put(v1('a')), bg({ tbl: KA([K('a')]), tb2: KA([K('a')]) }, { expect: 200 })]),
    c('bg-missing-request-items', [table(), step('BatchGetItem', {}, 400)]),
    c('bg-empty-request-items', [table(), bg({}, { expect: 400 })]),
    c('bg-empty-keys', [table(), bg({ tbl: KA([]) }, { expect: 400 })]),
    c('bg-missing-keys', [table(), bg({ tbl: {} }, { expect: 400 })]),
    c('bg-no-table', [table(), bg({ nope: KA([K('a')]) }, { expect: 400 })]),
    c('bg-bad-table-name', [table(), bg({ x: KA([K('a')]) }, { expect: 400 })]),
    c('bg-key-type', [table(), bg({ tbl: KA([{ pk: N(1) }]) }, { expect: 400 })]),
    c('bg-key-missing-attr', [table2(), bg({ tbl: KA([{ pk: S('a') }]) }, { expect: 400 })]),
    c('bg-key-extra-attr', [table(), bg({ tbl: KA([{ pk: S('a'), x: S('b') }]) }, { expect: 400 })]),
    c('bg-empty-key', [table(), bg({ tbl: KA([{ pk: S('') }]) }, { expect: 400 })]),
    c('bg-projection-error', [table(), bg({ tbl: KA([K('a')], { ProjectionExpression: 'data' }) }, { expect: 400 })]),
    c('bg-unused-name', [table(), bg({ tbl: KA([K('a')], { ProjectionExpression: 'x', ExpressionAttributeNames: { '#n': 'y' } }) }, { expect: 400 })]),
    c('bg-names-without-projection', [table(), bg({ tbl: KA([K('a')], { ExpressionAttributeNames: { '#n': 'y' } }) }, { expect: 400 })]),
    c('bg-projection-and-attributes-to-get', [table(), bg({ tbl: KA([K('a')], { ProjectionExpression: 'x', AttributesToGet: ['x'] }) }, { expect: 400 })]),
    c('bg-after-write', [table(), bw({ tbl: [PR(v1('a')), PR(item('b', { version: N(7) }))] }, { expect: 200 }), bg({ tbl: KA([K('a'), K('b')]) }, { expect: 200 })]),
    c('bg-number-keys', [table({ hash: ['pk', 'N'] }), fill([{ pk: N(1) }, { pk: N(2) }, { pk: N(10) }]), bg({ tbl: KA([{ pk: N('1.0') }, { pk: N('2') }, { pk: N('10') }]) }, { expect: 200 })]),
    c('bg-binary-keys', [table({ hash: ['pk', 'B'] }), fill([{ pk: { B: 'AQ==' } }, { pk: { B: 'gA==' } }, { pk: { B: 'AQID' } }]),
        bg({ tbl: KA([{ pk: { B: 'AQ==' } }, { pk: { B: 'gA==' } }, { pk: { B: 'AQID' } }]) }, { expect: 200 })]),
    c('bg-capacity-sizes', [table(), put(item('a', { x: S('z'.repeat(5000)) })), put(item('b', { x: S('z'.repeat(100)) })), tbl2(),
        bg({ tbl: KA([K('a'), K('b'), K('c')]), tb2: KA([K('a')]) }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 }),
        bg({ tbl: KA([K('a'), K('b'), K('c')], { ConsistentRead: true }) }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 }),
        bg({ tbl: KA([K('b')], { ProjectionExpression: 'pk' }) }, { ReturnConsumedCapacity: 'SOME', expect: 200 })]),
    c('bg-capacity-table-order', [table(), tbl2(), table({ name: 't02' }), bg({ tbl: KA([K('a')]), t02: KA([K('a')]), tb2: KA([K('a')]) }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 }),
        bg({ t02: KA([K('a')]), tb2: KA([K('a')]), tbl: KA([K('a')]) }, { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('bg-values-ignored', [table(), bg({ tbl: KA([K('a')], { ProjectionExpression: 'pk', ExpressionAttributeValues: { ':a': N(1) } }) }, { expect: 200 })]),
    c('bg-order-too-many-before-missing-table', [table(), bg({ nope: KA(Array.from({ length: 101 }, (_, i) => K('k' + i))) }, { expect: 400 })]),
    c('bg-order-duplicates-before-missing-table', [table(), bg({ nope: KA([K('a')]), tbl: KA([K('a'), K('a')]) }, { expect: 400 })]),
    c('bg-order-missing-table-before-key-type', [table(), bg({ tbl: KA([{ pk: N(1) }]), nope: KA([K('a')]) }, { expect: 400 })]),
    c('bg-order-key-before-projection', [table(), bg({ tbl: KA([{ pk: N(1) }], { ProjectionExpression: 'a,,' }) }, { expect: 400 })]),
    c('bg-order-empty-keys-before-missing-table', [table(), bg({ tbl: KA([]), nope: KA([K('a')]) }, { expect: 400 })]),
    c('bg-keys-not-an-array', [table(), bg({ tbl: { Keys: 5 } }, { expect: 500 })]),
    c('bw-capacity-sizes', [table({ name: 't01' }), table({ name: 't02' }), table({ name: 't03' }), put(item('big', { x: S('z'.repeat(3000)) }), { table: 't02' }),
        put(item('big', { x: S('z'.repeat(300)) }), { table: 't03' }),
        bw({ t01: [PR(item('a', { x: S('z'.repeat(1500)) })), PR(item('b', { x: S('z'.repeat(1500)) }))], t02: [DR(K('big')), DR(K('none'))],
            t03: [PR(item('big', { x: S('z'.repeat(2500)) }))] }, { ReturnConsumedCapacity: 'TOTAL', expect: 200 }),
        bw({ t01: [PR(K('q'))] }, { ReturnConsumedCapacity: 'SOME', expect: 200 })]),
    c('bw-capacity-two-tables-indexes', [table(), tbl2(), bw({ tbl: [PR(K('a'))], tb2: [PR(K('a'))] }, { ReturnConsumedCapacity: 'INDEXES', expect: 200 })]),
    c('bw-order-too-many-before-missing-table', [table(), bw({ nope: Array.from({ length: 26 }, (_, i) => PR(K('k' + i))) }, { expect: 400 })]),
    c('bw-order-empty-list-before-missing-table', [table(), bw({ nope: [PR(K('a'))], tbl: [] }, { expect: 400 })]),
    c('bw-order-number-before-missing-table', [table(), bw({ nope: [PR(K('a'))], tbl: [PR({ pk: S('a'), n: N('x') })] }, { expect: 400 })]),
    c('bw-order-missing-table-before-duplicates', [table(), bw({ tbl: [PR(K('a')), PR(K('a'))], nope: [PR(K('a'))] }, { expect: 400 })]),
    c('bw-order-duplicate-then-key-type', [table(), bw({ tbl: [PR(K('a')), PR(K('a')), PR({ pk: N(1) })] }, { expect: 400 })]),
    c('bw-order-key-type-then-duplicate', [table(), bw({ tbl: [PR({ pk: N(1) }), PR(K('a')), PR(K('a'))] }, { expect: 400 })]),
    c('bw-order-size-before-key', [table(), bw({ tbl: [PR({ pk: N(1) }), PR(item('b', { x: S('z'.repeat(409600)) }))] }, { expect: 400 })]),
    c('bw-element-not-an-object', [table(), bw({ tbl: [5] }, { expect: 500 })]),
];

module.exports = { transactions, batch: bcases, query: qcases };
