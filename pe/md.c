/*
 * md.c - the metadata root, stream headers and heaps.
 *
 * ECMA-335 II.24.2.1 (metadata root), II.24.2.2 (stream headers),
 * II.24.2.3 (#Strings), II.24.2.4 (#US and #Blob), II.24.2.5 (#GUID).
 * Each stream becomes a sub-reader bounded to its own bytes, so no heap
 * lookup can reach another stream or leave the metadata block.
 */
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/safeint.h"

#define BSJB 0x424A5342u

static asmgate_status
set_heap(pe_heap *h, const rd *s, const char *name, uint64_t hdr,
    asmgate_error *err)
{
	/* A duplicate stream is ambiguous (which one would a loader use?):
	 * refuse it rather than guess. */
	if (h->present)
		return rd_fail(err, ASMGATE_E_MALFORMED, hdr,
		    "duplicate %s stream", name);
	h->present = 1;
	h->r = *s;
	return ASMGATE_OK;
}

asmgate_status
pe_md_open(asmgate_image *img, asmgate_error *err)
{
	asmgate_cli_info *cli = &img->info.cli;
	uint32_t sig, reserved, vlen, i;
	uint16_t flags, nstreams;
	uint64_t off, hdr;
	const uint8_t *vbytes;
	const rd *tables = NULL;
	rd file, md, tables_r;
	int all_wide = 0, have_tables = 0;
	size_t n;

	if (cli->metadata.size == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, cli->header_offset + 8,
		    "CLI header has no metadata directory");
	if (!pe_rva_to_offset(img, cli->metadata.rva, cli->metadata.size, &off,
		NULL))
		return rd_fail(err, ASMGATE_E_MALFORMED, cli->header_offset + 8,
		    "metadata RVA 0x%x size 0x%x does not lie inside one "
		    "section's raw data", cli->metadata.rva, cli->metadata.size);
	rd_init(&file, img->data, img->size, 0);
	if (!rd_sub(&file, (size_t)off, cli->metadata.size, &md))
		return rd_fail(err, ASMGATE_E_TRUNCATED, off,
		    "metadata runs past the end of the file");
	/* A mapped file is read from a private copy of the block (pe.h,
	 * struct asmgate_image); the reader's base stays the file offset, so
	 * offsets in errors and in the facts are file offsets. */
	if (img->snapshot) {
		img->md_copy = malloc(md.len);
		if (!img->md_copy)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory copying %zu bytes of metadata",
			    md.len);
		memcpy(img->md_copy, md.p, md.len);
		rd_init(&md, img->md_copy, md.len, off);
	}
	img->metadata = md;
	cli->metadata_offset = off;

	/* II.24.2.1: the metadata root. */
	if (!rd_u32(&md, &sig))
		return rd_fail(err, ASMGATE_E_TRUNCATED, off,
		    "metadata too short for its root");
	if (sig != BSJB)
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "bad metadata signature 0x%08x (expected BSJB)", sig);
	if (!rd_u16(&md, &cli->metadata_major) ||
	    !rd_u16(&md, &cli->metadata_minor) || !rd_u32(&md, &reserved) ||
	    !rd_u32(&md, &vlen))
		return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&md),
		    "metadata root truncated");
	if (vlen > RD_MAX_VERSION_STRING + 1)
		return rd_fail(err, ASMGATE_E_MALFORMED, rd_offset(&md) - 4,
		    "metadata version string length %u exceeds %u", vlen,
		    RD_MAX_VERSION_STRING + 1);
	if (!rd_bytes(&md, vlen, &vbytes))
		return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&md),
		    "metadata version string runs past the metadata");
	/* The string is NUL-terminated and padded; keep up to the first
	 * NUL. A writer that left no NUL in the (at most 256) bytes gets
	 * the first 255 (II.24.2.1: at most 255 bytes with the NUL), so
	 * version_buf keeps room for its terminator. */
	for (n = 0; n < vlen && n < sizeof(img->version_buf) - 1 &&
	    vbytes[n] != 0; n++)
		;
	memcpy(img->version_buf, vbytes, n);
	img->version_buf[n] = '\0';
	cli->runtime_version = img->version_buf;
	if (!rd_u16(&md, &flags) || !rd_u16(&md, &nstreams))
		return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&md),
		    "metadata root truncated before the stream count");
	(void)flags;
	if (nstreams > RD_MAX_STREAMS)
		return rd_fail(err, ASMGATE_E_LIMIT, rd_offset(&md) - 2,
		    "%u metadata streams (at most %u are allowed)", nstreams,
		    RD_MAX_STREAMS);

	/* II.24.2.2: stream headers. */
	for (i = 0; i < nstreams; i++) {
		asmgate_stream *st = &img->streams[i];
		const char *name;
		size_t nlen;
		rd s;
		asmgate_status rc = ASMGATE_OK;

		hdr = rd_offset(&md);
		if (!rd_u32(&md, &st->offset) || !rd_u32(&md, &st->size))
			return rd_fail(err, ASMGATE_E_TRUNCATED, hdr,
			    "stream header %u runs past the metadata", i + 1);
		if (!rd_cstr(&md, RD_MAX_STREAM_NAME - 1, &name, &nlen))
			return rd_fail(err, ASMGATE_E_MALFORMED, hdr + 8,
			    "stream header %u: name not terminated within %u "
			    "bytes", i + 1, RD_MAX_STREAM_NAME);
		if (!rd_align(&md, 4))
			return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&md),
			    "stream header %u: padding runs past the metadata",
			    i + 1);
		memcpy(st->name, name, nlen);
		st->name[nlen] = '\0';
		if (!rd_sub(&img->metadata, st->offset, st->size, &s)) {
			char nb[sizeof(st->name)];
			return rd_fail(err, ASMGATE_E_MALFORMED, hdr,
			    "stream %s [0x%x, +0x%x) lies outside the metadata "
			    "(size 0x%zx)", rd_printable(nb, sizeof(nb),
			    st->name, sizeof(st->name)),
			    st->offset, st->size, img->metadata.len);
		}
		st->file_offset = s.base;
		if (strcmp(st->name, "#~") == 0 || strcmp(st->name, "#-") == 0) {
			if (have_tables)
				return rd_fail(err, ASMGATE_E_MALFORMED, hdr,
				    "more than one tables stream");
			have_tables = 1;
			cli->uncompressed_tables = st->name[1] == '-';
			tables_r = s;
			tables = &tables_r;
		} else if (strcmp(st->name, "#Strings") == 0) {
			rc = set_heap(&img->strings, &s, "#Strings", hdr, err);
		} else if (strcmp(st->name, "#US") == 0) {
			rc = set_heap(&img->us, &s, "#US", hdr, err);
		} else if (strcmp(st->name, "#GUID") == 0) {
			rc = set_heap(&img->guid, &s, "#GUID", hdr, err);
		} else if (strcmp(st->name, "#Blob") == 0) {
			rc = set_heap(&img->blob, &s, "#Blob", hdr, err);
		} else if (strcmp(st->name, "#JTD") == 0) {
			all_wide = 1; /* minimal-delta metadata */
		}
		/* Other names (#Pdb, junk from obfuscators) are ignored. */
		if (rc != ASMGATE_OK)
			return rc;
	}
	cli->nstreams = nstreams;
	cli->streams = img->streams;
	if (!tables)
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "metadata has no tables stream (#~ or #-)");
	return pe_tables_open(img, tables, all_wide, err);
}

/* II.24.2.3: a #Strings index is a byte offset to a NUL-terminated UTF-8
 * string that must end inside the heap. Index 0 is the empty string. */
int
pe_heap_string(const pe_heap *h, uint32_t idx, const char **out)
{
	rd r;
	size_t n;

	if (idx == 0) {
		*out = "";
		return 1;
	}
	if (!h->present || idx >= h->r.len)
		return 0;
	r = h->r;
	if (!rd_seek(&r, idx))
		return 0;
	return rd_cstr(&r, RD_MAX_NAME_BYTES, out, &n);
}

/* II.24.2.4: a #Blob entry is a compressed length then the bytes, all
 * inside the heap. Index 0 is the empty blob. */
int
pe_heap_blob(const pe_heap *h, uint32_t idx, const uint8_t **out,
    size_t *len, uint64_t *file_off)
{
	uint32_t n;
	rd r;

	if (idx == 0) {
		*out = NULL;
		*len = 0;
		if (file_off)
			*file_off = 0;
		return 1;
	}
	if (!h->present || idx >= h->r.len)
		return 0;
	r = h->r;
	if (!rd_seek(&r, idx) || !rd_cuint(&r, &n))
		return 0;
	if (file_off)
		*file_off = rd_offset(&r);
	if (!rd_bytes(&r, n, out))
		return 0;
	*len = n;
	return 1;
}

/* II.24.2.4: #US has the same layout as #Blob (UTF-16 plus a final
 * byte). */
int
pe_heap_us(const pe_heap *h, uint32_t idx, const uint8_t **out, size_t *len)
{
	return pe_heap_blob(h, idx, out, len, NULL);
}

/* II.24.2.5: a #GUID index is 1-based and counts 16-byte entries. */
int
pe_heap_guid(const pe_heap *h, uint32_t idx, const uint8_t **out)
{
	rd r;

	if (idx == 0 || !h->present)
		return 0;
	r = h->r;
	if ((size_t)(idx - 1) > r.len / 16 || !rd_seek(&r, (size_t)(idx - 1) * 16))
		return 0;
	return rd_bytes(&r, 16, out);
}
