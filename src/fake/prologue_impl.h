/* =============================================================================================
   >>prologue (implementation): system headers, DynamoDB's limits
   ========================================================================================== */
#if defined(OLOCK_FAKE_IMPLEMENTATION) && !defined(OLOCK_FAKE_IMPLEMENTATION_INCLUDED)
#define OLOCK_FAKE_IMPLEMENTATION_INCLUDED

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <pthread.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define OLOCK__FAKE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OLOCK__FAKE_PRINTF(f, a)
#endif

/* The namespaces DynamoDB Local puts in front of error names. */
#define OLOCK__FAKE_VALIDATION "com.amazon.coral.validate#ValidationException"
#define OLOCK__FAKE_NS "com.amazonaws.dynamodb.v20120810#"

/* DynamoDB's limits, as DynamoDB Local enforces them. */
#define OLOCK__FAKE_MAX_ITEM 409600u    /* 400 KB, in DynamoDB's item-size units */
#define OLOCK__FAKE_MAX_EXPR 4096u      /* bytes of one expression */
#define OLOCK__FAKE_MAX_DEPTH 32        /* nesting of document values and paths */
#define OLOCK__FAKE_MAX_PARSE_DEPTH 256 /* parentheses / NOT nesting the parser follows */
#define OLOCK__FAKE_MAX_OPERATORS 300   /* operators and functions in one expression */
#define OLOCK__FAKE_MAX_PLACEHOLDER 255 /* length of a #name or :value key */
#define OLOCK__FAKE_MAX_NAME 65535      /* bytes of an attribute name */
#define OLOCK__FAKE_MAX_JSON_NAME 50000 /* DynamoDB Local's JSON reader fails on longer names */
