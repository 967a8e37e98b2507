/* stats_facts: the codes of the report document (INTERFACES.md) that the
 * bit sets and indexes of struct case_facts refer to (facts.h). */
#include "facts.h"

const char *const FACTS_CATEGORIES[FACTS_NCATEGORIES] = {
    "physical-violence",
    "sexual-violence",
    "robbery",
    "non-payment",
    "threats-stalking",
    "police-harassment",
    "police-extortion",
    "arrest-detention",
    "immigration-raid",
    "exploitation",
    "service-discrimination",
    "housing-eviction",
    "other",
};

const char *const FACTS_NEEDS[FACTS_NNEEDS] = {
    "health", "legal", "immigration-advice", "housing", "safety", "other",
};

const char *const FACTS_PERPETRATORS[FACTS_NPERPETRATORS] = {
    "client",   "police",  "immigration", "manager",
    "landlord", "partner", "other",       "unknown",
};
