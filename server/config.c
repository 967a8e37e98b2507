/* config: see config.h. */
#include "config.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

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
    (void)str_copy(c->web_dir, sizeof c->web_dir, "web");
    (void)str_copy(c->schema_dir, sizeof c->schema_dir, "schema");
    c->threads = 1;
    c->writers = 2;
    c->batch_max = 256;
    c->intake_queue = 4096;
    c->db_workers = 2;
    c->pool_intake = 4;
    c->pool_sync = 2;
    c->kdf_threads = 2;
    c->kdf_queue = 16;
    c->kdf_nice = 10;
    c->max_envelope_bytes = 17825792; /* 17 MiB: a 16 MiB padded body */
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
    c->quota_reports = 20000;
    c->quota_bytes = 1073741824; /* 1 GiB */
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
    {U(threads, 1, 64)},
    {U(writers, 1, 16)},
    {U(batch_max, 1, 4096)},
    {U(intake_queue, 1, 1000000)},
    {U(db_workers, 1, 64)},
    {U(pool_intake, 1, 256)},
    {U(pool_sync, 1, 256)},
    {U(kdf_threads, 1, 64)},
    {U(kdf_queue, 0, 100000)},
    {U(kdf_nice, 0, 20)},
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
    {U(quota_reports, 1, 100000000)},
    {Z(quota_bytes, 1048576, 1ull << 40)},
};

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
