/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * Fuzz harness: member file parsing and verification (protocol section 9,
 * umbra_member_parse). The input is the JSON text. Invariant: a member
 * file that parses has a valid slug, name and date, its id is the key id
 * of its key, and its signed text can be rebuilt; a refused one leaves
 * nothing in the struct.
 */
#include "fuzz_common.h"
#include "member.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct umbra_member zero;
    struct umbra_member m;
    char text[UMBRA_MEMBER_TEXT_MAX];
    uint8_t id[8];
    int rc;

    fuzz_setup();
    rc = umbra_member_parse(&m, (const char *)data, size);
    if (rc != 0) {
        if (memcmp(&m, &zero, sizeof(m)) != 0)
            abort();
        return 0;
    }
    umbra_key_id(id, m.pk);
    if (m.org[0] == '\0' || m.created[10] != '\0' ||
        !umbra_member_name_valid(m.name, strlen(m.name)) ||
        memcmp(id, m.id, 8) != 0 ||
        umbra_member_signed_text(text, sizeof(text), &m) == 0)
        abort();
    return 0;
}
