/*
 * hash.c - what the strong-name hash covers, the structural checks that
 * come before it, and the PE checksum.
 *
 * References: strongname.md 4.1 (the .NET Framework's ComputeHash), 1.5
 * and 11 (pedecoder.cpp CheckSection/CheckRva/CheckCorHeader), 9 (PE
 * checksum, imagehlp CheckSumMappedFile).
 */
#include <stdio.h>
#include <string.h>

#include "pe/pe.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/safeint.h"
#include "verify.h"

/* COR20 flags the CLR accepts (corhdr.h, CheckCorHeader). */
#define KNOWN_COR_FLAGS \
	(ASMGATE_COMIMAGE_ILONLY | ASMGATE_COMIMAGE_32BITREQUIRED | \
	 ASMGATE_COMIMAGE_IL_LIBRARY | ASMGATE_COMIMAGE_STRONGNAMESIGNED | \
	 ASMGATE_COMIMAGE_NATIVE_ENTRYPOINT | \
	 ASMGATE_COMIMAGE_TRACKDEBUGDATA | ASMGATE_COMIMAGE_32BITPREFERRED)

/* Digest in chunks this size, releasing hashed pages of large files. */
#define HASH_CHUNK ((uint64_t)1 << 20)

/* The section holding [rva, rva+size) inside both its VirtualSize and its
 * SizeOfRawData (pedecoder.cpp CheckRva on a flat file), or -1. */
static long
strict_section(const asmgate_pe_info *pe, uint32_t rva, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		if (rva < s->virtual_address)
			continue;
		if (rd_range_ok(rva - s->virtual_address, size,
			s->virtual_size) &&
		    rd_range_ok(rva - s->virtual_address, size, s->raw_size))
			return (long)i;
	}
	return -1;
}

static int
why(char *buf, size_t len, const char *msg)
{
	snprintf(buf, len, "%s", msg);
	return 0;
}

/* The section holding [rva, rva+size) for the checks below: the one
 * strict_section finds, which must also be the one pe_rva_to_offset took
 * the bytes from when the image was parsed. With the virtual ranges
 * disjoint (check_sections) the two agree; -1 when they do not. */
static long
locate(const asmgate_image *img, uint32_t rva, uint32_t size)
{
	long sec = strict_section(&img->info.pe, rva, size);
	uint64_t off;
	uint32_t raw;

	if (sec < 0 || !pe_rva_to_offset(img, rva, size, &off, &raw) ||
	    (long)raw != sec)
		return -1;
	return sec;
}

/* Sections (CheckSection): raw ranges ascending, not overlapping each
 * other or the headers, never at file offset 0, so no byte is hashed
 * twice and the headers are never hashed as section data; and virtual
 * ranges [VirtualAddress, + max(VirtualSize, SizeOfRawData)) disjoint, so
 * an RVA names one section: the one whose Characteristics are checked is
 * the one its bytes are read from. */
static int
check_sections(const asmgate_pe_info *pe, char *buf, size_t len)
{
	uint64_t prev_end, table_end;
	char nb[sizeof(pe->sections[0].name)];
	uint32_t i, j;

	table_end = pe->section_table_offset +
	    (uint64_t)pe->nsections * PE_SECTION_HEADER_SIZE;
	prev_end = table_end;
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		if (s->raw_size == 0)
			continue;
		if (s->raw_offset < prev_end) {
			snprintf(buf, len, "section %u (%s) raw data at 0x%x "
			    "overlaps the headers or the previous section, or is "
			    "out of order", i + 1, rd_printable(nb, sizeof(nb),
			    s->name, sizeof(s->name)), s->raw_offset);
			return 0;
		}
		prev_end = (uint64_t)s->raw_offset + s->raw_size;
	}
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *a = &pe->sections[i];
		uint64_t an = a->virtual_size > a->raw_size ? a->virtual_size :
		    a->raw_size;
		for (j = i + 1; j < pe->nsections; j++) {
			const asmgate_section *b = &pe->sections[j];
			uint64_t bn = b->virtual_size > b->raw_size ?
			    b->virtual_size : b->raw_size;
			if (rd_range_overlap(a->virtual_address, an,
				b->virtual_address, bn)) {
				snprintf(buf, len, "sections %u and %u overlap "
				    "in memory", i + 1, j + 1);
				return 0;
			}
		}
	}
	return 1;
}

/* The signature directory (CheckCorHeader): inside one section, read-only,
 * in the file, not over the CLI header. Checked before the CLI header so
 * a slot in a writable section is reported as such. */
static int
check_slot(const asmgate_image *img, char *buf, size_t len)
{
	const asmgate_pe_info *pe = &img->info.pe;
	const asmgate_cli_info *cli = &img->info.cli;
	uint64_t off;
	uint32_t raw;
	long sec;

	if (cli->strong_name.rva == 0 || cli->strong_name.size == 0) {
		if (cli->flags & ASMGATE_COMIMAGE_STRONGNAMESIGNED)
			return why(buf, len, "StrongNameSigned flag set but "
			    "there is no signature directory");
		return 1;
	}
	sec = strict_section(pe, cli->strong_name.rva, cli->strong_name.size);
	if (sec < 0) {
		snprintf(buf, len, "signature directory (RVA 0x%x, %u bytes) "
		    "does not lie inside one section (outside every section, "
		    "or straddling a section end)", cli->strong_name.rva,
		    cli->strong_name.size);
		return 0;
	}
	if (pe->sections[sec].characteristics & ASMGATE_SCN_MEM_WRITE)
		return why(buf, len,
		    "signature directory lies in a writable section");
	if (!cli->strong_name_mapped)
		return why(buf, len, "signature directory is not in the file");
	if (!pe_rva_to_offset(img, cli->strong_name.rva, cli->strong_name.size,
		&off, &raw) || (long)raw != sec ||
	    off != cli->strong_name_offset) {
		snprintf(buf, len, "signature directory lies in section %ld "
		    "but its bytes are read from another section", sec + 1);
		return 0;
	}
	if (rd_range_overlap(cli->strong_name_offset, cli->strong_name.size,
		cli->header_offset, PE_COR20_SIZE))
		return why(buf, len, "signature overlaps the CLI header");
	return 1;
}

/* The CLI header (CheckCorHeader): runtime version, known flags, header
 * and metadata in read-only sections, IL-only means no native parts. */
static int
check_cli(const asmgate_image *img, char *buf, size_t len)
{
	const asmgate_pe_info *pe = &img->info.pe;
	const asmgate_cli_info *cli = &img->info.cli;
	long sec;

	if (cli->major_runtime_version < 2)
		return why(buf, len, "CLI header MajorRuntimeVersion is below 2");
	if (cli->flags & ~KNOWN_COR_FLAGS) {
		snprintf(buf, len, "CLI header has unknown flag bits 0x%x",
		    cli->flags & ~KNOWN_COR_FLAGS);
		return 0;
	}
	sec = locate(img, pe->dirs[PE_DIR_CLI].rva, PE_COR20_SIZE);
	if (sec < 0 || (pe->sections[sec].characteristics &
	    ASMGATE_SCN_MEM_WRITE))
		return why(buf, len,
		    "CLI header is not inside one read-only section");
	sec = locate(img, cli->metadata.rva, cli->metadata.size);
	if (sec < 0 || (pe->sections[sec].characteristics &
	    ASMGATE_SCN_MEM_WRITE))
		return why(buf, len,
		    "metadata is not inside one read-only section");
	if ((cli->flags & ASMGATE_COMIMAGE_ILONLY) &&
	    (cli->vtable_fixups.size != 0 ||
	     cli->export_address_table_jumps.size != 0 ||
	     (cli->flags & ASMGATE_COMIMAGE_NATIVE_ENTRYPOINT)))
		return why(buf, len, "IL-only image has VTableFixups, export "
		    "jumps or a native entry point");
	if (cli->managed_native_header.size != 0 &&
	    !(cli->flags & ASMGATE_COMIMAGE_IL_LIBRARY))
		return why(buf, len,
		    "ManagedNativeHeader set on an image that is not IL_LIBRARY");
	return 1;
}

int
verify_structure(const asmgate_image *img, char *buf, size_t len)
{
	return check_sections(&img->info.pe, buf, len) &&
	    check_slot(img, buf, len) && check_cli(img, buf, len);
}

static int
add(verify_plan *p, uint64_t off, uint64_t n, int patched)
{
	if (n == 0)
		return 1;
	if (p->n >= VERIFY_MAX_RANGES)
		return 0;
	p->r[p->n].off = off;
	p->r[p->n].len = n;
	p->r[p->n].patched = patched;
	p->n++;
	return 1;
}

int
verify_plan_make(const asmgate_image *img, verify_plan *p, char *buf,
    size_t len)
{
	const asmgate_pe_info *pe = &img->info.pe;
	const asmgate_cli_info *cli = &img->info.cli;
	uint64_t nt = pe->pe32plus ? PE_NT_HEADERS64_SIZE : PE_NT_HEADERS32_SIZE;
	uint64_t so, sl, sig_end;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->sig_off = cli->strong_name_offset;
	p->sig_len = cli->strong_name.size;
	if (!cli->strong_name_mapped ||
	    !rd_range_ok(p->sig_off, p->sig_len, img->size))
		return why(buf, len, "signature slot is not inside the file");
	sig_end = p->sig_off + p->sig_len;

	/* 1. The MS-DOS header and stub: [0, e_lfanew). */
	if (!add(p, 0, pe->lfanew, 0))
		return why(buf, len, "too many ranges");
	/* 2. The NT headers, fixed size whatever SizeOfOptionalHeader says
	 *    (strongname.md 4.1 step 3). */
	if (!rd_range_ok(pe->lfanew, nt, img->size))
		return why(buf, len, "NT headers run past the end of the file");
	if (!add(p, pe->lfanew, nt, 1))
		return why(buf, len, "too many ranges");
	/* 3. The section table. */
	if (!add(p, pe->section_table_offset,
		(uint64_t)pe->nsections * PE_SECTION_HEADER_SIZE, 0))
		return why(buf, len, "too many ranges");
	/* 4. Each section's raw data in table order, minus the slot. */
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		so = s->raw_offset;
		sl = s->raw_size;
		if (!rd_range_ok(so, sl, img->size))
			return why(buf, len, "section raw data past end of file");
		if (!rd_range_overlap(so, sl, p->sig_off, p->sig_len)) {
			if (!add(p, so, sl, 0))
				return why(buf, len, "too many ranges");
			continue;
		}
		/* The slot must lie wholly inside this section. */
		if (!rd_range_within(p->sig_off, p->sig_len, so, sl))
			return why(buf, len, "signature slot straddles a section "
			    "boundary");
		if (!add(p, so, p->sig_off - so, 0) ||
		    !add(p, sig_end, so + sl - sig_end, 0))
			return why(buf, len, "too many ranges");
	}
	return 1;
}

/* The bytes a pass reads: the file's bytes at data; with copies, the
 * metadata block and the signature slot of a mapped file from the
 * image's private copies (pe/pe.h), so the bytes hashed and summed are
 * the bytes the identity was read from and the slot that was checked;
 * over both, the signer's patches. release: the mapping whose pages are
 * dropped once read, or NULL. */
typedef struct view {
	const asmgate_image *img;
	const uint8_t *data;
	int copies;
	const rd_file *release;
	const verify_patch *patch;
	unsigned npatch;
} view;

static void
view_init(view *v, const asmgate_image *img, const uint8_t *data,
    int copies, const verify_patch *patch, unsigned npatch)
{
	v->img = img;
	v->data = data;
	v->copies = copies;
	v->release = copies && img->owns_mapping ? img->mapping : NULL;
	v->patch = patch;
	v->npatch = npatch;
}

/* Where file byte off is read from, and how many bytes from there stay
 * in one source (*n is trimmed): a patch, a private copy, or the
 * file. */
static const uint8_t *
source(const view *v, uint64_t off, uint64_t *n)
{
	const asmgate_cli_info *cli = &v->img->info.cli;
	const uint8_t *copy[2];
	uint64_t coff[2], clen[2];
	unsigned i;

	for (i = 0; i < v->npatch; i++) {
		const verify_patch *q = &v->patch[i];
		if (off < q->off) {
			if (q->off - off < *n)
				*n = q->off - off; /* stop where it starts */
		} else if (off - q->off < q->len) {
			if (q->len - (off - q->off) < *n)
				*n = q->len - (off - q->off);
			return q->bytes + (off - q->off);
		}
	}
	copy[0] = v->img->md_copy;
	coff[0] = cli->metadata_offset;
	clen[0] = v->img->metadata.len;
	copy[1] = v->img->slot_copy;
	coff[1] = cli->strong_name_offset;
	clen[1] = cli->strong_name.size;
	for (i = 0; v->copies && i < 2; i++) {
		if (!copy[i])
			continue;
		if (off < coff[i]) {
			if (coff[i] - off < *n)
				*n = coff[i] - off;
		} else if (off - coff[i] < clen[i]) {
			if (clen[i] - (off - coff[i]) < *n)
				*n = clen[i] - (off - coff[i]);
			return copy[i] + (off - coff[i]);
		}
	}
	return v->data + off;
}

/* Copy of the NT headers [off, off+n) with CheckSum and the
 * Certificate Table directory zeroed (strongname.md 4.1 step 3). */
static void
patch_nt(const view *v, uint64_t off, size_t n, uint8_t *dst)
{
	size_t cert = 24 + (v->img->info.pe.pe32plus ? 144 : 128);
	size_t done = 0;

	while (done < n) {
		uint64_t take = n - done;
		const uint8_t *src = source(v, off + done, &take);

		memcpy(dst + done, src, (size_t)take);
		done += (size_t)take;
	}
	memset(dst + 24 + PE_OPT_CHECKSUM, 0, 4);
	memset(dst + cert, 0, 8);
}

/* Feed file bytes [off, off+n) to ctx, each from its source. */
static int
update(EVP_MD_CTX *ctx, const view *v, uint64_t off, uint64_t n)
{
	while (n > 0) {
		uint64_t take = n;
		const uint8_t *src = source(v, off, &take);

		if (!EVP_DigestUpdate(ctx, src, (size_t)take))
			return 0;
		off += take;
		n -= take;
	}
	return 1;
}

/* The PE checksum (strongname.md 9; imagehlp CheckSumMappedFile, S.R.M
 * CalculateChecksum) is a 16-bit end-around-carry sum of the file's
 * little-endian words plus the file length. A byte at an even file
 * offset is a word's low byte, at an odd one its high byte, so bytes can
 * be added in any grouping as long as each keeps its offset's parity.
 * Since 2^16 = 1 (mod 0xFFFF), a little-endian 32-bit word adds the same
 * as its two 16-bit halves once folded: the sum runs over 32-bit words
 * (four bytes per step, as fast as the hash beside it) and is folded
 * once at the end. A 64-bit accumulator holds 2^32 such words, far above
 * RD_MAX_FILE_BYTES / 4. */
static uint64_t
ck_add(uint64_t sum, const uint8_t *p, uint64_t n, uint64_t off)
{
	uint64_t i = 0;
	uint32_t w;

	if (n > 0 && (off & 1)) {
		sum += (uint64_t)p[0] << 8;
		i = 1;
	}
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		/* Sixteen bytes a step: the low and high 32-bit words of two
		 * 64-bit loads summed apart, the same sum in a third of the
		 * instructions (each part holds 2^32 words as well). */
		uint64_t lo = 0, hi = 0, q0, q1;

		for (; n - i >= 16; i += 16) {
			memcpy(&q0, p + i, 8);
			memcpy(&q1, p + i + 8, 8);
			lo += (q0 & 0xffffffffu) + (q1 & 0xffffffffu);
			hi += (q0 >> 32) + (q1 >> 32);
		}
		sum += lo + hi;
	}
#endif
	for (; n - i >= 4; i += 4) {
		memcpy(&w, p + i, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap32(w);
#endif
		sum += w;
	}
	for (; i + 1 < n; i += 2)
		sum += (uint64_t)p[i] | (uint64_t)p[i + 1] << 8;
	if (i < n)
		sum += p[i];
	return sum;
}

/* File bytes [off, off+n), held at p, with the 4-byte CheckSum field at
 * cksum_off counted as zero. */
static uint64_t
ck_range(uint64_t sum, const uint8_t *p, uint64_t off, uint64_t n,
    uint64_t cksum_off)
{
	uint64_t end = off + n, a, b;

	/* The part before the field, then the part after it. */
	a = cksum_off < end ? cksum_off : end;
	if (off < a)
		sum = ck_add(sum, p, a - off, off);
	b = cksum_off + 4 > off ? cksum_off + 4 : off;
	if (b < end)
		sum = ck_add(sum, p + (b - off), end - b, b);
	return sum;
}

static uint32_t
ck_finish(uint64_t sum, uint64_t size)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint32_t)(sum + size);
}

/* The running checksum of one pass over a file: bytes below pos are
 * summed; field is the CheckSum field's offset. */
typedef struct ck_state {
	uint64_t sum, pos, field;
} ck_state;

static void
ck_init(ck_state *k, const asmgate_image *img)
{
	k->sum = 0;
	k->pos = 0;
	k->field = pe_checksum_offset(img);
}

/* Sum the file bytes of [off, end) not summed yet, each from its
 * source. */
static void
ck_upto(ck_state *k, const view *v, uint64_t off, uint64_t end)
{
	if (off < k->pos)
		off = k->pos;
	while (off < end) {
		uint64_t take = end - off;
		const uint8_t *src = source(v, off, &take);

		k->sum = ck_range(k->sum, src, off, take, k->field);
		off += take;
	}
	if (end > k->pos)
		k->pos = end;
}

/* How much of the n bytes at off to take in one piece: up to the next
 * multiple of HASH_CHUNK, so pieces of a long range meet at page
 * boundaries and releasing each drops all its pages (rd_file_release
 * keeps a page that a piece only partly covers: one per megabyte
 * would add up). */
static uint64_t
chunk(uint64_t off, uint64_t n)
{
	uint64_t room = HASH_CHUNK - off % HASH_CHUNK;

	return n < room ? n : room;
}

/* Sum [k->pos, end) in chunks, releasing a mapped file's pages: the
 * bytes the strong-name hash skips (headers past the NT headers,
 * padding, the slot, the tail). */
static void
ck_gap(ck_state *k, const view *v, uint64_t end)
{
	while (k->pos < end) {
		uint64_t from = k->pos, n = chunk(from, end - from);

		ck_upto(k, v, from, from + n);
		rd_file_release(v->release, from, n);
	}
}

/* 1 when c's ranges can be fed in one offset-ordered walk: each starts
 * at or after the end of the one before (the structure checks make the
 * strong-name plan so; a plan that is not is fed on its own). */
static int
ascending(const verify_consumer *c)
{
	uint64_t end = 0;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		if (c->r[i].off < end)
			return 0;
		end = c->r[i].off + c->r[i].len;
	}
	return 1;
}

/* Feed the part of c's ranges inside [a, b) (c->next: the first range
 * not wholly fed). A patched range (the NT headers, a few hundred bytes)
 * is fed whole, from its private copy, when the walk reaches it. */
static int
feed(verify_consumer *c, const view *v, uint64_t a, uint64_t b)
{
	uint8_t nt[PE_NT_HEADERS64_SIZE];

	while (c->next < c->n) {
		const verify_range *r = &c->r[c->next];
		uint64_t from, to;

		if (r->off >= b)
			break;
		if (r->patched) {
			patch_nt(v, r->off, (size_t)r->len, nt);
			if (!EVP_DigestUpdate(c->ctx, nt, (size_t)r->len))
				return 0;
			c->next++;
			continue;
		}
		from = r->off > a ? r->off : a;
		to = r->off + r->len < b ? r->off + r->len : b;
		if (from < to && !update(c->ctx, v, from, to - from))
			return 0;
		if (r->off + r->len > b)
			break;
		c->next++;
	}
	return 1;
}

/* One pass over the file in offset order, a chunk at a time: each chunk
 * goes to every consumer whose ranges cover part of it (the strong-name
 * digest, each Authenticode digest) and, with sum, to the PE checksum,
 * while it is in cache; a mapped file's pages are released behind the
 * walk. The file is read once however many digests need it. A consumer
 * whose ranges are not in offset order is fed by a walk of its own. */
static asmgate_status
pass(const view *v, verify_consumer *c, unsigned nc, uint64_t *sum,
    asmgate_error *err)
{
	uint64_t end = sum ? v->img->size : 0, a;
	ck_state k;
	unsigned i, lone;

	ck_init(&k, v->img);
	for (i = 0; i < nc; i++) {
		c[i].next = 0;
		c[i].lone = !ascending(&c[i]);
		if (!c[i].lone && c[i].n > 0 &&
		    c[i].r[c[i].n - 1].off + c[i].r[c[i].n - 1].len > end)
			end = c[i].r[c[i].n - 1].off + c[i].r[c[i].n - 1].len;
	}
	for (a = 0; a < end; ) {
		uint64_t b = a + chunk(a, end - a);

		for (i = 0; i < nc; i++)
			if (!c[i].lone && !feed(&c[i], v, a, b))
				goto crypto;
		if (sum)
			ck_upto(&k, v, a, b);
		rd_file_release(v->release, a, b - a);
		a = b;
	}
	/* Plans out of offset order, range by range as listed. */
	for (lone = 0; lone < nc; lone++) {
		verify_consumer *q = &c[lone];

		if (!q->lone)
			continue;
		for (i = 0; i < q->n; i++) {
			verify_consumer one = *q;

			one.r = &q->r[i];
			one.n = 1;
			one.next = 0;
			if (!feed(&one, v, q->r[i].off,
			    q->r[i].off + q->r[i].len))
				goto crypto;
		}
	}
	if (sum)
		*sum = k.sum;
	return ASMGATE_OK;
crypto:
	return rd_fail_nooff(err, ASMGATE_E_CRYPTO, "digest failed");
}

/* Hash the plan's ranges with mdt, the extra consumers' ranges into
 * theirs (contexts initialised by the caller, finished by it); with
 * sum, the whole file's PE checksum sum (not folded) in the same pass. */
static asmgate_status
digest_ranges(const view *v, const verify_plan *p, const EVP_MD *mdt,
    uint8_t *out, unsigned *outlen, uint64_t *sum,
    const verify_consumer *extra, unsigned nextra, asmgate_error *err)
{
	verify_consumer c[1 + VERIFY_MAX_CONSUMERS];
	EVP_MD_CTX *ctx = NULL;
	asmgate_status rc = ASMGATE_OK;
	unsigned nc = 0, i;

	if (nextra > VERIFY_MAX_CONSUMERS)
		return rd_fail_nooff(err, ASMGATE_E_LIMIT, "too many digests");
	memset(c, 0, sizeof(c));
	if (p) {
		ctx = EVP_MD_CTX_new();
		if (!ctx)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		if (!EVP_DigestInit_ex(ctx, mdt, NULL)) {
			rc = rd_fail_nooff(err, ASMGATE_E_CRYPTO,
			    "digest %s unavailable", EVP_MD_get0_name(mdt));
			goto out;
		}
		c[nc].ctx = ctx;
		c[nc].r = p->r;
		c[nc].n = p->n;
		nc++;
	}
	for (i = 0; i < nextra; i++)
		c[nc++] = extra[i];
	if ((rc = pass(v, c, nc, sum, err)) != ASMGATE_OK)
		goto out;
	if (ctx && !EVP_DigestFinal_ex(ctx, out, outlen))
		rc = rd_fail_nooff(err, ASMGATE_E_CRYPTO, "digest failed");
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

asmgate_status
verify_digest(const asmgate_image *img, const verify_plan *p,
    const EVP_MD *md, uint8_t *out, unsigned *outlen, uint32_t *cksum,
    asmgate_error *err)
{
	view v;
	uint64_t sum = 0;
	asmgate_status rc;

	view_init(&v, img, img->data, 1, NULL, 0);
	rc = digest_ranges(&v, p, md, out, outlen, cksum ? &sum : NULL, NULL,
	    0, err);
	if (rc == ASMGATE_OK && cksum)
		*cksum = ck_finish(sum, img->size);
	return rc;
}

asmgate_status
verify_digest_multi(const asmgate_image *img, const verify_plan *p,
    const EVP_MD *md, uint8_t *out, unsigned *outlen, uint32_t *cksum,
    const verify_consumer *extra, unsigned nextra, asmgate_error *err)
{
	view v;
	uint64_t sum = 0;
	asmgate_status rc;

	view_init(&v, img, img->data, 1, NULL, 0);
	rc = digest_ranges(&v, p, md, out, outlen, cksum ? &sum : NULL, extra,
	    nextra, err);
	if (rc == ASMGATE_OK && cksum)
		*cksum = ck_finish(sum, img->size);
	return rc;
}

asmgate_status
verify_digest_patched(const asmgate_image *img, const verify_plan *p,
    const verify_patch *patch, unsigned npatch, const EVP_MD *md,
    uint8_t *out, unsigned *outlen, uint64_t *sum, asmgate_error *err)
{
	view v;

	view_init(&v, img, img->data, 1, patch, npatch);
	return digest_ranges(&v, p, md, out, outlen, sum, NULL, 0, err);
}

asmgate_status
verify_write_patched(const asmgate_image *img, const verify_patch *patch,
    unsigned npatch, rd_atomic *w, uint64_t *sum, asmgate_error *err)
{
	return verify_write_patched_n(img, img->size, patch, npatch, w, sum,
	    err);
}

asmgate_status
verify_write_patched_n(const asmgate_image *img, uint64_t size,
    const verify_patch *patch, unsigned npatch, rd_atomic *w,
    uint64_t *sum, asmgate_error *err)
{
	view v;
	ck_state k;
	uint64_t off = 0;
	asmgate_status rc;

	if (size > img->size)
		size = img->size;
	view_init(&v, img, img->data, 1, patch, npatch);
	ck_init(&k, img);
	while (off < size) {
		uint64_t end = size - off > HASH_CHUNK ? off + HASH_CHUNK :
		    size, at = off;

		while (at < end) {
			uint64_t take = end - at;
			const uint8_t *src = source(&v, at, &take);

			if ((rc = rd_atomic_write(w, src, (size_t)take, err)) !=
			    ASMGATE_OK)
				return rc;
			k.sum = ck_range(k.sum, src, at, take, k.field);
			at += take;
		}
		rd_file_release(v.release, off, end - off);
		off = end;
	}
	*sum = k.sum;
	return ASMGATE_OK;
}

uint64_t
verify_checksum_add(uint64_t sum, const uint8_t *p, uint64_t n,
    uint64_t off)
{
	return ck_add(sum, p, n, off);
}

uint32_t
verify_checksum_finish(uint64_t sum, uint64_t size)
{
	return ck_finish(sum, size);
}

uint32_t
verify_pe_checksum(const uint8_t *data, size_t size, uint64_t cksum_off)
{
	return ck_finish(ck_range(0, data, 0, size, cksum_off), size);
}

uint32_t
verify_image_checksum(const asmgate_image *img)
{
	view v;
	ck_state k;

	view_init(&v, img, img->data, 1, NULL, 0);
	ck_init(&k, img);
	ck_gap(&k, &v, img->size);
	return ck_finish(k.sum, img->size);
}
