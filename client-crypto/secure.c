/* secure: sodium_init, no core dumps, secret buffers (see secure.h). */
#include "secure.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int
umbra_secure_init(void)
{
    struct rlimit rl = {0, 0};

    if (sodium_init() < 0)
        return UMBRA_ERR_CRYPTO;
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        return UMBRA_ERR_CRYPTO;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return UMBRA_ERR_CRYPTO;
    return 0;
}

void *
umbra_secret_alloc(size_t len)
{
    void *p;

    if (sodium_init() < 0)
        return NULL;
    p = sodium_malloc(len == 0 ? 1 : len);
    return p;
}

void
umbra_secret_free(void *p)
{
    if (p != NULL)
        sodium_free(p);
}
