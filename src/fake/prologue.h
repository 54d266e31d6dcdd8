/* olock_fake.h - v0.1.0 - an in-memory Amazon DynamoDB behind an olock_transport
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_FAKE_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation. It uses
   only olock.h's public API, so OLOCK_IMPLEMENTATION may live in another file.

QUICK START
       olock_fake *fake = NULL;
       olock_fake_create(NULL, &fake);             // NULL: default configuration
       olock_config cfg = olock_config_default();
       cfg.transport = olock_fake_transport(fake);
       olock_client *c = NULL;
       olock_client_create(&cfg, &c, NULL);
       ... CreateTable, PutItem, UpdateItem ... through the client ...
       olock_client_destroy(c);                    // first the client,
       olock_fake_destroy(fake);                   // then the fake

WHAT IT IS
   The fake reads X-Amz-Target and the JSON body of each request and answers the way Amazon
   DynamoDB Local 3.x answers: the same HTTP status, the same __type (ValidationException
   comes from com.amazon.coral.validate, the rest from com.amazonaws.dynamodb.v20120810), the
   same Message text and the same body members. Every response carries Content-Type and an
   x-amz-crc32 header. Behaviour is measured against DynamoDB Local, not the documentation;
   where the two differ the fake follows DynamoDB Local.

   Supported: CreateTable (hash or hash+range keys of type S, N or B; local and global
   secondary index definitions), DescribeTable, DeleteTable, ListTables, UpdateTable
   (billing, throughput, deletion protection, GlobalSecondaryIndexUpdates: Create, Update of
   a provisioned index's throughput, Delete; see INDEX LIFECYCLE); GetItem (ConsistentRead, ProjectionExpression,
   AttributesToGet); PutItem, UpdateItem and DeleteItem with ConditionExpression (or the
   legacy Expected / AttributeUpdates), ReturnValues, ReturnValuesOnConditionCheckFailure and
   ReturnConsumedCapacity; condition, update and projection expressions with DynamoDB's
   validation and limits (reserved words, placeholders, 4 KB, 300 operators, 32 levels,
   400 KB items as DynamoDB sizes them, 38-digit numbers).
   TransactWriteItems (Put, Update, Delete, ConditionCheck across items and tables, all or
   nothing; CancellationReasons one per action with ALL_OLD items; ClientRequestToken replays
   within 10 minutes of the virtual clock, IdempotentParameterMismatchException otherwise; 100
   actions, one action per item) and TransactGetItems. Query (key conditions, FilterExpression,
   ProjectionExpression, Select, ScanIndexForward, Limit, ExclusiveStartKey, 1 MB pages, the
   legacy KeyConditions / QueryFilter / AttributesToGet) and Scan (segments, ScanFilter) on
   tables and on their global and local secondary indexes. BatchWriteItem (25 requests) and
   BatchGetItem (100 keys); UnprocessedItems / UnprocessedKeys are empty unless the fault
   OLOCK_FAKE_FAULT_UNPROCESSED leaves half of a batch undone (or, as in DynamoDB Local, a
   put goes into an index being created).
   tests/conformance/README.md lists what DynamoDB Local does that the documentation does not
   say (the order of Scan and of batch responses, which transaction failures are reasons, ...).

   DynamoDB Local details it reproduces: error bodies carry "Message" (capital M); members
   of an item come out in java.util.HashMap order; set members sorted (S by bytes, N by
   value, B by signed bytes); numbers from an Item are stripped ("12.50" is "12.5") while
   numbers from ExpressionAttributeValues keep the text they were sent with and arithmetic
   keeps the larger scale (1.50 + 1.50 = 3.00); UPDATED_OLD / UPDATED_NEW return whole
   top-level attributes; a DeleteItem that finds nothing reports ConsumedCapacity;
   ConsumedCapacity grows with the item size (writes per KB, reads per 4 KB).

INDEX LIFECYCLE
   DynamoDB Local 3.3.1 builds an index that UpdateTable adds in the background: for about
   0.8 s it is CREATING (a Query or Scan of it, and a write of an item that carries its keys,
   answer 500 InternalFailure, a BatchWriteItem hands such puts back in UnprocessedItems;
   deleting it is ResourceInUse "Index is being created."), then
   ACTIVE with the table's existing items in it. A dropped index is DELETING for about as long
   (every PutItem, UpdateItem, BatchWriteItem put and TransactWriteItems on the table answers
   500; deletes work), then gone; its AttributeDefinitions go at once. The fake keeps that
   state for 1000 ms of its virtual clock instead of wall time, so tests stay deterministic:
   an index added at virtual time T is ACTIVE (backfilled) for requests at T + 1000 ms or
   later, and a dropped one is gone then; olock_fake_advance_ms moves the clock (the LATENCY
   fault does too). Only one index may be CREATING or DELETING per table at a time.

THREAD SAFETY
   One fake may serve many threads (and many clients) at once: each request runs under the
   fake's mutex, so every conditional write and every transaction is atomic. The fake reads no
   clock and draws no random numbers: the same requests always give the same responses.

MEMORY
   Everything goes through the allocator in olock_fake_config. Each stored item owns its own
   olock_item and is replaced whole on a write, so a failed write leaves nothing half done.
   Running out of memory answers HTTP 500 InternalServerError; a transaction or batch then
   applied nothing. The ClientRequestTokens of successful transactions are kept until they are
   10 minutes old on the virtual clock (dropped when the token table next grows), so a test
   that never advances the clock keeps every token it used. Up to 64 compiled expressions are
   kept across requests (one allocation each; the same text with the same
   ExpressionAttributeNames skips compiling, and answers as a fresh compile would).
   olock_fake_destroy frees all.

COST
   GetItem, PutItem, UpdateItem and DeleteItem are a hash lookup and a binary search in the
   partition; Query on a table walks one partition; a Scan sorts the partitions, and Query or
   Scan on an index sorts every item of the table that the index holds (fine for unit tests,
   not for millions of items).

TABLE OF CONTENTS
   Search for a part's tag. The declarations are one part, ">>api"; the implementation follows
   in this order (a part uses only the parts above it: the parts are layers over base, the
   fake's core; tools/check-parts checks it), each found as ">>tag (implementation)":
   >>prologue     system headers, DynamoDB's limits
   >>base         platform, allocation, reserved words, the store's types, request context
                  and error answers, request JSON
   >>values       numbers and attribute values with DynamoDB Local's checks, sizes, equality
   >>expr         expressions: tokens, syntax tree, checks in DynamoDB Local's order,
                  evaluation, projection, applying an update
   >>xcache       compiled expressions kept across requests
   >>store        the order of Scan, partitions and items, tables
   >>items        item operations, their shared checks, legacy parameters
   >>txn          transactions: consumed capacity, ClientRequestToken, TransactWriteItems,
                  TransactGetItems
   >>query        Query and Scan, BatchWriteItem and BatchGetItem
   >>api          dispatch by X-Amz-Target, fault injection, the public API
   This file is generated from the parts src/fake/<tag>_impl.h of the olock repository,
   listed in src/fake/olock_fake.parts: change them there and run `make amalgamate`.
*/
#ifndef OLOCK_FAKE_H_INCLUDED
#define OLOCK_FAKE_H_INCLUDED

#ifndef OLOCK_H_INCLUDED
#include "olock.h"
#endif

#ifndef OLOCK_FAKE_API
#define OLOCK_FAKE_API OLOCK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif
