/* allowlist.h: the allowlist and blocklist identifiers (spec §B5, §C9):
 * email addresses, "*@domain" wildcards, E.164 phone numbers and web3
 * wallets, and the check the sign-up flow will make (gh_identifier_allowed).
 * Enforcing it at sign-up is the Frontend API's (a later issue). No HTTP,
 * SQL or jansson here; records are caller-owned. */
#ifndef GH_CORE_ALLOWLIST_H
#define GH_CORE_ALLOWLIST_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

enum gh_access_list { GH_ALLOWLIST = 1, GH_BLOCKLIST };

/* Normalises an identifier: "*@Example.COM" → "*@example.com" (type
 * email_address), an email address (lower-cased), "+1 555…" → "+1555…"
 * (phone_number), "0x…" 40 hex digits lower-cased (web3_wallet). A bare
 * domain or anything else → GH_E_PARAM_INVALID naming "identifier". *out
 * malloc'd; type gets the identifier_type. */
int gh_access_ident_norm(const char *in, char **out, char type[16], struct gh_err *err);

/* Adds a normalised identifier; already in that list → GH_E_DUPLICATE_RECORD.
 * *out: the stored row (caller frees). */
int gh_access_ident_add(struct gh_app *app, const char *instance_id, enum gh_access_list list,
    const char *identifier, struct gh_access_ident **out, struct gh_err *err);
/* Removes by id; absent → GH_E_NOT_FOUND. *out: the row as it was. */
int gh_access_ident_remove(struct gh_app *app, const char *instance_id,
    enum gh_access_list list, const char *id, struct gh_access_ident **out, struct gh_err *err);
/* Newest first; *total is the list's size. */
int gh_access_ident_list(struct gh_app *app, const char *instance_id, enum gh_access_list list,
    int64_t limit, int64_t offset, struct gh_access_ident ***out, size_t *n, int64_t *total,
    struct gh_err *err);

/* May `identifier` (an email address, phone number or wallet) sign up?
 * *allowed = 0 when it, or for an email "*@<its domain>", is on the
 * blocklist; else 0 when the allowlist is non-empty and neither is on it;
 * else 1. XXX: Clerk gates both lists behind instance restriction switches
 * (PATCH /instance/restrictions); until those exist a non-empty list is
 * the switch. A malformed identifier → GH_E_PARAM_INVALID "identifier". */
int gh_identifier_allowed(struct gh_app *app, const char *instance_id, const char *identifier,
    int *allowed, struct gh_err *err);

/* The sign-up check with the instance's restriction switches
 * (core/settings.h: blocklist_enabled, allowlist_only). *verdict:
 * GH_ACCESS_BLOCKED when use_block and the identifier, or for an email
 * "*@<its domain>", is on the blocklist; else GH_ACCESS_NOT_ALLOWED when
 * use_allow and neither is on the allowlist (an empty allowlist admits
 * nobody); else GH_ACCESS_OK. Malformed → GH_E_PARAM_INVALID "identifier". */
enum gh_access_verdict { GH_ACCESS_OK = 0, GH_ACCESS_BLOCKED, GH_ACCESS_NOT_ALLOWED };
int gh_identifier_check(struct gh_app *app, const char *instance_id, const char *identifier,
    int use_allow, int use_block, enum gh_access_verdict *verdict, struct gh_err *err);

#endif
