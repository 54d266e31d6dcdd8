/* =============================================================================================
   >>aws_config: credentials, region and endpoint resolved as the AWS SDKs do; URLs
   ========================================================================================== */

/* ---- Credentials, region and endpoint, resolved as the AWS SDKs do --------------------------- */

/* An environment to read variables from. get returns the value of `name` or NULL when unset;
   the returned string must stay valid until the resolving call returns. Every olock function
   that takes `const olock_env *env` reads the process environment (getenv) when env is NULL. */
typedef struct olock_env {
    const char *(*get)(void *user, const char *name);
    void *user;
} olock_env;

/* Resolved settings; every string is owned by the struct (NULL until resolved). */
typedef struct olock_aws_config {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;            /* NULL when none */
    const char *credentials_source; /* static: "explicit", "environment", "shared credentials file" */
    char *region;
    char *endpoint; /* e.g. "https://dynamodb.eu-west-1.amazonaws.com/" */
    const olock_allocator *alloc;
} olock_aws_config;

OLOCK_API void olock_aws_config_init(olock_aws_config *c, const olock_allocator *alloc);
/* Wipes the secrets and frees every string; *c is initialised again (alloc kept). NULL is a no-op. */
OLOCK_API void olock_aws_config_free(olock_aws_config *c);
/* Credentials from, in order: `explicit_creds` (NULL, or both keys NULL, skips it), the
   variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the profile
   AWS_PROFILE (default "default") of the shared credentials file AWS_SHARED_CREDENTIALS_FILE
   (default $HOME/.aws/credentials). OLOCK_ERR_CREDENTIALS when none is found, when only half
   of a key pair is given, or for a malformed file (the message names the file and line, never
   a secret); NOMEM. Replaces the credentials in *c only on success. */
OLOCK_API olock_result olock_aws_config_resolve_credentials(olock_aws_config *c, const olock_credentials *explicit_creds,
                                                            const olock_env *env, olock_error *err);
/* Region from `explicit_region` (NULL or "" skips it), AWS_REGION, AWS_DEFAULT_REGION.
   OLOCK_ERR_CONFIG when none is set or it is not a plausible region name; NOMEM. */
OLOCK_API olock_result olock_aws_config_resolve_region(olock_aws_config *c, const char *explicit_region,
                                                       const olock_env *env, olock_error *err);
/* Endpoint from `explicit_endpoint` (NULL or "" skips it), AWS_ENDPOINT_URL_DYNAMODB,
   AWS_ENDPOINT_URL, else https://dynamodb.<c->region>.amazonaws.com/ (.amazonaws.com.cn for
   cn- regions; needs the region resolved first). The endpoint must pass olock_url_split:
   OLOCK_ERR_CONFIG otherwise (for instance without http:// or https://), or when no region is
   known for the default; NOMEM. */
OLOCK_API olock_result olock_aws_config_resolve_endpoint(olock_aws_config *c, const char *explicit_endpoint,
                                                         const olock_env *env, olock_error *err);
/* Parses a shared credentials file held in memory (INI: [profile] sections, key = value,
   '#' and ';' comments; a comment after a value needs a space before it; key names are
   case-insensitive) and takes aws_access_key_id, aws_secret_access_key and the optional
   aws_session_token of `profile`. `file_name` only labels error messages
   ("<file_name>:<line>: ..."). OLOCK_ERR_CREDENTIALS for a malformed line, a missing profile
   or key; NOMEM. Replaces the credentials in *c only on success. */
OLOCK_API olock_result olock_aws_config_parse_credentials(olock_aws_config *c, const char *text, size_t len,
                                                          const char *profile, const char *file_name,
                                                          olock_error *err);

/* An endpoint URL split in place: every pointer points into the string given to olock_url_split
   (path points to a static "/" when the URL has none). Not NUL-terminated: use the lengths. */
typedef struct olock_url_parts {
    const char *scheme; /* "http" or "https", as written */
    size_t scheme_len;
    const char *host; /* host[:port], e.g. "127.0.0.1:8000" or "[::1]:8000": the Host header */
    size_t host_len;
    const char *path; /* "/..." */
    size_t path_len;
    unsigned port; /* explicit port, else 443 for https and 80 for http */
    int tls;       /* 1 for https */
} olock_url_parts;

/* Splits "http[s]://host[:port][/path]". OLOCK_ERR_CONFIG (with a message saying what is wrong)
   for another scheme, an empty or malformed host, a bad port, user info, a query, a fragment,
   spaces or control characters. Writes *out only on success. */
OLOCK_API olock_result olock_url_split(const char *url, olock_url_parts *out, olock_error *err);
