/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Unit tests of umbra-server's helpers that need no daemon: the form
 * fields as a handler reads them (body.c: form_field), little-endian
 * loads and stores, and the thread helpers (util.c: thread_stop,
 * cond_wait_s). Ends with "N passed, N failed".
 */
#include "body.h"
#include "util.h"

#include "check.h"

#include <pthread.h>
#include <time.h>

/* ---- form_field --------------------------------------------------------- */

/* Adds a field whose value's buffer is exactly its length (no room for a
 * terminator), as the post processor may leave it. */
static void
add_field(struct form *f, const char *name, const char *val)
{
    struct form_value *v = &f->f[f->n++];
    size_t n = strlen(val);
    (void)str_copy(v->name, sizeof v->name, name);
    v->val.data = n ? malloc(n) : NULL;
    if (n)
        memcpy(v->val.data, val, n);
    v->val.len = v->val.alloc = v->val.cap = n;
}

static void
test_form_field(void)
{
    struct form f;
    unsigned it = 0;
    const char *v;

    memset(&f, 0, sizeof f);
    add_field(&f, "lang", "pt-BR");
    add_field(&f, "categories", "violence");
    add_field(&f, "narrative", "");
    add_field(&f, "categories", "theft");

    v = form_field(&f, "lang", NULL);
    CHECK(v && strcmp(v, "pt-BR") == 0, "a value is terminated in place");
    CHECK(form_field(&f, "org", NULL) == NULL, "an absent field is NULL");
    v = form_field(&f, "narrative", NULL);
    CHECK(v && *v == '\0', "an empty field is \"\"");
    v = form_field(&f, "categories", &it);
    CHECK(v && strcmp(v, "violence") == 0 && it == 2, "first repeat");
    v = form_field(&f, "categories", &it);
    CHECK(v && strcmp(v, "theft") == 0 && it == 4, "second repeat");
    CHECK(form_field(&f, "categories", &it) == NULL, "no third repeat");
    for (unsigned i = 0; i < f.n; i++)
        umbra_buf_release(&f.f[i].val);
}

/* ---- le32 ---------------------------------------------------------------- */

static void
test_le32(void)
{
    uint8_t b[4];
    le32_store(b, 0x01020304u);
    CHECK(b[0] == 4 && b[1] == 3 && b[2] == 2 && b[3] == 1,
          "le32_store writes the low byte first");
    CHECK(le32_load(b) == 0x01020304u, "le32_load reads it back");
    le32_store(b, 0xfffffffeu);
    CHECK(le32_load(b) == 0xfffffffeu, "the high bit survives");
}

/* ---- thread helpers ------------------------------------------------------ */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stop;

static double
now_s(void)
{
    return (double)now_ns() / 1e9;
}

/* A loop as the server's threads run them: waits of 60 s until stopped. */
static void *
loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stop)
        cond_wait_s(&cv, &mu, 60);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void
test_threads(void)
{
    pthread_t t;
    double t0 = now_s();
    pthread_mutex_lock(&mu);
    cond_wait_s(&cv, &mu, 1);
    pthread_mutex_unlock(&mu);
    double waited = now_s() - t0;
    CHECK(waited > 0.5 && waited < 10, "cond_wait_s(1) waits about 1 s "
          "(%.2f s)", waited);

    CHECK(pthread_create(&t, NULL, loop, NULL) == 0, "thread started");
    struct timespec ts = {0, 100000000}; /* let it reach its wait */
    nanosleep(&ts, NULL);
    t0 = now_s();
    thread_stop(&mu, &cv, &stop);
    pthread_join(t, NULL);
    waited = now_s() - t0;
    CHECK(stop == 1, "thread_stop sets the flag");
    CHECK(waited < 10, "thread_stop wakes a 60 s wait at once (%.2f s)",
          waited);
}

int
main(void)
{
    test_form_field();
    test_le32();
    test_threads();
    return check_done();
}
