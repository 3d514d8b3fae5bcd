#include "pvchecks.h"

const char *const pvcheck_desc[PVCHECK_COUNT] = {
#define PVCHECK(id, desc) [PVCHECK_##id] = desc,
#include "pvchecks.def"
#undef PVCHECK
};
