/*
 * lzxcab.c - a test-only writer of LZX cabinets, for the benchmarks
 * (no free tool writes LZX; gcab and wixl write MSZIP only). Not part of
 * asmgate and linked with nothing: tests/bench/bench-msi.sh builds it
 * with `cc -O2` into the folder of the asmgate it measures.
 *
 * usage: lzxcab OUT.cab WINDOW_BITS NAME=FILE...
 *
 * Writes one cabinet ([MS-CAB] 2.1-2.5) with one folder of
 * typeCompress 3 | WINDOW_BITS << 8 (LZX, window 2^15 to 2^21) holding
 * the files in the order given, under the names given. The folder data
 * is an LZX stream ([MS-PATCH] 2, as used by [MS-CAB] 2.2):
 *  - the header bit (E8 translation) is 0;
 *  - each 32 KiB frame of the folder is one verbatim block (type 1,
 *    [MS-PATCH] 2.3.2.2) whose main, length and pretree codes are
 *    built from that frame's symbols (at most 16 bits, pretree 15),
 *    its trees sent as deltas from the block before through the
 *    pretree (codes 0-18; 19 is not used);
 *  - the bitstream is padded to 16 bits at the end of every frame, so
 *    each CFDATA holds exactly the bits of one frame (32768 bytes, the
 *    last one fewer), as [MS-CAB] 2.2 requires;
 *  - matches come from a hash chain over the window, one step lazy,
 *    never cross a frame's end and never reach before the folder's
 *    first byte; repeated offsets R0/R1/R2 are used when they match at
 *    least as far as the best new offset.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME 32768u
#define MIN_LEN 2u              /* shortest LZX match */
#define MAX_LEN 257u            /* longest LZX match */
#define NUM_CHARS 256u
#define LEN_SYMS 249u
#define PRE_SYMS 20u
#define MAX_SLOTS 50u
#define MAX_MAIN (NUM_CHARS + 8u * MAX_SLOTS)
#define HASH_BITS 16u
#define MAX_CHAIN 64u
#define LAZY_MAX 32u            /* no lazy look past a match this long */
#define NICE_LEN 96u            /* no longer search past a match this long */
#define MAX_CBDATA (32768u + 6144u)

/* One coded item of a frame: a literal or a match. */
typedef struct item {
	uint16_t main;          /* main tree element */
	uint16_t lensym;        /* length tree element, or 0xFFFF */
	uint32_t extra;         /* verbatim position bits */
	uint8_t nextra;         /* their count */
} item;

typedef struct bitw {
	uint8_t *p;
	size_t len, cap;
	uint64_t acc;
	unsigned n;             /* bits in acc, < 16 between calls */
} bitw;

typedef struct lz {
	const uint8_t *d;
	size_t size;
	uint32_t wmask, maxoff;
	uint32_t *head;         /* 1 + last position of a hash, or 0 */
	uint32_t *prev;         /* 1 + earlier position, by pos & wmask */
	uint32_t r[3];          /* R0, R1, R2 */
} lz;

typedef struct match {
	unsigned len;           /* 0: none */
	int rep;                /* 0-2: repeated offset R<rep>; -1: new */
	uint32_t off;
} match;

static unsigned slot_bits[MAX_SLOTS + 1];
static uint32_t slot_base[MAX_SLOTS + 1];

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "lzxcab: out of memory\n");
		exit(1);
	}
	return p;
}

/* Position slots ([MS-PATCH] 2, match offsets): footer bits
 * 0,0,0,0,1,1,2,2,... up to 17; the base of each slot follows from the
 * bits of the slots before. */
static void
slots_init(void)
{
	unsigned i;

	for (i = 0; i <= MAX_SLOTS; i++) {
		slot_bits[i] = i < 4 ? 0 : (i - 2) / 2;
		if (slot_bits[i] > 17)
			slot_bits[i] = 17;
		slot_base[i] = i == 0 ? 0 :
		    slot_base[i - 1] + (1u << slot_bits[i - 1]);
	}
}

static unsigned
num_slots(unsigned wbits)
{
	return wbits == 21 ? 50 : wbits == 20 ? 42 : 2 * wbits;
}

/* ---------------------------------------------------------- bits */

static void
bw_byte(bitw *w, uint8_t b)
{
	if (w->len == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 65536;
		w->p = realloc(w->p, w->cap);
		if (!w->p) {
			fprintf(stderr, "lzxcab: out of memory\n");
			exit(1);
		}
	}
	w->p[w->len++] = b;
}

/* n <= 24 bits, most significant first, in little-endian 16-bit
 * words. */
static void
bw_put(bitw *w, uint32_t v, unsigned n)
{
	uint32_t word;

	if (n == 0)
		return;
	w->acc = (w->acc << n) | (v & ((1u << n) - 1));
	w->n += n;
	while (w->n >= 16) {
		word = (uint32_t)(w->acc >> (w->n - 16)) & 0xFFFFu;
		bw_byte(w, (uint8_t)(word & 0xFF));
		bw_byte(w, (uint8_t)(word >> 8));
		w->n -= 16;
	}
	w->acc &= (1u << w->n) - 1;
}

static void
bw_align(bitw *w)
{
	if (w->n)
		bw_put(w, 0, 16 - w->n);
}

/* ------------------------------------------------------- Huffman */

typedef struct hnode {
	uint32_t freq;
	int parent;
} hnode;

static int
cmp_leaf(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Code lengths of at most maxbits for n symbols: Huffman's two-queue
 * construction; when too deep, the frequencies are halved (kept >= 1)
 * and it runs again. One used symbol gets a partner so the code is
 * complete, as the decoder's tables require. */
static void
huff_lengths(const uint32_t *freq0, unsigned n, unsigned maxbits,
    uint8_t *len)
{
	uint32_t freq[MAX_MAIN], (*leaf)[2];
	hnode *nd;
	unsigned used = 0, i, j, li, ni, nn, deep;
	int a, b, k;

	memset(len, 0, n);
	for (i = 0; i < n; i++) {
		freq[i] = freq0[i];
		used += freq[i] != 0;
	}
	if (used == 0)
		return;
	if (used == 1) {
		for (i = 0; i < n && !freq[i]; i++)
			;
		len[i] = 1;
		len[i == 0 ? 1 : 0] = 1;
		return;
	}
	leaf = xmalloc(n * sizeof(*leaf));
	nd = xmalloc(2 * n * sizeof(*nd));
	for (;;) {
		for (i = 0, j = 0; i < n; i++)
			if (freq[i]) {
				leaf[j][0] = freq[i];
				leaf[j][1] = i;
				j++;
			}
		qsort(leaf, used, sizeof(*leaf), cmp_leaf);
		for (i = 0; i < used; i++) {
			nd[i].freq = leaf[i][0];
			nd[i].parent = -1;
		}
		/* leaves 0..used-1 ascending; internal nodes from used on,
		 * made in ascending order too */
		li = 0;
		ni = used;
		nn = used;
		while (nn < 2 * used - 1) {
			int pick[2];

			for (k = 0; k < 2; k++) {
				if (li < used && (ni >= nn ||
				    nd[li].freq <= nd[ni].freq))
					pick[k] = (int)li++;
				else
					pick[k] = (int)ni++;
			}
			a = pick[0];
			b = pick[1];
			nd[nn].freq = nd[a].freq + nd[b].freq;
			nd[nn].parent = -1;
			nd[a].parent = (int)nn;
			nd[b].parent = (int)nn;
			nn++;
		}
		deep = 0;
		for (i = 0; i < used; i++) {
			unsigned d = 0;

			for (k = (int)i; nd[k].parent >= 0; k = nd[k].parent)
				d++;
			len[leaf[i][1]] = (uint8_t)d;
			if (d > deep)
				deep = d;
		}
		if (deep <= maxbits)
			break;
		for (i = 0; i < n; i++)
			if (freq[i])
				freq[i] = (freq[i] >> 1) | 1;
	}
	free(leaf);
	free(nd);
}

/* Canonical codes: by length, then by symbol ([MS-PATCH] 2, trees;
 * the same rule as RFC 1951 3.2.2). */
static void
huff_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
	unsigned count[17] = { 0 }, i;
	uint32_t next[17], c = 0;

	for (i = 0; i < n; i++)
		count[len[i]]++;
	count[0] = 0;
	for (i = 1; i <= 16; i++) {
		c = (c + count[i - 1]) << 1;
		next[i] = c;
	}
	for (i = 0; i < n; i++)
		code[i] = len[i] ? (uint16_t)next[len[i]]++ : 0;
}

/* One tree section through a pretree ([MS-PATCH] 2.3.2.2 and the
 * encoding of path lengths): 20 4-bit pretree lengths, then each
 * length as (prev - len) mod 17, or a run of zeros (17: 4-19,
 * 18: 20-51). prev becomes cur. */
static void
put_tree(bitw *w, uint8_t *prev, const uint8_t *cur, unsigned n)
{
	uint8_t *sym = xmalloc(n), *ext = xmalloc(n), plen[PRE_SYMS];
	uint32_t pfreq[PRE_SYMS] = { 0 };
	uint16_t pcode[PRE_SYMS];
	unsigned i = 0, m = 0, r, k;

	while (i < n) {
		for (r = 0; i + r < n && cur[i + r] == 0; r++)
			;
		if (r >= 20) {
			r = r > 51 ? 51 : r;
			sym[m] = 18;
			ext[m++] = (uint8_t)(r - 20);
			i += r;
		} else if (r >= 4) {
			sym[m] = 17;
			ext[m++] = (uint8_t)(r - 4);
			i += r;
		} else {
			sym[m++] = (uint8_t)((prev[i] + 17u - cur[i]) % 17u);
			i++;
		}
	}
	for (k = 0; k < m; k++)
		pfreq[sym[k]]++;
	huff_lengths(pfreq, PRE_SYMS, 15, plen);
	huff_codes(plen, PRE_SYMS, pcode);
	for (k = 0; k < PRE_SYMS; k++)
		bw_put(w, plen[k], 4);
	for (k = 0; k < m; k++) {
		bw_put(w, pcode[sym[k]], plen[sym[k]]);
		if (sym[k] == 17)
			bw_put(w, ext[k], 4);
		else if (sym[k] == 18)
			bw_put(w, ext[k], 5);
	}
	memcpy(prev, cur, n);
	free(sym);
	free(ext);
}

/* ------------------------------------------------------- matches */

static uint32_t
hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void
lz_insert(lz *z, size_t pos)
{
	uint32_t h;

	if (pos + 3 > z->size)
		return;
	h = hash3(z->d + pos);
	z->prev[pos & z->wmask] = z->head[h];
	z->head[h] = (uint32_t)pos + 1;
}

static unsigned
match_len(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned n = 0;

	while (n < max && a[n] == b[n])
		n++;
	return n;
}

/* The best match at pos, at most max bytes long. */
static match
lz_find(const lz *z, size_t pos, unsigned max)
{
	match m = { 0, -1, 0 };
	uint32_t cand, chain = MAX_CHAIN;
	unsigned n, k, rl = 0;
	int rk = -1;

	if (max < MIN_LEN)
		return m;
	for (k = 0; k < 3; k++) {
		if (z->r[k] > pos)
			continue;
		n = match_len(z->d + pos, z->d + pos - z->r[k], max);
		if (n > rl) {
			rl = n;
			rk = (int)k;
		}
	}
	if (max >= 3 && pos + 3 <= z->size) {
		cand = z->head[hash3(z->d + pos)];
		while (cand && chain--) {
			size_t c = cand - 1;

			if (c >= pos || pos - c > z->maxoff)
				break;
			if (z->d[c + m.len] == z->d[pos + m.len]) {
				n = match_len(z->d + pos, z->d + c, max);
				if (n > m.len) {
					m.len = n;
					m.off = (uint32_t)(pos - c);
					if (n == max || n >= NICE_LEN)
						break;
				}
			}
			cand = z->prev[c & z->wmask];
		}
		/* a 3-byte match far away costs more than its literals */
		if (m.len == 3 && m.off > 65536)
			m.len = 0;
		if (m.len < 3)
			m.len = 0;
	}
	if (rk >= 0 && rl >= 2 && rl >= m.len) {
		m.len = rl;
		m.rep = rk;
		m.off = z->r[rk];
	}
	return m;
}

static unsigned
find_slot(uint32_t formatted)
{
	unsigned s = 3;

	while (slot_base[s + 1] <= formatted)
		s++;
	return s;
}

/* Encodes a match as an item and updates R0-R2 as the decoder will. */
static item
match_item(lz *z, const match *m)
{
	item it;
	unsigned slot;
	uint32_t t, formatted;

	if (m->rep >= 0) {
		slot = (unsigned)m->rep;
		t = z->r[0];
		z->r[0] = z->r[slot];
		z->r[slot] = t;
		it.extra = 0;
		it.nextra = 0;
	} else {
		formatted = m->off + 2;
		slot = find_slot(formatted);
		it.extra = formatted - slot_base[slot];
		it.nextra = (uint8_t)slot_bits[slot];
		z->r[2] = z->r[1];
		z->r[1] = z->r[0];
		z->r[0] = m->off;
	}
	if (m->len - MIN_LEN >= 7) {
		it.main = (uint16_t)(NUM_CHARS + slot * 8 + 7);
		it.lensym = (uint16_t)(m->len - MIN_LEN - 7);
	} else {
		it.main = (uint16_t)(NUM_CHARS + slot * 8 +
		    (m->len - MIN_LEN));
		it.lensym = 0xFFFF;
	}
	return it;
}

/* The items of frame [fs, fe). */
static size_t
lz_frame(lz *z, size_t fs, size_t fe, item *out)
{
	size_t pos = fs, n = 0, k;
	match m, m2;

#define LIMIT(p) ((unsigned)(fe - (p) < MAX_LEN ? fe - (p) : MAX_LEN))
	m = lz_find(z, pos, LIMIT(pos));
	while (pos < fe) {
		lz_insert(z, pos);
		if (m.len >= MIN_LEN && m.len < LAZY_MAX && pos + 1 < fe) {
			m2 = lz_find(z, pos + 1, LIMIT(pos + 1));
			if (m2.len > m.len + (m2.rep < 0 && m.rep >= 0)) {
				m.len = 0;
				out[n].main = z->d[pos];
				out[n].lensym = 0xFFFF;
				out[n].nextra = 0;
				out[n++].extra = 0;
				pos++;
				m = m2;
				continue;
			}
		}
		if (m.len < MIN_LEN) {
			out[n].main = z->d[pos];
			out[n].lensym = 0xFFFF;
			out[n].nextra = 0;
			out[n++].extra = 0;
			pos++;
		} else {
			out[n++] = match_item(z, &m);
			for (k = 1; k < m.len; k++)
				lz_insert(z, pos + k);
			pos += m.len;
		}
		if (pos < fe)
			m = lz_find(z, pos, LIMIT(pos));
	}
#undef LIMIT
	return n;
}

/* ------------------------------------------------------- blocks */

/* One verbatim block for the frame [fs, fe), padded to 16 bits. */
static void
put_frame(bitw *w, lz *z, size_t fs, size_t fe, unsigned nmain,
    uint8_t *prev_main, uint8_t *prev_len, item *items)
{
	uint32_t mfreq[MAX_MAIN] = { 0 }, lfreq[LEN_SYMS] = { 0 };
	uint8_t mlen[MAX_MAIN], llen[LEN_SYMS];
	uint16_t mcode[MAX_MAIN], lcode[LEN_SYMS];
	size_t n, i;

	n = lz_frame(z, fs, fe, items);
	for (i = 0; i < n; i++) {
		mfreq[items[i].main]++;
		if (items[i].lensym != 0xFFFF)
			lfreq[items[i].lensym]++;
	}
	huff_lengths(mfreq, nmain, 16, mlen);
	huff_lengths(lfreq, LEN_SYMS, 16, llen);
	huff_codes(mlen, nmain, mcode);
	huff_codes(llen, LEN_SYMS, lcode);

	bw_put(w, 1, 3);                        /* verbatim */
	bw_put(w, (uint32_t)(fe - fs), 24);     /* uncompressed size */
	put_tree(w, prev_main, mlen, NUM_CHARS);
	put_tree(w, prev_main + NUM_CHARS, mlen + NUM_CHARS,
	    nmain - NUM_CHARS);
	put_tree(w, prev_len, llen, LEN_SYMS);
	for (i = 0; i < n; i++) {
		bw_put(w, mcode[items[i].main], mlen[items[i].main]);
		if (items[i].lensym != 0xFFFF)
			bw_put(w, lcode[items[i].lensym],
			    llen[items[i].lensym]);
		bw_put(w, items[i].extra, items[i].nextra);
	}
	bw_align(w);
}

/* -------------------------------------------------------- cabinet */

static void
le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
le32(uint8_t *p, uint32_t v)
{
	le16(p, v & 0xFFFF);
	le16(p + 2, v >> 16);
}

/* The CFDATA checksum ([MS-CAB] 2.5): 32-bit little-endian words
 * XORed, a 1-3 byte tail taken first byte highest. */
static uint32_t
cab_csum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t c = seed, t;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4)
		c ^= (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
	t = 0;
	switch (n & 3) {
	case 3:
		t |= (uint32_t)p[i++] << 16;
		/* fall through */
	case 2:
		t |= (uint32_t)p[i++] << 8;
		/* fall through */
	case 1:
		t |= p[i];
		c ^= t;
		break;
	default:
		break;
	}
	return c;
}

static uint8_t *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	size_t cap = 0, n = 0, r;

	if (!f) {
		perror(path);
		exit(1);
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			p = realloc(p, cap);
			if (!p) {
				fprintf(stderr, "lzxcab: out of memory\n");
				exit(1);
			}
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return p;
}

int
main(int argc, char **argv)
{
	unsigned wbits, nmain, nfiles, i;
	uint8_t prev_main[MAX_MAIN] = { 0 }, prev_len[LEN_SYMS] = { 0 };
	uint8_t *data = NULL, hdr[36], fol[8], rec[16], dh[8];
	size_t size = 0, fs, nframes, *fsize, *flen, *cend, namelen = 0;
	char **name;
	bitw w = { 0 };
	lz z;
	item *items;
	uint32_t off, cb;
	FILE *o;

	if (argc < 3) {
		fprintf(stderr, "usage: lzxcab OUT.cab WINDOW_BITS "
		    "NAME=FILE...\n");
		return 2;
	}
	wbits = (unsigned)atoi(argv[2]);
	if (wbits < 15 || wbits > 21) {
		fprintf(stderr, "lzxcab: window bits 15 to 21\n");
		return 2;
	}
	nfiles = (unsigned)(argc - 3);
	if (nfiles > 65535) {
		fprintf(stderr, "lzxcab: too many files\n");
		return 2;
	}
	slots_init();
	nmain = NUM_CHARS + 8 * num_slots(wbits);
	name = xmalloc((nfiles + 1) * sizeof(*name));
	flen = xmalloc((nfiles + 1) * sizeof(*flen));
	for (i = 0; i < nfiles; i++) {
		char *eq = strchr(argv[3 + i], '=');
		uint8_t *p;
		size_t n;

		if (!eq || eq == argv[3 + i] || eq - argv[3 + i] > 255) {
			fprintf(stderr, "lzxcab: not NAME=FILE: %s\n",
			    argv[3 + i]);
			return 2;
		}
		*eq = '\0';
		name[i] = argv[3 + i];
		namelen += strlen(name[i]) + 1;
		p = read_all(eq + 1, &n);
		if (n > 0x7FFF8000u - size) {
			fprintf(stderr, "lzxcab: a folder holds at most "
			    "0x7FFF8000 bytes\n");
			return 2;
		}
		data = realloc(data, size + n + 1);
		if (!data) {
			fprintf(stderr, "lzxcab: out of memory\n");
			return 1;
		}
		memcpy(data + size, p, n);
		free(p);
		flen[i] = n;
		size += n;
	}

	/* The LZX stream, frame by frame; cend[k] = end of frame k's
	 * bytes in w. */
	nframes = (size + FRAME - 1) / FRAME;
	if (nframes > 65535) {
		fprintf(stderr, "lzxcab: too many blocks\n");
		return 2;
	}
	cend = xmalloc((nframes + 1) * sizeof(*cend));
	fsize = xmalloc((nframes + 1) * sizeof(*fsize));
	memset(&z, 0, sizeof(z));
	z.d = data;
	z.size = size;
	z.wmask = (1u << wbits) - 1;
	z.maxoff = (1u << wbits) - 3;
	z.head = xmalloc(((size_t)1 << HASH_BITS) * sizeof(uint32_t));
	z.prev = xmalloc(((size_t)1 << wbits) * sizeof(uint32_t));
	z.r[0] = z.r[1] = z.r[2] = 1;
	items = xmalloc(FRAME * sizeof(*items));
	for (i = 0, fs = 0; fs < size; i++, fs += FRAME) {
		size_t fe = size - fs < FRAME ? size : fs + FRAME;

		if (i == 0)
			bw_put(&w, 0, 1);       /* no E8 translation */
		put_frame(&w, &z, fs, fe, nmain, prev_main, prev_len, items);
		cend[i] = w.len;
		fsize[i] = fe - fs;
		if (cend[i] - (i ? cend[i - 1] : 0) > MAX_CBDATA) {
			fprintf(stderr, "lzxcab: frame %u too large\n", i);
			return 1;
		}
	}

	o = fopen(argv[1], "wb");
	if (!o) {
		perror(argv[1]);
		return 1;
	}
	off = 36 + 8 + 16 * nfiles + (uint32_t)namelen;
	cb = off + 8 * (uint32_t)nframes + (uint32_t)w.len;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "MSCF", 4);
	le32(hdr + 8, cb);                      /* cbCabinet */
	le32(hdr + 16, 36 + 8);                 /* coffFiles */
	hdr[24] = 3;                            /* versionMinor */
	hdr[25] = 1;                            /* versionMajor */
	le16(hdr + 26, 1);                      /* cFolders */
	le16(hdr + 28, nfiles);                 /* cFiles */
	le16(hdr + 32, 0x4C5A);                 /* setID */
	le32(fol, off);                         /* coffCabStart */
	le16(fol + 4, (uint32_t)nframes);       /* cCFData */
	le16(fol + 6, 3 | wbits << 8);          /* typeCompress */
	fwrite(hdr, 1, sizeof(hdr), o);
	fwrite(fol, 1, sizeof(fol), o);
	for (i = 0, fs = 0; i < nfiles; i++) {
		le32(rec, (uint32_t)flen[i]);           /* cbFile */
		le32(rec + 4, (uint32_t)fs);            /* uoffFolderStart */
		le16(rec + 8, 0);                       /* iFolder */
		le16(rec + 10, (2024 - 1980) << 9 | 1 << 5 | 1);
		le16(rec + 12, 12 << 11);               /* 12:00:00 */
		le16(rec + 14, 0x20);                   /* _A_ARCH */
		fwrite(rec, 1, sizeof(rec), o);
		fwrite(name[i], 1, strlen(name[i]) + 1, o);
		fs += flen[i];
	}
	for (i = 0; i < nframes; i++) {
		size_t s = i ? cend[i - 1] : 0, n = cend[i] - s;

		le16(dh + 4, (uint32_t)n);              /* cbData */
		le16(dh + 6, (uint32_t)fsize[i]);       /* cbUncomp */
		le32(dh, cab_csum(dh + 4, 4, cab_csum(w.p + s, n, 0)));
		fwrite(dh, 1, sizeof(dh), o);
		fwrite(w.p + s, 1, n, o);
	}
	if (fclose(o) != 0) {
		perror(argv[1]);
		return 1;
	}
	fprintf(stderr, "lzxcab: %s: %u files, %zu bytes in %zu blocks, "
	    "%u bytes\n", argv[1], nfiles, size, nframes, cb);
	free(items);
	free(z.head);
	free(z.prev);
	free(cend);
	free(fsize);
	free(flen);
	free(name);
	free(data);
	free(w.p);
	return 0;
}
