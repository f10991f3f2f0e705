/*
 * verify.c - strong-name verification and the signing state.
 *
 * Decision (strongname.md 7.1, 7.2, 7.4; fail closed: every error and
 * every case not listed ends in "invalid"):
 *   no public key                          -> unsigned
 *   malformed key, bad structure, slot size
 *   not the key's modulus size             -> invalid
 *   slot all zero, flag clear              -> delay-signed
 *   slot all zero, flag set                -> public-signed
 *   verifies with the identity key (ECMA key -> Microsoft key; or the
 *   AssemblySignatureKeyAttribute key after its countersignature; or a
 *   --key-map substitute)                  -> signed
 *   verifies with a test key, flag clear   -> test-signed
 *   anything else                          -> invalid
 * The file is hashed once, with the verifying key's hash algorithm; test
 * keys are tried on the same digest (the CLR takes the hash algorithm
 * from the real key, strongname.md 7.2). The key whose check passed is
 * reported (has_signer, signer_fingerprint, signer_token), so policy can
 * tell a --key-map substitute from the identity key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "pe/pe.h"
#include "rd/err.h"
#include "rd/hex.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "verify.h"

/* The Microsoft key ("TheKey", token b03f5f7f11d50a3a) stands for the
 * ECMA neutral key (strongname.md 6.4). */
static const uint8_t microsoft_token[8] = {
	0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a
};

static void
reason(asmgate_signature *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reason(asmgate_signature *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nreasons >= ASMGATE_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(s->reasons[s->nreasons], ASMGATE_REASON_MAX, fmt, ap);
	va_end(ap);
	s->nreasons++;
}

static const char *
hash_name(uint32_t alg)
{
	switch (alg) {
	case ASMGATE_CALG_SHA1: return "sha1";
	case ASMGATE_CALG_SHA_256: return "sha256";
	case ASMGATE_CALG_SHA_384: return "sha384";
	case ASMGATE_CALG_SHA_512: return "sha512";
	default: return NULL;
	}
}

static void
hex8(char out[17], const uint8_t t[8])
{
	rd_hex_encode(out, t, 8);
}

/* ECMA-335 II.23.3 SerString: a compressed length then UTF-8 bytes;
 * 0xFF alone is the null string. */
static int
ser_string(rd *r, const char **s, size_t *n)
{
	uint8_t b;
	uint32_t len;
	const uint8_t *p;

	if (!rd_has(r, 1))
		return 0;
	b = r->p[r->pos];
	if (b == 0xFF)
		return 0; /* null: not a valid key or countersignature */
	if (!rd_cuint(r, &len) || !rd_bytes(r, len, &p))
		return 0;
	*s = (const char *)p;
	*n = len;
	return 1;
}

/* Parse AssemblySignatureKeyAttribute(string publicKey, string
 * countersignature) (strongname.md 3.5, 7.4): hex of the signature key
 * blob and hex of the countersignature (verify.h). */
int
verify_signature_key_attr(const asmgate_attribute *a, uint8_t *key,
    size_t *keylen, uint8_t *cs, size_t *cslen, char *why, size_t whylen)
{
	const char *k, *c;
	size_t kn, cn, bad;
	uint16_t prolog;
	rd r;

	if (a->value_len > RD_MAX_ATTRIBUTE_BLOB) {
		snprintf(why, whylen, "AssemblySignatureKeyAttribute value of "
		    "%zu bytes exceeds %u", a->value_len, RD_MAX_ATTRIBUTE_BLOB);
		return 0;
	}
	rd_init(&r, a->value, a->value_len, a->value_offset);
	if (!rd_u16(&r, &prolog) || prolog != 0x0001) {
		snprintf(why, whylen, "AssemblySignatureKeyAttribute value has "
		    "no 0x0001 prolog");
		return 0;
	}
	if (!ser_string(&r, &k, &kn) || !ser_string(&r, &c, &cn)) {
		snprintf(why, whylen, "AssemblySignatureKeyAttribute arguments "
		    "are not two strings");
		return 0;
	}
	if (!rd_hex_decode(key, RD_MAX_PUBLIC_KEY_BLOB, keylen, k, kn, &bad)) {
		snprintf(why, whylen, "AssemblySignatureKeyAttribute public key "
		    "is not hex of at most %u bytes", RD_MAX_PUBLIC_KEY_BLOB);
		return 0;
	}
	if (!rd_hex_decode(cs, RD_MAX_SIGNATURE_BYTES, cslen, c, cn, &bad)) {
		snprintf(why, whylen, "AssemblySignatureKeyAttribute "
		    "countersignature is not hex of at most %u bytes",
		    RD_MAX_SIGNATURE_BYTES);
		return 0;
	}
	return 1;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;
	uint8_t acc = 0;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* The key whose check passed, for policy (a keys= rule on a --key-map
 * substitute names the substitute too). */
static void
set_signer(asmgate_signature *s, const asmgate_key_info *ki)
{
	s->has_signer = 1;
	memcpy(s->signer_fingerprint, ki->fingerprint, 32);
	memcpy(s->signer_token, ki->token, 8);
}

/* Everything one verification holds; freed in one place. */
struct ctx {
	asmgate_key *identity;
	asmgate_key *substitute;   /* Microsoft key for the ECMA key */
	asmgate_key *sigkey;       /* AssemblySignatureKeyAttribute key */
	const asmgate_key *verifier;
	asmgate_verified_with vw;
	int ecma;                  /* identity is the ECMA key */
};

static void
ctx_free(struct ctx *c)
{
	asmgate_key_free(c->identity);
	asmgate_key_free(c->substitute);
	asmgate_key_free(c->sigkey);
}

/* An error status from keys/ that is not about the key: out of memory
 * or a crypto failure must surface as an error, not as a state. */
static int
is_hard_error(asmgate_status rc)
{
	return rc == ASMGATE_E_NOMEM || rc == ASMGATE_E_CRYPTO;
}

/* The PE checksum (strongname.md 9) of the bytes verified. The
 * strong-name hash excludes CheckSum (strongname.md 4.1), so the .NET
 * rule keeps a signed file with a wrong checksum signed; dotnet/arcade's
 * checker refuses such files, so it is a reason here (and policy's
 * checksum="required"), never a state. */
static void
checksum(const asmgate_image *img, asmgate_signature *s,
    const uint32_t *summed)
{
	s->checksum_stored = asmgate_image_get_info(img)->pe.checksum;
	/* Summed in the hash pass when there was one: the file is read
	 * once. */
	s->checksum_computed = summed ? *summed : verify_image_checksum(img);
	s->checksum_ok = s->checksum_stored == s->checksum_computed;
	if (s->checksum_ok || (s->state != ASMGATE_SN_SIGNED &&
	    s->state != ASMGATE_SN_TEST_SIGNED))
		return;
	if (s->checksum_stored == 0)
		reason(s, "PE checksum not set (0; the file's is 0x%08x): the "
		    "signature does not cover it, but stricter checkers "
		    "(dotnet/arcade) refuse it", s->checksum_computed);
	else
		reason(s, "PE checksum 0x%08x is wrong (the file's is 0x%08x): "
		    "changed after signing outside the signed bytes; the "
		    "signature does not cover it, but stricter checkers "
		    "(dotnet/arcade) refuse it", s->checksum_stored,
		    s->checksum_computed);
}

/* A ReadyToRun image that is invalid for another reason than its
 * missing slot: say what it is (its precompiled code is not what the
 * strong name covered). */
static void
r2r_reason(const asmgate_image_info *info, asmgate_signature *s)
{
	if (info->r2r.present)
		reason(s, "ReadyToRun image (RTR header %u.%u): crossgen "
		    "output, not the IL assembly that was signed",
		    info->r2r.major_version, info->r2r.minor_version);
}

/* The Microsoft key the ECMA key stands for, loaded once into the
 * context (strongname.md 6). */
static asmgate_status
load_substitute(struct ctx *c, asmgate_error *err)
{
	asmgate_error kerr;
	asmgate_status rc;

	if (c->substitute)
		return ASMGATE_OK;
	asmgate_error_clear(&kerr);
	rc = keys_well_known(&c->substitute, microsoft_token, &kerr);
	if (rc != ASMGATE_OK)
		return rd_fail_nooff(err, is_hard_error(rc) ? rc :
		    ASMGATE_E_CRYPTO, "Microsoft key unavailable: %s", kerr.msg);
	return ASMGATE_OK;
}

/* Key bits and hash algorithm of the identity key (the Microsoft key
 * for the ECMA key), so they are known in every state that parsed it.
 * Reported facts only: policy's minKeyBits and hashAlgorithms read them
 * too, and an allow rule still needs its states= to admit the state. */
static asmgate_status
key_facts(struct ctx *c, asmgate_signature *s, asmgate_error *err)
{
	const asmgate_key_info *ki = asmgate_key_get_info(c->identity);
	asmgate_status rc;

	if (ki->is_ecma) {
		if ((rc = load_substitute(c, err)) != ASMGATE_OK)
			return rc;
		ki = asmgate_key_get_info(c->substitute);
	}
	s->key_bits = ki->bits;
	s->hash_alg = ki->hash_alg ? ki->hash_alg : ASMGATE_CALG_SHA1;
	s->hash_name = hash_name(s->hash_alg);
	if (!s->hash_name)
		s->hash_alg = ki->hash_alg;
	return ASMGATE_OK;
}

/* Enhanced strong naming (strongname.md 7.4): check the
 * countersignature with the identity key, then make the attribute's key
 * the verifier. Returns OK with c->verifier set, OK with *invalid set, or
 * a hard error. */
static asmgate_status
enhanced(const asmgate_attribute *a, const asmgate_key *identity,
    struct ctx *c, asmgate_signature *out, int *invalid, asmgate_error *err)
{
	uint8_t keyblob[RD_MAX_PUBLIC_KEY_BLOB];
	uint8_t cs[RD_MAX_SIGNATURE_BYTES];
	uint8_t md_out[EVP_MAX_MD_SIZE];
	const asmgate_key_info *ii = asmgate_key_get_info(identity);
	size_t keylen = 0, cslen = 0;
	unsigned mdlen = 0;
	const EVP_MD *md;
	asmgate_status rc;
	asmgate_error kerr;
	char why[ASMGATE_REASON_MAX];
	int ok = 0;

	*invalid = 1;
	if (!verify_signature_key_attr(a, keyblob, &keylen, cs, &cslen, why,
		sizeof(why))) {
		reason(out, "%s", why);
		return ASMGATE_OK;
	}
	asmgate_error_clear(&kerr);
	rc = asmgate_key_from_blob(&c->sigkey, keyblob, keylen, &kerr);
	if (is_hard_error(rc))
		return rd_fail_nooff(err, rc, "%s", kerr.msg);
	if (rc != ASMGATE_OK) {
		reason(out, "AssemblySignatureKeyAttribute key is invalid: %s",
		    kerr.msg);
		return ASMGATE_OK;
	}
	if (asmgate_key_get_info(c->sigkey)->is_ecma) {
		reason(out, "AssemblySignatureKeyAttribute key is the ECMA key");
		return ASMGATE_OK;
	}
	/* The countersignature: the identity key's signature over the
	 * signature key blob, hashed with the identity blob's HashAlgID as
	 * stored (the CLR does not default 0 to SHA-1 here). */
	if (ii->hash_alg == 0 || (md = keys_md(ii->hash_alg)) == NULL) {
		reason(out, "identity key hash algorithm 0x%x cannot check the "
		    "countersignature", ii->hash_alg);
		return ASMGATE_OK;
	}
	if (cslen != ii->bits / 8) {
		reason(out, "countersignature is %zu bytes, the identity key "
		    "needs %u", cslen, ii->bits / 8);
		return ASMGATE_OK;
	}
	if (!EVP_Digest(asmgate_key_get_info(c->sigkey)->blob,
		asmgate_key_get_info(c->sigkey)->blob_len, md_out, &mdlen, md,
		NULL))
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "digest for the countersignature failed");
	rc = keys_verify_digest(identity, md, md_out, mdlen, cs, cslen, &ok,
	    err);
	if (rc != ASMGATE_OK)
		return rc;
	if (!ok) {
		reason(out, "AssemblySignatureKeyAttribute countersignature does "
		    "not verify with the identity key");
		return ASMGATE_OK;
	}
	c->verifier = c->sigkey;
	c->vw = ASMGATE_VW_SIGNATURE_KEY;
	reason(out, "enhanced strong name: countersignature verifies; the "
	    "file's signature is checked with the signature key");
	*invalid = 0;
	return ASMGATE_OK;
}

/* Choose the key the file signature is checked with. */
static asmgate_status
choose_verifier(const asmgate_image *img, const asmgate_verify_options *o,
    struct ctx *c, asmgate_signature *out, int *invalid, asmgate_error *err)
{
	const asmgate_key_info *ii = asmgate_key_get_info(c->identity);
	const asmgate_key *identity_rsa = c->identity;
	const asmgate_attribute *a;
	char tok[17];
	size_t i;
	asmgate_status rc;

	*invalid = 0;
	hex8(tok, ii->token);
	/* --key-map first: it replaces whatever the assembly claims, as
	 * Mono's pubTokenMapping does. */
	for (i = 0; o && i < o->nkey_map; i++) {
		if (memcmp(o->key_map[i].token, ii->token, 8) == 0) {
			c->verifier = o->key_map[i].key;
			c->vw = ASMGATE_VW_KEY_MAP;
			reason(out, "token %s mapped to another key (--key-map)",
			    tok);
			return ASMGATE_OK;
		}
	}
	if (ii->is_ecma) {
		if ((rc = load_substitute(c, err)) != ASMGATE_OK)
			return rc;
		identity_rsa = c->substitute;
		c->ecma = 1;
	}
	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblySignatureKeyAttribute");
	if (a) {
		if (c->ecma)
			reason(out, "ECMA neutral key: the countersignature is "
			    "checked with the Microsoft key b03f5f7f11d50a3a it "
			    "stands for");
		return enhanced(a, identity_rsa, c, out, invalid, err);
	}
	c->verifier = identity_rsa;
	c->vw = ASMGATE_VW_IDENTITY;
	return ASMGATE_OK;
}

asmgate_status
asmgate_verify_options_init(asmgate_verify_options *o, unsigned version)
{
	/* Version 1 ends before trust: only its members are touched. */
	if (version == 1) {
		memset(o, 0, offsetof(asmgate_verify_options, trust));
		o->version = version;
		return ASMGATE_OK;
	}
	if (version != ASMGATE_VERIFY_OPTIONS_VERSION)
		return ASMGATE_E_USAGE;
	memset(o, 0, sizeof(*o));
	o->version = version;
	return ASMGATE_OK;
}

asmgate_status
asmgate_sign_options_init(asmgate_sign_options *o, unsigned version)
{
	if (version == 1) {
		memset(o, 0, offsetof(asmgate_sign_options,
		    strip_authenticode));
		o->version = version;
		return ASMGATE_OK;
	}
	if (version != ASMGATE_SIGN_OPTIONS_VERSION)
		return ASMGATE_E_USAGE;
	memset(o, 0, sizeof(*o));
	o->version = version;
	return ASMGATE_OK;
}

/* The checksum, summed in the Authenticode digests' pass when the
 * strong-name flow hashed nothing (so the file is still read once). */
static asmgate_status
checksum_x(const asmgate_image *img, asmgate_signature *s,
    const uint32_t *summed, verify_extra *x, asmgate_error *err)
{
	uint32_t sum = 0;
	asmgate_status rc;

	if (!summed && x && x->n > 0 && !x->done) {
		if ((rc = verify_digest_multi(img, NULL, NULL, NULL, NULL, &sum,
		    x->c, x->n, err)) != ASMGATE_OK)
			return rc;
		x->done = 1;
		summed = &sum;
	}
	checksum(img, s, summed);
	return ASMGATE_OK;
}

asmgate_status
asmgate_verify_image(const asmgate_image *img,
    const asmgate_verify_options *o, asmgate_signature *out,
    asmgate_error *err)
{
	return verify_image_extra(img, o, out, NULL, err);
}

asmgate_status
verify_image_extra(const asmgate_image *img,
    const asmgate_verify_options *o, asmgate_signature *out,
    verify_extra *x, asmgate_error *err)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_cli_info *cli = &info->cli;
	const asmgate_key_info *vi;
	uint8_t digest[EVP_MAX_MD_SIZE];
	uint8_t slot[RD_MAX_SIGNATURE_BYTES];
	unsigned dlen = 0;
	const EVP_MD *md;
	verify_plan *plan = NULL;
	struct ctx c;
	asmgate_status rc = ASMGATE_OK;
	asmgate_error kerr;
	char why[ASMGATE_REASON_MAX];
	const char *whose;
	int invalid = 0, ok = 0, have_sum = 0;
	uint32_t summed = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->state = ASMGATE_SN_INVALID;
	if (o && o->version != ASMGATE_VERIFY_OPTIONS_VERSION &&
	    o->version != 1)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "verify options of unknown version %u", o->version);
	out->flag_set = (cli->flags & ASMGATE_COMIMAGE_STRONGNAMESIGNED) != 0;

	if (!info->assembly.public_key) {
		out->state = ASMGATE_SN_UNSIGNED;
		reason(out, "no public key: the assembly is not strong-named");
		if (out->flag_set)
			reason(out, "the StrongNameSigned flag is set without a "
			    "public key");
		return checksum_x(img, out, NULL, x, err);
	}
	asmgate_error_clear(&kerr);
	rc = asmgate_key_from_blob(&c.identity, info->assembly.public_key,
	    info->assembly.public_key_len, &kerr);
	if (is_hard_error(rc))
		return rd_fail_nooff(err, rc, "%s", kerr.msg);
	if (rc != ASMGATE_OK) {
		reason(out, "public key is invalid: %s", kerr.msg);
		return checksum_x(img, out, NULL, x, err);
	}
	rc = ASMGATE_OK;
	/* The key's facts whatever the state: the identity key, or the
	 * Microsoft key the ECMA key stands for; replaced below by the key
	 * the signature is checked with. */
	if ((rc = key_facts(&c, out, err)) != ASMGATE_OK)
		goto done;
	if (!verify_structure(img, why, sizeof(why))) {
		reason(out, "%s", why);
		r2r_reason(info, out);
		goto done;
	}
	if (cli->strong_name.rva == 0 || cli->strong_name.size == 0) {
		if (info->r2r.present)
			reason(out, "ReadyToRun image (RTR header %u.%u): "
			    "crossgen removed the strong-name signature slot "
			    "and kept the public key, so nothing can be "
			    "verified; verify the IL assembly it was compiled "
			    "from", info->r2r.major_version,
			    info->r2r.minor_version);
		else
			reason(out, "public key but no signature slot: the "
			    "assembly cannot carry a strong-name signature");
		goto done;
	}
	if ((rc = choose_verifier(img, o, &c, out, &invalid, err)) !=
	    ASMGATE_OK || invalid)
		goto done;

	vi = asmgate_key_get_info(c.verifier);
	out->key_bits = vi->bits;
	out->hash_alg = vi->hash_alg ? vi->hash_alg : ASMGATE_CALG_SHA1;
	out->hash_name = hash_name(out->hash_alg);
	md = keys_md(out->hash_alg);
	if (!md || !out->hash_name) {
		reason(out, "unsupported hash algorithm 0x%x in the signing key",
		    out->hash_alg);
		goto done;
	}
	/* The slot is exactly the modulus size (strongname.md 5, 11.3). */
	if (cli->strong_name.size != vi->bits / 8 ||
	    cli->strong_name.size > sizeof(slot)) {
		reason(out, "signature slot is %u bytes but the %u-bit key needs "
		    "%u", cli->strong_name.size, vi->bits, vi->bits / 8);
		goto done;
	}
	/* One private copy of the slot: the bytes classified (all zero or
	 * not) are the bytes the RSA check reads, whatever happens to the
	 * file meanwhile. */
	memcpy(slot, pe_image_slot(img), cli->strong_name.size);
	if (all_zero(slot, cli->strong_name.size)) {
		if (out->flag_set) {
			out->state = ASMGATE_SN_PUBLIC_SIGNED;
			reason(out, "StrongNameSigned flag set but the signature "
			    "slot is all zero (public-signed)");
		} else {
			out->state = ASMGATE_SN_DELAY_SIGNED;
			reason(out, "signature slot is all zero and the "
			    "StrongNameSigned flag is clear (delay-signed)");
		}
		/* Nothing was checked: say so, not which key would be. */
		if (c.ecma && c.vw == ASMGATE_VW_IDENTITY)
			reason(out, "ECMA neutral key: no signature was checked "
			    "(the slot is all zero; the Microsoft key "
			    "b03f5f7f11d50a3a would stand for the ECMA key)");
		goto done;
	}

	plan = malloc(sizeof(*plan));
	if (!plan) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto done;
	}
	if (!verify_plan_make(img, plan, why, sizeof(why))) {
		reason(out, "%s", why);
		goto done;
	}
	if ((rc = verify_digest_multi(img, plan, md, digest, &dlen, &summed,
	    x ? x->c : NULL, x ? x->n : 0, err)) != ASMGATE_OK)
		goto done;
	if (x)
		x->done = 1;
	have_sum = 1;
	if (c.ecma && c.vw == ASMGATE_VW_IDENTITY)
		reason(out, "ECMA neutral key: signature checked with the "
		    "Microsoft key b03f5f7f11d50a3a it stands for");
	if ((rc = keys_verify_digest(c.verifier, md, digest, dlen, slot,
		 cli->strong_name.size, &ok, err)) != ASMGATE_OK)
		goto done;
	whose = c.vw == ASMGATE_VW_SIGNATURE_KEY ? "the signature key" :
	    c.vw == ASMGATE_VW_KEY_MAP ? "the mapped key" : "the identity key";
	if (ok) {
		out->state = ASMGATE_SN_SIGNED;
		out->verified_with = c.vw;
		set_signer(out, vi);
		reason(out, "signature verifies with %s (%s, %u-bit)", whose,
		    out->hash_name, out->key_bits);
		if (!out->flag_set)
			reason(out, "the StrongNameSigned flag is clear although "
			    "the signature verifies (as Mono's sn -R leaves it)");
		goto done;
	}
	for (i = 0; o && i < o->ntest_keys; i++) {
		const asmgate_key_info *ti = asmgate_key_get_info(o->test_keys[i]);
		if (ti->is_ecma || ti->bits / 8 != cli->strong_name.size)
			continue;
		if ((rc = keys_verify_digest(o->test_keys[i], md, digest, dlen,
			 slot, cli->strong_name.size, &ok, err)) != ASMGATE_OK)
			goto done;
		if (ok) {
			char tt[17];
			hex8(tt, ti->token);
			/* A set flag means "fully signed": the .NET Framework
			 * never consults test keys then (strongname.md 7.1). */
			if (out->flag_set) {
				reason(out, "signature verifies only with test key "
				    "%s, but the StrongNameSigned flag is set: a "
				    "fully signed assembly is never test-signed", tt);
				goto done;
			}
			out->state = ASMGATE_SN_TEST_SIGNED;
			out->verified_with = ASMGATE_VW_TEST_KEY;
			out->has_test_key = 1;
			memcpy(out->test_key_fingerprint, ti->fingerprint, 32);
			set_signer(out, ti);
			reason(out, "signature does not verify with %s but does "
			    "with test key %s", whose, tt);
			goto done;
		}
	}
	reason(out, "signature does not verify with %s: the file was changed "
	    "after signing or signed with another key", whose);
done:
	free(plan);
	ctx_free(&c);
	if (rc == ASMGATE_OK)
		rc = checksum_x(img, out, have_sum ? &summed : NULL, x, err);
	if (rc != ASMGATE_OK)
		out->state = ASMGATE_SN_INVALID;
	return rc;
}
