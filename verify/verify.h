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
 *  Resident pages of large sections are released as they are hashed. */
asmgate_status verify_digest(const asmgate_image *img,
    const verify_plan *plan, const EVP_MD *md, uint8_t *out,
    unsigned *outlen, asmgate_error *err);

/** Same over a buffer that holds the whole file (used when signing). */
asmgate_status verify_digest_buffer(const uint8_t *data, size_t size,
    const asmgate_image *img, const verify_plan *plan, const EVP_MD *md,
    uint8_t *out, unsigned *outlen, asmgate_error *err);

/** PE checksum (imagehlp CheckSumMappedFile; strongname.md 9) of data
 *  with the 4-byte CheckSum field at cksum_off counted as zero. */
uint32_t verify_pe_checksum(const uint8_t *data, size_t size,
    uint64_t cksum_off);

/* ALG_ID class of a hash (wincrypt.h GET_ALG_CLASS). */
#define VERIFY_ALG_CLASS(a) (((a) >> 13) & 7u)

#endif /* VERIFY_VERIFY_H */
