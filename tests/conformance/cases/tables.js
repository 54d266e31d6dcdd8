// Table management: CreateTable, DescribeTable, DeleteTable, ListTables, indexes.
'use strict';
const { S, N, c, step, createReq, table, table2, put, del, describe, K } = require('./lib');

const ct = (req, expect) => step('CreateTable', req, expect);
const list = (req, expect) => step('ListTables', req || {}, expect);
const drop = (name, expect) => step('DeleteTable', { TableName: name || 'tbl' }, expect);
const hashOnly = (name) => createReq({ name });

// A raw CreateTable request with the given key schema and attribute definitions.
function raw(keySchema, attrDefs, extra) {
    return Object.assign(
        { TableName: 'tbl', KeySchema: keySchema, AttributeDefinitions: attrDefs, BillingMode: 'PAY_PER_REQUEST' },
        extra || {}
    );
}
const ks = (a, t) => ({ AttributeName: a, KeyType: t });
const ad = (a, t) => ({ AttributeName: a, AttributeType: t });

const gsi = (name, hash, range, projection) => {
    const idx = { IndexName: name, KeySchema: [ks(hash, 'HASH')], Projection: projection || { ProjectionType: 'ALL' } };
    if (range) idx.KeySchema.push(ks(range, 'RANGE'));
    return idx;
};

// Index validation cases (recorded 2026-12-06): a table pk S + sk N with extra S attributes.
const ixt = (extra, defs, hashOnly) => raw(hashOnly ? [ks('pk', 'HASH')] : [ks('pk', 'HASH'), ks('sk', 'RANGE')],
    (hashOnly ? [ad('pk', 'S')] : [ad('pk', 'S'), ad('sk', 'N')]).concat((defs || []).map((d) => ad(d, 'S'))), extra);
const lsiX = (name, range, projection) => ({ IndexName: name, KeySchema: [ks('pk', 'HASH'), ks(range, 'RANGE')],
    Projection: projection === undefined ? { ProjectionType: 'ALL' } : projection });
const gsiX = (name, hash, projection, extra) => {
    const x = { IndexName: name, KeySchema: [ks(hash, 'HASH')] };
    if (projection !== null) x.Projection = projection === undefined ? { ProjectionType: 'ALL' } : projection;
    return Object.assign(x, extra || {});
};
const inc = (names) => ({ ProjectionType: 'INCLUDE', NonKeyAttributes: names });
const seq = (n, prefix) => Array.from({ length: n }, (_, i) => prefix + i);
const ctx = (name, extra, defs, expect, hashOnly) => c(name, [ct(ixt(extra, defs, hashOnly), expect)]);

// GSI updates (recorded 2026-12-06): the table of the gsiu-* cases, an UpdateTable of
// GlobalSecondaryIndexUpdates with these new S (or `type`) definitions, index throughput.
const gt = (provisioned) => raw([ks('pk', 'HASH'), ks('sk', 'RANGE')], [ad('pk', 'S'), ad('sk', 'N'), ad('g', 'S'), ad('a', 'S')],
    Object.assign({ GlobalSecondaryIndexes: [gsiX('gsi', 'g', undefined, provisioned ? tp(1, 1) : undefined)], LocalSecondaryIndexes: [lsiX('lsi', 'a')] },
        provisioned ? { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } : {}));
const gu = (updates, defs, type) => Object.assign({ TableName: 'tbl', GlobalSecondaryIndexUpdates: updates },
    defs ? { AttributeDefinitions: defs.map((d) => ad(d, type || 'S')) } : {});
const tp = (r, w) => ({ ProvisionedThroughput: { ReadCapacityUnits: r, WriteCapacityUnits: w } });

module.exports = [
    // --- successful creates -------------------------------------------------
    c('create-hash-s', [table()]),
    c('create-hash-n', [table({ hash: ['id', 'N'] })]),
    c('create-hash-b', [table({ hash: ['id', 'B'] })]),
    c('create-hash-range-s-n', [table2()]),
    c('create-hash-range-b-s', [table({ hash: ['h', 'B'], range: ['r', 'S'] })]),
    c('create-hash-range-n-b', [table({ hash: ['h', 'N'], range: ['r', 'B'] })]),
    c('create-provisioned', [table({ billing: 'PROVISIONED' })]),
    c('create-provisioned-range', [table({ billing: 'PROVISIONED', range: ['sk', 'S'] }), describe()]),
    c('create-default-billing-with-throughput', [
        ct({ TableName: 'tbl', KeySchema: [ks('pk', 'HASH')], AttributeDefinitions: [ad('pk', 'S')],
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }, 200),
        describe(),
    ]),
    c('create-provisioned-without-throughput', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { BillingMode: 'PROVISIONED' }), 400)]),
    c('create-no-billing-no-throughput', [ct({ TableName: 'tbl', KeySchema: [ks('pk', 'HASH')], AttributeDefinitions: [ad('pk', 'S')] }, 400)]),
    c('create-ppr-with-throughput', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }), 200),
    ]),
    c('create-throughput-zero', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 1 } }), 400),
    ]),
    c('create-bad-billing-mode', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { BillingMode: 'ON_DEMAND' }), 500)]),
    c('create-deletion-protection', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { DeletionProtectionEnabled: true }), 200),
        drop('tbl', 400),
        step('UpdateTable', { TableName: 'tbl', DeletionProtectionEnabled: false }, 200),
        drop('tbl', 200),
    ]),
    c('create-with-tags', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { Tags: [{ Key: 'team', Value: 'olock' }] }), 200)]),
    c('create-unknown-field-ignored', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { Bogus: 1 }))]),
    c('create-table-name-wrong-json-type', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { TableName: 5 }), 400)]),
    c('create-key-schema-wrong-json-type', [ct(raw('pk', [ad('pk', 'S')]), 500)]),

    // --- table names --------------------------------------------------------
    c('name-too-short', [ct(createReq({ name: 'ab' }), 400)]),
    c('name-min-length', [ct(createReq({ name: 'abc' }), 200), list()]),
    c('name-max-length', [ct(createReq({ name: 'n'.repeat(255) }), 200)]),
    c('name-too-long', [ct(createReq({ name: 'n'.repeat(256) }), 400)]),
    c('name-space', [ct(createReq({ name: 'my table' }), 400)]),
    c('name-dollar', [ct(createReq({ name: 'tbl$' }), 400)]),
    c('name-slash', [ct(createReq({ name: 'a/b/c' }), 400)]),
    c('name-all-allowed-chars', [ct(createReq({ name: 'A-z_0.9' }), 200), describe('A-z_0.9')]),
    c('name-unicode', [ct(createReq({ name: 'tabl\u00e9' }), 400)]),
    c('name-empty', [ct(createReq({ name: '' }), 400)]),
    c('name-missing', [ct({ KeySchema: [ks('pk', 'HASH')], AttributeDefinitions: [ad('pk', 'S')], BillingMode: 'PAY_PER_REQUEST' }, 400)]),
    c('name-too-short-and-bad-chars', [ct(createReq({ name: 'a$' }), 400)]),
    c('name-case-sensitive', [table({ name: 'Tbl' }), ct(createReq({ name: 'tbl' }), 500), list()]),

    // --- key schema / attribute definitions ---------------------------------
    c('key-missing-attr-def', [ct(raw([ks('pk', 'HASH')], [ad('other', 'S')]), 400)]),
    c('key-range-missing-attr-def', [ct(raw([ks('pk', 'HASH'), ks('sk', 'RANGE')], [ad('pk', 'S')]), 400)]),
    c('key-unused-attr-def', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('extra', 'S')]), 400)]),
    c('key-attr-type-bool', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'BOOL')]), 400)]),
    c('key-attr-type-m', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'M')]), 400)]),
    c('key-attr-type-ss', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'SS')]), 400)]),
    c('key-attr-type-lowercase', [ct(raw([ks('pk', 'HASH')], [ad('pk', 's')]), 400)]),
    c('key-two-hash', [ct(raw([ks('a', 'HASH'), ks('b', 'HASH')], [ad('a', 'S'), ad('b', 'S')]), 400)]),
    c('key-two-range', [ct(raw([ks('a', 'RANGE'), ks('b', 'RANGE')], [ad('a', 'S'), ad('b', 'S')]), 400)]),
    c('key-range-without-hash', [ct(raw([ks('a', 'RANGE')], [ad('a', 'S')]), 400)]),
    c('key-range-before-hash', [ct(raw([ks('b', 'RANGE'), ks('a', 'HASH')], [ad('a', 'S'), ad('b', 'S')]), 400)]),
    c('key-three-elements', [ct(raw([ks('a', 'HASH'), ks('b', 'RANGE'), ks('c', 'RANGE')], [ad('a', 'S'), ad('b', 'S'), ad('c', 'S')]), 400)]),
    c('key-empty-schema', [ct(raw([], [ad('a', 'S')]), 400)]),
    c('key-schema-missing', [ct({ TableName: 'tbl', AttributeDefinitions: [ad('a', 'S')], BillingMode: 'PAY_PER_REQUEST' }, 400)]),
    c('key-bad-key-type', [ct(raw([ks('a', 'PRIMARY')], [ad('a', 'S')]), 400)]),
    c('key-hash-and-range-same-attr', [ct(raw([ks('a', 'HASH'), ks('a', 'RANGE')], [ad('a', 'S')]), 400)]),
    c('attr-defs-duplicate', [ct(raw([ks('a', 'HASH')], [ad('a', 'S'), ad('a', 'S')]), 400)]),
    c('attr-defs-duplicate-different-type', [ct(raw([ks('a', 'HASH')], [ad('a', 'S'), ad('a', 'N')]), 400)]),
    c('attr-defs-missing', [ct({ TableName: 'tbl', KeySchema: [ks('a', 'HASH')], BillingMode: 'PAY_PER_REQUEST' }, 400)]),
    c('attr-defs-empty', [ct(raw([ks('a', 'HASH')], []), 400)]),
    c('key-attr-name-empty', [ct(raw([ks('', 'HASH')], [ad('', 'S')]), 400)]),
    c('key-attr-name-max-255', [ct(raw([ks('k'.repeat(255), 'HASH')], [ad('k'.repeat(255), 'S')]), 200)]),
    c('key-attr-name-too-long', [ct(raw([ks('k'.repeat(256), 'HASH')], [ad('k'.repeat(256), 'S')]), 400)]),
    c('key-attr-name-with-dots-and-spaces', [ct(raw([ks('a.b c', 'HASH')], [ad('a.b c', 'S')]), 200)]),

    // --- existence ----------------------------------------------------------
    c('create-already-exists', [table(), ct(hashOnly('tbl'), 400)]),
    c('create-already-exists-different-schema', [table(), ct(createReq({ hash: ['id', 'N'] }), 400)]),
    c('describe-existing', [table2(), describe()]),
    c('describe-missing', [describe('tbl', 400)]),
    c('describe-missing-other-exists', [table(), describe('tbl2', 400)]),
    c('describe-invalid-name', [describe('ab', 400)]),
    c('describe-name-missing', [step('DescribeTable', {}, 400)]),
    c('describe-item-count', [table(), put({ pk: S('a'), n: N(1) }), put({ pk: S('b'), s: S('hello') }), describe()]),
    c('describe-item-count-after-delete', [table(), put({ pk: S('a') }), put({ pk: S('b') }), del(K('a')), describe()]),

    // --- DeleteTable --------------------------------------------------------
    c('delete-table', [table(), drop()]),
    c('delete-table-with-items', [table2(), put({ pk: S('a'), sk: N(1), x: S('xx') }), drop()]),
    c('delete-table-provisioned', [table({ billing: 'PROVISIONED' }), drop()]),
    c('delete-missing', [drop('tbl', 400)]),
    c('delete-twice', [table(), drop(), drop('tbl', 400)]),
    c('delete-then-describe', [table(), drop(), describe('tbl', 400)]),
    c('delete-then-recreate', [table(), put({ pk: S('a') }), drop(), table(), describe()]),
    c('delete-invalid-name', [drop('x', 400)]),
    c('put-after-delete', [table(), drop(), put({ pk: S('a') }, { expect: 400 })]),

    // --- ListTables ---------------------------------------------------------
    c('list-empty', [list()]),
    c('list-sorted', [table({ name: 'zeta' }), table({ name: 'alpha' }), table({ name: 'Beta' }), table({ name: 'alpha2' }), list()]),
    c('list-limit', [table({ name: 'tb1' }), table({ name: 'tb2' }), table({ name: 'tb3' }), list({ Limit: 2 })]),
    c('list-limit-exact-count', [table({ name: 'tb1' }), table({ name: 'tb2' }), list({ Limit: 2 })]),
    c('list-limit-more-than-count', [table({ name: 'tb1' }), table({ name: 'tb2' }), list({ Limit: 3 })]),
    c('list-limit-1-paging', [
        table({ name: 'tb1' }), table({ name: 'tb2' }),
        list({ Limit: 1 }), list({ Limit: 1, ExclusiveStartTableName: 'tb1' }), list({ Limit: 1, ExclusiveStartTableName: 'tb2' }),
    ]),
    c('list-exclusive-start', [table({ name: 'tb1' }), table({ name: 'tb2' }), table({ name: 'tb3' }), list({ ExclusiveStartTableName: 'tb1' })]),
    c('list-exclusive-start-not-a-table', [table({ name: 'tb1' }), table({ name: 'tb3' }), list({ ExclusiveStartTableName: 'tb2' })]),
    c('list-exclusive-start-last', [table({ name: 'tb1' }), list({ ExclusiveStartTableName: 'tb1' })]),
    c('list-exclusive-start-invalid', [list({ ExclusiveStartTableName: 'a' }, 400)]),
    c('list-limit-0', [list({ Limit: 0 }, 400)]),
    c('list-limit-100', [table(), list({ Limit: 100 })]),
    c('list-limit-101', [list({ Limit: 101 }, 400)]),
    c('list-limit-negative', [list({ Limit: -1 }, 400)]),
    c('list-limit-string', [list({ Limit: 'two' }, 500)]),

    // --- secondary indexes --------------------------------------------------
    c('lsi-create', [
        ct(raw([ks('pk', 'HASH'), ks('sk', 'RANGE')], [ad('pk', 'S'), ad('sk', 'S'), ad('alt', 'N')], {
            LocalSecondaryIndexes: [{ IndexName: 'byAlt', KeySchema: [ks('pk', 'HASH'), ks('alt', 'RANGE')], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        }), 200),
        describe(),
    ]),
    c('lsi-include-projection', [
        ct(raw([ks('pk', 'HASH'), ks('sk', 'RANGE')], [ad('pk', 'S'), ad('sk', 'S'), ad('alt', 'S')], {
            LocalSecondaryIndexes: [{ IndexName: 'byAlt', KeySchema: [ks('pk', 'HASH'), ks('alt', 'RANGE')],
                Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x', 'y'] } }],
        }), 200),
    ]),
    c('lsi-on-hash-only-table', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('alt', 'N')], {
            LocalSecondaryIndexes: [{ IndexName: 'byAlt', KeySchema: [ks('pk', 'HASH'), ks('alt', 'RANGE')], Projection: { ProjectionType: 'ALL' } }],
        }), 400),
    ]),
    c('lsi-different-hash', [
        ct(raw([ks('pk', 'HASH'), ks('sk', 'RANGE')], [ad('pk', 'S'), ad('sk', 'S'), ad('alt', 'S')], {
            LocalSecondaryIndexes: [{ IndexName: 'byAlt', KeySchema: [ks('alt', 'HASH'), ks('sk', 'RANGE')], Projection: { ProjectionType: 'ALL' } }],
        }), 400),
    ]),
    c('gsi-create', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [gsi('byG', 'g')] }), 200),
        describe(),
    ]),
    c('gsi-create-hash-range', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S'), ad('h', 'N')], { GlobalSecondaryIndexes: [gsi('byGH', 'g', 'h', { ProjectionType: 'KEYS_ONLY' })] }), 200),
    ]),
    c('gsi-provisioned', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], {
            BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
            GlobalSecondaryIndexes: [Object.assign(gsi('byG', 'g'), { ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } })],
        }), 200),
        describe(),
    ]),
    c('gsi-provisioned-missing-throughput', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], {
            BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
            GlobalSecondaryIndexes: [gsi('byG', 'g')],
        }), 400),
    ]),
    c('gsi-missing-projection', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [ks('g', 'HASH')] }] }), 400),
    ]),
    c('gsi-key-missing-attr-def', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { GlobalSecondaryIndexes: [gsi('byG', 'g')] }), 400),
    ]),
    c('gsi-duplicate-names', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [gsi('byG', 'g'), gsi('byG', 'g')] }), 400),
    ]),
    c('gsi-name-too-short', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [gsi('ab', 'g')] }), 400),
    ]),
    c('gsi-put-wrong-index-key-type', [
        ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [gsi('byG', 'g')] }), 200),
        put({ pk: S('a'), g: N(1) }, { expect: 400 }),
        put({ pk: S('a'), g: S('') }, { expect: 400 }),
        put({ pk: S('a') }, { expect: 200 }),
    ]),

    // --- recorded 2026-12-06 (issue 14): index validation and its order -------------------
    ctx('lsi-five', { LocalSecondaryIndexes: seq(5, 'a').map((a, i) => lsiX('lsi' + i, a)) }, seq(5, 'a'), 200),
    ctx('lsi-six', { LocalSecondaryIndexes: seq(6, 'a').map((a, i) => lsiX('lsi' + i, a)) }, seq(6, 'a'), 400),
    ctx('gsi-twenty', { GlobalSecondaryIndexes: seq(20, 'g').map((g, i) => gsiX('gsi' + i, g)) }, seq(20, 'g'), 200),
    ctx('gsi-twenty-one', { GlobalSecondaryIndexes: seq(21, 'g').map((g, i) => gsiX('gsi' + i, g)) }, seq(21, 'g'), 400),
    ctx('gsi-twenty-one-same-key', { GlobalSecondaryIndexes: seq(21, 'gsi').map((n) => gsiX(n, 'g')) }, ['g'], 400),
    ctx('gsi-projection-empty', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', {})] }, ['g'], 400),
    ctx('gsi-projection-type-missing', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { NonKeyAttributes: ['x'] })] }, ['g'], 400),
    ctx('gsi-projection-type-bogus', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'BOGUS' })] }, ['g'], 400),
    ctx('gsi-all-with-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'ALL', NonKeyAttributes: ['x'] })] }, ['g'], 400),
    ctx('gsi-keys-only-with-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['x'] })] }, ['g'], 400),
    ctx('gsi-keys-only-empty-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: [] })] }, ['g'], 200),
    ctx('gsi-all-empty-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'ALL', NonKeyAttributes: [] })] }, ['g'], 200),
    ctx('gsi-include-without-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', { ProjectionType: 'INCLUDE' })] }, ['g'], 400),
    ctx('gsi-include-empty-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc([]))] }, ['g'], 400),
    ctx('gsi-include-duplicate-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['x', 'x']))] }, ['g'], 400),
    ctx('gsi-include-key-attributes', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['pk', 'sk', 'g', 'x']))] }, ['g'], 200),
    ctx('gsi-include-empty-name', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['']))] }, ['g'], 400),
    ctx('gsi-include-name-too-long', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['x'.repeat(256)]))] }, ['g'], 400),
    ctx('gsi-include-duplicate-before-empty-name', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['x', 'x', '']))] }, ['g'], 400),
    ctx('gsi-include-empty-name-before-duplicate', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(['', 'x', 'x']))] }, ['g'], 400),
    ctx('gsi-include-100-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(100, 'n')))] }, ['g'], 200),
    ctx('gsi-include-101-non-key', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(101, 'n')))] }, ['g'], 400),
    ctx('gsi-include-101-non-key-two-indexes', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(50, 'n'))), gsiX('gs2', 'g', inc(seq(51, 'm')))] }, ['g'], 400),
    ctx('gsi-include-repeated-names-count', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(60, 'n'))), gsiX('gs2', 'g', inc(seq(60, 'n')))] }, ['g'], 400),
    ctx('lsi-and-gsi-non-key-total', { LocalSecondaryIndexes: [lsiX('lsi', 'a', inc(seq(60, 'n')))], GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(41, 'm')))] }, ['a', 'g'], 400),
    ctx('lsi-projection-empty', { LocalSecondaryIndexes: [lsiX('lsi', 'a', {})] }, ['a'], 400),
    ctx('lsi-projection-type-missing', { LocalSecondaryIndexes: [lsiX('lsi', 'a', { NonKeyAttributes: ['x'] })] }, ['a'], 400),
    ctx('lsi-all-with-non-key', { LocalSecondaryIndexes: [lsiX('lsi', 'a', { ProjectionType: 'ALL', NonKeyAttributes: ['x'] })] }, ['a'], 400),
    ctx('lsi-keys-only-with-non-key', { LocalSecondaryIndexes: [lsiX('lsi', 'a', { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['x'] })] }, ['a'], 400),
    ctx('lsi-all-empty-non-key', { LocalSecondaryIndexes: [lsiX('lsi', 'a', { ProjectionType: 'ALL', NonKeyAttributes: [] })] }, ['a'], 200),
    ctx('lsi-range-key-not-defined', { LocalSecondaryIndexes: [lsiX('lsi', 'zz')] }, [], 400),
    ctx('lsi-hash-key-not-defined', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('nope', 'HASH'), ks('a', 'RANGE')], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-hash-key-check-before-range', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('nope', 'HASH'), ks('zz', 'RANGE')], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-hash-only', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('pk', 'HASH')], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-hash-only-other-key', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('nope', 'HASH')], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-two-hash-keys', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('pk', 'HASH'), ks('a', 'HASH')], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-empty-key-schema', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [], Projection: { ProjectionType: 'ALL' } }] }, ['a'], 400),
    ctx('lsi-same-keys-as-table', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('pk', 'HASH'), ks('sk', 'RANGE')], Projection: { ProjectionType: 'ALL' } }] }, [], 200),
    ctx('gsi-same-keys-as-table', { GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [ks('pk', 'HASH'), ks('sk', 'RANGE')], Projection: { ProjectionType: 'ALL' } }] }, [], 200),
    ctx('lsi-and-gsi-same-name', { GlobalSecondaryIndexes: [gsiX('idx', 'g')], LocalSecondaryIndexes: [lsiX('idx', 'a')] }, ['g', 'a'], 400),
    ctx('order-name-clash-before-gsi-projection', { GlobalSecondaryIndexes: [gsiX('idx', 'g', {})], LocalSecondaryIndexes: [lsiX('idx', 'a')] }, ['g', 'a'], 400),
    ctx('order-name-clash-before-gsi-key', { GlobalSecondaryIndexes: [gsiX('idx', 'nope')], LocalSecondaryIndexes: [lsiX('idx', 'a')] }, ['a'], 400),
    ctx('order-lsi-projection-before-name-clash', { GlobalSecondaryIndexes: [gsiX('idx', 'g')], LocalSecondaryIndexes: [lsiX('idx', 'a', {})] }, ['g', 'a'], 400),
    ctx('order-lsi-count-before-gsi-count', { GlobalSecondaryIndexes: seq(21, 'g').map((g, i) => gsiX('gsi' + i, g)), LocalSecondaryIndexes: seq(6, 'a').map((a, i) => lsiX('lsi' + i, a)) }, seq(21, 'g').concat(seq(6, 'a')), 400),
    ctx('order-lsi-count-before-gsi-projection', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', null)], LocalSecondaryIndexes: seq(6, 'a').map((a, i) => lsiX('lsi' + i, a)) }, ['g'].concat(seq(6, 'a')), 400),
    ctx('order-lsi-projection-before-gsi-count', { GlobalSecondaryIndexes: seq(21, 'gsi').map((n) => gsiX(n, 'g')), LocalSecondaryIndexes: [lsiX('lsi', 'a', {})] }, ['g', 'a'], 400),
    ctx('order-gsi-count-before-name-clash', { GlobalSecondaryIndexes: seq(21, 'gsi').map((n) => gsiX(n, 'g')), LocalSecondaryIndexes: [lsiX('gsi0', 'a')] }, ['g', 'a'], 400),
    ctx('order-gsi-count-before-key', { GlobalSecondaryIndexes: seq(21, 'gsi').map((n) => gsiX(n, 'nope')) }, [], 400),
    ctx('order-lsi-count-before-key', { LocalSecondaryIndexes: seq(6, 'lsi').map((n) => lsiX(n, 'nope')) }, [], 400),
    ctx('order-hash-table-before-lsi-count', { LocalSecondaryIndexes: seq(6, 'lsi').map((n) => lsiX(n, 'a')) }, ['a'], 400, true),
    ctx('order-hash-table-before-non-key-total', { LocalSecondaryIndexes: [lsiX('lsi', 'a', inc(seq(101, 'n')))] }, ['a'], 400, true),
    ctx('order-lsi-count-before-non-key-total', { LocalSecondaryIndexes: seq(6, 'lsi').map((n, i) => lsiX(n, 'a', i ? undefined : inc(seq(101, 'n')))) }, ['a'], 400),
    ctx('order-lsi-non-key-total-before-lsi', { LocalSecondaryIndexes: [lsiX('lsi', 'a', inc(seq(101, 'n'))), lsiX('ab', 'a')] }, ['a'], 400),
    ctx('order-lsi-non-key-total-before-gsi-count', { LocalSecondaryIndexes: [lsiX('lsi', 'a', inc(seq(101, 'n')))], GlobalSecondaryIndexes: seq(21, 'gsi').map((n) => gsiX(n, 'g')) }, ['a', 'g'], 400),
    ctx('order-lsi-before-non-key-total', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(101, 'n')))], LocalSecondaryIndexes: [lsiX('lsi', 'nope')] }, ['g'], 400),
    ctx('order-gsi-count-before-non-key-total', { GlobalSecondaryIndexes: seq(21, 'gsi').map((n, i) => gsiX(n, 'g', i ? undefined : inc(seq(101, 'n')))) }, ['g'], 400),
    ctx('order-name-clash-before-non-key-total', { GlobalSecondaryIndexes: [gsiX('idx', 'g', inc(seq(101, 'n')))], LocalSecondaryIndexes: [lsiX('idx', 'a')] }, ['g', 'a'], 400),
    ctx('order-non-key-total-before-gsi', { GlobalSecondaryIndexes: [gsiX('gsi', 'g', inc(seq(101, 'n'))), gsiX('ab', 'g')] }, ['g'], 400),
    ctx('order-gsi-name-before-projection', { GlobalSecondaryIndexes: [gsiX('ab', 'g', {})] }, ['g'], 400),
    ctx('order-gsi-duplicate-before-projection', { GlobalSecondaryIndexes: [gsiX('gsi', 'g'), gsiX('gsi', 'g', {})] }, ['g'], 400),
    ctx('order-gsi-one-by-one', { GlobalSecondaryIndexes: [gsiX('gsa', 'nope'), gsiX('gsi', 'g', {})] }, ['g'], 400),
    ctx('order-gsi-projection-before-key-schema', { GlobalSecondaryIndexes: [{ IndexName: 'gsi', Projection: {} }] }, ['g'], 400),
    ctx('order-gsi-projection-before-key-order', { GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [ks('g', 'RANGE')], Projection: {} }] }, ['g'], 400),
    ctx('order-gsi-projection-before-key-definition', { GlobalSecondaryIndexes: [gsiX('gsi', 'nope', {})] }, [], 400),
    ctx('order-gsi-non-key-before-key-definition', { GlobalSecondaryIndexes: [gsiX('gsi', 'nope', inc(['x', 'x']))] }, [], 400),
    ctx('order-lsi-projection-before-range', { LocalSecondaryIndexes: [lsiX('lsi', 'nope', {})] }, ['a'], 400),
    ctx('order-lsi-projection-before-hash', { LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [ks('nope', 'HASH'), ks('a', 'RANGE')], Projection: {} }] }, ['a'], 400),
    ctx('order-lsi-name-before-projection', { LocalSecondaryIndexes: [lsiX('ab', 'a', {})] }, ['a'], 400),
    ctx('order-lsi-duplicate-name', { LocalSecondaryIndexes: [lsiX('lsi', 'a'), lsiX('lsi', 'a', {})] }, ['a'], 400),
    ctx('order-gsi-throughput-before-name', { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, GlobalSecondaryIndexes: [gsiX('ab', 'g')] }, ['g'], 400),
    ctx('order-gsi-throughput-before-projection', { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, GlobalSecondaryIndexes: [gsiX('gsi', 'g', {})] }, ['g'], 400),

    // --- recorded 2026-12-06 (issue 14, GSI updates): UpdateTable GlobalSecondaryIndexUpdates ---
    // A table pk S + sk N with an LSI `lsi` on a and a GSI `gsi` on g (both from CreateTable).
    // The steps run within DynamoDB Local's ~0.8 s of CREATING / DELETING; what follows it
    // (ACTIVE, the backfill, the index gone) is tested on the fake's clock in tests/test_fake_tables.c.
    c('gsiu-create', [ct(gt()), put({ pk: S('a'), sk: N(1), h: S('x') }, 200), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 200),
        describe('tbl'), step('Scan', { TableName: 'tbl', IndexName: 'gs2' }, 500),
        step('Query', { TableName: 'tbl', IndexName: 'gs2', KeyConditionExpression: 'h = :h', ExpressionAttributeValues: { ':h': S('x') } }, 500),
        step('UpdateTable', gu([{ Delete: { IndexName: 'gs2' } }]), 400), step('Scan', { TableName: 'tbl' }, 200)]),
    c('gsiu-create-writes', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 200),
        put({ pk: S('a'), sk: N(1), z: S('x') }, 200), put({ pk: S('b'), sk: N(1), h: S('x') }, 500),
        step('UpdateItem', { TableName: 'tbl', Key: { pk: S('a'), sk: N(1) }, UpdateExpression: 'SET h = :h', ExpressionAttributeValues: { ':h': S('y') } }, 500),
        put({ pk: S('c'), sk: N(1), g: S('x') }, 200), step('Scan', { TableName: 'tbl', IndexName: 'gsi' }, 200), describe('tbl')]),
    c('gsiu-create-include-range', [ct(gt()), step('UpdateTable', gu([{ Create: { IndexName: 'gs2', KeySchema: [ks('h', 'HASH'), ks('sk', 'RANGE')], Projection: inc(['x', 'y']) } }], ['h', 'sk'], 'N'), 200)]),
    c('gsiu-create-keys-only', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', { ProjectionType: 'KEYS_ONLY' }) }], ['h']), 200)]),
    c('gsiu-create-existing-definition', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'g') }], ['g']), 200)]),
    c('gsiu-create-table-key', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'pk') }], ['pk']), 200)]),
    c('gsiu-create-extra-definitions', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h', 'zz']), 200), describe('tbl')]),
    c('gsiu-create-hash-only-table', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')])), step('UpdateTable', gu([{ Create: gsiX('gsi', 'g') }], ['g']), 200),
        step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 400)]),
    c('gsiu-create-definition-type-clash', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'g') }], ['g'], 'N'), 400)]),
    c('gsiu-create-no-definitions', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'g') }]), 400)]),
    c('gsiu-create-empty-definitions', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'g') }], []), 400)]),
    c('gsiu-create-undefined-key', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['x']), 400)]),
    c('gsiu-create-undefined-range', [ct(gt()), step('UpdateTable', gu([{ Create: { IndexName: 'gs2', KeySchema: [ks('h', 'HASH'), ks('r', 'RANGE')], Projection: { ProjectionType: 'ALL' } } }], ['h']), 400)]),
    c('gsiu-create-duplicate-gsi', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gsi', 'h') }], ['h']), 400)]),
    c('gsiu-create-duplicate-lsi', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('lsi', 'h') }], ['h']), 400)]),
    c('gsiu-create-no-projection', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', null) }], ['h']), 400)]),
    c('gsiu-create-include-empty', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', { ProjectionType: 'INCLUDE' }) }], ['h']), 400)]),
    c('gsiu-create-include-duplicate', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', inc(['x', 'x'])) }], ['h']), 400)]),
    c('gsiu-create-bad-projection-type', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', { ProjectionType: 'SOME' }) }], ['h']), 400)]),
    c('gsiu-create-keys-only-with-attributes', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['x'] }) }], ['h']), 400)]),
    c('gsiu-create-bad-name', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('ab', 'h') }], ['h']), 400)]),
    c('gsiu-create-no-name', [ct(gt()), step('UpdateTable', gu([{ Create: { KeySchema: [ks('h', 'HASH')], Projection: { ProjectionType: 'ALL' } } }], ['h']), 400)]),
    c('gsiu-create-no-key-schema', [ct(gt()), step('UpdateTable', gu([{ Create: { IndexName: 'gs2', Projection: { ProjectionType: 'ALL' } } }], ['h']), 400)]),
    c('gsiu-create-range-first', [ct(gt()), step('UpdateTable', gu([{ Create: { IndexName: 'gs2', KeySchema: [ks('h', 'RANGE'), ks('g', 'HASH')], Projection: { ProjectionType: 'ALL' } } }], ['h', 'g']), 400)]),
    c('gsiu-create-21st', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: seq(20, 'gsi').map((n) => gsiX(n, 'g')) })),
        step('UpdateTable', gu([{ Create: gsiX('gsx', 'h') }], ['h']), 400), step('UpdateTable', gu([{ Create: gsiX('gsi0', 'h') }], ['h']), 400),
        step('UpdateTable', gu([{ Create: gsiX('gsx', 'h', {}) }], ['h']), 400)]),
    c('gsiu-create-provisioned', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', undefined, tp(2, 3)) }], ['h']), 200), describe('tbl')]),
    c('gsiu-create-provisioned-no-throughput', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 500)]),
    c('gsiu-create-provisioned-zero', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', undefined, tp(0, 3)) }], ['h']), 400)]),
    c('gsiu-create-provisioned-no-write', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', undefined, { ProvisionedThroughput: { ReadCapacityUnits: 1 } }) }], ['h']), 400)]),
    c('gsiu-create-on-demand-throughput', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', undefined, tp(2, 3)) }], ['h']), 200)]),
    c('gsiu-create-to-on-demand', [ct(gt(true)), step('UpdateTable', Object.assign(gu([{ Create: gsiX('gs2', 'h') }], ['h']), { BillingMode: 'PAY_PER_REQUEST' }), 200)]),
    c('gsiu-create-to-provisioned', [ct(gt()), step('UpdateTable', Object.assign(gu([{ Create: gsiX('gs2', 'h') }], ['h']), { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }), 500)]),
    c('gsiu-create-and-protection', [ct(gt()), step('UpdateTable', Object.assign(gu([{ Create: gsiX('gs2', 'h') }], ['h']), { DeletionProtectionEnabled: false }), 200)]),
    c('gsiu-create-while-creating', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 200),
        step('UpdateTable', gu([{ Create: gsiX('gs3', 'i') }], ['i']), 400), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 400),
        step('UpdateTable', gu([{ Create: gsiX('gs2', 'i') }], ['i']), 400)]),
    c('gsiu-two-creates', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }, { Create: gsiX('gs3', 'h') }], ['h']), 400)]),
    c('gsiu-two-creates-invalid', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', {}) }, { Create: gsiX('ab', 'h') }], ['h']), 400)]),
    c('gsiu-create-and-delete', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }, { Delete: { IndexName: 'gsi' } }], ['h']), 400)]),
    c('gsiu-create-delete-one-element', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h'), Delete: { IndexName: 'gsi' } }], ['h']), 400)]),
    c('gsiu-two-deletes-one-index', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }, { Delete: { IndexName: 'gsi' } }]), 400)]),
    c('gsiu-create-twice-one-name', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }, { Create: gsiX('gs2', 'h') }], ['h']), 400)]),
    c('gsiu-delete', [ct(gt()), put({ pk: S('a'), sk: N(1), g: S('x') }, 200), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 200),
        describe('tbl'), step('Scan', { TableName: 'tbl', IndexName: 'gsi' }, 500), put({ pk: S('b'), sk: N(1), g: S('x') }, 500),
        put({ pk: S('b'), sk: N(1), z: S('x') }, 200), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 400)]),
    c('gsiu-delete-then-create', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 200),
        step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 400), step('UpdateTable', gu([{ Create: gsiX('gsi', 'h') }], ['h']), 400)]),
    c('gsiu-delete-provisioned', [ct(gt(true)), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 200)]),
    c('gsiu-delete-shared-definition', [ct(raw([ks('pk', 'HASH')], [ad('pk', 'S'), ad('g', 'S')], { GlobalSecondaryIndexes: [gsiX('gsi', 'g'), gsiX('gs2', 'g')] })),
        step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 200)]),
    c('gsiu-delete-and-protection', [ct(gt()), step('UpdateTable', Object.assign(gu([{ Delete: { IndexName: 'gsi' } }]), { DeletionProtectionEnabled: true }), 200),
        step('UpdateTable', { TableName: 'tbl', DeletionProtectionEnabled: false }, 200)]),
    c('gsiu-delete-unknown', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'nope' } }]), 400)]),
    c('gsiu-delete-lsi', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'lsi' } }]), 400)]),
    c('gsiu-delete-no-name', [ct(gt()), step('UpdateTable', gu([{ Delete: {} }]), 400)]),
    c('gsiu-delete-bad-name', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'ab' } }]), 400)]),
    c('gsiu-update-throughput', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'gsi', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 200), describe('tbl')]),
    c('gsiu-update-unknown', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'nope', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 400)]),
    c('gsiu-update-lsi', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'lsi', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 400)]),
    c('gsiu-update-zero', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'gsi', ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 5 } } }]), 400)]),
    c('gsiu-update-no-throughput', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'gsi' } }]), 400)]),
    c('gsiu-update-on-demand', [ct(gt()), step('UpdateTable', gu([{ Update: { IndexName: 'gsi', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 500)]),
    c('gsiu-update-and-create', [ct(gt(true)), step('UpdateTable', gu([{ Update: { IndexName: 'gsi', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } },
        { Create: gsiX('gs2', 'h', undefined, tp(2, 3)) }], ['h']), 200)]),
    c('gsiu-empty-list', [ct(gt()), step('UpdateTable', gu([]), 400)]),
    c('gsiu-empty-element', [ct(gt()), step('UpdateTable', gu([{}]), 400)]),
    c('gsiu-not-a-list', [ct(gt()), step('UpdateTable', gu({ Delete: { IndexName: 'gsi' } }), 500)]),
    c('gsiu-definitions-only', [ct(gt()), step('UpdateTable', { TableName: 'tbl', AttributeDefinitions: [ad('h', 'S')] }, 400)]),
    c('gsiu-missing-table', [step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 400)]),
    // which error wins when a GlobalSecondaryIndexUpdates request has several
    c('gsiu-order-definitions-before-name', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('ab', 'h') }]), 400)]),
    c('gsiu-order-name-before-duplicate', [ct(gt()), step('UpdateTable', gu([{ Create: { KeySchema: [ks('h', 'HASH')] } }], ['h']), 400)]),
    c('gsiu-order-duplicate-before-projection', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gsi', 'h', {}) }], ['h']), 400)]),
    c('gsiu-order-projection-before-type-clash', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'g', {}) }], ['g'], 'N'), 400)]),
    c('gsiu-order-type-clash-before-key', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'nope') }], ['g'], 'N'), 400)]),
    c('gsiu-order-projection-before-key', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'nope', {}) }], ['h']), 400)]),
    c('gsiu-order-key-before-throughput', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'nope', undefined, tp(0, 0)) }], ['h']), 400)]),
    c('gsiu-order-throughput-before-projection', [ct(gt(true)), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h', {}, tp(0, 0)) }], ['h']), 400)]),
    c('gsiu-order-null-action-before-duplicate', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }, { Delete: { IndexName: 'gsi' } }, {}]), 400)]),
    c('gsiu-order-duplicate-before-limit', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }, { Delete: { IndexName: 'gsi' } }, { Delete: { IndexName: 'gsi' } }], ['h']), 400)]),
    c('gsiu-order-update-before-delete', [ct(gt(true)), step('UpdateTable', gu([{ Delete: { IndexName: 'nope' } }, { Update: { IndexName: 'nope2', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 400)]),
    c('gsiu-order-table-throughput-before-index', [ct(gt(true)), step('UpdateTable', Object.assign(gu([{ Delete: { IndexName: 'nope' } }]), { ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 1 } }), 400)]),
    c('gsiu-order-limit-before-unknown', [ct(gt()), step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 200),
        step('UpdateTable', gu([{ Delete: { IndexName: 'nope' } }]), 400), step('UpdateTable', gu([{ Create: gsiX('gs3', 'h', {}) }], ['h']), 400),
        step('UpdateTable', gu([{ Update: { IndexName: 'gsi', ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 } } }]), 500)]),
    c('gsiu-create-batch-write', [ct(gt()), ct(raw([ks('pk', 'HASH')], [ad('pk', 'S')], { TableName: 'tb2' })),
        step('UpdateTable', gu([{ Create: gsiX('gs2', 'h') }], ['h']), 200),
        step('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: { pk: S('c'), sk: N(1), h: S('z') } } }, { PutRequest: { Item: { pk: S('e'), sk: N(1) } } },
            { PutRequest: { Item: { pk: S('f'), sk: N(2), h: S('z'), x: N(1) } } }, { DeleteRequest: { Key: { pk: S('q'), sk: N(1) } } }],
        tb2: [{ PutRequest: { Item: { pk: S('c'), h: S('z') } } }] }, ReturnConsumedCapacity: 'TOTAL' }, 200),
        step('Scan', { TableName: 'tbl' }, 200),
        step('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: { pk: S('c'), sk: N(1), h: N(1) } } }] } }, 400),
        step('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: { pk: S('c'), sk: N(1), h: S('') } } }] } }, 400),
        step('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: { pk: S('g'), sk: N(1), h: S('z') } } }] } }, 200)]),
    c('gsiu-delete-batch-write', [ct(gt()), step('UpdateTable', gu([{ Delete: { IndexName: 'gsi' } }]), 200),
        step('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: { pk: S('e'), sk: N(1) } } }] } }, 500),
        step('BatchWriteItem', { RequestItems: { tbl: [{ DeleteRequest: { Key: { pk: S('e'), sk: N(1) } } }] } }),
        step('DeleteItem', { TableName: 'tbl', Key: { pk: S('e'), sk: N(1) } }, 200),
        step('TransactWriteItems', { TransactItems: [{ Put: { TableName: 'tbl', Item: { pk: S('e'), sk: N(1) } } }] }, 500),
        step('UpdateItem', { TableName: 'tbl', Key: { pk: S('e'), sk: N(1) }, UpdateExpression: 'SET q = :q', ExpressionAttributeValues: { ':q': S('1') } }, 500)]),
];
