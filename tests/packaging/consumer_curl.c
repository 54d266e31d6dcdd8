/* A user's program linking the libcurl transport (tests/packaging.sh): creates and destroys
   an olock_curl and a client on it, sending nothing. Exits 0 on success. */
#define OLOCK_IMPLEMENTATION
#define OLOCK_CURL_IMPLEMENTATION
#include "olock.h"
#include "olock_curl.h"
#include <curl/curl.h>
#include <stdio.h>

int main(void) {
    olock_curl *t = NULL;
    olock_client *db = NULL;
    olock_config cfg = olock_config_default();
    olock_error err;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    if (olock_curl_create(NULL, &t) != OLOCK_OK) return 1;
    olock_curl_destroy(t);                      /* a transport of our own: we destroy it */
    t = NULL;
    if (olock_curl_create(NULL, &t) != OLOCK_OK) return 1;
    cfg.transport = olock_curl_transport(t);    /* now the client owns it */
    cfg.endpoint = "http://127.0.0.1:1";
    cfg.region = "us-east-1";
    cfg.credentials.access_key_id = "AKIDLOCAL"; /* a network transport needs a region and credentials */
    cfg.credentials.secret_access_key = "local";
    cfg.ignore_environment = 1;
    if (olock_client_create(&cfg, &db, &err) != OLOCK_OK) {
        fprintf(stderr, "olock_client_create: %s\n", err.message);
        return 1;
    }
    olock_client_destroy(db);
    curl_global_cleanup();
    printf("olock %s: curl transport ok (%s)\n", OLOCK_VERSION_STRING, curl_version());
    return 0;
}
