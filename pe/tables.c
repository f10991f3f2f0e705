/*
 * tables.c - the #~ / #- tables stream (ECMA-335 II.24.2.6, II.22).
 *
 * The stream header gives the heap-index widths and a row count per
 * present table; the row size of every table follows from its columns
 * (II.22.2-II.22.39, Portable PDB tables 0x30-0x37) and from the widths
 * of heap, simple and coded indexes. The schema is data, below.
 */
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/safeint.h"

#define NONE 0xFFu /* an unused tag of a coded index */

/* II.24.2.6: coded indexes, their tag width and tables in tag order. */
static const struct {
	uint8_t bits;
	uint8_t n;
	uint8_t tables[27];
} coded[PE_CI_COUNT] = {
	[PE_CI_TYPEDEFORREF] = { 2, 3,
	    { PE_T_TYPEDEF, PE_T_TYPEREF, PE_T_TYPESPEC } },
	[PE_CI_HASCONSTANT] = { 2, 3,
	    { PE_T_FIELD, PE_T_PARAM, PE_T_PROPERTY } },
	[PE_CI_HASCUSTOMATTRIBUTE] = { 5, 22,
	    { PE_T_METHODDEF, PE_T_FIELD, PE_T_TYPEREF, PE_T_TYPEDEF,
	      PE_T_PARAM, PE_T_INTERFACEIMPL, PE_T_MEMBERREF, PE_T_MODULE,
	      PE_T_DECLSECURITY, PE_T_PROPERTY, PE_T_EVENT,
	      PE_T_STANDALONESIG, PE_T_MODULEREF, PE_T_TYPESPEC,
	      PE_T_ASSEMBLY, PE_T_ASSEMBLYREF, PE_T_FILE, PE_T_EXPORTEDTYPE,
	      PE_T_MANIFESTRESOURCE, PE_T_GENERICPARAM,
	      PE_T_GENERICPARAMCONSTRAINT, PE_T_METHODSPEC } },
	[PE_CI_HASFIELDMARSHAL] = { 1, 2, { PE_T_FIELD, PE_T_PARAM } },
	[PE_CI_HASDECLSECURITY] = { 2, 3,
	    { PE_T_TYPEDEF, PE_T_METHODDEF, PE_T_ASSEMBLY } },
	[PE_CI_MEMBERREFPARENT] = { 3, 5,
	    { PE_T_TYPEDEF, PE_T_TYPEREF, PE_T_MODULEREF, PE_T_METHODDEF,
	      PE_T_TYPESPEC } },
	[PE_CI_HASSEMANTICS] = { 1, 2, { PE_T_EVENT, PE_T_PROPERTY } },
	[PE_CI_METHODDEFORREF] = { 1, 2, { PE_T_METHODDEF, PE_T_MEMBERREF } },
	[PE_CI_MEMBERFORWARDED] = { 1, 2, { PE_T_FIELD, PE_T_METHODDEF } },
	[PE_CI_IMPLEMENTATION] = { 2, 3,
	    { PE_T_FILE, PE_T_ASSEMBLYREF, PE_T_EXPORTEDTYPE } },
	/* Tags 0, 1 and 4 are "not used"; only MethodDef and MemberRef
	 * count towards the width. */
	[PE_CI_CUSTOMATTRIBUTETYPE] = { 3, 5,
	    { NONE, NONE, PE_T_METHODDEF, PE_T_MEMBERREF, NONE } },
	[PE_CI_RESOLUTIONSCOPE] = { 2, 4,
	    { PE_T_MODULE, PE_T_MODULEREF, PE_T_ASSEMBLYREF, PE_T_TYPEREF } },
	[PE_CI_TYPEORMETHODDEF] = { 1, 2, { PE_T_TYPEDEF, PE_T_METHODDEF } },
	[PE_CI_HASCUSTOMDEBUGINFORMATION] = { 5, 27,
	    { PE_T_METHODDEF, PE_T_FIELD, PE_T_TYPEREF, PE_T_TYPEDEF,
	      PE_T_PARAM, PE_T_INTERFACEIMPL, PE_T_MEMBERREF, PE_T_MODULE,
	      PE_T_DECLSECURITY, PE_T_PROPERTY, PE_T_EVENT,
	      PE_T_STANDALONESIG, PE_T_MODULEREF, PE_T_TYPESPEC,
	      PE_T_ASSEMBLY, PE_T_ASSEMBLYREF, PE_T_FILE, PE_T_EXPORTEDTYPE,
	      PE_T_MANIFESTRESOURCE, PE_T_GENERICPARAM,
	      PE_T_GENERICPARAMCONSTRAINT, PE_T_METHODSPEC, PE_T_DOCUMENT,
	      PE_T_LOCALSCOPE, PE_T_LOCALVARIABLE, PE_T_LOCALCONSTANT,
	      PE_T_IMPORTSCOPE } },
};

struct col {
	uint8_t kind;
	uint8_t arg;
};

#define U8 { PE_COL_U8, 0 }
#define U16 { PE_COL_U16, 0 }
#define U32 { PE_COL_U32, 0 }
#define STR { PE_COL_STRING, 0 }
#define GUID { PE_COL_GUID, 0 }
#define BLOB { PE_COL_BLOB, 0 }
#define TBL(t) { PE_COL_TABLE, t }
#define CI(c) { PE_COL_CODED, c }

/* II.22: the columns of every table, in order. */
static const struct {
	uint8_t ncols;
	struct col cols[PE_MAX_COLUMNS];
} schema[PE_T_COUNT] = {
	[PE_T_MODULE] = { 5, { U16, STR, GUID, GUID, GUID } },
	[PE_T_TYPEREF] = { 3, { CI(PE_CI_RESOLUTIONSCOPE), STR, STR } },
	[PE_T_TYPEDEF] = { 6, { U32, STR, STR, CI(PE_CI_TYPEDEFORREF),
	    TBL(PE_T_FIELD), TBL(PE_T_METHODDEF) } },
	[PE_T_FIELDPTR] = { 1, { TBL(PE_T_FIELD) } },
	[PE_T_FIELD] = { 3, { U16, STR, BLOB } },
	[PE_T_METHODPTR] = { 1, { TBL(PE_T_METHODDEF) } },
	[PE_T_METHODDEF] = { 6, { U32, U16, U16, STR, BLOB,
	    TBL(PE_T_PARAM) } },
	[PE_T_PARAMPTR] = { 1, { TBL(PE_T_PARAM) } },
	[PE_T_PARAM] = { 3, { U16, U16, STR } },
	[PE_T_INTERFACEIMPL] = { 2, { TBL(PE_T_TYPEDEF),
	    CI(PE_CI_TYPEDEFORREF) } },
	[PE_T_MEMBERREF] = { 3, { CI(PE_CI_MEMBERREFPARENT), STR, BLOB } },
	[PE_T_CONSTANT] = { 4, { U8, U8, CI(PE_CI_HASCONSTANT), BLOB } },
	[PE_T_CUSTOMATTRIBUTE] = { 3, { CI(PE_CI_HASCUSTOMATTRIBUTE),
	    CI(PE_CI_CUSTOMATTRIBUTETYPE), BLOB } },
	[PE_T_FIELDMARSHAL] = { 2, { CI(PE_CI_HASFIELDMARSHAL), BLOB } },
	[PE_T_DECLSECURITY] = { 3, { U16, CI(PE_CI_HASDECLSECURITY), BLOB } },
	[PE_T_CLASSLAYOUT] = { 3, { U16, U32, TBL(PE_T_TYPEDEF) } },
	[PE_T_FIELDLAYOUT] = { 2, { U32, TBL(PE_T_FIELD) } },
	[PE_T_STANDALONESIG] = { 1, { BLOB } },
	[PE_T_EVENTMAP] = { 2, { TBL(PE_T_TYPEDEF), TBL(PE_T_EVENT) } },
	[PE_T_EVENTPTR] = { 1, { TBL(PE_T_EVENT) } },
	[PE_T_EVENT] = { 3, { U16, STR, CI(PE_CI_TYPEDEFORREF) } },
	[PE_T_PROPERTYMAP] = { 2, { TBL(PE_T_TYPEDEF),
	    TBL(PE_T_PROPERTY) } },
	[PE_T_PROPERTYPTR] = { 1, { TBL(PE_T_PROPERTY) } },
	[PE_T_PROPERTY] = { 3, { U16, STR, BLOB } },
	[PE_T_METHODSEMANTICS] = { 3, { U16, TBL(PE_T_METHODDEF),
	    CI(PE_CI_HASSEMANTICS) } },
	[PE_T_METHODIMPL] = { 3, { TBL(PE_T_TYPEDEF),
	    CI(PE_CI_METHODDEFORREF), CI(PE_CI_METHODDEFORREF) } },
	[PE_T_MODULEREF] = { 1, { STR } },
	[PE_T_TYPESPEC] = { 1, { BLOB } },
	[PE_T_IMPLMAP] = { 4, { U16, CI(PE_CI_MEMBERFORWARDED), STR,
	    TBL(PE_T_MODULEREF) } },
	[PE_T_FIELDRVA] = { 2, { U32, TBL(PE_T_FIELD) } },
	[PE_T_ENCLOG] = { 2, { U32, U32 } },
	[PE_T_ENCMAP] = { 1, { U32 } },
	[PE_T_ASSEMBLY] = { 9, { U32, U16, U16, U16, U16, U32, BLOB, STR,
	    STR } },
	[PE_T_ASSEMBLYPROCESSOR] = { 1, { U32 } },
	[PE_T_ASSEMBLYOS] = { 3, { U32, U32, U32 } },
	[PE_T_ASSEMBLYREF] = { 9, { U16, U16, U16, U16, U32, BLOB, STR, STR,
	    BLOB } },
	[PE_T_ASSEMBLYREFPROCESSOR] = { 2, { U32, TBL(PE_T_ASSEMBLYREF) } },
	[PE_T_ASSEMBLYREFOS] = { 4, { U32, U32, U32,
	    TBL(PE_T_ASSEMBLYREF) } },
	[PE_T_FILE] = { 3, { U32, STR, BLOB } },
	[PE_T_EXPORTEDTYPE] = { 5, { U32, U32, STR, STR,
	    CI(PE_CI_IMPLEMENTATION) } },
	[PE_T_MANIFESTRESOURCE] = { 4, { U32, U32, STR,
	    CI(PE_CI_IMPLEMENTATION) } },
	[PE_T_NESTEDCLASS] = { 2, { TBL(PE_T_TYPEDEF), TBL(PE_T_TYPEDEF) } },
	[PE_T_GENERICPARAM] = { 4, { U16, U16, CI(PE_CI_TYPEORMETHODDEF),
	    STR } },
	[PE_T_METHODSPEC] = { 2, { CI(PE_CI_METHODDEFORREF), BLOB } },
	[PE_T_GENERICPARAMCONSTRAINT] = { 2, { TBL(PE_T_GENERICPARAM),
	    CI(PE_CI_TYPEDEFORREF) } },
	/* 0x2D-0x2F are not defined: ncols 0 marks them unknown. */
	[PE_T_DOCUMENT] = { 4, { BLOB, GUID, BLOB, GUID } },
	[PE_T_METHODDEBUGINFORMATION] = { 2, { TBL(PE_T_DOCUMENT), BLOB } },
	[PE_T_LOCALSCOPE] = { 6, { TBL(PE_T_METHODDEF),
	    TBL(PE_T_IMPORTSCOPE), TBL(PE_T_LOCALVARIABLE),
	    TBL(PE_T_LOCALCONSTANT), U32, U32 } },
	[PE_T_LOCALVARIABLE] = { 3, { U16, U16, STR } },
	[PE_T_LOCALCONSTANT] = { 2, { STR, BLOB } },
	[PE_T_IMPORTSCOPE] = { 2, { TBL(PE_T_IMPORTSCOPE), BLOB } },
	[PE_T_STATEMACHINEMETHOD] = { 2, { TBL(PE_T_METHODDEF),
	    TBL(PE_T_METHODDEF) } },
	[PE_T_CUSTOMDEBUGINFORMATION] = { 3, {
	    CI(PE_CI_HASCUSTOMDEBUGINFORMATION), GUID, BLOB } },
};

/* The *Ptr table that indirects a list column's target, if any. */
static unsigned
ptr_table_for(unsigned target)
{
	switch (target) {
	case PE_T_FIELD: return PE_T_FIELDPTR;
	case PE_T_METHODDEF: return PE_T_METHODPTR;
	case PE_T_PARAM: return PE_T_PARAMPTR;
	case PE_T_EVENT: return PE_T_EVENTPTR;
	case PE_T_PROPERTY: return PE_T_PROPERTYPTR;
	default: return NONE;
	}
}

static unsigned
col_width(const pe_tables *t, struct col c)
{
	unsigned i, ptr;
	uint32_t max = 0;

	switch (c.kind) {
	case PE_COL_U8: return 1;
	case PE_COL_U16: return 2;
	case PE_COL_U32: return 4;
	case PE_COL_STRING: return t->all_wide || (t->heap_sizes & 1) ? 4 : 2;
	case PE_COL_GUID: return t->all_wide || (t->heap_sizes & 2) ? 4 : 2;
	case PE_COL_BLOB: return t->all_wide || (t->heap_sizes & 4) ? 4 : 2;
	case PE_COL_TABLE:
		/* II.24.2.6: 2 bytes if the target has fewer than 2^16 rows.
		 * A list column is wide also when its *Ptr table is (as
		 * System.Reflection.Metadata reads it). */
		max = t->rows[c.arg];
		ptr = ptr_table_for(c.arg);
		if (ptr != NONE && t->rows[ptr] > max)
			max = t->rows[ptr];
		return t->all_wide || max >= 0x10000 ? 4 : 2;
	case PE_COL_CODED:
		for (i = 0; i < coded[c.arg].n; i++) {
			uint8_t tb = coded[c.arg].tables[i];
			if (tb != NONE && t->rows[tb] > max)
				max = t->rows[tb];
		}
		return t->all_wide || max >= (1u << (16 - coded[c.arg].bits)) ?
		    4 : 2;
	}
	return 4;
}

asmgate_status
pe_tables_open(asmgate_image *img, const rd *stream, int all_wide,
    asmgate_error *err)
{
	pe_tables *t = &img->tables;
	asmgate_cli_info *cli = &img->info.cli;
	uint32_t reserved;
	uint8_t major, minor, log2rid;
	uint64_t sorted;
	unsigned i, c;
	size_t pos;
	rd r = *stream;

	memset(t, 0, sizeof(*t));
	t->stream = *stream;
	t->all_wide = all_wide;
	if (!rd_u32(&r, &reserved) || !rd_u8(&r, &major) ||
	    !rd_u8(&r, &minor) || !rd_u8(&r, &t->heap_sizes) ||
	    !rd_u8(&r, &log2rid) || !rd_u64(&r, &t->valid) ||
	    !rd_u64(&r, &sorted))
		return rd_fail(err, ASMGATE_E_TRUNCATED, stream->base,
		    "tables stream header truncated");
	(void)reserved;
	(void)major;
	(void)minor;
	(void)log2rid;
	(void)sorted;
	/* A table we cannot size makes every later table unreadable:
	 * refuse it instead of guessing. */
	for (i = 0; i < 64; i++) {
		if (!(t->valid >> i & 1))
			continue;
		if (i >= PE_T_COUNT || schema[i].ncols == 0)
			return rd_fail(err, ASMGATE_E_MALFORMED, stream->base + 8,
			    "tables stream marks unknown table 0x%02x present",
			    i);
	}
	for (i = 0; i < PE_T_COUNT; i++) {
		if (!(t->valid >> i & 1))
			continue;
		if (!rd_u32(&r, &t->rows[i]))
			return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&r),
			    "tables stream row counts truncated");
		if (t->rows[i] > RD_MAX_TABLE_ROWS)
			return rd_fail(err, ASMGATE_E_LIMIT, rd_offset(&r) - 4,
			    "table 0x%02x has %u rows (at most %u)", i,
			    t->rows[i], RD_MAX_TABLE_ROWS);
	}
	/* HeapSizes bit 0x40: four extra bytes follow the row counts. */
	if ((t->heap_sizes & 0x40) && !rd_skip(&r, 4))
		return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&r),
		    "tables stream extra data truncated");

	/* Row sizes, then table positions; all in checked arithmetic. */
	pos = r.pos;
	for (i = 0; i < PE_T_COUNT; i++) {
		unsigned off = 0;
		size_t bytes;

		for (c = 0; c < schema[i].ncols; c++) {
			unsigned w = col_width(t, schema[i].cols[c]);
			t->col_offset[i][c] = (uint8_t)off;
			t->col_width[i][c] = (uint8_t)w;
			off += w;
		}
		t->row_size[i] = off;
		t->table_pos[i] = pos;
		if (!rd_mul_size(t->rows[i], off, &bytes) ||
		    !rd_add_size(pos, bytes, &pos) || pos > stream->len)
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    stream->base + t->table_pos[i],
			    "table 0x%02x (%u rows of %u bytes) runs past the "
			    "tables stream (size 0x%zx)", i, t->rows[i], off,
			    stream->len);
	}
	cli->heap_sizes = t->heap_sizes;
	cli->valid_tables = t->valid;
	memcpy(cli->rows, t->rows, sizeof(t->rows));
	return ASMGATE_OK;
}

uint64_t
pe_row_offset(const pe_tables *t, unsigned table, uint32_t row)
{
	return t->stream.base + t->table_pos[table] +
	    (uint64_t)(row - 1) * t->row_size[table];
}

/* Column col of row (1-based) of table. Returns 0 for a row or column
 * out of range. Rows were checked to fit the stream at open. */
int
pe_row_get(const pe_tables *t, unsigned table, uint32_t row, unsigned col,
    uint32_t *out)
{
	size_t pos;
	uint8_t w, v8;
	uint16_t v16;
	rd r;

	if (table >= PE_T_COUNT || col >= schema[table].ncols || row == 0 ||
	    row > t->rows[table])
		return 0;
	pos = t->table_pos[table] + (size_t)(row - 1) * t->row_size[table] +
	    t->col_offset[table][col];
	r = t->stream;
	if (!rd_seek(&r, pos))
		return 0;
	w = t->col_width[table][col];
	if (w == 1) {
		if (!rd_u8(&r, &v8))
			return 0;
		*out = v8;
		return 1;
	}
	if (w == 2) {
		if (!rd_u16(&r, &v16))
			return 0;
		*out = v16;
		return 1;
	}
	return rd_u32(&r, out);
}

/* Split a coded index into table and row (II.24.2.6). The row may be 0
 * (null); a row beyond the table's count is an error. */
int
pe_coded_decode(unsigned kind, uint32_t value, unsigned *table,
    uint32_t *row)
{
	unsigned tag;

	if (kind >= PE_CI_COUNT)
		return 0;
	tag = value & ((1u << coded[kind].bits) - 1);
	if (tag >= coded[kind].n || coded[kind].tables[tag] == NONE)
		return 0;
	*table = coded[kind].tables[tag];
	*row = value >> coded[kind].bits;
	return 1;
}
