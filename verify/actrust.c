/*
 * actrust.c - trust anchors, revocation lists, chains, distinguished
 * names and certificate facts for Authenticode (authenticode.md 4.1, 5).
 *
 * The store is built once per run (asmgate_trust_new) and only read
 * afterwards: every check sets its time, purpose and flags on its own
 * X509_STORE_CTX, never on the shared store. Nothing is fetched from the
 * network: no lookup method but files and hashed directories is added.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ac.h"
#include "rd/err.h"
#include "rd/hex.h"
#include "rd/limits.h"

/* ------------------------------------------------------------ time */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
ac_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	*out = days_from_civil((int64_t)tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 1;
}

/* ------------------------------------------------------------ names */

/* A value made canonical as X509_NAME_cmp's encoding does it (OpenSSL
 * x_name.c asn1_string_canon): leading and trailing white space
 * dropped, inner runs made one space, ASCII letters lowered. In place;
 * returns the new length. */
static size_t
canon_value(unsigned char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n && isspace(s[i]) && s[i] < 0x80)
		i++;
	while (n > i && isspace(s[n - 1]) && s[n - 1] < 0x80)
		n--;
	while (i < n) {
		if (s[i] < 0x80 && isspace(s[i])) {
			s[o++] = ' ';
			while (i < n && s[i] < 0x80 && isspace(s[i]))
				i++;
			continue;
		}
		s[o++] = s[i] < 0x80 ? (unsigned char)tolower(s[i]) : s[i];
		i++;
	}
	return o;
}

/* The canonical DER of n: each value as a canonical UTF8String, RDNs
 * and their attributes kept. 0 when it cannot be made or is over cap. */
static int
canon_der(const X509_NAME *n, uint8_t *out, size_t cap, size_t *len)
{
	X509_NAME *c = X509_NAME_new();
	unsigned char *der = NULL;
	int i, cnt, prev_set = -1, ok = 0, dl;

	*len = 0;
	if (!c)
		return 0;
	cnt = X509_NAME_entry_count(n);
	for (i = 0; i < cnt; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		unsigned char *u = NULL;
		int ul, set = X509_NAME_ENTRY_set(e);
		size_t cl;

		ul = ASN1_STRING_to_UTF8(&u,
		    X509_NAME_ENTRY_get_data(e));
		if (ul < 0)
			goto out;
		cl = canon_value(u, (size_t)ul);
		if (!X509_NAME_add_entry_by_OBJ(c,
			X509_NAME_ENTRY_get_object(e), V_ASN1_UTF8STRING, u,
			(int)cl, -1, set == prev_set ? -1 : 0)) {
			OPENSSL_free(u);
			goto out;
		}
		OPENSSL_free(u);
		prev_set = set;
	}
	dl = i2d_X509_NAME(c, &der);
	if (dl <= 0 || (size_t)dl > cap)
		goto out;
	memcpy(out, der, (size_t)dl);
	*len = (size_t)dl;
	ok = 1;
out:
	OPENSSL_free(der);
	X509_NAME_free(c);
	return ok;
}

void
ac_name(const X509_NAME *n, asmgate_ac_name *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long l;

	memset(out, 0, sizeof(*out));
	if (b && X509_NAME_print_ex(b, n, 0,
		XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		l = BIO_get_mem_data(b, &p);
		if (l > 0 && p) {
			size_t k = (size_t)l < sizeof(out->text) - 1 ?
			    (size_t)l : sizeof(out->text) - 1;
			memcpy(out->text, p, k);
			out->text[k] = '\0';
		}
	}
	BIO_free(b);
	(void)canon_der(n, out->canon, sizeof(out->canon), &out->canon_len);
}

/* Attribute type names Windows shows that OpenSSL does not know. */
static const char *
type_alias(const char *t)
{
	if (strcmp(t, "E") == 0)
		return "emailAddress";
	if (strcmp(t, "S") == 0)
		return "ST";
	if (strcmp(t, "SERIALNUMBER") == 0)
		return "serialNumber";
	return t;
}

/* One "type=value" of RFC 4514 text in [s, e): escapes (\, and \XX)
 * undone, blanks around type and value dropped. */
static int
parse_ava(const char *s, const char *e, X509_NAME *n, int join)
{
	char type[64], val[ASMGATE_AC_NAME_MAX];
	const char *eq = s;
	size_t tl = 0, vl = 0;
	ASN1_OBJECT *obj;
	int ok;

	while (eq < e && *eq != '=')
		eq++;
	if (eq == e)
		return 0;
	while (s < eq && *s == ' ')
		s++;
	tl = (size_t)(eq - s);
	while (tl > 0 && s[tl - 1] == ' ')
		tl--;
	if (tl == 0 || tl >= sizeof(type))
		return 0;
	memcpy(type, s, tl);
	type[tl] = '\0';
	s = eq + 1;
	while (s < e && *s == ' ')
		s++;
	while (s < e) {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			if (s >= e)
				return 0;
			if (rd_hex_digit(s[0]) >= 0 && s + 1 < e &&
			    rd_hex_digit(s[1]) >= 0) {
				c = rd_hex_digit(s[0]) * 16 +
				    rd_hex_digit(s[1]);
				s += 2;
			} else {
				c = (unsigned char)*s++;
			}
		}
		if (vl >= sizeof(val))
			return 0;
		val[vl++] = (char)c;
	}
	obj = OBJ_txt2obj(type_alias(type), 0);
	if (!obj) {
		/* RFC 4514 3: type names are case-insensitive ("cn",
		 * "c"); OpenSSL's short names are upper case */
		size_t i;
		for (i = 0; type[i]; i++)
			if (type[i] >= 'a' && type[i] <= 'z')
				type[i] = (char)(type[i] - 32);
		obj = OBJ_txt2obj(type_alias(type), 0);
	}
	if (!obj)
		return 0;
	ok = X509_NAME_add_entry_by_OBJ(n, obj, V_ASN1_UTF8STRING,
	    (const unsigned char *)val, (int)vl, -1, join ? -1 : 0);
	ASN1_OBJECT_free(obj);
	return ok;
}

/* End of the RDN or AVA starting at s: the first unescaped stop char. */
static const char *
dn_end(const char *s, const char *e, const char *stops)
{
	while (s < e) {
		if (*s == '\\' && s + 1 < e) {
			s += 2;
			continue;
		}
		if (strchr(stops, *s))
			return s;
		s++;
	}
	return e;
}

asmgate_status
asmgate_dn_canonical(const char *dn, uint8_t *out, size_t cap, size_t *len,
    asmgate_error *err)
{
	const char *rdn[64][2];
	const char *s = dn, *e;
	size_t nrdn = 0, i;
	X509_NAME *n = NULL;
	asmgate_status rc;

	*len = 0;
	if (!dn || strlen(dn) >= ASMGATE_AC_NAME_MAX)
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "distinguished name missing or longer than %u bytes",
		    ASMGATE_AC_NAME_MAX - 1);
	e = dn + strlen(dn);
	/* RFC 4514 2.1: RDNs in text run from the last one in the DER
	 * sequence to the first, so they are added in reverse. */
	while (s < e) {
		const char *r = dn_end(s, e, ",;");

		if (nrdn >= sizeof(rdn) / sizeof(rdn[0]))
			return rd_fail_nooff(err, ASMGATE_E_LIMIT,
			    "distinguished name has more than 64 parts");
		rdn[nrdn][0] = s;
		rdn[nrdn][1] = r;
		nrdn++;
		s = r < e ? r + 1 : e;
	}
	if (nrdn == 0)
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "empty distinguished name");
	if (!(n = X509_NAME_new()))
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = nrdn; i-- > 0; ) {
		const char *a = rdn[i][0];
		int join = 0;

		while (a < rdn[i][1]) {
			const char *b = dn_end(a, rdn[i][1], "+");

			if (!parse_ava(a, b, n, join)) {
				rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "not a distinguished name part: '%.*s' "
				    "(TYPE=value expected, TYPE a known "
				    "attribute name or a dotted OID)",
				    (int)(b - a > 60 ? 60 : b - a), a);
				X509_NAME_free(n);
				return rc;
			}
			join = 1;
			a = b < rdn[i][1] ? b + 1 : b;
		}
	}
	if (!canon_der(n, out, cap, len)) {
		X509_NAME_free(n);
		return rd_fail_nooff(err, ASMGATE_E_LIMIT,
		    "canonical form of the distinguished name is over %zu "
		    "bytes", cap);
	}
	X509_NAME_free(n);
	return ASMGATE_OK;
}

/* ------------------------------------------------------------ certs */

int
ac_cert_facts(X509 *x, asmgate_ac_cert *out)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned len;
	BIGNUM *bn;
	char *hex;

	memset(out, 0, sizeof(*out));
	ac_name(X509_get_subject_name(x), &out->subject);
	ac_name(X509_get_issuer_name(x), &out->issuer);
	bn = ASN1_INTEGER_to_BN(sn, NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex) {
		snprintf(out->serial, sizeof(out->serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	len = sizeof(out->sha1);
	if (!X509_digest(x, EVP_sha1(), out->sha1, &len))
		return 0;
	len = sizeof(out->sha256);
	if (!X509_digest(x, EVP_sha256(), out->sha256, &len))
		return 0;
	(void)ac_time(X509_get0_notBefore(x), &out->not_before);
	(void)ac_time(X509_get0_notAfter(x), &out->not_after);
	return 1;
}

/* ------------------------------------------------------------ trust */

static asmgate_status
readable(const char *path, int dir, asmgate_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return rd_fail_nooff(err, ASMGATE_E_IO, "%s: %s", path,
		    strerror(errno));
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return rd_fail_nooff(err, ASMGATE_E_IO, "%s: not a %s", path,
		    dir ? "directory" : "regular file");
	return ASMGATE_OK;
}

asmgate_status
asmgate_trust_new(asmgate_trust **out, const char *const *ca_files,
    size_t nca_files, const char *const *ca_paths, size_t nca_paths,
    const char *const *crl_files, size_t ncrl_files, asmgate_error *err)
{
	asmgate_trust *t;
	X509_LOOKUP *lk;
	asmgate_status rc;
	size_t i;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t || !(t->store = X509_STORE_new())) {
		free(t);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		X509_STORE_free(t->store);
		free(t);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	if (!ac_cache_init(t)) {
		pthread_mutex_destroy(&t->mu);
		X509_STORE_free(t->store);
		free(t);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	for (i = 0; i < nca_files; i++) {
		if ((rc = readable(ca_files[i], 0, err)) != ASMGATE_OK)
			goto fail;
		if (!X509_STORE_load_file(t->store, ca_files[i])) {
			rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "%s: no PEM certificate could be read",
			    ca_files[i]);
			goto fail;
		}
	}
	for (i = 0; i < nca_paths; i++) {
		if ((rc = readable(ca_paths[i], 1, err)) != ASMGATE_OK)
			goto fail;
		if (!X509_STORE_load_path(t->store, ca_paths[i])) {
			rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "%s: cannot be used as a certificate directory",
			    ca_paths[i]);
			goto fail;
		}
	}
	/* The system bundle: read on first use (load_default). */
	t->lazy_default = nca_files == 0 && nca_paths == 0;
	t->has_anchors = 1;
	if (ncrl_files > 0) {
		lk = X509_STORE_add_lookup(t->store, X509_LOOKUP_file());
		if (!lk) {
			rc = rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
			goto fail;
		}
		for (i = 0; i < ncrl_files; i++) {
			if ((rc = readable(crl_files[i], 0, err)) !=
			    ASMGATE_OK)
				goto fail;
			if (X509_load_crl_file(lk, crl_files[i],
				X509_FILETYPE_PEM) <= 0) {
				rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "%s: no PEM certificate revocation list "
				    "could be read", crl_files[i]);
				goto fail;
			}
		}
		t->has_crls = 1;
	}
	ERR_clear_error();
	*out = t;
	return ASMGATE_OK;
fail:
	ERR_clear_error();
	asmgate_trust_free(t);
	return rc;
}

void
asmgate_trust_free(asmgate_trust *t)
{
	if (!t)
		return;
	ac_cache_free(t);
	X509_STORE_free(t->store);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* The system bundle, once, when the first chain is checked: a missing
 * one leaves no anchor. The store is complete before any check uses it
 * (the mutex orders the load before every later reader). */
static void
load_default(const asmgate_trust *ct)
{
	asmgate_trust *t = (asmgate_trust *)(uintptr_t)ct;
	asmgate_error ign;
	const char *f, *d;

	if (!t->lazy_default)
		return;
	pthread_mutex_lock(&t->mu);
	if (!t->default_loaded) {
		f = X509_get_default_cert_file();
		d = X509_get_default_cert_dir();
		if (readable(f, 0, &ign) == ASMGATE_OK)
			(void)X509_STORE_load_file(t->store, f);
		if (readable(d, 1, &ign) == ASMGATE_OK)
			(void)X509_STORE_load_path(t->store, d);
		ERR_clear_error();
		t->default_loaded = 1;
	}
	pthread_mutex_unlock(&t->mu);
}

/* One X509_verify_cert of leaf with flags at when; *partial set when
 * a certificate's facts could not be made. */
static int
verify_once(const asmgate_trust *t, X509 *leaf, STACK_OF(X509) *untrusted,
    int64_t when, unsigned long flags, asmgate_ac_cert *out, size_t max,
    size_t *nout, int *depth, int *partial)
{
	X509_STORE_CTX *ctx;
	STACK_OF(X509) *chain;
	int ok, e, i, n;

	if (!(ctx = X509_STORE_CTX_new()))
		return -1;
	if (!X509_STORE_CTX_init(ctx, t->store, leaf, untrusted)) {
		X509_STORE_CTX_free(ctx);
		return -1;
	}
	/* Purpose any (authenticode.md 3.4 trap 2): the key usages are
	 * checked by the caller; CA constraints still apply. */
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	/* A set time would win over X509_V_FLAG_NO_CHECK_TIME. */
	if (!(flags & X509_V_FLAG_NO_CHECK_TIME))
		X509_STORE_CTX_set_time(ctx, 0, (time_t)when);
	if (flags)
		X509_STORE_CTX_set_flags(ctx, flags);
	ok = X509_verify_cert(ctx);
	e = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (e == X509_V_OK && ok != 1)
		e = X509_V_ERR_UNSPECIFIED;
	*depth = X509_STORE_CTX_get_error_depth(ctx);
	chain = X509_STORE_CTX_get0_chain(ctx);
	n = chain ? sk_X509_num(chain) : 0;
	for (i = 0; out && i < n && (size_t)i < max; i++) {
		if (!ac_cert_facts(sk_X509_value(chain, i), &out[i])) {
			*partial = 1;
			break;
		}
		(*nout)++;
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return e;
}

/* With CRLs, revocation is checked apart from the time: a CRL issued
 * after a timestamp still revokes (and is not "not yet valid" at the
 * timestamp's time). Revoked wins over every other outcome; a CRL
 * that cannot be found for the leaf's issuer fails the chain. */
static int
chain_fresh(const asmgate_trust *t, X509 *leaf, STACK_OF(X509) *untrusted,
    int64_t when, int crl, asmgate_ac_cert *out, size_t max, size_t *nout,
    int *depth, int *partial)
{
	int e, r = X509_V_OK, rdepth = 0;

	if (crl) {
		r = verify_once(t, leaf, untrusted, when,
		    X509_V_FLAG_CRL_CHECK | X509_V_FLAG_NO_CHECK_TIME, NULL,
		    0, NULL, &rdepth, partial);
		if (r == X509_V_ERR_CERT_REVOKED) {
			*depth = rdepth;
			(void)verify_once(t, leaf, untrusted, when, 0, out, max,
			    nout, &e, partial);
			return r;
		}
	}
	e = verify_once(t, leaf, untrusted, when, 0, out, max, nout, depth,
	    partial);
	if (e == X509_V_OK && r != X509_V_OK) {
		*depth = rdepth;
		return r;
	}
	return e;
}

/* An outcome that says something of the inputs, not of this moment's
 * memory, may be kept (accache.c). */
static int
keepable(int e, int partial)
{
	return e >= 0 && !partial && e != X509_V_ERR_OUT_OF_MEM &&
	    e != X509_V_ERR_UNSPECIFIED;
}

/* ac_chain's outcome is kept in t's chain cache under the leaf, the
 * untrusted certificates, when, crl and max (accache.c). */
int
ac_chain(const asmgate_trust *t, X509 *leaf, STACK_OF(X509) *untrusted,
    int64_t when, int crl, asmgate_ac_cert *out, size_t max, size_t *nout,
    int *depth)
{
	uint8_t key[32];
	size_t n = 0;
	int e, keyed, partial = 0;

	if (nout)
		*nout = 0;
	*depth = 0;
	if (!t)
		return -1;
	load_default(t);
	crl = crl && t->has_crls;
	if (!out)
		max = 0;
	keyed = ac_chain_key(t, leaf, untrusted, key);
	if (keyed && ac_chain_get(t, key, when, crl, out, max, nout, depth,
	    &e))
		return e;
	e = chain_fresh(t, leaf, untrusted, when, crl, out, max, &n, depth,
	    &partial);
	if (nout)
		*nout = n;
	if (keyed && keepable(e, partial))
		ac_chain_put(t, key, when, crl, out, max, n, *depth, e);
	return e;
}
