/*
 * cfbdir.c - the directory of a compound file (MS-CFB 2.6).
 *
 * The directory chain is read whole into raw entries; then the sibling
 * tree under each storage is walked from the root (2.6.4) with an
 * explicit stack and a storage stack, so nesting and malformed links
 * cost no recursion: each entry reached is checked (2.6.1-2.6.3: type,
 * colour, name length and NUL, characters) and may be reached only
 * once; siblings come out of the in-order walk in strictly increasing
 * 2.6.4 order, which also makes names unique. Storages nest at most
 * RD_MAX_CFB_DEPTH; the directory holds at most RD_MAX_CFB_ENTRIES.
 */
#include <stdlib.h>
#include <string.h>

#include "cfbint.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"

/* 2.6.4: simple upper-casing of one UTF-16 code unit. Latin-1 is mapped
 * (a-z, U+00E0..U+00FE except U+00F7, U+00FF to U+0178); *uncertain is
 * set for U+00B5 and code units in blocks where letters have case, whose
 * mapping Windows' table decides and this one does not attempt. */
static uint16_t
cfb_upper(uint16_t c, int *uncertain)
{
	if (c >= 'a' && c <= 'z')
		return (uint16_t)(c - 0x20);
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return (uint16_t)(c - 0x20);
	if (c == 0xFF)
		return 0x178;
	if (c == 0xB5 ||                     /* micro sign: U+039C? */
	    (c >= 0x0100 && c <= 0x058F) ||  /* Latin Ext., Greek, Cyrillic,
	                                        Armenian */
	    (c >= 0x10A0 && c <= 0x10FF) ||  /* Georgian */
	    (c >= 0x13A0 && c <= 0x13FF) ||  /* Cherokee */
	    (c >= 0x1C80 && c <= 0x1CBF) ||
	    (c >= 0x1D00 && c <= 0x1FFF) ||  /* Latin, Greek extended */
	    (c >= 0x2100 && c <= 0x218F) ||  /* letterlike, number forms */
	    (c >= 0x24B6 && c <= 0x24E9) ||  /* circled letters */
	    (c >= 0x2C00 && c <= 0x2D2F) ||  /* Glagolitic, Coptic, ... */
	    (c >= 0xA640 && c <= 0xA69F) ||  /* Cyrillic Ext.-B */
	    (c >= 0xA720 && c <= 0xA7FF) ||  /* Latin Ext.-D */
	    (c >= 0xAB30 && c <= 0xABBF) ||  /* Latin Ext.-E, Cherokee */
	    (c >= 0xFF21 && c <= 0xFF5A)) {  /* fullwidth letters */
		if (uncertain)
			*uncertain = 1;
	}
	return c;
}

/* 2.6.4 order: shorter first, then code units after upper-casing. */
int
cfb_name_cmp(const uint16_t *a, size_t an, const uint16_t *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return an < bn ? -1 : 1;
	for (i = 0; i < an; i++) {
		uint16_t x = cfb_upper(a[i], NULL), y = cfb_upper(b[i], NULL);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* One raw directory entry (2.6.1). */
typedef struct dirent_raw {
	uint16_t name[32];
	uint16_t name_bytes;
	uint8_t type, colour;
	uint32_t left, right, child, start;
	uint64_t size;
	uint64_t offset;
} dirent_raw;

static asmgate_status
read_dirent(const cfb *f, uint32_t sec, uint32_t slot, dirent_raw *e,
    asmgate_error *err)
{
	rd r;
	size_t i;
	uint32_t lo, hi;

	rd_init(&r, f->data, f->size, 0);
	e->offset = cfb_sec_off(f, sec) + (uint64_t)slot * DIRENT_LEN;
	if (!rd_seek(&r, (size_t)e->offset))
		return rd_fail(err, ASMGATE_E_TRUNCATED, e->offset,
		    "directory entry");
	for (i = 0; i < 32; i++)
		if (!rd_u16(&r, &e->name[i]))
			return rd_fail(err, ASMGATE_E_TRUNCATED, e->offset,
			    "directory entry");
	if (!rd_u16(&r, &e->name_bytes) || !rd_u8(&r, &e->type) ||
	    !rd_u8(&r, &e->colour) || !rd_u32(&r, &e->left) ||
	    !rd_u32(&r, &e->right) || !rd_u32(&r, &e->child) ||
	    !rd_skip(&r, 16 + 4 + 8 + 8) || !rd_u32(&r, &e->start) ||
	    !rd_u32(&r, &lo) || !rd_u32(&r, &hi))
		return rd_fail(err, ASMGATE_E_TRUNCATED, e->offset,
		    "directory entry");
	e->size = (uint64_t)hi << 32 | lo;
	return ASMGATE_OK;
}

/* Check a reached entry (2.6.1-2.6.3) and fill its cfb_entry. */
static asmgate_status
check_dirent(const dirent_raw *e, uint32_t id, int v3, cfb_entry *out,
    asmgate_error *err)
{
	size_t n, i;
	int uncertain = 0;

	if (e->type != CFB_TYPE_STORAGE && e->type != CFB_TYPE_STREAM &&
	    e->type != CFB_TYPE_ROOT)
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 66,
		    "directory entry %u reached with object type %u", id,
		    e->type);
	if ((e->type == CFB_TYPE_ROOT) != (id == 0))
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 66,
		    id == 0 ? "directory entry 0 is not the root (type %u)" :
		    "directory entry %u is a second root (type %u)", id,
		    e->type);
	if (e->colour > 1)
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 67,
		    "directory entry %u has colour %u", id, e->colour);
	if (e->name_bytes < 2 || e->name_bytes > 64 || e->name_bytes % 2)
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 64,
		    "directory entry %u: name length %u bytes (even, 2..64)",
		    id, e->name_bytes);
	n = e->name_bytes / 2u - 1u;
	if (e->name[n] != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 2u * n,
		    "directory entry %u: name not NUL-terminated", id);
	for (i = 0; i < n; i++) {
		uint16_t c = e->name[i];
		if (c == 0 || c == '/' || c == '\\' || c == ':' || c == '!')
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    e->offset + 2u * i,
			    "directory entry %u: character 0x%04x not allowed "
			    "in a name", id, c);
		(void)cfb_upper(c, &uncertain);
		if (uncertain)
			return rd_fail(err, ASMGATE_E_UNSUPPORTED,
			    e->offset + 2u * i,
			    "directory entry %u: character U+%04X whose case "
			    "mapping is not known here", id, c);
	}
	if (e->type == CFB_TYPE_STREAM && e->child != NOSTREAM)
		return rd_fail(err, ASMGATE_E_MALFORMED, e->offset + 76,
		    "stream entry %u has a child", id);
	memset(out, 0, sizeof(*out));
	memcpy(out->name, e->name, sizeof(out->name));
	out->name_len = n;
	out->type = e->type;
	out->id = id;
	out->parent = CFB_NONE;
	out->start = e->start;
	out->size = v3 ? (e->size & 0xFFFFFFFFu) : e->size;
	out->offset = e->offset;
	if (e->type == CFB_TYPE_STORAGE) {
		if (out->size != 0)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    e->offset + 120,
			    "storage entry %u has a stream size", id);
		out->start = 0;
	}
	out->mini = e->type == CFB_TYPE_STREAM && out->size < MINI_CUTOFF;
	return ASMGATE_OK;
}

/* Walk state: directory slots, what was reached, and the tree stack. */
typedef struct dirwalk {
	dirent_raw *raw;         /* ndir entries as read */
	uint32_t ndir;
	uint32_t *parent_id;     /* per slot: storage id holding it, or
	                            NOSTREAM; only for reached slots */
	uint8_t *reached;
	uint32_t *stack;         /* ndir slots */
	uint32_t *depth;         /* per slot: storage depth */
	cfb_entry *ent;          /* per slot: checked when reached */
	int v3;
	uint32_t *order;         /* reached slots, storage by storage, each
	                            storage's children in order */
	uint32_t norder;
	uint32_t *kid_off;       /* per slot: its children in order[] */
	uint32_t *kid_n;
} dirwalk;

/* 2.6.4: sibling cur comes after prev in the in-order walk, so its
 * name must compare greater (equal names are duplicates). */
static asmgate_status
sibling_order(const dirwalk *w, uint32_t prev, uint32_t cur,
    asmgate_error *err)
{
	const dirent_raw *a = &w->raw[prev], *b = &w->raw[cur];
	int c = cfb_name_cmp(a->name, a->name_bytes / 2u - 1u, b->name,
	    b->name_bytes / 2u - 1u);

	if (c == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, b->offset,
		    "directory entries %u and %u have the same name under "
		    "one storage", prev, cur);
	if (c > 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, b->offset,
		    "directory entry %u is out of order after %u in its "
		    "sibling tree", cur, prev);
	return ASMGATE_OK;
}

/*
 * 2.6.4: walk the sibling tree of storage sid (whose child field is at
 * from) in order with an explicit stack, marking each entry reached and
 * checking that names increase strictly. Storages found are pushed on
 * todo.
 */
static asmgate_status
walk_siblings(dirwalk *w, uint32_t sid, uint32_t *todo, size_t *ntodo,
    asmgate_error *err)
{
	size_t sp = 0;
	uint32_t cur = w->raw[sid].child, prev = NOSTREAM;
	uint64_t from = w->raw[sid].offset + 76;

	w->kid_off[sid] = w->norder;

	for (;;) {
		while (cur != NOSTREAM) {
			const dirent_raw *e;
			asmgate_status st;
			if (cur >= w->ndir)
				return rd_fail(err, ASMGATE_E_MALFORMED, from,
				    "directory entry %u past the directory "
				    "(%u entries)", cur, w->ndir);
			if (w->reached[cur])
				return rd_fail(err, ASMGATE_E_MALFORMED, from,
				    "directory entry %u reached twice (a "
				    "cycle or a shared subtree)", cur);
			e = &w->raw[cur];
			if (e->type == 0)
				return rd_fail(err, ASMGATE_E_MALFORMED, from,
				    "directory entry %u is unused but "
				    "linked", cur);
			st = check_dirent(e, cur, w->v3, &w->ent[cur], err);
			if (st != ASMGATE_OK)
				return st;
			w->reached[cur] = 1;
			w->parent_id[cur] = sid;
			w->depth[cur] = w->depth[sid] + 1u;
			w->stack[sp++] = cur; /* each slot pushed once */
			from = e->offset + 68;
			cur = e->left;
		}
		if (sp == 0)
			return ASMGATE_OK;
		cur = w->stack[--sp];
		if (prev != NOSTREAM) {
			asmgate_status st = sibling_order(w, prev, cur, err);
			if (st != ASMGATE_OK)
				return st;
		}
		prev = cur;
		w->order[w->norder++] = cur; /* each slot reached once */
		w->kid_n[sid]++;
		if (w->raw[cur].type == CFB_TYPE_STORAGE)
			todo[(*ntodo)++] = cur;
		from = w->raw[cur].offset + 72;
		cur = w->raw[cur].right;
	}
}

/* Read the directory chain's entries into w->raw (type checks of
 * reached entries come later). */
static asmgate_status
read_directory(cfb *f, const cfb_hdr *h, uint32_t *owner, uint32_t *secs,
    dirwalk *w, asmgate_error *err)
{
	cfb_walk fw = { f->fat, f->nfat, f->nsec, owner, NULL, "sector" };
	size_t nsecs = 0, i;
	uint32_t per = f->ss / DIRENT_LEN, k;
	asmgate_status st;

	st = cfb_follow(f, &fw, h->dir1, 48, UINT64_MAX, OWN_DIR, "directory",
	    secs, &nsecs, err);
	if (st != ASMGATE_OK)
		return st;
	if (nsecs == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, 48,
		    "empty directory chain");
	if (h->major == 4 && h->ndir != nsecs)
		return rd_fail(err, ASMGATE_E_MALFORMED, 40,
		    "%u directory sectors declared, the chain has %zu",
		    h->ndir, nsecs);
	if (nsecs > RD_MAX_CFB_ENTRIES / per)
		return rd_fail(err, ASMGATE_E_LIMIT, 48,
		    "directory of %zu sectors holds more than %u entries",
		    nsecs, RD_MAX_CFB_ENTRIES);
	w->ndir = (uint32_t)(nsecs * per);
	w->raw = calloc(w->ndir, sizeof(*w->raw));
	w->parent_id = calloc(w->ndir, sizeof(*w->parent_id));
	w->reached = calloc(w->ndir, 1);
	w->stack = calloc(w->ndir, sizeof(*w->stack));
	w->depth = calloc(w->ndir, sizeof(*w->depth));
	w->ent = calloc(w->ndir, sizeof(*w->ent));
	w->order = calloc(w->ndir, sizeof(*w->order));
	w->kid_off = calloc(w->ndir, sizeof(*w->kid_off));
	w->kid_n = calloc(w->ndir, sizeof(*w->kid_n));
	if (!w->raw || !w->parent_id || !w->reached || !w->stack ||
	    !w->depth || !w->ent || !w->order || !w->kid_off || !w->kid_n)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "directory");
	for (i = 0; i < nsecs; i++) {
		if (!cfb_sec_has(f, secs[i], f->ss))
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    cfb_sec_off(f, secs[i]), "directory sector");
		for (k = 0; k < per; k++) {
			st = read_dirent(f, secs[i], k, &w->raw[i * per + k],
			    err);
			if (st != ASMGATE_OK)
				return st;
		}
	}
	return ASMGATE_OK;
}

/* Walk the tree from the root; fill f->ents in stream ID order. */
static asmgate_status
build_entries(cfb *f, dirwalk *w, asmgate_error *err)
{
	uint32_t *todo = NULL, *index = NULL, id;
	size_t ntodo = 0, n = 0, i;
	asmgate_status st;

	st = check_dirent(&w->raw[0], 0, w->v3, &w->ent[0], err);
	if (st != ASMGATE_OK)
		return st;
	if (w->raw[0].left != NOSTREAM || w->raw[0].right != NOSTREAM)
		return rd_fail(err, ASMGATE_E_MALFORMED, w->raw[0].offset + 68,
		    "root entry has siblings");
	todo = malloc((size_t)w->ndir * sizeof(*todo));
	index = malloc((size_t)w->ndir * sizeof(*index));
	if (!todo || !index) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "directory walk");
		goto out;
	}
	w->reached[0] = 1;
	w->parent_id[0] = NOSTREAM;
	w->depth[0] = 0;
	todo[ntodo++] = 0;
	while (ntodo > 0) {
		uint32_t sid = todo[--ntodo];
		if (w->depth[sid] >= RD_MAX_CFB_DEPTH) {
			st = rd_fail(err, ASMGATE_E_LIMIT, w->raw[sid].offset,
			    "storages nested deeper than %u",
			    RD_MAX_CFB_DEPTH);
			goto out;
		}
		st = walk_siblings(w, sid, todo, &ntodo, err);
		if (st != ASMGATE_OK)
			goto out;
	}
	for (id = 0; id < w->ndir; id++)
		if (w->reached[id])
			n++;
	f->ents = calloc(n, sizeof(*f->ents));
	if (!f->ents) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "directory");
		goto out;
	}
	for (id = 0; id < w->ndir; id++) {
		if (!w->reached[id])
			continue;
		f->ents[f->nents] = w->ent[id];
		index[id] = (uint32_t)f->nents++;
	}
	f->kids = malloc((f->nents + 1) * sizeof(*f->kids));
	f->kid_off = malloc(f->nents * sizeof(*f->kid_off));
	f->kid_n = malloc(f->nents * sizeof(*f->kid_n));
	if (!f->kids || !f->kid_off || !f->kid_n) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "directory");
		goto out;
	}
	for (i = 0; i < f->nents; i++) {
		uint32_t p = w->parent_id[f->ents[i].id];
		f->ents[i].parent = p == NOSTREAM ? CFB_NONE : index[p];
		f->kid_off[i] = w->kid_off[f->ents[i].id];
		f->kid_n[i] = w->kid_n[f->ents[i].id];
	}
	for (id = 0; id < w->norder; id++)
		f->kids[id] = index[w->order[id]];
	st = ASMGATE_OK;
out:
	free(todo);
	free(index);
	return st;
}

static void
dirwalk_free(dirwalk *w)
{
	free(w->raw);
	free(w->parent_id);
	free(w->reached);
	free(w->stack);
	free(w->depth);
	free(w->ent);
	free(w->order);
	free(w->kid_off);
	free(w->kid_n);
}

asmgate_status
cfb_read_dir(cfb *f, const cfb_hdr *h, uint32_t *owner, uint32_t *secs,
    asmgate_error *err)
{
	dirwalk w;
	asmgate_status st;

	memset(&w, 0, sizeof(w));
	w.v3 = h->major == 3;
	st = read_directory(f, h, owner, secs, &w, err);
	if (st == ASMGATE_OK)
		st = build_entries(f, &w, err);
	dirwalk_free(&w);
	return st;
}
