/* main.c: the gatehouse binary. Parses the command and configuration,
 * then either serves (both listeners until SIGTERM/SIGINT, then drains) or
 * runs one admin verb against the same database and exits. It owns process
 * concerns only: signals, exit codes, what goes to stdout; everything else
 * is a call into http/, core/ or store/. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/backend/backend.h"
#include "api/backend/users_io.h"
#include "core/app.h"
#include "core/event.h"
#include "core/mail.h"
#include "core/origin.h"
#include "core/settings.h"
#include "core/webhooks.h"
#include "jobs/mail.h"
#include "jobs/worker.h"
#include "crypto/crypto.h"
#include "http/server.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/str.h"

#define GH_VERSION "0.1.0"

static void
usage(FILE *out)
{
    fprintf(out,
        "usage: gatehouse [serve] [options]     run the server (default)\n"
        "       gatehouse migrate [options]     apply database migrations\n"
        "       gatehouse keys create-secret    print a new CLERK_SECRET_KEY\n"
        "       gatehouse keys list             list API keys\n"
        "       gatehouse keys jwt-public-key   print the signing key's PEM (CLERK_JWT_KEY)\n"
        "       gatehouse webhooks add URL [--events a,b]  add a webhook endpoint; prints its secret\n"
        "       gatehouse users import FILE|- [--batch N] [--quiet]\n"
        "                                       import users from JSON lines (POST /v1/users bodies)\n"
        "       gatehouse users export [FILE|-] [--quiet]  write every user as an import line\n"
        "       gatehouse instance show         print every instance setting (JSON)\n"
        "       gatehouse instance set KEY=VALUE...  change instance settings (KEY= resets)\n"
        "                                       (`settings` is an alias of `instance`)\n"
        "       gatehouse mail test ADDRESS     queue a sample code email (the server sends it)\n"
        "       gatehouse mail status           count queued, sent, failed and expired emails\n"
        "       gatehouse --help | --version\n"
        "options (flag, environment variable):\n");
    gh_conf_usage(out);
}

static int
fail(const char *what, const struct gh_err *err)
{
    fprintf(stderr, "gatehouse: %s: %s%s%s\n", what, gh_err_message(err),
        err->note[0] != '\0' ? ": " : "", err->note);
    return 1;
}

static int
listen_all(struct gh_server *srv, const struct gh_conf *conf, struct gh_err *err)
{
    const struct gh_listener_def fe = {
        .name = "frontend", .addr = conf->frontend_addr, .routes = gh_routes_frontend,
        .nroutes = gh_routes_frontend_count, .max_body = conf->max_body_frontend, .json_only = 0,
        .fapi = 1,
    };
    const struct gh_listener_def be = {
        .name = "backend", .addr = conf->backend_addr, .routes = gh_routes_backend,
        .nroutes = gh_routes_backend_count, .max_body = conf->max_body_backend, .json_only = 1,
    };

    if (gh_server_listen(srv, &fe, err) == -1 || gh_server_listen(srv, &be, err) == -1)
        return -1;
    return 0;
}

/* ---- webhooks (issue 5) ---- */

/* Installs the event renderer and starts the delivery workers
 * (conf: webhook_workers, webhook_time_scale). */
static int
start_webhooks(struct gh_app *app, struct gh_worker **out, struct gh_err *err)
{
    struct gh_worker_conf     wc = { 0 };
    static struct gh_webhooks_policy pol; /* outlives the worker (policy.allow points here) */

    gh_api_events_install(app);
    gh_webhooks_policy_load(app, &pol);
    wc.store = app->store;
    wc.master = app->master;
    wc.nthreads = (int)app->conf->webhook_workers;
    wc.time_scale = app->conf->webhook_time_scale;
    wc.policy = pol.policy;
    if (gh_worker_start(&wc, out, err) == -1)
        return -1;
    gh_event_set_waker(app, gh_worker_wake, *out);
    return 0;
}

/* ---- email (issue 4) ---- */

/* core's delivery hook → the mailer's queue (jobs knows nothing of core). */
static int
mail_hook(void *arg, const char *instance_id, const struct gh_mail *m, struct gh_err *err)
{
    struct gh_mailer_item it = {
        .to = m->to, .subject = m->subject, .text = m->text, .html = m->html,
        .expires_at = m->expires_at > 0 ? m->expires_at : GH_TIME_NULL,
    };

    return gh_mailer_enqueue(arg, instance_id, &it, err);
}

/* "<name> <no-reply@<frontend host>>"; a host that is an address or has no
 * dot gives "localhost" (no-reply@127.0.0.1 is not a mail address). */
static void
default_from(const struct gh_app *app, char *out, size_t size)
{
    const char *u = app->conf->frontend_url, *h = u != NULL ? strstr(u, "://") : NULL;
    char        host[256] = "", name[GH_SETTINGS_NAME_MAX];
    size_t      n;
    int         numeric = 1;

    if (h != NULL) {
        h += 3;
        n = strcspn(h, ":/?#");
        if (n < sizeof(host) && h[0] != '[') {
            memcpy(host, h, n);
            host[n] = '\0';
        }
    }
    for (const char *p = host; *p != '\0'; p++)
        if ((*p < '0' || *p > '9') && *p != '.')
            numeric = 0;
    if (host[0] == '\0' || numeric || strchr(host, '.') == NULL)
        gh_strlcpy(host, "localhost", sizeof(host));
    gh_settings_app_name(app, name, sizeof(name));
    if (strpbrk(name, "\"<>\\") != NULL)
        snprintf(out, size, "no-reply@%s", host);
    else
        snprintf(out, size, "%s <no-reply@%s>", name, host);
}

/* With GATEHOUSE_SMTP_URL: parses it, makes the mailer (started when
 * `start`), installs core's hook. Without: *out NULL, core logs (development)
 * or refuses (production). */
static int
open_mailer(struct gh_app *app, struct gh_smtp_conf *smtp, int start, struct gh_mailer **out,
    struct gh_err *err)
{
    const struct gh_conf *conf = app->conf;
    struct gh_mailer_conf mc = { 0 };
    char                  from[600];

    *out = NULL;
    if (conf->smtp_url == NULL) {
        gh_log_info("mail: no SMTP configured (GATEHOUSE_SMTP_URL); %s",
            gh_app_is_development(app) ? "emails are written to the log (development)"
                                       : "emails are refused (production)");
        return 0;
    }
    if (gh_smtp_conf_parse(conf->smtp_url, conf->smtp_user, conf->smtp_password, smtp, err) == -1)
        return -1;
    if (conf->mail_from == NULL)
        default_from(app, from, sizeof(from));
    mc.store = app->store;
    mc.master = app->master;
    mc.smtp = smtp;
    mc.from = conf->mail_from != NULL ? conf->mail_from : from;
    mc.time_scale = conf->mail_time_scale;
    if (gh_mailer_new(&mc, out, err) == -1 || (start && gh_mailer_start(*out, err) == -1)) {
        gh_mailer_free(*out);
        *out = NULL;
        return -1;
    }
    gh_mail_set_sender(app, mail_hook, *out);
    gh_mail_set_waker(app, gh_mailer_wake);
    return 0;
}

static void
close_mailer(struct gh_app *app, struct gh_mailer *m, struct gh_smtp_conf *smtp)
{
    if (app != NULL) {
        gh_mail_set_sender(app, NULL, NULL);
        gh_mail_set_waker(app, NULL);
    }
    gh_mailer_free(m); /* before the store closes */
    gh_smtp_conf_clear(smtp);
}

/* Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish (bounded) and exits 0. */
static int
cmd_serve(const struct gh_conf *conf, const sigset_t *sigs)
{
    struct gh_app      *app = NULL;
    struct gh_server   *srv = NULL;
    struct gh_worker   *hooks = NULL;
    struct gh_mailer   *mailer = NULL;
    struct gh_smtp_conf smtp = { 0 };
    struct gh_bootstrap boot = { 0 };
    struct gh_err       err = { 0 };
    int                 sig = 0, rc = 1;
    unsigned            left;

    if (gh_app_open(conf, &app, &boot, &err) == -1)
        return fail("cannot start", &err);
    gh_app_print_env(app, &boot, stdout);
    fflush(stdout);
    gh_http_assets_init(conf->assets_dir); /* logs a warning when the bundles are missing */
    gh_memzero(boot.secret_key, sizeof(boot.secret_key));
    /* Hooks (mail, event renderer and waker) are set before any request
     * thread exists: request threads read them without a lock. */
    if (open_mailer(app, &smtp, 1, &mailer, &err) == -1) {
        rc = fail("cannot start the mailer", &err);
        goto done;
    }
    if (start_webhooks(app, &hooks, &err) == -1) {
        rc = fail("cannot start webhook workers", &err);
        goto done;
    }
    if (gh_server_new(app, conf, &srv, &err) == -1 || listen_all(srv, conf, &err) == -1) {
        rc = fail("cannot listen", &err);
        goto done;
    }
    gh_log_info("listening frontend=%s backend=%s", conf->frontend_url, conf->backend_url);
    if (sigwait(sigs, &sig) != 0)
        gh_log_error("sigwait failed");
    gh_log_info("signal %d: draining", sig);
    left = gh_server_drain(srv, GH_HTTP_DRAIN_MS);
    if (left > 0)
        gh_log_warn("%u requests still running after %d ms; stopping anyway", left,
            GH_HTTP_DRAIN_MS);
    rc = 0;
done:
    gh_server_free(srv);
    if (app != NULL)
        gh_event_set_waker(app, NULL, NULL);
    gh_worker_stop(hooks); /* before the store closes */
    close_mailer(app, mailer, &smtp);
    gh_app_close(app);
    if (rc == 0)
        gh_log_info("stopped");
    return rc;
}

static int
cmd_migrate(const struct gh_conf *conf)
{
    struct gh_store *st = NULL;
    struct gh_err    err = { 0 };
    int              version = 0, rc = 1;

    if (gh_store_open(conf->database_url, &st, &err) == -1 || gh_store_migrate(st, &err) == -1 ||
        gh_store_schema_version(st, &version, &err) == -1) {
        rc = fail("migrate", &err);
        goto done;
    }
    printf("schema version %d\n", version);
    rc = 0;
done:
    gh_store_close(st);
    return rc;
}

static int
cmd_keys(const struct gh_conf *conf, const char *verb)
{
    struct gh_app *app = NULL;
    struct gh_err  err = { 0 };
    char          *secret = NULL;
    int            rc = 1;

    if (gh_app_open(conf, &app, NULL, &err) == -1)
        return fail("cannot open", &err);
    if (strcmp(verb, "create-secret") == 0) {
        if (gh_app_create_secret(app, &secret, &err) == -1)
            goto failed;
        printf("CLERK_SECRET_KEY=%s\n", secret);
    } else if (strcmp(verb, "list") == 0) {
        if (gh_app_list_keys(app, stdout, &err) == -1)
            goto failed;
    } else {
        fputs(gh_app_jwt_public_pem(app), stdout);
    }
    rc = 0;
    goto done;
failed:
    rc = fail(verb, &err);
done:
    gh_secret_free(secret);
    gh_app_close(app);
    return rc;
}

/* `gatehouse webhooks add URL [--events a,b]`: prints the endpoint id and its
 * secret (the only time it is shown). */
static int
cmd_webhooks_add(const struct gh_conf *conf, const char *url, const char *events)
{
    struct gh_app             *app = NULL;
    struct gh_err              err = { 0 };
    struct gh_webhook_endpoint ep = { 0 };
    struct gh_webhook_params   p = { .url = url };
    char                       secret[GH_WEBHOOK_SECRET_SIZE] = "", list[1024];
    const char                *ev[GH_WEBHOOK_EVENTS_MAX];
    int                        rc = 1;

    if (events != NULL && gh_strlcpy(list, events, sizeof(list)) < (int)sizeof(list)) {
        for (char *s = list, *e; s != NULL && *s != '\0' && p.nevents < GH_WEBHOOK_EVENTS_MAX;
             s = e) {
            if ((e = strchr(s, ',')) != NULL)
                *e++ = '\0';
            if (*s != '\0')
                ev[p.nevents++] = s;
        }
        p.events = ev;
    }
    if (gh_app_open(conf, &app, NULL, &err) == -1)
        return fail("cannot open", &err);
    if (gh_webhooks_create(app, app->instance->id, &p, &ep, secret, &err) == -1) {
        rc = fail("webhooks add", &err);
        goto done;
    }
    printf("WEBHOOK_ENDPOINT_ID=%s\nCLERK_WEBHOOK_SIGNING_SECRET=%s\n", ep.id, secret);
    rc = 0;
done:
    gh_memzero(secret, sizeof(secret));
    gh_webhook_endpoint_clear(&ep);
    gh_app_close(app);
    return rc;
}

/* ---- users import / export (issue 7: the bulk loader) ---- */

/* The options of `users import|export` after the verb: FILE (or -), then
 * --batch N and --quiet; configuration flags follow them. */
struct users_args {
    const char *verb; /* "import" | "export" */
    const char *path; /* NULL or "-" = stdin / stdout */
    size_t      batch;
    int         quiet;
};

/* Parses argv[at..] into ua; returns the index of the first configuration
 * flag, or -1 on a usage error. */
static int
users_args_parse(int argc, char **argv, int at, struct users_args *ua)
{
    if (at < argc && (argv[at][0] != '-' || strcmp(argv[at], "-") == 0))
        ua->path = argv[at++];
    for (; at < argc; at++) {
        if (strcmp(argv[at], "--quiet") == 0) {
            ua->quiet = 1;
        } else if (strcmp(argv[at], "--batch") == 0 && at + 1 < argc) {
            char         *end = NULL;
            unsigned long v = strtoul(argv[++at], &end, 10);

            if (end == argv[at] || *end != '\0' || v < 1 || v > GH_USERS_IO_BATCH_MAX)
                return -1;
            ua->batch = (size_t)v;
        } else {
            break;
        }
    }
    if (strcmp(ua->verb, "import") == 0 && ua->path == NULL)
        return -1;
    return at;
}

static FILE *
users_open(const struct users_args *ua, int64_t *size)
{
    struct stat sb;
    FILE       *f;
    int         fd;

    *size = -1;
    if (ua->path == NULL || strcmp(ua->path, "-") == 0)
        return strcmp(ua->verb, "import") == 0 ? stdin : stdout;
    if (strcmp(ua->verb, "import") == 0) {
        if ((f = fopen(ua->path, "r")) != NULL && fstat(fileno(f), &sb) == 0 &&
            S_ISREG(sb.st_mode))
            *size = (int64_t)sb.st_size;
        return f;
    }
    /* the export holds password digests: readable by the owner only */
    if ((fd = open(ua->path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
        return NULL;
    if ((f = fdopen(fd, "w")) == NULL)
        close(fd);
    return f;
}

static int
cmd_users(const struct gh_conf *conf, const struct users_args *ua)
{
    struct gh_app           *app = NULL;
    struct gh_err            err = { 0 };
    struct gh_users_io_opts  o = { .batch = ua->batch, .total_bytes = -1 };
    struct gh_users_io_stats st = { 0 };
    int                      import = strcmp(ua->verb, "import") == 0, rc = 1, failed;
    FILE                    *f;

    if ((f = users_open(ua, &o.total_bytes)) == NULL) {
        fprintf(stderr, "gatehouse: users %s: cannot open %s\n", ua->verb, ua->path);
        return 2;
    }
    o.progress = ua->quiet ? GH_USERS_IO_QUIET
                           : isatty(fileno(stderr)) ? GH_USERS_IO_BAR : GH_USERS_IO_LINES;
    if (gh_app_open(conf, &app, NULL, &err) == -1) {
        rc = fail("cannot open", &err);
        goto done;
    }
    failed = (import ? gh_users_import(app, f, &o, stderr, &st, &err)
                     : gh_users_export(app, f, &o, stderr, &st, &err)) == -1;
    if (import)
        fprintf(stderr, "imported %llu users from %llu lines (%llu refused) in %.1f s, %.0f users/s\n",
            (unsigned long long)st.stored, (unsigned long long)st.lines,
            (unsigned long long)st.failed, st.seconds, st.seconds > 0 ? st.stored / st.seconds : 0);
    else
        fprintf(stderr, "exported %llu users in %.1f s\n", (unsigned long long)st.stored,
            st.seconds);
    if (failed)
        rc = fail(import ? "users import stopped" : "users export", &err);
    else
        rc = st.failed > 0 ? 1 : 0;
done:
    gh_app_close(app);
    if (f != stdin && f != stdout && fclose(f) != 0 && !import)
        rc = 1;
    return rc;
}

/* `gatehouse mail test ADDRESS` queues a sample verification-code email
 * (the template users get) and prints its code, to compare with what
 * arrives; `gatehouse mail status` counts the outbox by status. */
static int
cmd_mail(const struct gh_conf *conf, const char *verb, const char *addr)
{
    static const char *const states[] = { "pending", "sent", "failed", "expired" };
    struct gh_app           *app = NULL;
    struct gh_mailer        *m = NULL;
    struct gh_smtp_conf      smtp = { 0 };
    struct gh_err            err = { 0 };
    char                     code[8];
    unsigned char            r[4];
    int64_t                  n;
    int                      rc = 1;

    if (gh_app_open(conf, &app, NULL, &err) == -1)
        return fail("cannot open", &err);
    if (strcmp(verb, "status") == 0) {
        for (size_t i = 0; i < 4; i++) {
            if (gh_store_mail_count(app->store, states[i], &n, &err) == -1)
                goto failed;
            printf("%s %lld\n", states[i], (long long)n);
        }
        rc = 0;
        goto done;
    }
    if (conf->smtp_url == NULL) {
        fprintf(stderr, "gatehouse: mail test: GATEHOUSE_SMTP_URL is not set\n");
        goto done;
    }
    if (open_mailer(app, &smtp, 0, &m, &err) == -1)
        goto failed;
    gh_rand_bytes(r, sizeof(r));
    snprintf(code, sizeof(code), "%06u",
        (unsigned)(((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]) %
                   1000000u));
    if (gh_mail_send_code(app, app->instance->id, addr, code, GH_MAIL_VERIFY_EMAIL, &err) == -1)
        goto failed;
    printf("MAIL_TEST_CODE=%s\n# queued for %s; a running server sends it (gatehouse mail "
           "status)\n", code, addr);
    rc = 0;
    goto done;
failed:
    rc = fail("mail", &err);
done:
    close_mailer(app, m, &smtp);
    gh_app_close(app);
    return rc;
}

/* `gatehouse instance show` / `gatehouse instance set KEY=VALUE…`. */
static int
cmd_instance(const struct gh_conf *conf, const char *verb, char **kv, int nkv)
{
    struct gh_app *app = NULL;
    struct gh_err  err = { 0 };
    char          *text = NULL;
    int            rc = 1;

    if (gh_app_open(conf, &app, NULL, &err) == -1)
        return fail("cannot open", &err);
    if (strcmp(verb, "set") == 0 &&
        gh_settings_update_kv(app, (const char *const *)kv, (size_t)nkv, &err) == -1) {
        fprintf(stderr, "gatehouse: instance set: %s%s%s\n", err.param,
            err.param[0] != '\0' ? ": " : "", gh_err_long_message(&err));
        goto done;
    }
    if (gh_settings_json(app, 1, &text, &err) == -1) {
        rc = fail("instance", &err);
        goto done;
    }
    printf("%s\n", text);
    rc = 0;
done:
    free(text);
    gh_app_close(app);
    return rc;
}

/* Which command, and where its options start; -1 when argv makes no sense. */
static int
pick_command(int argc, char **argv, const char **cmd, const char **verb, int *first,
    struct users_args *ua)
{
    *cmd = "serve";
    *verb = NULL;
    *first = 1;
    if (argc < 2 || strncmp(argv[1], "--", 2) == 0)
        return 0;
    *cmd = argv[1];
    *first = 2;
    if (strcmp(*cmd, "serve") == 0 || strcmp(*cmd, "migrate") == 0)
        return 0;
    if (strcmp(*cmd, "keys") == 0 && argc >= 3 &&
        (strcmp(argv[2], "create-secret") == 0 || strcmp(argv[2], "list") == 0 ||
            strcmp(argv[2], "jwt-public-key") == 0)) {
        *verb = argv[2];
        *first = 3;
        return 0;
    }
    if (strcmp(*cmd, "users") == 0 && argc >= 3 &&
        (strcmp(argv[2], "import") == 0 || strcmp(argv[2], "export") == 0)) {
        ua->verb = *verb = argv[2];
        *first = users_args_parse(argc, argv, 3, ua);
        return *first == -1 ? -1 : 0;
    }
    if (strcmp(*cmd, "mail") == 0 && argc >= 3 &&
        (strcmp(argv[2], "status") == 0 || (strcmp(argv[2], "test") == 0 && argc >= 4 &&
                                               strncmp(argv[3], "--", 2) != 0))) {
        *verb = argv[2];
        *first = strcmp(argv[2], "test") == 0 ? 4 : 3;
        return 0;
    }
    if ((strcmp(*cmd, "instance") == 0 || strcmp(*cmd, "settings") == 0) && argc >= 3 &&
        (strcmp(argv[2], "show") == 0 || strcmp(argv[2], "set") == 0)) {
        *verb = argv[2];
        *first = 3;
        if (strcmp(argv[2], "set") == 0) {
            while (*first < argc && strncmp(argv[*first], "--", 2) != 0)
                (*first)++;
            if (*first == 3)
                return -1; /* set needs at least one KEY=VALUE */
        }
        return 0;
    }
    if (strcmp(*cmd, "webhooks") == 0 && argc >= 4 && strcmp(argv[2], "add") == 0) {
        *verb = argv[3]; /* the URL; --events follows it */
        *first = argc >= 6 && strcmp(argv[4], "--events") == 0 ? 6 : 4;
        return 0;
    }
    return -1;
}

int
main(int argc, char **argv)
{
    struct gh_conf conf;
    struct gh_err  err = { 0 };
    const char    *cmd, *verb;
    struct users_args ua = { 0 };
    sigset_t       sigs;
    int            first, rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("gatehouse " GH_VERSION "\n");
        return 0;
    }
    if (pick_command(argc, argv, &cmd, &verb, &first, &ua) == -1) {
        usage(stderr);
        return 2;
    }
    /* Block the shutdown signals before any thread exists (the store, jobs
     * and MHD start threads) so only sigwait() in this thread sees them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (gh_conf_init_defaults(&conf) == -1 || gh_conf_load(&conf, argc - first, argv + first,
                                                  stderr) != 0) {
        fprintf(stderr, "gatehouse: invalid configuration (see above); --help lists options\n");
        gh_conf_free(&conf);
        return 2;
    }
    gh_log_set_level((enum gh_log_level)conf.log_level);
    if (conf.clock_skew_s > 0) { /* tests: expiry of tickets, invitations, sign-ups */
        gh_time_set_offset_ms((int64_t)conf.clock_skew_s * 1000);
        gh_log_warn("clock runs %u s ahead (GATEHOUSE_CLOCK_SKEW_SECONDS)", conf.clock_skew_s);
    }
    if (gh_crypto_init(&err) == -1) {
        rc = fail("crypto", &err);
    } else if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(&conf, &sigs);
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = cmd_migrate(&conf);
    } else if (strcmp(cmd, "users") == 0) {
        rc = cmd_users(&conf, &ua);
    } else if (strcmp(cmd, "webhooks") == 0) {
        rc = cmd_webhooks_add(&conf, verb, first == 6 ? argv[5] : NULL);
    } else if (strcmp(cmd, "mail") == 0) {
        rc = cmd_mail(&conf, verb, strcmp(verb, "test") == 0 ? argv[3] : NULL);
    } else if (strcmp(cmd, "instance") == 0 || strcmp(cmd, "settings") == 0) {
        rc = cmd_instance(&conf, verb, argv + 3, first - 3);
    } else {
        rc = cmd_keys(&conf, verb);
    }
    gh_conf_free(&conf);
    return rc;
}
