/*
 * config: umbra-server's settings, from built-in defaults, then a config
 * file of `key = value` lines (# comments), then command-line flags
 * (`--key value` or `--key=value`, the same names). docs/operations.md
 * lists every key.
 */
#ifndef UMBRA_SERVER_CONFIG_H
#define UMBRA_SERVER_CONFIG_H

#include <stddef.h>

#define CONF_STR 512

struct config {
    char listen[64];
    unsigned port;
    char db_owner[CONF_STR], db_intake[CONF_STR], db_sync[CONF_STR];
    char web_dir[CONF_STR], schema_dir[CONF_STR];
    unsigned threads;         /* MHD: 1 = one epoll thread, N = pool */
    unsigned writers;         /* group-commit writer threads */
    unsigned batch_max;       /* rows per group commit */
    unsigned intake_queue;    /* pending API reports before 503 */
    unsigned db_workers;      /* threads running other database routes */
    unsigned pool_intake, pool_sync; /* connections per role */
    unsigned kdf_threads, kdf_queue; /* Argon2 pool */
    unsigned kdf_nice;        /* its priority: 0..19 nice, 20 idle */
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
    unsigned quota_reports;   /* pending envelopes per organisation */
    size_t quota_bytes;       /* their bytes per organisation */
};

void config_defaults(struct config *c);
/* Reads a config file; 0, or -1 with a message on stderr. */
int config_load(struct config *c, const char *path);
/* Sets one key from a string; 0, or -1 (unknown key or bad value). */
int config_set(struct config *c, const char *key, const char *value);

#endif
