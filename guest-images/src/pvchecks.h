#ifndef PVCHECKS_H
#define PVCHECKS_H
/* The PV checks' TAP descriptions, from pvchecks.def (shared with the Java harness, which
 * generates its identifiers from the same file). */

enum pvcheck {
#define PVCHECK(id, desc) PVCHECK_##id,
#include "pvchecks.def"
#undef PVCHECK
    PVCHECK_COUNT
};

extern const char *const pvcheck_desc[PVCHECK_COUNT];

/* The TAP description of check ID, e.g. PVCHECK_DESC(PV_EOI). */
#define PVCHECK_DESC(id) (pvcheck_desc[PVCHECK_##id])

#endif
