/*
 * cab.c - the cabinet directory (MS-CAB, [MS-CAB] 2.1-2.5).
 *
 * Opening reads, in this order:
 *  - the CFHEADER (2.1): "MSCF", the reserved fields (zero), cbCabinet
 *    (the size of the input; a cabinet with a reserve area may be
 *    followed by bytes cbCabinet does not count: an Authenticode
 *    signature), version 1.3, the folder and file counts, the flags
 *    (only cfhdrPREV_CABINET, cfhdrNEXT_CABINET, cfhdrRESERVE_PRESENT),
 *    the reserve sizes (cbCFHeader at most RD_MAX_CAB_HEADER_RESERVE)
 *    and the previous/next cabinet and disk names the flags announce;
 *  - the CFFOLDER records (2.2) right after it: compression type (none,
 *    MSZIP, Quantum, LZX with a window of 2^15 to 2^21 bytes), and each
 *    folder's chain of CFDATA blocks (2.4), followed from coffCabStart:
 *    every block inside the cabinet, at most RD_MAX_CAB_BLOCK bytes out
 *    and RD_MAX_CAB_BLOCK_INPUT in, the folder at most
 *    RD_MAX_CAB_FOLDER_BYTES out; no two folders' blocks overlap and no
 *    block starts before the end of the file records;
 *  - the CFFILE records (2.3) at coffFiles, which must be where the
 *    folders end: size, offset in the folder, folder index, attributes,
 *    name (at most RD_MAX_CAB_NAME bytes, NUL-terminated; UTF-8 when
 *    _A_NAME_IS_UTF says so, else ISO-8859-1 converted to UTF-8), and
 *    each file's range inside its folder's uncompressed bytes, no two
 *    files sharing bytes of a folder.
 * A file continued from or into another cabinet (iFolder 0xFFFD-0xFFFF,
 * or a folder the header flags say is split) and a Quantum folder are
 * unsupported members, reported, not errors. Files share folders, so
 * container.c skips its overlap check (c->ranges_checked) and checks
 * the names. Checksums are verified when a folder is decompressed
 * (cabdata.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cab.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "rd/safeint.h"
#include "rd/utf8.h"

#define CFHEADER_LEN 36u
#define CFFOLDER_LEN 8u
#define CFFILE_LEN 16u

/* CFHEADER flags (2.1). */
#define F_PREV 0x0001u
#define F_NEXT 0x0002u
#define F_RESERVE 0x0004u

/* CFFILE iFolder values for files split across cabinets (2.3). */
#define IFOLD_CONTINUED_FROM_PREV 0xFFFDu
#define IFOLD_CONTINUED_TO_NEXT 0xFFFEu
#define IFOLD_CONTINUED_PREV_AND_NEXT 0xFFFFu

/* CFFILE attribs: the name is UTF-8 (2.3). */
#define A_NAME_IS_UTF 0x80u

/* cFolders and cFiles are 16 bits: the caps hold every count (and
 * RD_MAX_CONTAINER_MEMBERS every file count), so none is checked at run
 * time; lowering a cap must add that check. */
_Static_assert(RD_MAX_CAB_FOLDERS >= 0xFFFFu && RD_MAX_CAB_FILES >= 0xFFFFu &&
    RD_MAX_CONTAINER_MEMBERS >= RD_MAX_CAB_FILES, "cabinet counts");

static int
cab_detect(const uint8_t *p, size_t n)
{
	return n >= 8 && memcmp(p, "MSCF\0\0\0\0", 8) == 0;
}

/* The raw CFHEADER fields. */
typedef struct cab_hdr {
	uint32_t cb_cabinet, coff_files;
	uint8_t minor, major;
	uint16_t nfolders, nfiles, flags, set_id, icabinet;
	uint16_t hdr_reserve;
	uint8_t folder_reserve, data_reserve;
} cab_hdr;

/* One of the optional header strings (2.1: szCabinetPrev, szDiskPrev,
 * szCabinetNext, szDiskNext): NUL-terminated, at most RD_MAX_CAB_NAME
 * bytes. Only checked; nothing here follows a set. */
static asmgate_status
header_string(rd *r, const char *what, asmgate_error *err)
{
	uint64_t at = rd_offset(r);
	const char *s;
	size_t n;

	if (!rd_cstr(r, RD_MAX_CAB_NAME, &s, &n))
		return rd_fail(err, ASMGATE_E_MALFORMED, at, "cabinet header: "
		    "%s is not a NUL-terminated string of at most %u bytes "
		    "inside the cabinet", what, RD_MAX_CAB_NAME);
	return ASMGATE_OK;
}

/* 2.1: CFHEADER, its reserve area and strings; r ends up at the first
 * CFFOLDER. r covers [0, cbCabinet) once cbCabinet is checked. */
static asmgate_status
read_header(const asmgate_container *c, rd *r, cab_hdr *h,
    asmgate_error *err)
{
	uint32_t sig, res1, res2, res3;
	asmgate_status st;

	memset(h, 0, sizeof(*h));
	rd_init(r, c->data, c->size, 0);
	if (!rd_u32(r, &sig) || !rd_u32(r, &res1) ||
	    !rd_u32(r, &h->cb_cabinet) || !rd_u32(r, &res2) ||
	    !rd_u32(r, &h->coff_files) || !rd_u32(r, &res3) ||
	    !rd_u8(r, &h->minor) || !rd_u8(r, &h->major) ||
	    !rd_u16(r, &h->nfolders) || !rd_u16(r, &h->nfiles) ||
	    !rd_u16(r, &h->flags) || !rd_u16(r, &h->set_id) ||
	    !rd_u16(r, &h->icabinet))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 0, "cabinet header "
		    "truncated (%zu of %u bytes)", c->size, CFHEADER_LEN);
	if (sig != 0x4643534Du) /* "MSCF" */
		return rd_fail(err, ASMGATE_E_MALFORMED, 0,
		    "cabinet header has a bad signature");
	if (res1 != 0 || res2 != 0 || res3 != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, res1 ? 4 : res2 ?
		    12 : 20, "cabinet header: reserved field is not zero");
	if (h->major != 1 || h->minor != 3)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, 24,
		    "cabinet version %u.%u (only 1.3 is defined)", h->major,
		    h->minor);
	if (h->flags & ~(F_PREV | F_NEXT | F_RESERVE))
		return rd_fail(err, ASMGATE_E_MALFORMED, 30, "cabinet header "
		    "has unknown flags 0x%04x", h->flags);
	/* The size is the file's, except that a signature may follow a
	 * cabinet with a reserve area (where its location is kept). */
	if (h->cb_cabinet > c->size)
		return rd_fail(err, ASMGATE_E_TRUNCATED, 8, "cabinet size "
		    "%u is larger than the file (%zu bytes)", h->cb_cabinet,
		    c->size);
	if (h->cb_cabinet < c->size && !(h->flags & F_RESERVE))
		return rd_fail(err, ASMGATE_E_MALFORMED, 8, "cabinet size "
		    "%u but the file has %zu bytes", h->cb_cabinet, c->size);
	if (h->cb_cabinet < CFHEADER_LEN)
		return rd_fail(err, ASMGATE_E_MALFORMED, 8, "cabinet size "
		    "%u is smaller than its header", h->cb_cabinet);
	r->len = h->cb_cabinet; /* <= c->size, > pos */
	if (h->nfiles > 0 && h->nfolders == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, 26, "cabinet has "
		    "%u files but no folder", h->nfiles);
	if (h->flags & F_RESERVE) {
		if (!rd_u16(r, &h->hdr_reserve) ||
		    !rd_u8(r, &h->folder_reserve) ||
		    !rd_u8(r, &h->data_reserve))
			return rd_fail(err, ASMGATE_E_TRUNCATED, CFHEADER_LEN,
			    "cabinet header reserve sizes truncated");
		if (h->hdr_reserve > RD_MAX_CAB_HEADER_RESERVE)
			return rd_fail(err, ASMGATE_E_MALFORMED, CFHEADER_LEN,
			    "cabinet header reserve of %u bytes, above the "
			    "maximum of %u", h->hdr_reserve,
			    RD_MAX_CAB_HEADER_RESERVE);
		if (!rd_skip(r, h->hdr_reserve))
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    CFHEADER_LEN + 4, "cabinet header reserve of %u "
			    "bytes runs past the cabinet", h->hdr_reserve);
	}
	if (h->flags & F_PREV) {
		if ((st = header_string(r, "previous cabinet name", err)) !=
		    ASMGATE_OK ||
		    (st = header_string(r, "previous disk name", err)) !=
		    ASMGATE_OK)
			return st;
	}
	if (h->flags & F_NEXT) {
		if ((st = header_string(r, "next cabinet name", err)) !=
		    ASMGATE_OK ||
		    (st = header_string(r, "next disk name", err)) !=
		    ASMGATE_OK)
			return st;
	}
	return ASMGATE_OK;
}

/*
 * 2.4: the CFDATA chain of folder f, from coffCabStart: each block's
 * header, reserve and data inside the cabinet (r), the sizes capped.
 * A block with cbUncomp 0 continues in the next cabinet: only a split
 * folder may have one.
 */
static asmgate_status
walk_blocks(const rd *r, cab_folder *f, size_t fi, uint8_t data_reserve,
    asmgate_error *err)
{
	rd b;
	size_t k;

	if (f->data_start > r->len ||
	    !rd_sub(r, f->data_start, r->len - f->data_start, &b))
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset, "folder "
		    "%zu: data at 0x%x is past the end of the cabinet", fi,
		    f->data_start);
	for (k = 0; k < f->nblocks; k++) {
		uint64_t at = rd_offset(&b);
		uint32_t csum;
		uint16_t cb_data, cb_uncomp;

		if (!rd_u32(&b, &csum) || !rd_u16(&b, &cb_data) ||
		    !rd_u16(&b, &cb_uncomp) || !rd_skip(&b, data_reserve) ||
		    !rd_skip(&b, cb_data))
			return rd_fail(err, ASMGATE_E_MALFORMED, at, "folder "
			    "%zu: data block %zu runs past the end of the "
			    "cabinet", fi, k + 1);
		if (cb_uncomp > RD_MAX_CAB_BLOCK)
			return rd_fail(err, ASMGATE_E_MALFORMED, at, "folder "
			    "%zu: data block %zu expands to %u bytes, above "
			    "the maximum of %u", fi, k + 1, cb_uncomp,
			    RD_MAX_CAB_BLOCK);
		if (cb_data > RD_MAX_CAB_BLOCK_INPUT)
			return rd_fail(err, ASMGATE_E_MALFORMED, at, "folder "
			    "%zu: data block %zu has %u compressed bytes, "
			    "above the maximum of %u", fi, k + 1, cb_data,
			    RD_MAX_CAB_BLOCK_INPUT);
		if (cb_uncomp == 0 && !f->spans)
			return rd_fail(err, ASMGATE_E_MALFORMED, at, "folder "
			    "%zu: data block %zu continues in another cabinet "
			    "but the header names none", fi, k + 1);
		if ((f->type & CAB_COMP_MASK) == CAB_COMP_NONE &&
		    cb_data != cb_uncomp && !f->spans)
			return rd_fail(err, ASMGATE_E_MALFORMED, at, "folder "
			    "%zu: stored data block %zu has %u bytes but "
			    "declares %u", fi, k + 1, cb_data, cb_uncomp);
		/* <= 65535 blocks of 32 KiB and ~38 KiB: no overflow. */
		f->csize += cb_data;
		f->usize += cb_uncomp;
	}
	f->data_end = rd_offset(&b);
	if (f->usize > RD_MAX_CAB_FOLDER_BYTES)
		return rd_fail(err, ASMGATE_E_LIMIT, f->offset, "folder %zu "
		    "expands to %llu bytes, above the cap of %zu", fi,
		    (unsigned long long)f->usize, RD_MAX_CAB_FOLDER_BYTES);
	return ASMGATE_OK;
}

/* Folders ordered by where their data starts. */
static int
cmp_folder(const void *a, const void *b)
{
	const cab_folder *x = *(const cab_folder *const *)a;
	const cab_folder *y = *(const cab_folder *const *)b;

	if (x->data_start != y->data_start)
		return x->data_start < y->data_start ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* No two folders share CFDATA bytes, and none starts inside the
 * header, folder or file records (files_end). */
static asmgate_status
check_folder_ranges(const cab_state *s, uint64_t files_end,
    asmgate_error *err)
{
	const cab_folder **v;
	uint64_t at = files_end;
	size_t i;

	v = malloc(s->nfolders * sizeof(*v) + 1); /* <= 65535 */
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < s->nfolders; i++)
		v[i] = &s->folders[i];
	qsort(v, s->nfolders, sizeof(*v), cmp_folder);
	for (i = 0; i < s->nfolders; i++) {
		const cab_folder *f = v[i];

		if (f->nblocks == 0)
			continue;
		if (f->data_start < at) {
			size_t fi = (size_t)(f - s->folders);
			uint64_t where = f->offset;

			free(v);
			return rd_fail(err, ASMGATE_E_MALFORMED, where,
			    "folder %zu: data at 0x%x overlaps %s", fi,
			    f->data_start, i > 0 && at > files_end ?
			    "another folder's data" : "the cabinet's "
			    "directory");
		}
		at = f->data_end;
	}
	free(v);
	return ASMGATE_OK;
}

/* 2.2: the CFFOLDER records at the cursor of r. */
static asmgate_status
read_folders(const rd *whole, rd *r, const cab_hdr *h, cab_state *s,
    asmgate_error *err)
{
	size_t i;
	asmgate_status st;

	for (i = 0; i < h->nfolders; i++) {
		cab_folder *f = &s->folders[i];
		unsigned bits;

		f->offset = rd_offset(r);
		if (!rd_u32(r, &f->data_start) || !rd_u16(r, &f->nblocks) ||
		    !rd_u16(r, &f->type) || !rd_skip(r, h->folder_reserve))
			return rd_fail(err, ASMGATE_E_TRUNCATED, f->offset,
			    "folder %zu record runs past the end of the "
			    "cabinet", i);
		/* The first folder of a continued cabinet began in the
		 * previous one, the last one of a cabinet that goes on
		 * ends in the next (2.1, 2.4). */
		f->spans = (i == 0 && (h->flags & F_PREV)) ||
		    (i + 1 == h->nfolders && (h->flags & F_NEXT));
		bits = CAB_LZX_BITS(f->type);
		if ((f->type & CAB_COMP_MASK) == CAB_COMP_LZX &&
		    (bits < 15 || bits > 21))
			return rd_fail(err, ASMGATE_E_MALFORMED, f->offset + 6,
			    "folder %zu: LZX window of 2^%u bytes (2^15 to "
			    "2^21 are defined)", i, bits);
		if ((st = walk_blocks(whole, f, i, h->data_reserve, err)) !=
		    ASMGATE_OK)
			return st;
	}
	return ASMGATE_OK;
}

/* Method names (2.2). */
static void
fill_method(ctr_member *m, const cab_folder *f)
{
	unsigned type = f->type & CAB_COMP_MASK;

	m->info.method = f->type;
	switch (type) {
	case CAB_COMP_NONE:
		m->info.method_name = "stored";
		break;
	case CAB_COMP_MSZIP:
		m->info.method_name = "mszip";
		break;
	case CAB_COMP_QUANTUM:
		m->info.method_name = "quantum";
		m->info.unsupported = "Quantum compression";
		break;
	case CAB_COMP_LZX:
		(void)snprintf(m->method_buf, sizeof(m->method_buf),
		    "lzx:%u", CAB_LZX_BITS(f->type));
		m->info.method_name = m->method_buf;
		break;
	default:
		(void)snprintf(m->method_buf, sizeof(m->method_buf),
		    "type %u", type);
		m->info.method_name = m->method_buf;
		(void)snprintf(m->unsupported_buf, sizeof(m->unsupported_buf),
		    "compression type %u", type);
		m->info.unsupported = m->unsupported_buf;
		break;
	}
}

/*
 * 2.3: the name as UTF-8, '\' read as '/': kept as stored when
 * _A_NAME_IS_UTF says UTF-8 (refused when it is not), else converted
 * from ISO-8859-1. Unflagged bytes that are valid non-ASCII UTF-8 are
 * also kept as alt_name: a reader on a UTF-8 system takes them so, and
 * the duplicate check must see that name too.
 */
static asmgate_status
make_name(ctr_member *m, const uint8_t *p, size_t n, int utf8, size_t i,
    asmgate_error *err)
{
	size_t k, len = 0, o = 0;
	char *s;

	if (n == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "file %zu has an empty name", i);
	k = rd_utf8_valid_len(p, n);
	if (utf8 && k != n)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "file %zu: name is not valid UTF-8 (byte %zu) although "
		    "its attributes say it is", i, k + 1);
	if (!utf8 && k == n) {
		for (k = 0; k < n && p[k] < 0x80; k++)
			;
		if (k < n) {
			m->alt_name = p;
			m->alt_len = n;
		}
	}
	for (k = 0; k < n; k++)
		len += !utf8 && p[k] >= 0x80 ? 2 : 1;
	s = malloc(len + 1);
	if (!s)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (k = 0; k < n; k++) {
		if (!utf8 && p[k] >= 0x80) {
			s[o++] = (char)(0xC0 | p[k] >> 6);
			s[o++] = (char)(0x80 | (p[k] & 0x3F));
		} else {
			s[o++] = p[k] == '\\' ? '/' : (char)p[k];
		}
	}
	s[o] = '\0';
	m->info.name = s;
	m->name_len = o;
	if (s[o - 1] == '/')
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "file %zu: name ends with a path separator", i);
	return ASMGATE_OK;
}

/* 2.3: one CFFILE record at the cursor of r, member i. */
static asmgate_status
read_file(asmgate_container *c, cab_state *s, rd *r, size_t i,
    asmgate_error *err)
{
	ctr_member *m = &c->members[i];
	uint32_t cb_file, uoff;
	uint16_t ifold, date, time, attribs;
	const cab_folder *f = NULL;
	char q[CTR_QUOTE_BUF];
	const char *name;
	size_t nlen;
	asmgate_status st;

	m->dir_offset = rd_offset(r);
	m->info.header_offset = m->dir_offset;
	if (!rd_u32(r, &cb_file) || !rd_u32(r, &uoff) ||
	    !rd_u16(r, &ifold) || !rd_u16(r, &date) || !rd_u16(r, &time) ||
	    !rd_u16(r, &attribs))
		return rd_fail(err, ASMGATE_E_TRUNCATED, m->dir_offset,
		    "file %zu record runs past the end of the cabinet", i);
	if (!rd_cstr(r, RD_MAX_CAB_NAME, &name, &nlen))
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset +
		    CFFILE_LEN, "file %zu: name is not NUL-terminated within "
		    "%u bytes inside the cabinet", i, RD_MAX_CAB_NAME);
	c->nmembers = i + 1; /* its name is freed from here on */
	if ((st = make_name(m, (const uint8_t *)name, nlen,
	    (attribs & A_NAME_IS_UTF) != 0, i, err)) != ASMGATE_OK)
		return st;
	m->data_end = rd_offset(r);
	m->info.size = cb_file;
	(void)date;
	(void)time;

	if (ifold >= IFOLD_CONTINUED_FROM_PREV) {
		size_t fi = ifold == IFOLD_CONTINUED_TO_NEXT ?
		    s->nfolders - 1 : 0;

		f = &s->folders[fi]; /* nfolders > 0: checked */
		s->file_folder[i] = (uint16_t)fi;
		fill_method(m, f);
		m->info.unsupported = "spans cabinets";
	} else if (ifold >= s->nfolders) {
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset + 8,
		    "file '%s' names folder %u of %zu", ctr_quote(q, m),
		    ifold, s->nfolders);
	} else {
		f = &s->folders[ifold];
		s->file_folder[i] = ifold;
		fill_method(m, f);
		if (f->spans)
			m->info.unsupported = "spans cabinets";
	}
	s->file_offset[i] = uoff;
	m->info.compressed_size = f->csize;
	m->info.data_offset = f->data_start;
	if (m->info.unsupported)
		return ASMGATE_OK;
	if (!rd_range_ok(uoff, cb_file, f->usize))
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "file '%s' [0x%x, +0x%x) lies outside its folder's %llu "
		    "bytes", ctr_quote(q, m), uoff, cb_file,
		    (unsigned long long)f->usize);
	return ASMGATE_OK;
}

/* A file's range in its folder, for the overlap check. */
typedef struct file_range {
	uint32_t folder, off, size;
	size_t i;
} file_range;

static int
cmp_range(const void *a, const void *b)
{
	const file_range *x = a, *y = b;

	if (x->folder != y->folder)
		return x->folder < y->folder ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * No two files share bytes of a folder: cabinet writers lay files out
 * one after another, and overlapping ranges would let a small cabinet
 * name the same decompressed gigabyte many times over (the ZIP
 * overlapping-member bomb). Empty files and unsupported ones are left
 * out.
 */
static asmgate_status
check_file_ranges(const asmgate_container *c, const cab_state *s,
    asmgate_error *err)
{
	char q1[CTR_QUOTE_BUF], q2[CTR_QUOTE_BUF];
	file_range *v;
	size_t i, n = 0;
	asmgate_status st = ASMGATE_OK;

	v = malloc(c->nmembers * sizeof(*v) + 1); /* <= 65535 */
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < c->nmembers; i++) {
		if (c->members[i].info.unsupported ||
		    c->members[i].info.size == 0)
			continue;
		v[n].folder = s->file_folder[i];
		v[n].off = s->file_offset[i];
		v[n].size = (uint32_t)c->members[i].info.size;
		v[n++].i = i;
	}
	qsort(v, n, sizeof(*v), cmp_range);
	for (i = 1; i < n; i++) {
		const ctr_member *a = &c->members[v[i - 1].i];
		const ctr_member *b = &c->members[v[i].i];

		if (v[i].folder != v[i - 1].folder ||
		    v[i].off - v[i - 1].off >= v[i - 1].size)
			continue;
		if (a->dir_offset > b->dir_offset) {
			const ctr_member *t = a;
			a = b;
			b = t;
		}
		st = rd_fail(err, ASMGATE_E_MALFORMED, b->dir_offset, "files "
		    "'%s' and '%s' overlap in folder %u", ctr_quote(q1, a),
		    ctr_quote(q2, b), v[i].folder);
		break;
	}
	free(v);
	return st;
}

static void
cab_close(asmgate_container *c)
{
	cab_state *s = c->fmt;
	size_t i;

	if (!s)
		return;
	if (s->acct_init)
		pthread_mutex_destroy(&s->acct_lock);
	for (i = 0; i < s->nfolders; i++) {
		pthread_mutex_destroy(&s->folders[i].lock);
		free(s->folders[i].buf);
		free(s->folders[i].fail);
		ctr_cab_lzx_free(s->folders[i].lzx);
	}
	free(s->folders);
	free(s->file_folder);
	free(s->file_offset);
	free(s);
	c->fmt = NULL;
}

/* The state: folders (with their locks) and per-file arrays. */
static asmgate_status
new_state(asmgate_container *c, const cab_hdr *h, asmgate_error *err)
{
	cab_state *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	c->fmt = s;
	s->data_reserve = h->data_reserve;
	/* Counts are at most 65535: the products cannot overflow. */
	s->folders = calloc((size_t)h->nfolders + 1, sizeof(*s->folders));
	s->file_folder = calloc((size_t)h->nfiles + 1,
	    sizeof(*s->file_folder));
	s->file_offset = calloc((size_t)h->nfiles + 1,
	    sizeof(*s->file_offset));
	c->members = calloc((size_t)h->nfiles + 1, sizeof(*c->members));
	if (!s->folders || !s->file_folder || !s->file_offset || !c->members)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (pthread_mutex_init(&s->acct_lock, NULL) != 0)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM,
		    "cannot make a lock");
	s->acct_init = 1;
	for (i = 0; i < h->nfolders; i++) {
		if (pthread_mutex_init(&s->folders[i].lock, NULL) != 0)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "cannot make a lock");
		s->nfolders = i + 1; /* destroyed from here on */
	}
	return ASMGATE_OK;
}

static asmgate_status
cab_open(asmgate_container *c, asmgate_error *err)
{
	cab_state *s;
	cab_hdr h;
	rd r, whole;
	size_t i;
	asmgate_status st;

	if ((st = read_header(c, &r, &h, err)) != ASMGATE_OK)
		return st;
	whole = r;
	whole.pos = 0;
	if ((st = new_state(c, &h, err)) != ASMGATE_OK)
		return st;
	s = c->fmt;
	if ((st = read_folders(&whole, &r, &h, s, err)) != ASMGATE_OK)
		return st;
	/* Readers that seek to coffFiles and readers that read on after
	 * the folders must find the same records. */
	if (h.coff_files != rd_offset(&r))
		return rd_fail(err, ASMGATE_E_MALFORMED, 16, "cabinet header: "
		    "files at 0x%x, but the folder records end at 0x%llx",
		    h.coff_files, (unsigned long long)rd_offset(&r));
	for (i = 0; i < h.nfiles; i++)
		if ((st = read_file(c, s, &r, i, err)) != ASMGATE_OK)
			return st;
	if ((st = check_folder_ranges(s, rd_offset(&r), err)) != ASMGATE_OK ||
	    (st = check_file_ranges(c, s, err)) != ASMGATE_OK)
		return st;
	/* Members share folders: ranges are the folders', checked above;
	 * container.c checks the names. */
	c->ranges_checked = 1;
	c->members_end = rd_offset(&r);
	return ASMGATE_OK;
}

const ctr_ops ctr_cab_ops = {
	ASMGATE_CONTAINER_CAB,
	"cab",
	cab_detect,
	cab_open,
	ctr_cab_extract,
	cab_close,
};
