/* verbs not written yet */
#include "case.h"

#define TODO(name)                                                            \
    int name(const struct case_opts *o, int argc, char **argv)                \
    {                                                                         \
        (void)o;                                                              \
        (void)argc;                                                           \
        case_err("'%s' is not available yet", argv[0]);                       \
        return CASE_FAIL;                                                     \
    }
TODO(verb_pull)
TODO(verb_import)
TODO(verb_list)
TODO(verb_show)
TODO(verb_triage)
TODO(verb_reply)
TODO(verb_push)
TODO(verb_ack)
TODO(verb_quarantine)
TODO(verb_stats)
