/*
 * sign.c - strong-name signing: what sn -R does, done right.
 *
 * Order (strongname.md 4.1 "signing path", 9): check the key matches the
 * assembly's key; set (or, test-signing, clear) COMIMAGE_FLAGS_
 * STRONGNAMESIGNED before hashing, since the flag is inside the hashed
 * .text; zero the slot; hash; sign; store the signature reversed; then
 * recompute the PE checksum, which the hash excludes.
 *
 * The file is never held in memory: the three changes are patches laid
 * over the (mapped) input. One pass hashes the patched bytes, slot
 * zeroed, and sums them for the checksum; the signature's bytes are
 * added to that sum; a second pass streams the patched bytes, signature
 * and checksum included, to a temporary file in the destination's
 * folder (unnamed where the filesystem allows it, rd/file.h), summing
 * them again, and the file is renamed over the destination only when
 * everything succeeded and both sums agree (a file rewritten between
 * the passes is refused, not signed half old, half new).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keys.h"
#include "pe/pe.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"
#include "verify.h"

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The input changed while it was signed: its mapping faulted (the file
 * shrank and reads past the new end gave zeros, rd_file_changed), or
 * path is not the file of *before any more (size, inode, mtime), or
 * that is not the size read. Unknown (no *before): only the mapping
 * says. */
static int
input_changed(const asmgate_image *img, const char *path,
    const struct stat *before, int have_before)
{
	struct stat now;

	if (img && img->mapping && rd_file_changed(img->mapping))
		return 1;
	if (!have_before)
		return 0;
	if (stat(path, &now) != 0)
		return 1;
	return (uint64_t)before->st_size != img->size ||
	    now.st_size != before->st_size || now.st_ino != before->st_ino ||
	    now.st_dev != before->st_dev ||
	    now.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != before->st_mtim.tv_nsec;
}

/* The key the assembly expects to be signed with: its
 * AssemblySignatureKeyAttribute key when it has one (enhanced strong
 * naming; sn -Ra), else its identity key. *out is a new key. */
static asmgate_status
expected_key(const asmgate_image *img, asmgate_key **out,
    asmgate_error *err)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_attribute *a;
	asmgate_status rc;

	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblySignatureKeyAttribute");
	if (a) {
		/* The same parse as verification (verify.h), without the
		 * hash a verification pass would cost. */
		uint8_t blob[RD_MAX_PUBLIC_KEY_BLOB];
		uint8_t cs[RD_MAX_SIGNATURE_BYTES];
		size_t n = 0, csn = 0;
		char why[ASMGATE_REASON_MAX];

		if (!verify_signature_key_attr(a, blob, &n, cs, &csn, why,
			sizeof(why)))
			return rd_fail(err, ASMGATE_E_MALFORMED, a->value_offset,
			    "%s", why);
		rc = asmgate_key_from_blob(out, blob, n, err);
	} else {
		rc = asmgate_key_from_blob(out, info->assembly.public_key,
		    info->assembly.public_key_len, err);
	}
	if (rc != ASMGATE_OK)
		rd_err_prefix(err, "the assembly's public key");
	return rc;
}

asmgate_status
asmgate_sign_file(const char *in_path, const char *out_path,
    const asmgate_key *key, const asmgate_sign_options *opts,
    asmgate_error *err)
{
	const asmgate_key_info *ki = asmgate_key_get_info(key);
	const asmgate_key_info *ei;
	const asmgate_image_info *info;
	asmgate_image *img = NULL;
	asmgate_key *expect = NULL;
	verify_plan *plan = NULL;
	verify_patch patch[4];
	uint8_t zero_dir[8] = { 0 };
	uint64_t out_size;
	uint32_t cert_off = 0, cert_size = 0;
	int strip;
	unsigned npatch = 2;
	rd_atomic *w = NULL;
	uint8_t digest[EVP_MAX_MD_SIZE];
	uint8_t sig[RD_MAX_SIGNATURE_BYTES], flags_le[4], cksum_le[4];
	unsigned dlen = 0;
	uint32_t flags, hash_alg, slot_len, cksum;
	uint64_t sum = 0;
	const EVP_MD *md;
	struct stat st;
	int have_st = 0;
	char why[ASMGATE_REASON_MAX];
	int test_sign = opts && opts->test_sign;
	int no_replace;
	mode_t mode = 0644;
	asmgate_status rc;

	if (opts && opts->version != ASMGATE_SIGN_OPTIONS_VERSION &&
	    opts->version != 1)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "sign options of unknown version %u", opts->version);
	/* Version 1 ends before strip_authenticode and no_replace: never
	 * read them there (nor in a struct of an unknown version). */
	strip = opts && opts->version >= 2 && opts->strip_authenticode;
	no_replace = opts && opts->version >= 2 && opts->no_replace;
	if (!ki->is_private)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the key has no private part: signing needs a key pair");
	if ((rc = asmgate_image_open(&img, in_path, err)) != ASMGATE_OK)
		return rc;
	if (stat(in_path, &st) == 0) {
		mode = st.st_mode & 0777;
		have_st = 1;
	}
	info = asmgate_image_get_info(img);
	if (!info->assembly.public_key) {
		rc = rd_fail_nooff(err, ASMGATE_E_USAGE, "the assembly has no "
		    "public key (it was not built for strong naming)");
		goto out;
	}
	if (!verify_structure(img, why, sizeof(why))) {
		rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED, "%s", why);
		goto out;
	}
	if (info->cli.strong_name.rva == 0 || info->cli.strong_name.size == 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "the assembly has no signature slot");
		goto out;
	}
	/* Authenticode covers the strong-name slot (authenticode.md 2.5):
	 * re-signing would break it. Refused, or the table removed. */
	out_size = img->size;
	if (pe_cert_dir(img, &cert_off, &cert_size)) {
		pe_cert_table t;

		if (!strip) {
			rc = rd_fail(err, ASMGATE_E_USAGE,
			    pe_cert_dir_offset(img), "the file carries an "
			    "Authenticode signature (certificate table at 0x%x, "
			    "%u bytes): re-signing the strong name would break "
			    "it; strong-name sign before Authenticode signing, "
			    "or remove it with --strip-authenticode", cert_off,
			    cert_size);
			goto out;
		}
		if (pe_cert_read(img, &t) != 1) {
			rc = rd_fail(err, ASMGATE_E_MALFORMED, t.bad_offset,
			    "cannot remove the Authenticode signature: %s",
			    t.why);
			goto out;
		}
		out_size = cert_off;
	}
	if ((rc = expected_key(img, &expect, err)) != ASMGATE_OK)
		goto out;
	ei = asmgate_key_get_info(expect);
	if (ei->is_ecma && !test_sign) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY_MISMATCH, "the assembly "
		    "carries the ECMA neutral key: only the Microsoft key can "
		    "sign it");
		goto out;
	}
	/* Test-signing with the assembly's own key makes a file that
	 * verifies with its identity key, flag clear: signed, never
	 * test-signed (strongname.md 7.1). Refused before anything is
	 * written. */
	if (test_sign && keys_same_rsa(key, expect)) {
		rc = rd_fail_nooff(err, ASMGATE_E_USAGE, "--test-sign with the "
		    "assembly's own key would make it signed, not test-signed: "
		    "sign without --test-sign, or test-sign with a test key");
		goto out;
	}
	if (!test_sign && !keys_same_rsa(key, expect)) {
		char a[17], b[17];
		rd_hex_encode(a, ki->token, 8);
		rd_hex_encode(b, ei->token, 8);
		rc = rd_fail_nooff(err, ASMGATE_E_KEY_MISMATCH, "key %s does not "
		    "match the assembly's public key %s (use --test-sign to "
		    "test-sign)", a, b);
		goto out;
	}
	/* The digest is the assembly key's HashAlgID (0 means SHA-1), as
	 * the CLR takes it; a test key signs with the same algorithm. */
	hash_alg = ei->is_ecma || ei->hash_alg == 0 ? ASMGATE_CALG_SHA1 :
	    ei->hash_alg;
	if ((md = keys_md(hash_alg)) == NULL) {
		rc = rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
		    "unsupported hash algorithm 0x%x in the assembly's key",
		    hash_alg);
		goto out;
	}
	slot_len = info->cli.strong_name.size;
	if (slot_len != ki->bits / 8 || slot_len > sizeof(sig)) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY_MISMATCH, "the signature "
		    "slot is %u bytes but the %u-bit key signs %u", slot_len,
		    ki->bits, ki->bits / 8);
		goto out;
	}
	plan = malloc(sizeof(*plan));
	if (!plan) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	if (!verify_plan_make(img, plan, why, sizeof(why))) {
		rc = rd_fail_nooff(err, ASMGATE_E_MALFORMED, "%s", why);
		goto out;
	}
	/* The flags as parsed and checked (verify_structure), so the
	 * header signed is the one that was checked. */
	flags = info->cli.flags;
	if (test_sign)
		flags &= ~ASMGATE_COMIMAGE_STRONGNAMESIGNED;
	else
		flags |= ASMGATE_COMIMAGE_STRONGNAMESIGNED;
	put_u32(flags_le, flags);
	memset(sig, 0, sizeof(sig));
	patch[0].off = info->cli.header_offset + PE_COR20_FLAGS;
	patch[0].len = 4;
	patch[0].bytes = flags_le;
	patch[1].off = info->cli.strong_name_offset;
	patch[1].len = slot_len;
	patch[1].bytes = sig;
	if (out_size != img->size) {
		/* The directory entry zeroed (the strong-name hash zeroes it
		 * anyway: the digest is the same). */
		patch[2].off = pe_cert_dir_offset(img);
		patch[2].len = 8;
		patch[2].bytes = zero_dir;
		npatch = 3;
	}
	if ((rc = verify_digest_patched(img, plan, patch, npatch, md, digest,
		 &dlen, &sum, err)) != ASMGATE_OK ||
	    (rc = keys_sign_digest(key, md, digest, dlen, sig, slot_len,
		 err)) != ASMGATE_OK)
		goto out;
	/* The slot was summed as zeros: add the signature. The slot lies
	 * in a section, after the headers that hold the CheckSum field
	 * (verify_structure), so no byte of it is skipped. */
	sum = verify_checksum_add(sum, sig, slot_len, patch[1].off);
	/* Without the table: its bytes (8-aligned, after the CheckSum
	 * field) taken back out of the unfolded sum. */
	if (out_size != img->size)
		sum -= verify_checksum_add(0, img->data + out_size,
		    img->size - out_size, out_size);
	cksum = verify_checksum_finish(sum, out_size);
	put_u32(cksum_le, cksum);
	patch[npatch].off = pe_checksum_offset(img);
	patch[npatch].len = 4;
	patch[npatch].bytes = cksum_le;
	npatch++;
	if ((rc = rd_atomic_open(&w, out_path, mode, no_replace ?
		 RD_ATOMIC_NOREPLACE : 0, opts ? opts->temp_hook : NULL,
		 opts ? opts->temp_hook_arg : NULL, err)) != ASMGATE_OK)
		goto out;
	if ((rc = verify_write_patched_n(img, out_size, patch, npatch, w, &sum,
	    err)) != ASMGATE_OK) {
		/* a write from pages past a shrunk file's end fails
		 * (EFAULT): say why */
		if (input_changed(img, in_path, &st, have_st))
			rc = rd_fail_nooff(err, ASMGATE_E_IO, "the file changed "
			    "while it was being signed: nothing written");
		goto out;
	}
	/* A mapped input that shrank reads as zeros past its new end
	 * (rd/file.h) in both passes, so the sums agree: the mapping's own
	 * mark says it changed. */
	if (input_changed(img, in_path, &st, have_st) ||
	    verify_checksum_finish(sum, out_size) != cksum) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "the file changed while "
		    "it was being signed: nothing written");
		goto out;
	}
	rc = rd_atomic_commit(w, err);
out:
	rd_atomic_free(w);
	free(plan);
	asmgate_key_free(expect);
	asmgate_image_free(img);
	return rc;
}
