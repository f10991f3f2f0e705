/* msi.c - placeholder: Windows Installer databases; replaced by the reader. */
#include <string.h>

#include "ctr.h"
#include "rd/err.h"

static int
msi_detect(const uint8_t *p, size_t n)
{
	return n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

static asmgate_status
msi_open(asmgate_container *c, asmgate_error *err)
{
	(void)c;
	return rd_fail(err, ASMGATE_E_UNSUPPORTED, 0, "installer databases not read yet");
}

static asmgate_status
msi_extract(const asmgate_container *c, const ctr_member *m, uint8_t *dst,
    size_t n, int whole, size_t *got, asmgate_error *err)
{
	(void)c; (void)m; (void)dst; (void)n; (void)whole; (void)got;
	return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "installer database");
}

const ctr_ops ctr_msi_ops = {
	ASMGATE_CONTAINER_MSI, "msi", msi_detect, msi_open, msi_extract, NULL,
};
