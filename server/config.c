/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* config: see config.h. */
#include "config.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

void
config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    (void)str_copy(c->listen, sizeof c->listen, "127.0.0.1");
    c->port = 8080;
    (void)str_copy(c->db_owner, sizeof c->db_owner, "dbname=umbra");
    (void)str_copy(c->db_intake, sizeof c->db_intake,
                   "dbname=umbra user=umbra_intake");
    (void)str_copy(c->db_sync, sizeof c->db_sync,
                   "dbname=umbra user=umbra_sync");
#ifdef UMBRA_DATADIR /* the installed server (packaging/module.mk) */
    (void)str_copy(c->web_dir, sizeof c->web_dir, UMBRA_DATADIR "/web");
    (void)str_copy(c->schema_dir, sizeof c->schema_dir,
                   UMBRA_DATADIR "/schema");
#else
    (void)str_copy(c->web_dir, sizeof c->web_dir, "web");
    (void)str_copy(c->schema_dir, sizeof c->schema_dir, "schema");
#endif
    c->threads = 1;
    c->writers = 2;
    c->batch_max = 256;
    c->intake_queue = 4096;
    c->intake_window = 3600;
    (void)str_copy(c->spool_dir, sizeof c->spool_dir, "spool");
    c->quota_reports = 20000;
    c->quota_bytes = 1073741824;
    c->quota_mailboxes = 20000;
    c->quota_alerts = 500;
    c->envelope_retention_days = 60;
    c->mailbox_retention_days = 180;
    c->event_retention_days = 60;
    c->alert_retention_days = 30;
    c->purge_interval = 3600;
    c->db_workers = 2;
    c->pool_intake = 4;
    c->pool_sync = 2;
    c->kdf_threads = 2;
    c->kdf_queue = 16;
    c->kdf_nice = 10;
    c->kdf_check_threads = 1; /* of kdf_threads: one is left to reports */
    c->kdf_check_queue = 8;
    /* 8 MiB + 4 KiB: an 8 MiB padded content with 16 stanzas (8,392,375
     * bytes) fits; a 5 MiB photo in base64 with the longest text does
     * (docs/operations.md "Body caps and memory"). */
    c->max_envelope_bytes = 8392704;
    c->max_form_bytes = 8388608;
    c->max_attachment_bytes = 5242880;
    c->max_json_bytes = 4194304;
    c->max_check_bytes = 4096;
    c->max_json_depth = 16;
    c->max_url_bytes = 2048;
    c->memory_limit = 32768;
    c->connection_limit = 4096;
    c->timeout = 30;
    c->request_deadline = 60;
    c->retry_after = 5;
}

struct key {
    const char *name;
    size_t off;
    int kind; /* 0 string, 1 unsigned, 2 size_t */
    size_t size;
    unsigned long long min, max;
};

#define S(f) #f, offsetof(struct config, f), 0, sizeof(((struct config *)0)->f), 0, 0
#define U(f, lo, hi) #f, offsetof(struct config, f), 1, 0, lo, hi
#define Z(f, lo, hi) #f, offsetof(struct config, f), 2, 0, lo, hi

static const struct key keys[] = {
    {S(listen)},
    {U(port, 0, 65535)},
    {S(db_owner)},
    {S(db_intake)},
    {S(db_sync)},
    {S(web_dir)},
    {S(schema_dir)},
    {S(local_services)},
    {U(threads, 1, 64)},
    {U(writers, 1, 16)},
    {U(batch_max, 1, 4096)},
    {U(intake_queue, 1, 1000000)},
    {U(intake_window, 0, 86400)},
    {S(spool_dir)},
    {Z(quota_reports, 1, 1ull << 40)},
    {Z(quota_bytes, 4096, 1ull << 50)},
    {Z(quota_mailboxes, 1, 1ull << 40)},
    {Z(quota_alerts, 1, 1000000)},
    {U(envelope_retention_days, 0, 36500)},
    {U(mailbox_retention_days, 0, 36500)},
    {U(event_retention_days, 0, 36500)},
    {U(alert_retention_days, 0, 36500)},
    {U(purge_interval, 1, 86400)},
    {Z(spool_max_bytes, 0, 1ull << 50)},
    {U(db_workers, 1, 64)},
    {U(pool_intake, 1, 256)},
    {U(pool_sync, 1, 256)},
    {U(kdf_threads, 1, 64)},
    {U(kdf_queue, 0, 100000)},
    {U(kdf_nice, 0, 20)},
    {U(kdf_check_threads, 1, 64)},
    {U(kdf_check_queue, 0, 100000)},
    {S(kdf_cgroup)},
    {Z(max_envelope_bytes, 4096, 1ull << 30)},
    {Z(max_form_bytes, 1024, 1ull << 30)},
    {Z(max_attachment_bytes, 0, 1ull << 30)},
    {Z(max_json_bytes, 1024, 1ull << 30)},
    {Z(max_check_bytes, 256, 1ull << 20)},
    {U(max_json_depth, 2, 1000)},
    {U(max_url_bytes, 64, 65536)},
    {U(memory_limit, 8192, 1u << 24)},
    {U(connection_limit, 1, 1000000)},
    {U(timeout, 1, 86400)},
    {U(request_deadline, 1, 86400)},
    {U(retry_after, 1, 3600)},
    {S(metrics_listen)},
    {Z(body_budget_bytes, 0, 1ull << 40)},
};

const char *
config_key_name(size_t i)
{
    return i < sizeof keys / sizeof keys[0] ? keys[i].name : NULL;
}

int
config_set(struct config *c, const char *key, const char *value)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct key *k = &keys[i];
        if (strcmp(k->name, key) != 0)
            continue;
        char *field = (char *)c + k->off;
        if (k->kind == 0)
            return str_copy(field, k->size, value);
        uint64_t v;
        if (parse_u64(&v, value, k->min, k->max) < 0)
            return -1;
        if (k->kind == 1) {
            unsigned u = (unsigned)v;
            memcpy(field, &u, sizeof u);
        } else {
            size_t z = (size_t)v;
            memcpy(field, &z, sizeof z);
        }
        return 0;
    }
    return -1;
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                 s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int
config_load(struct config *c, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    unsigned lineno = 0;
    int rc = -1;
    if (!f) {
        fprintf(stderr, "umbra-server: cannot open config '%s'\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fprintf(stderr, "umbra-server: '%s' line %u: expected key = value\n",
                    path, lineno);
            goto out;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (config_set(c, k, v) < 0) {
            fprintf(stderr, "umbra-server: '%s' line %u: bad setting '%s'\n",
                    path, lineno, k);
            goto out;
        }
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

int
config_metrics_addr(struct metrics_addr *out, const struct config *c,
                    char *why, size_t why_size)
{
    const char *v = c->metrics_listen;
    char host[64];
    uint64_t port;
    memset(out, 0, sizeof *out);
    if (v[0] == '\0') {
        out->kind = METRICS_OFF;
        return 0;
    }
    if (strncmp(v, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&out->sa;
        const char *path = v + 5;
        if (path[0] != '/' || strlen(path) >= sizeof un->sun_path) {
            snprintf(why, why_size, "metrics_listen '%s': a Unix socket "
                     "needs an absolute path shorter than %zu bytes", v,
                     sizeof un->sun_path);
            return -1;
        }
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, path, strlen(path) + 1);
        out->sa_len = (socklen_t)sizeof *un;
        out->kind = METRICS_UNIX;
        return 0;
    }
    const char *colon = strrchr(v, ':');
    size_t hl = colon ? (size_t)(colon - v) : 0;
    if (!colon || hl == 0 || hl >= sizeof host ||
        parse_u64(&port, colon + 1, 1, 65535) < 0) {
        snprintf(why, why_size, "metrics_listen '%s': expected "
                 "127.0.0.1:PORT, [::1]:PORT or unix:/PATH", v);
        return -1;
    }
    memcpy(host, v, hl);
    host[hl] = '\0';
    struct sockaddr_in *in4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        /* 127.0.0.0/8 */
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
            goto not_loopback;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        out->sa_len = (socklen_t)sizeof *in4;
    } else if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
            goto bad;
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            goto not_loopback;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        out->sa_len = (socklen_t)sizeof *in6;
    } else {
        goto bad;
    }
    out->kind = METRICS_INET;
    return 0;
not_loopback:
    memset(out, 0, sizeof *out);
    snprintf(why, why_size, "metrics_listen '%s' is not a loopback address: "
             "metrics give away when reports arrive; use 127.0.0.1:PORT, "
             "[::1]:PORT or unix:/PATH", v);
    return -1;
bad:
    memset(out, 0, sizeof *out);
    snprintf(why, why_size, "metrics_listen '%s': expected 127.0.0.1:PORT, "
             "[::1]:PORT or unix:/PATH (an address, not a host name)", v);
    return -1;
}

int
config_check(const struct config *c)
{
    struct metrics_addr ma;
    char why[CONF_STR + 200];
    if (config_metrics_addr(&ma, c, why, sizeof why) < 0) {
        fprintf(stderr, "umbra-server: %s\n", why);
        return -1;
    }
    return 0;
}
