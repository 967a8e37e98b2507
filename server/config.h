/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * config: umbra-server's settings, from built-in defaults, then a config
 * file of `key = value` lines (# comments), then command-line flags
 * (`--key value` or `--key=value`, the same names). docs/operations.md
 * lists every key.
 */
#ifndef UMBRA_SERVER_CONFIG_H
#define UMBRA_SERVER_CONFIG_H

#include <stddef.h>
#include <sys/socket.h>

#define CONF_STR 512

struct config {
    char listen[64];
    unsigned port;
    char db_owner[CONF_STR], db_intake[CONF_STR], db_sync[CONF_STR];
    char web_dir[CONF_STR], schema_dir[CONF_STR];
    char local_services[CONF_STR]; /* "" or the operator's file (content.h) */
    unsigned threads;         /* MHD: 1 = one epoll thread, N = pool */
    unsigned writers;         /* group-commit writer threads */
    unsigned batch_max;       /* rows per group commit */
    unsigned intake_queue;    /* pending API reports before 503 */
    unsigned intake_window;   /* seconds between spool moves; 0 = none */
    char spool_dir[CONF_STR]; /* the spool's folder (spool.h) */
    size_t quota_reports, quota_bytes; /* per organisation */
    size_t quota_mailboxes;   /* registered mailboxes per organisation */
    size_t quota_alerts;      /* alerts and withdrawals held per org */
    unsigned envelope_retention_days; /* 0: kept until acknowledged */
    unsigned mailbox_retention_days;  /* after the last reply; 0: for ever */
    unsigned event_retention_days;    /* case events; 0: for ever */
    unsigned alert_retention_days;    /* after expiry or withdrawal; 0: ever */
    unsigned purge_interval;  /* seconds between the server's purges */
    size_t spool_max_bytes;   /* spool backlog before 503 busy; 0: none */
    unsigned db_workers;      /* threads running other database routes */
    unsigned pool_intake, pool_sync; /* connections per role */
    unsigned kdf_threads, kdf_queue; /* Argon2 pool */
    unsigned kdf_nice;        /* its priority: 0..19 nice, 20 idle */
    unsigned kdf_check_threads, kdf_check_queue; /* POST /check's share */
    char kdf_cgroup[CONF_STR];/* "", "auto" or an idle cgroup's directory */
    size_t max_envelope_bytes, max_form_bytes, max_json_bytes;
    size_t max_check_bytes, max_attachment_bytes;
    unsigned max_json_depth;
    unsigned max_url_bytes;
    unsigned memory_limit;    /* per-connection header memory */
    unsigned connection_limit;
    unsigned timeout;         /* inactivity, seconds */
    unsigned request_deadline;/* whole request, seconds */
    unsigned retry_after;     /* seconds, on 503 */
    char metrics_listen[CONF_STR]; /* "", HOST:PORT on loopback, unix:PATH */
    size_t body_budget_bytes; /* bodies in flight; 0: a quarter of memory */
};

/* metrics_listen, parsed: off, a loopback TCP address, or a Unix socket. */
struct metrics_addr {
    enum { METRICS_OFF, METRICS_INET, METRICS_UNIX } kind;
    struct sockaddr_storage sa;
    socklen_t sa_len;
};

void config_defaults(struct config *c);
/* Reads a config file; 0, or -1 with a message on stderr. */
int config_load(struct config *c, const char *path);
/* Sets one key from a string; 0, or -1 (unknown key or bad value). */
int config_set(struct config *c, const char *key, const char *value);
/* The name of the i-th key, or NULL past the last (the command line's
 * --KEY VALUE options are made from them). */
const char *config_key_name(size_t i);
/* Parses c->metrics_listen into *out; 0, or -1 with why filled (a value
 * that is not 127.0.0.0/8:PORT, [::1]:PORT or unix:/ABSOLUTE/PATH). */
int config_metrics_addr(struct metrics_addr *out, const struct config *c,
                        char *why, size_t why_size)
    __attribute__((warn_unused_result));
/* Checks settings that depend on each other or need more than a range;
 * 0, or -1 with a one-line message on stderr. */
int config_check(const struct config *c) __attribute__((warn_unused_result));

#endif
