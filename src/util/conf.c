/* conf.c: one table drives defaults, GATEHOUSE_* environment variables,
 * command-line flags, bounds and --help. Loading reports every problem
 * before failing, so an operator fixes a config in one go. It does not
 * open files or sockets: addresses and paths are checked where used. */
#include "util/conf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

enum conf_type { T_STR, T_UINT, T_SIZE, T_LEVEL, T_SCALE, T_RATE };

struct conf_row {
    const char    *env;   /* GATEHOUSE_… */
    const char    *flag;  /* "--…" without the dashes; NULL = environment only */
    enum conf_type type;
    size_t         off;   /* offsetof(struct gh_conf, field) */
    uint64_t       min, max;
    const char    *help;
};

#define F(field) offsetof(struct gh_conf, field)
static const struct conf_row rows[] = {
    /* env                             flag               type     field           min    max */
    { "GATEHOUSE_FRONTEND",            "frontend",        T_STR,   F(frontend_addr), 0, 0, "frontend listener ADDR:PORT" },
    { "GATEHOUSE_BACKEND",             "backend",         T_STR,   F(backend_addr), 0, 0, "backend listener ADDR:PORT" },
    { "GATEHOUSE_DATABASE_URL",        "database",        T_STR,   F(database_url), 0, 0, "sqlite://PATH or postgres://…" },
    { "GATEHOUSE_FRONTEND_URL",        "frontend-url",    T_STR,   F(frontend_url), 0, 0, "public URL of the frontend listener" },
    { "GATEHOUSE_BACKEND_URL",         "backend-url",     T_STR,   F(backend_url), 0, 0, "URL apps use as CLERK_API_URL" },
    { "GATEHOUSE_MASTER_KEY",          NULL,              T_STR,   F(master_key), 0, 0, "master key (base64 or hex); never a flag" },
    { "GATEHOUSE_MASTER_KEY_FILE",     "master-key-file", T_STR,   F(master_key_file), 0, 0, "master key file (created 0600)" },
    { "GATEHOUSE_INSTANCE_NAME",       "instance-name",   T_STR,   F(instance_name), 0, 0, "name of the default instance" },
    { "GATEHOUSE_ASSETS_DIR",          "assets-dir",      T_STR,   F(assets_dir), 0, 0, "dir with @clerk/clerk-js and @clerk/ui (default: found beside the binary)" },
    { "GATEHOUSE_LOG_LEVEL",           "log-level",       T_LEVEL, F(log_level), 0, 0, "debug|info|warn|error" },
    { "GATEHOUSE_THREADS",             "threads",         T_UINT,  F(threads), 1, 1024, "worker threads per listener" },
    { "GATEHOUSE_HASH_CONCURRENCY",    "hash-concurrency", T_UINT, F(hash_concurrency), 1, 1024, "concurrent password hashes" },
    { "GATEHOUSE_CONN_TIMEOUT",        "conn-timeout",    T_UINT,  F(conn_timeout_s), 1, 3600, "idle connection timeout, s" },
    { "GATEHOUSE_PER_IP_CONN_LIMIT",   "per-ip-conn-limit", T_UINT, F(per_ip_conn_limit), 1, 1000000, "connections per client IP" },
    { "GATEHOUSE_CONN_LIMIT",          "conn-limit",      T_UINT,  F(conn_limit), 1, 1000000, "connections per listener" },
    { "GATEHOUSE_MAX_HEADER_BYTES",    "max-header-bytes", T_SIZE, F(max_header_bytes), 1024, 1048576, "request line + headers, bytes" },
    { "GATEHOUSE_MAX_BODY_BACKEND",    "max-body-backend", T_SIZE, F(max_body_backend), 1024, 67108864, "Backend API body cap, bytes" },
    { "GATEHOUSE_MAX_BODY_FRONTEND",   "max-body-frontend", T_SIZE, F(max_body_frontend), 1024, 67108864, "Frontend API body cap, bytes" },
    { "GATEHOUSE_TOKEN_TTL_SECONDS",   "token-ttl",       T_UINT,  F(token_ttl_s), 10, 86400, "session token lifetime, s" },
    { "GATEHOUSE_TOKEN_REUSE_SECONDS", "token-reuse",     T_UINT,  F(token_reuse_min_s), 0, 86400, "reuse a cached token with this many s left (0 = never)" },
    { "GATEHOUSE_WEBHOOK_WORKERS",     "webhook-workers", T_UINT,  F(webhook_workers), 1, 32, "webhook delivery threads" },
    { "GATEHOUSE_WEBHOOK_TIME_SCALE",  NULL,              T_SCALE, F(webhook_time_scale), 0, 0, "retry delay factor (tests)" },
    { "GATEHOUSE_WEBHOOK_ALLOW_LOOPBACK", "webhook-allow-loopback", T_UINT, F(webhook_allow_loopback), 0, 1, "1: webhook endpoints may be on loopback" },
    { "GATEHOUSE_WEBHOOK_ALLOW_CIDRS", "webhook-allow-cidrs", T_STR, F(webhook_allow_cidrs), 0, 0, "CIDRs webhook endpoints may be in" },
    /* abuse resistance (issue 6) */
    { "GATEHOUSE_LOCKOUT_ATTEMPTS",    "lockout-attempts", T_UINT, F(lockout_attempts), 0, 1000, "failed verifications that lock a user (0 = off)" },
    { "GATEHOUSE_LOCKOUT_SECONDS",     "lockout-seconds", T_UINT,  F(lockout_seconds), 1, 315360000, "how long the lockout lasts, s" },
    { "GATEHOUSE_RATELIMIT_SIGN_IN",   "ratelimit-sign-in", T_RATE, F(rl_sign_in), 1, 1000000, "sign-in creations per client IP: N/SECONDS or 0" },
    { "GATEHOUSE_RATELIMIT_SIGN_UP",   "ratelimit-sign-up", T_RATE, F(rl_sign_up), 1, 1000000, "sign-up creations per client IP: N/SECONDS or 0" },
    { "GATEHOUSE_RATELIMIT_ATTEMPT",   "ratelimit-attempt", T_RATE, F(rl_attempt), 1, 1000000, "code/password attempts per client IP: N/SECONDS or 0" },
    { "GATEHOUSE_RATELIMIT_BACKEND",   "ratelimit-backend", T_RATE, F(rl_backend), 1, 1000000, "Backend API requests per instance: N/SECONDS or 0" },
    { "GATEHOUSE_TRUSTED_PROXIES",     "trusted-proxies", T_STR,   F(trusted_proxies), 0, 0, "CIDRs of proxies whose X-Forwarded-For is trusted" },
    { "GATEHOUSE_HEADER_TIMEOUT",      "header-timeout",  T_UINT,  F(header_timeout_s), 1, 3600, "request line + headers deadline, s" },
    { "GATEHOUSE_BODY_TIMEOUT",        "body-timeout",    T_UINT,  F(body_timeout_s), 1, 3600, "request body deadline, s" },
    { "GATEHOUSE_PWNED_URL",           "pwned-url",       T_STR,   F(pwned_url), 0, 0, "breached-password range API (off when unset)" },
    { "GATEHOUSE_ALLOWED_ORIGINS",     "allowed-origins", T_STR,   F(allowed_origins), 0, 0, "origins allowed to call the Frontend API (comma-separated; port * ok)" },
    { "GATEHOUSE_SMTP_URL",            "smtp-url",        T_STR,   F(smtp_url), 0, 0, "smtp://HOST:PORT for codes and invitations" },
    { "GATEHOUSE_MAIL_FROM",           "mail-from",       T_STR,   F(mail_from), 0, 0, "From address of emails" },
    { "GATEHOUSE_CODE_TTL_SECONDS",    "code-ttl",        T_UINT,  F(code_ttl_s), 1, 86400, "lifetime of emailed codes, s" },
    { "GATEHOUSE_CLOCK_SKEW_SECONDS",  NULL,              T_UINT,  F(clock_skew_s), 0, 315360000, "run the clock ahead by this, s (tests)" },
    { "GATEHOUSE_SMTP_USER",           NULL,              T_STR,   F(smtp_user), 0, 0, "SMTP user (instead of the URL's)" },
    { "GATEHOUSE_SMTP_PASSWORD",       NULL,              T_STR,   F(smtp_password), 0, 0, "SMTP password; never a flag" },
    { "GATEHOUSE_MAIL_TIME_SCALE",     NULL,              T_SCALE, F(mail_time_scale), 0, 0, "mail retry delay factor (tests)" },
};
#undef F
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static unsigned
cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

int
gh_conf_init_defaults(struct gh_conf *c)
{
    unsigned n = cores();

    memset(c, 0, sizeof(*c));
    c->frontend_addr = gh_strdup("127.0.0.1:7900");
    c->backend_addr = gh_strdup("127.0.0.1:7901");
    c->database_url = gh_strdup("sqlite://./gatehouse.db");
    c->instance_name = gh_strdup("Gatehouse");
    c->log_level = GH_LOG_INFO;
    c->threads = 2 * n > 4 ? 2 * n : 4;
    c->hash_concurrency = n;
    c->conn_timeout_s = 30;
    c->per_ip_conn_limit = 256;
    c->conn_limit = 4096;
    c->max_header_bytes = 16 * 1024;
    c->max_body_backend = 1024 * 1024;
    c->max_body_frontend = 64 * 1024;
    c->token_ttl_s = 60;
    c->token_reuse_min_s = 30;
    c->webhook_workers = 2;
    c->webhook_time_scale = 1.0;
    c->lockout_attempts = 10;
    c->lockout_seconds = 3600;
    c->rl_sign_in = (struct gh_conf_rate){ 5, 10 };   /* Clerk's Frontend API figures */
    c->rl_sign_up = (struct gh_conf_rate){ 5, 10 };
    c->rl_attempt = (struct gh_conf_rate){ 3, 10 };
    c->rl_backend = (struct gh_conf_rate){ 1000, 10 }; /* Clerk's Backend API figure */
    c->header_timeout_s = 10;
    c->body_timeout_s = 30;
    c->code_ttl_s = 600;
    c->mail_time_scale = 1.0;
    if (c->frontend_addr == NULL || c->backend_addr == NULL || c->database_url == NULL ||
        c->instance_name == NULL)
        return -1;
    return 0;
}

static int
parse_level(const char *s, int *out)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };

    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

/* "N/S" (N in min..max, S 1..86400 seconds) or "0" (off). */
static int
parse_rate(const char *s, const struct conf_row *r, struct gh_conf_rate *out)
{
    const char *slash = strchr(s, '/');
    char        num[24];
    uint64_t    n, w;

    if (strcmp(s, "0") == 0) {
        *out = (struct gh_conf_rate){ 0, 1 };
        return 0;
    }
    if (slash == NULL || (size_t)(slash - s) >= sizeof(num))
        return -1;
    memcpy(num, s, (size_t)(slash - s));
    num[slash - s] = '\0';
    if (gh_parse_uint(num, r->min, r->max, &n) == -1 || gh_parse_uint(slash + 1, 1, 86400, &w) == -1)
        return -1;
    *out = (struct gh_conf_rate){ (unsigned)n, (unsigned)w };
    return 0;
}

/* Stores value into the row's field; 0 or -1 (problem reported to errs). */
static int
set_value(struct gh_conf *c, const struct conf_row *r, const char *src, const char *value,
    FILE *errs)
{
    void    *field = (char *)c + r->off;
    uint64_t v;

    switch (r->type) {
    case T_STR: {
        char *copy = gh_strdup(value);

        if (copy == NULL || value[0] == '\0') {
            fprintf(errs, "%s: must not be empty\n", src);
            free(copy);
            return -1;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case T_SCALE: {
        char  *end = NULL;
        double d = strtod(value, &end);

        /* a positive factor, 1e-6 to 1e6 (NaN fails both comparisons) */
        if (end == value || *end != '\0' || !(d >= 1e-6 && d <= 1e6)) {
            fprintf(errs, "%s: must be a number from 0.000001 to 1000000\n", src);
            return -1;
        }
        *(double *)field = d;
        return 0;
    }
    case T_RATE:
        if (parse_rate(value, r, (struct gh_conf_rate *)field) == 0)
            return 0;
        fprintf(errs, "%s: must be N/SECONDS (N %llu..%llu, SECONDS 1..86400) or 0\n", src,
            (unsigned long long)r->min, (unsigned long long)r->max);
        return -1;
    case T_LEVEL:
        if (parse_level(value, (int *)field) == 0)
            return 0;
        fprintf(errs, "%s: must be debug, info, warn or error\n", src);
        return -1;
    case T_UINT:
    case T_SIZE:
        if (gh_parse_uint(value, r->min, r->max, &v) == -1) {
            fprintf(errs, "%s: must be a whole number from %llu to %llu\n", src,
                (unsigned long long)r->min, (unsigned long long)r->max);
            return -1;
        }
        if (r->type == T_UINT)
            *(unsigned *)field = (unsigned)v;
        else
            *(size_t *)field = (size_t)v;
        return 0;
    }
    return -1;
}

static int
load_env(struct gh_conf *c, FILE *errs)
{
    int problems = 0;

    for (size_t i = 0; i < NROWS; i++) {
        const char *v = getenv(rows[i].env);

        if (v != NULL && set_value(c, &rows[i], rows[i].env, v, errs) == -1)
            problems++;
    }
    return problems;
}

static const struct conf_row *
find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].flag != NULL && strlen(rows[i].flag) == len &&
            strncmp(rows[i].flag, name, len) == 0)
            return &rows[i];
    return NULL;
}

static int
load_flags(struct gh_conf *c, int argc, char **argv, FILE *errs)
{
    int problems = 0;

    for (int i = 0; i < argc; i++) {
        const char            *a = argv[i], *eq, *value;
        const struct conf_row *r;

        if (strncmp(a, "--", 2) != 0) {
            fprintf(errs, "%s: unexpected argument\n", a);
            problems++;
            continue;
        }
        eq = strchr(a + 2, '=');
        r = find_flag(a + 2, eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2));
        if (r == NULL) {
            fprintf(errs, "%.*s: unknown option\n", eq != NULL ? (int)(eq - a) : (int)strlen(a), a);
            problems++;
            continue;
        }
        if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fprintf(errs, "%s: needs a value\n", a);
            problems++;
            continue;
        }
        if (set_value(c, r, a, value, errs) == -1)
            problems++;
    }
    return problems;
}

/* "host:port" with a port in range; the full parse happens at listen time. */
static int
check_addr(const char *name, const char *addr, FILE *errs)
{
    const char *colon = strrchr(addr, ':');
    uint64_t    port;

    if (colon == NULL || colon == addr || gh_parse_uint(colon + 1, 1, 65535, &port) == -1) {
        fprintf(errs, "%s: \"%s\" is not ADDR:PORT\n", name, addr);
        return 1;
    }
    return 0;
}

static char *
concat(const char *a, const char *b)
{
    struct gh_buf buf;

    gh_buf_init(&buf, 8192);
    gh_buf_add(&buf, a);
    gh_buf_add(&buf, b);
    return gh_buf_take(&buf);
}

/* Where the master key lives by default: beside the SQLite file, else cwd. */
static char *
default_key_file(const char *db)
{
    if (strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0)
        return gh_strdup("./gatehouse.key");
    if (strncmp(db, "sqlite://", 9) == 0)
        db += 9;
    else if (strncmp(db, "sqlite:", 7) == 0)
        db += 7;
    return concat(db, ".key");
}

static int
derive(struct gh_conf *c, FILE *errs)
{
    int problems = 0;

    problems += check_addr("frontend", c->frontend_addr, errs);
    problems += check_addr("backend", c->backend_addr, errs);
    if (c->frontend_url == NULL)
        c->frontend_url = concat("http://", c->frontend_addr);
    if (c->backend_url == NULL)
        c->backend_url = concat("http://", c->backend_addr);
    if (c->master_key_file == NULL)
        c->master_key_file = default_key_file(c->database_url);
    if (c->frontend_url == NULL || c->backend_url == NULL || c->master_key_file == NULL) {
        fprintf(errs, "out of memory\n");
        problems++;
    }
    return problems;
}

int
gh_conf_load(struct gh_conf *c, int argc, char **argv, FILE *errs)
{
    int problems = load_env(c, errs);

    problems += load_flags(c, argc, argv, errs);
    if (problems == 0)
        problems += derive(c, errs);
    return problems;
}

void
gh_conf_usage(FILE *out)
{
    for (size_t i = 0; i < NROWS; i++) {
        char flag[40] = "";

        if (rows[i].flag != NULL)
            snprintf(flag, sizeof(flag), "--%s", rows[i].flag);
        fprintf(out, "  %-22s %-30s %s\n", flag, rows[i].env, rows[i].help);
    }
}

void
gh_conf_free(struct gh_conf *c)
{
    if (c->master_key != NULL)
        explicit_bzero(c->master_key, strlen(c->master_key));
    if (c->smtp_password != NULL)
        explicit_bzero(c->smtp_password, strlen(c->smtp_password));
    /* The URL may carry a password too. */
    if (c->smtp_url != NULL)
        explicit_bzero(c->smtp_url, strlen(c->smtp_url));
    free(c->frontend_addr);
    free(c->backend_addr);
    free(c->database_url);
    free(c->frontend_url);
    free(c->backend_url);
    free(c->master_key);
    free(c->master_key_file);
    free(c->instance_name);
    free(c->assets_dir);
    free(c->webhook_allow_cidrs);
    free(c->trusted_proxies);
    free(c->pwned_url);
    free(c->allowed_origins);
    free(c->smtp_url);
    free(c->mail_from);
    free(c->smtp_user);
    free(c->smtp_password);
    memset(c, 0, sizeof(*c));
}
