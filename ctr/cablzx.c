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
 * memory; the file it writes is the caller's buffer, bounded by usize.
 * So libmspack sees exactly the blocks open checked, and nothing is
 * shared between calls (no global state, no files). Its messages are
 * dropped: the library never prints.
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
 * CFFOLDER (8), CFFILE (16) and its name "f". */
#define HEAD_LEN (36u + 4u + 8u + 16u + 2u)

typedef struct mem_sys {
	struct mspack_system sys; /* first: libmspack hands &sys back */
	uint8_t head[HEAD_LEN];
	const uint8_t *cab;       /* the real cabinet, after the head */
	size_t cab_len;
	uint8_t *out;             /* the folder's buffer */
	size_t out_cap, out_len;
	int overflow;             /* more output than the folder holds */
} mem_sys;

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
	return (uint64_t)HEAD_LEN + s->cab_len;
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

		if (p < HEAD_LEN) {
			k = HEAD_LEN - (size_t)p;
			k = k < n - done ? k : n - done;
			memcpy(dst + done, s->head + p, k);
		} else {
			k = n - done; /* inside the cabinet: n <= left */
			memcpy(dst + done, s->cab + (p - HEAD_LEN), k);
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

/* MS-CAB 2.1-2.3: the one-folder, one-file head. */
static void
make_head(uint8_t *h, const cab_state *st, const cab_folder *f,
    uint32_t total)
{
	memset(h, 0, HEAD_LEN);
	memcpy(h, "MSCF", 4);
	put32(h + 8, total);                /* cbCabinet */
	put32(h + 16, 36 + 4 + 8);          /* coffFiles */
	h[24] = 3;                          /* version 1.3 */
	h[25] = 1;
	put16(h + 26, 1);                   /* cFolders */
	put16(h + 28, 1);                   /* cFiles */
	put16(h + 30, 0x0004);              /* cfhdrRESERVE_PRESENT */
	h[39] = st->data_reserve;           /* cbCFData */
	put32(h + 40, HEAD_LEN + f->data_start);
	put16(h + 44, f->nblocks);
	put16(h + 46, f->type);
	put32(h + 48, (uint32_t)f->usize);  /* cbFile */
	put16(h + 58, 0x21);                /* a valid date: 1980-01-01 */
	h[64] = 'f';
}

asmgate_status
ctr_cab_lzx(const asmgate_container *c, const cab_state *st, size_t fi,
    uint8_t *dst, asmgate_error *err)
{
	const cab_folder *f = &st->folders[fi];
	struct mscab_decompressor *d;
	struct mscabd_cabinet *cab;
	mem_sys s;
	int selftest, r;
	asmgate_status ret = ASMGATE_OK;

	MSPACK_SYS_SELFTEST(selftest);
	if (selftest != MSPACK_ERR_OK)
		return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "libmspack "
		    "was built with another off_t size");
	/* data_start < size <= 2^32 - 1; usize <= RD_MAX_CAB_FOLDER_BYTES. */
	if ((uint64_t)HEAD_LEN + c->size > 0xFFFFFFFFu)
		return rd_fail(err, ASMGATE_E_LIMIT, f->offset, "folder %zu: "
		    "cabinet too large for LZX", fi);
	memset(&s, 0, sizeof(s));
	s.sys.open = m_open;
	s.sys.close = m_close;
	s.sys.read = m_read;
	s.sys.write = m_write;
	s.sys.seek = m_seek;
	s.sys.tell = m_tell;
	s.sys.message = m_message;
	s.sys.alloc = m_alloc;
	s.sys.free = m_free;
	s.sys.copy = m_copy;
	s.sys.null_ptr = NULL;
	s.cab = c->data;
	s.cab_len = (size_t)f->data_end; /* nothing after the folder */
	s.out = dst;
	s.out_cap = (size_t)f->usize;
	make_head(s.head, st, f, (uint32_t)(HEAD_LEN + s.cab_len));

	d = mspack_create_cab_decompressor(&s.sys);
	if (!d)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	cab = d->open(d, NAME_IN);
	if (!cab) {
		r = d->last_error(d);
		ret = r == MSPACK_ERR_NOMEMORY ? rd_fail_nooff(err,
		    ASMGATE_E_NOMEM, "out of memory") : rd_fail(err,
		    ASMGATE_E_MALFORMED, f->offset, "folder %zu: LZX folder "
		    "not accepted (libmspack error %d)", fi, r);
		mspack_destroy_cab_decompressor(d);
		return ret;
	}
	if (!cab->files || cab->files->length != f->usize) {
		ret = rd_fail(err, ASMGATE_E_MALFORMED, f->offset, "folder "
		    "%zu: LZX folder not read back", fi);
	} else {
		r = d->extract(d, cab->files, NAME_OUT);
		if (r == MSPACK_ERR_NOMEMORY)
			ret = rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		else if (s.overflow)
			ret = rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: LZX data makes more than the %llu "
			    "bytes its blocks declare", fi,
			    (unsigned long long)f->usize);
		else if (r != MSPACK_ERR_OK)
			ret = rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: invalid LZX data (libmspack error "
			    "%d)", fi, r);
		else if (s.out_len != f->usize)
			ret = rd_fail(err, ASMGATE_E_MALFORMED, f->data_start,
			    "folder %zu: LZX data makes %zu bytes, not the "
			    "%llu its blocks declare", fi, s.out_len,
			    (unsigned long long)f->usize);
	}
	d->close(d, cab);
	mspack_destroy_cab_decompressor(d);
	return ret;
}
