/* cab.c - placeholder: cabinets (MS-CAB); replaced by the reader. */
#include <string.h>

#include "ctr.h"
#include "rd/err.h"

static int
cab_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && memcmp(p, "MSCF", 4) == 0;
}

static asmgate_status
cab_open(asmgate_container *c, asmgate_error *err)
{
	(void)c;
	return rd_fail(err, ASMGATE_E_UNSUPPORTED, 0, "cabinets not read yet");
}

static asmgate_status
cab_extract(const asmgate_container *c, const ctr_member *m, uint8_t *dst,
    size_t n, int whole, size_t *got, asmgate_error *err)
{
	(void)c; (void)m; (void)dst; (void)n; (void)whole; (void)got;
	return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "cabinet");
}

const ctr_ops ctr_cab_ops = {
	ASMGATE_CONTAINER_CAB, "cab", cab_detect, cab_open, cab_extract, NULL,
};
