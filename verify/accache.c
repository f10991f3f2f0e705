/*
 * accache.c - per-run Authenticode caches kept in asmgate_trust
 * (docs/ARCHITECTURE.md, "Authenticode caches").
 *
 * Certificates: OpenSSL 3.0 decodes each certificate's public key
 * through its provider decoders when the certificate is parsed, which
 * costs far more than the rest of a SignedData. The signatures of one
 * publisher carry the same certificates, so a SignedData's certificates
 * are cut out of its DER, each parsed once per run and kept by its DER
 * (compared byte for byte), and put back into the parsed SignedData in
 * their order. A kept certificate is lent to one SignedData at a time
 * (busy), so no two threads touch one X509 object. Anything but plain
 * definite-length DER, or any parse that fails, falls back to
 * d2i_PKCS7 over the original bytes: what is accepted and refused does
 * not change.
 *
 * Chains: the outcome of ac_chain (result, depth, chain facts) is a
 * function of the store (fixed per trust), the leaf and the untrusted
 * certificates in their order, the time, whether CRLs apply and how
 * many chain facts are asked for; all of them are the key.
 *
 * Both caches are bounded (RD_MAX_AC_CERT_CACHE, RD_MAX_AC_CHAIN_CACHE;
 * the oldest slot not in use is replaced) and guarded by t->cmu.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ac.h"

/* 1.2.840.113549.1.7.2 (PKCS #7 signedData), DER contents octets. */
static const unsigned char oid_signed_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
};

static asmgate_trust *
mut(const asmgate_trust *t)
{
	return (asmgate_trust *)(uintptr_t)t;
}

int
ac_cache_init(asmgate_trust *t)
{
	if (pthread_mutex_init(&t->cmu, NULL) != 0)
		return 0;
	t->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!t->sha256) {
		pthread_mutex_destroy(&t->cmu);
		return 0;
	}
	return 1;
}

void
ac_cache_free(asmgate_trust *t)
{
	unsigned i;

	for (i = 0; i < RD_MAX_AC_CERT_CACHE; i++) {
		X509_free(t->certs[i].x);
		free(t->certs[i].der);
		free(t->certs[i].facts);
	}
	for (i = 0; i < RD_MAX_AC_CHAIN_CACHE; i++)
		free(t->chains[i].out);
	EVP_MD_free(t->sha256);
	pthread_mutex_destroy(&t->cmu);
}

/* ------------------------------------------------------------ certs */

static void
slot_clear(ac_cert_slot *s)
{
	X509_free(s->x);
	free(s->der);
	free(s->facts);
	memset(s, 0, sizeof(*s));
}

/* The certificate whose DER is [der, der + len), lent to the caller
 * (one reference, busy until ac_p7_free): the kept one when it is not
 * lent already, else a new parse, kept when a slot is free. NULL when
 * the bytes are not exactly one certificate. */
static X509 *
cert_take(asmgate_trust *t, const unsigned char *der, long len)
{
	uint8_t h[32];
	const unsigned char *p = der;
	ac_cert_slot *s = NULL;
	X509 *x;
	unsigned i, k;

	if (!EVP_Digest(der, (size_t)len, h, NULL, t->sha256, NULL))
		return NULL;
	pthread_mutex_lock(&t->cmu);
	for (i = 0; i < RD_MAX_AC_CERT_CACHE; i++) {
		s = &t->certs[i];
		if (s->der && !s->busy && s->len == (size_t)len &&
		    memcmp(s->hash, h, sizeof(h)) == 0 &&
		    memcmp(s->der, der, (size_t)len) == 0) {
			s->busy = 1;
			X509_up_ref(s->x);
			pthread_mutex_unlock(&t->cmu);
			return s->x;
		}
	}
	pthread_mutex_unlock(&t->cmu);
	x = d2i_X509(NULL, &p, len);
	if (!x || p != der + len) {
		X509_free(x);
		return NULL;
	}
	pthread_mutex_lock(&t->cmu);
	for (k = 0, s = NULL; k < RD_MAX_AC_CERT_CACHE && !s; k++) {
		s = &t->certs[(t->cert_next + k) % RD_MAX_AC_CERT_CACHE];
		if (s->busy)
			s = NULL;
	}
	if (s) {
		t->cert_next = (unsigned)((s - t->certs) + 1) %
		    RD_MAX_AC_CERT_CACHE;
		slot_clear(s);
		if ((s->der = malloc((size_t)len)) != NULL) {
			memcpy(s->der, der, (size_t)len);
			memcpy(s->hash, h, sizeof(h));
			s->len = (size_t)len;
			s->x = x;
			s->busy = 1;
			X509_up_ref(x);
		}
	}
	pthread_mutex_unlock(&t->cmu);
	return x;
}

/* Give back x when it was lent by cert_take. Under t->cmu. */
static void
give_locked(asmgate_trust *t, const X509 *x)
{
	unsigned k;

	for (k = 0; k < RD_MAX_AC_CERT_CACHE; k++)
		if (t->certs[k].x == x && t->certs[k].busy) {
			t->certs[k].busy = 0;
			return;
		}
}

/* One definite-length TLV at p inside [p, end): 1 with its header and
 * contents lengths, its tag, class and form. */
static int
tlv(const unsigned char *p, const unsigned char *end, int *tag, int *cls,
    int *cons, long *hl, long *cl)
{
	const unsigned char *q = p;
	int r;

	if (end <= p)
		return 0;
	r = ASN1_get_object(&q, cl, tag, cls, end - p);
	if ((r & 0x80) || (r & 0x01) || *cl > end - q)
		return 0;
	*cons = (r & V_ASN1_CONSTRUCTED) != 0;
	*hl = q - p;
	return 1;
}

/* A TLV of the given tag and class, constructed, definite. */
static int
tlv_is(const unsigned char *p, const unsigned char *end, int want_tag,
    int want_cls, long *hl, long *cl)
{
	int tag, cls, cons;

	return tlv(p, end, &tag, &cls, &cons, hl, cl) && cons &&
	    tag == want_tag && cls == want_cls;
}

/* The pieces of a ContentInfo holding a SignedData with certificates
 * (RFC 2315 7, 9.1): the DER up to the certificates field, the field's
 * elements, the DER after it. 0 when the bytes are anything else. */
typedef struct p7_split {
	long total;                 /* the ContentInfo TLV */
	const unsigned char *head;  /* SignedData contents before [0] */
	long headlen;
	const unsigned char *tail;  /* after [0], to the SignedData end */
	long taillen;
	const unsigned char *cert[RD_MAX_AC_P7_CERTS];
	long certlen[RD_MAX_AC_P7_CERTS];
	unsigned ncert;
} p7_split;

static int
split(const unsigned char *p, long len, p7_split *o)
{
	const unsigned char *end = p + len, *q, *e, *f;
	long hl, cl, shl, scl;
	int tag, cls, cons, i;

	memset(o, 0, sizeof(*o));
	if (!tlv_is(p, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &hl, &cl))
		return 0;
	o->total = hl + cl;
	end = p + o->total;
	q = p + hl;
	if (!tlv(q, end, &tag, &cls, &cons, &shl, &scl) || cons ||
	    tag != V_ASN1_OBJECT || cls != V_ASN1_UNIVERSAL ||
	    scl != (long)sizeof(oid_signed_data) ||
	    memcmp(q + shl, oid_signed_data, sizeof(oid_signed_data)) != 0)
		return 0;
	q += shl + scl;
	if (!tlv_is(q, end, 0, V_ASN1_CONTEXT_SPECIFIC, &hl, &cl) ||
	    q + hl + cl != end)
		return 0;
	q += hl;
	if (!tlv_is(q, end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &hl, &cl) ||
	    q + hl + cl != end)
		return 0;
	q += hl;
	o->head = q;
	/* version, digestAlgorithms, contentInfo */
	for (i = 0; i < 3; i++) {
		if (!tlv(q, end, &tag, &cls, &cons, &hl, &cl))
			return 0;
		q += hl + cl;
	}
	o->headlen = q - o->head;
	if (!tlv_is(q, end, 0, V_ASN1_CONTEXT_SPECIFIC, &hl, &cl))
		return 0;
	e = q + hl + cl;
	for (f = q + hl; f < e; f += hl + cl) {
		if (o->ncert >= RD_MAX_AC_P7_CERTS ||
		    !tlv_is(f, e, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, &hl,
		    &cl))
			return 0;
		o->cert[o->ncert] = f;
		o->certlen[o->ncert] = hl + cl;
		o->ncert++;
	}
	o->tail = e;
	o->taillen = end - e;
	return 1;
}

/* The DER of s without its certificates field; NULL on failure. */
static unsigned char *
rebuild(const p7_split *s, long *outlen)
{
	long sd, e0, ci, oid, total;
	unsigned char *buf, *w;

	oid = 2 + (long)sizeof(oid_signed_data);
	sd = s->headlen + s->taillen;
	e0 = ASN1_object_size(1, (int)sd, V_ASN1_SEQUENCE);
	if (e0 < 0)
		return NULL;
	ci = ASN1_object_size(1, (int)e0, 0);
	if (ci < 0 || (total = ASN1_object_size(1, (int)(oid + ci),
	    V_ASN1_SEQUENCE)) < 0)
		return NULL;
	if (!(w = buf = malloc((size_t)total)))
		return NULL;
	ASN1_put_object(&w, 1, (int)(oid + ci), V_ASN1_SEQUENCE,
	    V_ASN1_UNIVERSAL);
	*w++ = V_ASN1_OBJECT;
	*w++ = (unsigned char)sizeof(oid_signed_data);
	memcpy(w, oid_signed_data, sizeof(oid_signed_data));
	w += sizeof(oid_signed_data);
	ASN1_put_object(&w, 1, (int)e0, 0, V_ASN1_CONTEXT_SPECIFIC);
	ASN1_put_object(&w, 1, (int)sd, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	memcpy(w, s->head, (size_t)s->headlen);
	w += s->headlen;
	memcpy(w, s->tail, (size_t)s->taillen);
	w += s->taillen;
	if (w - buf != total) {
		free(buf);
		return NULL;
	}
	*outlen = total;
	return buf;
}

/* The fast path: NULL when it does not apply or fails (the caller
 * then parses the original bytes). */
static PKCS7 *
p7_cached(asmgate_trust *t, const unsigned char *p, long len, long *used)
{
	p7_split s;
	unsigned char *buf = NULL;
	const unsigned char *q;
	long blen = 0;
	PKCS7 *p7 = NULL;
	STACK_OF(X509) *certs = NULL;
	unsigned i;

	if (!split(p, len, &s) || s.ncert == 0 ||
	    !(buf = rebuild(&s, &blen)))
		goto fail;
	q = buf;
	p7 = d2i_PKCS7(NULL, &q, blen);
	if (!p7 || q != buf + blen || !PKCS7_type_is_signed(p7) ||
	    !p7->d.sign || p7->d.sign->cert)
		goto fail;
	if (!(certs = sk_X509_new_null()))
		goto fail;
	p7->d.sign->cert = certs;
	for (i = 0; i < s.ncert; i++) {
		X509 *x = cert_take(t, s.cert[i], s.certlen[i]);

		if (x && !sk_X509_push(certs, x)) {
			pthread_mutex_lock(&t->cmu);
			give_locked(t, x);
			pthread_mutex_unlock(&t->cmu);
			X509_free(x);
			x = NULL;
		}
		if (!x)
			goto fail;
	}
	free(buf);
	*used = s.total;
	return p7;
fail:
	if (p7)
		ac_p7_free(t, p7);
	free(buf);
	ERR_clear_error();
	return NULL;
}

PKCS7 *
ac_p7_d2i(const asmgate_trust *t, const unsigned char **pp, long len)
{
	PKCS7 *p7;
	long used = 0;

	if (t && t->sha256 && len > 0 &&
	    (p7 = p7_cached(mut(t), *pp, len, &used)) != NULL) {
		*pp += used;
		return p7;
	}
	return d2i_PKCS7(NULL, pp, len);
}

void
ac_p7_free(const asmgate_trust *t, PKCS7 *p7)
{
	STACK_OF(X509) *certs;
	int i, n;

	if (!p7)
		return;
	certs = PKCS7_type_is_signed(p7) && p7->d.sign ?
	    p7->d.sign->cert : NULL;
	n = certs ? sk_X509_num(certs) : 0;
	if (t && n > 0) {
		pthread_mutex_lock(&mut(t)->cmu);
		for (i = 0; i < n; i++)
			give_locked(mut(t), sk_X509_value(certs, i));
		pthread_mutex_unlock(&mut(t)->cmu);
	}
	PKCS7_free(p7);
}

int
ac_cert_facts_cached(const asmgate_trust *ct, X509 *x, asmgate_ac_cert *out)
{
	asmgate_trust *t = mut(ct);
	asmgate_ac_cert *f;
	unsigned k;

	if (!t)
		return ac_cert_facts(x, out);
	pthread_mutex_lock(&t->cmu);
	for (k = 0; k < RD_MAX_AC_CERT_CACHE; k++)
		if (t->certs[k].x == x && t->certs[k].facts) {
			*out = *t->certs[k].facts;
			pthread_mutex_unlock(&t->cmu);
			return 1;
		}
	pthread_mutex_unlock(&t->cmu);
	if (!ac_cert_facts(x, out))
		return 0;
	/* Kept only on the slot x is lent from (busy: not replaced). */
	pthread_mutex_lock(&t->cmu);
	for (k = 0; k < RD_MAX_AC_CERT_CACHE; k++)
		if (t->certs[k].x == x && t->certs[k].busy &&
		    !t->certs[k].facts) {
			if ((f = malloc(sizeof(*f))) != NULL) {
				*f = *out;
				t->certs[k].facts = f;
			}
			break;
		}
	pthread_mutex_unlock(&t->cmu);
	return 1;
}

/* ------------------------------------------------------------ chains */

/* SHA-256 of x's DER: the kept one when x came from the cache. */
static int
cert_hash(asmgate_trust *t, X509 *x, uint8_t h[32])
{
	unsigned k, len = 32;

	pthread_mutex_lock(&t->cmu);
	for (k = 0; k < RD_MAX_AC_CERT_CACHE; k++)
		if (t->certs[k].x == x) {
			memcpy(h, t->certs[k].hash, 32);
			pthread_mutex_unlock(&t->cmu);
			return 1;
		}
	pthread_mutex_unlock(&t->cmu);
	return X509_digest(x, t->sha256, h, &len) && len == 32;
}

int
ac_chain_key(const asmgate_trust *ct, X509 *leaf, STACK_OF(X509) *untrusted,
    uint8_t key[32])
{
	asmgate_trust *t = mut(ct);
	EVP_MD_CTX *c;
	uint8_t h[32];
	int i, n = untrusted ? sk_X509_num(untrusted) : 0, ok = 0;
	unsigned char nb[4];

	if (!t || !t->sha256 || !(c = EVP_MD_CTX_new()))
		return 0;
	nb[0] = (unsigned char)(n >> 24);
	nb[1] = (unsigned char)(n >> 16);
	nb[2] = (unsigned char)(n >> 8);
	nb[3] = (unsigned char)n;
	if (!EVP_DigestInit_ex(c, t->sha256, NULL) ||
	    !cert_hash(t, leaf, h) || !EVP_DigestUpdate(c, h, 32) ||
	    !EVP_DigestUpdate(c, nb, 4))
		goto out;
	for (i = 0; i < n; i++)
		if (!cert_hash(t, sk_X509_value(untrusted, i), h) ||
		    !EVP_DigestUpdate(c, h, 32))
			goto out;
	ok = EVP_DigestFinal_ex(c, key, NULL);
out:
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

int
ac_chain_get(const asmgate_trust *ct, const uint8_t key[32], int64_t when,
    int crl, asmgate_ac_cert *out, size_t max, size_t *nout, int *depth,
    int *e)
{
	asmgate_trust *t = mut(ct);
	unsigned k;
	int found = 0;

	pthread_mutex_lock(&t->cmu);
	for (k = 0; k < RD_MAX_AC_CHAIN_CACHE && !found; k++) {
		const ac_chain_slot *s = &t->chains[k];

		if (!s->used || s->when != when || s->crl != crl ||
		    s->max != max || memcmp(s->key, key, 32) != 0)
			continue;
		*e = s->e;
		*depth = s->depth;
		if (nout)
			*nout = s->nout;
		if (out && s->nout > 0)
			memcpy(out, s->out, s->nout * sizeof(*out));
		found = 1;
	}
	pthread_mutex_unlock(&t->cmu);
	return found;
}

void
ac_chain_put(const asmgate_trust *ct, const uint8_t key[32], int64_t when,
    int crl, const asmgate_ac_cert *out, size_t max, size_t nout,
    int depth, int e)
{
	asmgate_trust *t = mut(ct);
	asmgate_ac_cert *copy = NULL;
	ac_chain_slot *s;

	if (max > 0) {
		if (nout > max || !(copy = calloc(max, sizeof(*copy))))
			return;
		memcpy(copy, out, nout * sizeof(*copy));
	}
	pthread_mutex_lock(&t->cmu);
	s = &t->chains[t->chain_next];
	t->chain_next = (t->chain_next + 1) % RD_MAX_AC_CHAIN_CACHE;
	free(s->out);
	s->used = 1;
	memcpy(s->key, key, 32);
	s->when = when;
	s->crl = crl;
	s->max = max;
	s->e = e;
	s->depth = depth;
	s->nout = nout;
	s->out = copy;
	pthread_mutex_unlock(&t->cmu);
}
