/* =============================================================================================
   >>aws_config (implementation)
   ========================================================================================== */

/* ---- Credentials, region and endpoint resolution ------------------------------------------ */

#define OLOCK__CRED_FILE_MAX ((size_t)1 << 20)

/* The only place the library reads the process environment. Empty values count as unset,
   as in the AWS SDKs. */
static const char *olock__env_get(const olock_env *env, const char *name) {
    const char *v;
    if (env && env->get) v = env->get(env->user, name);
    else v = getenv(name);
    return (v && *v) ? v : NULL;
}

OLOCK_API void olock_aws_config_init(olock_aws_config *c, const olock_allocator *alloc) {
    if (!c) return;
    memset(c, 0, sizeof *c);
    c->alloc = alloc;
}

OLOCK_API void olock_aws_config_free(olock_aws_config *c) {
    const olock_allocator *a;
    if (!c) return;
    a = c->alloc;
    olock__str_free(a, &c->access_key_id, 1);
    olock__str_free(a, &c->secret_access_key, 1);
    olock__str_free(a, &c->session_token, 1);
    olock__str_free(a, &c->region, 0);
    olock__str_free(a, &c->endpoint, 0);
    olock_aws_config_init(c, a);
}

/* Copies a key pair (and token, may be NULL) into c, replacing the old one only on success. */
static olock_result olock__cred_store(olock_aws_config *c, const char *akid, size_t akid_len,
                                      const char *secret, size_t secret_len, const char *token,
                                      size_t token_len, const char *source, olock_error *err) {
    char *a = olock__strndup(c->alloc, akid, akid_len);
    char *sk = olock__strndup(c->alloc, secret, secret_len);
    char *tk = token ? olock__strndup(c->alloc, token, token_len) : NULL;
    if (!a || !sk || (token && !tk)) {
        olock__str_free(c->alloc, &a, 1);
        olock__str_free(c->alloc, &sk, 1);
        olock__str_free(c->alloc, &tk, 1);
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the credentials");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->access_key_id, 1);
    olock__str_free(c->alloc, &c->secret_access_key, 1);
    olock__str_free(c->alloc, &c->session_token, 1);
    c->access_key_id = a;
    c->secret_access_key = sk;
    c->session_token = tk;
    c->credentials_source = source;
    return OLOCK_OK;
}

static int olock__cred_hspace(char c) {
    return c == ' ' || c == '\t';
}

static int olock__cred_key_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '_' || c == '-' || c == '.';
}

OLOCK_API olock_result olock_aws_config_parse_credentials(olock_aws_config *c, const char *text, size_t len,
                                                          const char *profile, const char *file_name,
                                                          olock_error *err) {
    /* Values are pointers into text; nothing is copied until the whole file has been checked. */
    const char *akid = NULL, *secret = NULL, *token = NULL;
    size_t akid_len = 0, secret_len = 0, token_len = 0, pos = 0, profile_len;
    unsigned long line = 0;
    int have_section = 0, in_profile = 0, profile_seen = 0, nested = 0;
    const char *fname = file_name ? file_name : "credentials";
    olock__error_clear(err);
    if (!c || (!text && len)) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config and text are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (!profile || !*profile) profile = "default";
    profile_len = strlen(profile);
    while (pos < len) {
        size_t start = pos, e = pos, a, b, k;
        int indented;
        line++;
        while (e < len && text[e] != '\n') e++;
        pos = e + 1;
        b = e;
        if (b > start && text[b - 1] == '\r') b--;
        for (k = start; k < b; k++) {
            unsigned char ch = (unsigned char)text[k];
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: control character", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
        }
        a = start;
        while (a < b && olock__cred_hspace(text[a])) a++;
        indented = a > start;
        while (b > a && olock__cred_hspace(text[b - 1])) b--;
        if (a == b || text[a] == '#' || text[a] == ';') continue;
        /* An indented line is allowed only as a sub-property of a property with an empty
           value ("s3 =" then "  max_concurrent_requests = 10"); value continuation lines
           would silently change a secret, so they are an error. */
        if (indented && (!nested || text[a] == '[')) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS,
                             "%.200s:%lu: unexpected indented line (continuation lines are not supported)", fname, line);
            return OLOCK_ERR_CREDENTIALS;
        }
        if (text[a] == '[') {
            size_t close = a + 1, n0, n1;
            while (close < b && text[close] != ']' && text[close] != '[') close++;
            if (close >= b || text[close] != ']') {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: malformed profile line (missing ']')", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            k = close + 1;
            while (k < b && olock__cred_hspace(text[k])) k++;
            if (k < b && text[k] != '#' && text[k] != ';') {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: unexpected text after ']'", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            n0 = a + 1;
            n1 = close;
            while (n0 < n1 && olock__cred_hspace(text[n0])) n0++;
            while (n1 > n0 && olock__cred_hspace(text[n1 - 1])) n1--;
            if (n0 == n1) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: empty profile name", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            have_section = 1;
            nested = 0;
            in_profile = n1 - n0 == profile_len && memcmp(text + n0, profile, profile_len) == 0;
            if (in_profile) profile_seen = 1;
        } else {
            size_t eq = a, k0, k1, v0, v1;
            while (eq < b && text[eq] != '=') eq++;
            if (eq == b) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: expected 'name = value'", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            k0 = a;
            k1 = eq;
            while (k1 > k0 && olock__cred_hspace(text[k1 - 1])) k1--;
            if (k0 == k1) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: missing property name before '='", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            for (k = k0; k < k1; k++) {
                if (!olock__cred_key_char((unsigned char)text[k])) {
                    olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: invalid character in property name", fname, line);
                    return OLOCK_ERR_CREDENTIALS;
                }
            }
            if (!have_section) {
                olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s:%lu: property outside of a [profile] section", fname, line);
                return OLOCK_ERR_CREDENTIALS;
            }
            v0 = eq + 1;
            while (v0 < b && olock__cred_hspace(text[v0])) v0++;
            /* A comment after a value needs whitespace before it: '#' may be part of a value. */
            for (v1 = v0; v1 < b; v1++)
                if ((text[v1] == '#' || text[v1] == ';') && v1 > v0 && olock__cred_hspace(text[v1 - 1])) break;
            while (v1 > v0 && olock__cred_hspace(text[v1 - 1])) v1--;
            if (indented) continue; /* sub-properties are not credentials */
            nested = v0 == v1;
            if (!in_profile || v0 == v1) continue;
            if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_access_key_id")) {
                akid = text + v0;
                akid_len = v1 - v0;
            } else if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_secret_access_key")) {
                secret = text + v0;
                secret_len = v1 - v0;
            } else if (OLOCK__IEQ_LIT(text + k0, k1 - k0, "aws_session_token")) {
                token = text + v0;
                token_len = v1 - v0;
            }
        }
    }
    if (!profile_seen) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s: profile '%.64s' not found", fname, profile);
        return OLOCK_ERR_CREDENTIALS;
    }
    if (!akid || !secret) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%.200s: profile '%.64s' has no %s", fname, profile,
                         akid ? "aws_secret_access_key" : "aws_access_key_id");
        return OLOCK_ERR_CREDENTIALS;
    }
    return olock__cred_store(c, akid, akid_len, secret, secret_len, token, token_len,
                             "shared credentials file", err);
}

/* Reads a whole file (at most OLOCK__CRED_FILE_MAX bytes) into *out. *opened is 0 (and the
   result OLOCK_OK) when the file cannot be opened. */
static olock_result olock__cred_read_file(const char *path, olock_buf *out, int *opened, olock_error *err) {
    char chunk[4096];
    olock_result r = OLOCK_OK;
    size_t n;
    FILE *f = fopen(path, "rb");
    *opened = f != NULL;
    if (!f) return OLOCK_OK;
    /* Unbuffered: a stdio buffer would be the C library's own allocation, holding the keys,
       freed by fclose without a wipe. fread then reads straight into chunk, wiped below. */
    setvbuf(f, NULL, _IONBF, 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n > OLOCK__CRED_FILE_MAX - out->len) {
            r = OLOCK_ERR_CREDENTIALS;
            olock__error_set(err, r, "%.200s: larger than %u bytes", path, (unsigned)OLOCK__CRED_FILE_MAX);
            break;
        }
        r = olock_buf_append(out, chunk, n);
        if (r != OLOCK_OK) {
            olock__error_set(err, r, "%.200s: out of memory reading the file", path);
            break;
        }
    }
    if (r == OLOCK_OK && ferror(f)) {
        r = OLOCK_ERR_CREDENTIALS;
        olock__error_set(err, r, "%.200s: read error", path);
    }
    olock__wipe(chunk, sizeof chunk);
    fclose(f);
    return r;
}

/* The shared credentials file path: AWS_SHARED_CREDENTIALS_FILE (a leading "~/" is the home
   directory) or <home>/.aws/credentials. Empty buffer when no home directory is known. */
static olock_result olock__cred_file_path(const olock_env *env, olock_buf *path) {
    const char *v = olock__env_get(env, "AWS_SHARED_CREDENTIALS_FILE");
    const char *home = olock__env_get(env, "HOME");
    olock_result r;
    if (!home) home = olock__env_get(env, "USERPROFILE");
    if (v && !(v[0] == '~' && (v[1] == '/' || v[1] == '\\'))) return olock_buf_append_str(path, v);
    if (!home) return OLOCK_OK;
    r = olock_buf_append_str(path, home);
    if (r == OLOCK_OK) r = olock_buf_append_str(path, v ? v + 1 : "/.aws/credentials");
    return r;
}

OLOCK_API olock_result olock_aws_config_resolve_credentials(olock_aws_config *c, const olock_credentials *explicit_creds,
                                                            const olock_env *env, olock_error *err) {
    const char *akid, *secret, *token, *profile;
    olock_buf path, text;
    olock_result r;
    int opened;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    if (explicit_creds && (explicit_creds->access_key_id || explicit_creds->secret_access_key)) {
        akid = explicit_creds->access_key_id;
        secret = explicit_creds->secret_access_key;
        token = explicit_creds->session_token;
        if (!akid || !*akid || !secret || !*secret) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS,
                             "explicit credentials need both access_key_id and secret_access_key");
            return OLOCK_ERR_CREDENTIALS;
        }
        if (token && !*token) token = NULL;
        return olock__cred_store(c, akid, strlen(akid), secret, strlen(secret), token,
                                 token ? strlen(token) : 0, "explicit", err);
    }
    akid = olock__env_get(env, "AWS_ACCESS_KEY_ID");
    secret = olock__env_get(env, "AWS_SECRET_ACCESS_KEY");
    if (akid || secret) {
        if (!akid || !secret) {
            olock__error_set(err, OLOCK_ERR_CREDENTIALS, "%s is set but %s is not",
                             akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                             akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
            return OLOCK_ERR_CREDENTIALS;
        }
        token = olock__env_get(env, "AWS_SESSION_TOKEN");
        return olock__cred_store(c, akid, strlen(akid), secret, strlen(secret), token,
                                 token ? strlen(token) : 0, "environment", err);
    }
    olock_buf_init(&path, c->alloc);
    r = olock__cred_file_path(env, &path);
    if (r != OLOCK_OK) {
        olock_buf_free(&path);
        olock__error_set(err, r, "out of memory building the credentials file path");
        return r;
    }
    if (path.len == 0) {
        olock_buf_free(&path);
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "no credentials: AWS_ACCESS_KEY_ID is not set and there is no "
                                                     "home directory for the shared credentials file");
        return OLOCK_ERR_CREDENTIALS;
    }
    olock_buf_init(&text, c->alloc);
    text.secret = 1; /* the file's keys: every block it grows out of is wiped */
    r = olock__cred_read_file(path.data, &text, &opened, err);
    if (r == OLOCK_OK && !opened) {
        olock__error_set(err, OLOCK_ERR_CREDENTIALS, "no credentials: AWS_ACCESS_KEY_ID is not set and %.200s "
                                                     "cannot be opened",
                         path.data);
        r = OLOCK_ERR_CREDENTIALS;
    } else if (r == OLOCK_OK) {
        profile = olock__env_get(env, "AWS_PROFILE");
        r = olock_aws_config_parse_credentials(c, text.data ? text.data : "", text.len, profile, path.data, err);
    }
    olock_buf_free(&text);
    olock_buf_free(&path);
    return r;
}

/* A setting as the SDKs look it up: the explicit value (NULL or "" skips it), then the first
   variable, then the second; *source names where it came from (for error messages). */
static const char *olock__setting(const char *explicit_value, const olock_env *env, const char *var1,
                                  const char *var2, const char **source) {
    const char *v;
    if (explicit_value && *explicit_value) {
        *source = "the configuration";
        return explicit_value;
    }
    *source = var1;
    v = olock__env_get(env, var1);
    if (v) return v;
    *source = var2;
    return olock__env_get(env, var2);
}

OLOCK_API olock_result olock_aws_config_resolve_region(olock_aws_config *c, const char *explicit_region,
                                                       const olock_env *env, olock_error *err) {
    const char *source, *v;
    size_t n;
    char *copy;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    v = olock__setting(explicit_region, env, "AWS_REGION", "AWS_DEFAULT_REGION", &source);
    if (!v) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "no region: set it in the configuration, AWS_REGION or AWS_DEFAULT_REGION");
        return OLOCK_ERR_CONFIG;
    }
    if (!olock__scope_name_ok(v, &n)) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "the region from %s is not a valid region name "
                                                "(letters, digits, '-', '_', '.'; at most %d)",
                         source, OLOCK_SIGV4_NAME_MAX);
        return OLOCK_ERR_CONFIG;
    }
    copy = olock__strndup(c->alloc, v, n);
    if (!copy) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the region");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->region, 0);
    c->region = copy;
    return OLOCK_OK;
}

OLOCK_API olock_result olock_aws_config_resolve_endpoint(olock_aws_config *c, const char *explicit_endpoint,
                                                         const olock_env *env, olock_error *err) {
    const char *source, *v;
    olock_url_parts parts;
    olock_error uerr;
    char *copy;
    olock__error_clear(err);
    if (!c) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "config is NULL");
        return OLOCK_ERR_INVALID_ARG;
    }
    v = olock__setting(explicit_endpoint, env, "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL", &source);
    if (v) {
        if (olock_url_split(v, &parts, &uerr) != OLOCK_OK) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "endpoint from %s: %s", source, uerr.message);
            return OLOCK_ERR_CONFIG;
        }
        copy = olock__strndup(c->alloc, v, strlen(v));
    } else {
        static const char pre[] = "https://dynamodb.", com[] = ".amazonaws.com", cn[] = ".cn";
        size_t rlen, n;
        int china;
        if (!c->region) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "no endpoint and no region to build the default one from");
            return OLOCK_ERR_CONFIG;
        }
        rlen = strlen(c->region);
        china = rlen > 3 && memcmp(c->region, "cn-", 3) == 0;
        n = sizeof pre - 1 + rlen + sizeof com - 1 + (china ? 3 : 0) + 2; /* rlen <= 64: no overflow */
        copy = (char *)olock__alloc(c->alloc, n);
        if (copy) {
            char *p = olock__put(copy, pre, sizeof pre - 1);
            p = olock__put(p, c->region, rlen);
            p = olock__put(p, com, sizeof com - 1);
            if (china) p = olock__put(p, cn, 3);
            p[0] = '/';
            p[1] = '\0';
        }
    }
    if (!copy) {
        olock__error_set(err, OLOCK_ERR_NOMEM, "out of memory copying the endpoint");
        return OLOCK_ERR_NOMEM;
    }
    olock__str_free(c->alloc, &c->endpoint, 0);
    c->endpoint = copy;
    return OLOCK_OK;
}

/* 1 when s starts with prefix, ignoring ASCII case (stops at the end of s). */
static int olock__url_iprefix(const char *s, const char *prefix) {
    size_t i;
    for (i = 0; prefix[i]; i++)
        if (olock__ascii_lower((unsigned char)s[i]) != olock__ascii_lower((unsigned char)prefix[i])) return 0;
    return 1;
}

static int olock__url_host_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '.' || c == '_';
}

OLOCK_API olock_result olock_url_split(const char *url, olock_url_parts *out, olock_error *err) {
    olock_url_parts u;
    const char *h, *hend, *port = NULL, *end;
    size_t i;
    olock__error_clear(err);
    if (!url || !out) {
        olock__error_set(err, OLOCK_ERR_INVALID_ARG, "url and out are required");
        return OLOCK_ERR_INVALID_ARG;
    }
    memset(&u, 0, sizeof u);
    if (olock__url_iprefix(url, "https://")) {
        u.tls = 1;
        u.scheme_len = 5;
    } else if (olock__url_iprefix(url, "http://")) {
        u.scheme_len = 4;
    } else {
        olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint must start with http:// or https://");
        return OLOCK_ERR_CONFIG;
    }
    u.scheme = url;
    for (i = 0; url[i]; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint contains a space, a control or a non-ASCII character");
            return OLOCK_ERR_CONFIG;
        }
        if (c == '?' || c == '#') {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint must not have a query or a fragment");
            return OLOCK_ERR_CONFIG;
        }
    }
    end = url + i;
    h = url + u.scheme_len + 3;
    hend = h;
    while (hend < end && *hend != '/') hend++;
    if (memchr(h, '@', (size_t)(hend - h))) {
        olock__error_set(err, OLOCK_ERR_CONFIG, "user information in the endpoint is not supported");
        return OLOCK_ERR_CONFIG;
    }
    if (h < hend && *h == '[') { /* IPv6 literal */
        const char *q = h + 1;
        while (q < hend && (olock__hex_value((unsigned char)*q) >= 0 || *q == ':' || *q == '.')) q++;
        if (q == h + 1 || q >= hend || *q != ']' || (q + 1 < hend && q[1] != ':')) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "malformed IPv6 address in the endpoint");
            return OLOCK_ERR_CONFIG;
        }
        if (q + 1 < hend) port = q + 2;
    } else {
        const char *q = h;
        while (q < hend && olock__url_host_char((unsigned char)*q)) q++;
        if (q == h) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint has no host");
            return OLOCK_ERR_CONFIG;
        }
        if (q < hend && *q != ':') {
            olock__error_set(err, OLOCK_ERR_CONFIG, "invalid character in the endpoint host");
            return OLOCK_ERR_CONFIG;
        }
        if (q < hend) port = q + 1;
    }
    if (port) {
        unsigned long v = 0;
        const char *q = port;
        while (q < hend && *q >= '0' && *q <= '9' && q - port < 6) v = v * 10 + (unsigned long)(*q++ - '0');
        if (q == port || q != hend || v == 0 || v > 65535) {
            olock__error_set(err, OLOCK_ERR_CONFIG, "the endpoint port must be a number from 1 to 65535");
            return OLOCK_ERR_CONFIG;
        }
        u.port = (unsigned)v;
    } else {
        u.port = u.tls ? 443u : 80u;
    }
    u.host = h;
    u.host_len = (size_t)(hend - h);
    if (hend < end) {
        u.path = hend;
        u.path_len = (size_t)(end - hend);
    } else {
        u.path = "/";
        u.path_len = 1;
    }
    *out = u;
    return OLOCK_OK;
}
