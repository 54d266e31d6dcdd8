/* olock.h - v0.1.0 - optimistic locking for Amazon DynamoDB, in one header
   SPDX-License-Identifier: MIT

   Do this:
       #define OLOCK_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the implementation.
   Every other file includes it without the define.

TABLE OF CONTENTS
   The file is in parts, each a declaration half (all of them first, in this order) and an
   implementation half (after `#if defined(OLOCK_IMPLEMENTATION)`, in the same order). Search
   for a part's tag: ">>engine" finds its declarations, ">>engine (implementation)" its code.
   A part uses only the parts above it, and of another part's private names (olock__*) only
   those core offers every part and those the part lists as "Private names later parts may
   use" at the top of its implementation (tools/check-parts, run by `make test`, checks both).

   >>prologue     this block, configuration macros, version, OLOCK_API; system headers
   >>core         results and errors, allocation, buffers, arenas
   >>decimal      DynamoDB numbers: exact decimals of up to 38 significant digits
   >>value        values (the ten DynamoDB types) and items
   >>json         a strict JSON parser and writer, base64, CRC-32, DynamoDB JSON
   >>wire         the HTTP transport contract, operations, request encoders, responses and
                  error classes
   >>expr         expression builders: conditions, updates, projections, key conditions
                  (its implementation continues with the rendering and validation)
   >>sigv4        SHA-256 and HMAC-SHA256, SigV4 request signing, the credentials type
   >>aws_config   credentials, region and endpoint resolved as the AWS SDKs do; URLs
   >>client       configuration, the client, single-attempt calls, the everyday calls
   >>engine       versioned writes, the writer ledger, the item cache, tasks (the state
                  machine every operation is), transactions, multi-item read-modify-write
   >>records      typed records: a C struct described by a field table, read, written and
                  updated on the engine

   This file is generated: the parts are the files src/<tag>.h and src/<tag>_impl.h of the
   olock repository (expr's implementation in two: expr_impl.h, expr_render_impl.h), listed in
   src/olock.parts. Change them there and run `make amalgamate`.

QUICK START
   A DynamoDB item is an olock_item: a map of attribute names to typed values, owned by one
   arena and freed in one call (the codec turns items into DynamoDB JSON and back). A client
   sends requests through a transport: backends/olock_curl.h for real DynamoDB,
   backends/olock_fake.h for the in-memory fake used in unit tests, or your own HTTP stack.
   Requests start from their _default() and results are read by attribute name.

   Quick start (compiled by tests/readme_snippets.sh):

       #define OLOCK_IMPLEMENTATION                   // in one file; the others just include
       #define OLOCK_FAKE_IMPLEMENTATION
       #include "olock.h"
       #include "olock_fake.h"
       #include <stdio.h>

       int main(void) {
           olock_fake *fake = NULL;
           olock_client *db = NULL;
           olock_config cfg = olock_config_default();
           olock_create_table_request table = olock_create_table_request_default();
           olock_item_request put = olock_item_request_default();
           olock_item *player = NULL, *got = NULL;
           olock_write_result res;
           olock_error err;
           olock_buf json;
           int64_t gold = 0;

           olock_fake_create(NULL, &fake);            // or olock_curl_create + cfg.endpoint
           cfg.transport = olock_fake_transport(fake);
           if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) return 1;
           table.table = "players"; table.hash_key = "id"; table.hash_type = OLOCK_TYPE_S;
           olock_create_table(db, &table, NULL, &err);

           olock_item_create(NULL, &player);          // NULL: default allocator
           olock_item_set_s(player, "id", "player-7");
           olock_item_set_i64(player, "gold", 120);
           olock_buf_init(&json, NULL);
           olock_item_write_json(player, &json);      // {"id":{"S":"player-7"},"gold":{"N":"120"}}
           olock_buf_free(&json);

           put.table = "players"; put.item = player->root;
           // expected version 0: the item must be new; it is stored at version 1
           if (olock_versioned_put(db, &put, 0, &res, &err) != OLOCK_OK) return 1;
           olock_item_remove(player, "gold");         // now just the key
           if (olock_get(db, "players", player->root, 1, &got, &err) != OLOCK_OK) return 1;
           olock_item_get_i64(got, "gold", &gold);
           printf("player-7: %lld gold, version %llu\n", (long long)gold,
                  (unsigned long long)res.version);

           olock_item_destroy(got);
           olock_item_destroy(player);
           olock_client_destroy(db);                  // the client first, then the fake
           olock_fake_destroy(fake);
           return 0;
       }

   olock_update does a whole read-modify-write with a callback, re-applied on a conflict; the
   README's "Which call do I want" lists the everyday calls.

CONFIGURATION MACROS (define before including, in every file that includes olock.h)
   OLOCK_STATIC         every function static (and marked unused): a private copy per file
   OLOCK_API            decoration of public functions (default: extern)
   OLOCK_MALLOC(ctx,sz) / OLOCK_REALLOC(ctx,p,old_sz,new_sz) / OLOCK_FREE(ctx,p)
                        compile-time allocator, all three or none. ctx is the `ctx` of the
                        olock_allocator in use (NULL for the default one). A runtime allocator
                        (olock_allocator in the config or passed to a create function) wins.
   OLOCK_ASSERT(x)      internal consistency checks (default: assert)
   OLOCK_MAX_DEPTH      nesting bound of the JSON parser (default 64; DynamoDB documents
                        allow 32 levels of attribute nesting, which is 64 JSON levels)

ERROR MODEL
   Every fallible function returns olock_result (OLOCK_OK == 0) and writes its out-parameters
   only on success. Pass an olock_error (caller-owned, no heap) as the last argument to learn
   more: the HTTP status, the AWS error name (__type after '#'), its message, the byte offset
   of a parse error and the number of attempts. Pass NULL if you do not care.
   A conflict (ConditionalCheckFailedException) is OLOCK_CONFLICT: a normal outcome.
   The message names the cause: the function and argument of an OLOCK_ERR_INVALID_ARG
   ("olock_versioned_put: req->table is NULL or empty"), the setting a network transport lacks
   (OLOCK_ERR_CONFIG from olock_client_create), the transport's own words about a failed send
   ("request not sent: Failed to connect to 127.0.0.1 port 1: ..."), the status and endpoint of
   an answer no DynamoDB sends ("HTTP 404 with an empty body: is the endpoint (...)
   DynamoDB?"), else DynamoDB's own message.

THREAD SAFETY
   No global state. An olock_item, olock_buf or olock_client is used by one thread at a time;
   distinct objects may be used from distinct threads freely.

MEMORY
   Values live in the arena of the item (or response) that created them and die with it.
   Strings handed to constructors are copied. Nothing returned as `const` is yours to free.
*/
/* The implementation's default clock and sleep are POSIX; ask for them before the first
   system header of this file (it has no effect when the includer already included one). */
#if defined(OLOCK_IMPLEMENTATION) && !defined(_WIN32) && !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef OLOCK_H_INCLUDED
#define OLOCK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#ifdef OLOCK_USE_MBEDTLS
#include <mbedtls/sha256.h> /* olock_sha256 embeds mbedTLS's context */
#endif

#define OLOCK_VERSION_MAJOR 0
#define OLOCK_VERSION_MINOR 1
#define OLOCK_VERSION_PATCH 0
#define OLOCK_VERSION_STRING "0.1.0"

#ifndef OLOCK_API
#ifdef OLOCK_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define OLOCK_API static __attribute__((unused))
#else
#define OLOCK_API static
#endif
#else
#define OLOCK_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif
