/*
 * cablzx.c - LZX folders (MS-CAB 2.2, typeCompress 3; the format of
 * [MS-PATCH] 2), decompressed with libmspack (LGPL-2.1, linked
 * dynamically) through its public cabinet API only.
 *
 * libmspack reads cabinets through a struct mspack_system of file
 * callbacks. Each call builds its own: the "file" it opens is a small
 * cabinet made here (a CFHEADER with the real cabinet's CFDATA reserve
 * size, one CFFOLDER whose coffCabStart points at the real folder's
 * first CFDATA, and one CFFILE spanning the folder's uncompressed
 * bytes, [0, usize)) followed by the real cabinet's bytes, read from
 * memory; the file it writes is the folder's buffer, bounded by usize.
 * So libmspack sees exactly the blocks open checked, and nothing is
 * shared between folders (no global state, no files). Its messages are
 * dropped: the library never prints.
 *
 * The folder is listed as pieces of CAB_LZX_PIECE bytes, one CFFILE
 * each, and the decompressor is kept with the folder between reads:
 * libmspack goes on from where it stopped when the next piece follows
 * in the same folder, so a read decodes only as far as it needs and
 * the next worker decodes on while this one hashes its file.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <mspack.h>

#include "cab.h"
#include "rd/err.h"

#define NAME_IN "cabinet"
#define NAME_OUT "folder"

/* The made-up cabinet head: CFHEADER (36), reserve sizes (4),
 * CFFOLDER (8), then per piece a CFFILE (16) and its name "f". */
#define HEAD_FIXED (36u + 4u + 8u)
#define HEAD_FILE (16u + 2u)
/* Bytes of the folder one piece holds. */
#define CAB_LZX_PIECE ((size_t)256 << 10)

typedef struct mem_sys {
	struct mspack_system sys; /* first: libmspack hands &sys back */
	uint8_t *head;            /* head_len bytes */
	size_t head_len;
	const uint8_t *cab;       /* the real cabinet, after the head */
	size_t cab_len;
	uint8_t *out;             /* the folder's buffer */
	size_t out_cap, out_len;  /* the piece being written ends at cap */
	size_t piece_start;       /* where the next piece opened goes */
	int overflow;             /* more output than the piece holds */
} mem_sys;

/* libmspack's decoder kept with a folder between reads. */
struct cab_lzx {
	mem_sys s;
	struct mscab_decompressor *d;
	struct mscabd_cabinet *cab;
	struct mscabd_file *next; /* the next piece to extract */
};

typedef struct mem_file {
	mem_sys *s;
	int writing;
	uint64_t pos;             /* reading: offset in head + cabinet */
} mem_file;

static struct mspack_file *
m_open(struct mspack_system *self, const char *name, int mode)
{
	mem_sys *s = (mem_sys *)self;
	mem_file *f;

	if (!((mode == MSPACK_SYS_OPEN_READ && strcmp(name, NAME_IN) == 0) ||
	    (mode == MSPACK_SYS_OPEN_WRITE && strcmp(name, NAME_OUT) == 0)))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->s = s;
	f->writing = mode == MSPACK_SYS_OPEN_WRITE;
	if (f->writing)
		s->out_len = s->piece_start;
	return (struct mspack_file *)f;
}

static void
m_close(struct mspack_file *file)
{
	free(file);
}

static uint64_t
m_size(const mem_sys *s)
{
	return (uint64_t)s->head_len + s->cab_len;
}

static int
m_read(struct mspack_file *file, void *buffer, int bytes)
{
	mem_file *f = (mem_file *)file;
	const mem_sys *s = f->s;
	uint64_t left;
	size_t n, done = 0;
	uint8_t *dst = buffer;

	if (f->writing || bytes < 0)
		return -1;
	left = f->pos < m_size(s) ? m_size(s) - f->pos : 0;
	n = (uint64_t)bytes < left ? (size_t)bytes : (size_t)left;
	while (done < n) {
		uint64_t p = f->pos + done;
		size_t k;

		if (p < s->head_len) {
			k = s->head_len - (size_t)p;
			k = k < n - done ? k : n - done;
			memcpy(dst + done, s->head + p, k);
		} else {
			k = n - done; /* inside the cabinet: n <= left */
			memcpy(dst + done, s->cab + (p - s->head_len), k);
		}
		done += k;
	}
	f->pos += n;
	return (int)n;
}

static int
m_write(struct mspack_file *file, void *buffer, int bytes)
{
	mem_file *f = (mem_file *)file;
	mem_sys *s = f->s;

	if (!f->writing || bytes < 0)
		return -1;
	if ((size_t)bytes > s->out_cap - s->out_len) {
		s->overflow = 1;
		return -1;
	}
	memcpy(s->out + s->out_len, buffer, (size_t)bytes);
	s->out_len += (size_t)bytes;
	return bytes;
}

static int
m_seek(struct mspack_file *file, off_t offset, int mode)
{
	mem_file *f = (mem_file *)file;
	uint64_t size = f->writing ? f->s->out_len : m_size(f->s);
	uint64_t from;

	switch (mode) {
	case MSPACK_SYS_SEEK_START: from = 0; break;
	case MSPACK_SYS_SEEK_CUR: from = f->pos; break;
	case MSPACK_SYS_SEEK_END: from = size; break;
	default: return -1;
	}
	if (offset < 0 ? (uint64_t)-(offset + 1) + 1 > from :
	    (uint64_t)offset > size - from)
		return -1;
	f->pos = offset < 0 ? from - ((uint64_t)-(offset + 1) + 1) :
	    from + (uint64_t)offset;
	return 0;
}

static off_t
m_tell(struct mspack_file *file)
{
	return (off_t)((mem_file *)file)->pos;
}

static void
m_message(struct mspack_file *file, const char *format, ...)
{
	(void)file;
	(void)format;
}

static void *
m_alloc(struct mspack_system *self, size_t bytes)
{
	(void)self;
	return malloc(bytes);
}

static void
m_free(void *p)
{
	free(p);
}

static void
m_copy(void *src, void *dst, size_t bytes)
{
	memcpy(dst, src, bytes);
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* MS-CAB 2.1-2.3: the one-folder head listing npieces pieces. */
static void
make_head(uint8_t *h, size_t len, const cab_state *st, const cab_folder *f,
    size_t npieces, uint32_t total)
{
	size_t i, at = HEAD_FIXED;

	memset(h, 0, len);
	memcpy(h, "MSCF", 4);
	put32(h + 8, total);                /* cbCabinet */
	put32(h + 16, HEAD_FIXED);          /* coffFiles */
	h[24] = 3;                          /* version 1.3 */
	h[25] = 1;
	put16(h + 26, 1);                   /* cFolders */
	put16(h + 28, (uint32_t)npieces);   /* cFiles */
	put16(h + 30, 0x0004);              /* cfhdrRESERVE_PRESENT */
	h[39] = st->data_reserve;           /* cbCFData */
	put32(h + 40, (uint32_t)(len + f->data_start));
	put16(h + 44, f->nblocks);
	put16(h + 46, f->type);
	for (i = 0; i < npieces; i++, at += HEAD_FILE) {
		size_t from = i * CAB_LZX_PIECE;
		size_t n = (size_t)f->usize - from;

		if (n > CAB_LZX_PIECE)
			n = CAB_LZX_PIECE;
		put32(h + at, (uint32_t)n);         /* cbFile */
		put32(h + at + 4, (uint32_t)from);  /* uoffFolderStart */
		put16(h + at + 10, 0x21);           /* 1980-01-01 */
		h[at + 16] = 'f';
	}
}

void
ctr_cab_lzx_free(cab_lzx *z)
{
	if (!z)
		return;
	if (z->cab)
		z->d->close(z->d, z->cab);
	if (z->d)
		mspack_destroy_cab_decompressor(z->d);
	free(z->s.head);
	free(z);
}

/* Start: the made-up cabinet opened by a new decompressor. */
static asmgate_status
lzx_start(const asmgate_container *c, const cab_state *st, size_t fi,
    cab_lzx **out, asmgate_error *err)
{
	cab_folder *f = &st->folders[fi];
	size_t npieces = ((size_t)f->usize + CAB_LZX_PIECE - 1) /
	    CAB_LZX_PIECE;
	cab_lzx *z;
	mem_sys *s;
	int selftest, r;
	asmgate_status ret;

	*out = NULL;
	MSPACK_SYS_SELFTEST(selftest);
	if (selftest != MSPACK_ERR_OK)
		return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "libmspack "
		    "was built with another off_t size");
	/* usize <= RD_MAX_CAB_FOLDER_BYTES: at most 4096 pieces, fewer
	 * than a cabinet's 65535 files; data_start < size <= 2^32 - 1. */
	if (npieces > 0xFFFFu || HEAD_FIXED + npieces * HEAD_FILE +
	    (uint64_t)c->size > 0xFFFFFFFFu)
		return rd_fail(err, ASMGATE_E_LIMIT, f->offset, "folder %zu: "
		    "cabinet too large for LZX", fi);
	z = calloc(1, sizeof(*z));
	if (!z)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	s = &z->s;
	s->head_len = HEAD_FIXED + npieces * HEAD_FILE;
	s->head = malloc(s->head_len);
	if (!s->head) {
		free(z);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	s->sys.open = m_open;
	s->sys.close = m_close;
	s->sys.read = m_read;
	s->sys.write = m_write;
	s->sys.seek = m_seek;
	s->sys.tell = m_tell;
	s->sys.message = m_message;
	s->sys.alloc = m_alloc;
	s->sys.free = m_free;
	s->sys.copy = m_copy;
	s->sys.null_ptr = NULL;
	s->cab = c->data;
	s->cab_len = (size_t)f->data_end; /* nothing after the folder */
	s->out = f->buf;
	make_head(s->head, s->head_len, st, f, npieces,
	    (uint32_t)(s->head_len + s->cab_len));
	z->d = mspack_create_cab_decompressor(&s->sys);
	if (!z->d) {
		ctr_cab_lzx_free(z);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	z->cab = z->d->open(z->d, NAME_IN);
	if (!z->cab) {
		r = z->d->last_error(z->d);
		ret = r == MSPACK_ERR_NOMEMORY ? rd_fail_nooff(err,
		    ASMGATE_E_NOMEM, "out of memory") : rd_fail(err,
		    ASMGATE_E_MALFORMED, f->offset, "folder %zu: LZX folder "
		    "not accepted (libmspack error %d)", fi, r);
		ctr_cab_lzx_free(z);
		return ret;
	}
	z->next = z->cab->files;
	*out = z;
	return ASMGATE_OK;
}

asmgate_status
ctr_cab_lzx(const asmgate_container *c, const cab_state *st, size_t fi,
    size_t need, asmgate_error *err)
{
	cab_folder *f = &st->folders[fi];
	asmgate_status ret;
	cab_lzx *z;
	int r;

	if (!f->lzx) {
		if ((ret = lzx_start(c, st, fi, &f->lzx, err)) != ASMGATE_OK)
			return ret;
	}
	z = f->lzx;
	while (f->done < need && f->done < f->usize) {
		struct mscabd_file *p = z->next;
		size_t end;

		if (!p || p->offset != f->done || p->length == 0 ||
		    p->length > f->usize - f->done)
			return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
			    "folder %zu: LZX folder not read back", fi);
		end = f->done + p->length;
		z->s.piece_start = f->done;
		z->s.out_cap = end;
		z->s.overflow = 0;
		r = z->d->extract(z->d, p, NAME_OUT);
		if (r == MSPACK_ERR_NOMEMORY)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		if (z->s.overflow)
			return rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: LZX data makes more than the %llu "
			    "bytes its blocks declare", fi,
			    (unsigned long long)f->usize);
		if (r != MSPACK_ERR_OK)
			return rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: invalid LZX data (libmspack error "
			    "%d)", fi, r);
		if (z->s.out_len != end)
			return rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: LZX data makes %zu bytes, not the "
			    "%llu its blocks declare", fi, z->s.out_len,
			    (unsigned long long)f->usize);
		f->done = end;
		z->next = p->next;
	}
	if (f->done == f->usize && z->next)
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
		    "folder %zu: LZX folder not read back", fi);
	return ASMGATE_OK;
}
