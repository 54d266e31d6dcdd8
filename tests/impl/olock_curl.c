/* backends/olock_curl.h's implementation on its own (needs the libcurl headers): see
   tests/impl/olock.c. */
#define OLOCK_CURL_IMPLEMENTATION
#include "olock.h"
#include "olock_curl.h"
