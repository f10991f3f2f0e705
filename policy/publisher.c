/*
 * publisher.c - Authenticode publishers of a policy: does a signature's
 * chain match a <publisher> pin (asmgate-policy.xsd, "publisher";
 * docs/POLICY.md, "Publishers").
 *
 * Names are compared as canonical DER (asmgate_ac_name.canon, made by
 * verify/ from the certificate and by asmgate_dn_canonical from the
 * policy text), never as display strings: "CN=A, O=B" and "cn=a,o=b"
 * are the same name, "O=B, CN=A" is not (RDN order is part of a name).
 * A name verify/ could not canonicalise (canon_len 0) never matches.
 */
#include <string.h>

#include "policy.h"
#include "rd/hex.h"

static int
name_eq(const asmgate_ac_name *n, const uint8_t *canon, size_t len)
{
	return n->canon_len != 0 && n->canon_len == len &&
	    memcmp(n->canon, canon, len) == 0;
}

static int
issuer_ok(const policy_publisher *p, const asmgate_ac_cert *c)
{
	return !p->issuer || name_eq(&c->issuer, p->issuer_canon,
	    p->issuer_canon_len);
}

const asmgate_ac_cert *
policy_publisher_match(const policy_publisher *p,
    const asmgate_ac_signature *sg)
{
	size_t i, n;

	if (!sg)
		return NULL;
	if (!p->has_sha256) {
		/* subject pins name the signer (the leaf) */
		if (!sg->has_signer || !name_eq(&sg->signer.subject,
		    p->subject_canon, p->subject_canon_len) ||
		    !issuer_ok(p, &sg->signer))
			return NULL;
		return &sg->signer;
	}
	if (sg->has_signer && memcmp(sg->signer.sha256, p->sha256, 32) == 0 &&
	    issuer_ok(p, &sg->signer))
		return &sg->signer;
	n = sg->nchain < ASMGATE_AC_MAX_CHAIN ? sg->nchain :
	    ASMGATE_AC_MAX_CHAIN;
	for (i = 0; i < n; i++)
		if (memcmp(sg->chain[i].sha256, p->sha256, 32) == 0 &&
		    issuer_ok(p, &sg->chain[i]))
			return &sg->chain[i];
	return NULL;
}

int
policy_parse_sha256(const char *s, uint8_t out[32])
{
	size_t len = strlen(s), i, step;

	/* 64 digits, or 32 pairs joined by ':' (openssl's fingerprint) */
	if (len == 64)
		step = 2;
	else if (len == 95)
		step = 3;
	else
		return 0;
	for (i = 0; i < 32; i++) {
		int hi = rd_hex_digit((unsigned char)s[i * step]);
		int lo = rd_hex_digit((unsigned char)s[i * step + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		if (step == 3 && i < 31 && s[i * step + 2] != ':')
			return 0;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}
