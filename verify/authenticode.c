/*
 * authenticode.c - Authenticode signatures on PE files (authenticode.md,
 * checklist in 0; Microsoft "Windows Authenticode Portable Executable
 * Signature Format").
 *
 * Flow for one image:
 *   prepare  the certificate table (pe/cert.c); each entry's PKCS#7
 *            SignedData decoded, the DER followed by nothing but zero
 *            padding (CVE-2013-3900), the SpcIndirectDataContent's
 *            DigestInfo read; nested signatures (1.3.6.1.4.1.311.2.4.1)
 *            collected; the digests they need listed;
 *   hash     one pass over the file (verify/hash.c) feeding the
 *            strong-name digest, each Authenticode digest and the
 *            checksum: everything but CheckSum, the certificate
 *            directory entry and the table, header padding, the
 *            strong-name slot and the overlay included (2.2: the linear
 *            hash, which osslsigncode computes too);
 *   finish   per signature: digest compared; the SignerInfo verified
 *            over the content octets (3.3, 3.4); attributes checked
 *            (3.5); a timestamp (3.7) verified; the chain checked at the
 *            timestamp time, else at opts->at or now; key usage and the
 *            codeSigning EKU on the leaf.
 * State of a signature: invalid (structure, digest, signature, padding),
 * else revoked, expired (a certificate's validity, no valid timestamp to
 * cover it), untrusted (no anchor, no codeSigning or digitalSignature,
 * any other chain error), else valid. State of the file: unsigned
 * without a table; invalid when the table or any signature is invalid
 * (fail closed: an entry or a nested signature nobody checked cannot
 * ride along); else the primary signature's (entry 0, not nested).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "ac.h"
#include "pe/pe.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/safeint.h"
#include "verify.h"

#define OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define OID_SPC_PE_IMAGE_DATA "1.3.6.1.4.1.311.2.1.15"
#define OID_SPC_NESTED "1.3.6.1.4.1.311.2.4.1"
#define OID_RFC3161 "1.3.6.1.4.1.311.3.3.1"

/* One signature being checked. */
typedef struct ac_sig {
	PKCS7 *p7;                 /* owned */
	asmgate_ac_signature *out;
	const EVP_MD *md;          /* NULL: not to be hashed */
	uint8_t want[EVP_MAX_MD_SIZE];
	unsigned wantlen;
	const uint8_t *content;    /* SpcIndirectDataContent contents octets
	                              (inside p7) */
	long contentlen;
	int dig;                   /* index in ac_run.mds */
} ac_sig;

typedef struct ac_run {
	const asmgate_image *img;
	const asmgate_verify_options *o;
	asmgate_authenticode *res;
	pe_cert_table table;
	ac_sig sig[RD_MAX_AC_SIGNATURES];
	unsigned nsig;
	unsigned cap;              /* res->signatures allocated */
	const EVP_MD *mds[4];
	EVP_MD_CTX *ctx[4];
	uint8_t got[4][EVP_MAX_MD_SIZE];
	unsigned gotlen[4];
	unsigned nmd;
	verify_range ranges[3];
	unsigned nranges;
	int hashed;
} ac_run;

static const asmgate_trust *trust_of(const ac_run *a);

static void
vreason(char (*r)[ASMGATE_REASON_MAX], unsigned *n, const char *fmt,
    va_list ap)
{
	if (*n >= ASMGATE_MAX_REASONS)
		return;
	vsnprintf(r[*n], ASMGATE_REASON_MAX, fmt, ap);
	(*n)++;
}

static void
file_reason(asmgate_authenticode *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
file_reason(asmgate_authenticode *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreason(a->reasons, &a->nreasons, fmt, ap);
	va_end(ap);
}

/* A reason on a signature; the state it leads to is set by the caller. */
static void
sig_reason(asmgate_ac_signature *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sig_reason(asmgate_ac_signature *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreason(s->reasons, &s->nreasons, fmt, ap);
	va_end(ap);
}

static int
sig_invalid(asmgate_ac_signature *s, const char *msg)
{
	s->state = ASMGATE_AC_INVALID;
	sig_reason(s, "%s", msg);
	return 0;
}

/* 1 when obj is the dotted OID txt. */
static int
oid_is(const ASN1_OBJECT *obj, const char *txt)
{
	char buf[80];

	if (!obj || OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
		return 0;
	return strcmp(buf, txt) == 0;
}

static const EVP_MD *
digest_by_nid(int nid, const char **name)
{
	switch (nid) {
	case NID_sha1: *name = "sha1"; return EVP_sha1();
	case NID_sha256: *name = "sha256"; return EVP_sha256();
	case NID_sha384: *name = "sha384"; return EVP_sha384();
	case NID_sha512: *name = "sha512"; return EVP_sha512();
	case NID_md5: *name = "md5"; return NULL;
	default: *name = NULL; return NULL;
	}
}

/* SpcIndirectDataContent (3.1, 3.2): the content's TLV is a SEQUENCE of
 * SpcAttributeTypeAndOptionalValue (type SPC_PE_IMAGE_DATA) and a
 * DigestInfo. Records the contents octets (what messageDigest covers,
 * 3.3), the algorithm and the digest. */
static int
parse_indirect(ac_sig *g)
{
	PKCS7 *inner = g->p7->d.sign->contents;
	const unsigned char *p, *start, *end, *q;
	long len, alen;
	int tag, cls, r;
	ASN1_OBJECT *type = NULL;
	X509_SIG *di = NULL;
	const X509_ALGOR *alg;
	const ASN1_OCTET_STRING *dig;
	const char *name;
	int ok = 0;

	if (!inner || !oid_is(inner->type, OID_SPC_INDIRECT_DATA))
		return sig_invalid(g->out, "content type is not "
		    "SpcIndirectDataContent (1.3.6.1.4.1.311.2.1.4)");
	if (!inner->d.other || inner->d.other->type != V_ASN1_SEQUENCE ||
	    !inner->d.other->value.sequence)
		return sig_invalid(g->out, "SpcIndirectDataContent is not a "
		    "SEQUENCE (CMS-style OCTET STRING content is refused)");
	start = p = inner->d.other->value.sequence->data;
	len = inner->d.other->value.sequence->length;
	end = start + len;
	r = ASN1_get_object(&p, &alen, &tag, &cls, len);
	if ((r & 0x80) || r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE ||
	    cls != V_ASN1_UNIVERSAL || alen != end - p)
		return sig_invalid(g->out, "SpcIndirectDataContent: bad "
		    "SEQUENCE header");
	g->content = p;
	g->contentlen = alen;
	/* data: SEQUENCE { type OBJECT IDENTIFIER, value ANY OPTIONAL } */
	q = p;
	r = ASN1_get_object(&q, &alen, &tag, &cls, end - p);
	if ((r & 0x80) || tag != V_ASN1_SEQUENCE || alen > end - q)
		return sig_invalid(g->out, "SpcIndirectDataContent: bad data "
		    "element");
	{
		const unsigned char *t = q;

		type = d2i_ASN1_OBJECT(NULL, &t, alen);
		if (!type || !oid_is(type, OID_SPC_PE_IMAGE_DATA)) {
			ASN1_OBJECT_free(type);
			return sig_invalid(g->out, "SpcIndirectDataContent data "
			    "type is not SpcPeImageData "
			    "(1.3.6.1.4.1.311.2.1.15)");
		}
		ASN1_OBJECT_free(type);
	}
	q += alen;
	/* messageDigest: DigestInfo (X509_SIG is DigestInfo). */
	di = d2i_X509_SIG(NULL, &q, end - q);
	if (!di || q != end) {
		sig_invalid(g->out, "SpcIndirectDataContent: bad DigestInfo");
		goto out;
	}
	X509_SIG_get0(di, &alg, &dig);
	g->md = digest_by_nid(OBJ_obj2nid(alg->algorithm), &name);
	g->out->digest_algorithm = name;
	if (!g->md) {
		sig_invalid(g->out, name ? "image digest algorithm md5 is "
		    "refused" : "unknown image digest algorithm");
		goto out;
	}
	if (ASN1_STRING_length(dig) != EVP_MD_get_size(g->md) ||
	    ASN1_STRING_length(dig) > (int)sizeof(g->want)) {
		g->md = NULL;
		sig_invalid(g->out, "image digest length does not match its "
		    "algorithm");
		goto out;
	}
	g->wantlen = (unsigned)ASN1_STRING_length(dig);
	memcpy(g->want, ASN1_STRING_get0_data(dig), g->wantlen);
	ok = 1;
out:
	X509_SIG_free(di);
	return ok;
}

/* Structure of one SignedData (0 steps 5, 9; 3.5): signed, exactly one
 * SignerInfo, the indirect data content. */
static int
parse_signed(ac_sig *g)
{
	STACK_OF(PKCS7_SIGNER_INFO) *sis;

	if (!PKCS7_type_is_signed(g->p7) || !g->p7->d.sign)
		return sig_invalid(g->out, "PKCS#7 is not SignedData");
	sis = PKCS7_get_signer_info(g->p7);
	if (!sis || sk_PKCS7_SIGNER_INFO_num(sis) != 1)
		return sig_invalid(g->out, "SignedData must have exactly one "
		    "SignerInfo");
	return parse_indirect(g);
}

static ac_sig *
new_sig(ac_run *a, unsigned entry, unsigned nested)
{
	ac_sig *g;

	if (a->nsig >= RD_MAX_AC_SIGNATURES) {
		file_reason(a->res, "more than %u signatures: the rest are "
		    "not checked", RD_MAX_AC_SIGNATURES);
		a->res->state = ASMGATE_AC_INVALID;
		return NULL;
	}
	if (a->nsig >= a->cap) {
		/* Grown one at a time: a signature's report is 22 KiB and
		 * most files carry one (not RD_MAX_AC_SIGNATURES zeroed). */
		asmgate_ac_signature *sa = realloc(a->res->signatures,
		    (a->nsig + 1) * sizeof(*sa));
		unsigned i;

		if (!sa) {
			file_reason(a->res, "out of memory");
			a->res->state = ASMGATE_AC_INVALID;
			return NULL;
		}
		a->res->signatures = sa;
		a->cap = a->nsig + 1;
		for (i = 0; i < a->nsig; i++)
			a->sig[i].out = &sa[i];
	}
	memset(&a->res->signatures[a->nsig], 0,
	    sizeof(a->res->signatures[0]));
	g = &a->sig[a->nsig];
	memset(g, 0, sizeof(*g));
	g->out = &a->res->signatures[a->nsig];
	g->out->entry = entry;
	g->out->nested = nested;
	g->out->state = ASMGATE_AC_INVALID;
	g->dig = -1;
	a->nsig++;
	a->res->nsignatures = a->nsig;
	return g;
}

/* The unauthenticated attributes of si whose type is oid, value k:
 * calls fn for each SEQUENCE value. */
static const ASN1_STRING *
unauth_value(PKCS7_SIGNER_INFO *si, const char *oid, int *ai, int *vi)
{
	STACK_OF(X509_ATTRIBUTE) *at = PKCS7_get_attributes(si);
	int n = at ? X509at_get_attr_count(at) : 0;

	for (; *ai < n; (*ai)++, *vi = 0) {
		X509_ATTRIBUTE *x = X509at_get_attr(at, *ai);

		if (!oid_is(X509_ATTRIBUTE_get0_object(x), oid))
			continue;
		while (*vi < X509_ATTRIBUTE_count(x)) {
			ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(x, (*vi)++);

			if (t && t->type == V_ASN1_SEQUENCE)
				return t->value.sequence;
			return NULL; /* not a SEQUENCE: caller reports */
		}
	}
	return NULL;
}

/* Nested signatures of g (1.3): each value of each 1.3.6.1.4.1.311.2.4.1
 * attribute is a ContentInfo; one level deep, capped. */
static void
collect_nested(ac_run *a, ac_sig *g)
{
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(
	    PKCS7_get_signer_info(g->p7), 0);
	STACK_OF(X509_ATTRIBUTE) *at = PKCS7_get_attributes(si);
	int ai, n = at ? X509at_get_attr_count(at) : 0, vi;
	unsigned k = 0;

	for (ai = 0; ai < n; ai++) {
		X509_ATTRIBUTE *x = X509at_get_attr(at, ai);

		if (!oid_is(X509_ATTRIBUTE_get0_object(x), OID_SPC_NESTED))
			continue;
		for (vi = 0; vi < X509_ATTRIBUTE_count(x); vi++) {
			ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(x, vi);
			const unsigned char *p;
			ac_sig *h;

			if (!(h = new_sig(a, g->out->entry, ++k)))
				return;
			if (!t || t->type != V_ASN1_SEQUENCE) {
				sig_invalid(h->out, "nested signature is not "
				    "a ContentInfo");
				continue;
			}
			p = t->value.sequence->data;
			h->p7 = ac_p7_d2i(trust_of(a), &p,
			    t->value.sequence->length);
			if (!h->p7 || p != t->value.sequence->data +
			    t->value.sequence->length) {
				sig_invalid(h->out, "nested signature: bad "
				    "PKCS#7 DER");
				continue;
			}
			(void)parse_signed(h);
		}
	}
}

/* Zero bytes only. */
static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* One WIN_CERTIFICATE (1.2, 6): revision 2.0, PKCS_SIGNED_DATA, a DER
 * PKCS#7 followed only by zero padding shorter than 8 bytes. */
static void
read_entry(ac_run *a, unsigned i)
{
	const pe_cert_entry *e = &a->table.e[i];
	const unsigned char *p, *body;
	size_t used, rest;
	ac_sig *g;

	if (!(g = new_sig(a, i, 0)))
		return;
	if (e->revision != PE_WIN_CERT_REVISION_2_0) {
		sig_reason(g->out, "certificate entry at 0x%llx: revision "
		    "0x%04x (only 0x0200 is verified)",
		    (unsigned long long)e->offset, e->revision);
		return;
	}
	if (e->type != PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
		sig_reason(g->out, "certificate entry at 0x%llx: type %u "
		    "(only 2, PKCS_SIGNED_DATA, is verified)",
		    (unsigned long long)e->offset, e->type);
		return;
	}
	body = p = e->body.p;
	if (e->body.len > LONG_MAX ||
	    !(g->p7 = ac_p7_d2i(trust_of(a), &p, (long)e->body.len))) {
		sig_reason(g->out, "certificate entry at 0x%llx: not a DER "
		    "PKCS#7 ContentInfo", (unsigned long long)e->offset);
		return;
	}
	/* CVE-2013-3900: after the DER, at most 7 zero bytes to the next
	 * 8-byte boundary, in dwLength and after it. */
	used = (size_t)(p - body);
	rest = e->body.len - used;
	if (rest >= 8 || !all_zero(p, rest) ||
	    !all_zero(e->pad.p, e->pad.len)) {
		sig_reason(g->out, "certificate entry at 0x%llx: %zu bytes "
		    "after the PKCS#7 signature are not zero padding "
		    "(CVE-2013-3900)", (unsigned long long)e->offset,
		    rest + e->pad.len);
		return;
	}
	if (!parse_signed(g))
		return;
	collect_nested(a, g);
}

/* The ranges the Authenticode hash covers (2.2): [0, CheckSum),
 * [CheckSum + 4, certificate directory entry), [entry + 8, table). */
static int
make_ranges(ac_run *a)
{
	uint64_t ck = pe_checksum_offset(a->img);
	uint64_t dir = pe_cert_dir_offset(a->img);
	uint64_t tab = a->table.offset;

	if (!(ck + 4 <= dir && dir + 8 <= tab && tab <= a->img->size)) {
		file_reason(a->res, "certificate directory entry is not "
		    "between the CheckSum field and the table");
		return 0;
	}
	a->ranges[0].off = 0;
	a->ranges[0].len = ck;
	a->ranges[1].off = ck + 4;
	a->ranges[1].len = dir - (ck + 4);
	a->ranges[2].off = dir + 8;
	a->ranges[2].len = tab - (dir + 8);
	a->nranges = 3;
	return 1;
}

static const asmgate_trust *
trust_of(const ac_run *a)
{
	return a->o && a->o->version >= 2 ? a->o->trust : NULL;
}

static void
run_free(ac_run *a)
{
	unsigned i;

	for (i = 0; i < a->nsig; i++)
		ac_p7_free(trust_of(a), a->sig[i].p7);
	for (i = 0; i < a->nmd; i++)
		EVP_MD_CTX_free(a->ctx[i]);
}

/* Read the table and the signatures; list the digests needed. */
static asmgate_status
prepare(ac_run *a, const asmgate_image *img,
    const asmgate_verify_options *o, asmgate_error *err)
{
	int r;
	unsigned i, k;

	memset(a, 0, sizeof(*a));
	a->img = img;
	a->o = o;
	a->res = calloc(1, sizeof(*a->res));
	if (!a->res)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	r = pe_cert_read(img, &a->table);
	if (r == 0) {
		a->res->state = ASMGATE_AC_UNSIGNED;
		return ASMGATE_OK;
	}
	a->res->table_offset = a->table.offset;
	a->res->table_size = a->table.size;
	a->res->state = ASMGATE_AC_INVALID;
	if (r < 0) {
		file_reason(a->res, "%s (offset 0x%llx)", a->table.why,
		    (unsigned long long)a->table.bad_offset);
		return ASMGATE_OK;
	}
	a->res->signatures = calloc(1, sizeof(*a->res->signatures));
	a->cap = 1;
	if (!a->res->signatures)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (a->table.n == 0) {
		file_reason(a->res, "certificate table holds no entry");
		return ASMGATE_OK;
	}
	if (!make_ranges(a))
		return ASMGATE_OK;
	for (i = 0; i < a->table.n; i++)
		read_entry(a, i);
	for (i = 0; i < a->nsig; i++) {
		ac_sig *g = &a->sig[i];

		if (!g->md)
			continue;
		for (k = 0; k < a->nmd && a->mds[k] != g->md; k++)
			;
		if (k == a->nmd) {
			if (!(a->ctx[k] = EVP_MD_CTX_new()))
				return rd_fail_nooff(err, ASMGATE_E_NOMEM,
				    "out of memory");
			if (!EVP_DigestInit_ex(a->ctx[k], g->md, NULL))
				return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
				    "digest %s unavailable",
				    EVP_MD_get0_name(g->md));
			a->mds[k] = g->md;
			a->nmd++;
		}
		g->dig = (int)k;
	}
	ERR_clear_error();
	return ASMGATE_OK;
}

/* The consumers of the shared pass (verify_digest_multi). */
static unsigned
consumers(ac_run *a, verify_consumer *c)
{
	unsigned i;

	for (i = 0; i < a->nmd; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].ctx = a->ctx[i];
		c[i].r = a->ranges;
		c[i].n = a->nranges;
	}
	return a->nmd;
}

static asmgate_status
finish_digests(ac_run *a, asmgate_error *err)
{
	unsigned i;

	for (i = 0; i < a->nmd; i++)
		if (!EVP_DigestFinal_ex(a->ctx[i], a->got[i], &a->gotlen[i]))
			return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
			    "digest failed");
	a->hashed = 1;
	return ASMGATE_OK;
}

/* The SignerInfo's authenticated attributes (3.5): contentType is
 * SPC_INDIRECT_DATA, exactly one messageDigest. */
static int
check_auth_attrs(ac_sig *g, PKCS7_SIGNER_INFO *si)
{
	STACK_OF(X509_ATTRIBUTE) *at = PKCS7_get_signed_attributes(si);
	ASN1_TYPE *ct;
	int i, n = at ? X509at_get_attr_count(at) : 0, md = 0, cts = 0;

	for (i = 0; i < n; i++) {
		X509_ATTRIBUTE *x = X509at_get_attr(at, i);
		int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(x));

		if (nid == NID_pkcs9_messageDigest)
			md += X509_ATTRIBUTE_count(x);
		if (nid == NID_pkcs9_contentType)
			cts += X509_ATTRIBUTE_count(x);
	}
	if (md != 1)
		return sig_invalid(g->out, "SignerInfo must carry exactly one "
		    "messageDigest attribute");
	ct = PKCS7_get_signed_attribute(si, NID_pkcs9_contentType);
	if (cts != 1 || !ct || ct->type != V_ASN1_OBJECT ||
	    !oid_is(ct->value.object, OID_SPC_INDIRECT_DATA))
		return sig_invalid(g->out, "SignerInfo contentType attribute "
		    "is not SpcIndirectDataContent");
	return 1;
}

/* The signature: messageDigest over the content octets, the signature
 * over the attributes, the signer found by issuer and serial among the
 * embedded certificates (PKCS7_verify without its chain check). */
static X509 *
check_signature(ac_sig *g)
{
	STACK_OF(X509) *signers;
	X509 *signer = NULL;
	BIO *in, *mem;

	/* Through a null filter: PKCS7_verify copies a memory BIO into a
	 * second one that it leaks when PKCS7_dataInit fails (OpenSSL 3.0,
	 * pk7_smime.c, e.g. an unknown digest); another BIO type it uses
	 * as given. */
	mem = BIO_new_mem_buf(g->content, (int)g->contentlen);
	in = BIO_new(BIO_f_null());
	if (!mem || !in) {
		BIO_free(mem);
		BIO_free(in);
		sig_invalid(g->out, "out of memory");
		return NULL;
	}
	(void)BIO_push(in, mem);
	if (PKCS7_verify(g->p7, NULL, NULL, in, NULL,
		PKCS7_NOVERIFY | PKCS7_NOCRL) != 1) {
		unsigned long e = ERR_peek_last_error();
		char buf[120];

		ERR_error_string_n(e, buf, sizeof(buf));
		sig_reason(g->out, "signature does not verify: %s", buf);
		g->out->state = ASMGATE_AC_INVALID;
		BIO_free_all(in);
		return NULL;
	}
	BIO_free_all(in);
	signers = PKCS7_get0_signers(g->p7, NULL, 0);
	if (signers && sk_X509_num(signers) == 1)
		signer = sk_X509_value(signers, 0);
	sk_X509_free(signers);
	if (!signer)
		sig_invalid(g->out, "signer certificate not found");
	return signer;
}

/* The leaf may sign code (4.1): keyUsage (when present) allows
 * digitalSignature; extendedKeyUsage present with codeSigning. */
static int
code_signing_ok(X509 *x, asmgate_ac_signature *s)
{
	uint32_t fl = X509_get_extension_flags(x);

	if (!(X509_get_key_usage(x) & X509v3_KU_DIGITAL_SIGNATURE)) {
		sig_reason(s, "signer certificate key usage does not allow "
		    "digitalSignature");
		return 0;
	}
	if (!(fl & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(x) & XKU_CODE_SIGN)) {
		sig_reason(s, "signer certificate lacks the codeSigning "
		    "extended key usage (1.3.6.1.5.5.7.3.3)");
		return 0;
	}
	return 1;
}

/* Lifetime Signing (1.3.6.1.4.1.311.10.3.13) in the leaf's EKU: its
 * expiry applies whatever a timestamp says (authenticode.md 4.1). */
static int
lifetime_signing(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage,
	    NULL, NULL);
	int i, n, found = 0;

	n = eku ? sk_ASN1_OBJECT_num(eku) : 0;
	for (i = 0; i < n && !found; i++)
		found = oid_is(sk_ASN1_OBJECT_value(eku, i),
		    "1.3.6.1.4.1.311.10.3.13");
	EXTENDED_KEY_USAGE_free(eku);
	return found;
}

static int
tsa_ok(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
	    (X509_get_extended_key_usage(x) & XKU_TIMESTAMP);
}

/* H(data) with md == want. */
static int
digest_equals(const EVP_MD *md, const uint8_t *data, size_t n,
    const uint8_t *want, size_t wantlen)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;

	if (!md || !EVP_Digest(data, n, h, &hl, md, NULL))
		return 0;
	return hl == wantlen && memcmp(h, want, hl) == 0;
}

/* RFC 3161 token (3.7): a SignedData over a TSTInfo whose imprint is
 * H(encryptedDigest); its TSA chain to the same anchors at genTime with
 * timeStamping. 1 and *when on success; reason otherwise. */
static int
rfc3161(ac_run *a, ac_sig *g, PKCS7_SIGNER_INFO *si, const ASN1_STRING *v,
    int64_t *when, asmgate_ac_name *tsa_name)
{
	const unsigned char *p = v->data;
	PKCS7 *tok = ac_p7_d2i(trust_of(a), &p, v->length);
	TS_TST_INFO *tst = NULL;
	STACK_OF(X509) *signers = NULL;
	TS_MSG_IMPRINT *mi;
	const char *name;
	X509 *tsa;
	int ok = 0, depth, e;

	if (!tok || p != v->data + v->length || !PKCS7_type_is_signed(tok) ||
	    !tok->d.sign) {
		sig_reason(g->out, "RFC 3161 timestamp: bad PKCS#7");
		goto out;
	}
	if (PKCS7_verify(tok, NULL, NULL, NULL, NULL,
		PKCS7_NOVERIFY | PKCS7_NOCRL) != 1) {
		sig_reason(g->out, "RFC 3161 timestamp: signature does not "
		    "verify");
		goto out;
	}
	if (!(tst = PKCS7_to_TS_TST_INFO(tok))) {
		sig_reason(g->out, "RFC 3161 timestamp: bad TSTInfo");
		goto out;
	}
	mi = TS_TST_INFO_get_msg_imprint(tst);
	if (!digest_equals(digest_by_nid(OBJ_obj2nid(
		TS_MSG_IMPRINT_get_algo(mi)->algorithm), &name),
		si->enc_digest->data, (size_t)si->enc_digest->length,
		ASN1_STRING_get0_data(TS_MSG_IMPRINT_get_msg(mi)),
		(size_t)ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(mi)))) {
		sig_reason(g->out, "RFC 3161 timestamp: message imprint does "
		    "not match the signature value");
		goto out;
	}
	if (!ac_time(TS_TST_INFO_get_time(tst), when)) {
		sig_reason(g->out, "RFC 3161 timestamp: bad genTime");
		goto out;
	}
	signers = PKCS7_get0_signers(tok, NULL, 0);
	tsa = signers && sk_X509_num(signers) == 1 ?
	    sk_X509_value(signers, 0) : NULL;
	if (!tsa) {
		sig_reason(g->out, "RFC 3161 timestamp: no TSA certificate");
		goto out;
	}
	ac_name(X509_get_subject_name(tsa), tsa_name);
	if (!tsa_ok(tsa)) {
		sig_reason(g->out, "RFC 3161 timestamp: TSA certificate "
		    "lacks timeStamping");
		goto out;
	}
	e = ac_chain(trust_of(a), tsa, tok->d.sign->cert,
	    *when, 0, NULL, 0, NULL, &depth);
	if (e != X509_V_OK) {
		sig_reason(g->out, "RFC 3161 timestamp: TSA chain: %s",
		    e < 0 ? "no trust anchors" :
		    X509_verify_cert_error_string(e));
		goto out;
	}
	ok = 1;
out:
	sk_X509_free(signers);
	TS_TST_INFO_free(tst);
	ac_p7_free(trust_of(a), tok);
	ERR_clear_error();
	return ok;
}

/* Legacy counterSignature (3.7): a SignerInfo over H(encryptedDigest),
 * its certificate among the outer SignedData's, its signingTime the
 * time. */
static int
pkcs9(ac_run *a, ac_sig *g, PKCS7_SIGNER_INFO *si, const ASN1_STRING *v,
    int64_t *when, asmgate_ac_name *tsa_name)
{
	const unsigned char *p = v->data;
	PKCS7_SIGNER_INFO *cs = d2i_PKCS7_SIGNER_INFO(NULL, &p, v->length);
	const EVP_MD *md;
	BIO *bmd = NULL, *sink = NULL;
	ASN1_TYPE *st;
	X509 *tsa;
	int ok = 0, depth, e;

	if (!cs || p != v->data + v->length) {
		sig_reason(g->out, "counterSignature: bad SignerInfo");
		goto out;
	}
	tsa = X509_find_by_issuer_and_serial(g->p7->d.sign->cert,
	    cs->issuer_and_serial->issuer, cs->issuer_and_serial->serial);
	md = EVP_get_digestbyobj(cs->digest_alg->algorithm);
	if (!tsa || !md) {
		sig_reason(g->out, "counterSignature: signer certificate or "
		    "digest not found");
		goto out;
	}
	bmd = BIO_new(BIO_f_md());
	sink = BIO_new(BIO_s_null());
	if (!bmd || !sink || !BIO_set_md(bmd, md)) {
		sig_reason(g->out, "counterSignature: out of memory");
		goto out;
	}
	(void)BIO_push(bmd, sink);
	sink = NULL; /* freed with the chain */
	if (BIO_write(bmd, si->enc_digest->data, si->enc_digest->length) !=
	    si->enc_digest->length ||
	    PKCS7_signatureVerify(bmd, g->p7, cs, tsa) != 1) {
		sig_reason(g->out, "counterSignature does not verify");
		goto out;
	}
	st = PKCS7_get_signed_attribute(cs, NID_pkcs9_signingTime);
	if (!st || (st->type != V_ASN1_UTCTIME &&
	    st->type != V_ASN1_GENERALIZEDTIME) ||
	    !ac_time(st->value.utctime, when)) {
		sig_reason(g->out, "counterSignature: no signingTime");
		goto out;
	}
	ac_name(X509_get_subject_name(tsa), tsa_name);
	if (!tsa_ok(tsa)) {
		sig_reason(g->out, "counterSignature: certificate lacks "
		    "timeStamping");
		goto out;
	}
	e = ac_chain(trust_of(a), tsa, g->p7->d.sign->cert,
	    *when, 0, NULL, 0, NULL, &depth);
	if (e != X509_V_OK) {
		sig_reason(g->out, "counterSignature: TSA chain: %s",
		    e < 0 ? "no trust anchors" :
		    X509_verify_cert_error_string(e));
		goto out;
	}
	ok = 1;
out:
	BIO_free_all(bmd);
	BIO_free(sink);
	PKCS7_SIGNER_INFO_free(cs);
	ERR_clear_error();
	return ok;
}

/* The first valid timestamp, RFC 3161 first. */
static void
timestamp(ac_run *a, ac_sig *g, PKCS7_SIGNER_INFO *si)
{
	const ASN1_STRING *v;
	asmgate_ac_name tsa;
	int64_t when;
	int ai = 0, vi = 0, k;

	for (k = 0; (unsigned)k < RD_MAX_AC_TIMESTAMPS &&
	    (v = unauth_value(si, OID_RFC3161, &ai, &vi));
	    k++) {
		if (rfc3161(a, g, si, v, &when, &tsa)) {
			g->out->ts_kind = ASMGATE_AC_TS_RFC3161;
			g->out->ts_time = when;
			g->out->ts_signer = tsa;
			return;
		}
	}
	ai = vi = 0;
	for (k = 0; (unsigned)k < RD_MAX_AC_TIMESTAMPS &&
	    (v = unauth_value(si, "1.2.840.113549.1.9.6", &ai, &vi)); k++) {
		if (pkcs9(a, g, si, v, &when, &tsa)) {
			g->out->ts_kind = ASMGATE_AC_TS_PKCS9;
			g->out->ts_time = when;
			g->out->ts_signer = tsa;
			return;
		}
	}
}

static void
finish_sig(ac_run *a, ac_sig *g)
{
	asmgate_ac_signature *s = g->out;
	PKCS7_SIGNER_INFO *si;
	X509 *signer;
	int64_t when;
	int e, depth = 0;

	if (!g->p7 || !g->md || g->dig < 0)
		return; /* already invalid, with its reason */
	if (g->wantlen != a->gotlen[g->dig] ||
	    memcmp(g->want, a->got[g->dig], g->wantlen) != 0) {
		sig_invalid(s, "image digest does not match: the file was "
		    "changed after signing");
		return;
	}
	s->digest_ok = 1;
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(g->p7), 0);
	if (!check_auth_attrs(g, si))
		return;
	if (!(signer = check_signature(g)))
		return;
	if (!ac_cert_facts_cached(trust_of(a), signer, &s->signer)) {
		sig_invalid(s, "signer certificate facts unavailable");
		return;
	}
	s->has_signer = 1;
	s->chain[0] = s->signer;
	s->nchain = 1;
	timestamp(a, g, si);
	when = a->o && a->o->version >= 2 && a->o->has_at ? a->o->at :
	    (int64_t)time(NULL);
	if (s->ts_kind && !lifetime_signing(signer))
		when = s->ts_time;
	else if (s->ts_kind)
		sig_reason(s, "Lifetime Signing certificate: checked at the "
		    "verification time, not the timestamp's");
	e = ac_chain(trust_of(a), signer,
	    g->p7->d.sign->cert, when, 1, s->chain, ASMGATE_AC_MAX_CHAIN,
	    &s->nchain, &depth);
	if (s->nchain == 0) {
		s->chain[0] = s->signer;
		s->nchain = 1;
	}
	if (e == X509_V_OK) {
		if (!code_signing_ok(signer, s)) {
			s->state = ASMGATE_AC_UNTRUSTED;
			return;
		}
		s->state = ASMGATE_AC_VALID;
		sig_reason(s, "signature verifies (%s) and chains to a trust "
		    "anchor%s", s->digest_algorithm, s->ts_kind &&
		    when == s->ts_time ? " at the timestamp's time" : "");
		return;
	}
	if (e < 0) {
		s->state = ASMGATE_AC_UNTRUSTED;
		sig_reason(s, "no trust anchors were given");
		return;
	}
	if (e == X509_V_ERR_CERT_REVOKED) {
		s->state = ASMGATE_AC_REVOKED;
		sig_reason(s, "certificate at chain depth %d is revoked",
		    depth);
		return;
	}
	if (e == X509_V_ERR_CERT_HAS_EXPIRED ||
	    e == X509_V_ERR_CERT_NOT_YET_VALID) {
		s->state = ASMGATE_AC_EXPIRED;
		sig_reason(s, "certificate at chain depth %d: %s at %s", depth,
		    X509_verify_cert_error_string(e), s->ts_kind &&
		    when == s->ts_time ? "the timestamp's time" :
		    "the verification time (no valid timestamp)");
		return;
	}
	s->state = ASMGATE_AC_UNTRUSTED;
	sig_reason(s, "chain: %s (depth %d)", X509_verify_cert_error_string(e),
	    depth);
	(void)code_signing_ok(signer, s);
}

/* Finish every signature and combine (see the top of this file). */
static void
finish(ac_run *a)
{
	asmgate_authenticode *r = a->res;
	unsigned i;
	int bad = 0;

	if (r->state == ASMGATE_AC_UNSIGNED || !r->signatures ||
	    a->nsig == 0)
		return;
	for (i = 0; i < a->nsig; i++) {
		finish_sig(a, &a->sig[i]);
		ERR_clear_error();
		if (a->sig[i].out->state == ASMGATE_AC_INVALID)
			bad = 1;
	}
	if (r->nreasons > 0 || bad) {
		r->state = ASMGATE_AC_INVALID;
		for (i = 0; i < a->nsig; i++) {
			asmgate_ac_signature *s = &r->signatures[i];

			if (s->state == ASMGATE_AC_INVALID)
				file_reason(r, "signature %u%s%.0u: %s", s->entry,
				    s->nested ? "." : "", s->nested,
				    s->nreasons ? s->reasons[0] : "invalid");
		}
		return;
	}
	r->state = r->signatures[0].state;
	for (i = 0; i < r->signatures[0].nreasons; i++)
		file_reason(r, "%s", r->signatures[0].reasons[i]);
}

/* Shared by asmgate_authenticode_verify and asmgate_verify_full: the
 * strong-name part is run by sn (may be NULL) with the Authenticode
 * digests riding on its pass. */
static asmgate_status
run(const asmgate_image *img, const asmgate_verify_options *o,
    asmgate_signature *sig, asmgate_authenticode **out, asmgate_error *err)
{
	ac_run *a;
	verify_extra x;
	asmgate_status rc;

	*out = NULL;
	a = malloc(sizeof(*a));
	if (!a)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if ((rc = prepare(a, img, o, err)) != ASMGATE_OK)
		goto fail;
	memset(&x, 0, sizeof(x));
	x.n = consumers(a, x.c);
	if (sig && (rc = verify_image_extra(img, o, sig, &x, err)) !=
	    ASMGATE_OK)
		goto fail;
	if (x.n > 0 && !x.done && (rc = verify_digest_multi(img, NULL, NULL,
	    NULL, NULL, NULL, x.c, x.n, err)) != ASMGATE_OK)
		goto fail;
	if (x.n > 0 && (rc = finish_digests(a, err)) != ASMGATE_OK)
		goto fail;
	finish(a);
	*out = a->res;
	run_free(a);
	free(a);
	return ASMGATE_OK;
fail:
	asmgate_authenticode_free(a->res);
	run_free(a);
	free(a);
	ERR_clear_error();
	return rc;
}

void
asmgate_authenticode_free(asmgate_authenticode *ac)
{
	if (!ac)
		return;
	free(ac->signatures);
	free(ac);
}

asmgate_status
asmgate_authenticode_verify(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_authenticode **out,
    asmgate_error *err)
{
	*out = NULL;
	if (opts && opts->version != ASMGATE_VERIFY_OPTIONS_VERSION &&
	    opts->version != 1)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "verify options of unknown version %u", opts->version);
	return run(img, opts, NULL, out, err);
}

asmgate_status
asmgate_verify_full(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_signature *sig,
    asmgate_authenticode **ac, asmgate_error *err)
{
	if (!ac)
		return asmgate_verify_image(img, opts, sig, err);
	*ac = NULL;
	if (opts && opts->version != ASMGATE_VERIFY_OPTIONS_VERSION &&
	    opts->version != 1)
		return asmgate_verify_image(img, opts, sig, err);
	return run(img, opts, sig, ac, err);
}
