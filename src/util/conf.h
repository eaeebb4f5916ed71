/* conf.h: the loaded configuration. Filled once by main.c from flags, then
 * GATEHOUSE_* environment variables, then defaults (conf.c); read-only after.
 * Limits that protect the server live here with their defaults so an operator
 * can see and tune them. */
#ifndef GH_UTIL_CONF_H
#define GH_UTIL_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A rate limit: at most n hits per window_s seconds (the window opens at the
 * first hit). n == 0 turns the limit off. Written "N/S" ("5/10"), or "0". */
struct gh_conf_rate {
    unsigned n;
    unsigned window_s;
};

struct gh_conf {
    char    *frontend_addr;     /* "127.0.0.1:7900" (--frontend, GATEHOUSE_FRONTEND) */
    char    *backend_addr;      /* "127.0.0.1:7901" (--backend, GATEHOUSE_BACKEND) */
    char    *database_url;      /* "sqlite://./gatehouse.db" (--database, GATEHOUSE_DATABASE_URL) */
    char    *frontend_url;      /* "http://<frontend_addr>" (--frontend-url, GATEHOUSE_FRONTEND_URL) */
    char    *backend_url;       /* "http://<backend_addr>" (--backend-url, GATEHOUSE_BACKEND_URL) */
    char    *master_key;        /* GATEHOUSE_MASTER_KEY value or NULL (never logged) */
    char    *master_key_file;   /* --master-key-file, GATEHOUSE_MASTER_KEY_FILE; default beside the
                                   SQLite file ("<db>.key") or "./gatehouse.key" for postgres */
    char    *instance_name;     /* "Gatehouse" (GATEHOUSE_INSTANCE_NAME) */
    char    *assets_dir;        /* directory holding @clerk/clerk-js and @clerk/ui (--assets-dir,
                                   GATEHOUSE_ASSETS_DIR); NULL = found by http/assets.c */
    int      log_level;         /* enum gh_log_level (GATEHOUSE_LOG_LEVEL=debug|info|warn|error) */
    unsigned threads;           /* worker threads per listener (GATEHOUSE_THREADS; default 2×cores, min 4) */
    unsigned hash_concurrency;  /* concurrent password hashes (GATEHOUSE_HASH_CONCURRENCY; default cores) */
    unsigned conn_timeout_s;    /* idle connection timeout, seconds (default 30) */
    unsigned per_ip_conn_limit; /* concurrent connections per IP (default 256) */
    unsigned conn_limit;        /* total concurrent connections per listener (default 4096) */
    size_t   max_header_bytes;  /* request line + headers (default 16 KiB) */
    size_t   max_body_backend;  /* Backend API body cap (default 1 MiB) */
    size_t   max_body_frontend; /* Frontend API body cap (default 64 KiB) */
    unsigned token_ttl_s;       /* session token lifetime (default 60) */
    unsigned token_reuse_min_s; /* a cached token is handed out again while it has at least this
                                   many seconds left (default 30: "most of its life") */
    unsigned webhook_workers;   /* webhook delivery threads (default 2, at most 32) */
    double   webhook_time_scale; /* multiplies the retry delays (default 1; tests use 0.001) */
    unsigned webhook_allow_loopback; /* 1: endpoints may be on loopback (always so in pk_test_) */
    char    *webhook_allow_cidrs; /* comma-separated CIDRs endpoints may be in despite the
                                     private-range rule, or NULL */
    /* abuse resistance (issue 6) */
    unsigned lockout_attempts;  /* failed verifications that lock a user (default 10; 0 = off) */
    unsigned lockout_seconds;   /* how long that lock lasts (default 3600) */
    struct gh_conf_rate rl_sign_in;  /* per client IP: sign-in creations (default 5/10) */
    struct gh_conf_rate rl_sign_up;  /* per client IP: sign-up creations (default 5/10) */
    struct gh_conf_rate rl_attempt;  /* per client IP: code/password attempts (default 3/10) */
    struct gh_conf_rate rl_backend;  /* per instance: Backend API requests (default 1000/10) */
    char    *trusted_proxies;   /* comma-separated CIDRs whose X-Forwarded-For is believed, or NULL */
    unsigned header_timeout_s;  /* request line + headers must arrive within this (default 10) */
    unsigned body_timeout_s;    /* a request body must arrive within this (default 30) */
    char    *pwned_url;         /* breached-password range API base (k-anonymity), or NULL = off */
    /* Frontend API (issue 4) */
    char    *allowed_origins;   /* comma-separated origins ("https://app.example.com",
                                   "http://localhost:*") allowed to call the Frontend API with
                                   credentials, besides the instance's own; NULL = none */
    char    *smtp_url;          /* "smtp://host:port" or "smtps://…" for codes and invitations;
                                   NULL: development instances log the email instead */
    char    *mail_from;         /* From address (default "Gatehouse <no-reply@<frontend host>>") */
    unsigned code_ttl_s;        /* lifetime of an emailed code, s (default 600, as Clerk's) */
    unsigned clock_skew_s;      /* tests only: the server's clock runs this far ahead (default 0;
                                   GATEHOUSE_CLOCK_SKEW_SECONDS, env only) */
    char    *smtp_user;         /* GATEHOUSE_SMTP_USER: overrides the URL's user; NULL = none */
    char    *smtp_password;     /* GATEHOUSE_SMTP_PASSWORD (env only; never logged, wiped) */
    double   mail_time_scale;   /* multiplies the mail retry delays (default 1; tests 0.001) */
};

/* Sets every field to its default (strings malloc'd; URLs and the key file
 * are derived later by gh_conf_load). -1 on out of memory; free with
 * gh_conf_free either way. */
int gh_conf_init_defaults(struct gh_conf *c);
/* Applies GATEHOUSE_* environment variables, then flags (argv[0..argc):
 * "--name value" or "--name=value"; flags win), then derives frontend_url,
 * backend_url and master_key_file when unset. Every problem is written to
 * errs as one line; returns how many there were (0 = usable). */
int gh_conf_load(struct gh_conf *c, int argc, char **argv, FILE *errs);
/* One line per flag with its environment variable, for --help. */
void gh_conf_usage(FILE *out);
/* Frees the strings (the master key wiped first); c may be reused after
 * gh_conf_init_defaults. */
void gh_conf_free(struct gh_conf *c);

#endif
