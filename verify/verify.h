/*
 * verify.h - strong-name verification and signing (module-internal API).
 *
 * The hash (strongname.md 4.1, after the .NET Framework's
 * strongname.cpp ComputeHash) covers exactly:
 *   - file bytes [0, e_lfanew);
 *   - IMAGE_NT_HEADERS32/64 (248/264 bytes from e_lfanew) with CheckSum
 *     and the Certificate Table directory zeroed;
 *   - the section table (NumberOfSections x 40 bytes at
 *     optional header + SizeOfOptionalHeader);
 *   - each section's raw data in table order, minus the signature slot.
 * Header padding, gaps and bytes after the last section are not covered.
 */
#ifndef VERIFY_VERIFY_H
#define VERIFY_VERIFY_H

#include <openssl/evp.h>

#include "asmgate.h"
#include "rd/file.h"

/* The byte ranges the strong-name hash covers, in order. Computed once,
 * checked against the file, then fed to a digest (or a checksum). */
#define VERIFY_MAX_RANGES (3u + 2u * 96u)

typedef struct verify_range {
	uint64_t off;
	uint64_t len;
	int patched;   /* 1: the NT headers copy (CheckSum, cert dir zeroed) */
} verify_range;

typedef struct verify_plan {
	verify_range r[VERIFY_MAX_RANGES];
	unsigned n;
	uint64_t sig_off;   /* signature slot */
	uint32_t sig_len;
} verify_plan;

/** Structural checks the .NET Framework makes before hashing
 *  (pedecoder.cpp CheckCorHeader/CheckSection/CheckRva; strongname.md
 *  1.5, 2, 11). On failure returns 0 and writes the reason. */
int verify_structure(const asmgate_image *img, char *why, size_t whylen);

/** The ranges to hash for img with the signature slot excluded. Fails
 *  (0, reason) if any range would leave the file or the slot straddles a
 *  section. */
int verify_plan_make(const asmgate_image *img, verify_plan *plan, char *why,
    size_t whylen);

/** Digest the planned ranges of img with md into out (EVP_MAX_MD_SIZE).
 *  The metadata block is hashed from the image's private copy when it
 *  has one (a mapped file, pe/pe.h), so the bytes hashed are the bytes
 *  the identity was read from. Resident pages of large sections are
 *  released as they are hashed. */
asmgate_status verify_digest(const asmgate_image *img,
    const verify_plan *plan, const EVP_MD *md, uint8_t *out,
    unsigned *outlen, uint32_t *cksum, asmgate_error *err);

/* One digest fed by a shared pass over the file (verify_digest_multi):
 * its context (initialised by the caller, finished by it) and its
 * ranges, in offset order for the shared walk. */
#define VERIFY_MAX_CONSUMERS 8u
typedef struct verify_consumer {
	EVP_MD_CTX *ctx;
	const verify_range *r;
	unsigned n;
	unsigned next;   /* walk state */
	int lone;        /* walk state: ranges out of order */
} verify_consumer;

/** verify_digest (p may be NULL: no strong-name digest), feeding the
 *  nextra extra consumers in the same pass: the file is read once for
 *  the strong-name digest, each Authenticode digest and the checksum. */
asmgate_status verify_digest_multi(const asmgate_image *img,
    const verify_plan *p, const EVP_MD *md, uint8_t *out, unsigned *outlen,
    uint32_t *cksum, const verify_consumer *extra, unsigned nextra,
    asmgate_error *err);

/* Extra digests (Authenticode) riding on the strong-name pass. */
typedef struct verify_extra {
	verify_consumer c[VERIFY_MAX_CONSUMERS];
	unsigned n;
	int done;        /* set once they were fed */
} verify_extra;

/** asmgate_verify_image, feeding x's consumers (may be NULL) in the pass
 *  it makes anyway (strong-name digest or checksum) and setting
 *  x->done. */
asmgate_status verify_image_extra(const asmgate_image *img,
    const asmgate_verify_options *o, asmgate_signature *out,
    verify_extra *x, asmgate_error *err);

/* Bytes laid over the file's by the signer: len bytes at file offset
 * off read from bytes (the flags word, the signature slot, the
 * CheckSum field). Patches do not overlap. */
typedef struct verify_patch {
	uint64_t off;
	uint64_t len;
	const uint8_t *bytes;
} verify_patch;

/** verify_digest over img's bytes with patches laid over them (the
 *  file as the signer will write it, slot zeroed); *sum, when not NULL,
 *  gets the PE checksum sum of the same bytes (CheckSum field skipped),
 *  not folded: see verify_checksum_add. */
asmgate_status verify_digest_patched(const asmgate_image *img,
    const verify_plan *plan, const verify_patch *patch, unsigned npatch,
    const EVP_MD *md, uint8_t *out, unsigned *outlen, uint64_t *sum,
    asmgate_error *err);

/** Write img's bytes with patches laid over them to w, a megabyte at a
 *  time, releasing a mapped file's pages as they are written, so memory
 *  does not grow with the file; *sum gets the checksum sum of what was
 *  written (CheckSum field skipped), not folded. */
asmgate_status verify_write_patched(const asmgate_image *img,
    const verify_patch *patch, unsigned npatch, rd_atomic *w,
    uint64_t *sum, asmgate_error *err);

/** The same for the first size bytes only (size <= the file's). */
asmgate_status verify_write_patched_n(const asmgate_image *img,
    uint64_t size, const verify_patch *patch, unsigned npatch,
    rd_atomic *w, uint64_t *sum, asmgate_error *err);

/** Add the n bytes at p, file offset off, to an unfolded checksum sum
 *  (bytes keep their offset's parity, so parts of a file can be summed
 *  apart and added). */
uint64_t verify_checksum_add(uint64_t sum, const uint8_t *p, uint64_t n,
    uint64_t off);

/** Fold a sum and add the file size: the PE checksum. */
uint32_t verify_checksum_finish(uint64_t sum, uint64_t size);

/** PE checksum (imagehlp CheckSumMappedFile; strongname.md 9) of data
 *  with the 4-byte CheckSum field at cksum_off counted as zero. */
uint32_t verify_pe_checksum(const uint8_t *data, size_t size,
    uint64_t cksum_off);

/** The same over img's bytes: the metadata block and signature slot
 *  from the image's private copies when it has them (pe/pe.h), so the
 *  checksum is of the bytes verified; pages of a mapped file are
 *  released as they are summed. verify_digest computes the same in its
 *  own pass (cksum, when not NULL); this is for states that hash
 *  nothing. */
uint32_t verify_image_checksum(const asmgate_image *img);

/** Parse the value of AssemblySignatureKeyAttribute(string publicKey,
 *  string countersignature) (strongname.md 3.5, 7.4): the 0x0001 prolog,
 *  then two SerStrings (II.23.3; the null string is refused) holding hex
 *  of the signature key blob, decoded into key (RD_MAX_PUBLIC_KEY_BLOB
 *  bytes), and hex of the countersignature, decoded into cs
 *  (RD_MAX_SIGNATURE_BYTES bytes). A value over RD_MAX_ATTRIBUTE_BLOB is
 *  refused. On failure returns 0 and writes the reason. Used by
 *  verification and by signing, so both read the attribute alike. */
int verify_signature_key_attr(const asmgate_attribute *a, uint8_t *key,
    size_t *keylen, uint8_t *cs, size_t *cslen, char *why, size_t whylen);

#endif /* VERIFY_VERIFY_H */
