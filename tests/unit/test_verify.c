/*
 * test_verify.c - strong-name verification, signing states, structural
 * rejections, the hash coverage, the PE checksum and signing.
 *
 * Oracles: the committed samples were signed by Mono's mcs/sn (sn -v
 * says valid for the samples in valid/); mcs writes correct PE checksums; the
 * tamper cases flip bytes the .NET Framework's hash covers or excludes
 * (strongname.md 4.1, 4.6).
 */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asmgate.h"
#include "keys/keys.h"
#include "pe/pe.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"
#include "verify/verify.h"
#include "verify/ac.h"

#include <openssl/pem.h>

/* Verify a buffer; returns the state, fills *sig. */
static asmgate_sn_state
verify_buf(const uint8_t *buf, size_t len, const asmgate_verify_options *o,
    asmgate_signature *sig)
{
	asmgate_image *img = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_image_from_memory(&img, buf, len, &err) != ASMGATE_OK)
		fail_msg("parse failed: %s", err.msg);
	assert_int_equal(asmgate_verify_image(img, o, sig, &err), ASMGATE_OK);
	asmgate_image_free(img);
	return sig->state;
}

static asmgate_sn_state
verify_sample(const char *rel, const asmgate_verify_options *o,
    asmgate_signature *sig)
{
	size_t len;
	uint8_t *buf = th_load(rel, &len);
	asmgate_sn_state st = verify_buf(buf, len, o, sig);
	free(buf);
	return st;
}

static int
has_reason(const asmgate_signature *s, const char *needle)
{
	unsigned i;
	for (i = 0; i < s->nreasons; i++)
		if (strstr(s->reasons[i], needle))
			return 1;
	return 0;
}

static asmgate_key *
load_key(const char *rel)
{
	asmgate_key *k = NULL;
	asmgate_error err;
	if (asmgate_key_load_file(&k, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("key %s: %s", rel, err.msg);
	return k;
}

/* Offsets inside a parsed PE, read by hand (PE/COFF 3.2-3.4). */
struct pe_offsets {
	uint32_t lfanew, opt, checksum, certdir, sectab, nsec, first_raw;
};

static struct pe_offsets
offsets(const uint8_t *b)
{
	struct pe_offsets o;
	uint16_t magic, sopt;
	uint32_t i;

	o.lfanew = th_get_u32(b + 0x3C);
	o.opt = o.lfanew + 24;
	magic = (uint16_t)(b[o.opt] | b[o.opt + 1] << 8);
	sopt = (uint16_t)(b[o.lfanew + 20] | b[o.lfanew + 21] << 8);
	o.checksum = o.opt + 64;
	o.certdir = o.opt + (magic == 0x20B ? 144 : 128);
	o.nsec = (uint32_t)(b[o.lfanew + 6] | b[o.lfanew + 7] << 8);
	o.sectab = o.opt + sopt;
	o.first_raw = 0xFFFFFFFFu;
	for (i = 0; i < o.nsec; i++) {
		uint32_t raw = th_get_u32(b + o.sectab + 40 * i + 20);
		if (raw && raw < o.first_raw)
			o.first_raw = raw;
	}
	return o;
}

/* Every committed sample that Mono's sn -v accepts is signed. */
static void
test_verify__valid_samples_are_signed(void **state)
{
	static const char *const files[] = {
		"valid/contoso-orchestrations.dll", "valid/contoso-x64.dll",
		"valid/fabrikam-adapters.dll", "valid/hello.exe",
		"valid/satellite-fr.dll", "valid/signed-2048.dll",
		"valid/signed-4096.dll",
	};
	static const unsigned bits[] = { 2048, 2048, 1024, 1024, 2048, 2048,
		4096 };
	asmgate_signature sig;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(verify_sample(files[i], NULL, &sig),
		    ASMGATE_SN_SIGNED);
		assert_int_equal(sig.verified_with, ASMGATE_VW_IDENTITY);
		assert_int_equal(sig.key_bits, bits[i]);
		assert_string_equal(sig.hash_name, "sha1");
		assert_true(sig.flag_set);
	}
}

static void
test_verify__states(void **state)
{
	asmgate_signature sig;

	(void)state;
	assert_int_equal(verify_sample("states/unsigned.dll", NULL, &sig),
	    ASMGATE_SN_UNSIGNED);
	assert_int_equal(verify_sample("states/delay-signed.dll", NULL, &sig),
	    ASMGATE_SN_DELAY_SIGNED);
	assert_false(sig.flag_set);
	assert_int_equal(verify_sample("states/public-signed.dll", NULL, &sig),
	    ASMGATE_SN_PUBLIC_SIGNED);
	assert_true(sig.flag_set);
	/* Mono's sn -R: valid signature, flag clear: signed, and said so. */
	assert_int_equal(verify_sample("states/resigned-flag-clear.dll", NULL,
	    &sig), ASMGATE_SN_SIGNED);
	assert_false(sig.flag_set);
	assert_true(has_reason(&sig, "flag is clear"));
	assert_int_equal(verify_sample("states/tampered-il.dll", NULL, &sig),
	    ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "does not verify"));
}

/* Bytes the hash covers break the signature; bytes it excludes do not
 * (strongname.md 4.6, "empirical exclusion test"). */
static void
test_verify__hash_coverage(void **state)
{
	asmgate_signature sig;
	struct pe_offsets o;
	size_t len, i;
	uint8_t *base = th_load("valid/contoso-orchestrations.dll", &len);
	uint8_t *b = malloc(len + 64);

	(void)state;
	assert_non_null(b);
	o = offsets(base);

	/* Excluded: CheckSum, the certificate directory, header padding,
	 * data after the last section. */
	memcpy(b, base, len);
	th_put_u32(b + o.checksum, 0x12345678);
	th_put_u32(b + o.certdir, (uint32_t)len);
	th_put_u32(b + o.certdir + 4, 64);
	assert_true(o.sectab + 40 * o.nsec < o.first_raw);
	b[o.sectab + 40 * o.nsec + 1] ^= 0x5A;
	b[o.first_raw - 1] ^= 0xA5;
	for (i = 0; i < 64; i++)
		b[len + i] = (uint8_t)i;
	assert_int_equal(verify_buf(b, len + 64, NULL, &sig),
	    ASMGATE_SN_SIGNED);

	/* Covered: the DOS stub, the timestamp, a section header, the last
	 * byte of the last section. */
	memcpy(b, base, len);
	b[0x50] ^= 1;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	memcpy(b, base, len);
	b[o.lfanew + 8] ^= 1;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	memcpy(b, base, len);
	b[o.sectab + 3] ^= 1; /* a byte of the first section's name */
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	memcpy(b, base, len);
	b[len - 1] ^= 1;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	free(b);
	free(base);
}

/* The plan's ranges, checked against hand-read offsets. */
static void
test_verify__plan_ranges(void **state)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	verify_plan plan;
	struct pe_offsets o;
	char why[200];
	size_t len;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
	uint64_t covered = 0;
	unsigned i;

	(void)state;
	o = offsets(b);
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_true(verify_plan_make(img, &plan, why, sizeof(why)));
	assert_int_equal(plan.r[0].off, 0);
	assert_int_equal(plan.r[0].len, o.lfanew);
	assert_int_equal(plan.r[1].off, o.lfanew);
	assert_int_equal(plan.r[1].len, 248);
	assert_true(plan.r[1].patched);
	assert_int_equal(plan.r[2].off, o.sectab);
	assert_int_equal(plan.r[2].len, 40 * o.nsec);
	/* No range touches the slot; the section data is all covered but
	 * the slot. */
	for (i = 0; i < plan.n; i++) {
		assert_false(plan.r[i].off < plan.sig_off + plan.sig_len &&
		    plan.sig_off < plan.r[i].off + plan.r[i].len);
		if (i >= 3)
			covered += plan.r[i].len;
	}
	{
		uint64_t raw = 0;
		for (i = 0; i < o.nsec; i++)
			raw += th_get_u32(b + o.sectab + 40 * i + 16);
		assert_int_equal(covered + plan.sig_len, raw);
	}
	assert_int_equal(plan.sig_len, 256);
	asmgate_image_free(img);
	free(b);
}

/* mcs writes correct checksums: ours must reproduce them. */
static void
test_verify__pe_checksum_matches_mcs(void **state)
{
	static const char *const files[] = {
		"valid/contoso-orchestrations.dll", "valid/contoso-x64.dll",
		"valid/fabrikam-adapters.dll", "valid/hello.exe",
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		uint8_t *b = th_load(files[i], &len);
		struct pe_offsets o = offsets(b);
		uint32_t stored = th_get_u32(b + o.checksum);
		assert_int_not_equal(stored, 0);
		assert_int_equal(verify_pe_checksum(b, len, o.checksum), stored);
		free(b);
	}
}

/* Structural rejections (pedecoder.cpp checks; strongname.md 11). */
static void
test_verify__structural_rejections(void **state)
{
	static const struct {
		const char *file;
		const char *reason;
	} cases[] = {
		{ "malformed/sig-size-mismatch.dll", "slot is" },
		{ "malformed/sig-rva-outside-sections.dll", "one section" },
		{ "malformed/sig-straddles-section-end.dll", "one section" },
		{ "malformed/sig-overlaps-cor-header.dll", "CLI header" },
		{ "malformed/flag-signed-no-sig-dir.dll",
		  "no signature directory" },
		{ "malformed/cor-flags-unknown-bit.dll", "unknown flag bits" },
	};
	asmgate_signature sig;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(verify_sample(cases[i].file, NULL, &sig),
		    ASMGATE_SN_INVALID);
		if (!has_reason(&sig, cases[i].reason))
			fail_msg("%s: no reason with '%s' (got '%s')",
			    cases[i].file, cases[i].reason,
			    sig.nreasons ? sig.reasons[0] : "");
	}
}

/* In-memory structural case: .text, which holds the signature slot (and
 * the CLI header and metadata), made writable. The slot is checked
 * before the CLI header, so the reason names the slot, as the committed
 * states/invalid--sig-in-writable-section.dll does. */
static void
test_verify__structure_in_memory(void **state)
{
	asmgate_signature sig;
	struct pe_offsets o;
	size_t len;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);

	(void)state;
	o = offsets(b);
	b[o.sectab + 36 + 3] |= 0x80; /* IMAGE_SCN_MEM_WRITE */
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_int_equal(sig.nreasons, 1);
	assert_string_equal(sig.reasons[0],
	    "signature directory lies in a writable section");
	free(b);
	assert_int_equal(verify_sample(
	    "states/invalid--sig-in-writable-section.dll", NULL, &sig),
	    ASMGATE_SN_INVALID);
	assert_string_equal(sig.reasons[0],
	    "signature directory lies in a writable section");
}

/* Structural reasons of a parsed buffer (verify_structure alone). */
static int
structure_of(const uint8_t *b, size_t len, char *why, size_t whylen)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	int ok;

	if (asmgate_image_from_memory(&img, b, len, &err) != ASMGATE_OK)
		fail_msg("parse failed: %s", err.msg);
	why[0] = '\0';
	ok = verify_structure(img, why, whylen);
	asmgate_image_free(img);
	return ok;
}

/* Sections whose virtual ranges overlap (PE/COFF 4: ascending,
 * disjoint). contoso: .text RVA 0x2000 (raw 0x1000 at 0x200), .rsrc RVA
 * 0x4000 (raw 0x600 at 0x1200). The attack: .text writable with a
 * VirtualSize of 0x10, .rsrc (read-only) moved to RVA 0x2000. The slot's
 * RVA then lies within VirtualSize and raw size of .rsrc only, so the
 * writable check looked at .rsrc, while pe_rva_to_offset (first raw
 * match) read the slot, the CLI header and the metadata from writable
 * .text. */
static void
test_verify__sections_overlap_in_memory(void **state)
{
	char why[ASMGATE_REASON_MAX];
	asmgate_signature sig;
	struct pe_offsets o;
	size_t len;
	uint8_t *base = th_load("valid/contoso-orchestrations.dll", &len);
	uint8_t *b = malloc(len);

	(void)state;
	assert_non_null(b);
	o = offsets(base);
	assert_int_equal(th_get_u32(base + o.sectab + 12), 0x2000);
	assert_int_equal(th_get_u32(base + o.sectab + 40 + 12), 0x4000);
	assert_true(structure_of(base, len, why, sizeof(why)));

	memcpy(b, base, len);
	b[o.sectab + 36 + 3] |= 0x80;                 /* .text writable */
	th_put_u32(b + o.sectab + 8, 0x10);           /* .text VirtualSize */
	th_put_u32(b + o.sectab + 40 + 12, 0x2000);   /* .rsrc RVA */
	assert_false(structure_of(b, len, why, sizeof(why)));
	assert_string_equal(why, "sections 1 and 2 overlap in memory");
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_string_equal(sig.reasons[0],
	    "sections 1 and 2 overlap in memory");

	/* Overlap by raw size alone (VirtualSize 0 means SizeOfRawData):
	 * .rsrc starts inside .text's 0x1000 raw bytes. */
	memcpy(b, base, len);
	th_put_u32(b + o.sectab + 8, 0);
	th_put_u32(b + o.sectab + 40 + 12, 0x2FFF);
	assert_false(structure_of(b, len, why, sizeof(why)));
	assert_string_equal(why, "sections 1 and 2 overlap in memory");
	/* Adjacent is not overlapping. */
	th_put_u32(b + o.sectab + 40 + 12, 0x3000);
	why[0] = '\0';
	(void)structure_of(b, len, why, sizeof(why));
	assert_null(strstr(why, "overlap in memory"));
	free(b);
	free(base);
}

/* A section name from the file in a structural reason: control bytes
 * and non-ASCII come out as '?' (rd_printable). .rsrc's raw data moved
 * onto .text's, with a name holding a newline and an escape. */
static void
test_verify__reason_names_printable(void **state)
{
	char why[ASMGATE_REASON_MAX];
	struct pe_offsets o;
	size_t len;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
	const unsigned char *p;

	(void)state;
	o = offsets(b);
	memcpy(b + o.sectab + 40, "r\n\x1b[2J\xff", 7);
	th_put_u32(b + o.sectab + 40 + 20, 0x200);
	assert_false(structure_of(b, len, why, sizeof(why)));
	for (p = (const unsigned char *)why; *p; p++)
		if (*p < 0x20 || *p >= 0x7F)
			fail_msg("byte 0x%02x in reason: %s", *p, why);
	/* (split: "??" starts a trigraph) */
	assert_non_null(strstr(why,
	    "section 2 (r?" "?[2J?) raw data at 0x200"));
	free(b);
}

static void
test_verify__key_map(void **state)
{
	asmgate_key *contoso = load_key("keys/contoso.pub");
	asmgate_key *fabrikam = load_key("keys/fabrikam.pub");
	asmgate_key_mapping map;
	asmgate_verify_options o;
	asmgate_signature sig;
	/* contoso's token, from sn -t samples/keys/contoso.pub */
	static const uint8_t tok[8] = { 0xe0, 0xba, 0x8f, 0x48, 0xcb, 0x72,
		0x2c, 0xea };

	(void)state;
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	memcpy(map.token, tok, 8);
	o.key_map = &map;
	o.nkey_map = 1;
	map.key = contoso;
	assert_int_equal(verify_sample("valid/contoso-orchestrations.dll", &o,
	    &sig), ASMGATE_SN_SIGNED);
	assert_int_equal(sig.verified_with, ASMGATE_VW_KEY_MAP);
	/* A map to another key of another size: the slot does not fit. */
	map.key = fabrikam;
	assert_int_equal(verify_sample("valid/contoso-orchestrations.dll", &o,
	    &sig), ASMGATE_SN_INVALID);
	asmgate_key_free(contoso);
	asmgate_key_free(fabrikam);
}

/* Sign in memory with the library's pieces (test signing: flag clear),
 * then classify with and without the test key. */
static void
test_verify__test_signed(void **state)
{
	asmgate_key *test = load_key("keys/test2048.snk");
	asmgate_key *other = load_key("keys/test1024.pub");
	const asmgate_key *keys[2];
	asmgate_image *img = NULL;
	asmgate_verify_options o;
	asmgate_signature sig;
	asmgate_error err;
	verify_plan plan;
	uint8_t digest[64];
	unsigned dlen;
	char why[200];
	size_t len;
	uint8_t *b = th_load("states/delay-signed.dll", &len);

	(void)state;
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_true(verify_plan_make(img, &plan, why, sizeof(why)));
	assert_int_equal(verify_digest(img, &plan, keys_md(ASMGATE_CALG_SHA1),
	    digest, &dlen, NULL, &err), ASMGATE_OK);
	assert_int_equal(keys_sign_digest(test, keys_md(ASMGATE_CALG_SHA1),
	    digest, dlen, b + plan.sig_off, plan.sig_len, &err), ASMGATE_OK);
	asmgate_image_free(img);

	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	keys[0] = other;
	keys[1] = test;
	o.test_keys = keys;
	o.ntest_keys = 2;
	assert_int_equal(verify_buf(b, len, &o, &sig), ASMGATE_SN_TEST_SIGNED);
	assert_int_equal(sig.verified_with, ASMGATE_VW_TEST_KEY);
	assert_true(sig.has_test_key);
	assert_memory_equal(sig.test_key_fingerprint,
	    asmgate_key_get_info(test)->fingerprint, 32);
	free(b);
	asmgate_key_free(test);
	asmgate_key_free(other);
}


static void
copy_sample(const char *rel, const char *dst)
{
	size_t len;
	uint8_t *b = th_load(rel, &len);
	FILE *f = fopen(dst, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
}

static asmgate_sn_state
verify_path(const char *path, const asmgate_verify_options *o,
    asmgate_signature *sig)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	assert_int_equal(asmgate_image_open(&img, path, &err), ASMGATE_OK);
	assert_int_equal(asmgate_verify_image(img, o, sig, &err), ASMGATE_OK);
	asmgate_image_free(img);
	return sig->state;
}

static void
test_verify__sign_delay_signed(void **state)
{
	asmgate_key *k = load_key("keys/contoso.snk");
	asmgate_signature sig;
	asmgate_error err;
	char in[128], out[128];
	size_t len;
	uint8_t *b;
	struct pe_offsets o;

	(void)state;
	snprintf(in, sizeof(in), "%s/in.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/out.dll", th_tmpdir);
	copy_sample("states/delay-signed.dll", in);
	assert_int_equal(asmgate_sign_file(in, out, k, NULL, &err), ASMGATE_OK);
	assert_int_equal(verify_path(out, NULL, &sig), ASMGATE_SN_SIGNED);
	assert_true(sig.flag_set);
	/* The checksum was recomputed over the final bytes. */
	{
		FILE *f = fopen(out, "rb");
		assert_non_null(f);
		b = malloc(8192);
		len = fread(b, 1, 8192, f);
		fclose(f);
	}
	o = offsets(b);
	assert_int_equal(verify_pe_checksum(b, len, o.checksum),
	    th_get_u32(b + o.checksum));
	free(b);
	/* Public-signed input works too, in place. */
	copy_sample("states/public-signed.dll", in);
	assert_int_equal(asmgate_sign_file(in, in, k, NULL, &err), ASMGATE_OK);
	assert_int_equal(verify_path(in, NULL, &sig), ASMGATE_SN_SIGNED);
	asmgate_key_free(k);
}

static void
test_verify__sign_refuses_other_key(void **state)
{
	asmgate_key *k = load_key("keys/test2048.snk");
	asmgate_sign_options so;
	asmgate_verify_options vo;
	asmgate_signature sig;
	asmgate_error err;
	const asmgate_key *tk[1];
	char in[128];
	struct stat st1, st2;

	(void)state;
	snprintf(in, sizeof(in), "%s/in2.dll", th_tmpdir);
	copy_sample("states/delay-signed.dll", in);
	assert_int_equal(stat(in, &st1), 0);
	assert_int_equal(asmgate_sign_file(in, in, k, NULL, &err),
	    ASMGATE_E_KEY_MISMATCH);
	/* The input is untouched. */
	assert_int_equal(stat(in, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(verify_path(in, NULL, &sig), ASMGATE_SN_DELAY_SIGNED);
	/* --test-sign: signs, leaves the flag clear. */
	(void)asmgate_sign_options_init(&so, ASMGATE_SIGN_OPTIONS_VERSION);
	so.test_sign = 1;
	assert_int_equal(asmgate_sign_file(in, in, k, &so, &err), ASMGATE_OK);
	(void)asmgate_verify_options_init(&vo, ASMGATE_VERIFY_OPTIONS_VERSION);
	tk[0] = k;
	vo.test_keys = tk;
	vo.ntest_keys = 1;
	assert_int_equal(verify_path(in, &vo, &sig), ASMGATE_SN_TEST_SIGNED);
	assert_false(sig.flag_set);
	asmgate_key_free(k);
}

/* Sign b's slot with key over a SHA-1 digest, in memory (test signing
 * with the library's pieces; the flag is left as it is). */
static void
resign(uint8_t *b, size_t len, const asmgate_key *key)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	verify_plan plan;
	uint8_t digest[64];
	unsigned dlen;
	char why[200];

	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_true(verify_plan_make(img, &plan, why, sizeof(why)));
	assert_int_equal(verify_digest(img, &plan, keys_md(ASMGATE_CALG_SHA1),
	    digest, &dlen, NULL, &err), ASMGATE_OK);
	assert_int_equal(keys_sign_digest(key, keys_md(ASMGATE_CALG_SHA1),
	    digest, dlen, b + plan.sig_off, plan.sig_len, &err), ASMGATE_OK);
	asmgate_image_free(img);
}

static void
assert_signer(const asmgate_signature *sig, const asmgate_key *k,
    const char *token)
{
	uint8_t t[8];
	size_t n;

	assert_true(sig->has_signer);
	assert_memory_equal(sig->signer_fingerprint,
	    asmgate_key_get_info(k)->fingerprint, 32);
	if (token) {
		assert_true(rd_hex_decode(t, 8, &n, token, 16, NULL));
		assert_memory_equal(sig->signer_token, t, 8);
	}
	assert_memory_equal(sig->signer_token, asmgate_key_get_info(k)->token,
	    8);
}

/* The key whose check passed is reported, whichever it was; tokens from
 * samples/keys/README.md. The fail-open case it closes: contoso's
 * identity, signed with test2048 and verified through a --key-map entry
 * contoso -> test2048, is "signed"; policy must know by which key. */
static void
test_verify__signer(void **state)
{
	asmgate_key *contoso = load_key("keys/contoso.pub");
	asmgate_key *sigkey = load_key("keys/sigkey-sha256.pub");
	asmgate_key *t2048 = load_key("keys/test2048.pub");
	asmgate_key *t2048k = load_key("keys/test2048.snk");
	const asmgate_key *tk[1];
	asmgate_key_mapping map;
	asmgate_verify_options o;
	asmgate_signature sig;
	size_t len;
	uint8_t *b;

	(void)state;
	assert_int_equal(verify_sample("valid/contoso-orchestrations.dll", NULL,
	    &sig), ASMGATE_SN_SIGNED);
	assert_signer(&sig, contoso, "e0ba8f48cb722cea");
	assert_int_equal(verify_sample("states/signed--enhanced-sha256.dll",
	    NULL, &sig), ASMGATE_SN_SIGNED);
	assert_int_equal(sig.verified_with, ASMGATE_VW_SIGNATURE_KEY);
	assert_signer(&sig, sigkey, NULL);
	assert_int_equal(verify_sample("states/delay-signed.dll", NULL, &sig),
	    ASMGATE_SN_DELAY_SIGNED);
	assert_false(sig.has_signer);
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	tk[0] = t2048;
	o.test_keys = tk;
	o.ntest_keys = 1;
	assert_int_equal(verify_sample("states/test-signed--test2048.dll", &o,
	    &sig), ASMGATE_SN_TEST_SIGNED);
	assert_signer(&sig, t2048, "77906b6731e6e44e");

	/* contoso's identity (2048-bit), the slot signed with test2048 */
	b = th_load("valid/contoso-orchestrations.dll", &len);
	resign(b, len, t2048k);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_false(sig.has_signer);
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	memcpy(map.token, asmgate_key_get_info(contoso)->token, 8);
	map.key = t2048;
	o.key_map = &map;
	o.nkey_map = 1;
	assert_int_equal(verify_buf(b, len, &o, &sig), ASMGATE_SN_SIGNED);
	assert_int_equal(sig.verified_with, ASMGATE_VW_KEY_MAP);
	assert_signer(&sig, t2048, "77906b6731e6e44e");
	free(b);
	asmgate_key_free(contoso);
	asmgate_key_free(sigkey);
	asmgate_key_free(t2048);
	asmgate_key_free(t2048k);
}

/* Signing reads AssemblySignatureKeyAttribute with the verifier's parse
 * (verify_signature_key_attr): a value the verifier refuses is refused
 * by signing too. delay-signed--enhanced.dll carries the attribute
 * (samples/states/README.md); its countersignature string is made the
 * null string (0xFF, II.23.3), which leaves the key string intact. */
static void
test_verify__sign_reads_signature_key_attr_like_verify(void **state)
{
	asmgate_key *k = load_key("keys/sigkey-sha256.snk");
	const asmgate_attribute *a;
	asmgate_image *img = NULL;
	asmgate_signature sig;
	asmgate_error err;
	uint8_t key[RD_MAX_PUBLIC_KEY_BLOB], cs[RD_MAX_SIGNATURE_BYTES];
	uint8_t *v;
	size_t len, klen, cslen, pos, n;
	char in[128], out[128], why[ASMGATE_REASON_MAX];
	uint8_t *b = th_load("states/delay-signed--enhanced.dll", &len);
	asmgate_attribute big;
	FILE *f;

	(void)state;
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblySignatureKeyAttribute");
	assert_non_null(a);
	assert_true(verify_signature_key_attr(a, key, &klen, cs, &cslen, why,
	    sizeof(why)));
	assert_int_equal(klen, 288);
	assert_int_equal(cslen, 128); /* fabrikam (identity) is 1024-bit */
	/* The value: prolog 01 00, then the key string's 2-byte length. */
	v = b + a->value_offset;
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2] & 0xC0, 0x80);
	n = (size_t)(v[2] & 0x3F) << 8 | v[3];
	assert_int_equal(n, 2 * 288);
	pos = a->value_offset + 4 + n;   /* the countersignature's length */
	assert_int_equal(b[pos] & 0xC0, 0x80);
	/* A value over the cap is refused before any parse. */
	big = *a;
	big.value_len = RD_MAX_ATTRIBUTE_BLOB + 1;
	assert_false(verify_signature_key_attr(&big, key, &klen, cs, &cslen,
	    why, sizeof(why)));
	assert_non_null(strstr(why, "exceeds"));
	asmgate_image_free(img);

	/* Unchanged, signing with the signature key works. */
	snprintf(in, sizeof(in), "%s/enh.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/enh-out.dll", th_tmpdir);
	f = fopen(in, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	assert_int_equal(asmgate_sign_file(in, out, k, NULL, &err), ASMGATE_OK);
	assert_int_equal(verify_path(out, NULL, &sig), ASMGATE_SN_SIGNED);
	/* Null countersignature: verification says invalid, signing
	 * refuses. */
	b[pos] = 0xFF;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "are not two strings"));
	f = fopen(in, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_sign_file(in, out, k, NULL, &err),
	    ASMGATE_E_MALFORMED);
	assert_non_null(strstr(err.msg, "are not two strings"));
	free(b);
	asmgate_key_free(k);
}

/* Overwrite len bytes at off of the file at path, in place (the inode
 * and any mapping of it stay). */
static void
overwrite(const char *path, uint64_t off, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, p, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* A file large enough to be mapped (rd/file.c maps files over 1 MiB)
 * changes after it was opened: the metadata block and the signature slot
 * are private copies made at open time, the metadata is hashed from the
 * copy, so verification and the facts keep to the bytes first read.
 * contoso-orchestrations.dll with 2 MiB appended (not hashed). */
static void
test_verify__mapped_file_snapshot(void **state)
{
	static const char name[] = "Contoso.Orchestrations";
	asmgate_image *img = NULL;
	const asmgate_image_info *info;
	asmgate_signature sig;
	asmgate_error err;
	char path[128];
	size_t len, total = ((size_t)2 << 20) + 1, i, nnames = 0;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
	uint8_t junk[RD_MAX_SIGNATURE_BYTES];
	uint8_t *big = calloc(1, total);
	FILE *f;

	(void)state;
	assert_non_null(big);
	memcpy(big, b, len);
	snprintf(path, sizeof(path), "%s/big.dll", th_tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, total, f), total);
	fclose(f);
	assert_int_equal(asmgate_image_open(&img, path, &err), ASMGATE_OK);
	assert_int_equal(((const rd_file *)img->mapping)->mapped, 1);
	info = asmgate_image_get_info(img);
	assert_string_equal(info->assembly.name, name);

	/* Rename the assembly in the file (every "Contoso.Orchestrations\0"
	 * in #Strings): the facts and the hash keep the first bytes. */
	for (i = 0; i + sizeof(name) <= len; i++)
		if (memcmp(b + i, name, sizeof(name)) == 0) {
			overwrite(path, i, "Evil", 4);
			nnames++;
		}
	assert_true(nnames >= 1);
	assert_string_equal(info->assembly.name, name);
	assert_int_equal(asmgate_verify_image(img, NULL, &sig, &err),
	    ASMGATE_OK);
	if (sig.state != ASMGATE_SN_SIGNED)
		fail_msg("after a rename on disk: %s (%s)",
		    asmgate_sn_state_name(sig.state), sig.reasons[0]);
	/* Overwrite the signature slot in the file. */
	memset(junk, 0x5A, sizeof(junk));
	overwrite(path, info->cli.strong_name_offset, junk,
	    info->cli.strong_name.size);
	assert_int_equal(asmgate_verify_image(img, NULL, &sig, &err),
	    ASMGATE_OK);
	if (sig.state != ASMGATE_SN_SIGNED)
		fail_msg("after a slot change on disk: %s (%s)",
		    asmgate_sn_state_name(sig.state), sig.reasons[0]);
	asmgate_image_free(img);

	/* Opened afresh, the file is what it now is. */
	assert_int_equal(verify_path(path, NULL, &sig), ASMGATE_SN_INVALID);
	free(big);
	free(b);
}

/* samples/states/<state>--<what>.dll: made independently of asmgate
 * (samples/make-states.py, samples/states/README.md); the name says the
 * expected state. Every such file must get exactly that state, with the
 * test keys the README lists. */
static void
test_verify__named_state_samples(void **state)
{
	asmgate_key *t2048 = load_key("keys/test2048.pub");
	const asmgate_key *keys[1];
	asmgate_verify_options o;
	asmgate_signature sig;
	struct dirent **ents = NULL;
	char rel[512];
	int n, i, checked = 0;

	(void)state;
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	keys[0] = t2048;
	o.test_keys = keys;
	o.ntest_keys = 1;
	n = scandir(th_path("states"), &ents, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		const char *sep = strstr(name, "--");
		asmgate_sn_state want, got;
		char st[32];

		if (sep && (size_t)(sep - name) < sizeof(st)) {
			memcpy(st, name, (size_t)(sep - name));
			st[sep - name] = '\0';
			if (!asmgate_sn_state_parse(st, &want))
				fail_msg("%s: unknown state prefix", name);
			snprintf(rel, sizeof(rel), "states/%s", name);
			got = verify_sample(rel, &o, &sig);
			if (got != want)
				fail_msg("%s: got %s (%s), want %s", name,
				    asmgate_sn_state_name(got),
				    sig.nreasons ? sig.reasons[0] : "",
				    st);
			checked++;
		}
		free(ents[i]);
	}
	free(ents);
	asmgate_key_free(t2048);
	/* The README lists more than a dozen; a wrong path finds none. */
	assert_true(checked >= 10);
}

/* Offsets of the COR20 header and the assembly's public key blob, found
 * through the library's parse (their meaning is checked elsewhere). */
static void
find_cor_and_key(const uint8_t *b, size_t len, uint64_t *cor,
    uint64_t *key, size_t *keylen)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	const asmgate_image_info *info;

	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	info = asmgate_image_get_info(img);
	*cor = info->cli.header_offset;
	*key = info->assembly.public_key_offset;
	*keylen = info->assembly.public_key_len;
	asmgate_image_free(img);
}

/* docs/ARCHITECTURE.md "Fail closed": rows not covered by a committed
 * sample, made in memory from a signed assembly. Each must end invalid
 * (never signed), with a reason. */
static void
test_verify__fail_closed_rows(void **state)
{
	asmgate_signature sig;
	uint64_t cor, key;
	size_t len, keylen;
	uint8_t *base = th_load("valid/contoso-orchestrations.dll", &len);
	uint8_t *b = malloc(len);

	(void)state;
	assert_non_null(b);
	find_cor_and_key(base, len, &cor, &key, &keylen);
	assert_int_equal(keylen, 288);
	/* The blob starts 00 24 00 00 (SigAlgID 0x2400), bType 6 at +12. */
	assert_int_equal(base[key + 1], 0x24);
	assert_int_equal(base[key + 12], 0x06);

	/* MajorRuntimeVersion below 2 (CheckCorHeader). */
	memcpy(b, base, len);
	th_put_u16(b + cor + 4, 1);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "MajorRuntimeVersion"));

	/* A public key but no signature directory, flag clear. */
	memcpy(b, base, len);
	th_put_u32(b + cor + 16, th_get_u32(b + cor + 16) & ~8u);
	th_put_u32(b + cor + 32, 0);
	th_put_u32(b + cor + 36, 0);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "no signature slot"));

	/* A malformed public key blob: bType 7 instead of 6. */
	memcpy(b, base, len);
	b[key + 12] = 0x07;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "public key is invalid"));

	/* A hash algorithm strong naming does not use (CALG_MD5). */
	memcpy(b, base, len);
	th_put_u32(b + key + 4, 0x8003);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);

	/* cbPublicKey that disagrees with the blob length. */
	memcpy(b, base, len);
	th_put_u32(b + key + 8, 0x100);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_INVALID);
	free(b);
	free(base);
}

static void
test_verify__state_names(void **state)
{
	asmgate_sn_state st;
	static const char *const names[] = { "invalid", "unsigned",
		"delay-signed", "public-signed", "test-signed", "signed" };
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_true(asmgate_sn_state_parse(names[i], &st));
		assert_string_equal(asmgate_sn_state_name(st), names[i]);
	}
	assert_false(asmgate_sn_state_parse("Signed", &st));
	assert_string_equal(asmgate_sn_state_name((asmgate_sn_state)99),
	    "invalid");
}

/* Issue 15: a ReadyToRun image (samples/make-r2r.py: the strong-name
 * directory (0,0), the key kept) stays invalid, and the reason says it
 * is ReadyToRun; the key's facts are filled although the state is
 * invalid. */
static void
test_verify__ready_to_run(void **state)
{
	asmgate_signature sig;

	(void)state;
	assert_int_equal(verify_sample("r2r/contoso-x64-r2r.dll", NULL, &sig),
	    ASMGATE_SN_INVALID);
	assert_true(strstr(sig.reasons[0], "ReadyToRun image (RTR header "
	    "9.2)") != NULL);
	assert_false(has_reason(&sig, "public key but no signature slot"));
	assert_int_equal(sig.key_bits, 2048);
	assert_int_equal(sig.hash_alg, ASMGATE_CALG_SHA1);
	assert_string_equal(sig.hash_name, "sha1");
	/* The flag kept by crossgen2: invalid for the flag, and R2R said. */
	assert_int_equal(verify_sample("r2r/contoso-x64-r2r-flag-set.dll",
	    NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "StrongNameSigned flag set but there "
	    "is no signature directory"));
	assert_true(has_reason(&sig, "ReadyToRun image"));
	/* An IL image without a slot is not called ReadyToRun. */
	{
		size_t len;
		uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
		asmgate_image *img = NULL;
		asmgate_error err;
		const asmgate_image_info *info;

		assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
		    ASMGATE_OK);
		info = asmgate_image_get_info(img);
		/* COR20 StrongNameSignature := (0,0), flag cleared */
		th_put_u32(b + info->cli.header_offset + 32, 0);
		th_put_u32(b + info->cli.header_offset + 36, 0);
		th_put_u32(b + info->cli.header_offset + 16, 0x1);
		asmgate_image_free(img);
		assert_int_equal(verify_buf(b, len, NULL, &sig),
		    ASMGATE_SN_INVALID);
		assert_true(has_reason(&sig, "public key but no signature "
		    "slot"));
		assert_false(has_reason(&sig, "ReadyToRun"));
		assert_int_equal(sig.key_bits, 2048);
		free(b);
	}
}

/* Issue 15: the ECMA key's reason says what was done: nothing checked
 * for a zero slot (public-signed, as the Linux runtime's mscorlib), the
 * Microsoft key when a signature is checked. */
static void
test_verify__ecma_reason_says_what_was_done(void **state)
{
	asmgate_signature sig;
	size_t len;
	uint8_t *b = th_load("states/delay-signed--ecma-key.dll", &len);
	asmgate_image *img = NULL;
	asmgate_error err;
	uint64_t flags_off;

	(void)state;
	assert_int_equal(verify_buf(b, len, NULL, &sig),
	    ASMGATE_SN_DELAY_SIGNED);
	assert_true(has_reason(&sig, "ECMA neutral key: no signature was "
	    "checked"));
	assert_false(has_reason(&sig, "checked with the Microsoft key"));
	/* The Microsoft key's facts stand for the ECMA key's. */
	assert_int_equal(sig.key_bits, 1024);
	assert_string_equal(sig.hash_name, "sha1");
	/* Public-signed: set the StrongNameSigned flag. */
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	flags_off = asmgate_image_get_info(img)->cli.header_offset + 16;
	asmgate_image_free(img);
	th_put_u32(b + flags_off, th_get_u32(b + flags_off) | 0x8);
	assert_int_equal(verify_buf(b, len, NULL, &sig),
	    ASMGATE_SN_PUBLIC_SIGNED);
	assert_true(strstr(sig.reasons[0], "public-signed") != NULL);
	assert_true(has_reason(&sig, "no signature was checked"));
	assert_false(has_reason(&sig, "checked with the Microsoft key"));
	free(b);
	/* A signature that is checked: the Microsoft key is named. */
	assert_int_equal(verify_sample("states/ecma-key-signed-with-"
	    "test1024.dll", NULL, &sig), ASMGATE_SN_INVALID);
	assert_true(has_reason(&sig, "signature checked with the Microsoft "
	    "key b03f5f7f11d50a3a"));
}

/* Issue 15: a wrong PE checksum on a signed file is a reason, never a
 * state change (the hash excludes CheckSum, strongname.md 4.1, 9). */
static void
test_verify__checksum_reason(void **state)
{
	asmgate_signature sig;
	size_t len;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
	struct pe_offsets o = offsets(b);
	uint32_t good = th_get_u32(b + o.checksum);

	(void)state;
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_SIGNED);
	assert_true(sig.checksum_ok);
	assert_int_equal(sig.checksum_stored, good);
	assert_int_equal(sig.checksum_computed, good);
	assert_false(has_reason(&sig, "PE checksum"));
	/* CheckSum XOR 1: still signed, a reason with both values. */
	th_put_u32(b + o.checksum, good ^ 1);
	assert_int_equal(verify_buf(b, len, NULL, &sig), ASMGATE_SN_SIGNED);
	assert_false(sig.checksum_ok);
	assert_int_equal(sig.checksum_stored, good ^ 1);
	assert_int_equal(sig.checksum_computed, good);
	assert_true(has_reason(&sig, "PE checksum"));
	assert_true(has_reason(&sig, "is wrong"));
	free(b);
	/* Mono's sn -R leaves CheckSum 0: "not set". */
	assert_int_equal(verify_sample("states/resigned-flag-clear.dll", NULL,
	    &sig), ASMGATE_SN_SIGNED);
	assert_false(sig.checksum_ok);
	assert_true(has_reason(&sig, "PE checksum not set"));
	/* Not signed: computed, but no reason (the state says enough). */
	assert_int_equal(verify_sample("states/delay-signed.dll", NULL, &sig),
	    ASMGATE_SN_DELAY_SIGNED);
	assert_false(has_reason(&sig, "PE checksum"));
}

/* verify_image_checksum (over the image, chunked, the metadata from the
 * private copy) agrees with verify_pe_checksum over the bytes, for a
 * file read and a file mapped (over 1 MiB), and with an odd length. */
static void
test_verify__image_checksum(void **state)
{
	size_t len, total = ((size_t)1 << 20) + 4097;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);
	uint8_t *big = malloc(total);
	asmgate_image *img = NULL;
	asmgate_error err;
	struct pe_offsets o = offsets(b);
	char path[128];
	size_t i;
	FILE *f;

	(void)state;
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_int_equal(verify_image_checksum(img),
	    th_get_u32(b + o.checksum));
	asmgate_image_free(img);
	assert_non_null(big);
	memcpy(big, b, len);
	for (i = len; i < total; i++)
		big[i] = (uint8_t)(i * 7);
	snprintf(path, sizeof(path), "%s/ck.dll", th_tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, total, f), total);
	fclose(f);
	assert_int_equal(asmgate_image_open(&img, path, &err), ASMGATE_OK);
	assert_int_equal(((const rd_file *)img->mapping)->mapped, 1);
	assert_int_equal(verify_image_checksum(img),
	    verify_pe_checksum(big, total, o.checksum));
	/* The hash pass sums the checksum too (the signed bytes, the slot,
	 * the gaps and the appended tail it does not hash): same value. */
	{
		asmgate_signature sig;
		assert_int_equal(asmgate_verify_image(img, NULL, &sig, &err),
		    ASMGATE_OK);
		assert_int_equal(sig.state, ASMGATE_SN_SIGNED);
		assert_int_equal(sig.checksum_computed,
		    verify_pe_checksum(big, total, o.checksum));
	}
	asmgate_image_free(img);
	free(big);
	free(b);
}

/* The PE checksum against a 16-bit word-by-word reference (the
 * definition), for every length up to 70 bytes and the CheckSum field at
 * every position, so the 32-bit word loop, odd tails and the field's
 * exclusion are all pinned. */
static uint32_t
ref_checksum(const uint8_t *p, size_t n, size_t field)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i += 2) {
		uint32_t lo = (i >= field && i < field + 4) ? 0 : p[i];
		uint32_t hi = i + 1 >= n ? 0 : ((i + 1 >= field &&
		    i + 1 < field + 4) ? 0 : p[i + 1]);
		sum += lo | hi << 8;
		sum = (sum & 0xFFFF) + (sum >> 16);
	}
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint32_t)(sum + n);
}

static void
test_verify__checksum_reference(void **state)
{
	uint8_t buf[70];
	size_t n, field, i;
	uint32_t x = 0x12345678u;

	(void)state;
	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 24);
	}
	buf[3] = 0xFF;
	buf[4] = 0xFF;
	for (n = 0; n <= sizeof(buf); n++)
		for (field = 0; field + 4 <= n; field++)
			assert_int_equal(verify_pe_checksum(buf, n, field),
			    ref_checksum(buf, n, field));
}

/* For every state sample, the checksum the verification reports (from
 * the hash pass when there is one, else its own pass) is the file's. */
static void
test_verify__checksum_every_state(void **state)
{
	static const char *const names[] = {
		"valid/contoso-orchestrations.dll", "valid/contoso-x64.dll",
		"valid/signed-4096.dll", "states/signed--sha256.dll",
		"states/signed--appended-data.dll",
		"states/signed--header-padding-changed.dll",
		"states/signed--enhanced-sha256.dll", "states/delay-signed.dll",
		"states/public-signed.dll", "states/invalid--tampered-signature.dll",
		"states/invalid--wrong-key.dll", "states/resigned-flag-clear.dll",
	};
	asmgate_signature sig;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t *b = th_load(names[i], &len);
		struct pe_offsets o = offsets(b);

		(void)verify_buf(b, len, NULL, &sig);
		if (sig.checksum_computed != verify_pe_checksum(b, len,
		    o.checksum))
			fail_msg("%s: checksum 0x%08x, file's 0x%08x", names[i],
			    sig.checksum_computed,
			    verify_pe_checksum(b, len, o.checksum));
		assert_int_equal(sig.checksum_ok,
		    sig.checksum_stored == sig.checksum_computed);
		free(b);
	}
}

/* Issue 15: --test-sign with the assembly's own key is refused before
 * anything is written (the result would be signed, not test-signed). */
static void
test_verify__test_sign_own_key_refused(void **state)
{
	asmgate_key *k = load_key("keys/contoso.snk");
	asmgate_sign_options so;
	asmgate_error err;
	char in[128], out[128];
	struct stat st1, st2;

	(void)state;
	snprintf(in, sizeof(in), "%s/own.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/own-out.dll", th_tmpdir);
	copy_sample("states/delay-signed.dll", in);
	assert_int_equal(stat(in, &st1), 0);
	(void)asmgate_sign_options_init(&so, ASMGATE_SIGN_OPTIONS_VERSION);
	so.test_sign = 1;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_sign_file(in, out, k, &so, &err),
	    ASMGATE_E_USAGE);
	assert_non_null(strstr(err.msg, "own key"));
	assert_int_equal(stat(out, &st2), -1);
	assert_int_equal(asmgate_sign_file(in, in, k, &so, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(stat(in, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtime, st2.st_mtime);
	asmgate_key_free(k);
}

static void
count_hook(void *arg, const char *path)
{
	int *n = arg;

	/* Odd after a name, even once it is gone. */
	(*n)++;
	assert_true((*n % 2 == 1) == (path != NULL));
}

/* A file that appears at the output while the signed copy is written
 * (made by the temp hook, called once the temporary exists, just before
 * the rename): with no_replace it is never replaced. */
static const char *race_out;

static void
race_hook(void *arg, const char *path)
{
	FILE *f;

	(void)arg;
	if (!path || !race_out)
		return;
	f = fopen(race_out, "wx");
	assert_non_null(f);
	fputs("not an assembly", f);
	fclose(f);
	race_out = NULL;
}

static void
test_verify__sign_no_replace(void **state)
{
	asmgate_key *k = load_key("keys/contoso.snk");
	asmgate_sign_options so;
	asmgate_signature sig;
	asmgate_error err;
	char in[128], out[128], buf[64];
	FILE *f;
	size_t n;
	struct {
		unsigned version;
		int test_sign;
		void (*temp_hook)(void *arg, const char *path);
		void *temp_hook_arg;
	} v1 = { 1, 0, NULL, NULL }; /* a caller built against version 1 */

	(void)state;
	snprintf(in, sizeof(in), "%s/nr-in.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/nr-out.dll", th_tmpdir);
	copy_sample("states/delay-signed.dll", in);
	(void)remove(out);
	assert_int_equal(asmgate_sign_options_init(&so,
	    ASMGATE_SIGN_OPTIONS_VERSION), ASMGATE_OK);
	assert_int_equal(so.no_replace, 0);
	so.no_replace = 1;
	so.temp_hook = race_hook;
	race_out = out;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_sign_file(in, out, k, &so, &err),
	    ASMGATE_E_IO);
	assert_null(race_out); /* the hook ran */
	f = fopen(out, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, "not an assembly");
	/* No output there: written. */
	assert_int_equal(remove(out), 0);
	so.temp_hook = NULL;
	assert_int_equal(asmgate_sign_file(in, out, k, &so, &err), ASMGATE_OK);
	assert_int_equal(verify_path(out, NULL, &sig), ASMGATE_SN_SIGNED);
	/* Version 1 options (no no_replace member) still work and replace
	 * as before. */
	assert_int_equal(asmgate_sign_file(in, out, k,
	    (const asmgate_sign_options *)(const void *)&v1, &err),
	    ASMGATE_OK);
	v1.version = 3;
	assert_int_equal(asmgate_sign_file(in, out, k,
	    (const asmgate_sign_options *)(const void *)&v1, &err),
	    ASMGATE_E_USAGE);
	asmgate_key_free(k);
}

/* Issue 14: an input above the read-into-memory size is mapped and
 * streamed to the output, never held whole. The output is the input
 * with exactly three changes (the flags word, the slot, the CheckSum
 * field), the data after the last section copied as it was; it
 * verifies; its checksum is the one computed over the whole output in
 * memory here; no temporary file is left and every name reported was
 * taken back. */
static void
test_verify__sign_large_streamed(void **state)
{
	asmgate_key *k = load_key("keys/contoso.snk");
	asmgate_sign_options so;
	asmgate_signature sig;
	asmgate_image *img = NULL;
	const asmgate_image_info *info;
	asmgate_error err;
	char in[128], out[128];
	size_t len, total, n, i;
	uint64_t flags_off, slot_off, slot_len;
	uint8_t *b, *big, *res;
	struct pe_offsets o;
	int calls = 0;
	FILE *f;
	DIR *d;
	struct dirent *e;

	(void)state;
	b = th_load("states/delay-signed.dll", &len);
	total = len + ((size_t)3 << 20) + 5; /* odd: a last half word */
	big = malloc(total);
	res = malloc(total + 1);
	assert_non_null(big);
	assert_non_null(res);
	memcpy(big, b, len);
	for (i = len; i < total; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	snprintf(in, sizeof(in), "%s/large.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/large-out.dll", th_tmpdir);
	f = fopen(in, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, total, f), total);
	fclose(f);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_image_open(&img, in, &err), ASMGATE_OK);
	info = asmgate_image_get_info(img);
	flags_off = info->cli.header_offset + PE_COR20_FLAGS;
	slot_off = info->cli.strong_name_offset;
	slot_len = info->cli.strong_name.size;
	asmgate_image_free(img);
	o = offsets(b);

	(void)asmgate_sign_options_init(&so, ASMGATE_SIGN_OPTIONS_VERSION);
	so.temp_hook = count_hook;
	so.temp_hook_arg = &calls;
	assert_int_equal(asmgate_sign_file(in, out, k, &so, &err), ASMGATE_OK);
	assert_int_equal(calls % 2, 0);
	assert_int_equal(verify_path(out, NULL, &sig), ASMGATE_SN_SIGNED);
	f = fopen(out, "rb");
	assert_non_null(f);
	n = fread(res, 1, total + 1, f);
	fclose(f);
	assert_int_equal(n, total);
	for (i = 0; i < total; i++) {
		if (res[i] == big[i])
			continue;
		if ((i >= flags_off && i < flags_off + 4) ||
		    (i >= slot_off && i < slot_off + slot_len) ||
		    (i >= o.checksum && i < o.checksum + 4))
			continue;
		fail_msg("byte 0x%zx changed", i);
	}
	assert_int_equal(th_get_u32(res + flags_off) &
	    ASMGATE_COMIMAGE_STRONGNAMESIGNED,
	    ASMGATE_COMIMAGE_STRONGNAMESIGNED);
	assert_int_equal(verify_pe_checksum(res, total, o.checksum),
	    th_get_u32(res + o.checksum));
	d = opendir(th_tmpdir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".asmgate-", 9) == 0)
			fail_msg("left behind: %s", e->d_name);
	closedir(d);
	free(res);
	free(big);
	free(b);
	asmgate_key_free(k);
}

/* ------------------------------------------------------- authenticode */

#define AC_DIR "authenticode/"
#define CONTOSO_DLL "valid/contoso-orchestrations.dll"
#ifndef AC_DIFF_ROUNDS
#define AC_DIFF_ROUNDS 300 /* damaged SignedData per sample */
#endif
#define AC_AT 1780272000  /* 2026-06-01T00:00:00Z, samples README */

/* The Authenticode image hash over the ranges read by hand (offsets():
 * [0, CheckSum), [CheckSum + 4, directory 4), [directory 4 + 8, table)),
 * fed by one pass together with the strong-name digest. Expected
 * values: `osslsigncode verify -CAfile pki/ca.pem -time 1780272000 -in
 * FILE` (2.9), "Calculated message digest", in samples/authenticode/. */
static void
test_verify__ac_digest_one_pass(void **state)
{
	static const struct {
		const char *file, *hex;
		int sha1;
	} cases[] = {
		{ AC_DIR "sha256.dll", "64f76fd318e884e1fb2f4737a3bd38d2845c3c26"
		    "3957e4862bfea229b5b5ff57", 0 },
		{ AC_DIR "sha1.dll", "77fab24d92d9ec1ac8d0f0d5fe7487edf18ca893",
		    1 },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *b = th_load(cases[i].file, &len);
		struct pe_offsets o = offsets(b);
		uint32_t tab = th_get_u32(b + o.certdir);
		verify_range r[3] = {
			{ 0, o.checksum, 0 },
			{ o.checksum + 4, o.certdir - o.checksum - 4, 0 },
			{ o.certdir + 8, tab - o.certdir - 8, 0 },
		};
		verify_consumer c[2];
		verify_plan plan;
		uint8_t sn1[EVP_MAX_MD_SIZE], sn2[EVP_MAX_MD_SIZE];
		uint8_t ac[EVP_MAX_MD_SIZE], ac2[EVP_MAX_MD_SIZE];
		unsigned l1 = 0, l2 = 0, al = 0, al2 = 0;
		uint32_t ck1 = 0, ck2 = 0;
		char hex[2 * EVP_MAX_MD_SIZE + 1], why[200];
		asmgate_image *img = NULL;
		asmgate_error err;
		const EVP_MD *md = cases[i].sha1 ? EVP_sha1() : EVP_sha256();

		asmgate_error_clear(&err);
		assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
		    ASMGATE_OK);
		assert_true(verify_plan_make(img, &plan, why, sizeof(why)));
		/* The strong-name digest alone, as before. */
		assert_int_equal(verify_digest(img, &plan, EVP_sha1(), sn1, &l1,
		    &ck1, &err), ASMGATE_OK);
		/* The same pass with two Authenticode digests riding. */
		memset(c, 0, sizeof(c));
		c[0].ctx = EVP_MD_CTX_new();
		c[1].ctx = EVP_MD_CTX_new();
		assert_true(EVP_DigestInit_ex(c[0].ctx, md, NULL));
		assert_true(EVP_DigestInit_ex(c[1].ctx, md, NULL));
		c[0].r = c[1].r = r;
		c[0].n = c[1].n = 3;
		assert_int_equal(verify_digest_multi(img, &plan, EVP_sha1(), sn2,
		    &l2, &ck2, c, 2, &err), ASMGATE_OK);
		assert_true(EVP_DigestFinal_ex(c[0].ctx, ac, &al));
		assert_true(EVP_DigestFinal_ex(c[1].ctx, ac2, &al2));
		EVP_MD_CTX_free(c[0].ctx);
		EVP_MD_CTX_free(c[1].ctx);
		assert_int_equal(l1, l2);
		assert_memory_equal(sn1, sn2, l1);
		assert_int_equal(ck1, ck2);
		rd_hex_encode(hex, ac, al);
		assert_string_equal(hex, cases[i].hex);
		assert_memory_equal(ac, ac2, al);
		asmgate_image_free(img);
		free(b);
	}
}

static asmgate_trust *
ac_trust(int crl)
{
	const char *ca[1], *crls[1];
	asmgate_trust *t = NULL;
	asmgate_error err;
	char cap[4096], crlp[4096];

	snprintf(cap, sizeof(cap), "%s", th_path(AC_DIR "pki/ca.pem"));
	snprintf(crlp, sizeof(crlp), "%s", th_path(AC_DIR "pki/crl.pem"));
	ca[0] = cap;
	crls[0] = crlp;
	asmgate_error_clear(&err);
	if (asmgate_trust_new(&t, ca, 1, NULL, 0, crls, crl ? 1 : 0, &err) !=
	    ASMGATE_OK)
		fail_msg("trust: %s", err.msg);
	return t;
}

static asmgate_authenticode *
ac_verify(const char *file, const asmgate_trust *t)
{
	asmgate_verify_options o;
	asmgate_authenticode *ac = NULL;
	asmgate_image *img = NULL;
	asmgate_error err;
	size_t len;
	uint8_t *b = th_load(file, &len);

	asmgate_error_clear(&err);
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	o.trust = t;
	o.has_at = 1;
	o.at = AC_AT;
	o.authenticode = 1;
	/* A native PE file is kept with its headers (pe_image_take_native). */
	(void)pe_image_take_native(&img, b, len, &err);
	assert_non_null(img);
	assert_int_equal(asmgate_authenticode_verify(img, &o, &ac, &err),
	    ASMGATE_OK);
	asmgate_image_free(img);
	return ac;
}

/* States of the samples, as samples/authenticode/README.md says each
 * was made (expected.txt), not as asmgate reports them. */
static void
test_verify__ac_states(void **state)
{
	static const struct {
		const char *file;
		asmgate_ac_state st;
		const char *why;
	} cases[] = {
		{ "unsigned.dll", ASMGATE_AC_UNSIGNED, NULL },
		{ "native-unsigned.exe", ASMGATE_AC_UNSIGNED, NULL },
		{ "sha256.dll", ASMGATE_AC_VALID, NULL },
		{ "sha1.dll", ASMGATE_AC_VALID, NULL },
		{ "sha256-ts.dll", ASMGATE_AC_VALID, NULL },
		{ "nested.dll", ASMGATE_AC_VALID, NULL },
		{ "overlay.dll", ASMGATE_AC_VALID, NULL },
		{ "native.exe", ASMGATE_AC_VALID, NULL },
		{ "expired-ts.dll", ASMGATE_AC_VALID, NULL },
		{ "two-entries.dll", ASMGATE_AC_VALID, NULL },
		{ "server-auth.dll", ASMGATE_AC_UNTRUSTED, "codeSigning" },
		{ "untrusted-root.dll", ASMGATE_AC_UNTRUSTED, "chain" },
		{ "expired.dll", ASMGATE_AC_EXPIRED, "expired" },
		{ "revoked.dll", ASMGATE_AC_REVOKED, "revoked" },
		{ "tampered-section.dll", ASMGATE_AC_INVALID, "digest" },
		{ "tampered-overlay.dll", ASMGATE_AC_INVALID, "digest" },
		{ "tampered-pkcs7.dll", ASMGATE_AC_INVALID, "signature" },
		{ "trailing-garbage.dll", ASMGATE_AC_INVALID, "CVE-2013-3900" },
		{ "data-after-table.dll", ASMGATE_AC_INVALID, "after the table" },
		{ "native-tampered.exe", ASMGATE_AC_INVALID, "digest" },
	};
	asmgate_trust *t = ac_trust(1);
	char path[256];
	unsigned i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		asmgate_authenticode *ac;
		int found = !cases[i].why;

		snprintf(path, sizeof(path), AC_DIR "%s", cases[i].file);
		ac = ac_verify(path, t);
		if (ac->state != cases[i].st)
			fail_msg("%s: %s, expected %s (%s)", cases[i].file,
			    asmgate_ac_state_name(ac->state),
			    asmgate_ac_state_name(cases[i].st),
			    ac->nreasons ? ac->reasons[0] : "");
		for (k = 0; k < ac->nreasons; k++)
			if (cases[i].why && strstr(ac->reasons[k],
			    cases[i].why))
				found = 1;
		if (!found)
			fail_msg("%s: no reason mentions '%s'", cases[i].file,
			    cases[i].why);
		asmgate_authenticode_free(ac);
	}
	/* Without anchors nothing is valid. */
	{
		asmgate_authenticode *ac = ac_verify(AC_DIR "sha256.dll", NULL);
		assert_int_equal(ac->state, ASMGATE_AC_UNTRUSTED);
		asmgate_authenticode_free(ac);
	}
	asmgate_trust_free(t);
}

/* The facts of sha256.dll: signer, chain, digest; nested.dll: two
 * signatures (sha256 primary, sha1 nested); sha256-ts.dll: RFC 3161.
 * Expected: samples/authenticode/README.md (PKI table: subjects,
 * serials, SHA-256 fingerprints from `openssl x509 -fingerprint`). */
static void
test_verify__ac_facts(void **state)
{
	asmgate_trust *t = ac_trust(1);
	asmgate_authenticode *ac;
	const asmgate_ac_signature *g;
	char hex[65];

	(void)state;
	ac = ac_verify(AC_DIR "sha256.dll", t);
	assert_int_equal(ac->nsignatures, 1);
	g = &ac->signatures[0];
	assert_string_equal(g->digest_algorithm, "sha256");
	assert_true(g->digest_ok && g->has_signer);
	assert_string_equal(g->signer.subject.text,
	    "CN=Contoso Ltd,O=Contoso Ltd,C=US");
	/* `openssl x509 -noout -serial -in pki/contoso.pem` */
	assert_string_equal(g->signer.serial, "4001");
	rd_hex_encode(hex, g->signer.sha256, 32);
	assert_string_equal(hex, "8f4681c88e13911274bdaf0e44559bb50f260732ee"
	    "9b0fa09edfbd67d3740252");
	assert_int_equal(g->nchain, 3);
	rd_hex_encode(hex, g->chain[1].sha256, 32);
	assert_string_equal(hex, "595d28004fc435e12a192471372f65a549136e324f"
	    "af3acabfb0e42cd4909bd3");
	rd_hex_encode(hex, g->chain[2].sha256, 32);
	assert_string_equal(hex, "864397af305cba9f21ce337b9362d532bc83d8ac04"
	    "d9c958567a5e482b9943ff");
	assert_int_equal(g->ts_kind, ASMGATE_AC_TS_NONE);
	asmgate_authenticode_free(ac);

	ac = ac_verify(AC_DIR "nested.dll", t);
	assert_int_equal(ac->nsignatures, 2);
	assert_int_equal(ac->signatures[1].nested, 1);
	assert_string_equal(ac->signatures[1].digest_algorithm, "sha1");
	assert_int_equal(ac->signatures[1].state, ASMGATE_AC_VALID);
	asmgate_authenticode_free(ac);

	ac = ac_verify(AC_DIR "sha256-ts.dll", t);
	g = &ac->signatures[0];
	assert_int_equal(g->ts_kind, ASMGATE_AC_TS_RFC3161);
	assert_string_equal(g->ts_signer.text, "CN=asmgate Test Timestamping "
	    "Authority,O=asmgate tests,C=US");
	asmgate_authenticode_free(ac);
	asmgate_trust_free(t);
}

/* Distinguished names compare by canonical form, not by text. */
static void
test_verify__dn_canonical(void **state)
{
	asmgate_trust *t = ac_trust(0);
	asmgate_authenticode *ac = ac_verify(AC_DIR "sha256.dll", t);
	const asmgate_ac_name *subj = &ac->signatures[0].signer.subject;
	const asmgate_ac_name *iss = &ac->signatures[0].signer.issuer;
	uint8_t c[ASMGATE_AC_CANON_MAX];
	size_t n;
	asmgate_error err;

	(void)state;
	assert_true(subj->canon_len > 0);
	assert_int_equal(asmgate_dn_canonical("CN=Contoso Ltd, O=Contoso Ltd, "
	    "C=US", c, sizeof(c), &n, &err), ASMGATE_OK);
	assert_int_equal(n, subj->canon_len);
	assert_memory_equal(c, subj->canon, n);
	/* Case and inner white space do not matter; order does. */
	assert_int_equal(asmgate_dn_canonical("cn=contoso   LTD,o=CONTOSO "
	    "ltd,c=us", c, sizeof(c), &n, &err), ASMGATE_OK);
	assert_int_equal(n, subj->canon_len);
	assert_memory_equal(c, subj->canon, n);
	assert_int_equal(asmgate_dn_canonical("C=US, O=Contoso Ltd, "
	    "CN=Contoso Ltd", c, sizeof(c), &n, &err), ASMGATE_OK);
	assert_false(n == subj->canon_len &&
	    memcmp(c, subj->canon, n) == 0);
	assert_int_equal(asmgate_dn_canonical("CN=asmgate Test Code Signing "
	    "CA, O=asmgate tests, C=US", c, sizeof(c), &n, &err), ASMGATE_OK);
	assert_int_equal(n, iss->canon_len);
	assert_memory_equal(c, iss->canon, n);
	assert_int_equal(asmgate_dn_canonical("CN=Contoso Ltd, O=Contoso Ltd",
	    c, sizeof(c), &n, &err), ASMGATE_OK);
	assert_false(n == subj->canon_len);
	assert_int_equal(asmgate_dn_canonical("not a name", c, sizeof(c), &n,
	    &err), ASMGATE_E_MALFORMED);
	assert_int_equal(asmgate_dn_canonical("XYZZY=1", c, sizeof(c), &n,
	    &err), ASMGATE_E_MALFORMED);
	assert_int_equal(asmgate_dn_canonical("CN=Contoso", c, 4, &n, &err),
	    ASMGATE_E_LIMIT);
	asmgate_authenticode_free(ac);
	asmgate_trust_free(t);
}

/* The verdict: present and not valid fails without a policy; absent
 * fails only with the unsigned bit (--require-authenticode). */
static void
test_verify__ac_verdict(void **state)
{
	asmgate_verdict_rules r;
	asmgate_authenticode ac;
	asmgate_signature sig;
	asmgate_decision d;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&ac, 0, sizeof(ac));
	memset(&sig, 0, sizeof(sig));
	memset(&d, 0, sizeof(d));
	sig.state = ASMGATE_SN_SIGNED;
	d.allowed = 1;
	ac.state = ASMGATE_AC_VALID;
	assert_false(asmgate_verdict_fails_ac(&r, &sig, &ac, NULL));
	ac.state = ASMGATE_AC_UNSIGNED;
	assert_false(asmgate_verdict_fails_ac(&r, &sig, &ac, NULL));
	assert_false(asmgate_verdict_fails_ac(&r, NULL, &ac, NULL));
	ac.state = ASMGATE_AC_UNTRUSTED;
	assert_true(asmgate_verdict_fails_ac(&r, &sig, &ac, NULL));
	assert_true(asmgate_verdict_fails_ac(&r, NULL, &ac, NULL));
	/* With a policy, its decision rules. */
	assert_false(asmgate_verdict_fails_ac(&r, &sig, &ac, &d));
	ac.state = ASMGATE_AC_UNSIGNED;
	r.fail_on = ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED);
	assert_true(asmgate_verdict_fails_ac(&r, &sig, &ac, NULL));
	assert_true(asmgate_verdict_fails_ac(&r, &sig, &ac, &d));
	ac.state = (asmgate_ac_state)42;
	assert_true(asmgate_verdict_fails_ac(NULL, &sig, &ac, &d));
	assert_string_equal(asmgate_ac_state_name(ASMGATE_AC_REVOKED),
	    "revoked");
	{
		asmgate_ac_state st;
		assert_true(asmgate_ac_state_parse("untrusted", &st));
		assert_int_equal(st, ASMGATE_AC_UNTRUSTED);
		assert_false(asmgate_ac_state_parse("signed", &st));
	}
}


/* A consumer whose ranges are out of offset order is fed by a walk of
 * its own, range by range as listed: the digest is of the bytes in
 * that order (computed here with EVP_Digest over a copy). */
static void
test_verify__digest_ranges_out_of_order(void **state)
{
	size_t len;
	uint8_t *b = th_load(CONTOSO_DLL, &len);
	verify_range r[2] = { { 0x400, 0x80, 0 }, { 0x10, 0x20, 0 } };
	verify_consumer c[1];
	uint8_t want[32], got[32], cat[0xA0];
	unsigned wl = 0, gl = 0;
	asmgate_image *img = NULL;
	asmgate_error err;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	memcpy(cat, b + 0x400, 0x80);
	memcpy(cat + 0x80, b + 0x10, 0x20);
	assert_true(EVP_Digest(cat, sizeof(cat), want, &wl, EVP_sha256(),
	    NULL));
	memset(c, 0, sizeof(c));
	c[0].ctx = EVP_MD_CTX_new();
	assert_true(EVP_DigestInit_ex(c[0].ctx, EVP_sha256(), NULL));
	c[0].r = r;
	c[0].n = 2;
	assert_int_equal(verify_digest_multi(img, NULL, NULL, NULL, NULL,
	    NULL, c, 1, &err), ASMGATE_OK);
	assert_true(EVP_DigestFinal_ex(c[0].ctx, got, &gl));
	EVP_MD_CTX_free(c[0].ctx);
	assert_int_equal(gl, wl);
	assert_memory_equal(got, want, wl);
	asmgate_image_free(img);
	free(b);
}

/* CVE-2013-3900: eight zero bytes more inside dwLength (directory size
 * grown to match) are not padding: invalid, although the image digest
 * and the signature are untouched. */
static void
test_verify__ac_padding_check(void **state)
{
	size_t len;
	uint8_t *b = th_load(AC_DIR "sha256.dll", &len), *c;
	struct pe_offsets o = offsets(b);
	uint32_t tab = th_get_u32(b + o.certdir);
	uint32_t size = th_get_u32(b + o.certdir + 4), dw;
	asmgate_trust *t = ac_trust(0);
	asmgate_verify_options vo;
	asmgate_authenticode *ac = NULL;
	asmgate_image *img = NULL;
	asmgate_error err;

	(void)state;
	c = calloc(1, len + 8);
	assert_non_null(c);
	memcpy(c, b, len);
	dw = th_get_u32(c + tab) + 8;
	memcpy(c + tab, &dw, 4);
	size += 8;
	memcpy(c + o.certdir + 4, &size, 4);
	(void)asmgate_verify_options_init(&vo, ASMGATE_VERIFY_OPTIONS_VERSION);
	vo.trust = t;
	vo.has_at = 1;
	vo.at = AC_AT;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_image_from_memory(&img, c, len + 8, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_authenticode_verify(img, &vo, &ac, &err),
	    ASMGATE_OK);
	assert_int_equal(ac->state, ASMGATE_AC_INVALID);
	assert_non_null(strstr(ac->reasons[0], "CVE-2013-3900"));
	asmgate_authenticode_free(ac);
	asmgate_image_free(img);
	/* The same bytes as the sample: valid (the control). */
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_authenticode_verify(img, &vo, &ac, &err),
	    ASMGATE_OK);
	assert_int_equal(ac->state, ASMGATE_AC_VALID);
	asmgate_authenticode_free(ac);
	asmgate_image_free(img);
	asmgate_trust_free(t);
	free(c);
	free(b);
}

/* ------------------------------------------------ Authenticode caches */

static X509 *
ac_pem(const char *name)
{
	char rel[128];
	FILE *f;
	X509 *x;

	snprintf(rel, sizeof(rel), AC_DIR "pki/%s", name);
	f = fopen(th_path(rel), "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

typedef struct ac_outcome {
	int e, depth;
	size_t n;
	asmgate_ac_cert chain[ASMGATE_AC_MAX_CHAIN];
} ac_outcome;

static void
ac_run_chain(const asmgate_trust *t, X509 *leaf, STACK_OF(X509) *u,
    int64_t when, int crl, ac_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->e = ac_chain(t, leaf, u, when, crl, o->chain, ASMGATE_AC_MAX_CHAIN,
	    &o->n, &o->depth);
}

static void
ac_same(const ac_outcome *a, const ac_outcome *b)
{
	assert_int_equal(a->e, b->e);
	assert_int_equal(a->depth, b->depth);
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->chain, b->chain, a->n * sizeof(a->chain[0]));
}

/* The chain cache: one chain (pki/contoso.pem via pki/inter.pem) at
 * three times gives three outcomes (validity from `openssl x509
 * -dates`: 2025-01-01 to 2030-01-01), each again from the cache, each
 * the same as from a trust that never saw it; more times than the
 * cache holds change nothing. */
static void
test_verify__ac_chain_cache_times(void **state)
{
	static const struct {
		int64_t when;
		int e;
	} at[] = {
		{ AC_AT, X509_V_OK },
		{ 1924992000, X509_V_ERR_CERT_HAS_EXPIRED },   /* 2031 */
		{ 1704067200, X509_V_ERR_CERT_NOT_YET_VALID }, /* 2024 */
	};
	asmgate_trust *t = ac_trust(0), *t2;
	X509 *leaf = ac_pem("contoso.pem"), *inter = ac_pem("inter.pem");
	STACK_OF(X509) *u = sk_X509_new_null();
	ac_outcome o1, o2, o3;
	unsigned i, k;

	(void)state;
	assert_true(u && sk_X509_push(u, inter));
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			ac_run_chain(t, leaf, u, at[i].when, 0, &o1);
			assert_int_equal(o1.e, at[i].e);
			assert_int_equal(o1.depth, 0);
			assert_int_equal(o1.n, 3);
			assert_string_equal(o1.chain[0].subject.text,
			    "CN=Contoso Ltd,O=Contoso Ltd,C=US");
			assert_string_equal(o1.chain[2].subject.text,
			    "CN=asmgate Test Root CA,O=asmgate tests,C=US");
			/* a hit, then a trust without a cache entry */
			ac_run_chain(t, leaf, u, at[i].when, 0, &o2);
			ac_same(&o1, &o2);
			t2 = ac_trust(0);
			ac_run_chain(t2, leaf, u, at[i].when, 0, &o3);
			ac_same(&o1, &o3);
			asmgate_trust_free(t2);
		}
	/* Past the bound: every second of a day, then the first again. */
	for (i = 0; i < RD_MAX_AC_CHAIN_CACHE * 2; i++) {
		ac_run_chain(t, leaf, u, AC_AT + i, 0, &o1);
		assert_int_equal(o1.e, X509_V_OK);
	}
	ac_run_chain(t, leaf, u, 1924992000, 0, &o1);
	assert_int_equal(o1.e, X509_V_ERR_CERT_HAS_EXPIRED);
	/* Without the intermediate: another key, another outcome. */
	ac_run_chain(t, leaf, NULL, AC_AT, 0, &o1);
	assert_int_equal(o1.e, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(o1.n, 1);
	sk_X509_pop_free(u, X509_free);
	X509_free(leaf);
	asmgate_trust_free(t);
}

/* A CRL changes the outcome: pki/revoked.pem (serial 0x4005, on
 * pki/crl.pem's list per `openssl crl -text`) is revoked with the CRL
 * applied, fine without it, on one trust and on two, hit or miss. */
static void
test_verify__ac_chain_cache_crl(void **state)
{
	asmgate_trust *crl = ac_trust(1), *none = ac_trust(0);
	X509 *leaf = ac_pem("revoked.pem"), *inter = ac_pem("inter.pem");
	STACK_OF(X509) *u = sk_X509_new_null();
	ac_outcome o;
	unsigned k;

	(void)state;
	assert_true(u && sk_X509_push(u, inter));
	for (k = 0; k < 2; k++) {
		ac_run_chain(crl, leaf, u, AC_AT, 1, &o);
		assert_int_equal(o.e, X509_V_ERR_CERT_REVOKED);
		assert_int_equal(o.n, 3);
		ac_run_chain(crl, leaf, u, AC_AT, 0, &o);
		assert_int_equal(o.e, X509_V_OK);
		ac_run_chain(none, leaf, u, AC_AT, 1, &o);
		assert_int_equal(o.e, X509_V_OK);
		/* Revoked whatever the time (a CRL after a timestamp). */
		ac_run_chain(crl, leaf, u, 1924992000, 1, &o);
		assert_int_equal(o.e, X509_V_ERR_CERT_REVOKED);
	}
	sk_X509_pop_free(u, X509_free);
	X509_free(leaf);
	asmgate_trust_free(crl);
	asmgate_trust_free(none);
}

/* The certificate cache: sha256.dll's SignedData parsed through it is
 * the SignedData d2i_PKCS7 gives (same DER back, same length read); a
 * second parse while the first is held gets its own certificates, one
 * after it was freed gets the kept ones; a certificate that does not
 * parse falls back to d2i_PKCS7, which refuses it too. */
static void
test_verify__ac_cert_cache(void **state)
{
	size_t len;
	uint8_t *b = th_load(AC_DIR "sha256.dll", &len), *bad;
	asmgate_trust *t = ac_trust(0);
	asmgate_image *img = NULL;
	asmgate_error err;
	pe_cert_table tab;
	const unsigned char *p, *q, *der;
	PKCS7 *ref, *a, *a2, *c;
	unsigned char *enc = NULL, *enc2 = NULL;
	long dl;
	int el, i, n;
	X509 *held[RD_MAX_AC_P7_CERTS];

	(void)state;
	asmgate_error_clear(&err);
	(void)pe_image_take_native(&img, b, len, &err);
	assert_non_null(img);
	assert_int_equal(pe_cert_read(img, &tab), 1);
	der = tab.e[0].body.p;
	dl = (long)tab.e[0].body.len;
	p = der;
	ref = d2i_PKCS7(NULL, &p, dl);
	assert_non_null(ref);
	q = der;
	a = ac_p7_d2i(t, &q, dl);
	assert_non_null(a);
	assert_ptr_equal(p, q);
	el = i2d_PKCS7(a, &enc);
	assert_int_equal(el, i2d_PKCS7(ref, &enc2));
	assert_memory_equal(enc, enc2, (size_t)el);
	assert_int_equal(el, (int)(p - der));
	n = sk_X509_num(a->d.sign->cert);
	assert_int_equal(n, 2); /* contoso.pem and inter.pem */
	for (i = 0; i < n; i++)
		held[i] = sk_X509_value(a->d.sign->cert, i);
	q = der;
	a2 = ac_p7_d2i(t, &q, dl);
	assert_non_null(a2);
	for (i = 0; i < n; i++)
		assert_ptr_not_equal(sk_X509_value(a2->d.sign->cert, i),
		    held[i]);
	ac_p7_free(t, a2);
	/* held[] stay alive: the cache keeps a reference */
	ac_p7_free(t, a);
	q = der;
	a = ac_p7_d2i(t, &q, dl);
	assert_non_null(a);
	for (i = 0; i < n; i++)
		assert_ptr_equal(sk_X509_value(a->d.sign->cert, i), held[i]);
	ac_p7_free(t, a);
	/* A byte of the first certificate's signature changed inside
	 * its length: still one TLV, but a broken certificate is only
	 * ever refused by d2i_PKCS7's own rules. */
	bad = malloc((size_t)dl);
	assert_non_null(bad);
	memcpy(bad, der, (size_t)dl);
	{
		unsigned char *x0 = NULL;
		int xl = i2d_X509(held[0], &x0);
		long at;

		assert_true(xl > 0);
		for (at = 0; at + xl <= dl; at++)
			if (memcmp(bad + at, x0, (size_t)xl) == 0)
				break;
		assert_true(at + xl <= dl);
		/* tbsCertificate's tag byte made a SET: not an X509 */
		assert_int_equal(bad[at + 4], 0x30);
		bad[at + 4] = 0x31;
		OPENSSL_free(x0);
	}
	q = bad;
	c = ac_p7_d2i(t, &q, dl);
	p = bad;
	assert_null(c);
	assert_null(d2i_PKCS7(NULL, &p, dl));
	free(bad);
	OPENSSL_free(enc);
	OPENSSL_free(enc2);
	PKCS7_free(ref);
	asmgate_image_free(img);
	asmgate_trust_free(t);
}

/* The certificate cache against d2i_PKCS7 on damaged SignedData: bytes
 * of sha256.dll's, nested.dll's and sha256-ts.dll's changed or cut
 * (a fixed pseudo-random sequence), both parse or both refuse, read
 * the same length and give the same DER back. */
static void
test_verify__ac_cert_cache_differential(void **state)
{
	static const char *const files[] = {
		"sha256.dll", "nested.dll", "sha256-ts.dll"
	};
	asmgate_trust *t = ac_trust(0);
	uint32_t rng = 12345;
	unsigned f, i, k, parsed = 0, refused = 0;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char rel[128];
		size_t len;
		uint8_t *b, *m;
		asmgate_image *img = NULL;
		asmgate_error err;
		pe_cert_table tab;
		long dl;

		snprintf(rel, sizeof(rel), AC_DIR "%s", files[f]);
		b = th_load(rel, &len);
		asmgate_error_clear(&err);
		(void)pe_image_take_native(&img, b, len, &err);
		assert_non_null(img);
		assert_int_equal(pe_cert_read(img, &tab), 1);
		dl = (long)tab.e[0].body.len;
		m = malloc((size_t)dl);
		assert_non_null(m);
		for (i = 0; i < AC_DIFF_ROUNDS; i++) {
			const unsigned char *p = m, *q = m;
			unsigned char *e1 = NULL, *e2 = NULL;
			PKCS7 *r, *c;
			long l = dl;
			int l1, l2;

			memcpy(m, tab.e[0].body.p, (size_t)dl);
			for (k = 0; k < 1 + i % 3; k++) {
				rng = rng * 1103515245u + 12345u;
				/* most changes in the headers */
				if (rng >> 31)
					m[(rng >> 8) % 64] ^= (uint8_t)(rng >> 4);
				else
					m[(rng >> 8) % (uint32_t)dl] ^=
					    (uint8_t)(rng >> 4);
			}
			if (i % 7 == 0)
				l = (long)((rng >> 3) % (uint32_t)dl);
			r = d2i_PKCS7(NULL, &p, l);
			c = ac_p7_d2i(t, &q, l);
			assert_int_equal(r != NULL, c != NULL);
			if (!r) {
				refused++;
				continue;
			}
			parsed++;
			assert_ptr_equal(p, q);
			l1 = i2d_PKCS7(r, &e1);
			l2 = i2d_PKCS7(c, &e2);
			assert_int_equal(l1, l2);
			if (l1 > 0)
				assert_memory_equal(e1, e2, (size_t)l1);
			OPENSSL_free(e1);
			OPENSSL_free(e2);
			PKCS7_free(r);
			ac_p7_free(t, c);
		}
		free(m);
		asmgate_image_free(img);
	}
	/* Both kinds were seen. */
	assert_true(parsed > 0 && refused > 0);
	asmgate_trust_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify__valid_samples_are_signed),
		cmocka_unit_test(test_verify__states),
		cmocka_unit_test(test_verify__hash_coverage),
		cmocka_unit_test(test_verify__plan_ranges),
		cmocka_unit_test(test_verify__pe_checksum_matches_mcs),
		cmocka_unit_test(test_verify__structural_rejections),
		cmocka_unit_test(test_verify__structure_in_memory),
		cmocka_unit_test(test_verify__sections_overlap_in_memory),
		cmocka_unit_test(test_verify__reason_names_printable),
		cmocka_unit_test(test_verify__key_map),
		cmocka_unit_test(test_verify__test_signed),
		cmocka_unit_test(test_verify__signer),
		cmocka_unit_test(test_verify__sign_delay_signed),
		cmocka_unit_test(test_verify__sign_refuses_other_key),
		cmocka_unit_test(
		    test_verify__sign_reads_signature_key_attr_like_verify),
		cmocka_unit_test(test_verify__mapped_file_snapshot),
		cmocka_unit_test(test_verify__named_state_samples),
		cmocka_unit_test(test_verify__fail_closed_rows),
		cmocka_unit_test(test_verify__state_names),
		cmocka_unit_test(test_verify__ready_to_run),
		cmocka_unit_test(test_verify__ecma_reason_says_what_was_done),
		cmocka_unit_test(test_verify__checksum_reason),
		cmocka_unit_test(test_verify__checksum_reference),
		cmocka_unit_test(test_verify__checksum_every_state),
		cmocka_unit_test(test_verify__image_checksum),
		cmocka_unit_test(test_verify__test_sign_own_key_refused),
		cmocka_unit_test(test_verify__sign_large_streamed),
		cmocka_unit_test(test_verify__ac_digest_one_pass),
		cmocka_unit_test(test_verify__ac_states),
		cmocka_unit_test(test_verify__ac_facts),
		cmocka_unit_test(test_verify__dn_canonical),
		cmocka_unit_test(test_verify__ac_verdict),
		cmocka_unit_test(test_verify__digest_ranges_out_of_order),
		cmocka_unit_test(test_verify__ac_padding_check),
		cmocka_unit_test(test_verify__sign_no_replace),
		cmocka_unit_test(test_verify__ac_chain_cache_times),
		cmocka_unit_test(test_verify__ac_chain_cache_crl),
		cmocka_unit_test(test_verify__ac_cert_cache),
		cmocka_unit_test(test_verify__ac_cert_cache_differential),
	};
	return cmocka_run_group_tests_name("verify", tests, th_setup_tmp,
	    th_teardown_tmp);
}
