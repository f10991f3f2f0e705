/*
 * attr.c - the values of well-known assembly attributes (ECMA-335
 * II.23.3, CustomAttrib): prolog 0x0001, one FixedArg per constructor
 * parameter, NumNamed (u16) and that many NamedArgs (0x53 FIELD or 0x54
 * PROPERTY, FieldOrPropType, a SerString name, the value).
 *
 * The blob does not say which constructor it was written for: the
 * constructor's signature (MethodDefSig, II.23.2.1: HASTHIS, ParamCount,
 * RetType VOID, Params) does, and picks the table's constructor with the
 * same parameter types (an enum parameter, VALUETYPE, is taken as the
 * int32 the table names: DebuggingModes, CompilationRelaxations); a
 * constructor the table lacks is not decoded. Without a readable
 * signature, each of the table's constructors is tried in turn and the
 * first that accounts for every byte of the blob is the decoding.
 * Strings are SerStrings (II.23.3: a compressed length, or 0xFF for
 * null, then UTF-8); an enum fixed argument is read as its underlying
 * type, which the parameter's known type gives (int32 here).
 */
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"

/* II.23.1.16 element types that may appear in an attribute blob. */
enum {
	ET_BOOLEAN = 0x02, ET_CHAR = 0x03, ET_I1 = 0x04, ET_U1 = 0x05,
	ET_I2 = 0x06, ET_U2 = 0x07, ET_I4 = 0x08, ET_U4 = 0x09, ET_I8 = 0x0A,
	ET_U8 = 0x0B, ET_STRING = 0x0E, ET_ENUM = 0x55
};

/* NamedArg kinds (II.23.3). */
#define NAMED_FIELD 0x53u
#define NAMED_PROPERTY 0x54u

/* One constructor: parameter types ('s' string, 'b' bool, 'i' int32 or
 * an enum over int32) and names. */
typedef struct ctor {
	const char *types;
	const char *names[2];
} ctor;

typedef struct known {
	const char *ns, *name, *shown;
	ctor ctors[2];
} known;

#define SR "System.Reflection"
#define S1(p) { { "s", { p, NULL } }, { NULL, { NULL, NULL } } }

static const known table[] = {
	{ SR, "AssemblyVersionAttribute", "AssemblyVersion",
	    S1("version") },
	{ SR, "AssemblyFileVersionAttribute", "AssemblyFileVersion",
	    S1("version") },
	{ SR, "AssemblyInformationalVersionAttribute",
	    "AssemblyInformationalVersion", S1("informationalVersion") },
	{ SR, "AssemblyCompanyAttribute", "AssemblyCompany",
	    S1("company") },
	{ SR, "AssemblyProductAttribute", "AssemblyProduct",
	    S1("product") },
	{ SR, "AssemblyTitleAttribute", "AssemblyTitle", S1("title") },
	{ SR, "AssemblyDescriptionAttribute", "AssemblyDescription",
	    S1("description") },
	{ SR, "AssemblyCopyrightAttribute", "AssemblyCopyright",
	    S1("copyright") },
	{ SR, "AssemblyTrademarkAttribute", "AssemblyTrademark",
	    S1("trademark") },
	{ SR, "AssemblyConfigurationAttribute", "AssemblyConfiguration",
	    S1("configuration") },
	{ SR, "AssemblyCultureAttribute", "AssemblyCulture",
	    S1("culture") },
	{ SR, "AssemblyKeyFileAttribute", "AssemblyKeyFile",
	    S1("keyFile") },
	{ SR, "AssemblyKeyNameAttribute", "AssemblyKeyName",
	    S1("keyName") },
	{ SR, "AssemblySignatureKeyAttribute", "AssemblySignatureKey",
	    { { "ss", { "publicKey", "countersignature" } },
	      { NULL, { NULL, NULL } } } },
	{ SR, "AssemblyDelaySignAttribute", "AssemblyDelaySign",
	    { { "b", { "delaySign", NULL } }, { NULL, { NULL, NULL } } } },
	{ "System.Runtime.CompilerServices", "InternalsVisibleToAttribute",
	    "InternalsVisibleTo", S1("assemblyName") },
	{ "System.Runtime.Versioning", "TargetFrameworkAttribute",
	    "TargetFramework", S1("frameworkName") },
	{ "System.Runtime.CompilerServices",
	    "CompilationRelaxationsAttribute", "CompilationRelaxations",
	    { { "i", { "relaxations", NULL } }, { NULL, { NULL, NULL } } } },
	{ "System.Runtime.CompilerServices",
	    "RuntimeCompatibilityAttribute", "RuntimeCompatibility",
	    { { "", { NULL, NULL } }, { NULL, { NULL, NULL } } } },
	{ "System.Diagnostics", "DebuggableAttribute", "Debuggable",
	    { { "i", { "modes", NULL } },
	      { "bb", { "isJITTrackingEnabled",
	        "isJITOptimizerDisabled" } } } },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

/* A SerString: a null string, or len bytes of UTF-8. */
static int
ser_string(rd *r, asmgate_attr_arg *a)
{
	const uint8_t *p;
	uint32_t n;
	uint8_t b;

	if (!rd_has(r, 1))
		return 0;
	if (r->p[r->pos] == 0xFF) {
		if (!rd_u8(r, &b))
			return 0;
		a->kind = ASMGATE_ATTR_NULL;
		a->str = NULL;
		a->len = 0;
		return 1;
	}
	/* The length is bounded by the blob (at most
	 * RD_MAX_ATTRIBUTE_BLOB bytes) through rd_bytes. */
	if (!rd_cuint(r, &n) || !rd_bytes(r, n, &p))
		return 0;
	a->kind = ASMGATE_ATTR_STRING;
	a->str = n ? (const char *)p : "";
	a->len = n;
	return 1;
}

/* A value of element type et into a. 0: truncated, or a type that is
 * not decoded (*unsupported set). */
static int
elem(rd *r, uint8_t et, asmgate_attr_arg *a, int *unsupported)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t q;

	switch (et) {
	case ET_BOOLEAN:
		if (!rd_u8(r, &b) || b > 1)
			return 0;
		a->kind = ASMGATE_ATTR_BOOL;
		a->u = b;
		return 1;
	case ET_CHAR:
	case ET_U2:
		if (!rd_u16(r, &h))
			return 0;
		a->kind = ASMGATE_ATTR_UINT;
		a->u = h;
		return 1;
	case ET_I1:
	case ET_U1:
		if (!rd_u8(r, &b))
			return 0;
		a->kind = et == ET_I1 ? ASMGATE_ATTR_INT : ASMGATE_ATTR_UINT;
		a->i = (int8_t)b;
		a->u = b;
		return 1;
	case ET_I2:
		if (!rd_u16(r, &h))
			return 0;
		a->kind = ASMGATE_ATTR_INT;
		a->i = (int16_t)h;
		return 1;
	case ET_I4:
	case ET_U4:
		if (!rd_u32(r, &w))
			return 0;
		a->kind = et == ET_I4 ? ASMGATE_ATTR_INT : ASMGATE_ATTR_UINT;
		a->i = (int32_t)w;
		a->u = w;
		return 1;
	case ET_I8:
	case ET_U8:
		if (!rd_u64(r, &q))
			return 0;
		a->kind = et == ET_I8 ? ASMGATE_ATTR_INT : ASMGATE_ATTR_UINT;
		a->i = (int64_t)q;
		a->u = q;
		return 1;
	case ET_STRING:
		return ser_string(r, a);
	default:
		*unsupported = 1;
		return 0;
	}
}

/* The blob under constructor c into out: 1, or 0 with *fail_off the
 * offset where it stopped following c. */
static int
try_ctor(const asmgate_attribute *at, const ctor *c, asmgate_attr_value *out,
    uint64_t *fail_off)
{
	static const uint8_t types[] = { ['s'] = ET_STRING,
		['b'] = ET_BOOLEAN, ['i'] = ET_I4 };
	rd r;
	uint16_t prolog, nnamed, k;
	size_t i;
	int unsupported = 0;

	rd_init(&r, at->value, at->value_len, at->value_offset);
	out->nargs = 0;
	out->named_skipped = 0;
	if (!rd_u16(&r, &prolog) || prolog != 0x0001)
		goto bad;
	for (i = 0; c->types[i]; i++) {
		asmgate_attr_arg *a = &out->args[out->nargs];

		memset(a, 0, sizeof(*a));
		a->name = c->names[i];
		a->name_len = strlen(a->name);
		if (!elem(&r, types[(unsigned char)c->types[i]], a,
		    &unsupported))
			goto bad;
		out->nargs++;
	}
	if (!rd_u16(&r, &nnamed))
		goto bad;
	for (k = 0; k < nnamed; k++) {
		asmgate_attr_arg tmp, *a;
		uint8_t kind, et;
		const uint8_t *p;
		uint32_t n;

		a = out->nargs < ASMGATE_ATTR_MAX_ARGS ?
		    &out->args[out->nargs] : &tmp;
		memset(a, 0, sizeof(*a));
		if (!rd_u8(&r, &kind) || (kind != NAMED_FIELD &&
		    kind != NAMED_PROPERTY) || !rd_u8(&r, &et))
			goto bad;
		if (et == ET_ENUM || !(et == ET_STRING ||
		    (et >= ET_BOOLEAN && et <= ET_U8))) {
			/* An enum's size needs its type; a boxed value,
			 * an array, a float or a System.Type is not shown.
			 * The rest of the named arguments cannot be found:
			 * what was read stands. */
			out->named_skipped += (unsigned)(nnamed - k);
			return 1;
		}
		if (!rd_cuint(&r, &n) || !rd_bytes(&r, n, &p))
			goto bad;
		a->name = n ? (const char *)p : "";
		a->name_len = n;
		a->named = 1;
		if (!elem(&r, et, a, &unsupported))
			goto bad;
		if (a == &tmp)
			out->named_skipped++;
		else
			out->nargs++;
	}
	if (rd_left(&r) != 0)
		goto bad; /* bytes past the last argument */
	return 1;
bad:
	*fail_off = rd_offset(&r);
	return 0;
}

/* II.23.2.1 MethodDefSig of a constructor: its parameter types into
 * out as 's' (STRING), 'b' (BOOLEAN), 'i' (I4), 'e' (VALUETYPE: an
 * enum here) or '?' (anything else, after which nothing is read).
 * 1 when the signature could be read. */
static int
sig_types(const uint8_t *p, size_t n, char *out, size_t max)
{
	rd r;
	uint8_t cc, t;
	uint32_t count, k, tok;

	rd_init(&r, p, n, 0);
	/* HASTHIS (0x20), not generic (0x10), DEFAULT calling convention */
	if (!rd_u8(&r, &cc) || (cc & 0x20) == 0 || (cc & 0x1F) != 0 ||
	    !rd_cuint(&r, &count) || count >= max ||
	    !rd_u8(&r, &t) || t != 0x01 /* RetType VOID */)
		return 0;
	for (k = 0; k < count; k++) {
		if (!rd_u8(&r, &t))
			return 0;
		switch (t) {
		case ET_STRING:
			out[k] = 's';
			break;
		case ET_BOOLEAN:
			out[k] = 'b';
			break;
		case ET_I4:
			out[k] = 'i';
			break;
		case 0x11: /* VALUETYPE TypeDefOrRefOrSpecEncoded */
			if (!rd_cuint(&r, &tok))
				return 0;
			out[k] = 'e';
			break;
		default:
			memset(out + k, '?', count - k);
			k = count;
			continue;
		}
	}
	out[count] = '\0';
	return 1;
}

/* 1 when a table constructor's types fit a signature's. */
static int
sig_fits(const char *table_types, const char *sig)
{
	for (; *table_types && *sig; table_types++, sig++)
		if (*table_types != *sig &&
		    !(*table_types == 'i' && *sig == 'e'))
			return 0;
	return *table_types == '\0' && *sig == '\0';
}

asmgate_status
asmgate_attribute_decode(const asmgate_attribute *a, asmgate_attr_value *out,
    asmgate_error *err)
{
	size_t i, k;
	uint64_t off = 0, first_off = 0;
	char sig[8];
	int have_sig;

	if (!a || !out)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_attribute_decode: attribute and out are "
		    "required");
	memset(out, 0, sizeof(*out));
	if (!a->type_namespace || !a->type_name)
		return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
		    "not a well-known attribute");
	for (i = 0; i < NTABLE; i++) {
		if (strcmp(table[i].ns, a->type_namespace) != 0 ||
		    strcmp(table[i].name, a->type_name) != 0)
			continue;
		if (a->value_len > RD_MAX_ATTRIBUTE_BLOB)
			return rd_fail(err, ASMGATE_E_LIMIT, a->value_offset,
			    "attribute value of %zu bytes (at most %u)",
			    a->value_len, RD_MAX_ATTRIBUTE_BLOB);
		out->shown = table[i].shown;
		have_sig = a->ctor_sig && sig_types(a->ctor_sig,
		    a->ctor_sig_len, sig, sizeof(sig));
		first_off = a->value_offset;
		for (k = 0; k < 2 && table[i].ctors[k].types; k++) {
			if (have_sig && !sig_fits(table[i].ctors[k].types, sig))
				continue;
			if (try_ctor(a, &table[i].ctors[k], out, &off))
				return ASMGATE_OK;
			if (k == 0 || have_sig)
				first_off = off;
			if (have_sig)
				break;
		}
		if (have_sig && (k == 2 || !table[i].ctors[k].types)) {
			out->nargs = 0;
			out->shown = NULL;
			return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
			    "%s: a constructor that is not decoded",
			    table[i].shown);
		}
		out->nargs = 0;
		return rd_fail(err, ASMGATE_E_MALFORMED, first_off,
		    "%s: the value does not follow the constructor "
		    "(ECMA-335 II.23.3)", table[i].shown);
	}
	return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
	    "not a well-known attribute");
}
