/*
 * rows.c - decoded rows: Module (II.22.30), Assembly (II.22.2),
 * AssemblyRef (II.22.5) and the CustomAttribute rows (II.22.10) whose
 * parent is the Assembly, with the attribute type's name resolved through
 * MemberRef (II.22.25) -> TypeRef (II.22.38) / TypeDef (II.22.37), or
 * MethodDef (II.22.26) -> its owning TypeDef.
 */
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/limits.h"

/* Column numbers used below (II.22). */
enum {
	MODULE_NAME = 1, MODULE_MVID = 2,
	ASM_HASHALG = 0, ASM_MAJOR = 1, ASM_FLAGS = 5, ASM_PUBLICKEY = 6,
	ASM_NAME = 7, ASM_CULTURE = 8,
	REF_MAJOR = 0, REF_FLAGS = 4, REF_KEY = 5, REF_NAME = 6,
	REF_CULTURE = 7,
	CA_PARENT = 0, CA_TYPE = 1, CA_VALUE = 2,
	MR_CLASS = 0, MR_SIGNATURE = 2, MD_SIGNATURE = 4,
	TR_NAME = 1, TR_NAMESPACE = 2,
	TD_NAME = 1, TD_NAMESPACE = 2, TD_METHODLIST = 5,
	MPTR_METHOD = 0
};

/* HasCustomAttribute coded value of Assembly row 1: (1 << 5) | 14. */
#define CA_PARENT_ASSEMBLY ((1u << 5) | 14u)

static asmgate_status
row_fail(const asmgate_image *img, asmgate_error *err, unsigned table,
    uint32_t row, const char *what)
{
	return rd_fail(err, ASMGATE_E_MALFORMED,
	    pe_row_offset(&img->tables, table, row),
	    "table 0x%02x row %u: %s", table, row, what);
}

static asmgate_status
get_string(const asmgate_image *img, asmgate_error *err, unsigned table,
    uint32_t row, unsigned col, const char **out)
{
	uint32_t idx;

	if (!pe_row_get(&img->tables, table, row, col, &idx))
		return row_fail(img, err, table, row, "row unreadable");
	if (!pe_heap_string(&img->strings, idx, out))
		return rd_fail(err, ASMGATE_E_MALFORMED,
		    pe_row_offset(&img->tables, table, row),
		    "table 0x%02x row %u: #Strings index 0x%x is out of range "
		    "or not terminated within %u bytes", table, row, idx,
		    RD_MAX_NAME_BYTES);
	return ASMGATE_OK;
}

static asmgate_status
get_blob(const asmgate_image *img, asmgate_error *err, unsigned table,
    uint32_t row, unsigned col, const uint8_t **out, size_t *len,
    uint64_t *file_off)
{
	uint32_t idx;

	if (!pe_row_get(&img->tables, table, row, col, &idx))
		return row_fail(img, err, table, row, "row unreadable");
	if (!pe_heap_blob(&img->blob, idx, out, len, file_off))
		return rd_fail(err, ASMGATE_E_MALFORMED,
		    pe_row_offset(&img->tables, table, row),
		    "table 0x%02x row %u: #Blob index 0x%x is out of range or "
		    "its length runs past the heap", table, row, idx);
	return ASMGATE_OK;
}

static asmgate_status
get_version(const asmgate_image *img, asmgate_error *err, unsigned table,
    uint32_t row, unsigned col, asmgate_version *v)
{
	uint32_t f[4];
	unsigned i;

	for (i = 0; i < 4; i++)
		if (!pe_row_get(&img->tables, table, row, col + i, &f[i]))
			return row_fail(img, err, table, row, "row unreadable");
	v->major = (uint16_t)f[0];
	v->minor = (uint16_t)f[1];
	v->build = (uint16_t)f[2];
	v->revision = (uint16_t)f[3];
	return ASMGATE_OK;
}

static asmgate_status
decode_module(asmgate_image *img, asmgate_error *err)
{
	uint32_t mvid_idx;
	const uint8_t *g;
	asmgate_status rc;

	if (img->tables.rows[PE_T_MODULE] == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, img->tables.stream.base,
		    "metadata has no Module row (II.22.30)");
	if ((rc = get_string(img, err, PE_T_MODULE, 1, MODULE_NAME,
		 &img->info.module_name)) != ASMGATE_OK)
		return rc;
	if (pe_row_get(&img->tables, PE_T_MODULE, 1, MODULE_MVID, &mvid_idx) &&
	    pe_heap_guid(&img->guid, mvid_idx, &g))
		memcpy(img->info.mvid, g, 16);
	return ASMGATE_OK;
}

static asmgate_status
decode_assembly(asmgate_image *img, asmgate_error *err)
{
	asmgate_assembly_info *a = &img->info.assembly;
	asmgate_status rc;

	/* II.22.2: zero or one row; zero means a module, not an assembly. */
	if (img->tables.rows[PE_T_ASSEMBLY] == 0)
		return rd_fail(err, ASMGATE_E_NO_ASSEMBLY,
		    img->tables.stream.base,
		    ".NET module without an Assembly row (not an assembly)");
	if (img->tables.rows[PE_T_ASSEMBLY] > 1)
		return rd_fail(err, ASMGATE_E_MALFORMED,
		    pe_row_offset(&img->tables, PE_T_ASSEMBLY, 2),
		    "Assembly table has %u rows (at most one is allowed)",
		    img->tables.rows[PE_T_ASSEMBLY]);
	if (!pe_row_get(&img->tables, PE_T_ASSEMBLY, 1, ASM_HASHALG,
		&a->hash_alg) ||
	    !pe_row_get(&img->tables, PE_T_ASSEMBLY, 1, ASM_FLAGS, &a->flags))
		return row_fail(img, err, PE_T_ASSEMBLY, 1, "row unreadable");
	if ((rc = get_version(img, err, PE_T_ASSEMBLY, 1, ASM_MAJOR,
		 &a->version)) != ASMGATE_OK ||
	    (rc = get_blob(img, err, PE_T_ASSEMBLY, 1, ASM_PUBLICKEY,
		 &a->public_key, &a->public_key_len,
		 &a->public_key_offset)) != ASMGATE_OK ||
	    (rc = get_string(img, err, PE_T_ASSEMBLY, 1, ASM_NAME,
		 &a->name)) != ASMGATE_OK ||
	    (rc = get_string(img, err, PE_T_ASSEMBLY, 1, ASM_CULTURE,
		 &a->culture)) != ASMGATE_OK)
		return rc;
	if (a->name[0] == '\0')
		return row_fail(img, err, PE_T_ASSEMBLY, 1,
		    "assembly name is empty (II.22.2)");
	if (a->public_key_len == 0)
		a->public_key = NULL;
	return ASMGATE_OK;
}

static asmgate_status
decode_refs(asmgate_image *img, asmgate_error *err)
{
	uint32_t n = img->tables.rows[PE_T_ASSEMBLYREF], i;
	asmgate_status rc;

	if (n == 0)
		return ASMGATE_OK;
	if (n > RD_MAX_ASSEMBLY_REFS)
		return rd_fail(err, ASMGATE_E_LIMIT,
		    pe_row_offset(&img->tables, PE_T_ASSEMBLYREF, 1),
		    "%u assembly references (at most %u)", n,
		    RD_MAX_ASSEMBLY_REFS);
	img->refs = calloc(n, sizeof(*img->refs));
	if (!img->refs)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		asmgate_reference *r = &img->refs[i];
		uint32_t row = i + 1;

		if (!pe_row_get(&img->tables, PE_T_ASSEMBLYREF, row, REF_FLAGS,
			&r->flags))
			return row_fail(img, err, PE_T_ASSEMBLYREF, row,
			    "row unreadable");
		if ((rc = get_version(img, err, PE_T_ASSEMBLYREF, row,
			 REF_MAJOR, &r->version)) != ASMGATE_OK ||
		    (rc = get_blob(img, err, PE_T_ASSEMBLYREF, row, REF_KEY,
			 &r->public_key_or_token, &r->public_key_or_token_len,
			 NULL)) != ASMGATE_OK ||
		    (rc = get_string(img, err, PE_T_ASSEMBLYREF, row, REF_NAME,
			 &r->name)) != ASMGATE_OK ||
		    (rc = get_string(img, err, PE_T_ASSEMBLYREF, row,
			 REF_CULTURE, &r->culture)) != ASMGATE_OK)
			return rc;
	}
	img->info.references = img->refs;
	img->info.nreferences = n;
	return ASMGATE_OK;
}

/* The TypeDef that owns MethodDef row m: the last TypeDef whose
 * MethodList is <= m's list position (II.22.37). Binary search, so a
 * hostile unsorted list costs log n reads, never a long scan. */
static uint32_t
method_owner(const asmgate_image *img, uint32_t pos)
{
	uint32_t lo = 1, hi = img->tables.rows[PE_T_TYPEDEF], best = 0;

	while (lo <= hi) {
		uint32_t mid = lo + (hi - lo) / 2, start;
		if (!pe_row_get(&img->tables, PE_T_TYPEDEF, mid, TD_METHODLIST,
			&start))
			return 0;
		if (start <= pos) {
			best = mid;
			lo = mid + 1;
		} else {
			if (mid == 0)
				break;
			hi = mid - 1;
		}
	}
	return best;
}

/* The list position of method m: m itself, or its index in MethodPtr
 * when that indirection table exists (#- streams). */
static uint32_t
method_position(const asmgate_image *img, uint32_t m)
{
	uint32_t n = img->tables.rows[PE_T_METHODPTR], i, v;

	if (n == 0)
		return m;
	for (i = 1; i <= n; i++)
		if (pe_row_get(&img->tables, PE_T_METHODPTR, i, MPTR_METHOD,
			&v) && v == m)
			return i;
	return 0;
}

static int
type_name(const asmgate_image *img, unsigned table, uint32_t row,
    const char **ns, const char **name)
{
	uint32_t ni, si;
	unsigned cn = table == PE_T_TYPEREF ? TR_NAME : TD_NAME;
	unsigned cs = table == PE_T_TYPEREF ? TR_NAMESPACE : TD_NAMESPACE;

	if (row == 0 || row > img->tables.rows[table])
		return 0;
	return pe_row_get(&img->tables, table, row, cn, &ni) &&
	    pe_row_get(&img->tables, table, row, cs, &si) &&
	    pe_heap_string(&img->strings, ni, name) &&
	    pe_heap_string(&img->strings, si, ns);
}

/* Resolve the attribute type of a CustomAttributeType coded value.
 * Unresolvable types (TypeSpec parents, dangling rows) keep empty names;
 * an attribute is matched only by a resolved full name. */
static void
resolve_type(const asmgate_image *img, uint32_t ctor, int *ptr_budget,
    const char **ns, const char **name)
{
	unsigned table, ptable;
	uint32_t row, parent, prow;

	*ns = "";
	*name = "";
	if (!pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, ctor, &table, &row) ||
	    row == 0 || row > img->tables.rows[table])
		return;
	if (table == PE_T_MEMBERREF) {
		if (!pe_row_get(&img->tables, PE_T_MEMBERREF, row, MR_CLASS,
			&parent) ||
		    !pe_coded_decode(PE_CI_MEMBERREFPARENT, parent, &ptable,
			&prow))
			return;
		if (ptable == PE_T_TYPEREF || ptable == PE_T_TYPEDEF)
			(void)type_name(img, ptable, prow, ns, name);
		return;
	}
	/* MethodDef: a constructor of a type defined in this assembly.
	 * The MethodPtr scan is linear, so it is done for a bounded number
	 * of attributes only, and only over a table of at most
	 * RD_MAX_METHODPTR_SCAN rows; otherwise the type stays unresolved. */
	if (img->tables.rows[PE_T_METHODPTR] != 0) {
		if (*ptr_budget <= 0 ||
		    img->tables.rows[PE_T_METHODPTR] > RD_MAX_METHODPTR_SCAN)
			return;
		(*ptr_budget)--;
	}
	row = method_position(img, row);
	if (row != 0)
		(void)type_name(img, PE_T_TYPEDEF, method_owner(img, row), ns,
		    name);
}

/* The signature blob of the constructor a CustomAttributeType coded
 * value names: MemberRef column 2 or MethodDef column 4 (II.22.25,
 * II.22.26; a MethodDef index names the row itself, MethodPtr only
 * reorders lists). Best effort: NULL when it cannot be read. */
static void
ctor_signature(const asmgate_image *img, uint32_t ctor, const uint8_t **sig,
    size_t *len)
{
	unsigned table;
	uint32_t row, idx;

	*sig = NULL;
	*len = 0;
	if (!pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, ctor, &table, &row) ||
	    row == 0 || row > img->tables.rows[table] ||
	    (table != PE_T_MEMBERREF && table != PE_T_METHODDEF) ||
	    !pe_row_get(&img->tables, table, row, table == PE_T_MEMBERREF ?
	    MR_SIGNATURE : MD_SIGNATURE, &idx) ||
	    !pe_heap_blob(&img->blob, idx, sig, len, NULL)) {
		*sig = NULL;
		*len = 0;
	}
}

static asmgate_status
decode_attributes(asmgate_image *img, asmgate_error *err)
{
	uint32_t n = img->tables.rows[PE_T_CUSTOMATTRIBUTE], i, parent, ctor;
	uint32_t count = 0;
	int ptr_budget = 16;
	asmgate_status rc;

	/* First pass: count, so the array is allocated once, capped. */
	for (i = 1; i <= n; i++) {
		if (!pe_row_get(&img->tables, PE_T_CUSTOMATTRIBUTE, i,
			CA_PARENT, &parent))
			return row_fail(img, err, PE_T_CUSTOMATTRIBUTE, i,
			    "row unreadable");
		if (parent == CA_PARENT_ASSEMBLY)
			count++;
	}
	if (count == 0)
		return ASMGATE_OK;
	if (count > RD_MAX_ASSEMBLY_ATTRIBUTES)
		return rd_fail(err, ASMGATE_E_LIMIT,
		    pe_row_offset(&img->tables, PE_T_CUSTOMATTRIBUTE, 1),
		    "%u attributes on the assembly (at most %u)", count,
		    RD_MAX_ASSEMBLY_ATTRIBUTES);
	img->attrs = calloc(count, sizeof(*img->attrs));
	if (!img->attrs)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	count = 0;
	for (i = 1; i <= n; i++) {
		asmgate_attribute *a;

		if (!pe_row_get(&img->tables, PE_T_CUSTOMATTRIBUTE, i,
			CA_PARENT, &parent) ||
		    !pe_row_get(&img->tables, PE_T_CUSTOMATTRIBUTE, i, CA_TYPE,
			&ctor))
			return row_fail(img, err, PE_T_CUSTOMATTRIBUTE, i,
			    "row unreadable");
		if (parent != CA_PARENT_ASSEMBLY)
			continue;
		a = &img->attrs[count++];
		a->row = i;
		if ((rc = get_blob(img, err, PE_T_CUSTOMATTRIBUTE, i, CA_VALUE,
			 &a->value, &a->value_len, &a->value_offset)) !=
		    ASMGATE_OK)
			return rc;
		resolve_type(img, ctor, &ptr_budget, &a->type_namespace,
		    &a->type_name);
		ctor_signature(img, ctor, &a->ctor_sig, &a->ctor_sig_len);
	}
	img->info.attributes = img->attrs;
	img->info.nattributes = count;
	return ASMGATE_OK;
}

asmgate_status
pe_rows_decode(asmgate_image *img, asmgate_error *err)
{
	asmgate_status rc;

	if ((rc = decode_module(img, err)) != ASMGATE_OK ||
	    (rc = decode_assembly(img, err)) != ASMGATE_OK ||
	    (rc = decode_refs(img, err)) != ASMGATE_OK)
		return rc;
	return decode_attributes(img, err);
}
