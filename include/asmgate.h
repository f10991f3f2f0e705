/*
 * asmgate.h - the one public header of libasmgate.
 *
 * asmgate reads .NET assemblies (PE/COFF + ECMA-335 metadata) from
 * untrusted input, verifies their strong-name signatures and decides,
 * against a per-host policy, whether they may be deployed.
 *
 * Conventions (docs/STYLE.md):
 *  - every function that can fail returns an asmgate_status (0 = OK,
 *    negative = error class) and fills a caller-owned asmgate_error;
 *  - objects returned through a pointer-to-pointer belong to the caller
 *    and are released with the matching _free (which accepts NULL);
 *  - pointers returned by getters are borrowed: they live as long as the
 *    object they came from;
 *  - the library never prints, never exits and holds no global state.
 */
#ifndef ASMGATE_H
#define ASMGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASMGATE_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Status and errors                                                   */
/* ------------------------------------------------------------------ */

/** Error classes. Each has a stable name (asmgate_status_name) used as
 *  the "code" of JSON error objects; scripts may depend on those names. */
typedef enum asmgate_status {
	ASMGATE_OK = 0,
	ASMGATE_E_IO = -1,          /* "io": cannot open, read or write */
	ASMGATE_E_NOMEM = -2,       /* "nomem": allocation failed */
	ASMGATE_E_EMPTY = -3,       /* "empty": the file has no bytes */
	ASMGATE_E_TRUNCATED = -4,   /* "truncated": a structure runs past its container */
	ASMGATE_E_NOT_PE = -5,      /* "not-pe": no MZ/PE signature */
	ASMGATE_E_NOT_DOTNET = -6,  /* "not-dotnet": PE without a CLI header */
	ASMGATE_E_NO_ASSEMBLY = -7, /* "no-assembly": .NET module without an Assembly row */
	ASMGATE_E_MALFORMED = -8,   /* "malformed": an inconsistent or invalid value */
	ASMGATE_E_LIMIT = -9,       /* "limit": a count or size above a named cap */
	ASMGATE_E_UNSUPPORTED = -10,/* "unsupported": valid but not handled */
	ASMGATE_E_KEY = -11,        /* "bad-key": a key file or blob is not usable */
	ASMGATE_E_CRYPTO = -12,     /* "crypto": the crypto library failed */
	ASMGATE_E_POLICY = -13,     /* "bad-policy": the policy file is invalid */
	ASMGATE_E_USAGE = -14,      /* "usage": bad arguments */
	ASMGATE_E_KEY_MISMATCH = -15/* "key-mismatch": key does not match the assembly */
} asmgate_status;

#define ASMGATE_ERRMSG_MAX 256

/** A caller-owned error record. Library functions fill it on failure.
 *  has_offset says whether offset (a file offset) is meaningful; line is a
 *  1-based line number for text inputs (policy files), 0 when none. */
typedef struct asmgate_error {
	asmgate_status code;
	int has_offset;
	uint64_t offset;
	unsigned long line;
	char msg[ASMGATE_ERRMSG_MAX];
} asmgate_error;

/** Stable short name of a status ("io", "truncated", ...). Never NULL. */
const char *asmgate_status_name(asmgate_status st);

/** Reset an error record to "no error". */
void asmgate_error_clear(asmgate_error *err);

/* ------------------------------------------------------------------ */
/* Images: a parsed PE file and its ECMA-335 metadata (pe/)            */
/* ------------------------------------------------------------------ */

/** An opened, parsed assembly. Opaque; see asmgate_image_info(). */
typedef struct asmgate_image asmgate_image;

/** (RVA, size) pair of a data directory or COR20 directory. */
typedef struct asmgate_dir {
	uint32_t rva;
	uint32_t size;
} asmgate_dir;

/** One section header (PE/COFF 3.4). */
typedef struct asmgate_section {
	char name[9];            /* NUL-padded, NUL-terminated */
	uint32_t virtual_size;
	uint32_t virtual_address;
	uint32_t raw_size;       /* SizeOfRawData */
	uint32_t raw_offset;     /* PointerToRawData */
	uint32_t characteristics;
} asmgate_section;

/* PE/COFF section characteristics used by asmgate. */
#define ASMGATE_SCN_MEM_WRITE 0x80000000u

/** PE/COFF headers (PE/COFF 3.2-3.4). */
typedef struct asmgate_pe_info {
	int pe32plus;            /* 0: PE32 (magic 0x10B), 1: PE32+ (0x20B) */
	uint32_t lfanew;         /* file offset of "PE\0\0" */
	uint16_t machine;
	uint16_t characteristics;
	uint32_t timestamp;
	uint16_t size_of_optional_header;
	uint64_t image_base;
	uint32_t section_alignment;
	uint32_t file_alignment;
	uint32_t size_of_image;
	uint32_t size_of_headers;
	uint32_t checksum;       /* as stored */
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint32_t number_of_rva_and_sizes; /* as stored */
	asmgate_dir dirs[16];    /* entries past number_of_rva_and_sizes are 0 */
	uint32_t nsections;
	const asmgate_section *sections;
	uint64_t section_table_offset;
	uint64_t file_size;
	uint64_t overlay_offset; /* end of the last section's raw data */
	uint64_t overlay_size;   /* bytes after it (Authenticode, appended) */
} asmgate_pe_info;

/* COR20 flags (ECMA-335 II.25.3.3.1, corhdr.h). */
#define ASMGATE_COMIMAGE_ILONLY 0x00000001u
#define ASMGATE_COMIMAGE_32BITREQUIRED 0x00000002u
#define ASMGATE_COMIMAGE_IL_LIBRARY 0x00000004u
#define ASMGATE_COMIMAGE_STRONGNAMESIGNED 0x00000008u
#define ASMGATE_COMIMAGE_NATIVE_ENTRYPOINT 0x00000010u
#define ASMGATE_COMIMAGE_TRACKDEBUGDATA 0x00010000u
#define ASMGATE_COMIMAGE_32BITPREFERRED 0x00020000u

/** One metadata stream header (ECMA-335 II.24.2.2). */
typedef struct asmgate_stream {
	char name[32];
	uint32_t offset;         /* from the metadata root */
	uint32_t size;
	uint64_t file_offset;
} asmgate_stream;

/** The CLI (COR20) header and the metadata root (ECMA-335 II.25.3.3,
 *  II.24.2.1). */
typedef struct asmgate_cli_info {
	uint64_t header_offset;  /* file offset of the COR20 header */
	uint32_t cb;
	uint16_t major_runtime_version;
	uint16_t minor_runtime_version;
	asmgate_dir metadata;
	uint32_t flags;
	uint32_t entry_point;
	asmgate_dir resources;
	asmgate_dir strong_name;       /* StrongNameSignature directory */
	int strong_name_mapped;        /* 1: lies inside one section's raw data */
	uint64_t strong_name_offset;   /* its file offset when mapped */
	asmgate_dir vtable_fixups;
	asmgate_dir export_address_table_jumps;
	asmgate_dir managed_native_header;
	uint64_t metadata_offset;      /* file offset of "BSJB" */
	uint16_t metadata_major;
	uint16_t metadata_minor;
	const char *runtime_version;   /* version string, e.g. "v4.0.30319" */
	uint32_t nstreams;
	const asmgate_stream *streams;
	int uncompressed_tables;       /* 1: "#-" stream, 0: "#~" */
	uint8_t heap_sizes;            /* #~ HeapSizes bits */
	uint64_t valid_tables;         /* #~ Valid mask */
	uint32_t rows[64];             /* row count per table number */
} asmgate_cli_info;

typedef struct asmgate_version {
	uint16_t major, minor, build, revision;
} asmgate_version;

/* AssemblyFlags (ECMA-335 II.23.1.2). */
#define ASMGATE_AF_PUBLICKEY 0x0001u
#define ASMGATE_AF_RETARGETABLE 0x0100u

/** The Assembly row (ECMA-335 II.22.2). Strings are NUL-terminated
 *  UTF-8 as stored (not validated); the public key is the full strong-name
 *  public key blob, or NULL/0 when there is none. */
typedef struct asmgate_assembly_info {
	const char *name;
	const char *culture;     /* "" for neutral */
	asmgate_version version;
	uint32_t flags;
	uint32_t hash_alg;       /* File-table hash algorithm, not the SN one */
	const uint8_t *public_key;
	size_t public_key_len;
	uint64_t public_key_offset; /* file offset of the blob bytes */
} asmgate_assembly_info;

/** One AssemblyRef row (ECMA-335 II.22.5). When flags has
 *  ASMGATE_AF_PUBLICKEY, public_key_or_token is a full key blob;
 *  otherwise an 8-byte token, or empty. */
typedef struct asmgate_reference {
	const char *name;
	const char *culture;
	asmgate_version version;
	uint32_t flags;
	const uint8_t *public_key_or_token;
	size_t public_key_or_token_len;
} asmgate_reference;

/** A custom attribute on the Assembly row (ECMA-335 II.22.10), with the
 *  attribute type's name resolved through MemberRef/MethodDef. */
typedef struct asmgate_attribute {
	const char *type_namespace;
	const char *type_name;
	const uint8_t *value;    /* the value blob (II.23.3) */
	size_t value_len;
	uint64_t value_offset;   /* file offset of the value bytes */
	uint32_t row;            /* CustomAttribute row, 1-based */
} asmgate_attribute;

/** Everything read from one file. Borrowed from the image. */
typedef struct asmgate_image_info {
	asmgate_pe_info pe;
	asmgate_cli_info cli;
	const char *module_name;
	uint8_t mvid[16];
	asmgate_assembly_info assembly;
	uint32_t nreferences;
	const asmgate_reference *references;
	uint32_t nattributes;
	const asmgate_attribute *attributes;
} asmgate_image_info;

/** Open and parse the file at path (mapped read-only). On failure *out is
 *  NULL and err says what is wrong and where (file offset). A PE without
 *  a CLI header fails with ASMGATE_E_NOT_DOTNET; a .NET module without an
 *  Assembly row with ASMGATE_E_NO_ASSEMBLY. Free with asmgate_image_free. */
asmgate_status asmgate_image_open(asmgate_image **out, const char *path,
    asmgate_error *err);

/** Parse len bytes at data. The bytes are borrowed: they must outlive the
 *  image. */
asmgate_status asmgate_image_from_memory(asmgate_image **out,
    const void *data, size_t len, asmgate_error *err);

void asmgate_image_free(asmgate_image *img);

/** The parsed facts; borrowed, valid until asmgate_image_free. */
const asmgate_image_info *asmgate_image_get_info(const asmgate_image *img);

/** The file bytes the image was parsed from; borrowed. */
const uint8_t *asmgate_image_data(const asmgate_image *img, size_t *len);

/** Look up the first assembly attribute whose type is ns.name; NULL if
 *  none. */
const asmgate_attribute *asmgate_image_find_attribute(
    const asmgate_image *img, const char *ns, const char *name);

/** Read an RVA range as a file offset; the range must lie inside one
 *  section's raw data (PE/COFF 3.4). Returns 1 and sets *off, or 0. */
int asmgate_image_rva_to_offset(const asmgate_image *img, uint32_t rva,
    uint32_t size, uint64_t *off);

/* ------------------------------------------------------------------ */
/* Keys: strong-name key formats, tokens, well-known keys (keys/)      */
/* ------------------------------------------------------------------ */

/** A strong-name RSA key: public, or a key pair. Opaque. */
typedef struct asmgate_key asmgate_key;

/** Formats a key can be read from or written to. */
typedef enum asmgate_key_format {
	ASMGATE_KEY_FMT_UNKNOWN = 0,
	ASMGATE_KEY_FMT_BLOB,       /* strong-name public key blob (.pub, sn -e) */
	ASMGATE_KEY_FMT_SNK,        /* CAPI PRIVATEKEYBLOB ("RSA2") */
	ASMGATE_KEY_FMT_CAPI_PUBLIC,/* bare CAPI PUBLICKEYBLOB ("RSA1") */
	ASMGATE_KEY_FMT_PEM,        /* SPKI, PKCS#1 or PKCS#8 in PEM */
	ASMGATE_KEY_FMT_DER,        /* the same in DER */
	ASMGATE_KEY_FMT_HEX,        /* hex text of a public key blob */
	ASMGATE_KEY_FMT_ECMA,       /* the 16-byte ECMA neutral key */
	ASMGATE_KEY_FMT_ASSEMBLY    /* the public key of an assembly */
} asmgate_key_format;

/* ALG_IDs (wincrypt.h) found in key blobs. */
#define ASMGATE_CALG_SHA1 0x8004u
#define ASMGATE_CALG_SHA_256 0x800Cu
#define ASMGATE_CALG_SHA_384 0x800Du
#define ASMGATE_CALG_SHA_512 0x800Eu
#define ASMGATE_CALG_RSA_SIGN 0x2400u
#define ASMGATE_CALG_RSA_KEYX 0xA400u

/** Everything one call tells about a key. Borrowed from the key. */
typedef struct asmgate_key_info {
	asmgate_key_format format;  /* what it was read from */
	int is_private;             /* holds the private half */
	int is_ecma;                /* the ECMA neutral key (no RSA inside) */
	unsigned bits;              /* modulus bits (0 for the ECMA key) */
	uint32_t exponent;          /* public exponent */
	uint32_t sig_alg;           /* blob SigAlgID */
	uint32_t hash_alg;          /* blob HashAlgID as stored (0 = SHA-1) */
	const char *hash_name;      /* "sha1", "sha256", "sha384", "sha512" */
	uint8_t token[8];           /* public key token, display order */
	uint8_t fingerprint[32];    /* SHA-256 of the public key blob */
	const uint8_t *blob;        /* the strong-name public key blob */
	size_t blob_len;
	const char *well_known;     /* e.g. "Microsoft", "ECMA", "Mono"; or NULL */
} asmgate_key_info;

/** Read a key file of any supported format, detected by content (an
 *  assembly yields its public key). Free with asmgate_key_free. */
asmgate_status asmgate_key_load_file(asmgate_key **out, const char *path,
    asmgate_error *err);

/** The same over bytes in memory (not borrowed: the key keeps a copy). */
asmgate_status asmgate_key_load_memory(asmgate_key **out, const void *data,
    size_t len, asmgate_error *err);

/** A key from a strong-name public key blob, as assemblies carry it. */
asmgate_status asmgate_key_from_blob(asmgate_key **out, const uint8_t *blob,
    size_t len, asmgate_error *err);

/** Generate an RSA key pair of bits bits whose public blob carries
 *  hash_alg (an ASMGATE_CALG_SHA* value), as sn -k does. */
asmgate_status asmgate_key_generate(asmgate_key **out, unsigned bits,
    uint32_t hash_alg, asmgate_error *err);

/** Free a key, wiping private material. NULL is accepted. */
void asmgate_key_free(asmgate_key *key);

const asmgate_key_info *asmgate_key_get_info(const asmgate_key *key);

/** Write a key in fmt (BLOB, SNK, CAPI_PUBLIC, PEM, DER, HEX). With
 *  want_private 0 a key pair is written as its public part. *out is
 *  allocated; free it with asmgate_free. */
asmgate_status asmgate_key_write(const asmgate_key *key,
    asmgate_key_format fmt, int want_private, uint8_t **out, size_t *len,
    asmgate_error *err);

/** Public key token of a strong-name public key blob: the last 8 bytes
 *  of its SHA-1, reversed (the 16-byte ECMA key included). */
asmgate_status asmgate_key_token(const uint8_t *blob, size_t len,
    uint8_t out[8], asmgate_error *err);

/** Name of a well-known public key token ("Microsoft", "ECMA", ...), or
 *  NULL. */
const char *asmgate_key_well_known_name(const uint8_t token[8]);

/** Free memory the library allocated for the caller. */
void asmgate_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* ASMGATE_H */
