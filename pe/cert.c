/*
 * cert.c - the attribute certificate table (PE/COFF 4.7, "The Attribute
 * Certificate Table (Image Only)"; authenticode.md 1.2, 6).
 *
 * Data directory 4 holds a FILE OFFSET (not an RVA: the table is not
 * mapped with the image) and a size. The table is a run of
 * WIN_CERTIFICATE entries { u32 dwLength; u16 wRevision; u16
 * wCertificateType; u8 bCertificate[dwLength - 8]; }, each starting on an
 * 8-byte boundary (the next one at round_up(dwLength, 8)). The reader
 * checks, before any entry is used:
 *   - offset 8-byte aligned, table inside the file and ending exactly at
 *     its end (MS12-024: nothing after it escapes the hash), at or after
 *     the end of the headers and of the last section's raw data;
 *   - every dwLength at least 8 and inside the table, and the rounded
 *     lengths adding up to the directory size (a directory size that was
 *     not rounded up is accepted for the last entry, as the kernel and
 *     pesign produce it);
 *   - at most RD_MAX_CERT_ENTRIES entries and RD_MAX_CERT_TABLE_BYTES.
 * Revision and type are read and reported; verify/ uses only revision
 * 0x0200 with type WIN_CERT_TYPE_PKCS_SIGNED_DATA.
 * Nothing here includes OpenSSL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pe.h"
#include "rd/limits.h"
#include "rd/safeint.h"

static int
bad(pe_cert_table *t, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(pe_cert_table *t, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	t->bad_offset = off;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return -1;
}

int
pe_cert_dir(const asmgate_image *img, uint32_t *off, uint32_t *size)
{
	const asmgate_pe_info *pe = &img->info.pe;

	if (pe->number_of_rva_and_sizes <= PE_DIR_SECURITY)
		return 0;
	*off = pe->dirs[PE_DIR_SECURITY].rva;
	*size = pe->dirs[PE_DIR_SECURITY].size;
	return *off != 0 || *size != 0;
}

uint64_t
pe_cert_dir_offset(const asmgate_image *img)
{
	/* After "PE\0\0" (4), the COFF header (20) and the optional
	 * header's fixed part (96 PE32, 112 PE32+), the fifth 8-byte
	 * directory entry (PE/COFF 3.4.3). */
	return (uint64_t)img->info.pe.lfanew + 24 +
	    (img->info.pe.pe32plus ? 112 : 96) + 8 * PE_DIR_SECURITY;
}

int
pe_cert_read(const asmgate_image *img, pe_cert_table *t)
{
	const asmgate_pe_info *pe = &img->info.pe;
	uint32_t off = 0, size = 0;
	uint64_t pos = 0, hdr_end;
	const uint8_t *bytes;
	rd tab;

	memset(t, 0, sizeof(*t));
	if (!pe_cert_dir(img, &off, &size))
		return 0;
	t->offset = off;
	t->size = size;
	if (off == 0 || size == 0)
		return bad(t, pe_cert_dir_offset(img), "certificate table "
		    "directory has offset 0x%x and size %u: one is zero",
		    off, size);
	if (off % 8 != 0)
		return bad(t, pe_cert_dir_offset(img), "certificate table "
		    "offset 0x%x is not 8-byte aligned", off);
	if (!rd_range_ok(off, size, img->size))
		return bad(t, pe_cert_dir_offset(img), "certificate table "
		    "[0x%x, +%u) runs past the end of the file", off, size);
	if ((uint64_t)off + size != img->size)
		return bad(t, (uint64_t)off + size, "certificate table ends at "
		    "0x%llx but the file goes on to 0x%zx: data after the "
		    "table is not covered by the signature",
		    (unsigned long long)off + size, img->size);
	hdr_end = pe->section_table_offset +
	    (uint64_t)pe->nsections * PE_SECTION_HEADER_SIZE;
	if (off < pe->overlay_offset || off < hdr_end)
		return bad(t, pe_cert_dir_offset(img), "certificate table at "
		    "0x%x lies before the end of the headers or of the last "
		    "section (0x%llx)", off, (unsigned long long)
		    (pe->overlay_offset > hdr_end ? pe->overlay_offset :
		    hdr_end));
	if (size > RD_MAX_CERT_TABLE_BYTES)
		return bad(t, pe_cert_dir_offset(img), "certificate table of "
		    "%u bytes (at most %u are read)", size,
		    RD_MAX_CERT_TABLE_BYTES);
	bytes = img->cert_copy ? img->cert_copy : img->data + off;
	rd_init(&tab, bytes, size, off);
	while (pos < size) {
		pe_cert_entry *e;
		uint32_t len;
		uint64_t padded;
		rd ent;

		if (t->n >= RD_MAX_CERT_ENTRIES)
			return bad(t, off + pos, "more than %u certificate "
			    "table entries", RD_MAX_CERT_ENTRIES);
		e = &t->e[t->n];
		e->offset = off + pos;
		if (!rd_seek(&tab, (size_t)pos) || !rd_u32(&tab, &len) ||
		    !rd_u16(&tab, &e->revision) || !rd_u16(&tab, &e->type))
			return bad(t, off + pos, "certificate table entry at "
			    "0x%llx: fewer than 8 bytes left (%llu)",
			    (unsigned long long)(off + pos),
			    (unsigned long long)(size - pos));
		e->length = len;
		if (len < 8)
			return bad(t, off + pos, "certificate table entry at "
			    "0x%llx: dwLength %u is below 8",
			    (unsigned long long)(off + pos), len);
		if (len > size - pos)
			return bad(t, off + pos, "certificate table entry at "
			    "0x%llx: dwLength %u runs past the table",
			    (unsigned long long)(off + pos), len);
		padded = ((uint64_t)len + 7) & ~(uint64_t)7;
		if (padded > size - pos) {
			/* Only the last entry, with an unrounded size. */
			if (len != size - pos)
				return bad(t, off + pos, "certificate table "
				    "entry at 0x%llx: padded length %llu runs "
				    "past the table",
				    (unsigned long long)(off + pos),
				    (unsigned long long)padded);
			padded = len;
		}
		if (!rd_sub(&tab, (size_t)pos + 8, len - 8, &ent) ||
		    !rd_sub(&tab, (size_t)pos + len, (size_t)(padded - len),
			&e->pad))
			return bad(t, off + pos, "certificate table entry at "
			    "0x%llx unreadable", (unsigned long long)(off + pos));
		e->body = ent;
		t->n++;
		pos += padded;
	}
	return 1;
}
