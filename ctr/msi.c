/*
 * msi.c - Windows Installer databases (.msi) and merge modules (.msm)
 * as containers: the files they install, named by where they install.
 *
 * A database is an OLE compound file (cfb.c) whose streams hold its
 * tables. Opening reads, in this order:
 *  - the string pool: `_StringPool` (a 4-byte header, codepage and the
 *    long-string-reference flag 0x8000 in its high word, then one
 *    (length, reference count) pair of 16-bit words per string; a pair
 *    (0, refs) says the length is in the next pair, low word first, for
 *    strings of 64 KiB and more) and `_StringData` (the strings back to
 *    back, in the codepage). String references in tables are 2 bytes,
 *    or 3 with the long flag; 0 is the null string;
 *  - the schema: `_Columns` (Table, Number, Name, Type), whose own
 *    layout is fixed, and the columns of the tables used below;
 *  - the tables Directory, Component, File, Media and, when present,
 *    MsiAssembly. A table stream stores its rows column by column; each
 *    stored column is 2 bytes (short integers, stream references) or 4
 *    (long integers) or one string reference; integers are stored with
 *    their sign bit flipped, 0 meaning null; temporary columns are not
 *    stored. A stream that is not a whole number of rows is an error;
 *  - the cabinets the Media table names: "#name" is a stream of the
 *    database, any other name a cabinet file beside the database (merge
 *    modules keep theirs in the stream "MergeModule.CABinet").
 * Stream names are looked up in their stored form: the name encoded as
 * Windows Installer encodes it (characters of 0-9A-Za-z._ packed two to
 * a code unit from U+3800, single ones from U+4800, tables prefixed by
 * U+4840), so the stream found is the one Windows Installer opens.
 *
 * Each File row is one member, named by the path it installs to: its
 * component's directory, resolved through Directory_Parent up to the
 * root (TARGETDIR adds nothing; a system folder property such as
 * ProgramFilesFolder becomes its name without "Folder", since the
 * installer puts the system's folder there), then the long name of
 * File.FileName ("short|long"). Files of a .NET assembly component bound
 * for the global assembly cache (MsiAssembly, no File_Application) are
 * named "GlobalAssemblyCache/<name>". Two rows installing to the same
 * path are told apart by "#<File key>"; info.key is always the File
 * key. A member's bytes come from its cabinet (the cabinet member named
 * by the File key, in the cabinet of the first Media row whose
 * LastSequence is at least the file's Sequence), or, for media without a
 * cabinet, from the uncompressed source file beside the database.
 * Members are in File.Sequence order (the order of the cabinets).
 *
 * Errors in the database carry file offsets (cfb_file_offset maps an
 * offset inside a stream to the file); errors inside an embedded
 * cabinet are mapped the same way and say which cabinet.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfb.h"
#include "ctr.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"
#include "rd/safeint.h"
#include "rd/utf8.h"

/* Column types in _Columns.Type (msidefs.h: icd*). */
#define T_WIDTH 0x00FFu
#define T_CATEGORY 0x0C00u  /* 0 long, 0x400 short, 0x800 object, 0xC00 string */
#define T_LONG 0x0000u
#define T_SHORT 0x0400u
#define T_OBJECT 0x0800u
#define T_STRING 0x0C00u
#define T_TEMPORARY 0x4000u

/* File.Attributes (msidbFileAttributes*). */
#define FILE_NONCOMPRESSED 0x2000u

/* The encoded stream names (see encode_name) are at most 31 units. */
#define NAME_UNITS 32u

/* A string in the pool: bytes in _StringData. */
typedef struct pool_str {
	size_t off;
	size_t len;
} pool_str;

typedef struct msi_pool {
	uint8_t *data;          /* _StringData */
	size_t data_len;
	pool_str *s;            /* s[id], id 1..count-1; s[0] is null */
	uint32_t count;
	unsigned ref_width;     /* 2 or 3 */
	uint32_t codepage;
	uint32_t data_stream;   /* cfb index of _StringData */
} msi_pool;

typedef struct msi_col {
	size_t name_off, name_len; /* into the pool */
	unsigned type;
	unsigned width;            /* stored bytes; 0 when temporary */
	size_t at;                 /* byte offset of the column's data */
} msi_col;

typedef struct msi_table {
	char name[40];
	msi_col col[RD_MAX_MSI_COLUMNS];
	unsigned ncols;
	uint32_t nrows;
	size_t row_width;
	uint8_t *data;
	size_t len;
	uint32_t stream;           /* cfb index, CFB_NONE when absent */
} msi_table;

/* A cabinet the database uses. */
typedef struct msi_cab {
	char *name;                /* Media.Cabinet without '#' */
	int embedded;
	uint32_t stream;           /* embedded: cfb index */
	uint8_t *bytes;            /* embedded: the gathered stream */
	asmgate_container *c;      /* NULL when missing */
	char missing[160];         /* why c is NULL */
	const ctr_member **sorted; /* members by name, for lookup */
} msi_cab;

/* Where member i's bytes are. */
typedef struct msi_src {
	int cab;                   /* index into cabs, or -1 */
	size_t member;             /* member index in that cabinet */
	char *file;                /* uncompressed source file path, or NULL */
	char *why;                 /* why it cannot be read, or NULL */
} msi_src;

typedef struct msi_state {
	cfb *f;
	msi_cab *cabs;
	size_t ncabs;
	msi_src *src;              /* one per member */
	int signed_db;             /* \5DigitalSignature present */
} msi_state;

/* One open database while its members are built (freed after open). */
typedef struct msi_ctx {
	asmgate_container *c;
	msi_state *st;
	msi_pool pool;
	msi_table cols;            /* _Columns */
	uint64_t err_at;           /* default offset for errors */
} msi_ctx;

static int
msi_detect(const uint8_t *p, size_t n)
{
	return cfb_detect(p, n);
}

/* ------------------------------------------------------------ names */

/* The 64 characters MSI packs (0-9A-Za-z._), or -1. */
static int
mime_index(unsigned ch)
{
	if (ch >= '0' && ch <= '9')
		return (int)(ch - '0');
	if (ch >= 'A' && ch <= 'Z')
		return (int)(ch - 'A') + 10;
	if (ch >= 'a' && ch <= 'z')
		return (int)(ch - 'a') + 36;
	if (ch == '.')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

/*
 * Encode an ASCII name as Windows Installer names its streams: a table
 * gets the prefix U+4840; then two packable characters in a row become
 * U+3800 + a + (b << 6), a lone one U+4800 + a, anything else stays.
 * Returns the unit count, 0 when the name does not fit a stream name.
 */
static size_t
encode_name(uint16_t *out, const char *s, size_t n, int table)
{
	size_t i = 0, o = 0;

	if (table)
		out[o++] = 0x4840;
	while (i < n) {
		int a = mime_index((unsigned char)s[i]);
		int b = i + 1 < n ? mime_index((unsigned char)s[i + 1]) : -1;

		if (o >= NAME_UNITS - 1)
			return 0;
		if ((unsigned char)s[i] >= 0x80)
			return 0; /* only ASCII names are looked up */
		if (a >= 0 && b >= 0) {
			out[o++] = (uint16_t)(0x3800 + a + (b << 6));
			i += 2;
		} else if (a >= 0) {
			out[o++] = (uint16_t)(0x4800 + a);
			i++;
		} else {
			out[o++] = (uint8_t)s[i++];
		}
	}
	out[o] = 0;
	return o;
}

/* The root-level stream named s (n bytes, ASCII), or CFB_NONE. */
static uint32_t
find_stream(const cfb *f, const char *s, size_t n, int table)
{
	uint16_t name[NAME_UNITS];
	size_t len = encode_name(name, s, n, table);
	uint32_t i;

	if (len == 0)
		return CFB_NONE;
	i = cfb_find(f, 0, name, len);
	if (i == CFB_NONE || cfb_entry_at(f, i)->type != CFB_TYPE_STREAM)
		return CFB_NONE;
	return i;
}

/* ------------------------------------------------------------ pool */

static uint32_t
le(const uint8_t *p, unsigned w)
{
	uint32_t v = 0;

	while (w-- > 0)
		v = v << 8 | p[w];
	return v;
}

/* Gather a stream of at most RD_MAX_MSI_STREAM_BYTES. */
static asmgate_status
gather(msi_ctx *x, uint32_t i, const char *what, uint8_t **out,
    size_t *len, asmgate_error *err)
{
	const cfb_entry *e = cfb_entry_at(x->st->f, i);

	if (e->size > RD_MAX_MSI_STREAM_BYTES)
		return rd_fail(err, ASMGATE_E_LIMIT, e->offset,
		    "%s: %llu bytes, above the limit of %zu", what,
		    (unsigned long long)e->size, RD_MAX_MSI_STREAM_BYTES);
	return cfb_read(x->st->f, i, RD_MAX_MSI_STREAM_BYTES, out, len, err);
}

/* Offset in the file of byte off of stream i (for errors). */
static uint64_t
at(const msi_ctx *x, uint32_t i, uint64_t off)
{
	uint64_t o;

	if (i == CFB_NONE)
		return x->err_at;
	o = cfb_file_offset(x->st->f, i, off);
	return o == UINT64_MAX ? cfb_entry_at(x->st->f, i)->offset : o;
}

static asmgate_status
load_pool(msi_ctx *x, asmgate_error *err)
{
	msi_pool *p = &x->pool;
	uint32_t ip, id;
	uint8_t *raw = NULL;
	size_t rlen = 0, i, off = 0, n;
	asmgate_status st;

	ip = find_stream(x->st->f, "_StringPool", 11, 1);
	id = find_stream(x->st->f, "_StringData", 11, 1);
	/* Neither stream: another kind of compound file (a document). */
	if (ip == CFB_NONE && id == CFB_NONE)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, 0,
		    "a compound file that is not a Windows Installer "
		    "database (no _StringPool, _StringData)");
	if (ip == CFB_NONE || id == CFB_NONE)
		return rd_fail(err, ASMGATE_E_MALFORMED, 0,
		    "compound file without a whole Windows Installer string "
		    "pool (_StringPool, _StringData)");
	p->data_stream = id;
	if ((st = gather(x, ip, "_StringPool", &raw, &rlen, err)) !=
	    ASMGATE_OK)
		return st;
	if ((st = gather(x, id, "_StringData", &p->data, &p->data_len,
	    err)) != ASMGATE_OK)
		goto out;
	if (rlen < 4 || rlen % 4 != 0) {
		st = rd_fail(err, ASMGATE_E_MALFORMED, at(x, ip, 0),
		    "_StringPool of %zu bytes is not a header and whole "
		    "entries of 4 bytes", rlen);
		goto out;
	}
	p->codepage = le(raw, 2) | (le(raw + 2, 2) & 0x7FFFu) << 16;
	p->ref_width = (le(raw + 2, 2) & 0x8000u) ? 3 : 2;
	n = rlen / 4; /* entries + header: an upper bound on ids */
	if (n > RD_MAX_MSI_STRINGS) {
		st = rd_fail(err, ASMGATE_E_LIMIT, at(x, ip, 0),
		    "_StringPool: %zu strings, above the limit of %u", n - 1,
		    RD_MAX_MSI_STRINGS);
		goto out;
	}
	p->s = calloc(n, sizeof(*p->s));
	if (!p->s) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	p->count = 1;
	for (i = 1; i < n; i++) {
		uint32_t len = le(raw + 4 * i, 2);
		uint32_t refs = le(raw + 4 * i + 2, 2);

		if (len == 0 && refs != 0) {
			/* A long string: its length is the next entry. */
			if (i + 1 >= n) {
				st = rd_fail(err, ASMGATE_E_MALFORMED,
				    at(x, ip, 4 * i), "_StringPool: long "
				    "string entry %u has no length entry",
				    p->count);
				goto out;
			}
			i++;
			len = le(raw + 4 * i, 2) | le(raw + 4 * i + 2, 2) << 16;
		}
		if (len > p->data_len - off) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, at(x, ip, 4 * i),
			    "_StringPool: string %u of %u bytes runs past the "
			    "end of _StringData (%zu bytes)", p->count, len,
			    p->data_len);
			goto out;
		}
		p->s[p->count].off = off;
		p->s[p->count].len = len;
		p->count++;
		off += len;
	}
	if (off != p->data_len) {
		st = rd_fail(err, ASMGATE_E_MALFORMED, at(x, id, off),
		    "_StringData has %zu bytes no string accounts for",
		    p->data_len - off);
		goto out;
	}
	st = ASMGATE_OK;
out:
	free(raw);
	return st;
}

/* String id v of a table cell, checked against the pool. */
static asmgate_status
string_ref(msi_ctx *x, const msi_table *t, uint32_t row, unsigned c,
    const pool_str **out, asmgate_error *err)
{
	const msi_col *col = &t->col[c];
	size_t pos = col->at + (size_t)row * col->width;
	uint32_t v = le(t->data + pos, col->width);

	if (v >= x->pool.count)
		return rd_fail(err, ASMGATE_E_MALFORMED, at(x, t->stream, pos),
		    "table %s, row %u, column %u: string reference %u out of "
		    "range (%u strings)", t->name, row + 1, c + 1, v,
		    x->pool.count - 1);
	*out = v ? &x->pool.s[v] : NULL;
	return ASMGATE_OK;
}

/* Integer cell: *null set when stored as 0. */
static int32_t
int_cell(const msi_table *t, uint32_t row, unsigned c, int *null)
{
	const msi_col *col = &t->col[c];
	uint32_t v = le(t->data + col->at + (size_t)row * col->width,
	    col->width);

	/* Stored with the sign bit flipped: value + 2^15 (or 2^31). */
	*null = v == 0;
	if (col->width == 2)
		return (int32_t)v - 0x8000;
	return (int32_t)((int64_t)v - 0x80000000LL);
}

static int
str_is(const msi_ctx *x, const pool_str *s, const char *lit)
{
	size_t n = strlen(lit);

	return s && s->len == n && memcmp(x->pool.data + s->off, lit, n) == 0;
}

static int
str_eq(const msi_ctx *x, const pool_str *a, const pool_str *b)
{
	if (!a || !b)
		return a == b;
	return a->len == b->len &&
	    memcmp(x->pool.data + a->off, x->pool.data + b->off, a->len) == 0;
}

/* ------------------------------------------------------------ tables */

static unsigned
col_width(const msi_ctx *x, unsigned type)
{
	if (type & T_TEMPORARY)
		return 0;
	switch (type & T_CATEGORY) {
	case T_STRING:
		return x->pool.ref_width;
	case T_OBJECT:
	case T_SHORT:
		return 2;
	default:
		return 4;
	}
}

/* Lay out t's columns over its stream (t->ncols and types set). */
static asmgate_status
layout(msi_ctx *x, msi_table *t, asmgate_error *err)
{
	size_t w = 0, at_ = 0;
	unsigned c;
	asmgate_status st;

	for (c = 0; c < t->ncols; c++) {
		t->col[c].width = col_width(x, t->col[c].type);
		w += t->col[c].width;
	}
	t->row_width = w;
	t->stream = find_stream(x->st->f, t->name, strlen(t->name), 1);
	if (t->stream == CFB_NONE)
		return ASMGATE_OK; /* no rows */
	if ((st = gather(x, t->stream, t->name, &t->data, &t->len, err)) !=
	    ASMGATE_OK)
		return st;
	if (t->len == 0)
		return ASMGATE_OK;
	if (w == 0 || t->len % w != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, at(x, t->stream, 0),
		    "table %s: stream of %zu bytes is not a whole number of "
		    "%zu-byte rows", t->name, t->len, w);
	if (t->len / w > RD_MAX_MSI_ROWS)
		return rd_fail(err, ASMGATE_E_LIMIT, at(x, t->stream, 0),
		    "table %s: %zu rows, above the limit of %u", t->name,
		    t->len / w, RD_MAX_MSI_ROWS);
	t->nrows = (uint32_t)(t->len / w);
	for (c = 0; c < t->ncols; c++) {
		t->col[c].at = at_;
		at_ += (size_t)t->col[c].width * t->nrows;
	}
	return ASMGATE_OK;
}

/* _Columns: Table (string), Number (short), Name (string), Type (short);
 * its own schema is fixed. */
static asmgate_status
load_columns(msi_ctx *x, asmgate_error *err)
{
	msi_table *t = &x->cols;
	static const unsigned types[4] = { T_STRING, T_SHORT, T_STRING,
	    T_SHORT };
	unsigned c;
	asmgate_status st;

	memcpy(t->name, "_Columns", 9);
	t->ncols = 4;
	for (c = 0; c < 4; c++)
		t->col[c].type = types[c] | 0x0100u;
	if ((st = layout(x, t, err)) != ASMGATE_OK)
		return st;
	if (t->stream == CFB_NONE)
		return rd_fail(err, ASMGATE_E_MALFORMED, 0,
		    "compound file without a Windows Installer _Columns "
		    "table");
	return ASMGATE_OK;
}

/*
 * Load table name's schema from _Columns and its rows. A table _Columns
 * does not describe has no rows (*present = 0). Column numbers must run
 * 1..n with no gap or repeat.
 */
static asmgate_status
load_table(msi_ctx *x, msi_table *t, const char *name, int *present,
    asmgate_error *err)
{
	const msi_table *k = &x->cols;
	uint8_t seen[RD_MAX_MSI_COLUMNS] = { 0 };
	uint32_t r;
	unsigned n = 0, c;
	asmgate_status st;

	memset(t, 0, sizeof(*t));
	t->stream = CFB_NONE;
	memcpy(t->name, name, strlen(name) + 1);
	*present = 0;
	for (r = 0; r < k->nrows; r++) {
		const pool_str *tab, *cname;
		int null;
		int32_t num, type;

		if ((st = string_ref(x, k, r, 0, &tab, err)) != ASMGATE_OK)
			return st;
		if (!str_is(x, tab, name))
			continue;
		if ((st = string_ref(x, k, r, 2, &cname, err)) != ASMGATE_OK)
			return st;
		num = int_cell(k, r, 1, &null);
		type = int_cell(k, r, 3, &null);
		if (num < 1 || num > (int32_t)RD_MAX_MSI_COLUMNS ||
		    seen[num - 1] || !cname)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, k->stream, k->col[1].at + (size_t)r * 2),
			    "_Columns row %u: table %s column number %d is "
			    "out of range, repeated or unnamed", r + 1, name,
			    (int)num);
		seen[num - 1] = 1;
		t->col[num - 1].name_off = cname->off;
		t->col[num - 1].name_len = cname->len;
		t->col[num - 1].type = (unsigned)type & 0xFFFFu;
		n++;
	}
	for (c = 0; c < n; c++)
		if (!seen[c])
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, k->stream, 0), "_Columns: table %s has %u "
			    "columns but no column %u", name, n, c + 1);
	t->ncols = n;
	if (n == 0)
		return ASMGATE_OK;
	*present = 1;
	return layout(x, t, err);
}

/* Index of t's column named cname with a type of category cat (any
 * integer for T_LONG|T_SHORT), or an error. */
static asmgate_status
column(msi_ctx *x, const msi_table *t, const char *cname, int want_string,
    unsigned *out, asmgate_error *err)
{
	size_t n = strlen(cname);
	unsigned c;

	for (c = 0; c < t->ncols; c++) {
		const msi_col *col = &t->col[c];
		unsigned cat = col->type & T_CATEGORY;

		if (col->name_len != n ||
		    memcmp(x->pool.data + col->name_off, cname, n) != 0)
			continue;
		if (col->width == 0 || (want_string ? cat != T_STRING :
		    (cat != T_SHORT && cat != T_LONG)))
			break;
		*out = c;
		return ASMGATE_OK;
	}
	return rd_fail(err, ASMGATE_E_MALFORMED, at(x, x->cols.stream, 0),
	    "table %s has no stored %s column %s", t->name,
	    want_string ? "string" : "integer", cname);
}

/* ------------------------------------------------------------ paths */

/* System folder properties (Windows Installer: "System Folder
 * Properties"): the installer sets them to the system's folders, so a
 * directory with one of these keys is named by the key without
 * "Folder". */
static const char *const system_folders[] = {
	"AdminToolsFolder", "AppDataFolder", "CommonAppDataFolder",
	"CommonFiles64Folder", "CommonFiles6432Folder", "CommonFilesFolder",
	"DesktopFolder", "FavoritesFolder", "FontsFolder",
	"LocalAppDataFolder", "MyPicturesFolder", "NetHoodFolder",
	"PersonalFolder", "PrintHoodFolder", "ProgramFiles64Folder",
	"ProgramFiles6432Folder", "ProgramFilesFolder", "ProgramMenuFolder",
	"RecentFolder", "SendToFolder", "StartMenuFolder", "StartupFolder",
	"System16Folder", "System64Folder", "System6432Folder",
	"SystemFolder", "TempFolder", "TemplateFolder", "WindowsFolder",
	"WindowsVolume",
};

/* A grown string. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
} sbuf;

static void
sb_add(sbuf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->len <= n) {
		size_t cap = (b->len + n) * 2 + 32;
		char *q = realloc(b->p, cap);

		if (!q) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* CP1252 0x80-0x9F (the Windows code page of most databases);
 * undefined bytes map to U+FFFD. */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Append n bytes of database text as UTF-8: kept as they are for the
 * UTF-8 code page (65001) and for other multi-byte code pages (the
 * container API leaves invalid UTF-8 for the caller to escape);
 * converted from Windows-1252 for code pages 0 (neutral) and 1252. */
static void
sb_text(sbuf *b, const msi_ctx *x, const uint8_t *s, size_t n)
{
	size_t i;

	if (x->pool.codepage != 0 && x->pool.codepage != 1252) {
		sb_add(b, s, n);
		return;
	}
	for (i = 0; i < n; i++) {
		uint32_t cp = s[i];
		char u[3];

		if (cp < 0x80) {
			sb_add(b, &s[i], 1);
			continue;
		}
		if (cp < 0xA0)
			cp = cp1252_hi[cp - 0x80];
		if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3F));
			sb_add(b, u, 2);
		} else {
			u[0] = (char)(0xE0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			sb_add(b, u, 3);
		}
	}
}

/* The long name of a "short|long" value (the whole value without '|'):
 * part of a DefaultDir or FileName. */
static void
long_name(const uint8_t *s, size_t n, const uint8_t **out, size_t *len)
{
	const uint8_t *bar = memchr(s, '|', n);

	if (bar) {
		n -= (size_t)(bar + 1 - s);
		s = bar + 1;
	}
	*out = s;
	*len = n;
}

typedef struct dir_node {
	const uint8_t *kp;      /* the key's bytes, for sorting */
	size_t kn;
	const pool_str *key, *parent, *def;
	uint32_t row;
	int state;              /* 0 new, 1 resolving, 2 done */
	char *target;           /* install path ("" for a root) */
	char *source;           /* path in the source image */
} dir_node;

/* Directory rows sorted by key for lookup (keys are unique). */
typedef struct dir_set {
	dir_node *v;
	uint32_t n;
} dir_set;

static int
bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int d = n ? memcmp(a, b, n) : 0;

	if (d)
		return d;
	return an < bn ? -1 : an > bn;
}

static int
cmp_dir(const void *a, const void *b)
{
	const dir_node *x = a, *y = b;

	return bytes_cmp(x->kp, x->kn, y->kp, y->kn);
}

static dir_node *
find_dir(const dir_set *d, const uint8_t *k, size_t kn)
{
	uint32_t lo = 0, hi = d->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = bytes_cmp(d->v[mid].kp, d->v[mid].kn, k, kn);

		if (c == 0)
			return &d->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *
system_folder(const msi_ctx *x, const pool_str *key)
{
	size_t i;

	for (i = 0; i < sizeof(system_folders) / sizeof(system_folders[0]);
	    i++)
		if (str_is(x, key, system_folders[i]))
			return system_folders[i];
	return NULL;
}

/* Append segment s (n bytes) of a path; "." and empty add nothing. */
static void
add_segment(sbuf *b, const msi_ctx *x, const uint8_t *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.'))
		return;
	if (b->len > 0)
		sb_add(b, "/", 1);
	sb_text(b, x, s, n);
}

/*
 * Resolve node d: its target (install) path and its source path. A
 * DefaultDir is "target[:source]", each "short|long" or one name. The
 * walk up the parents is iterative-recursive with a depth cap and a
 * cycle check (state 1 = on the current path).
 */
static asmgate_status
resolve_dir(msi_ctx *x, const msi_table *t, dir_set *ds, dir_node *d,
    unsigned depth, asmgate_error *err)
{
	const uint8_t *def, *colon, *tp, *sp, *ln;
	size_t dn, tn, sn, lnn;
	dir_node *parent = NULL;
	sbuf tb = { 0 }, sbb = { 0 };
	const char *sys;
	asmgate_status st;

	if (d->state == 2)
		return ASMGATE_OK;
	if (d->state == 1 || depth > RD_MAX_MSI_PATH_DEPTH)
		return rd_fail(err, ASMGATE_E_MALFORMED,
		    at(x, t->stream, t->col[0].at + (size_t)d->row *
		    t->col[0].width), "table Directory: row %u is in a cycle "
		    "of parents or nested deeper than %u", d->row + 1,
		    RD_MAX_MSI_PATH_DEPTH);
	d->state = 1;
	if (d->parent && !str_eq(x, d->parent, d->key)) {
		parent = find_dir(ds, x->pool.data + d->parent->off,
		    d->parent->len);
		if (!parent)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, t->stream, t->col[1].at + (size_t)d->row *
			    t->col[1].width), "table Directory: row %u names "
			    "a parent directory that does not exist",
			    d->row + 1);
		if ((st = resolve_dir(x, t, ds, parent, depth + 1, err)) !=
		    ASMGATE_OK)
			return st;
	}
	def = d->def ? x->pool.data + d->def->off : (const uint8_t *)"";
	dn = d->def ? d->def->len : 0;
	colon = memchr(def, ':', dn);
	tp = def;
	tn = colon ? (size_t)(colon - def) : dn;
	sp = colon ? colon + 1 : def;
	sn = colon ? dn - tn - 1 : tn;
	sys = system_folder(x, d->key);
	sb_add(&tb, "", 0);
	sb_add(&sbb, "", 0);
	if (sys) {
		sb_add(&tb, sys, strcmp(sys, "WindowsVolume") == 0 ?
		    strlen(sys) : strlen(sys) - 6);
	} else if (parent) {
		sb_add(&tb, parent->target, strlen(parent->target));
		long_name(tp, tn, &ln, &lnn);
		add_segment(&tb, x, ln, lnn);
	}
	if (parent) {
		sb_add(&sbb, parent->source, strlen(parent->source));
		long_name(sp, sn, &ln, &lnn);
		add_segment(&sbb, x, ln, lnn);
	}
	if (tb.oom || sbb.oom) {
		free(tb.p);
		free(sbb.p);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	d->target = tb.p;
	d->source = sbb.p;
	d->state = 2;
	return ASMGATE_OK;
}

/* ------------------------------------------------------------ cabinets */

static int
cmp_member_name(const void *a, const void *b)
{
	const ctr_member *x = *(const ctr_member *const *)a;
	const ctr_member *y = *(const ctr_member *const *)b;

	return strcmp(x->info.name, y->info.name);
}

/* Directory part of path ("." when none), for files beside it. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	if (slash)
		memcpy(d, path, n);
	else
		d[0] = '.';
	d[n] = '\0';
	if (slash && n == 0) {
		d[0] = '/';
		d[1] = '\0';
	}
	return d;
}

static char *
join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

/* A cabinet or source file name is used only as a plain relative path:
 * no absolute path, drive, ".." segment or control character. */
static int
safe_relative(const char *s)
{
	const char *p;

	if (s[0] == '\0' || s[0] == '/' || s[0] == '\\' ||
	    (s[0] != '\0' && s[1] == ':'))
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			return 0;
	for (p = s; *p;) {
		size_t n = strcspn(p, "/\\");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return 1;
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Open cabinet k (its name set); a missing external cabinet is noted
 * in cab->missing, a bad one is an error. */
static asmgate_status
open_cab(msi_ctx *x, msi_cab *cab, asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];
	size_t i, n;
	asmgate_status st;

	(void)rd_printable(q, sizeof(q), cab->name, CTR_QUOTE_MAX);
	if (cab->embedded) {
		const cfb_entry *e;
		const uint8_t *src;
		size_t len = 0;

		cab->stream = find_stream(x->st->f, cab->name,
		    strlen(cab->name), 0);
		if (cab->stream == CFB_NONE)
			return rd_fail(err, ASMGATE_E_MALFORMED, x->err_at,
			    "table Media names the cabinet stream '%s', which "
			    "the database does not hold", q);
		e = cfb_entry_at(x->st->f, cab->stream);
		if (e->size > RD_MAX_FILE_BYTES)
			return rd_fail(err, ASMGATE_E_LIMIT, e->offset,
			    "cabinet stream '%s': %llu bytes, above the limit",
			    q, (unsigned long long)e->size);
		/* Borrowed from the database's bytes when the stream lies
		 * in one piece (the container outlives its cabinets), else
		 * gathered. */
		src = cfb_contiguous(x->st->f, cab->stream);
		len = (size_t)e->size;
		if (!src) {
			if ((st = cfb_read(x->st->f, cab->stream,
			    RD_MAX_FILE_BYTES, &cab->bytes, &len, err)) !=
			    ASMGATE_OK)
				return st;
			src = cab->bytes;
		}
		if (asmgate_container_detect(src, len) !=
		    ASMGATE_CONTAINER_CAB)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, cab->stream, 0), "stream '%s' named as a "
			    "cabinet by table Media is not a cabinet", q);
		st = asmgate_container_open_memory(&cab->c, src, len, err);
		if (st != ASMGATE_OK) {
			if (err && err->has_offset)
				err->offset = at(x, cab->stream, err->offset);
			{
				char pre[CTR_QUOTE_BUF + 16];
				(void)snprintf(pre, sizeof(pre), "cabinet '%s'",
				    q);
				rd_err_prefix(err, pre);
			}
			return st;
		}
	} else {
		char *dir, *path;
		asmgate_error e2;

		if (!x->c->path) {
			(void)snprintf(cab->missing, sizeof(cab->missing),
			    "in the external cabinet '%s', not available "
			    "inside another container", q);
			return ASMGATE_OK;
		}
		if (!safe_relative(cab->name) || strpbrk(cab->name, "/\\")) {
			(void)snprintf(cab->missing, sizeof(cab->missing),
			    "in the external cabinet '%s', whose name is not "
			    "a plain file name", q);
			return ASMGATE_OK;
		}
		dir = dir_of(x->c->path);
		path = dir ? join(dir, cab->name) : NULL;
		free(dir);
		if (!path)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		asmgate_error_clear(&e2);
		st = asmgate_container_open(&cab->c, path, &e2);
		if (st == ASMGATE_E_IO && !exists(path)) {
			free(path);
			(void)snprintf(cab->missing, sizeof(cab->missing),
			    "in the external cabinet '%s', which is not beside "
			    "the database", q);
			return ASMGATE_OK;
		}
		free(path);
		if (st != ASMGATE_OK) {
			if (err)
				*err = e2;
			{
				char pre[CTR_QUOTE_BUF + 32];
				(void)snprintf(pre, sizeof(pre),
				    "external cabinet '%s'", q);
				rd_err_prefix(err, pre);
			}
			if (err)
				err->has_offset = 0;
			return st;
		}
		if (asmgate_container_get_format(cab->c) !=
		    ASMGATE_CONTAINER_CAB)
			return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "external cabinet '%s' is not a cabinet", q);
	}
	n = asmgate_container_count(cab->c);
	cab->sorted = malloc((n + 1) * sizeof(*cab->sorted));
	if (!cab->sorted)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		cab->sorted[i] = &cab->c->members[i];
	qsort(cab->sorted, n, sizeof(*cab->sorted), cmp_member_name);
	return ASMGATE_OK;
}

/* ------------------------------------------------------------ members */

/* A row found by its primary key (string), for Component and
 * MsiAssembly lookups. */
typedef struct keyed {
	const uint8_t *kp;
	size_t kn;
	uint32_t row;
} keyed;

static int
cmp_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int d = bytes_cmp(x->kp, x->kn, y->kp, y->kn);

	return d ? d : (x->row > y->row) - (x->row < y->row);
}

static const keyed *
find_keyed(const keyed *v, uint32_t n, const pool_str *k,
    const msi_ctx *x)
{
	uint32_t lo = 0, hi = n;

	if (!k)
		return NULL;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = bytes_cmp(v[mid].kp, v[mid].kn, x->pool.data + k->off,
		    k->len);

		if (c == 0) {
			while (mid > 0 && bytes_cmp(v[mid - 1].kp,
			    v[mid - 1].kn, v[mid].kp, v[mid].kn) == 0)
				mid--;
			return &v[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Index t's rows by the string column kc; with unique, duplicate keys
 * are an error. */
static asmgate_status
index_rows(msi_ctx *x, const msi_table *t, unsigned kc, int unique,
    keyed **out, asmgate_error *err)
{
	keyed *v = malloc(((size_t)t->nrows + 1) * sizeof(*v));
	uint32_t r;
	asmgate_status st;

	*out = NULL;
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (r = 0; r < t->nrows; r++) {
		const pool_str *k;

		if ((st = string_ref(x, t, r, kc, &k, err)) != ASMGATE_OK) {
			free(v);
			return st;
		}
		v[r].kp = k ? x->pool.data + k->off : (const uint8_t *)"";
		v[r].kn = k ? k->len : 0;
		v[r].row = r;
	}
	qsort(v, t->nrows, sizeof(*v), cmp_keyed);
	for (r = 1; unique && r < t->nrows; r++)
		if (bytes_cmp(v[r - 1].kp, v[r - 1].kn, v[r].kp, v[r].kn) ==
		    0) {
			uint32_t row = v[r].row;

			free(v);
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, t->stream, t->col[kc].at + (size_t)row *
			    t->col[kc].width), "table %s: row %u repeats the "
			    "key of another row", t->name, row + 1);
		}
	*out = v;
	return ASMGATE_OK;
}

/* One File row while members are built. */
typedef struct file_row {
	uint32_t row;
	int32_t seq;
	int32_t attrs;
	int64_t size;
	const pool_str *key;
	char *name;             /* install path */
	char *source;           /* source image path (relative) */
	int cab;                /* cabinet index or -1 */
	uint64_t offset;        /* file offset of its File key cell */
} file_row;

/* Order by a sequence number, then by row (qsort is not stable). */
static int
cmp_seq_row(int64_t a, uint32_t ra, int64_t b, uint32_t rb)
{
	if (a != b)
		return a < b ? -1 : 1;
	return (ra > rb) - (ra < rb);
}

static int
cmp_file_seq(const void *a, const void *b)
{
	const file_row *x = a, *y = b;

	return cmp_seq_row(x->seq, x->row, y->seq, y->row);
}

static int
fold_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

static int
cmp_name_ptr(const void *a, const void *b)
{
	const file_row *x = *(const file_row *const *)a;
	const file_row *y = *(const file_row *const *)b;
	const char *p = x->name, *q = y->name;

	for (; *p && *q; p++, q++) {
		int cp = (unsigned char)*p, cq = (unsigned char)*q;

		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		if (cq >= 'A' && cq <= 'Z')
			cq += 32;
		if (cp != cq)
			return cp - cq;
	}
	return (unsigned char)*p - (unsigned char)*q;
}

/* Files installing to one path (conditional components do that) are
 * told apart by "#<File key>". */
static asmgate_status
disambiguate(msi_ctx *x, file_row *f, uint32_t n, asmgate_error *err)
{
	file_row **v = malloc(((size_t)n + 1) * sizeof(*v));
	uint32_t i, j;

	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		v[i] = &f[i];
	qsort(v, n, sizeof(*v), cmp_name_ptr);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fold_eq(v[i]->name, v[j]->name); j++)
			;
		if (j - i > 1) {
			uint32_t k;

			for (k = i; k < j; k++) {
				sbuf b = { 0 };

				sb_add(&b, v[k]->name, strlen(v[k]->name));
				sb_add(&b, "#", 1);
				sb_text(&b, x, x->pool.data + v[k]->key->off,
				    v[k]->key->len);
				if (b.oom) {
					free(b.p);
					free(v);
					return rd_fail_nooff(err,
					    ASMGATE_E_NOMEM, "out of memory");
				}
				free(v[k]->name);
				v[k]->name = b.p;
			}
		}
	}
	free(v);
	return ASMGATE_OK;
}

/* Index of the cabinet called name (embedded or not), added when new. */
static asmgate_status
cab_index(msi_ctx *x, const uint8_t *name, size_t n, int embedded,
    int *out, asmgate_error *err)
{
	msi_state *st = x->st;
	msi_cab *v;
	size_t i;

	for (i = 0; i < st->ncabs; i++)
		if (st->cabs[i].embedded == embedded &&
		    strlen(st->cabs[i].name) == n &&
		    memcmp(st->cabs[i].name, name, n) == 0) {
			*out = (int)i;
			return ASMGATE_OK;
		}
	if (st->ncabs >= RD_MAX_MSI_CABINETS)
		return rd_fail(err, ASMGATE_E_LIMIT, x->err_at,
		    "table Media names more than %u cabinets",
		    RD_MAX_MSI_CABINETS);
	if (memchr(name, '\0', n))
		return rd_fail(err, ASMGATE_E_MALFORMED, x->err_at,
		    "table Media: a cabinet name holds a NUL byte");
	v = realloc(st->cabs, (st->ncabs + 1) * sizeof(*v));
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	st->cabs = v;
	memset(&v[st->ncabs], 0, sizeof(*v));
	v[st->ncabs].name = malloc(n + 1);
	if (!v[st->ncabs].name)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	memcpy(v[st->ncabs].name, name, n);
	v[st->ncabs].name[n] = '\0';
	v[st->ncabs].embedded = embedded;
	v[st->ncabs].stream = CFB_NONE;
	*out = (int)st->ncabs++;
	return ASMGATE_OK;
}

/* The tables this reader uses and the columns it reads. */
typedef struct msi_tables {
	msi_table dir, comp, file, media, asm_;
	int has_dir, has_comp, has_file, has_media, has_asm;
	unsigned d_key, d_parent, d_def;
	unsigned c_key, c_dir;
	unsigned f_key, f_comp, f_name, f_size, f_attrs, f_seq;
	unsigned m_last, m_cab;
	unsigned a_comp, a_app, a_attrs;
} msi_tables;

static void
free_tables(msi_tables *t)
{
	free(t->dir.data);
	free(t->comp.data);
	free(t->file.data);
	free(t->media.data);
	free(t->asm_.data);
}

static asmgate_status
load_tables(msi_ctx *x, msi_tables *t, asmgate_error *err)
{
	asmgate_status st;

	if ((st = load_table(x, &t->file, "File", &t->has_file, err)) ||
	    (st = load_table(x, &t->comp, "Component", &t->has_comp, err)) ||
	    (st = load_table(x, &t->dir, "Directory", &t->has_dir, err)) ||
	    (st = load_table(x, &t->media, "Media", &t->has_media, err)) ||
	    (st = load_table(x, &t->asm_, "MsiAssembly", &t->has_asm, err)))
		return st;
	if (!t->has_file || t->file.nrows == 0)
		return ASMGATE_OK;
	if (!t->has_comp || !t->has_dir)
		return rd_fail(err, ASMGATE_E_MALFORMED, at(x, t->file.stream,
		    0), "table File has rows but the database has no %s "
		    "table", t->has_comp ? "Directory" : "Component");
	if ((st = column(x, &t->file, "File", 1, &t->f_key, err)) ||
	    (st = column(x, &t->file, "Component_", 1, &t->f_comp, err)) ||
	    (st = column(x, &t->file, "FileName", 1, &t->f_name, err)) ||
	    (st = column(x, &t->file, "FileSize", 0, &t->f_size, err)) ||
	    (st = column(x, &t->file, "Attributes", 0, &t->f_attrs, err)) ||
	    (st = column(x, &t->file, "Sequence", 0, &t->f_seq, err)) ||
	    (st = column(x, &t->comp, "Component", 1, &t->c_key, err)) ||
	    (st = column(x, &t->comp, "Directory_", 1, &t->c_dir, err)) ||
	    (st = column(x, &t->dir, "Directory", 1, &t->d_key, err)) ||
	    (st = column(x, &t->dir, "Directory_Parent", 1, &t->d_parent,
	    err)) ||
	    (st = column(x, &t->dir, "DefaultDir", 1, &t->d_def, err)))
		return st;
	if (t->has_media &&
	    ((st = column(x, &t->media, "LastSequence", 0, &t->m_last, err)) ||
	    (st = column(x, &t->media, "Cabinet", 1, &t->m_cab, err))))
		return st;
	if (t->has_asm &&
	    ((st = column(x, &t->asm_, "Component_", 1, &t->a_comp, err)) ||
	    (st = column(x, &t->asm_, "File_Application", 1, &t->a_app,
	    err)) ||
	    (st = column(x, &t->asm_, "Attributes", 0, &t->a_attrs, err))))
		return st;
	return ASMGATE_OK;
}

/* Media rows by LastSequence, for the file-to-cabinet mapping. */
typedef struct media_row {
	int32_t last;
	uint32_t row;
	int cab;                /* -1: no cabinet (uncompressed media) */
} media_row;

static int
cmp_media(const void *a, const void *b)
{
	const media_row *x = a, *y = b;

	return cmp_seq_row(x->last, x->row, y->last, y->row);
}

static asmgate_status
load_media(msi_ctx *x, msi_tables *t, media_row **out, uint32_t *nout,
    asmgate_error *err)
{
	media_row *m;
	uint32_t r, n = t->has_media ? t->media.nrows : 0;
	asmgate_status st;

	*out = NULL;
	*nout = 0;
	m = calloc((size_t)n + 1, sizeof(*m));
	if (!m)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (n == 0) {
		/* A merge module: one cabinet stream for every file. */
		if (find_stream(x->st->f, "MergeModule.CABinet", 19, 0) !=
		    CFB_NONE) {
			m[0].last = INT32_MAX;
			if ((st = cab_index(x, (const uint8_t *)
			    "MergeModule.CABinet", 19, 1, &m[0].cab, err)) !=
			    ASMGATE_OK) {
				free(m);
				return st;
			}
			*out = m;
			*nout = 1;
			return ASMGATE_OK;
		}
		free(m);
		return ASMGATE_OK;
	}
	for (r = 0; r < n; r++) {
		const pool_str *cab;
		int null;

		m[r].row = r;
		m[r].last = int_cell(&t->media, r, t->m_last, &null);
		m[r].cab = -1;
		if ((st = string_ref(x, &t->media, r, t->m_cab, &cab, err)) !=
		    ASMGATE_OK)
			goto fail;
		if (!cab || cab->len == 0)
			continue;
		x->err_at = at(x, t->media.stream, t->media.col[t->m_cab].at +
		    (size_t)r * t->media.col[t->m_cab].width);
		if (x->pool.data[cab->off] == '#')
			st = cab_index(x, x->pool.data + cab->off + 1,
			    cab->len - 1, 1, &m[r].cab, err);
		else
			st = cab_index(x, x->pool.data + cab->off, cab->len, 0,
			    &m[r].cab, err);
		if (st != ASMGATE_OK)
			goto fail;
	}
	qsort(m, n, sizeof(*m), cmp_media);
	*out = m;
	*nout = n;
	return ASMGATE_OK;
fail:
	free(m);
	return st;
}

/* The cabinet member called key in cabinet k, or NULL. */
static const ctr_member *
cab_member(const msi_cab *cab, const char *key)
{
	size_t lo = 0, hi = asmgate_container_count(cab->c);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(cab->sorted[mid]->info.name, key);

		if (c == 0)
			return cab->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Fill member record cm and source src from file row f. */
static asmgate_status
make_member(msi_ctx *x, file_row *f, ctr_member *cm, msi_src *src,
    asmgate_error *err)
{
	msi_state *st = x->st;
	sbuf k = { 0 };
	char why[160];

	why[0] = '\0';
	sb_text(&k, x, x->pool.data + f->key->off, f->key->len);
	if (k.oom || !k.p) {
		free(k.p);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	cm->info.name = f->name;
	f->name = NULL;
	cm->name_len = strlen(cm->info.name);
	cm->info.key = k.p;
	cm->dir_offset = f->offset;
	cm->info.header_offset = f->offset;
	cm->info.data_offset = f->offset;
	cm->data_end = f->offset;
	cm->info.method_name = "stored";
	src->cab = -1;
	if (f->cab >= 0) {
		msi_cab *cab = &st->cabs[f->cab];
		const ctr_member *im = cab->c ? cab_member(cab, k.p) : NULL;

		if (!cab->c) {
			(void)snprintf(why, sizeof(why), "%s", cab->missing);
		} else if (im) {
			src->cab = f->cab;
			src->member = (size_t)(im - cab->c->members);
			cm->info.size = im->info.size;
			cm->info.compressed_size = im->info.compressed_size;
			cm->info.method = im->info.method;
			cm->info.method_name = im->info.method_name;
			cm->info.unsupported = im->info.unsupported;
			if (cab->embedded) {
				cm->info.header_offset = at(x, cab->stream,
				    im->info.header_offset);
				cm->info.data_offset = at(x, cab->stream,
				    im->info.data_offset);
			}
			return ASMGATE_OK;
		} else if (!(f->attrs & FILE_NONCOMPRESSED)) {
			char q[CTR_QUOTE_BUF];

			(void)rd_printable(q, sizeof(q), cab->name,
			    CTR_QUOTE_MAX);
			(void)snprintf(why, sizeof(why), "its File key is not "
			    "a member of cabinet '%s'", q);
		}
	}
	if (why[0] == '\0') {
		/* Uncompressed: the source image beside the database. */
		char *dir, *path;
		sbuf rel = { 0 };

		if (!x->c->path) {
			(void)snprintf(why, sizeof(why), "an uncompressed file "
			    "of the source image, not available inside another "
			    "container");
		} else if (!safe_relative(f->source)) {
			(void)snprintf(why, sizeof(why), "an uncompressed file "
			    "whose source path is not a relative path");
		} else {
			dir = dir_of(x->c->path);
			path = dir ? join(dir, f->source) : NULL;
			free(dir);
			if (!path) {
				free(rel.p);
				return rd_fail_nooff(err, ASMGATE_E_NOMEM,
				    "out of memory");
			}
			if (!exists(path)) {
				char q[CTR_QUOTE_BUF];

				(void)rd_printable(q, sizeof(q), f->source,
				    CTR_QUOTE_MAX);
				(void)snprintf(why, sizeof(why), "uncompressed "
				    "source file '%s' is not beside the "
				    "database", q);
				free(path);
			} else {
				src->file = path;
				cm->info.size = (uint64_t)f->size;
				cm->info.compressed_size = (uint64_t)f->size;
				return ASMGATE_OK;
			}
		}
	}
	src->why = strdup(why);
	if (!src->why)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	cm->info.unsupported = src->why;
	cm->info.method_name = "none";
	return ASMGATE_OK;
}

/* The path a file installs to: its component's directory and the long
 * name of FileName; GlobalAssemblyCache/<name> for .NET assemblies the
 * MsiAssembly table sends to the global assembly cache. */
static asmgate_status
file_paths(msi_ctx *x, msi_tables *t, dir_set *ds, const keyed *comps,
    const keyed *asms, file_row *f, asmgate_error *err)
{
	const pool_str *comp, *fname, *dkey;
	const keyed *ck;
	const uint8_t *ln;
	size_t lnn;
	dir_node *d;
	sbuf tb = { 0 }, sb = { 0 };
	int gac = 0;
	asmgate_status st;

	if ((st = string_ref(x, &t->file, f->row, t->f_comp, &comp, err)) ||
	    (st = string_ref(x, &t->file, f->row, t->f_name, &fname, err)))
		return st;
	ck = find_keyed(comps, t->comp.nrows, comp, x);
	if (!ck || !fname)
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
		    "table File: row %u %s", f->row + 1, !fname ?
		    "has no FileName" : "names a component that table "
		    "Component does not hold");
	if ((st = string_ref(x, &t->comp, ck->row, t->c_dir, &dkey, err)))
		return st;
	d = dkey ? find_dir(ds, x->pool.data + dkey->off, dkey->len) : NULL;
	if (!d)
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
		    "table Component: row %u names a directory that table "
		    "Directory does not hold", ck->row + 1);
	if ((st = resolve_dir(x, &t->dir, ds, d, 0, err)) != ASMGATE_OK)
		return st;
	if (asms && t->has_asm) {
		const keyed *a = find_keyed(asms, t->asm_.nrows, comp, x);
		const pool_str *app;
		int null;

		if (a && (st = string_ref(x, &t->asm_, a->row, t->a_app, &app,
		    err)) != ASMGATE_OK)
			return st;
		if (a && !app && int_cell(&t->asm_, a->row, t->a_attrs,
		    &null) == 0)
			gac = 1;
	}
	long_name(x->pool.data + fname->off, fname->len, &ln, &lnn);
	if (gac) {
		sb_add(&tb, "GlobalAssemblyCache", 19);
	} else {
		sb_add(&tb, d->target, strlen(d->target));
	}
	add_segment(&tb, x, ln, lnn);
	sb_add(&sb, d->source, strlen(d->source));
	add_segment(&sb, x, ln, lnn);
	if (tb.oom || sb.oom || !tb.p || !sb.p) {
		free(tb.p);
		free(sb.p);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	if (tb.len == 0 || lnn == 0) {
		free(tb.p);
		free(sb.p);
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
		    "table File: row %u has an empty file name", f->row + 1);
	}
	/* A NUL inside a string of the pool would cut the name short. */
	if (strlen(tb.p) != tb.len || strlen(sb.p) != sb.len) {
		free(tb.p);
		free(sb.p);
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
		    "table File: row %u: its install path holds a NUL "
		    "character", f->row + 1);
	}
	f->name = tb.p;
	f->source = sb.p;
	return ASMGATE_OK;
}

static asmgate_status
build_members(msi_ctx *x, asmgate_error *err)
{
	asmgate_container *c = x->c;
	msi_state *st = x->st;
	msi_tables t;
	dir_set ds = { 0 };
	keyed *comps = NULL, *asms = NULL;
	media_row *media = NULL;
	file_row *files = NULL;
	uint32_t nmedia = 0, i, n;
	asmgate_status rc;

	memset(&t, 0, sizeof(t));
	if ((rc = load_tables(x, &t, err)) != ASMGATE_OK)
		goto out;
	n = t.has_file ? t.file.nrows : 0;
	if (n == 0)
		goto out;
	if (n > RD_MAX_CONTAINER_MEMBERS) {
		rc = rd_fail(err, ASMGATE_E_LIMIT, at(x, t.file.stream, 0),
		    "table File: %u rows, above the limit of %u members", n,
		    RD_MAX_CONTAINER_MEMBERS);
		goto out;
	}
	/* Directories, components, assemblies by key. */
	ds.n = t.dir.nrows;
	ds.v = calloc((size_t)ds.n + 1, sizeof(*ds.v));
	files = calloc((size_t)n, sizeof(*files));
	if (!ds.v || !files) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ds.n; i++) {
		dir_node *d = &ds.v[i];

		d->row = i;
		if ((rc = string_ref(x, &t.dir, i, t.d_key, &d->key, err)) ||
		    (rc = string_ref(x, &t.dir, i, t.d_parent, &d->parent,
		    err)) ||
		    (rc = string_ref(x, &t.dir, i, t.d_def, &d->def, err)))
			goto out;
		if (!d->key) {
			rc = rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, t.dir.stream, 0), "table Directory: row %u "
			    "has no key", i + 1);
			goto out;
		}
		d->kp = x->pool.data + d->key->off;
		d->kn = d->key->len;
	}
	qsort(ds.v, ds.n, sizeof(*ds.v), cmp_dir);
	for (i = 1; i < ds.n; i++)
		if (cmp_dir(&ds.v[i - 1], &ds.v[i]) == 0) {
			rc = rd_fail(err, ASMGATE_E_MALFORMED,
			    at(x, t.dir.stream, 0), "table Directory: rows %u "
			    "and %u have the same key", ds.v[i - 1].row + 1,
			    ds.v[i].row + 1);
			goto out;
		}
	if ((rc = index_rows(x, &t.comp, t.c_key, 1, &comps, err)) ||
	    (t.has_asm &&
	    (rc = index_rows(x, &t.asm_, t.a_comp, 0, &asms, err))))
		goto out;
	if ((rc = load_media(x, &t, &media, &nmedia, err)) != ASMGATE_OK)
		goto out;
	for (i = 0; i < st->ncabs; i++)
		if ((rc = open_cab(x, &st->cabs[i], err)) != ASMGATE_OK)
			goto out;
	/* Files. */
	for (i = 0; i < n; i++) {
		file_row *f = &files[i];
		int null;
		uint32_t m;

		f->row = i;
		f->offset = at(x, t.file.stream, t.file.col[t.f_key].at +
		    (size_t)i * t.file.col[t.f_key].width);
		if ((rc = string_ref(x, &t.file, i, t.f_key, &f->key, err)))
			goto out;
		if (!f->key || f->key->len == 0) {
			rc = rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
			    "table File: row %u has no key", i + 1);
			goto out;
		}
		f->seq = int_cell(&t.file, i, t.f_seq, &null);
		f->attrs = int_cell(&t.file, i, t.f_attrs, &null);
		f->size = int_cell(&t.file, i, t.f_size, &null);
		if (f->size < 0) {
			rc = rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
			    "table File: row %u has a negative FileSize",
			    i + 1);
			goto out;
		}
		f->cab = -1;
		for (m = 0; m < nmedia; m++)
			if (media[m].last >= f->seq) {
				f->cab = media[m].cab;
				break;
			}
		if ((rc = file_paths(x, &t, &ds, comps, asms, f, err)) !=
		    ASMGATE_OK)
			goto out;
	}
	if ((rc = disambiguate(x, files, n, err)) != ASMGATE_OK)
		goto out;
	qsort(files, n, sizeof(*files), cmp_file_seq);
	c->members = calloc(n, sizeof(*c->members));
	st->src = calloc(n, sizeof(*st->src));
	if (!c->members || !st->src) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		c->nmembers = i + 1;
		if ((rc = make_member(x, &files[i], &c->members[i],
		    &st->src[i], err)) != ASMGATE_OK)
			goto out;
	}
	rc = ASMGATE_OK;
out:
	for (i = 0; files && i < n; i++) {
		free(files[i].name);
		free(files[i].source);
	}
	for (i = 0; ds.v && i < ds.n; i++) {
		free(ds.v[i].target);
		free(ds.v[i].source);
	}
	free(files);
	free(ds.v);
	free(comps);
	free(asms);
	free(media);
	free_tables(&t);
	return rc;
}

static asmgate_status
msi_open(asmgate_container *c, asmgate_error *err)
{
	static const uint16_t digsig[] = { 5, 'D', 'i', 'g', 'i', 't', 'a',
	    'l', 'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e' };
	msi_ctx x;
	msi_state *st;
	asmgate_status rc;

	st = calloc(1, sizeof(*st));
	if (!st)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	c->fmt = st;
	c->ranges_checked = 1;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.st = st;
	x.cols.stream = CFB_NONE;
	if ((rc = cfb_open(&st->f, c->data, c->size, err)) != ASMGATE_OK)
		return rc;
	st->signed_db = cfb_find(st->f, 0, digsig,
	    sizeof(digsig) / sizeof(digsig[0])) != CFB_NONE;
	c->has_signature = st->signed_db;
	if ((rc = load_pool(&x, err)) == ASMGATE_OK &&
	    (rc = load_columns(&x, err)) == ASMGATE_OK)
		rc = build_members(&x, err);
	free(x.pool.data);
	free(x.pool.s);
	free(x.cols.data);
	return rc;
}

/* Member bytes from an uncompressed source file beside the database,
 * which must have the size table File gives. */
static asmgate_status
extract_file(const ctr_member *m, const char *path, uint8_t *dst,
    size_t n, int whole, size_t *got, asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];
	rd_file f;
	asmgate_status st;

	memset(&f, 0, sizeof(f));
	if ((st = rd_file_open(&f, path, RD_MAX_FILE_BYTES, err)) !=
	    ASMGATE_OK)
		return st;
	if (f.size != m->info.size) {
		size_t had = f.size;

		rd_file_close(&f);
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED, "member '%s': "
		    "source file has %zu bytes, table File says %llu",
		    ctr_quote(q, m), had, (unsigned long long)m->info.size);
	}
	if (n > f.size)
		n = f.size;
	if (n)
		memcpy(dst, f.data, n);
	*got = n;
	(void)whole;
	rd_file_close(&f);
	return ASMGATE_OK;
}

static asmgate_status
msi_extract(const asmgate_container *c, const ctr_member *m, uint8_t *dst,
    size_t n, int whole, size_t *got, asmgate_error *err)
{
	const msi_state *st = c->fmt;
	const msi_src *src = &st->src[m - c->members];
	const msi_cab *cab;
	char q[CTR_QUOTE_BUF], pre[CTR_QUOTE_BUF + 64];
	asmgate_status rc;

	*got = 0;
	if (src->file)
		return extract_file(m, src->file, dst, n, whole, got, err);
	if (src->cab < 0)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, m->info.data_offset,
		    "member '%s': %s", ctr_quote(q, m), src->why ? src->why :
		    "no data");
	cab = &st->cabs[src->cab];
	rc = cab->c->ops->extract(cab->c, &cab->c->members[src->member], dst,
	    n, whole, got, err);
	if (rc == ASMGATE_OK || !err)
		return rc;
	(void)rd_printable(q, sizeof(q), cab->name, CTR_QUOTE_MAX);
	if (cab->embedded) {
		if (err->has_offset) {
			uint64_t o = cfb_file_offset(st->f, cab->stream,
			    err->offset);

			err->offset = o != UINT64_MAX ? o : m->info.data_offset;
		}
		(void)snprintf(pre, sizeof(pre), "cabinet '%s'", q);
	} else if (err->has_offset) {
		(void)snprintf(pre, sizeof(pre), "cabinet '%s' at 0x%llx", q,
		    (unsigned long long)err->offset);
		err->offset = m->info.data_offset;
	} else {
		(void)snprintf(pre, sizeof(pre), "cabinet '%s'", q);
	}
	rd_err_prefix(err, pre);
	return rc;
}

static void
msi_close(asmgate_container *c)
{
	msi_state *st = c->fmt;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->ncabs; i++) {
		asmgate_container_free(st->cabs[i].c);
		free(st->cabs[i].bytes);
		free(st->cabs[i].name);
		free(st->cabs[i].sorted);
	}
	free(st->cabs);
	for (i = 0; st->src && i < c->nmembers; i++) {
		free(st->src[i].file);
		free(st->src[i].why);
	}
	free(st->src);
	cfb_free(st->f);
	free(st);
	c->fmt = NULL;
}

const ctr_ops ctr_msi_ops = {
	ASMGATE_CONTAINER_MSI,
	"msi",
	msi_detect,
	msi_open,
	msi_extract,
	msi_close,
};
