/*
 * zip.c - the ZIP directory (PKWARE APPNOTE.TXT 6.3.x).
 *
 * Opening reads, in this order:
 *  - the end of central directory record (4.3.16), searched backwards
 *    from the end of the file within RD_MAX_EOCD_SEARCH bytes. A comment
 *    may itself contain "PK\5\6"; a candidate counts only when its
 *    comment length ends exactly at the end of the file, and there must
 *    be exactly one such candidate (Info-ZIP and Python's zipfile take
 *    the last, other readers the first). Nothing may follow the record;
 *  - the ZIP64 end of central directory locator (4.3.15) just before it
 *    and the ZIP64 end record (4.3.14) it names, which must sit right
 *    before the locator (readers that look there and readers that follow
 *    the locator then agree); each 16/32-bit field of the end record is
 *    either its 0xFFFF/0xFFFFFFFF placeholder or equal to the ZIP64 one;
 *  - the central directory (4.3.12), which must end exactly where the
 *    (ZIP64) end record starts and hold exactly the declared entries;
 *  - for each entry, its name (valid UTF-8 when flag bit 11 says so),
 *    its ZIP64 extended information (4.5.3) and its local header
 *    (4.3.7), which must agree with the entry on name, method, the
 *    encryption, data descriptor, UTF-8 and masked-header flags, any
 *    Info-ZIP Unicode Path field (4.6.9), and (without a data
 *    descriptor) CRC-32 and sizes; with a data descriptor (4.3.9) the
 *    descriptor must follow the data and agree with the entry, and the
 *    member must be deflated (where stored data ends is known only from
 *    the directory, which a streaming reader never reads).
 * The central directory is authoritative: it is what the member records
 * report; every disagreement another reader could resolve differently
 * is an error naming the member. container.c then checks that local
 * headers, data and descriptors fill [0, central directory) with no gap
 * or overlap, and the names (paths, duplicates).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ctr.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "rd/safeint.h"
#include "rd/utf8.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOCATOR 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u

#define EOCD_LEN 22u
#define EOCD64_LEN 56u
#define LOCATOR_LEN 20u
#define CENTRAL_LEN 46u
#define LOCAL_LEN 30u

#define X_ZIP64 0x0001u
#define X_UNICODE_PATH 0x7075u

/* General-purpose flags (4.4.4). */
#define F_ENCRYPTED 0x0001u
#define F_DESCRIPTOR 0x0008u
#define F_STRONG 0x0040u
#define F_UTF8 0x0800u
#define F_MASKED 0x2000u

#define M32 0xFFFFFFFFu
#define M16 0xFFFFu

static int
zip_detect(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* Compression method names (4.4.5). */
static const char *
method_name(uint32_t m)
{
	switch (m) {
	case 0: return "stored";
	case 1: return "shrink";
	case 2: case 3: case 4: case 5: return "reduce";
	case 6: return "implode";
	case 8: return "deflate";
	case 9: return "deflate64";
	case 10: return "pkware-dcl-implode";
	case 12: return "bzip2";
	case 14: return "lzma";
	case 16: return "ibm-cmpsc";
	case 18: return "ibm-terse";
	case 19: return "lz77";
	case 20: return "zstd-old";
	case 93: return "zstd";
	case 94: return "mp3";
	case 95: return "xz";
	case 96: return "jpeg";
	case 97: return "wavpack";
	case 98: return "ppmd";
	case 99: return "aes";
	}
	return NULL;
}

/*
 * Find the field id in an extra area (4.5.1: id u16, size u16, data).
 * A trailing run shorter than a field header is ignored (zipalign pads
 * local extras with zeros). Returns 1 with *field over its data, 0 when
 * absent, -1 when it occurs twice (readers that take the first and
 * readers that take the last would disagree).
 */
static int
find_extra(const rd *extra, uint16_t id, rd *field)
{
	rd x = *extra, d;
	uint16_t fid, fsz;
	int found = 0;

	x.pos = 0;
	while (rd_left(&x) >= 4) {
		if (!rd_u16(&x, &fid) || !rd_u16(&x, &fsz) ||
		    !rd_take(&x, fsz, &d))
			break; /* a field running past the area ends it */
		if (fid != id)
			continue;
		if (found)
			return -1;
		*field = d;
		found = 1;
	}
	return found;
}

/* The end of central directory record: the one "PK\5\6" within the
 * search window whose comment ends exactly at the end of the file. Two
 * such records (one inside the other's comment) are refused: Info-ZIP
 * and zipfile take the last, a reader scanning forward the first. */
static asmgate_status
find_eocd(const rd *f, uint64_t *off, asmgate_error *err)
{
	size_t n = f->len, pos, low;
	int found = 0;

	if (n < EOCD_LEN)
		return rd_fail(err, ASMGATE_E_TRUNCATED, 0,
		    "zip too short for an end of central directory record");
	low = n > RD_MAX_EOCD_SEARCH ? n - RD_MAX_EOCD_SEARCH : 0;
	pos = n - EOCD_LEN;
	for (;;) {
		uint32_t sig;
		uint16_t clen;
		rd e;

		if (rd_sub(f, pos, EOCD_LEN, &e) && rd_u32(&e, &sig) &&
		    sig == SIG_EOCD && rd_skip(&e, 16) && rd_u16(&e, &clen) &&
		    clen == n - pos - EOCD_LEN) {
			if (found)
				return rd_fail(err, ASMGATE_E_MALFORMED, pos,
				    "two end of central directory records, at "
				    "0x%zx and 0x%llx, both end at the end of "
				    "the file", pos, (unsigned long long)*off);
			*off = pos;
			found = 1;
		}
		if (pos == low)
			break;
		pos--;
	}
	if (found)
		return ASMGATE_OK;
	return rd_fail(err, ASMGATE_E_TRUNCATED, low,
	    "no end of central directory record in the last %zu bytes",
	    n - low);
}

/* One field of the end record: its placeholder, or equal to ZIP64's. */
static int
eocd_agrees(uint64_t v, uint64_t placeholder, uint64_t v64)
{
	return v == placeholder || v == v64;
}

/* 4.3.14-4.3.16: fill c->u.zip and the member count. */
static asmgate_status
read_end(asmgate_container *c, uint64_t *count, asmgate_error *err)
{
	struct ctr_zip *z = &c->u.zip;
	rd f, e, l, e64;
	uint16_t disk, cd_disk, n_disk, n_total, clen;
	uint32_t sig, cd_size, cd_off, l_disk, l_disks;
	uint32_t d64, cd_disk64;
	uint64_t e64_off, rec_size, n_disk64, n_total64, cd_size64, cd_off64;
	uint64_t cd_end;
	asmgate_status st;

	rd_init(&f, c->data, c->size, 0);
	if ((st = find_eocd(&f, &z->eocd_offset, err)) != ASMGATE_OK)
		return st;
	if (!rd_sub(&f, (size_t)z->eocd_offset, EOCD_LEN, &e) ||
	    !rd_u32(&e, &sig) || !rd_u16(&e, &disk) ||
	    !rd_u16(&e, &cd_disk) || !rd_u16(&e, &n_disk) ||
	    !rd_u16(&e, &n_total) || !rd_u32(&e, &cd_size) ||
	    !rd_u32(&e, &cd_off) || !rd_u16(&e, &clen))
		return rd_fail(err, ASMGATE_E_TRUNCATED, z->eocd_offset,
		    "end of central directory record truncated");
	*count = n_total;
	z->cd_size = cd_size;
	z->cd_offset = cd_off;
	cd_end = z->eocd_offset;

	/* 4.3.15: a ZIP64 locator right before the end record. */
	if (z->eocd_offset >= LOCATOR_LEN &&
	    rd_sub(&f, (size_t)z->eocd_offset - LOCATOR_LEN, LOCATOR_LEN,
	    &l) && rd_u32(&l, &sig) && sig == SIG_LOCATOR) {
		uint64_t loc = z->eocd_offset - LOCATOR_LEN;

		if (!rd_u32(&l, &l_disk) || !rd_u64(&l, &e64_off) ||
		    !rd_u32(&l, &l_disks))
			return rd_fail(err, ASMGATE_E_TRUNCATED, loc,
			    "zip64 end locator truncated");
		if (l_disk != 0 || l_disks > 1)
			return rd_fail(err, ASMGATE_E_UNSUPPORTED, loc,
			    "multi-disk archive");
		if (loc < EOCD64_LEN || e64_off != loc - EOCD64_LEN)
			return rd_fail(err, ASMGATE_E_MALFORMED, loc,
			    "zip64 end record at 0x%llx is not right before "
			    "its locator", (unsigned long long)e64_off);
		if (!rd_sub(&f, (size_t)e64_off, EOCD64_LEN, &e64) ||
		    !rd_u32(&e64, &sig) || !rd_u64(&e64, &rec_size) ||
		    !rd_skip(&e64, 4) || !rd_u32(&e64, &d64) ||
		    !rd_u32(&e64, &cd_disk64) || !rd_u64(&e64, &n_disk64) ||
		    !rd_u64(&e64, &n_total64) || !rd_u64(&e64, &cd_size64) ||
		    !rd_u64(&e64, &cd_off64))
			return rd_fail(err, ASMGATE_E_TRUNCATED, e64_off,
			    "zip64 end record truncated");
		if (sig != SIG_EOCD64)
			return rd_fail(err, ASMGATE_E_MALFORMED, e64_off,
			    "zip64 end record has a bad signature");
		if (rec_size != EOCD64_LEN - 12)
			return rd_fail(err, ASMGATE_E_UNSUPPORTED, e64_off,
			    "zip64 end record with extensible data");
		if (d64 != 0 || cd_disk64 != 0 || n_disk64 != n_total64)
			return rd_fail(err, ASMGATE_E_UNSUPPORTED, e64_off,
			    "multi-disk archive");
		if (!eocd_agrees(disk, M16, d64) ||
		    !eocd_agrees(cd_disk, M16, cd_disk64) ||
		    !eocd_agrees(n_disk, M16, n_disk64) ||
		    !eocd_agrees(n_total, M16, n_total64) ||
		    !eocd_agrees(cd_size, M32, cd_size64) ||
		    !eocd_agrees(cd_off, M32, cd_off64))
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    z->eocd_offset, "end record and zip64 end record "
			    "disagree");
		*count = n_total64;
		z->cd_size = cd_size64;
		z->cd_offset = cd_off64;
		z->zip64 = 1;
		cd_end = e64_off;
	} else if (disk != 0 || cd_disk != 0 || n_disk != n_total) {
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, z->eocd_offset,
		    "multi-disk archive");
	}

	/* The central directory ends where the end record starts. */
	if (!rd_range_ok(z->cd_offset, z->cd_size, cd_end))
		return rd_fail(err, ASMGATE_E_TRUNCATED, z->eocd_offset,
		    "central directory [0x%llx, +0x%llx) runs past its end "
		    "record at 0x%llx", (unsigned long long)z->cd_offset,
		    (unsigned long long)z->cd_size,
		    (unsigned long long)cd_end);
	if (z->cd_offset + z->cd_size != cd_end)
		return rd_fail(err, ASMGATE_E_MALFORMED,
		    z->cd_offset + z->cd_size, "%llu unexplained bytes between "
		    "the central directory and its end record",
		    (unsigned long long)(cd_end - z->cd_offset - z->cd_size));
	if (*count > RD_MAX_CONTAINER_MEMBERS)
		return rd_fail(err, ASMGATE_E_LIMIT, z->eocd_offset,
		    "%llu members, above the cap of %u",
		    (unsigned long long)*count, RD_MAX_CONTAINER_MEMBERS);
	if (*count > z->cd_size / CENTRAL_LEN)
		return rd_fail(err, ASMGATE_E_TRUNCATED, z->cd_offset,
		    "central directory of %llu bytes cannot hold %llu entries",
		    (unsigned long long)z->cd_size, (unsigned long long)*count);
	return ASMGATE_OK;
}

/* The raw fields of a central entry or local header. */
typedef struct zhdr {
	uint16_t flags, method, nlen, xlen, clen, disk;
	uint32_t crc;
	uint64_t csize, usize, offset;
	const uint8_t *name;
	rd extra;
} zhdr;

/*
 * 4.5.3: the ZIP64 extended information field of a central entry holds,
 * in this order, the uncompressed size, compressed size, local header
 * offset and disk number, each present only when the entry's own field
 * is 0xFFFFFFFF (0xFFFF for the disk).
 */
static asmgate_status
central_zip64(zhdr *h, uint64_t where, size_t i, asmgate_error *err)
{
	rd x;
	uint32_t disk32;
	int r;

	if (h->usize != M32 && h->csize != M32 && h->offset != M32 &&
	    h->disk != M16)
		return ASMGATE_OK;
	r = find_extra(&h->extra, X_ZIP64, &x);
	if (r < 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "central directory entry %zu has two zip64 extra fields",
		    i + 1);
	if (r == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "central directory entry %zu lacks its zip64 extra field",
		    i + 1);
	if ((h->usize == M32 && !rd_u64(&x, &h->usize)) ||
	    (h->csize == M32 && !rd_u64(&x, &h->csize)) ||
	    (h->offset == M32 && !rd_u64(&x, &h->offset)) ||
	    (h->disk == M16 && !rd_u32(&x, &disk32)))
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "zip64 extra field of central directory entry %zu is too "
		    "short", i + 1);
	if (h->disk == M16)
		h->disk = disk32 ? 1 : 0;
	return ASMGATE_OK;
}

/* 4.3.12: one central directory entry at the cursor of cd. */
static asmgate_status
read_central(rd *cd, zhdr *h, size_t i, asmgate_error *err)
{
	uint64_t where = rd_offset(cd);
	uint32_t sig, csize, usize, offset;
	rd name;

	memset(h, 0, sizeof(*h));
	if (!rd_u32(cd, &sig) || !rd_skip(cd, 4) || !rd_u16(cd, &h->flags) ||
	    !rd_u16(cd, &h->method) || !rd_skip(cd, 4) ||
	    !rd_u32(cd, &h->crc) || !rd_u32(cd, &csize) ||
	    !rd_u32(cd, &usize) || !rd_u16(cd, &h->nlen) ||
	    !rd_u16(cd, &h->xlen) || !rd_u16(cd, &h->clen) ||
	    !rd_u16(cd, &h->disk) || !rd_skip(cd, 6) ||
	    !rd_u32(cd, &offset))
		return rd_fail(err, ASMGATE_E_TRUNCATED, where,
		    "central directory entry %zu truncated", i + 1);
	if (sig != SIG_CENTRAL)
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "central directory entry %zu has a bad signature", i + 1);
	if (h->nlen > RD_MAX_MEMBER_NAME)
		return rd_fail(err, ASMGATE_E_LIMIT, where,
		    "central directory entry %zu: name of %u bytes, above the "
		    "cap of %u", i + 1, h->nlen, RD_MAX_MEMBER_NAME);
	if (!rd_take(cd, h->nlen, &name) || !rd_take(cd, h->xlen, &h->extra) ||
	    !rd_skip(cd, h->clen))
		return rd_fail(err, ASMGATE_E_TRUNCATED, where,
		    "central directory entry %zu truncated (name, extra field "
		    "or comment)", i + 1);
	h->name = name.p;
	h->csize = csize;
	h->usize = usize;
	h->offset = offset;
	return central_zip64(h, where, i, err);
}

/*
 * The member name as UTF-8: kept as stored when flag bit 11 says UTF-8
 * (and refused when it is not: .NET turns each bad byte into U+FFFD, so
 * two different names could read the same), else converted from CP437
 * (4.4.4, appendix D). Without bit 11, stored bytes that are valid
 * UTF-8 are also kept as alt_name: .NET's ZipArchive (NuGet) reads such
 * names as UTF-8, and the duplicate check must see that name too.
 */
static asmgate_status
make_name(ctr_member *m, const zhdr *h, size_t i, asmgate_error *err)
{
	size_t n, k;
	char *s;

	if (h->nlen == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "central directory entry %zu has an empty name", i + 1);
	if (memchr(h->name, 0, h->nlen))
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "central directory entry %zu: name contains a NUL byte",
		    i + 1);
	k = rd_utf8_valid_len(h->name, h->nlen);
	if (h->flags & F_UTF8 && k != h->nlen)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "central directory entry %zu: name is not valid UTF-8 "
		    "(byte %zu) although flag bit 11 says it is", i + 1,
		    k + 1);
	if (!(h->flags & F_UTF8) && k == h->nlen) {
		for (k = 0; k < h->nlen && h->name[k] < 0x80; k++)
			;
		if (k < h->nlen) {
			m->alt_name = h->name;
			m->alt_len = h->nlen;
		}
	}
	n = h->flags & F_UTF8 ? h->nlen : ctr_cp437_utf8_len(h->name,
	    h->nlen);
	s = malloc(n + 1);
	if (!s)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (h->flags & F_UTF8)
		memcpy(s, h->name, n);
	else
		(void)ctr_cp437_to_utf8(s, h->name, h->nlen);
	s[n] = '\0';
	m->info.name = s;
	m->name_len = n;
	m->info.is_directory = s[n - 1] == '/';
	return ASMGATE_OK;
}

/*
 * Info-ZIP Unicode Path extra field (4.6.9): version 1, the CRC-32 of
 * the header name, the UTF-8 name. unzip uses it instead of the header
 * name when the CRC matches; then it must say what the header says.
 * Checked in the central entry (where, "") and in the local header
 * (where, " in its local header"): a streaming reader sees only that.
 */
static asmgate_status
check_unicode_path(const ctr_member *m, const zhdr *h, uint64_t where,
    const char *in, asmgate_error *err)
{
	const uint8_t *u;
	rd x;
	uint8_t ver;
	uint32_t crc;
	char q[CTR_QUOTE_BUF];
	int r = find_extra(&h->extra, X_UNICODE_PATH, &x);

	if (r == 0)
		return ASMGATE_OK;
	if (r < 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "'%s' has two unicode path extra fields%s",
		    ctr_quote(q, m), in);
	if (!rd_u8(&x, &ver) || !rd_u32(&x, &crc) || ver != 1 ||
	    crc != (uint32_t)crc32(0, h->name, h->nlen))
		return ASMGATE_OK; /* ignored by unzip too */
	if (rd_left(&x) != m->name_len || !rd_bytes(&x, m->name_len, &u) ||
	    memcmp(u, m->info.name, m->name_len) != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, where,
		    "unicode path extra field of '%s'%s names another file",
		    ctr_quote(q, m), in);
	return ASMGATE_OK;
}

/* Public fields of a member from its central entry. */
static void
fill_info(ctr_member *m, const zhdr *h)
{
	const char *mn = method_name(h->method);

	m->flags = h->flags;
	m->info.size = h->usize;
	m->info.compressed_size = h->csize;
	m->info.method = h->method;
	m->info.crc32 = h->crc;
	m->info.header_offset = h->offset;
	if (!mn) {
		(void)snprintf(m->method_buf, sizeof(m->method_buf),
		    "method %u", h->method);
		mn = m->method_buf;
	}
	m->info.method_name = mn;
	if (h->flags & (F_ENCRYPTED | F_STRONG | F_MASKED) ||
	    h->method == 99) {
		m->info.unsupported = "encrypted";
	} else if (h->method != 0 && h->method != 8) {
		if (method_name(h->method))
			(void)snprintf(m->unsupported_buf,
			    sizeof(m->unsupported_buf),
			    "compression method %u (%s)", h->method, mn);
		else
			(void)snprintf(m->unsupported_buf,
			    sizeof(m->unsupported_buf),
			    "compression method %u", h->method);
		m->info.unsupported = m->unsupported_buf;
	}
}

/*
 * 4.3.7 + 4.5.3: the local header's sizes. When either 32-bit size is
 * 0xFFFFFFFF the local ZIP64 field carries both (the spec requires both
 * in a local header; a field of 8 bytes carries the one that is set).
 */
static asmgate_status
local_zip64(zhdr *lh, const ctr_member *m, asmgate_error *err)
{
	rd x;
	char q[CTR_QUOTE_BUF];
	int r;

	if (lh->usize != M32 && lh->csize != M32)
		return ASMGATE_OK;
	r = find_extra(&lh->extra, X_ZIP64, &x);
	if (r < 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->info.header_offset,
		    "local header of '%s' has two zip64 extra fields",
		    ctr_quote(q, m));
	if (r == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, m->info.header_offset,
		    "local header of '%s' lacks its zip64 extra field",
		    ctr_quote(q, m));
	if (rd_left(&x) >= 16) {
		if (!rd_u64(&x, &lh->usize) || !rd_u64(&x, &lh->csize))
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    m->info.header_offset, "local zip64 extra field "
			    "of '%s' is too short", ctr_quote(q, m));
	} else if ((lh->usize == M32 && !rd_u64(&x, &lh->usize)) ||
	    (lh->csize == M32 && !rd_u64(&x, &lh->csize))) {
		return rd_fail(err, ASMGATE_E_MALFORMED, m->info.header_offset,
		    "local zip64 extra field of '%s' is too short",
		    ctr_quote(q, m));
	}
	return ASMGATE_OK;
}

static asmgate_status
disagree(const ctr_member *m, const char *what, uint64_t local,
    uint64_t central, asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];

	return rd_fail(err, ASMGATE_E_MALFORMED, m->info.header_offset,
	    "local header of '%s' disagrees with the central directory "
	    "(%s: local 0x%llx, central 0x%llx)", ctr_quote(q, m), what,
	    (unsigned long long)local, (unsigned long long)central);
}

/*
 * 4.3.9: with flag bit 3 the CRC-32 and sizes follow the data, with or
 * without the signature 0x08074b50, as 4-byte sizes or (ZIP64) 8-byte
 * ones. Some layout must match the central entry; the member then ends
 * after the descriptor. When two layouts match (an empty member's 8-byte
 * sizes also read as 4-byte ones), the one followed by the next local
 * header or the directory wins, so the member ranges can tile the file.
 */
static int
well_placed(const rd *f, uint64_t end, uint64_t limit)
{
	uint32_t sig;
	rd n;

	return end == limit || (rd_sub(f, (size_t)end, 4, &n) &&
	    rd_u32(&n, &sig) && sig == SIG_LOCAL);
}

static asmgate_status
check_descriptor(ctr_member *m, uint64_t limit, const rd *f,
    asmgate_error *err)
{
	static const struct { int sig; int wide; } forms[4] = {
		{ 1, 0 }, { 0, 0 }, { 1, 1 }, { 0, 1 } };
	uint64_t at = m->info.data_offset + m->info.compressed_size;
	uint64_t first = 0;
	char q[CTR_QUOTE_BUF];
	size_t k;

	for (k = 0; k < 4; k++) {
		size_t len = (forms[k].sig ? 4u : 0u) +
		    (forms[k].wide ? 20u : 12u);
		uint32_t sig = SIG_DESCRIPTOR, crc, s32;
		uint64_t cs, us;
		rd d;

		if (!rd_range_ok(at, len, limit) ||
		    !rd_sub(f, (size_t)at, len, &d))
			continue;
		if (forms[k].sig && (!rd_u32(&d, &sig) ||
		    sig != SIG_DESCRIPTOR))
			continue;
		if (!rd_u32(&d, &crc))
			continue;
		if (forms[k].wide) {
			if (!rd_u64(&d, &cs) || !rd_u64(&d, &us))
				continue;
		} else {
			if (!rd_u32(&d, &s32))
				continue;
			cs = s32;
			if (!rd_u32(&d, &s32))
				continue;
			us = s32;
		}
		if (crc != m->info.crc32 || cs != m->info.compressed_size ||
		    us != m->info.size)
			continue;
		if (well_placed(f, at + len, limit)) {
			m->data_end = at + len;
			return ASMGATE_OK;
		}
		if (!first)
			first = at + len;
	}
	if (first) {
		m->data_end = first; /* the range check names the gap */
		return ASMGATE_OK;
	}
	return rd_fail(err, ASMGATE_E_MALFORMED, at, "data descriptor of '%s' "
	    "is missing or disagrees with the central directory",
	    ctr_quote(q, m));
}

/* 4.3.7: the local header of m, against its central entry h. */
static asmgate_status
check_local(const asmgate_container *c, ctr_member *m, const zhdr *h,
    asmgate_error *err)
{
	uint64_t off = h->offset, limit = c->u.zip.cd_offset, dend;
	uint32_t sig, csize, usize;
	uint16_t diff;
	char q[CTR_QUOTE_BUF];
	zhdr lh;
	rd f, l, name;
	int dd;
	asmgate_status st;

	memset(&lh, 0, sizeof(lh));
	rd_init(&f, c->data, c->size, 0);
	if (!rd_range_ok(off, LOCAL_LEN, limit) ||
	    !rd_sub(&f, (size_t)off, (size_t)(limit - off), &l))
		return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
		    "local header of '%s' at 0x%llx is not inside the archive "
		    "before the central directory", ctr_quote(q, m),
		    (unsigned long long)off);
	if (!rd_u32(&l, &sig) || !rd_skip(&l, 2) || !rd_u16(&l, &lh.flags) ||
	    !rd_u16(&l, &lh.method) || !rd_skip(&l, 4) ||
	    !rd_u32(&l, &lh.crc) || !rd_u32(&l, &csize) ||
	    !rd_u32(&l, &usize) || !rd_u16(&l, &lh.nlen) ||
	    !rd_u16(&l, &lh.xlen))
		return rd_fail(err, ASMGATE_E_TRUNCATED, off,
		    "local header of '%s' truncated", ctr_quote(q, m));
	if (sig != SIG_LOCAL)
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "local header of '%s' has a bad signature",
		    ctr_quote(q, m));
	if (!rd_take(&l, lh.nlen, &name) || !rd_take(&l, lh.xlen, &lh.extra))
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "name or extra field of the local header of '%s' runs into "
		    "the central directory", ctr_quote(q, m));
	if (lh.nlen != h->nlen || memcmp(name.p, h->name, h->nlen) != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "local header of '%s' names another file",
		    ctr_quote(q, m));
	if (lh.method != h->method)
		return disagree(m, "method", lh.method, h->method, err);
	if ((lh.flags ^ h->flags) & (F_ENCRYPTED | F_STRONG))
		return disagree(m, "encryption flags", lh.flags, h->flags,
		    err);
	/* A streaming reader knows only the local flags: where the data
	 * ends (bit 3), how the name reads (bit 11), whether the header is
	 * masked (bit 13) must be what the directory says. */
	diff = (uint16_t)((lh.flags ^ h->flags) &
	    (F_DESCRIPTOR | F_UTF8 | F_MASKED));
	if (diff)
		return disagree(m, diff & F_DESCRIPTOR ?
		    "data descriptor flag" : diff & F_UTF8 ? "UTF-8 flag" :
		    "masked header flag", lh.flags, h->flags, err);
	dd = lh.flags & F_DESCRIPTOR;
	/* 4.3.9 allows it, but a streaming reader cannot tell where stored
	 * data followed by a descriptor ends (Java's ZipInputStream refuses
	 * it): only the directory would say what the member holds. */
	if (dd && lh.method == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, off, "stored member "
		    "'%s' has a data descriptor (its end is known only from "
		    "the central directory)", ctr_quote(q, m));
	lh.name = name.p;
	lh.nlen = h->nlen;
	if ((st = check_unicode_path(m, &lh, off, " in its local header",
	    err)) != ASMGATE_OK)
		return st;
	lh.csize = csize;
	lh.usize = usize;
	if ((st = local_zip64(&lh, m, err)) != ASMGATE_OK)
		return st;
	if (lh.crc != h->crc && !(dd && lh.crc == 0))
		return disagree(m, "crc-32", lh.crc, h->crc, err);
	if (lh.csize != h->csize && !(dd && lh.csize == 0))
		return disagree(m, "compressed size", lh.csize, h->csize,
		    err);
	if (lh.usize != h->usize && !(dd && lh.usize == 0))
		return disagree(m, "size", lh.usize, h->usize, err);

	m->info.data_offset = rd_offset(&l);
	if (!rd_range_ok(m->info.data_offset, h->csize, limit))
		return rd_fail(err, ASMGATE_E_MALFORMED, m->info.data_offset,
		    "data of '%s' [0x%llx, +0x%llx) runs past the start of the "
		    "central directory at 0x%llx", ctr_quote(q, m),
		    (unsigned long long)m->info.data_offset,
		    (unsigned long long)h->csize, (unsigned long long)limit);
	dend = m->info.data_offset + h->csize;
	m->data_end = dend;
	if (dd)
		return check_descriptor(m, limit, &f, err);
	return ASMGATE_OK;
}

static asmgate_status
zip_open(asmgate_container *c, asmgate_error *err)
{
	uint64_t count = 0;
	char q[CTR_QUOTE_BUF];
	size_t i;
	rd f, cd;
	zhdr h;
	asmgate_status st;

	if ((st = read_end(c, &count, err)) != ASMGATE_OK)
		return st;
	/* Local headers, data and descriptors fill [0, directory). */
	c->tiled = 1;
	c->members_end = c->u.zip.cd_offset;
	if (count > 0) {
		c->members = calloc((size_t)count, sizeof(*c->members));
		if (!c->members)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
	}
	rd_init(&f, c->data, c->size, 0);
	if (!rd_sub(&f, (size_t)c->u.zip.cd_offset, (size_t)c->u.zip.cd_size,
	    &cd))
		return rd_fail(err, ASMGATE_E_TRUNCATED, c->u.zip.cd_offset,
		    "central directory outside the file");
	for (i = 0; i < count; i++) {
		ctr_member *m = &c->members[i];

		m->dir_offset = rd_offset(&cd);
		if ((st = read_central(&cd, &h, i, err)) != ASMGATE_OK)
			return st;
		c->nmembers = i + 1; /* its name is freed from here on */
		if ((st = make_name(m, &h, i, err)) != ASMGATE_OK)
			return st;
		if (h.disk != 0)
			return rd_fail(err, ASMGATE_E_UNSUPPORTED,
			    m->dir_offset, "multi-disk archive");
		fill_info(m, &h);
		if ((st = check_unicode_path(m, &h, m->dir_offset, "",
		    err)) != ASMGATE_OK)
			return st;
		if (h.method == 0 && !m->info.unsupported &&
		    h.csize != h.usize)
			return rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
			    "stored member '%s' has compressed size %llu but "
			    "size %llu", ctr_quote(q, m),
			    (unsigned long long)h.csize,
			    (unsigned long long)h.usize);
		if ((st = check_local(c, m, &h, err)) != ASMGATE_OK)
			return st;
	}
	if (rd_left(&cd) != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, rd_offset(&cd),
		    "central directory has %zu bytes after its %llu entries",
		    rd_left(&cd), (unsigned long long)count);
	return ASMGATE_OK;
}

const ctr_ops ctr_zip_ops = {
	ASMGATE_CONTAINER_ZIP,
	"zip",
	zip_detect,
	zip_open,
	ctr_zip_extract,
	NULL,
};
