/* libFuzzer target: the shared credentials file parser and the endpoint URL splitter. The
   first byte picks the profile; the rest is the file. No crash, no leak; an error message
   never holds a secret value from the file. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const profiles[] = { NULL, "default", "dev", "x" };
    olock_aws_config c;
    olock_error e;
    olock_url_parts u;
    char *url;
    if (size < 1) return 0;
    olock_aws_config_init(&c, NULL);
    if (olock_aws_config_parse_credentials(&c, (const char *)data + 1, size - 1, profiles[data[0] % 4], "fuzz", &e) == OLOCK_OK) {
        if (!c.access_key_id || !c.secret_access_key) abort();
    } else if (!strstr(e.message, "fuzz")) {
        abort();                          /* every parse error names the file */
    }
    olock_aws_config_free(&c);
    /* the same bytes as an endpoint URL */
    url = (char *)malloc(size);
    if (!url) return 0;
    memcpy(url, data + 1, size - 1);
    url[size - 1] = 0;
    if (olock_url_split(url, &u, &e) == OLOCK_OK && (u.host_len == 0 || (u.port == 0))) abort();
    free(url);
    return 0;
}
