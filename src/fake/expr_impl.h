/* =============================================================================================
   >>expr (implementation)
   ========================================================================================== */

/* ---- expressions: tokens -------------------------------------------------------------------- */

enum {
    OLOCK__FAKE_T_EOF = 0,
    OLOCK__FAKE_T_NAME,
    OLOCK__FAKE_T_HASH,
    OLOCK__FAKE_T_COLON,
    OLOCK__FAKE_T_INT,
    OLOCK__FAKE_T_LP,
    OLOCK__FAKE_T_RP,
    OLOCK__FAKE_T_LB,
    OLOCK__FAKE_T_RB,
    OLOCK__FAKE_T_COMMA,
    OLOCK__FAKE_T_DOT,
    OLOCK__FAKE_T_EQ,
    OLOCK__FAKE_T_NE,
    OLOCK__FAKE_T_LT,
    OLOCK__FAKE_T_LE,
    OLOCK__FAKE_T_GT,
    OLOCK__FAKE_T_GE,
    OLOCK__FAKE_T_PLUS,
    OLOCK__FAKE_T_MINUS,
    OLOCK__FAKE_T_AND,
    OLOCK__FAKE_T_OR,
    OLOCK__FAKE_T_NOT,
    OLOCK__FAKE_T_BETWEEN,
    OLOCK__FAKE_T_IN,
    OLOCK__FAKE_T_SET,
    OLOCK__FAKE_T_REMOVE,
    OLOCK__FAKE_T_ADD,
    OLOCK__FAKE_T_DELETE,
    OLOCK__FAKE_T_BAD
};

typedef struct olock__fake_tok {
    int kind;
    size_t start, end; /* byte span in the expression */
} olock__fake_tok;

static int olock__fake_is_alpha(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
static int olock__fake_is_digit(char ch) { return ch >= '0' && ch <= '9'; }
static int olock__fake_is_word(char ch) { return olock__fake_is_alpha(ch) || olock__fake_is_digit(ch) || ch == '_'; }


/* Splits an expression into tokens; never fails except on OOM. An unknown character (or
   UTF-8 sequence) becomes a BAD token, which the parser reports as a syntax error when it
   reaches it, as DynamoDB does. */
static olock__fake_tok *olock__fake_lex(olock__fake_ctx *c, const char *s, size_t len, size_t *count, int remove_is_name) {
    static const struct {
        const char *kw;
        int kind;
    } kws[] = {
        { "AND", OLOCK__FAKE_T_AND }, { "OR", OLOCK__FAKE_T_OR }, { "NOT", OLOCK__FAKE_T_NOT }, { "BETWEEN", OLOCK__FAKE_T_BETWEEN }, { "IN", OLOCK__FAKE_T_IN }, { "SET", OLOCK__FAKE_T_SET }, { "REMOVE", OLOCK__FAKE_T_REMOVE }, { "ADD", OLOCK__FAKE_T_ADD }, { "DELETE", OLOCK__FAKE_T_DELETE }
    };
    olock__fake_tok *t = (olock__fake_tok *)olock__fake_alloc(c, (len + 1) * sizeof(olock__fake_tok));
    size_t i = 0, n = 0, k;
    if (!t) return NULL;
    while (i < len) {
        char ch = s[i];
        size_t st = i;
        int kind;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
            continue;
        }
        if (olock__fake_is_alpha(ch)) {
            while (i < len && olock__fake_is_word(s[i])) i++;
            kind = OLOCK__FAKE_T_NAME;
            for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++)
                if (olock__fake_ieq(s + st, i - st, kws[k].kw)) {
                    kind = kws[k].kind;
                    break;
                }
            /* DynamoDB Local's projection grammar has no REMOVE keyword */
            if (kind == OLOCK__FAKE_T_REMOVE && remove_is_name) kind = OLOCK__FAKE_T_NAME;
        } else if (ch == '#' || ch == ':') {
            i++;
            while (i < len && olock__fake_is_word(s[i])) i++;
            kind = i - st > 1 ? (ch == '#' ? OLOCK__FAKE_T_HASH : OLOCK__FAKE_T_COLON) : OLOCK__FAKE_T_BAD;
        } else if (olock__fake_is_digit(ch)) {
            i++;
            if (ch != '0')
                while (i < len && olock__fake_is_digit(s[i])) i++;
            kind = OLOCK__FAKE_T_INT;
        } else {
            i++;
            switch (ch) {
            case '(': kind = OLOCK__FAKE_T_LP; break;
            case ')': kind = OLOCK__FAKE_T_RP; break;
            case '[': kind = OLOCK__FAKE_T_LB; break;
            case ']': kind = OLOCK__FAKE_T_RB; break;
            case ',': kind = OLOCK__FAKE_T_COMMA; break;
            case '.': kind = OLOCK__FAKE_T_DOT; break;
            case '+': kind = OLOCK__FAKE_T_PLUS; break;
            case '-': kind = OLOCK__FAKE_T_MINUS; break;
            case '=': kind = OLOCK__FAKE_T_EQ; break;
            case '<':
                kind = OLOCK__FAKE_T_LT;
                if (i < len && s[i] == '=') {
                    kind = OLOCK__FAKE_T_LE;
                    i++;
                } else if (i < len && s[i] == '>') {
                    kind = OLOCK__FAKE_T_NE;
                    i++;
                }
                break;
            case '>':
                kind = OLOCK__FAKE_T_GT;
                if (i < len && s[i] == '=') {
                    kind = OLOCK__FAKE_T_GE;
                    i++;
                }
                break;
            default:
                kind = OLOCK__FAKE_T_BAD;
                if ((unsigned char)ch >= 0xC0) /* the whole UTF-8 sequence */
                    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
                break;
            }
        }
        t[n].kind = kind;
        t[n].start = st;
        t[n].end = i;
        n++;
    }
    t[n].kind = OLOCK__FAKE_T_EOF;
    t[n].start = len;
    t[n].end = len;
    *count = n + 1;
    return t;
}

/* ---- expressions: syntax tree --------------------------------------------------------------- */

enum {
    OLOCK__FAKE_N_PATH = 1,
    OLOCK__FAKE_N_VALUE,
    OLOCK__FAKE_N_FUNC,
    OLOCK__FAKE_N_CMP,
    OLOCK__FAKE_N_BETWEEN,
    OLOCK__FAKE_N_IN,
    OLOCK__FAKE_N_AND,
    OLOCK__FAKE_N_OR,
    OLOCK__FAKE_N_NOT,
    OLOCK__FAKE_N_PLUS,
    OLOCK__FAKE_N_MINUS
};

/* Functions, by what DynamoDB allows where. */
enum {
    OLOCK__FAKE_F_EXISTS = 1,
    OLOCK__FAKE_F_NOT_EXISTS,
    OLOCK__FAKE_F_TYPE,
    OLOCK__FAKE_F_BEGINS,
    OLOCK__FAKE_F_CONTAINS,
    OLOCK__FAKE_F_SIZE,
    OLOCK__FAKE_F_IF_NOT_EXISTS,
    OLOCK__FAKE_F_LIST_APPEND
};

/* One element of a document path: a name (bare or #placeholder) or a list index. */
typedef struct olock__fake_pel {
    int is_index;
    uint32_t index;
    size_t tok;       /* token it came from */
    const char *name; /* resolved attribute name (after #substitution) */
    size_t name_len;
} olock__fake_pel;

typedef struct olock__fake_node olock__fake_node;
struct olock__fake_node {
    int kind;
    int op;                  /* CMP: the comparator token; FUNC: OLOCK__FAKE_F_* */
    int parens;              /* written inside parentheses */
    olock__fake_node **args; /* operands / children */
    size_t nargs;
    olock__fake_pel *els; /* PATH */
    size_t nels;
    const olock_value *value; /* VALUE, once resolved */
    size_t tok;               /* first token */
};

/* One action of an update expression. */
typedef struct olock__fake_action {
    int clause; /* OLOCK__FAKE_T_SET / REMOVE / ADD / DELETE */
    olock__fake_node *path;
    olock__fake_node *value;   /* NULL for REMOVE */
    const olock_value *result; /* SET: the value computed against the old item */
} olock__fake_action;

/* Expression attribute names and values of one request, shared by its expressions. */
typedef struct olock__fake_subst {
    const olock_json *names;       /* ExpressionAttributeNames object or NULL */
    olock_value *values;           /* ExpressionAttributeValues as an M, or NULL */
    const olock_json *values_json; /* ... as sent, until olock__fake_subst_values */
    unsigned char *name_used, *value_used;
} olock__fake_subst;

/* Kinds of expression. */
#define OLOCK__FAKE_E_CONDITION 0
#define OLOCK__FAKE_E_UPDATE 1
#define OLOCK__FAKE_E_PROJECTION 2

typedef struct olock__fake_expr {
    olock__fake_ctx *c;
    olock__fake_subst *sub;
    const char *what; /* "ConditionExpression", ... (for messages) */
    int kind;         /* OLOCK__FAKE_E_CONDITION / _UPDATE / _PROJECTION */
    const char *src;
    size_t len;
    olock__fake_tok *toks;
    size_t ntoks, pos;
    int depth;
    int redundant;            /* saw ((...)) */
    int legacy;               /* built from AttributeUpdates, not parsed */
    int bad_index;            /* first out-of-range list index token + 1 */
    int dup_clause;           /* first clause seen twice (update), reported after the names */
    size_t operators;         /* counted after parsing, limit 300 */
    olock__fake_node *root;   /* condition */
    olock__fake_action *acts; /* update */
    size_t nacts;
    olock__fake_node **paths; /* projection */
    size_t npaths;
    int deep;      /* a path of two elements or more: 0 not looked at, 1 none, 2 some (olock__fake_key_paths) */
    size_t *order; /* update: the order olock__fake_apply_update takes the actions in; NULL: work it out */
} olock__fake_expr;

static const char *olock__fake_tok_text(olock__fake_expr *e, size_t i, size_t *len) {
    if (e->toks[i].kind == OLOCK__FAKE_T_EOF) {
        *len = 5;
        return "<EOF>";
    }
    *len = e->toks[i].end - e->toks[i].start;
    return e->src + e->toks[i].start;
}

/* "Syntax error; token: "x", near: "a x b"": near runs from the token before the offending
   one to the end of the token after it (to the end of the text when that is EOF). */
static void *olock__fake_syntax(olock__fake_expr *e, size_t i) {
    size_t tlen, start, end;
    const char *t = olock__fake_tok_text(e, i, &tlen);
    start = i > 0 ? e->toks[i - 1].start : 0;
    if (e->toks[i].kind == OLOCK__FAKE_T_EOF || e->toks[i + 1].kind == OLOCK__FAKE_T_EOF) end = e->len;
    else end = e->toks[i + 1].end;
    olock__fake_verror(e->c, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"", e->what,
                       (int)tlen, t, (int)(end - start), e->src + start);
    return NULL;
}

static int olock__fake_peek(olock__fake_expr *e) { return e->toks[e->pos].kind; }

static olock__fake_node *olock__fake_node_new(olock__fake_expr *e, int kind, size_t tok) {
    olock__fake_node *n = (olock__fake_node *)olock__fake_alloc(e->c, sizeof(olock__fake_node));
    if (!n) return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->tok = tok;
    return n;
}

/* Grows a node's argument array by one (arena arrays: doubling copies). */
static int olock__fake_node_add(olock__fake_expr *e, olock__fake_node *n, olock__fake_node *arg) {
    if ((n->nargs & (n->nargs - 1)) == 0 || n->nargs < 2) {
        size_t cap = n->nargs < 2 ? 2 : n->nargs * 2;
        olock__fake_node **a = (olock__fake_node **)olock__fake_alloc(e->c, cap * sizeof(*a));
        if (!a) return -1;
        if (n->nargs) memcpy(a, n->args, n->nargs * sizeof(*a));
        n->args = a;
    }
    n->args[n->nargs++] = arg;
    return 0;
}

static olock__fake_node *olock__fake_bin(olock__fake_expr *e, int kind, olock__fake_node *a, olock__fake_node *b, size_t tok) {
    olock__fake_node *n = olock__fake_node_new(e, kind, tok);
    if (!n || olock__fake_node_add(e, n, a) < 0 || (b && olock__fake_node_add(e, n, b) < 0)) return NULL;
    return n;
}

/* path := element ('.' element | '[' INT ']')*, element := NAME | #name */
static olock__fake_node *olock__fake_parse_path(olock__fake_expr *e) {
    olock__fake_node *n = olock__fake_node_new(e, OLOCK__FAKE_N_PATH, e->pos);
    size_t cap = 4;
    if (!n) return NULL;
    if (!(n->els = (olock__fake_pel *)olock__fake_alloc(e->c, cap * sizeof(olock__fake_pel)))) return NULL;
    for (;;) {
        olock__fake_pel el;
        int k = olock__fake_peek(e);
        memset(&el, 0, sizeof(el));
        if (n->nels == 0 || k == OLOCK__FAKE_T_DOT) {
            if (n->nels) {
                e->pos++;
                k = olock__fake_peek(e);
            }
            if (k != OLOCK__FAKE_T_NAME && k != OLOCK__FAKE_T_HASH) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            el.tok = e->pos++;
        } else if (k == OLOCK__FAKE_T_LB) {
            uint64_t v = 0;
            size_t i;
            const olock__fake_tok *t;
            e->pos++;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_INT) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            t = &e->toks[e->pos];
            for (i = t->start; i < t->end; i++) {
                v = v * 10 + (uint64_t)(e->src[i] - '0');
                if (v > 0xFFFFFFFFFFull) v = 0xFFFFFFFFFFull;
            }
            if (v > 2147483647u && !e->bad_index) e->bad_index = (int)e->pos + 1;
            el.is_index = 1;
            el.index = (uint32_t)(v > 2147483647u ? 2147483647u : v);
            el.tok = e->pos++;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_RB) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            e->pos++;
        } else {
            break;
        }
        if (n->nels == cap) {
            olock__fake_pel *grown = (olock__fake_pel *)olock__fake_alloc(e->c, cap * 2 * sizeof(olock__fake_pel));
            if (!grown) return NULL;
            memcpy(grown, n->els, cap * sizeof(olock__fake_pel));
            n->els = grown;
            cap *= 2;
        }
        n->els[n->nels++] = el;
    }
    return n;
}

static int olock__fake_func_id(const char *s, size_t len) {
    static const char *const names[] = { "attribute_exists", "attribute_not_exists", "attribute_type",
                                         "begins_with", "contains", "size", "if_not_exists", "list_append" };
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (olock__fake_streq(s, len, names[i])) return (int)i + 1;
    return 0;
}

static olock__fake_node *olock__fake_parse_operand(olock__fake_expr *e);

static int olock__fake_is_cmp(int k) {
    return k == OLOCK__FAKE_T_EQ || k == OLOCK__FAKE_T_NE || k == OLOCK__FAKE_T_LT || k == OLOCK__FAKE_T_LE ||
        k == OLOCK__FAKE_T_GT || k == OLOCK__FAKE_T_GE;
}

/* NAME '(' operand (',' operand)* ')' */
static olock__fake_node *olock__fake_parse_call(olock__fake_expr *e) {
    size_t name_tok = e->pos;
    olock__fake_node *n = olock__fake_node_new(e, OLOCK__FAKE_N_FUNC, name_tok), *arg;
    if (!n) return NULL;
    n->op = olock__fake_func_id(e->src + e->toks[name_tok].start, e->toks[name_tok].end - e->toks[name_tok].start);
    e->pos += 2;
    if (++e->depth > OLOCK__FAKE_MAX_PARSE_DEPTH) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
    for (;;) {
        if (!(arg = olock__fake_parse_operand(e))) return NULL;
        if (olock__fake_node_add(e, n, arg) < 0) return NULL;
        if (olock__fake_peek(e) == OLOCK__FAKE_T_COMMA) {
            e->pos++;
            continue;
        }
        if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        break;
    }
    e->depth--;
    return n;
}

/* operand := path | :value | function call */
/* Past a "(": one level deeper, bounded. 0 (a syntax error recorded) when too deep. */
static int olock__fake_open_paren(olock__fake_expr *e) {
    e->pos++;
    if (++e->depth > OLOCK__FAKE_MAX_PARSE_DEPTH) {
        olock__fake_syntax(e, e->pos);
        return 0;
    }
    return 1;
}

/* The ")" after n, the part just parsed in parentheses (NULL: its error stands). A second pair
   around the same part is what DynamoDB calls redundant parentheses. */
static olock__fake_node *olock__fake_close_paren(olock__fake_expr *e, olock__fake_node *n) {
    if (!n) return NULL;
    if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
    e->pos++;
    e->depth--;
    if (n->parens) e->redundant = 1;
    n->parens = 1;
    return n;
}

static olock__fake_node *olock__fake_parse_operand(olock__fake_expr *e) {
    int k = olock__fake_peek(e);
    if (k == OLOCK__FAKE_T_NAME && e->toks[e->pos + 1].kind == OLOCK__FAKE_T_LP) return olock__fake_parse_call(e);
    if (k == OLOCK__FAKE_T_NAME || k == OLOCK__FAKE_T_HASH) return olock__fake_parse_path(e);
    if (k == OLOCK__FAKE_T_COLON) return olock__fake_node_new(e, OLOCK__FAKE_N_VALUE, e->pos++);
    if (k == OLOCK__FAKE_T_LP) /* DynamoDB accepts "(a) = :v" */
        return olock__fake_open_paren(e) ? olock__fake_close_paren(e, olock__fake_parse_operand(e)) : NULL;
    return (olock__fake_node *)olock__fake_syntax(e, e->pos);
}

/* 1 when the '(' at `pos` encloses an operand, i.e. its ')' is followed by a comparator,
   BETWEEN or IN (DynamoDB's grammar decides with the same unbounded look-ahead). */
static int olock__fake_paren_operand(const olock__fake_expr *e, size_t pos) {
    size_t depth = 0;
    for (; e->toks[pos].kind != OLOCK__FAKE_T_EOF; pos++) {
        int k = e->toks[pos].kind;
        if (k == OLOCK__FAKE_T_LP) depth++;
        else if (k == OLOCK__FAKE_T_RP && --depth == 0) {
            k = e->toks[pos + 1].kind;
            return olock__fake_is_cmp(k) || k == OLOCK__FAKE_T_BETWEEN || k == OLOCK__FAKE_T_IN;
        }
    }
    return 0;
}

static olock__fake_node *olock__fake_parse_or(olock__fake_expr *e);

static olock__fake_node *olock__fake_parse_primary(olock__fake_expr *e) {
    olock__fake_node *left, *n;
    size_t start = e->pos;
    int k = olock__fake_peek(e);
    if (k == OLOCK__FAKE_T_LP && !olock__fake_paren_operand(e, e->pos))
        return olock__fake_open_paren(e) ? olock__fake_close_paren(e, olock__fake_parse_or(e)) : NULL;
    if (!(left = olock__fake_parse_operand(e))) return NULL;
    k = olock__fake_peek(e);
    if (olock__fake_is_cmp(k)) {
        olock__fake_node *right;
        e->pos++;
        if (!(right = olock__fake_parse_operand(e))) return NULL;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_CMP, left, right, start))) return NULL;
        n->op = k;
        return n;
    }
    if (k == OLOCK__FAKE_T_BETWEEN) {
        olock__fake_node *lo, *hi;
        e->pos++;
        if (!(lo = olock__fake_parse_operand(e))) return NULL;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_AND) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        if (!(hi = olock__fake_parse_operand(e))) return NULL;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_BETWEEN, left, lo, start))) return NULL;
        if (olock__fake_node_add(e, n, hi) < 0) return NULL;
        return n;
    }
    if (k == OLOCK__FAKE_T_IN) {
        e->pos++;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_LP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
        e->pos++;
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_IN, left, NULL, start))) return NULL;
        for (;;) {
            olock__fake_node *x = olock__fake_parse_operand(e);
            if (!x || olock__fake_node_add(e, n, x) < 0) return NULL;
            if (olock__fake_peek(e) == OLOCK__FAKE_T_COMMA) {
                e->pos++;
                continue;
            }
            if (olock__fake_peek(e) != OLOCK__FAKE_T_RP) return (olock__fake_node *)olock__fake_syntax(e, e->pos);
            e->pos++;
            return n;
        }
    }
    if (left->kind == OLOCK__FAKE_N_FUNC) return left; /* a function used as a condition */
    return (olock__fake_node *)olock__fake_syntax(e, e->pos);
}

static olock__fake_node *olock__fake_parse_not(olock__fake_expr *e) {
    size_t depth = 0, start = e->pos;
    olock__fake_node *n;
    /* NOT NOT ... is a chain, not recursion: a hostile expression cannot blow the stack */
    while (olock__fake_peek(e) == OLOCK__FAKE_T_NOT) {
        e->pos++;
        depth++;
    }
    if (!(n = olock__fake_parse_primary(e))) return NULL;
    while (depth--) {
        if (!(n = olock__fake_bin(e, OLOCK__FAKE_N_NOT, n, NULL, start + depth))) return NULL;
    }
    return n;
}

/* A chain of conditions joined by AND (level 0: of NOTs) or by OR (level 1: of AND chains, AND
   binding tighter), left-associative. */
static olock__fake_node *olock__fake_parse_chain(olock__fake_expr *e, int level) {
    static const int token[2] = { OLOCK__FAKE_T_AND, OLOCK__FAKE_T_OR };
    static const int kind[2] = { OLOCK__FAKE_N_AND, OLOCK__FAKE_N_OR };
    olock__fake_node *n = level ? olock__fake_parse_chain(e, 0) : olock__fake_parse_not(e), *r;
    while (n && olock__fake_peek(e) == token[level]) {
        size_t t = e->pos++;
        if (!(r = level ? olock__fake_parse_chain(e, 0) : olock__fake_parse_not(e))) return NULL;
        n = olock__fake_bin(e, kind[level], n, r, t);
    }
    return n;
}

static olock__fake_node *olock__fake_parse_or(olock__fake_expr *e) {
    return olock__fake_parse_chain(e, 1);
}

/* SET value := '(' value ')' | operand [('+' | '-') operand]. A '(' here may open either
   form: "(:a) + :b" and "(:a + :b)" are both accepted, "(:a + :b) + :c" is not (no chains),
   and the operand after '+' takes no arithmetic ("(:a + (:b + :c))" fails at the 2nd '+'). */
static olock__fake_node *olock__fake_parse_set_value(olock__fake_expr *e) {
    size_t start = e->pos;
    olock__fake_node *a, *b;
    int k;
    if (olock__fake_peek(e) == OLOCK__FAKE_T_LP) {
        if (!olock__fake_open_paren(e) || !(a = olock__fake_close_paren(e, olock__fake_parse_set_value(e)))) return NULL;
        if (a->kind == OLOCK__FAKE_N_PLUS || a->kind == OLOCK__FAKE_N_MINUS) return a;
    } else if (!(a = olock__fake_parse_operand(e))) {
        return NULL;
    }
    k = olock__fake_peek(e);
    if (k != OLOCK__FAKE_T_PLUS && k != OLOCK__FAKE_T_MINUS) return a;
    e->pos++;
    if (!(b = olock__fake_parse_operand(e))) return NULL;
    return olock__fake_bin(e, k == OLOCK__FAKE_T_PLUS ? OLOCK__FAKE_N_PLUS : OLOCK__FAKE_N_MINUS, a, b, start);
}

/* update := clause+, clause := SET a (, a)* | REMOVE p (, p)* | ADD p v (, ..)* | DELETE p v (, ..)* */
static int olock__fake_parse_update(olock__fake_expr *e) {
    size_t cap = 0;
    int seen[4] = { 0, 0, 0, 0 };
    int dup_clause = 0;
    if (olock__fake_peek(e) == OLOCK__FAKE_T_EOF) {
        olock__fake_syntax(e, e->pos);
        return -1;
    }
    while (olock__fake_peek(e) != OLOCK__FAKE_T_EOF) {
        int clause = olock__fake_peek(e);
        if (clause != OLOCK__FAKE_T_SET && clause != OLOCK__FAKE_T_REMOVE && clause != OLOCK__FAKE_T_ADD &&
            clause != OLOCK__FAKE_T_DELETE) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        if (seen[clause - OLOCK__FAKE_T_SET]++ && !dup_clause) dup_clause = clause;
        e->pos++;
        for (;;) {
            olock__fake_action act;
            memset(&act, 0, sizeof(act));
            act.clause = clause;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_NAME && olock__fake_peek(e) != OLOCK__FAKE_T_HASH) {
                olock__fake_syntax(e, e->pos);
                return -1;
            }
            if (!(act.path = olock__fake_parse_path(e))) return -1;
            if (clause == OLOCK__FAKE_T_SET) {
                if (olock__fake_peek(e) != OLOCK__FAKE_T_EQ) {
                    olock__fake_syntax(e, e->pos);
                    return -1;
                }
                e->pos++;
                if (!(act.value = olock__fake_parse_set_value(e))) return -1;
            } else if (clause != OLOCK__FAKE_T_REMOVE) {
                /* ADD and DELETE take a value placeholder, nothing else */
                if (olock__fake_peek(e) != OLOCK__FAKE_T_COLON) {
                    olock__fake_syntax(e, e->pos);
                    return -1;
                }
                if (!(act.value = olock__fake_node_new(e, OLOCK__FAKE_N_VALUE, e->pos++))) return -1;
            }
            if (e->nacts == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                olock__fake_action *grown = (olock__fake_action *)olock__fake_alloc(e->c, ncap * sizeof(*grown));
                if (!grown) return -1;
                if (e->nacts) memcpy(grown, e->acts, e->nacts * sizeof(*grown));
                e->acts = grown;
                cap = ncap;
            }
            e->acts[e->nacts++] = act;
            if (olock__fake_peek(e) != OLOCK__FAKE_T_COMMA) break;
            e->pos++;
        }
    }
    /* DynamoDB Local reports it after function names and reserved words (olock__fake_compile_fresh) */
    e->dup_clause = dup_clause;
    return 0;
}

/* projection := path (',' path)* */
static int olock__fake_parse_projection(olock__fake_expr *e) {
    size_t cap = 0;
    for (;;) {
        olock__fake_node *p;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_NAME && olock__fake_peek(e) != OLOCK__FAKE_T_HASH) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        if (!(p = olock__fake_parse_path(e))) return -1;
        if (e->npaths == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            olock__fake_node **grown = (olock__fake_node **)olock__fake_alloc(e->c, ncap * sizeof(*grown));
            if (!grown) return -1;
            if (e->npaths) memcpy(grown, e->paths, e->npaths * sizeof(*grown));
            e->paths = grown;
            cap = ncap;
        }
        e->paths[e->npaths++] = p;
        if (olock__fake_peek(e) == OLOCK__FAKE_T_EOF) return 0;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_COMMA) {
            olock__fake_syntax(e, e->pos);
            return -1;
        }
        e->pos++;
    }
}

/* ---- expressions: checks after parsing (DynamoDB Local's order) ----------------------------- */

/* Every node of the tree, children after their parent, in source order. */
typedef int (*olock__fake_visit_fn)(olock__fake_expr *e, olock__fake_node *n, int as_condition);

static int olock__fake_walk(olock__fake_expr *e, olock__fake_node *n, int as_condition, olock__fake_visit_fn fn) {
    size_t i;
    int child_cond;
    if (fn(e, n, as_condition) < 0) return -1;
    child_cond = n->kind == OLOCK__FAKE_N_AND || n->kind == OLOCK__FAKE_N_OR || n->kind == OLOCK__FAKE_N_NOT;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_walk(e, n->args[i], child_cond, fn) < 0) return -1;
    return 0;
}

/* Walks every tree of an expression: the condition, the update actions, the projection. */
static int olock__fake_walk_all(olock__fake_expr *e, olock__fake_visit_fn fn) {
    size_t i;
    if (e->root && olock__fake_walk(e, e->root, 1, fn) < 0) return -1;
    for (i = 0; i < e->nacts; i++) {
        if (olock__fake_walk(e, e->acts[i].path, 0, fn) < 0) return -1;
        if (e->acts[i].value && olock__fake_walk(e, e->acts[i].value, 0, fn) < 0) return -1;
    }
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_walk(e, e->paths[i], 0, fn) < 0) return -1;
    return 0;
}

static const char *olock__fake_tok_str(olock__fake_expr *e, size_t tok, int *len) {
    *len = (int)(e->toks[tok].end - e->toks[tok].start);
    return e->src + e->toks[tok].start;
}

static int olock__fake_is_update(olock__fake_expr *e) { return e->kind == OLOCK__FAKE_E_UPDATE; }

static int olock__fake_check_nesting(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH && n->nels > OLOCK__FAKE_MAX_DEPTH)
        return olock__fake_verror(e->c, "Invalid %s: The document path has too many nesting levels; nesting levels: %u", e->what,
                                  (unsigned)n->nels);
    return 0;
}

/* Comparators, AND, OR, NOT, BETWEEN, IN, + and - and every function count; DynamoDB stops
   at the 301st. */
static int olock__fake_count_operators(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH || n->kind == OLOCK__FAKE_N_VALUE) return 0;
    if (++e->operators > OLOCK__FAKE_MAX_OPERATORS)
        return olock__fake_verror(e->c, "Invalid %s: The expression contains too many operators; operator count: %u", e->what,
                                  (unsigned)e->operators);
    return 0;
}

static int olock__fake_check_func_name(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    int len;
    const char *s;
    (void)as_condition;
    if (n->kind != OLOCK__FAKE_N_FUNC) return 0;
    s = olock__fake_tok_str(e, n->tok, &len);
    if (!n->op) return olock__fake_verror(e->c, "Invalid %s: Invalid function name; function: %.*s", e->what, len, s);
    if (olock__fake_is_update(e)) {
        if (n->op != OLOCK__FAKE_F_IF_NOT_EXISTS && n->op != OLOCK__FAKE_F_LIST_APPEND)
            return olock__fake_verror(e->c, "Invalid %s: The function is not allowed in an update expression; function: %.*s",
                                      e->what, len, s);
    } else if (n->op == OLOCK__FAKE_F_IF_NOT_EXISTS || n->op == OLOCK__FAKE_F_LIST_APPEND) {
        return olock__fake_verror(e->c, "Invalid %s: The function is not allowed in a condition expression; function: %.*s",
                                  e->what, len, s);
    }
    return 0;
}

static int olock__fake_check_reserved(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    (void)as_condition;
    if (n->kind != OLOCK__FAKE_N_PATH) return 0;
    for (i = 0; i < n->nels; i++) {
        const olock__fake_tok *t = &e->toks[n->els[i].tok];
        if (n->els[i].is_index || t->kind != OLOCK__FAKE_T_NAME) continue;
        if (olock__fake_is_reserved(e->src + t->start, t->end - t->start))
            return olock__fake_verror(e->c, "Invalid %s: Attribute name is a reserved keyword; reserved keyword: %.*s",
                                      e->what, (int)(t->end - t->start), e->src + t->start);
    }
    return 0;
}

/* Resolves #names and :values against the request's maps, marking them used. */
static int olock__fake_check_subst(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    (void)as_condition;
    if (n->kind == OLOCK__FAKE_N_PATH) {
        for (i = 0; i < n->nels; i++) {
            olock__fake_pel *el = &n->els[i];
            const olock__fake_tok *t = &e->toks[el->tok];
            const olock_json *m;
            size_t k;
            if (el->is_index) continue;
            if (t->kind == OLOCK__FAKE_T_NAME) {
                el->name = e->src + t->start;
                el->name_len = t->end - t->start;
                continue;
            }
            for (k = 0, m = e->sub->names ? e->sub->names->first : NULL; m; m = m->next, k++) {
                if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) {
                    el->name = m->str;
                    el->name_len = m->len;
                    e->sub->name_used[k] = 1;
                }
            }
            if (!el->name)
                return olock__fake_verror(e->c, "Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %.*s",
                                          e->what, (int)(t->end - t->start), e->src + t->start);
        }
    } else if (n->kind == OLOCK__FAKE_N_VALUE) {
        const olock__fake_tok *t = &e->toks[n->tok];
        const olock_value *m;
        size_t k;
        for (k = 0, m = e->sub->values ? e->sub->values->first : NULL; m; m = m->next, k++) {
            if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) {
                n->value = m;
                e->sub->value_used[k] = 1;
            }
        }
        if (!n->value)
            return olock__fake_verror(e->c, "Invalid %s: An expression attribute value used in expression is not defined; attribute value: %.*s",
                                      e->what, (int)(t->end - t->start), e->src + t->start);
    }
    return 0;
}

/* "[a, b, [0]]", the way DynamoDB Local prints a document path. */
static int olock__fake_path_text(olock__fake_ctx *c, const olock__fake_node *p, olock_buf *b) {
    size_t i;
    char num[16];
    if (olock_buf_append(b, "[", 1) != OLOCK_OK) return olock__fake_oom(c);
    for (i = 0; i < p->nels; i++) {
        olock_result r = OLOCK_OK;
        if (i) r = olock_buf_append(b, ", ", 2);
        if (r == OLOCK_OK && p->els[i].is_index) {
            int n = snprintf(num, sizeof(num), "[%u]", (unsigned)p->els[i].index);
            r = olock_buf_append(b, num, (size_t)n);
        } else if (r == OLOCK_OK) {
            r = olock_buf_append(b, p->els[i].name, p->els[i].name_len);
        }
        if (r != OLOCK_OK) return olock__fake_oom(c);
    }
    if (olock_buf_append(b, "]", 1) != OLOCK_OK) return olock__fake_oom(c);
    return 0;
}

static int olock__fake_same_path(const olock__fake_node *a, const olock__fake_node *b) {
    size_t i;
    if (a->kind != OLOCK__FAKE_N_PATH || b->kind != OLOCK__FAKE_N_PATH || a->nels != b->nels) return 0;
    for (i = 0; i < a->nels; i++) {
        const olock__fake_pel *x = &a->els[i], *y = &b->els[i];
        if (x->is_index != y->is_index) return 0;
        if (x->is_index ? x->index != y->index
                        : (x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0))
            return 0;
    }
    return 1;
}

/* The type an operand has before evaluation: a value's own, N for size(), 0 if unknown. */
static olock_type olock__fake_static_type(const olock__fake_node *n) {
    if (n->kind == OLOCK__FAKE_N_VALUE && n->value) return n->value->type;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_SIZE) return OLOCK_TYPE_N;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_LIST_APPEND) return OLOCK_TYPE_L;
    if (n->kind == OLOCK__FAKE_N_PLUS || n->kind == OLOCK__FAKE_N_MINUS) return OLOCK_TYPE_N;
    return (olock_type)0;
}

static const char *olock__fake_op_name(olock__fake_expr *e, const olock__fake_node *n, int *len) {
    static const char *const cmp[] = { "=", "<>", "<", "<=", ">", ">=" };
    switch (n->kind) {
    case OLOCK__FAKE_N_CMP: {
        const char *s = cmp[n->op - OLOCK__FAKE_T_EQ];
        *len = (int)strlen(s);
        return s;
    }
    case OLOCK__FAKE_N_BETWEEN: *len = 7; return "BETWEEN";
    case OLOCK__FAKE_N_IN: *len = 2; return "IN";
    case OLOCK__FAKE_N_PLUS: *len = 1; return "+";
    case OLOCK__FAKE_N_MINUS: *len = 1; return "-";
    default: return olock__fake_tok_str(e, n->tok, len);
    }
}

static int olock__fake_bad_operand_type(olock__fake_expr *e, const olock__fake_node *n, olock_type t) {
    int len;
    const char *op = olock__fake_op_name(e, n, &len);
    return olock__fake_verror(e->c, "Invalid %s: Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
                              e->what, len, op, olock_type_name(t));
}

static int olock__fake_check_distinct(olock__fake_expr *e, const olock__fake_node *n) {
    size_t i;
    olock_buf b;
    int len;
    const char *op;
    if (n->nargs < 2 || n->args[0]->kind != OLOCK__FAKE_N_PATH) return 0;
    for (i = 1; i < n->nargs; i++)
        if (olock__fake_same_path(n->args[0], n->args[i])) break;
    if (i == n->nargs) return 0;
    op = olock__fake_op_name(e, n, &len);
    olock_buf_init(&b, &e->c->f->alloc);
    if (olock__fake_path_text(e->c, n->args[0], &b) == 0)
        olock__fake_verror(e->c, "Invalid %s: The first operand must be distinct from the remaining operands for this operator or function; operator: %.*s, first operand: %.*s",
                           e->what, len, op, (int)b.len, b.data);
    olock_buf_free(&b);
    return -1;
}

/* "{N:5}", DynamoDB Local's rendering of a value in BETWEEN messages; a binary shows as the
   Java ByteBuffer holding it. */
static int olock__fake_av_text(olock__fake_ctx *c, const olock_value *v, olock_buf *b) {
    if (olock_buf_append(b, "{", 1) != OLOCK_OK || olock_buf_append_str(b, olock_type_name(v->type)) != OLOCK_OK ||
        olock_buf_append(b, ":", 1) != OLOCK_OK)
        return olock__fake_oom(c);
    if ((v->type == OLOCK_TYPE_S || v->type == OLOCK_TYPE_N) && olock_buf_append(b, v->str, v->len) != OLOCK_OK)
        return olock__fake_oom(c);
    if (v->type == OLOCK_TYPE_B) {
        char buf[80];
        int n = snprintf(buf, sizeof(buf), "java.nio.HeapByteBuffer[pos=0 lim=%lu cap=%lu]", (unsigned long)v->len,
                         (unsigned long)v->len);
        if (olock_buf_append(b, buf, (size_t)n) != OLOCK_OK) return olock__fake_oom(c);
    }
    if (olock_buf_append(b, "}", 1) != OLOCK_OK) return olock__fake_oom(c);
    return 0;
}

static int olock__fake_is_bool_func(const olock__fake_node *n) {
    return n->kind == OLOCK__FAKE_N_FUNC && n->op >= OLOCK__FAKE_F_EXISTS && n->op <= OLOCK__FAKE_F_CONTAINS;
}

/* Functions where they may stand: a condition (attribute_exists, ...) only as a condition and
   size only as an operand; -1 with DynamoDB Local's message, else 0. DynamoDB Local looks at
   this in a pass of its own, before the operands (`contains(size(:t), begins_with(a, :s))` is
   begins_with, not the type of :t), and again with the operand checks. */
static int olock__fake_misplaced_func(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    const olock__fake_node *bad = NULL;
    const char *name;
    size_t i;
    int len;
    if (as_condition && n->kind == OLOCK__FAKE_N_FUNC && !olock__fake_is_bool_func(n)) bad = n;
    if (!bad && (n->kind == OLOCK__FAKE_N_CMP || n->kind == OLOCK__FAKE_N_BETWEEN || n->kind == OLOCK__FAKE_N_IN || n->kind == OLOCK__FAKE_N_FUNC || n->kind == OLOCK__FAKE_N_PLUS || n->kind == OLOCK__FAKE_N_MINUS))
        for (i = 0; i < n->nargs && !bad; i++)
            if (olock__fake_is_bool_func(n->args[i])) bad = n->args[i];
    if (!bad) return 0;
    name = olock__fake_tok_str(e, bad->tok, &len);
    return olock__fake_verror(e->c, "Invalid %s: The function is not allowed to be used this way in an expression; function: %.*s",
                              e->what, len, name);
}

static int olock__fake_check_semantics(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    int len;
    const char *name;
    if (olock__fake_misplaced_func(e, n, as_condition) < 0) return -1;
    switch (n->kind) {
    case OLOCK__FAKE_N_CMP:
        if (n->op != OLOCK__FAKE_T_EQ && n->op != OLOCK__FAKE_T_NE) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_N && t != OLOCK_TYPE_B)
                    return olock__fake_bad_operand_type(e, n, t);
            }
        }
        return olock__fake_check_distinct(e, n);
    case OLOCK__FAKE_N_BETWEEN: {
        olock_type tl, th;
        for (i = 0; i < 3; i++) {
            olock_type t = olock__fake_static_type(n->args[i]);
            if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_N && t != OLOCK_TYPE_B)
                return olock__fake_bad_operand_type(e, n, t);
        }
        if (olock__fake_check_distinct(e, n) < 0) return -1;
        tl = olock__fake_static_type(n->args[1]);
        th = olock__fake_static_type(n->args[2]);
        if (n->args[1]->kind == OLOCK__FAKE_N_VALUE && n->args[2]->kind == OLOCK__FAKE_N_VALUE) {
            const char *why = NULL;
            if (tl != th) why = "requires same data type for lower and upper bounds";
            else if (olock__fake_scalar_cmp(n->args[1]->value, n->args[2]->value) > 0)
                why = "requires upper bound to be greater than or equal to lower bound";
            if (why) {
                olock_buf lo, hi;
                olock_buf_init(&lo, &e->c->f->alloc);
                olock_buf_init(&hi, &e->c->f->alloc);
                if (olock__fake_av_text(e->c, n->args[1]->value, &lo) == 0 &&
                    olock__fake_av_text(e->c, n->args[2]->value, &hi) == 0)
                    olock__fake_verror(e->c, "Invalid %s: The BETWEEN operator %s; lower bound operand: AttributeValue: %.*s, upper bound operand: AttributeValue: %.*s",
                                       e->what, why, (int)lo.len, lo.data, (int)hi.len, hi.data);
                olock_buf_free(&lo);
                olock_buf_free(&hi);
                return -1;
            }
        }
        return 0;
    }
    case OLOCK__FAKE_N_IN:
        if (n->nargs - 1 > 100)
            return olock__fake_verror(e->c, "Invalid %s: The IN operator is provided with too many operands; number of operands: %u",
                                      e->what, (unsigned)(n->nargs - 1));
        return olock__fake_check_distinct(e, n);
    case OLOCK__FAKE_N_PLUS:
    case OLOCK__FAKE_N_MINUS:
        for (i = 0; i < 2; i++) {
            olock_type t = olock__fake_static_type(n->args[i]);
            if (t && t != OLOCK_TYPE_N) return olock__fake_bad_operand_type(e, n, t);
        }
        return 0;
    case OLOCK__FAKE_N_FUNC: {
        size_t want = (n->op == OLOCK__FAKE_F_EXISTS || n->op == OLOCK__FAKE_F_NOT_EXISTS || n->op == OLOCK__FAKE_F_SIZE) ? 1 : 2;
        name = olock__fake_tok_str(e, n->tok, &len);
        if (n->nargs != want)
            return olock__fake_verror(e->c, "Invalid %s: Incorrect number of operands for operator or function; operator or function: %.*s, number of operands: %u",
                                      e->what, len, name, (unsigned)n->nargs);
        if ((n->op == OLOCK__FAKE_F_EXISTS || n->op == OLOCK__FAKE_F_NOT_EXISTS || n->op == OLOCK__FAKE_F_TYPE ||
             n->op == OLOCK__FAKE_F_IF_NOT_EXISTS) &&
            n->args[0]->kind != OLOCK__FAKE_N_PATH)
            return olock__fake_verror(e->c, "Invalid %s: Operator or function requires a document path; operator or function: %.*s",
                                      e->what, len, name);
        /* if_not_exists(b, b) too; list_append(l, l) is fine */
        if (n->op != OLOCK__FAKE_F_SIZE && n->op != OLOCK__FAKE_F_EXISTS && n->op != OLOCK__FAKE_F_NOT_EXISTS &&
            n->op != OLOCK__FAKE_F_LIST_APPEND && olock__fake_check_distinct(e, n) < 0)
            return -1;
        if (n->op == OLOCK__FAKE_F_TYPE) {
            static const char *const types[] = { "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS" };
            olock_type t = olock__fake_static_type(n->args[1]);
            const olock_value *v = n->args[1]->value;
            size_t k;
            if (t && t != OLOCK_TYPE_S) return olock__fake_bad_operand_type(e, n, t);
            if (v) {
                for (k = 0; k < 10; k++)
                    if (olock__fake_streq(v->str, v->len, types[k])) break;
                if (k == 10)
                    return olock__fake_verror(e->c, "Invalid %s: Invalid attribute type name found; type: %.*s, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
                                              e->what, (int)v->len, v->str);
            }
        } else if (n->op == OLOCK__FAKE_F_BEGINS) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_S && t != OLOCK_TYPE_B) return olock__fake_bad_operand_type(e, n, t);
            }
        } else if (n->op == OLOCK__FAKE_F_SIZE) {
            olock_type t = olock__fake_static_type(n->args[0]);
            if (t == OLOCK_TYPE_N || t == OLOCK_TYPE_BOOL || t == OLOCK_TYPE_NULL) return olock__fake_bad_operand_type(e, n, t);
        } else if (n->op == OLOCK__FAKE_F_LIST_APPEND) {
            for (i = 0; i < 2; i++) {
                olock_type t = olock__fake_static_type(n->args[i]);
                if (t && t != OLOCK_TYPE_L) return olock__fake_bad_operand_type(e, n, t);
            }
        }
        return 0;
    }
    default:
        return 0;
    }
}

static const char *olock__fake_long_type(olock_type t) {
    switch (t) {
    case OLOCK_TYPE_S: return "STRING";
    case OLOCK_TYPE_N: return "NUMBER";
    case OLOCK_TYPE_B: return "BINARY";
    case OLOCK_TYPE_BOOL: return "BOOLEAN";
    case OLOCK_TYPE_NULL: return "NULL";
    case OLOCK_TYPE_M: return "MAP";
    case OLOCK_TYPE_L: return "LIST";
    case OLOCK_TYPE_SS: return "STRING_SET";
    case OLOCK_TYPE_NS: return "NUMBER_SET";
    case OLOCK_TYPE_BS: return "BINARY_SET";
    default: return "UNKNOWN";
    }
}

/* Two paths of one update (or projection) must not overlap (one a prefix of the other) nor
   conflict (one indexes a list where the other names a map member). DynamoDB Local finds out
   by putting the paths, the last one first, into a tree whose nodes keep their children in a
   java.util.HashMap; the message names the path being put and, as "path two", the path last
   put through the next child of the same parent in that map's order, or else the path last
   put through the node where they met (recorded cases overlap-second-path-*). The map's
   order is modelled as 16 buckets by String.hashCode, the later entry first in a bucket: that
   is what the recorded cases need. */
typedef struct olock__fake_pnode {
    const olock__fake_pel *el;
    struct olock__fake_pnode *parent, *child, *next; /* children in the order they came */
    const olock__fake_node *rep;                     /* the last path put through it */
    size_t seq, nchildren;
    int terminal;
} olock__fake_pnode;

static uint32_t olock__fake_pel_bucket(const olock__fake_pel *el, size_t cap) {
    uint32_t h = el->is_index ? el->index : olock__fake_java_string_hash(el->name, el->name_len);
    return (h ^ (h >> 16)) & (uint32_t)(cap - 1);
}

/* The last child of `p` in its map order (by bucket of a 16-bucket table, doubled past 3/4
   full, the later put first within a bucket); NULL when it has none. */
static const olock__fake_pnode *olock__fake_pnode_last(const olock__fake_pnode *p) {
    const olock__fake_pnode *x, *best = NULL;
    size_t cap = 16;
    uint32_t bb = 0;
    while (p->nchildren > cap / 4 * 3) cap *= 2;
    for (x = p->child; x; x = x->next) {
        uint32_t xb = olock__fake_pel_bucket(x->el, cap);
        if (!best || xb > bb || (xb == bb && x->seq < best->seq)) {
            best = x;
            bb = xb;
        }
    }
    return best;
}

/* The path DynamoDB Local names second: from `n`, down the last child at every level to a
   path's end. (Taking the child right after n fitted the cases recorded first but not random
   ones: `ADD b[0] .., a.x .., s[1] .., pk .., a ..` names [pk], the last of a, b, s, pk.) */
static const olock__fake_node *olock__fake_pnode_down(const olock__fake_pnode *n) {
    const olock__fake_pnode *x;
    while ((x = olock__fake_pnode_last(n)) != NULL) n = x;
    return n->rep;
}

/* For a clash at node n: from the last child of n's parent, n itself included. */
static const olock__fake_node *olock__fake_pnode_second(const olock__fake_pnode *n) {
    return olock__fake_pnode_down(olock__fake_pnode_last(n->parent));
}

static int olock__fake_pel_eq(const olock__fake_pel *x, const olock__fake_pel *y) {
    if (x->is_index != y->is_index) return 0;
    return x->is_index ? x->index == y->index : x->name_len == y->name_len && memcmp(x->name, y->name, x->name_len) == 0;
}

static int olock__fake_overlap_error(olock__fake_expr *e, int conflict, const olock__fake_node *a, const olock__fake_node *b) {
    olock_buf one, two;
    olock_buf_init(&one, &e->c->f->alloc);
    olock_buf_init(&two, &e->c->f->alloc);
    if (olock__fake_path_text(e->c, a, &one) == 0 && olock__fake_path_text(e->c, b, &two) == 0)
        olock__fake_verror(e->c, "Invalid %s: Two document paths %s with each other; must remove or rewrite one of these paths; path one: %.*s, path two: %.*s",
                           e->what, conflict ? "conflict" : "overlap", (int)one.len, one.data, (int)two.len, two.data);
    olock_buf_free(&one);
    olock_buf_free(&two);
    return -1;
}

static int olock__fake_check_overlap(olock__fake_expr *e, olock__fake_node **paths, size_t n) {
    olock__fake_pnode *root = (olock__fake_pnode *)olock__fake_alloc(e->c, sizeof(*root));
    size_t i, k, seq = 0;
    if (!root) return -1;
    memset(root, 0, sizeof(*root));
    for (i = n; i-- > 0;) {
        const olock__fake_node *p = paths[i];
        olock__fake_pnode *node = root, *ch = NULL;
        for (k = 0; k < p->nels; k++) {
            const olock__fake_pel *el = &p->els[k];
            if (node != root && node->terminal) return olock__fake_overlap_error(e, 0, p, olock__fake_pnode_second(node));
            for (ch = node->child; ch && !olock__fake_pel_eq(ch->el, el); ch = ch->next) {}
            if (!ch) {
                olock__fake_pnode **tail;
                if (node->child && node->child->el->is_index != el->is_index && node != root) /* from the node itself */
                    return olock__fake_overlap_error(e, 1, p, olock__fake_pnode_down(node));
                if (!(ch = (olock__fake_pnode *)olock__fake_alloc(e->c, sizeof(*ch)))) return -1;
                memset(ch, 0, sizeof(*ch));
                ch->el = el;
                ch->parent = node;
                ch->seq = seq++;
                ch->rep = p;
                for (tail = &node->child; *tail; tail = &(*tail)->next) {}
                *tail = ch;
                node->nchildren++;
                if (k + 1 == p->nels) ch->terminal = 1;
            } else if (k + 1 == p->nels) {
                return olock__fake_overlap_error(e, 0, p, olock__fake_pnode_second(ch));
            }
            if (node != root) node->rep = p;
            node = ch;
        }
    }
    return 0;
}

/* One operand of an update action: its parts first, then the operand itself, so that a
   placeholder is resolved just before the node using it is checked (`if_not_exists(b, b) +
   #nope` is the repeated b, `:s + :nope` the missing :nope, `:s + :t` the type of :s). */
static int olock__fake_update_operand(olock__fake_expr *e, olock__fake_node *n) {
    size_t i;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_update_operand(e, n->args[i]) < 0) return -1;
    if (olock__fake_check_subst(e, n, 0) < 0) return -1;
    return olock__fake_check_semantics(e, n, 0);
}

/* A condition's placeholders and operand checks in one pass, the parts of an operand before
   the operand: `begins_with(s[2], size(:t))` is the type of :t, `begins_with(:n, s) OR :v2 > n`
   the type of :n rather than the undefined :v2 later in the text. */
static int olock__fake_condition_operand(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    size_t i;
    int child_cond = n->kind == OLOCK__FAKE_N_AND || n->kind == OLOCK__FAKE_N_OR || n->kind == OLOCK__FAKE_N_NOT;
    for (i = 0; i < n->nargs; i++)
        if (olock__fake_condition_operand(e, n->args[i], child_cond) < 0) return -1;
    if (olock__fake_check_subst(e, n, as_condition) < 0) return -1;
    return olock__fake_check_semantics(e, n, as_condition);
}

/* An UpdateExpression's placeholders and operand types, the last action first as DynamoDB
   Local checks them: SET values, and the values of ADD and DELETE. */
static int olock__fake_update_semantics(olock__fake_expr *e) {
    size_t i;
    for (i = e->nacts; i-- > 0;) {
        olock__fake_action *a = &e->acts[i];
        olock_type t;
        if (olock__fake_walk(e, a->path, 0, olock__fake_check_semantics) < 0) return -1;
        if (a->value && olock__fake_update_operand(e, a->value) < 0) return -1;
        if (a->clause != OLOCK__FAKE_T_ADD && a->clause != OLOCK__FAKE_T_DELETE) continue;
        t = olock__fake_static_type(a->value);
        if (t && (a->clause == OLOCK__FAKE_T_ADD ? (t != OLOCK_TYPE_N && !olock__fake_is_set(t)) : !olock__fake_is_set(t)))
            return olock__fake_verror(e->c, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: %s",
                                      a->clause == OLOCK__FAKE_T_ADD ? "ADD" : "DELETE", olock__fake_long_type(t),
                                      a->clause == OLOCK__FAKE_T_ADD ? "ALLOWED_FOR_ADD_OPERAND" : "ALLOWED_FOR_DELETE_OPERAND");
    }
    return 0;
}

/* 1 when every #name of path p is defined in ExpressionAttributeNames. */
static int olock__fake_names_defined(const olock__fake_expr *e, const olock__fake_node *p) {
    size_t i;
    for (i = 0; i < p->nels; i++) {
        const olock__fake_tok *t = &e->toks[p->els[i].tok];
        const olock_json *m;
        if (p->els[i].is_index || t->kind == OLOCK__FAKE_T_NAME) continue;
        for (m = e->sub->names ? e->sub->names->first : NULL; m; m = m->next)
            if (m->key_len == t->end - t->start && memcmp(m->key, e->src + t->start, m->key_len) == 0) break;
        if (!m) return 0;
    }
    return 1;
}

/* DynamoDB Local resolves the #names of each path as it puts the path into its tree, the
   last path first: an undefined name is reported where that walk reaches it, after an overlap
   among the later paths (updates and projections alike). */
static int olock__fake_resolve_overlap(olock__fake_expr *e, olock__fake_node **paths, size_t n) {
    size_t i;
    for (i = n; i-- > 0;) {
        if (!olock__fake_names_defined(e, paths[i])) {
            if (olock__fake_check_overlap(e, paths + i + 1, n - i - 1) < 0) return -1;
            return olock__fake_check_subst(e, paths[i], 0);
        }
        if (olock__fake_check_subst(e, paths[i], 0) < 0) return -1;
    }
    return olock__fake_check_overlap(e, paths, n);
}

/* Overlapping paths come before operand types. */
static int olock__fake_check_update(olock__fake_expr *e) {
    size_t i;
    olock__fake_node **paths;
    if (!(paths = (olock__fake_node **)olock__fake_alloc(e->c, (e->nacts + 1) * sizeof(*paths)))) return -1;
    for (i = 0; i < e->nacts; i++) paths[i] = e->acts[i].path;
    if (olock__fake_resolve_overlap(e, paths, e->nacts) < 0) return -1;
    return olock__fake_update_semantics(e);
}

/* Function names and reserved words are one pass in DynamoDB Local: the first of either in
   the text is reported (`data = :v AND nofunc(a)` is the reserved word). */
static int olock__fake_check_names(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    if (olock__fake_check_func_name(e, n, as_condition) < 0 || olock__fake_check_reserved(e, n, as_condition) < 0) return -1;
    return 0;
}

/* The checks that look at one node only, in one visit (the fast path of
   olock__fake_compile_fresh; operand types need the placeholders resolved first). */
static int olock__fake_check_all(olock__fake_expr *e, olock__fake_node *n, int as_condition) {
    if (olock__fake_check_nesting(e, n, as_condition) < 0 || olock__fake_count_operators(e, n, as_condition) < 0 ||
        olock__fake_check_func_name(e, n, as_condition) < 0 || olock__fake_check_reserved(e, n, as_condition) < 0 ||
        (!olock__fake_is_update(e) && olock__fake_check_subst(e, n, as_condition) < 0)) /* an update's: olock__fake_check_update */
        return -1;
    return 0;
}


/* Parses and checks one expression of a request, in DynamoDB Local's order: size, syntax,
   list index range, parentheses, function names, reserved words, placeholders, operand
   types and counts, then (updates and projections) overlapping paths. NULL on error. The
   requests call olock__fake_compile (>>xcache), which keeps what this returns for the next. */
static olock__fake_expr *olock__fake_compile_fresh(olock__fake_ctx *c, olock__fake_subst *sub, const char *what,
                                                   const char *src, size_t len, int kind) {
    olock__fake_expr *e = (olock__fake_expr *)olock__fake_alloc(c, sizeof(olock__fake_expr));
    if (!e) return NULL;
    memset(e, 0, sizeof(*e));
    e->c = c;
    e->sub = sub;
    e->what = what;
    e->src = src;
    e->len = len;
    e->kind = kind;
    if (len == 0) {
        olock__fake_verror(c, "Invalid %s: The expression can not be empty;", what);
        return NULL;
    }
    if (len > OLOCK__FAKE_MAX_EXPR) {
        if (kind == OLOCK__FAKE_E_UPDATE) /* DynamoDB Local leaves the size out here */
            olock__fake_verror(c, "Invalid %s: Expression size has exceeded the maximum allowed size;", what);
        else
            olock__fake_verror(c, "Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %u",
                               what, (unsigned)len);
        return NULL;
    }
    if (!(e->toks = olock__fake_lex(c, src, len, &e->ntoks, kind == OLOCK__FAKE_E_PROJECTION))) return NULL;
    if (kind == OLOCK__FAKE_E_CONDITION) {
        if (!(e->root = olock__fake_parse_or(e))) return NULL;
        if (olock__fake_peek(e) != OLOCK__FAKE_T_EOF) {
            olock__fake_syntax(e, e->pos);
            return NULL;
        }
    } else if (kind == OLOCK__FAKE_E_UPDATE) {
        if (olock__fake_parse_update(e) < 0) return NULL;
    } else if (olock__fake_parse_projection(e) < 0) {
        return NULL;
    }
    if (e->bad_index) {
        int n;
        const char *s = olock__fake_tok_str(e, (size_t)e->bad_index - 1, &n);
        olock__fake_verror(c, "Invalid %s: List index is not within the allowable range; index: [%.*s]", what, n, s);
        return NULL;
    }
    /* The checks run phase by phase, because an error of an earlier phase anywhere in the
       expression wins over a later one. A valid expression passes them all, so two walks
       doing every check come first; only when they find something do the phases run in
       order to pick the error DynamoDB reports. */
    if (e->redundant || olock__fake_walk_all(e, olock__fake_check_all) < 0 ||
        (kind != OLOCK__FAKE_E_UPDATE && olock__fake_walk_all(e, olock__fake_check_semantics) < 0)) {
        if (c->oom) return NULL;
        c->err_type = NULL;
        e->operators = 0;
        if (olock__fake_walk_all(e, olock__fake_check_nesting) < 0) return NULL;
        if (e->redundant) {
            olock__fake_verror(c, "Invalid %s: The expression has redundant parentheses;", what);
            return NULL;
        }
        if (olock__fake_walk_all(e, olock__fake_count_operators) < 0) return NULL;
        if (olock__fake_walk_all(e, olock__fake_check_names) < 0) return NULL;
        if (kind == OLOCK__FAKE_E_CONDITION && olock__fake_walk_all(e, olock__fake_misplaced_func) < 0) return NULL;
        if (kind == OLOCK__FAKE_E_CONDITION && olock__fake_condition_operand(e, e->root, 1) < 0) return NULL;
        /* a projection's names: with its overlaps, below */
    }
    if (kind == OLOCK__FAKE_E_UPDATE && e->dup_clause) {
        static const char *const cl[] = { "SET", "REMOVE", "ADD", "DELETE" };
        olock__fake_verror(c, "Invalid UpdateExpression: The \"%s\" section can only be used once in an update expression;",
                           cl[e->dup_clause - OLOCK__FAKE_T_SET]);
        return NULL;
    }
    if (kind == OLOCK__FAKE_E_UPDATE && olock__fake_check_update(e) < 0) return NULL;
    if (kind == OLOCK__FAKE_E_PROJECTION && olock__fake_resolve_overlap(e, e->paths, e->npaths) < 0) return NULL;
    return e;
}

/* ---- expressions: evaluation ---------------------------------------------------------------- */

static const olock_value *olock__fake_list_at(const olock_value *l, uint32_t i) {
    const olock_value *m;
    for (m = l->first; m && i; m = m->next) i--;
    return m;
}

/* The value a path names in an item (NULL when absent). */
static const olock_value *olock__fake_path_get(const olock_value *item, const olock__fake_node *p, size_t nels) {
    const olock_value *cur = item;
    size_t i;
    for (i = 0; i < nels && cur; i++) {
        const olock__fake_pel *el = &p->els[i];
        if (el->is_index) cur = cur->type == OLOCK_TYPE_L ? olock__fake_list_at(cur, el->index) : NULL;
        else cur = cur->type == OLOCK_TYPE_M ? olock__fake_map_get(cur, el->name, el->name_len) : NULL;
    }
    return cur;
}

/* The same walks on the private, mutable copy of an item an update works on. */
static olock_value *olock__fake_list_at_mut(olock_value *l, uint32_t i) {
    olock_value *m;
    for (m = l->first; m && i; m = m->next) i--;
    return m;
}

static olock_value *olock__fake_path_get_mut(olock_value *item, const olock__fake_node *p, size_t nels) {
    olock_value *cur = item, *m;
    size_t i;
    for (i = 0; i < nels && cur; i++) {
        const olock__fake_pel *el = &p->els[i];
        if (el->is_index) {
            cur = cur->type == OLOCK_TYPE_L ? olock__fake_list_at_mut(cur, el->index) : NULL;
            continue;
        }
        if (cur->type != OLOCK_TYPE_M) return NULL;
        for (m = cur->first; m; m = m->next)
            if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) break;
        cur = m;
    }
    return cur;
}

/* Number of characters of a UTF-8 string. */
static size_t olock__fake_utf8_len(const char *s, size_t len) {
    size_t i, n = 0;
    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

static const olock_value *olock__fake_operand(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *n) {
    if (n->kind == OLOCK__FAKE_N_VALUE) return n->value;
    if (n->kind == OLOCK__FAKE_N_PATH) return item ? olock__fake_path_get(item, n, n->nels) : NULL;
    if (n->kind == OLOCK__FAKE_N_FUNC && n->op == OLOCK__FAKE_F_SIZE) {
        const olock_value *v = olock__fake_operand(c, item, n->args[0]);
        olock_decimal d;
        uint64_t size;
        if (!v) return NULL;
        switch (v->type) {
        case OLOCK_TYPE_S: size = olock__fake_utf8_len(v->str, v->len); break;
        case OLOCK_TYPE_B: size = v->len; break;
        case OLOCK_TYPE_N:
        case OLOCK_TYPE_BOOL:
        case OLOCK_TYPE_NULL: return NULL;
        default: size = v->count; break;
        }
        {
            char buf[24];
            int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)size);
            olock__fake_num_parse(buf, (size_t)len, &d);
        }
        return olock__fake_new_num(c, &d);
    }
    return NULL;
}

static int olock__fake_contains(const olock_value *a, const olock_value *b) {
    const olock_value *m;
    if ((a->type == OLOCK_TYPE_S && b->type == OLOCK_TYPE_S) || (a->type == OLOCK_TYPE_B && b->type == OLOCK_TYPE_B)) {
        size_t i;
        if (b->len > a->len) return 0;
        for (i = 0; i + b->len <= a->len; i++)
            if (memcmp(a->str + i, b->str, b->len) == 0) return 1;
        return 0;
    }
    if (olock__fake_is_set(a->type)) {
        if (b->type != olock__fake_member_type(a->type)) return 0;
        for (m = a->first; m; m = m->next)
            if (olock__fake_equal(m, b)) return 1;
        return 0;
    }
    if (a->type == OLOCK_TYPE_L) {
        for (m = a->first; m; m = m->next)
            if (olock__fake_equal(m, b)) return 1;
    }
    return 0;
}

static int olock__fake_ordered(const olock_value *a, const olock_value *b) {
    return a && b && a->type == b->type &&
        (a->type == OLOCK_TYPE_S || a->type == OLOCK_TYPE_N || a->type == OLOCK_TYPE_B);
}

/* 1 when the condition holds for `item` (NULL: no item). Iterative over AND/OR chains'
   left spines would be nicer; the 4 KB limit bounds the recursion to a few hundred. */
static int olock__fake_eval(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *n) {
    const olock_value *a, *b, *x;
    size_t i;
    switch (n->kind) {
    case OLOCK__FAKE_N_AND: return olock__fake_eval(c, item, n->args[0]) && olock__fake_eval(c, item, n->args[1]);
    case OLOCK__FAKE_N_OR: return olock__fake_eval(c, item, n->args[0]) || olock__fake_eval(c, item, n->args[1]);
    case OLOCK__FAKE_N_NOT: return !olock__fake_eval(c, item, n->args[0]);
    case OLOCK__FAKE_N_CMP: {
        int r;
        a = olock__fake_operand(c, item, n->args[0]);
        b = olock__fake_operand(c, item, n->args[1]);
        if (n->op == OLOCK__FAKE_T_EQ) return a && b && olock__fake_equal(a, b);
        if (n->op == OLOCK__FAKE_T_NE) return !(a && b && olock__fake_equal(a, b));
        if (!olock__fake_ordered(a, b)) return 0;
        r = olock__fake_scalar_cmp(a, b);
        switch (n->op) {
        case OLOCK__FAKE_T_LT: return r < 0;
        case OLOCK__FAKE_T_LE: return r <= 0;
        case OLOCK__FAKE_T_GT: return r > 0;
        default: return r >= 0;
        }
    }
    case OLOCK__FAKE_N_BETWEEN:
        x = olock__fake_operand(c, item, n->args[0]);
        a = olock__fake_operand(c, item, n->args[1]);
        b = olock__fake_operand(c, item, n->args[2]);
        return olock__fake_ordered(x, a) && olock__fake_ordered(x, b) && olock__fake_scalar_cmp(x, a) >= 0 &&
            olock__fake_scalar_cmp(x, b) <= 0;
    case OLOCK__FAKE_N_IN:
        x = olock__fake_operand(c, item, n->args[0]);
        if (!x) return 0;
        for (i = 1; i < n->nargs; i++) {
            a = olock__fake_operand(c, item, n->args[i]);
            if (a && olock__fake_equal(x, a)) return 1;
        }
        return 0;
    case OLOCK__FAKE_N_FUNC:
        switch (n->op) {
        case OLOCK__FAKE_F_EXISTS: return olock__fake_operand(c, item, n->args[0]) != NULL;
        case OLOCK__FAKE_F_NOT_EXISTS: return olock__fake_operand(c, item, n->args[0]) == NULL;
        case OLOCK__FAKE_F_TYPE:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && b->type == OLOCK_TYPE_S && olock__fake_streq(b->str, b->len, olock_type_name(a->type));
        case OLOCK__FAKE_F_BEGINS:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && a->type == b->type && (a->type == OLOCK_TYPE_S || a->type == OLOCK_TYPE_B) &&
                b->len <= a->len && memcmp(a->str, b->str, b->len) == 0;
        case OLOCK__FAKE_F_CONTAINS:
            a = olock__fake_operand(c, item, n->args[0]);
            b = olock__fake_operand(c, item, n->args[1]);
            return a && b && olock__fake_contains(a, b);
        default: return 0;
        }
    default:
        return 0;
    }
}

/* ---- expressions: projection ---------------------------------------------------------------- */

/* Adds the value at `p` of `item` to `out` (an M), creating the maps and lists on the way.
   List elements keep their original index in key_len while the projection is built, so
   several indexes of one list come out in list order. */
static int olock__fake_project_path(olock__fake_ctx *c, const olock_value *item, const olock__fake_node *p, olock_value *out) {
    const olock_value *src = item;
    olock_value *dst = out;
    size_t i;
    if (!olock__fake_path_get(item, p, p->nels)) return 0;
    for (i = 0; i < p->nels; i++) {
        const olock__fake_pel *el = &p->els[i];
        const olock_value *next_src;
        olock_value *next_dst = NULL, *m, *prev = NULL;
        int last = i + 1 == p->nels;
        if (el->is_index) next_src = src->type == OLOCK_TYPE_L ? olock__fake_list_at(src, el->index) : NULL;
        else next_src = src->type == OLOCK_TYPE_M ? olock__fake_map_get(src, el->name, el->name_len) : NULL;
        if (!next_src) return 0;
        if (el->is_index) {
            for (m = dst->first; m; prev = m, m = m->next) {
                if (m->key_len == el->index) {
                    next_dst = m;
                    break;
                }
                if (m->key_len > el->index) break;
            }
        } else {
            for (m = dst->first; m; m = m->next)
                if (m->key_len == el->name_len && memcmp(m->key, el->name, el->name_len) == 0) {
                    next_dst = m;
                    break;
                }
        }
        if (!next_dst) {
            if (last) {
                if (!(next_dst = olock__fake_copy(c->a, next_src))) return olock__fake_oom(c);
            } else {
                if (!(next_dst = olock__fake_newval(c->a, next_src->type))) return olock__fake_oom(c);
            }
            if (el->is_index) {
                next_dst->key = NULL;
                next_dst->key_len = el->index;
                if (prev) {
                    next_dst->next = prev->next;
                    prev->next = next_dst;
                } else {
                    next_dst->next = dst->first;
                    dst->first = next_dst;
                }
                if (!next_dst->next) dst->last = next_dst;
                dst->count++;
            } else {
                next_dst->key = el->name;
                next_dst->key_len = el->name_len;
                olock__fake_append(dst, next_dst);
            }
        }
        src = next_src;
        dst = next_dst;
    }
    return 0;
}

static void olock__fake_clear_list_marks(olock_value *v) {
    olock_value *m;
    for (m = v->first; m; m = m->next) {
        if (v->type == OLOCK_TYPE_L) m->key_len = 0;
        if (m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) olock__fake_clear_list_marks(m);
    }
}

static int olock__fake_sort_top(olock__fake_ctx *c, olock_value *map);

/* DynamoDB Local builds a projection as a sorted document: its top-level members come in name
   order (which decides their order within a HashMap bucket). */
static olock_value *olock__fake_project(olock__fake_ctx *c, const olock_value *item, const olock__fake_expr *e) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    size_t i;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    for (i = 0; i < e->npaths; i++)
        if (olock__fake_project_path(c, item, e->paths[i], out) < 0) return NULL;
    olock__fake_clear_list_marks(out);
    return olock__fake_sort_top(c, out) < 0 ? NULL : out;
}

/* ---- expressions: applying an update -------------------------------------------------------- */

static int olock__fake_update_error(olock__fake_ctx *c, int which) {
    switch (which) {
    case 1: return olock__fake_verror(c, "The document path provided in the update expression is invalid for update");
    case 2: return olock__fake_verror(c, "The provided expression refers to an attribute that does not exist in the item");
    default: return olock__fake_verror(c, "An operand in the update expression has an incorrect data type");
    }
}

/* The value of a SET right-hand side, computed against the old item. */
static const olock_value *olock__fake_set_value(olock__fake_ctx *c, const olock_value *old, const olock__fake_node *n) {
    const olock_value *a, *b;
    switch (n->kind) {
    case OLOCK__FAKE_N_VALUE: return n->value;
    case OLOCK__FAKE_N_PATH:
        a = old ? olock__fake_path_get(old, n, n->nels) : NULL;
        if (!a) olock__fake_update_error(c, 2);
        return a;
    case OLOCK__FAKE_N_PLUS:
    case OLOCK__FAKE_N_MINUS: {
        olock_decimal x, y, r;
        int64_t ia, ib;
        int rc;
        /* each operand is checked before the next is read: `s + nope` is a type error */
        if (!(a = olock__fake_set_value(c, old, n->args[0]))) return NULL;
        if (a->type != OLOCK_TYPE_N) {
            olock__fake_update_error(c, 3);
            return NULL;
        }
        if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
        if (b->type != OLOCK_TYPE_N) {
            olock__fake_update_error(c, 3);
            return NULL;
        }
        if (olock__fake_small_int(a->str, a->len, &ia) && olock__fake_small_int(b->str, b->len, &ib))
            return olock__fake_new_int(c, n->kind == OLOCK__FAKE_N_MINUS ? ia - ib : ia + ib);
        olock__fake_num_of(a, &x);
        olock__fake_num_of(b, &y);
        rc = olock__fake_num_addsub(&x, &y, n->kind == OLOCK__FAKE_N_MINUS, &r);
        if (rc != OLOCK__FAKE_NUM_OK) {
            olock__fake_num_error(c, rc);
            return NULL;
        }
        {
            int sa = olock__fake_text_scale(a->str, a->len), sb = olock__fake_text_scale(b->str, b->len);
            return olock__fake_new_num_scaled(c, &r, sa > sb ? sa : sb);
        }
    }
    case OLOCK__FAKE_N_FUNC:
        if (n->op == OLOCK__FAKE_F_IF_NOT_EXISTS) {
            /* DynamoDB Local reads the fallback even when it is not needed: a missing path
               there fails `SET x = if_not_exists(n, nope)` although n exists */
            a = old ? olock__fake_path_get(old, n->args[0], n->args[0]->nels) : NULL;
            if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
            return a ? a : b;
        } else {
            olock_value *l;
            const olock_value *m;
            if (!(a = olock__fake_set_value(c, old, n->args[0]))) return NULL;
            if (a->type != OLOCK_TYPE_L) {
                olock__fake_update_error(c, 3);
                return NULL;
            }
            if (!(b = olock__fake_set_value(c, old, n->args[1]))) return NULL;
            if (b->type != OLOCK_TYPE_L) {
                olock__fake_update_error(c, 3);
                return NULL;
            }
            if (!(l = olock__fake_newval(c->a, OLOCK_TYPE_L))) {
                c->oom = 1;
                return NULL;
            }
            for (m = a->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(c->a, m);
                if (!x) {
                    c->oom = 1;
                    return NULL;
                }
                olock__fake_append(l, x);
            }
            for (m = b->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(c->a, m);
                if (!x) {
                    c->oom = 1;
                    return NULL;
                }
                olock__fake_append(l, x);
            }
            return l;
        }
    default:
        olock__fake_update_error(c, 3);
        return NULL;
    }
}

/* Replaces the member of the same name (keeping its place) or appends. */
static void olock__fake_map_set(olock_value *map, olock_value *v) {
    olock_value *m, *prev = NULL;
    for (m = map->first; m; prev = m, m = m->next) {
        if (m->key_len == v->key_len && memcmp(m->key, v->key, v->key_len) == 0) {
            v->next = m->next;
            if (prev) prev->next = v;
            else map->first = v;
            if (map->last == m) map->last = v;
            return;
        }
    }
    olock__fake_append(map, v);
}

static void olock__fake_unlink(olock_value *parent, olock_value *m) {
    olock_value *it, *prev = NULL;
    for (it = parent->first; it; prev = it, it = it->next) {
        if (it != m) continue;
        if (prev) prev->next = it->next;
        else parent->first = it->next;
        if (parent->last == it) parent->last = prev;
        parent->count--;
        return;
    }
}

/* Puts `v` (allocated in `ia`, the new item's arena) at path `p` of the item. */
static int olock__fake_put_path(olock__fake_ctx *c, olock_arena *ia, olock_value *item, const olock__fake_node *p, olock_value *v) {
    olock_value *parent = olock__fake_path_get_mut(item, p, p->nels - 1);
    const olock__fake_pel *el = &p->els[p->nels - 1];
    if (!parent) return olock__fake_update_error(c, 1);
    if (el->is_index) {
        olock_value *old;
        if (parent->type != OLOCK_TYPE_L) return olock__fake_update_error(c, 1);
        old = olock__fake_list_at_mut(parent, el->index);
        v->key = NULL;
        v->key_len = 0;
        if (!old) {
            olock__fake_append(parent, v);
            return 0;
        }
        v->next = old->next;
        if (parent->first == old) parent->first = v;
        else {
            olock_value *m;
            for (m = parent->first; m->next != old; m = m->next) {}
            m->next = v;
        }
        if (parent->last == old) parent->last = v;
        return 0;
    }
    if (parent->type != OLOCK_TYPE_M) return olock__fake_update_error(c, 1);
    if (!(v->key = olock_arena_strdup(ia, el->name, el->name_len))) return olock__fake_oom(c);
    v->key_len = el->name_len;
    olock__fake_map_set(parent, v);
    return 0;
}

/* ADD and DELETE on a number or a set. The legacy AttributeUpdates form has messages of its
   own, and its ADD also appends to a list. */
static int olock__fake_add_delete(olock__fake_ctx *c, olock_arena *ia, olock_value *item, const olock__fake_action *a,
                                  int legacy) {
    const olock_value *arg = a->value->value;
    olock_value *parent = olock__fake_path_get_mut(item, a->path, a->path->nels - 1);
    olock_value *cur, *res;
    const olock_value *m;
    int add = a->clause == OLOCK__FAKE_T_ADD;
    if (!arg) return olock__fake_update_error(c, 3);
    if (!parent) return olock__fake_update_error(c, 1);
    cur = olock__fake_path_get_mut(item, a->path, a->path->nels);
    if (legacy) {
        if (add ? arg->type != OLOCK_TYPE_N && arg->type != OLOCK_TYPE_L && !olock__fake_is_set(arg->type)
                : !olock__fake_is_set(arg->type))
            return olock__fake_verror(c, "One or more parameter values were invalid: %s action %sis not supported for the type %s",
                                      add ? "ADD" : "DELETE", add ? "" : "with value ", olock__fake_long_type(arg->type));
        if (cur && cur->type != arg->type) return olock__fake_verror(c, "Type mismatch for attribute to update");
        if (cur && arg->type == OLOCK_TYPE_L) {
            for (m = arg->first; m; m = m->next) {
                olock_value *x = olock__fake_copy(ia, m);
                if (!x) return olock__fake_oom(c);
                olock__fake_append(cur, x);
            }
            return 0;
        }
    }
    if (add) {
        if (arg->type != OLOCK_TYPE_N && !olock__fake_is_set(arg->type) && !legacy) return olock__fake_update_error(c, 3);
        if (!cur) {
            if (!(res = olock__fake_copy(ia, arg))) return olock__fake_oom(c);
            return olock__fake_put_path(c, ia, item, a->path, res);
        }
        if (cur->type != arg->type) return olock__fake_update_error(c, 3);
        if (arg->type == OLOCK_TYPE_N) {
            olock_decimal x, y, r;
            int64_t ix, iy;
            int rc;
            if (olock__fake_small_int(cur->str, cur->len, &ix) && olock__fake_small_int(arg->str, arg->len, &iy)) {
                if (!(res = olock__fake_new_int(c, ix + iy)) || !(res = olock__fake_copy(ia, res))) return olock__fake_oom(c);
                return olock__fake_put_path(c, ia, item, a->path, res);
            }
            olock__fake_num_of(cur, &x);
            olock__fake_num_of(arg, &y);
            rc = olock__fake_num_addsub(&x, &y, 0, &r);
            if (rc != OLOCK__FAKE_NUM_OK) return olock__fake_num_error(c, rc);
            {
                int sa = olock__fake_text_scale(cur->str, cur->len), sb = olock__fake_text_scale(arg->str, arg->len);
                if (!(res = olock__fake_new_num_scaled(c, &r, sa > sb ? sa : sb))) return -1;
            }
            if (!(res = olock__fake_copy(ia, res))) return olock__fake_oom(c);
            return olock__fake_put_path(c, ia, item, a->path, res);
        }
        for (m = arg->first; m; m = m->next) {
            olock_value *x;
            if (olock__fake_contains(cur, m)) continue;
            if (!(x = olock__fake_copy(ia, m))) return olock__fake_oom(c);
            olock__fake_append(cur, x);
        }
        if (olock__fake_sort_set(c->a, cur, 1) < 0) return olock__fake_oom(c);
        return 0;
    }
    if (!olock__fake_is_set(arg->type)) return olock__fake_update_error(c, 3);
    if (!cur) return 0;
    if (cur->type != arg->type) return olock__fake_update_error(c, 3);
    for (m = arg->first; m; m = m->next) {
        olock_value *x;
        for (x = cur->first; x; x = x->next)
            if (olock__fake_equal(x, m)) {
                olock__fake_unlink(cur, x);
                break;
            }
    }
    if (cur->count == 0) olock__fake_unlink(parent, cur); /* DynamoDB has no empty sets */
    return 0;
}

/* REMOVE of list elements uses the indexes of the list before the update: remove the
   highest index of each list first. */
static int olock__fake_remove_order(const olock__fake_action *x, const olock__fake_action *y) {
    const olock__fake_pel *a = &x->path->els[x->path->nels - 1], *b = &y->path->els[y->path->nels - 1];
    return a->is_index && b->is_index && a->index < b->index;
}

/* Applies every action to `item`, a copy of the old item (or of the key) that lives in
   `ia`, the arena of the olock_item that will replace it: what goes into it is allocated
   there. SET values are all computed first, against `base`, as DynamoDB evaluates them on
   the old item; when the update creates the item, `base` is its key (DynamoDB Local lets
   "SET c = pk" read it, where a condition sees no item). */
/* 1 when action x of an update is applied before action y. DynamoDB Local keeps the paths in a
   tree whose nodes hold their children in a HashMap (as for overlapping paths) and walks it
   the reverse of the maps' order: at the first element where the two paths part, the higher
   bucket first (16 buckets, doubled past 3/4 full, by the element's hash), within a bucket
   the element first put, i.e. the one of the later action in the text. (Not the text order,
   nor its reverse: `SET y = nope, b.x = :one` reads y first, `SET b.x = :one, a = nope` b.) */
static int olock__fake_applied_before(const olock__fake_expr *e, size_t x, size_t y) {
    const olock__fake_node *px = e->acts[x].path, *py = e->acts[y].path;
    size_t k, i, m, n = 0, cap = 16, last_x = 0, last_y = 0;
    uint32_t bx, by;
    for (k = 0; k < px->nels && k < py->nels && olock__fake_pel_eq(&px->els[k], &py->els[k]); k++) {}
    if (k == px->nels || k == py->nels) return x > y; /* not after the overlap check */
    /* the children of the node where they part: the distinct elements k of the paths through it */
    for (i = 0; i < e->nacts; i++) {
        const olock__fake_node *p = e->acts[i].path;
        for (m = 0; m < k && m < p->nels && olock__fake_pel_eq(&p->els[m], &px->els[m]); m++) {}
        if (m < k || p->nels <= k) continue;
        if (olock__fake_pel_eq(&p->els[k], &px->els[k])) last_x = i;
        if (olock__fake_pel_eq(&p->els[k], &py->els[k])) last_y = i;
        for (m = 0; m < i; m++) {
            const olock__fake_node *q = e->acts[m].path;
            size_t r;
            for (r = 0; r <= k && r < q->nels && olock__fake_pel_eq(&q->els[r], &p->els[r]); r++) {}
            if (r > k) break;
        }
        if (m == i) n++;
    }
    while (n > cap / 4 * 3) cap *= 2;
    bx = olock__fake_pel_bucket(&px->els[k], cap);
    by = olock__fake_pel_bucket(&py->els[k], cap);
    if (bx != by) return bx > by;
    return last_x > last_y;
}

/* That order into `order` (nacts entries; NULL passes through). */
static size_t *olock__fake_action_order(const olock__fake_expr *e, size_t *order) {
    size_t i, j;
    for (i = 0; order && i < e->nacts; i++) { /* insertion sort, stable */
        for (j = i; j > 0 && olock__fake_applied_before(e, i, order[j - 1]); j--) order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

static int olock__fake_apply_update(olock__fake_ctx *c, olock_arena *ia, const olock_value *base, olock_value *item,
                                    olock__fake_expr *e) {
    size_t i, j, nrem = 0;
    olock__fake_action **rem;
    if (!e->legacy) {
        /* DynamoDB Local applies the actions in the order it walks its tree of their paths
           (olock__fake_applied_before), each action's target before its operand: `SET y =
           nope, b.x = :one` is the missing operand (y before b), `SET b.x = :one, a = nope`
           the path (b before a). */
        size_t *order = e->order;
        if (!order && !(order = olock__fake_action_order(e, (size_t *)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*order)))))
            return -1;
        for (j = 0; j < e->nacts; j++) {
            olock__fake_action *a = &e->acts[order[j]];
            const olock_value *arg, *cur, *parent;
            const olock__fake_pel *el = &a->path->els[a->path->nels - 1];
            parent = olock__fake_path_get(base, a->path, a->path->nels - 1);
            if (!parent || parent->type != (el->is_index ? OLOCK_TYPE_L : OLOCK_TYPE_M)) return olock__fake_update_error(c, 1);
            if (a->clause == OLOCK__FAKE_T_SET) {
                if (!(a->result = olock__fake_set_value(c, base, a->value))) return -1;
                continue;
            }
            if (a->clause == OLOCK__FAKE_T_REMOVE) continue;
            if (!(arg = a->value->value)) return olock__fake_update_error(c, 3);
            cur = olock__fake_path_get(base, a->path, a->path->nels);
            if (a->clause == OLOCK__FAKE_T_ADD ? arg->type != OLOCK_TYPE_N && !olock__fake_is_set(arg->type) : !olock__fake_is_set(arg->type))
                return olock__fake_update_error(c, 3);
            if (cur && cur->type != arg->type) return olock__fake_update_error(c, 3);
        }
    } else {
        for (i = 0; i < e->nacts; i++) {
            olock__fake_action *a = &e->acts[i];
            if (a->clause != OLOCK__FAKE_T_SET) continue;
            if (!(a->result = olock__fake_set_value(c, base, a->value))) return -1;
        }
    }
    for (i = 0; i < e->nacts; i++) {
        olock__fake_action *a = &e->acts[i];
        olock_value *v;
        if (a->clause != OLOCK__FAKE_T_SET) continue;
        if (!(v = olock__fake_copy(ia, a->result))) return olock__fake_oom(c);
        if (olock__fake_put_path(c, ia, item, a->path, v) < 0) return -1;
    }
    if (!(rem = (olock__fake_action **)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*rem)))) return -1;
    for (i = 0; i < e->nacts; i++)
        if (e->acts[i].clause == OLOCK__FAKE_T_REMOVE) rem[nrem++] = &e->acts[i];
    for (i = 1; i < nrem; i++) { /* stable insertion sort: higher list indexes first */
        olock__fake_action *x = rem[i];
        for (j = i; j > 0 && olock__fake_remove_order(rem[j - 1], x); j--) rem[j] = rem[j - 1];
        rem[j] = x;
    }
    for (i = 0; i < nrem; i++) {
        const olock__fake_node *p = rem[i]->path;
        olock_value *parent = olock__fake_path_get_mut(item, p, p->nels - 1);
        olock_value *cur;
        const olock__fake_pel *el = &p->els[p->nels - 1];
        if (!parent || (el->is_index ? parent->type != OLOCK_TYPE_L : parent->type != OLOCK_TYPE_M))
            return olock__fake_update_error(c, 1);
        cur = olock__fake_path_get_mut(item, p, p->nels);
        if (cur) olock__fake_unlink(parent, cur);
    }
    for (i = 0; i < e->nacts; i++) {
        olock__fake_action *a = &e->acts[i];
        if (a->clause == OLOCK__FAKE_T_ADD || a->clause == OLOCK__FAKE_T_DELETE)
            if (olock__fake_add_delete(c, ia, item, a, e->legacy) < 0) return -1;
    }
    return 0;
}

/* 1 when REMOVE action x sorts before y: by path, names by bytes, indexes by value. */
static int olock__fake_path_less(const olock__fake_node *x, const olock__fake_node *y) {
    size_t i;
    for (i = 0; i < x->nels && i < y->nels; i++) {
        const olock__fake_pel *a = &x->els[i], *b = &y->els[i];
        int r;
        if (a->is_index != b->is_index) return a->is_index < b->is_index;
        if (a->is_index) {
            if (a->index != b->index) return a->index < b->index;
            continue;
        }
        r = olock__fake_bytes_cmp(a->name, a->name_len, b->name, b->name_len, 0);
        if (r) return r < 0;
    }
    return x->nels < y->nels;
}

/* UPDATED_OLD / UPDATED_NEW: the top-level attributes of `image` whose updated path exists
   in it (DynamoDB Local returns the whole top-level attribute), in the order DynamoDB Local
   processes the actions: SET as written, REMOVE sorted by path, then ADD and DELETE. */
static olock_value *olock__fake_updated(olock__fake_ctx *c, const olock_value *image, const olock__fake_expr *e) {
    olock_value *out = olock__fake_newval(c->a, OLOCK_TYPE_M);
    olock__fake_action **order;
    size_t i, j, n = 0;
    int pass;
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    if (!image) return out;
    if (!(order = (olock__fake_action **)olock__fake_alloc(c, (e->nacts + 1) * sizeof(*order)))) return NULL;
    for (pass = 0; pass < 4; pass++) {
        static const int clauses[] = { OLOCK__FAKE_T_SET, OLOCK__FAKE_T_REMOVE, OLOCK__FAKE_T_ADD, OLOCK__FAKE_T_DELETE };
        size_t first = n;
        for (i = 0; i < e->nacts; i++) {
            if (e->acts[i].clause != clauses[pass]) continue;
            for (j = n; j > first && clauses[pass] == OLOCK__FAKE_T_REMOVE &&
                 olock__fake_path_less(e->acts[i].path, order[j - 1]->path);
                 j--)
                order[j] = order[j - 1];
            order[j] = &e->acts[i];
            n++;
        }
    }
    for (i = 0; i < n; i++) {
        const olock__fake_node *p = order[i]->path;
        const olock_value *m = olock__fake_map_get(image, p->els[0].name, p->els[0].name_len);
        olock_value *x;
        if (!m || olock__fake_map_get(out, m->key, m->key_len) || !olock__fake_path_get(image, p, p->nels)) continue;
        if (!(x = olock__fake_copy(c->a, m))) {
            c->oom = 1;
            return NULL;
        }
        olock__fake_append(out, x);
    }
    return out;
}

/* The members of a map (not of the maps in it) in name order. */
static int olock__fake_sort_top(olock__fake_ctx *c, olock_value *map) {
    olock_value **arr, *m;
    size_t n = map->count, i, j;
    if (n < 2) return 0;
    if (!(arr = (olock_value **)olock__fake_alloc(c, n * sizeof(*arr)))) return -1;
    for (i = 0, m = map->first; m && i < n; m = m->next, i++) {
        for (j = i; j > 0 && olock__fake_bytes_cmp(arr[j - 1]->key, arr[j - 1]->key_len, m->key, m->key_len, 0) > 0; j--)
            arr[j] = arr[j - 1];
        arr[j] = m;
    }
    map->first = arr[0];
    for (i = 0; i + 1 < n; i++) arr[i]->next = arr[i + 1];
    arr[n - 1]->next = NULL;
    map->last = arr[n - 1];
    return 0;
}

/* DynamoDB Local rebuilds an updated item from a sorted document: its maps come back with
   their members in name order (which decides the order within a HashMap bucket). */
static int olock__fake_sort_members(olock__fake_ctx *c, olock_value *map, int depth) {
    olock_value *m;
    for (m = map->first; m; m = m->next)
        if ((m->type == OLOCK_TYPE_M || m->type == OLOCK_TYPE_L) && depth < OLOCK__FAKE_MAX_DEPTH + 2 &&
            olock__fake_sort_members(c, m, depth + 1) < 0)
            return -1;
    return map->type == OLOCK_TYPE_M ? olock__fake_sort_top(c, map) : 0;
}
