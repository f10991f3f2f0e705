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
	/* ReadyToRun (and NGen) images built for another OS than Windows
	 * store Machine XOR a per-OS constant (the runtime's pedecoder.h,
	 * IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE: Apple 0x4644, FreeBSD
	 * 0xADC4, Linux 0x7B79, NetBSD 0x1993, SunOS 0x1992; 0xFD1D is AMD64
	 * on Linux). machine_os names the OS when Machine is not a known
	 * architecture but Machine XOR one of these is; machine_arch is then
	 * that architecture, else machine itself. */
	uint16_t machine_arch;
	const char *machine_os;  /* "linux", "apple", "freebsd", "netbsd",
	                            "sunos"; NULL: none */
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
	/* The constructor's signature (MethodDefSig, II.23.2.1) from its
	 * MemberRef or MethodDef row; NULL (length 0) when unreadable. */
	const uint8_t *ctor_sig;
	size_t ctor_sig_len;
} asmgate_attribute;

/** A ReadyToRun image (crossgen/crossgen2 output: IL and metadata plus
 *  precompiled native code). ECMA-335 has no word for it; the layout is
 *  the runtime's (dotnet/runtime docs/design/coreclr/botr/
 *  readytorun-format.md, src/coreclr/inc/readytorun.h): the CLI header's
 *  ManagedNativeHeader directory points to a READYTORUN_HEADER whose
 *  Signature is 0x00525452 ("RTR"). present is 0 when the directory is
 *  empty, does not lie in the file or holds another signature (an NGen
 *  image's CORCOMPILE_HEADER). */
typedef struct asmgate_r2r_info {
	int present;
	uint16_t major_version;     /* READYTORUN_HEADER MajorVersion */
	uint16_t minor_version;
	uint32_t flags;             /* READYTORUN_CORE_HEADER Flags */
	uint32_t nsections;         /* READYTORUN_CORE_HEADER NumberOfSections */
	uint64_t header_offset;     /* file offset of "RTR\0" */
} asmgate_r2r_info;

/* READYTORUN_CORE_HEADER Flags (readytorun-format.md). */
#define ASMGATE_R2R_FLAG_PLATFORM_NEUTRAL_SOURCE 0x00000001u
#define ASMGATE_R2R_FLAG_COMPOSITE 0x00000002u
#define ASMGATE_R2R_FLAG_COMPONENT 0x00000020u

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
	asmgate_r2r_info r2r;       /* ReadyToRun header, when present */
} asmgate_image_info;

/** Open and parse the file at path (read, or mapped read-only when it is
 *  large; then its metadata and signature slot are copied, so the facts
 *  and the verification keep to the bytes first read even if the file
 *  changes). On failure *out is NULL and err says what is wrong and where
 *  (file offset). A PE without a CLI header fails with
 *  ASMGATE_E_NOT_DOTNET; a .NET module without an Assembly row with
 *  ASMGATE_E_NO_ASSEMBLY. Free with asmgate_image_free. */
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

/** The kinds of a decoded attribute argument (ECMA-335 II.23.3). */
typedef enum asmgate_attr_kind {
	ASMGATE_ATTR_STRING = 0,    /* str, len: UTF-8 as stored (unchecked,
	                               not NUL-terminated; may hold NULs) */
	ASMGATE_ATTR_NULL,          /* a null string (SerString 0xFF) */
	ASMGATE_ATTR_BOOL,          /* u 0 or 1 */
	ASMGATE_ATTR_INT,           /* i: a signed integer or an enum */
	ASMGATE_ATTR_UINT           /* u: an unsigned integer or a char */
} asmgate_attr_kind;

/** One argument of a well-known attribute: a fixed one, named after
 *  the constructor's parameter, or a named one (a field or property,
 *  its name from the blob). Pointers borrow from the attribute's blob
 *  or are string literals. */
typedef struct asmgate_attr_arg {
	const char *name;           /* not NUL-terminated: use name_len */
	size_t name_len;
	int named;                  /* 1: a field or property */
	asmgate_attr_kind kind;
	const char *str;
	size_t len;
	int64_t i;
	uint64_t u;
} asmgate_attr_arg;

#define ASMGATE_ATTR_MAX_ARGS 8

/** A decoded assembly attribute value. */
typedef struct asmgate_attr_value {
	const char *shown;          /* short name, e.g. "AssemblyVersion" */
	unsigned nargs;
	asmgate_attr_arg args[ASMGATE_ATTR_MAX_ARGS];
	/* named arguments left out: more than fit, or of a type that is
	 * not decoded (floats, arrays, System.Type, boxed values, enums
	 * of unknown size) */
	unsigned named_skipped;
} asmgate_attr_value;

/** Decode the value blob of a well-known assembly attribute (ECMA-335
 *  II.23.3: prolog 0x0001, the fixed arguments by the constructor's
 *  parameter types, NumNamed and the named arguments): AssemblyVersion,
 *  AssemblyFileVersion, AssemblyInformationalVersion, AssemblyCompany,
 *  AssemblyProduct, AssemblyTitle, AssemblyDescription,
 *  AssemblyCopyright, AssemblyTrademark, AssemblyConfiguration,
 *  AssemblyCulture, AssemblySignatureKey, AssemblyKeyFile,
 *  AssemblyKeyName, AssemblyDelaySign, InternalsVisibleTo,
 *  TargetFramework, CompilationRelaxations, RuntimeCompatibility and
 *  Debuggable. ASMGATE_E_UNSUPPORTED for another type;
 *  ASMGATE_E_MALFORMED (with the file offset) when the blob does not
 *  follow a constructor of the type. */
asmgate_status asmgate_attribute_decode(const asmgate_attribute *a,
    asmgate_attr_value *out, asmgate_error *err);

/** Read an RVA range as a file offset; the range must lie inside one
 *  section's raw data (PE/COFF 3.4). Returns 1 and sets *off, or 0. */
int asmgate_image_rva_to_offset(const asmgate_image *img, uint32_t rva,
    uint32_t size, uint64_t *off);

/** Parse len bytes at data, taking ownership of them: data must come
 *  from malloc (or asmgate_image_take's caller's equivalent free()), and
 *  is freed with the image, also when parsing fails. Nobody else holds
 *  the bytes, so no snapshot copy is needed: what is parsed is what is
 *  verified. Used for container members inflated into a private buffer. */
asmgate_status asmgate_image_take(asmgate_image **out, void *data,
    size_t len, asmgate_error *err);

/* ------------------------------------------------------------------ */
/* Containers: archives that carry assemblies (ctr/)                   */
/* ------------------------------------------------------------------ */

/** Container formats, detected by content, never by name. */
typedef enum asmgate_container_format {
	ASMGATE_CONTAINER_NONE = 0,
	ASMGATE_CONTAINER_ZIP,      /* .zip, .nupkg, .vsix, .jar: "PK\3\4" or
	                               "PK\5\6" at offset 0 (APPNOTE 4.3) */
	ASMGATE_CONTAINER_CAB,      /* cabinet: "MSCF" at offset 0 (MS-CAB) */
	ASMGATE_CONTAINER_MSI       /* Windows Installer database or merge
	                               module (.msi, .msm): an OLE compound
	                               file (MS-CFB) holding MSI tables */
} asmgate_container_format;

/** The container format of the bytes at data, or ASMGATE_CONTAINER_NONE.
 *  Give at least the first 8 bytes: ZIP is told by 4, a cabinet by
 *  "MSCF" and its zero reserved field, a compound file by its 8-byte
 *  signature. */
asmgate_container_format asmgate_container_detect(const void *data,
    size_t len);

/** "zip", "cab", "msi" (or "none"). Never NULL. */
const char *asmgate_container_format_name(asmgate_container_format f);

/** One member of a container, as its directory describes it. The name is
 *  untrusted text: UTF-8 (converted from CP437 when the archive says the
 *  name is not UTF-8; invalid UTF-8 is kept as is, for the caller to
 *  escape), NUL-terminated; an embedded NUL makes the container an error. */
typedef struct asmgate_member_info {
	const char *name;
	uint64_t size;             /* uncompressed size, as declared */
	uint64_t compressed_size;
	uint32_t method;           /* format's method number (ZIP: 0, 8, ...) */
	const char *method_name;   /* "stored", "deflate", "bzip2", ... or
	                              "method N" when unknown; never NULL */
	uint32_t crc32;            /* as declared (ZIP) */
	int is_directory;          /* a directory entry (name ends with '/') */
	/* NULL when the member can be read; otherwise why not, e.g.
	 * "encrypted", "compression method 12 (bzip2)": such a member is
	 * reported as unsupported, never skipped silently. */
	const char *unsupported;
	uint64_t header_offset;    /* container offset of its (local) header */
	uint64_t data_offset;      /* container offset of its data */
	/* The format's own key for the member when its name is made from
	 * other records (MSI: the File table key), else NULL. */
	const char *key;
} asmgate_member_info;

/** An opened container. Opaque; read-only once opened, so members may be
 *  read from several threads at once. */
typedef struct asmgate_container asmgate_container;

/** Open the container in len bytes at data (borrowed: the bytes must
 *  outlive the container). The whole directory is read and checked
 *  before this returns (ZIP: end record searched only within its maximum
 *  distance from the end, ZIP64, every local header against its central
 *  entry, no member outside the archive, no overlapping members, no
 *  duplicate names, member count and name length caps). Any problem is
 *  an error with the container offset. */
asmgate_status asmgate_container_open_memory(asmgate_container **out,
    const void *data, size_t len, asmgate_error *err);

/** As asmgate_container_open_memory, for bytes read from the file at
 *  path (NULL: none): a format whose members may live in files beside it
 *  (an MSI's external cabinets and uncompressed source files) looks for
 *  them next to path, and says which are missing. */
asmgate_status asmgate_container_open_bytes(asmgate_container **out,
    const void *data, size_t len, const char *path, asmgate_error *err);

/** Open the container file at path (read into memory, or mapped when
 *  large); the container owns the bytes. */
asmgate_status asmgate_container_open(asmgate_container **out,
    const char *path, asmgate_error *err);

void asmgate_container_free(asmgate_container *c);

asmgate_container_format asmgate_container_get_format(
    const asmgate_container *c);

/** 1 when the container carries a signature of its own: an installer
 *  database's Authenticode signature (the \005DigitalSignature stream).
 *  It is noted only; it is not verified here. */
int asmgate_container_has_signature(const asmgate_container *c);

/** Members in directory order. */
size_t asmgate_container_count(const asmgate_container *c);

/** Member i (borrowed; NULL when i is out of range). */
const asmgate_member_info *asmgate_container_member(
    const asmgate_container *c, size_t i);

/** Read member i whole into a new buffer of exactly its declared size
 *  (free with asmgate_free), decompressing it and checking its CRC-32.
 *  Refused with ASMGATE_E_LIMIT when the declared size is above max or
 *  the compression ratio is above RD_MAX_COMPRESSION_RATIO; data that
 *  inflates past the declared size, ends early or fails its CRC is
 *  ASMGATE_E_MALFORMED; an unsupported member is ASMGATE_E_UNSUPPORTED.
 *  Offsets in err are container offsets. */
asmgate_status asmgate_container_read(const asmgate_container *c, size_t i,
    size_t max, uint8_t **out, size_t *len, asmgate_error *err);

/** Decompress the first n bytes (or fewer, when the member is shorter)
 *  of member i into buf, to tell its type by content without reading it
 *  all; *got is the count. No CRC check (the member is not read whole). */
asmgate_status asmgate_container_peek(const asmgate_container *c, size_t i,
    uint8_t *buf, size_t n, size_t *got, asmgate_error *err);

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

/* ------------------------------------------------------------------ */
/* Verification: strong-name signatures and signing states (verify/)   */
/* ------------------------------------------------------------------ */

/** The signing state of an assembly. Exactly one applies. */
typedef enum asmgate_sn_state {
	ASMGATE_SN_INVALID = 0,     /* "invalid": anything else (fail closed) */
	ASMGATE_SN_UNSIGNED,        /* "unsigned": no public key */
	ASMGATE_SN_DELAY_SIGNED,    /* "delay-signed": key, flag clear, zero slot */
	ASMGATE_SN_PUBLIC_SIGNED,   /* "public-signed": flag set, zero slot */
	ASMGATE_SN_TEST_SIGNED,     /* "test-signed": verifies with a test key */
	ASMGATE_SN_SIGNED           /* "signed": verifies with its own key */
} asmgate_sn_state;

/** "unsigned", "delay-signed", "public-signed", "test-signed", "signed",
 *  "invalid". */
const char *asmgate_sn_state_name(asmgate_sn_state st);

/** Parse a state name; returns 1 and sets *out, or 0. */
int asmgate_sn_state_parse(const char *name, asmgate_sn_state *out);

/** Which key the signature verified with. */
typedef enum asmgate_verified_with {
	ASMGATE_VW_NONE = 0,
	ASMGATE_VW_IDENTITY,        /* "identity": the assembly's public key */
	ASMGATE_VW_SIGNATURE_KEY,   /* "signature-key": enhanced strong naming */
	ASMGATE_VW_TEST_KEY,        /* "test-key" */
	ASMGATE_VW_KEY_MAP          /* "key-map": a --key-map substitute */
} asmgate_verified_with;

const char *asmgate_verified_with_name(asmgate_verified_with vw);

#define ASMGATE_MAX_REASONS 8
#define ASMGATE_REASON_MAX 200

/** The outcome of verifying one assembly. */
typedef struct asmgate_signature {
	asmgate_sn_state state;
	asmgate_verified_with verified_with;
	int flag_set;               /* COMIMAGE_FLAGS_STRONGNAMESIGNED */
	unsigned key_bits;          /* bits of the key the signature is for */
	uint32_t hash_alg;          /* CALG of the signature digest */
	const char *hash_name;      /* "sha1", ...; NULL if unknown */
	int has_test_key;           /* a test key verified it: */
	uint8_t test_key_fingerprint[32]; /* SHA-256 of that key's blob */
	/* The key whose check passed, set whenever the state is signed or
	 * test-signed: the identity key, the Microsoft key standing for the
	 * ECMA key, the AssemblySignatureKeyAttribute key, the --key-map
	 * substitute or the test key. Policy keys= rules match a key-mapped
	 * signature on it as well as on the identity key. */
	int has_signer;
	uint8_t signer_fingerprint[32]; /* SHA-256 of its public key blob */
	uint8_t signer_token[8];    /* its public key token, display order */
	/* The PE checksum (PE/COFF 3.4.2 CheckSum; strongname.md 9),
	 * computed over the bytes verified. The strong-name hash excludes
	 * CheckSum, so a wrong one never changes the state; a signed or
	 * test-signed file with a wrong one gets a reason, and a policy rule
	 * with checksum="required" needs checksum_ok. */
	int checksum_ok;            /* stored CheckSum == computed */
	uint32_t checksum_stored;
	uint32_t checksum_computed;
	unsigned nreasons;
	char reasons[ASMGATE_MAX_REASONS][ASMGATE_REASON_MAX];
} asmgate_signature;

/** A --key-map entry: assemblies whose identity token is token are
 *  verified with key (as Mono's machine.config pubTokenMapping does). */
typedef struct asmgate_key_mapping {
	uint8_t token[8];
	const asmgate_key *key;
} asmgate_key_mapping;

/** Mono's token remapping, read from a machine.config (Mono's is
 *  /etc/mono/4.5/machine.config): every <map Token="t" PublicKey="hex"/>
 *  of configuration/strongNames/pubTokenMapping (at most 256), through
 *  the policy's hardened XML reader. A malformed entry fails the load
 *  with its line; a file without entries loads with none.
 *  <verificationSkipping> is not honoured. Free with
 *  asmgate_key_map_free, which frees the keys. */
typedef struct asmgate_key_map asmgate_key_map;
asmgate_status asmgate_key_map_load(asmgate_key_map **out, const char *path,
    asmgate_error *err);
size_t asmgate_key_map_count(const asmgate_key_map *m);
/** Entry i (the key is borrowed from m), and its line (line may be
 *  NULL); NULL past the end. */
const asmgate_key_mapping *asmgate_key_map_get(const asmgate_key_map *m,
    size_t i, unsigned long *line);
void asmgate_key_map_free(asmgate_key_map *m);

/** Options of asmgate_verify_image. Versioned, as libgit2's options
 *  are: start from ASMGATE_VERIFY_OPTIONS_INIT (or
 *  asmgate_verify_options_init), so a caller built against this header
 *  keeps working when later versions add members at the end. */
/* Version 2 added trust, at, has_at and authenticode; a version 1
 * struct (without them) is still accepted: it verifies no Authenticode
 * signature. */
typedef struct asmgate_trust asmgate_trust;
#define ASMGATE_VERIFY_OPTIONS_VERSION 2
typedef struct asmgate_verify_options {
	unsigned version;                     /* ASMGATE_VERIFY_OPTIONS_VERSION */
	const asmgate_key *const *test_keys;  /* borrowed */
	size_t ntest_keys;
	const asmgate_key_mapping *key_map;   /* borrowed */
	size_t nkey_map;
	/* Version 2. Trust anchors and CRLs for Authenticode chains
	 * (asmgate_trust_new; borrowed, shared read-only by threads);
	 * NULL: Authenticode signatures are checked but no chain reaches
	 * an anchor (state at best untrusted). */
	const asmgate_trust *trust;
	int has_at;                           /* 1: at is the time */
	int64_t at;                           /* verification time (Unix
	                                         seconds) when no valid
	                                         timestamp; else now */
	int authenticode;                     /* 1: verify Authenticode
	                                         (asmgate_verify_full) */
} asmgate_verify_options;
#define ASMGATE_VERIFY_OPTIONS_INIT { ASMGATE_VERIFY_OPTIONS_VERSION, NULL, 0, \
	NULL, 0, NULL, 0, 0, 0 }

/** Zero o and set its version; ASMGATE_E_USAGE for an unknown version. */
asmgate_status asmgate_verify_options_init(asmgate_verify_options *o,
    unsigned version);

/** Verify the strong-name signature of img and classify its state.
 *  Returns ASMGATE_OK whenever a state could be decided (invalid
 *  included: out->reasons say why); an error status only when the crypto
 *  library failed or memory ran out, in which case out->state is
 *  ASMGATE_SN_INVALID. opts may be NULL; options of an unknown version
 *  are ASMGATE_E_USAGE (state invalid). */
asmgate_status asmgate_verify_image(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_signature *out,
    asmgate_error *err);

/* ------------------------------------------------------------------ */
/* Authenticode: signatures on PE files (verify/)                      */
/* ------------------------------------------------------------------ */

/** The Authenticode state of a PE file (assembly or native). Exactly one
 *  applies; the combination rule over several signatures is in
 *  asmgate_authenticode. */
typedef enum asmgate_ac_state {
	ASMGATE_AC_INVALID = 0,  /* "invalid": digest mismatch, bad signature,
	                            malformed table or PKCS#7, padding */
	ASMGATE_AC_UNSIGNED,     /* "unsigned": no certificate table */
	ASMGATE_AC_VALID,        /* "valid" */
	ASMGATE_AC_UNTRUSTED,    /* "untrusted": signature and digest right,
	                            chain does not reach an anchor or the
	                            leaf lacks codeSigning/digitalSignature */
	ASMGATE_AC_EXPIRED,      /* "expired": leaf not valid at the time
	                            used and no valid timestamp */
	ASMGATE_AC_REVOKED       /* "revoked": a given CRL revokes a chain
	                            certificate */
} asmgate_ac_state;
#define ASMGATE_AC_STATE_COUNT 6

/** "invalid", "unsigned", "valid", "untrusted", "expired", "revoked". */
const char *asmgate_ac_state_name(asmgate_ac_state st);

/** Parse a state name; returns 1 and sets *out, or 0. */
int asmgate_ac_state_parse(const char *name, asmgate_ac_state *out);

/** How the signing time was established. */
typedef enum asmgate_ac_ts_kind {
	ASMGATE_AC_TS_NONE = 0,  /* no valid timestamp (JSON null) */
	ASMGATE_AC_TS_RFC3161,   /* "rfc3161": 1.3.6.1.4.1.311.3.3.1 token */
	ASMGATE_AC_TS_PKCS9      /* "pkcs9": 1.2.840.113549.1.9.6
	                            counterSignature */
} asmgate_ac_ts_kind;

/** "rfc3161", "pkcs9"; NULL for ASMGATE_AC_TS_NONE. */
const char *asmgate_ac_ts_kind_name(asmgate_ac_ts_kind k);

/* Caps of the fixed-size fields below. A name longer than its buffer
 * is cut (text) and has canon_len 0 (never matches). */
#define ASMGATE_AC_NAME_MAX 512      /* RFC 4514 UTF-8 text, NUL included */
#define ASMGATE_AC_CANON_MAX 512     /* canonical name bytes */
#define ASMGATE_AC_SERIAL_MAX 100    /* hex digits, NUL included */
#define ASMGATE_AC_MAX_CHAIN 8       /* certificates per chain */
#define ASMGATE_AC_MAX_SIGNATURES 8  /* entries + nested, all counted */

/** A distinguished name: display text and a canonical form to compare.
 *  canon is the DER of the name with every attribute value converted
 *  to UTF-8, leading and trailing white space removed, inner runs of
 *  white space made one space and ASCII letters lowered (as OpenSSL's
 *  X509_NAME_cmp canonical encoding), each value a UTF8String: two names
 *  are equal when their canon bytes are. asmgate_dn_canonical makes the
 *  same form from text. */
typedef struct asmgate_ac_name {
	char text[ASMGATE_AC_NAME_MAX];     /* "CN=Contoso Ltd,O=...,C=US" */
	uint8_t canon[ASMGATE_AC_CANON_MAX];
	size_t canon_len;                   /* 0: not available */
} asmgate_ac_name;

/** One certificate. */
typedef struct asmgate_ac_cert {
	asmgate_ac_name subject;
	asmgate_ac_name issuer;
	char serial[ASMGATE_AC_SERIAL_MAX]; /* hex, upper case */
	uint8_t sha1[20];                   /* of the DER certificate */
	uint8_t sha256[32];
	int64_t not_before;                 /* Unix seconds */
	int64_t not_after;
} asmgate_ac_cert;

/** One signature: a WIN_CERTIFICATE entry's SignedData or a nested one
 *  (1.3.6.1.4.1.311.2.4.1). Fields not established are empty (has_signer
 *  0, nchain 0). */
typedef struct asmgate_ac_signature {
	asmgate_ac_state state;
	unsigned entry;            /* WIN_CERTIFICATE index, from 0 */
	unsigned nested;           /* 0: the entry's own; k: k-th nested */
	const char *digest_algorithm; /* "sha1", "sha256", "sha384",
	                                 "sha512", "md5"; NULL: unknown */
	int digest_ok;             /* stored digest == computed image hash */
	int has_signer;
	asmgate_ac_cert signer;
	size_t nchain;             /* the chain as built, leaf first (just
	                              the leaf when none was built) */
	asmgate_ac_cert chain[ASMGATE_AC_MAX_CHAIN];
	asmgate_ac_ts_kind ts_kind;
	int64_t ts_time;           /* Unix seconds, when ts_kind */
	asmgate_ac_name ts_signer; /* the TSA's subject, when ts_kind */
	unsigned nreasons;
	char reasons[ASMGATE_MAX_REASONS][ASMGATE_REASON_MAX];
} asmgate_ac_signature;

/** The Authenticode outcome of one PE file. The file's state is that
 *  of its primary signature (entry 0, not nested), except that any
 *  invalid signature (or table entry) makes the file invalid (fail
 *  closed); with no certificate table it is unsigned. reasons explain
 *  the file's state. */
typedef struct asmgate_authenticode {
	asmgate_ac_state state;
	unsigned nreasons;
	char reasons[ASMGATE_MAX_REASONS][ASMGATE_REASON_MAX];
	size_t nsignatures;        /* primary first */
	asmgate_ac_signature *signatures;
	uint64_t table_offset;     /* the certificate table, when signed */
	uint32_t table_size;
} asmgate_authenticode;

void asmgate_authenticode_free(asmgate_authenticode *ac);

/** Trust anchors and revocation lists for Authenticode chains, loaded
 *  once and shared read-only (also by several threads). ca_files: PEM
 *  bundles; ca_paths: OpenSSL hashed directories; with neither, the
 *  system bundle (OpenSSL's default file and directory). crl_files:
 *  PEM CRLs; with any, the leaf is checked for revocation
 *  (X509_V_FLAG_CRL_CHECK). Nothing is ever fetched from the network.
 *  A file that cannot be read or holds no certificate (CRL) fails with
 *  ASMGATE_E_IO or ASMGATE_E_MALFORMED naming it. */
asmgate_status asmgate_trust_new(asmgate_trust **out,
    const char *const *ca_files, size_t nca_files,
    const char *const *ca_paths, size_t nca_paths,
    const char *const *crl_files, size_t ncrl_files, asmgate_error *err);

void asmgate_trust_free(asmgate_trust *t);

/** Verify the Authenticode signatures of img: the certificate table,
 *  each PKCS#7 SignedData, the image hash, chains to opts->trust and
 *  timestamps. *out is allocated whatever the state; an error status
 *  only when memory ran out or the crypto library failed. opts may be
 *  NULL (no anchors, the current time). */
asmgate_status asmgate_authenticode_verify(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_authenticode **out,
    asmgate_error *err);

/** asmgate_verify_image and asmgate_authenticode_verify in one: the
 *  file's bytes are read once for the strong-name digest, every
 *  Authenticode digest and the checksum. ac may be NULL (no
 *  Authenticode). */
asmgate_status asmgate_verify_full(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_signature *sig,
    asmgate_authenticode **ac, asmgate_error *err);

/** The canonical form (asmgate_ac_name.canon) of a distinguished name
 *  in RFC 4514 text, most specific RDN first as certificates are shown
 *  ("CN=Contoso Ltd, O=Contoso Ltd, C=US"; '+' joins the attributes of
 *  a multi-valued RDN; '\\' escapes; attribute types by short name, long
 *  name or dotted OID). ASMGATE_E_MALFORMED for text that is not a
 *  name, ASMGATE_E_LIMIT when the form is above cap bytes. */
asmgate_status asmgate_dn_canonical(const char *dn, uint8_t *out,
    size_t cap, size_t *len, asmgate_error *err);

/* Version 2 added strip_authenticode and no_replace; a version 1 struct
 * (without them) is still accepted by asmgate_sign_file. */
#define ASMGATE_SIGN_OPTIONS_VERSION 2
typedef struct asmgate_sign_options {
	unsigned version;  /* ASMGATE_SIGN_OPTIONS_VERSION */
	int test_sign;   /* sign with a test key, skip the key-match check and
	                    leave the StrongNameSigned flag clear (sn -TS) */
	/* Told the path of a named temporary file as soon as one may exist
	 * and NULL once it is gone, so a program that a signal ends can
	 * remove it (its handler may unlink a copy of the path). Where the
	 * filesystem supports O_TMPFILE the file has no name until it is
	 * complete, and one only for the instant before the rename. NULL:
	 * nobody is told. */
	void (*temp_hook)(void *arg, const char *path);
	void *temp_hook_arg;
	/* Version 2. A file with an Authenticode signature (a certificate
	 * table) is refused (ASMGATE_E_USAGE: re-signing the strong name
	 * would break it) unless this is set: then the table is removed,
	 * its directory entry zeroed and the checksum recomputed. */
	int strip_authenticode;
	/* 1: never replace a file at out_path, not even one that appears
	 * while signing: the kernel checks at the final rename
	 * (renameat2 RENAME_NOREPLACE, else link(2)) and the call fails
	 * with ASMGATE_E_IO, the file left as it was. For a separate
	 * output (sign -o without --force); re-signing in place cannot
	 * use it. */
	int no_replace;
} asmgate_sign_options;
#define ASMGATE_SIGN_OPTIONS_INIT { ASMGATE_SIGN_OPTIONS_VERSION, 0, NULL, \
	NULL, 0, 0 }

/** Zero o and set its version; ASMGATE_E_USAGE for an unknown version. */
asmgate_status asmgate_sign_options_init(asmgate_sign_options *o,
    unsigned version);

/** Strong-name sign the assembly at in_path with key (a key pair) and
 *  write the result to out_path (which may be in_path): sets the
 *  StrongNameSigned flag, computes and writes the signature, recomputes
 *  the PE checksum. Works on delay-signed, public-signed and signed
 *  assemblies. A key that does not match the assembly's public key (or
 *  its AssemblySignatureKeyAttribute key) is refused with
 *  ASMGATE_E_KEY_MISMATCH unless opts->test_sign; with opts->test_sign,
 *  the assembly's own key is refused with ASMGATE_E_USAGE (the result
 *  would be signed, not test-signed). The output is streamed to a
 *  temporary file in the same directory (memory does not grow with the
 *  file) and renamed: on any error out_path is left as it was and the
 *  temporary removed. A file rewritten while it is signed is refused
 *  (ASMGATE_E_IO). opts may be NULL. */
asmgate_status asmgate_sign_file(const char *in_path, const char *out_path,
    const asmgate_key *key, const asmgate_sign_options *opts,
    asmgate_error *err);

/* ------------------------------------------------------------------ */
/* Policy: per-host vendor-key and signing-state allowlists (policy/)  */
/* ------------------------------------------------------------------ */

typedef struct asmgate_policy asmgate_policy;

/** Load and validate a policy file (schema and semantics). Errors carry
 *  the line number. Key files named in the policy resolve against the
 *  policy file's directory. Free with asmgate_policy_free. */
asmgate_status asmgate_policy_load(asmgate_policy **out, const char *path,
    asmgate_error *err);

void asmgate_policy_free(asmgate_policy *pol);

/** Hosts in document order. */
size_t asmgate_policy_host_count(const asmgate_policy *pol);
const char *asmgate_policy_host_name(const asmgate_policy *pol, size_t i);
/** 1 if host i is in audit mode (its own mode, else the policy's). */
int asmgate_policy_host_audit(const asmgate_policy *pol, size_t i);
/** Index of the named host, or -1. */
long asmgate_policy_find_host(const asmgate_policy *pol, const char *name);

/** Keys the policy names as test keys (testKeys attributes); pass them
 *  to asmgate_verify_image so test-signed assemblies are recognised. */
size_t asmgate_policy_test_key_count(const asmgate_policy *pol);
const asmgate_key *asmgate_policy_test_key(const asmgate_policy *pol,
    size_t i);

typedef struct asmgate_decision {
	int allowed;                /* 0 denied, 1 allowed */
	int audit;                  /* the host is in audit mode */
	const char *rule;           /* id of the deciding rule; NULL: default */
	int rule_is_deny;
	unsigned nreasons;
	char reasons[ASMGATE_MAX_REASONS][ASMGATE_REASON_MAX];
} asmgate_decision;

/** Decide img (with its verification outcome sig) for host i. */
asmgate_status asmgate_policy_decide(const asmgate_policy *pol, size_t host,
    const asmgate_image *img, const asmgate_signature *sig,
    asmgate_decision *out, asmgate_error *err);

/** asmgate_policy_decide with the file's Authenticode outcome ac (NULL:
 *  not verified; then rules with publishers or authenticode do not
 *  match). An allow rule never matches an Authenticode state invalid or
 *  revoked; a decision by a rule with publishers names the publisher
 *  that matched in its reasons (docs/POLICY.md, "Publishers"). */
asmgate_status asmgate_policy_decide_ac(const asmgate_policy *pol,
    size_t host, const asmgate_image *img, const asmgate_signature *sig,
    const asmgate_authenticode *ac, asmgate_decision *out,
    asmgate_error *err);

/** The same as asmgate_policy_load over len bytes in memory (the bytes
 *  are not kept). Key files the policy names resolve against base_dir
 *  (NULL: the current directory). */
asmgate_status asmgate_policy_load_memory(asmgate_policy **out,
    const void *data, size_t len, const char *base_dir, asmgate_error *err);

/** The verdict of a decision in AppLocker's words: "allowed", "denied"
 *  (by a deny rule) or "denied-by-default". Never NULL. */
const char *asmgate_decision_verdict(const asmgate_decision *d);

/** One lint finding on a valid policy (asmgate policy lint). code is a
 *  stable short name: "token-only-key", "short-key", "unused-key",
 *  "private-key-file", "duplicate-key", "allow-any-key", "weak-state",
 *  "never-matches", "no-effect", "no-allow-rule", "no-hosts",
 *  "audit-mode", "non-ascii-name", "shared-account",
 *  "publisher-subject-only", "unused-publisher",
 *  "authenticode-untrusted", "lint-allow-unused". */
typedef struct asmgate_policy_warning {
	unsigned long line;         /* 1-based line in the policy */
	const char *code;
	char msg[ASMGATE_ERRMSG_MAX];
	/* Accepted in the policy itself: the element the warning is about
	 * names code in its lintAllow attribute (docs/POLICY.md). Also
	 * "lint-allow-unused": a lintAllow code no warning needed. */
	int suppressed;
} asmgate_policy_warning;

/** Lint warnings found when the policy was loaded, in line order. */
size_t asmgate_policy_warning_count(const asmgate_policy *pol);
const asmgate_policy_warning *asmgate_policy_get_warning(
    const asmgate_policy *pol, size_t i);

/** Output formats of reports; the order matches the --format values
 *  text, json, junit, sarif. */
typedef enum asmgate_report_format {
	ASMGATE_REPORT_TEXT = 0,
	ASMGATE_REPORT_JSON,
	ASMGATE_REPORT_JUNIT,
	ASMGATE_REPORT_SARIF
} asmgate_report_format;

/** The resolved policy for a reviewer (asmgate policy show): keys with
 *  token, bits and fingerprint, hosts with their mode and rules, lint
 *  warnings. fmt is ASMGATE_REPORT_TEXT or ASMGATE_REPORT_JSON. *out is
 *  allocated and NUL-terminated (the NUL not counted in *len); free it
 *  with asmgate_free. */
asmgate_status asmgate_policy_show(const asmgate_policy *pol,
    asmgate_report_format fmt, uint8_t **out, size_t *len,
    asmgate_error *err);

/** A CI report (JUnit XML or SARIF 2.1.0) built one result at a time:
 *  asmgate_report_new, asmgate_report_stream (optional: write as it
 *  goes), asmgate_report_add per file and host and
 *  asmgate_report_add_skipped per file not checked,
 *  asmgate_report_finish, asmgate_report_free. */
typedef struct asmgate_report asmgate_report;

/** How a run turns states and decisions into pass or fail: the one rule
 *  behind the exit status, the summaries and every report. */
typedef struct asmgate_verdict_rules {
	/* Without a policy, test-signed passes (the run was given test
	 * keys, so test builds are what it gates); with a policy, its
	 * rules decide. */
	int accept_test_signed;
	/* Bit (1u << state): an assembly in that state fails the run
	 * whatever a policy decides, also in audit hosts
	 * (`--fail-on invalid`). */
	uint32_t fail_on;
} asmgate_verdict_rules;

/* Bits of asmgate_verdict_rules.fail_on for Authenticode states:
 * ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED) is --require-authenticode. */
#define ASMGATE_FAIL_ON_AC_SHIFT 16u
#define ASMGATE_FAIL_ON_AC(st) ((uint32_t)1 << (ASMGATE_FAIL_ON_AC_SHIFT + \
	(unsigned)(st)))
/* Bit of asmgate_verdict_rules.fail_on: a path that was not checked (a
 * special file or a link to a directory in a walk; not a native PE file
 * or a non-assembly) fails the run (`--fail-on not-checked`); reports
 * make it a failure (JUnit) or an error (SARIF). */
#define ASMGATE_FAIL_ON_NOT_CHECKED ((uint32_t)1 << 31)

/** asmgate_verdict_fails with the file's Authenticode outcome ac (may
 *  be NULL: not verified): it fails the run when its state's
 *  ASMGATE_FAIL_ON_AC bit is in rules->fail_on, or, without a decision
 *  (no policy), when a signature is present and not valid. sig NULL
 *  with ac given (a native PE file) is judged on ac alone. */
int asmgate_verdict_fails_ac(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_authenticode *ac,
    const asmgate_decision *d);

/** 1 when this outcome fails the run: its state is in rules->fail_on;
 *  or, with a decision d, d denies outside audit mode; or, without one
 *  (d NULL: no policy), the state is not signed (nor test-signed with
 *  accept_test_signed). sig NULL fails (nothing was verified). rules
 *  may be NULL (all zero). */
int asmgate_verdict_fails(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_decision *d);

/** fmt is ASMGATE_REPORT_JUNIT or ASMGATE_REPORT_SARIF. pol (borrowed,
 *  may be NULL) names the SARIF rules; it must outlive the report. */
asmgate_status asmgate_report_new(asmgate_report **out,
    asmgate_report_format fmt, const asmgate_policy *pol,
    asmgate_error *err);

/** Add the outcome for one file (and one host when there is a policy).
 *  All arguments but r and path may be NULL:
 *   - file_err non-NULL: the file could not be read (JUnit <error>, SARIF
 *     "asmgate/unreadable", level error);
 *   - host and d NULL (no policy): the testcase fails unless sig->state is
 *     signed (SARIF ruleId "strong-name/STATE");
 *   - d given: a denial is a JUnit <failure> and a SARIF result with the
 *     deciding rule ("policy/HOST/RULE" or "policy/default-deny"), level
 *     error; in audit mode the testcase passes with an "AUDIT: denied"
 *     note in <system-out> and the SARIF level is warning.
 *  Strings from the file are escaped; invalid UTF-8 becomes U+FFFD. A
 *  failure (memory, size cap) is also kept and returned by finish.
 *  A decision reason "placed: WHY" (asmgate verify --bindings: why the
 *  host decides) also ends the one-line message and is the SARIF
 *  property "asmgate/placement". */
asmgate_status asmgate_report_add(asmgate_report *r, const char *path,
    const asmgate_image *img, const asmgate_error *file_err,
    const asmgate_signature *sig, const char *host,
    const asmgate_decision *d, asmgate_error *err);

/** Where a subject came from: the file on disk and the chain of member
 *  names inside containers, outermost first (nmembers 0 for a plain
 *  file). keys[k] is the format's own key for members[k] when its name
 *  is made from other data (an installer database's File key), else
 *  NULL. Member names and keys are untrusted text. Bit k of
 *  signed_levels is set when the container at level k of the chain (0:
 *  the file, k: members[k - 1]) carries a signature of its own (see
 *  asmgate_container_has_signature), which is noted, not verified. */
typedef struct asmgate_origin {
	const char *file;
	size_t nmembers;
	const char *const *members;
	const char *const *keys;
	uint32_t signed_levels;
} asmgate_origin;

/** asmgate_report_add for a subject inside containers: path is its
 *  display name ("outer.zip!pkgs/a.nupkg!lib/a.dll"); origin (may be
 *  NULL) names the file on disk and the member chain: SARIF then uses
 *  the outer file as the artifact and names the chain in the message and
 *  in the result's property bag ("asmgate/members"). */
asmgate_status asmgate_report_add_origin(asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const char *host, const asmgate_decision *d, asmgate_error *err);

/** asmgate_report_add_origin with the file's Authenticode outcome ac
 *  (NULL: not verified). Authenticode failures have rule ids of their
 *  own, "authenticode/STATE" (SARIF ruleId, JUnit failure type): without
 *  a policy a signature that is present and not valid; a state in
 *  rules->fail_on (ASMGATE_FAIL_ON_AC); with a policy, a default denial
 *  of a file whose Authenticode no allow rule accepts (invalid,
 *  revoked). sig NULL with ac (a native PE file) reports ac alone. */
asmgate_status asmgate_report_add_ac(asmgate_report *r, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *file_err, const asmgate_signature *sig,
    const asmgate_authenticode *ac, const char *host,
    const asmgate_decision *d, asmgate_error *err);

/** A subject that was not checked, with why->msg as the reason: JUnit
 *  a testcase with <skipped>; SARIF a result "asmgate/not-checked"
 *  (level warning) unless why->code is ASMGATE_E_NOT_DOTNET or
 *  ASMGATE_E_NO_ASSEMBLY (out of scope: counted in the summary only).
 *  With ASMGATE_FAIL_ON_NOT_CHECKED in the report's rules, a path not
 *  checked is a JUnit <failure> and a SARIF error instead. */
asmgate_status asmgate_report_add_skipped(asmgate_report *r,
    const char *path, const asmgate_origin *origin,
    const asmgate_error *why, asmgate_error *err);

/** Writes n bytes of the document; returns 1, or 0 on failure. */
typedef int (*asmgate_report_write_fn)(void *ctx, const uint8_t *p,
    size_t n);

/** The rules a report's pass and fail follow (default: all zero);
 *  give it the ones the run's exit status follows. */
void asmgate_report_set_rules(asmgate_report *r,
    const asmgate_verdict_rules *rules);

/** Stream the report (call before the first add): the document's head,
 *  each file's results as they are added (JUnit: a file's suite when
 *  the next file starts) and the end, at finish, go to write at once and
 *  are not kept, so memory does not grow with the run and there is no
 *  size cap; finish then returns an empty document. A write failure
 *  fails the report (ASMGATE_E_IO). */
asmgate_status asmgate_report_stream(asmgate_report *r,
    asmgate_report_write_fn write, void *ctx, asmgate_error *err);

/** The finished document (its end, when streamed); *out is allocated and
 *  NUL-terminated (the NUL not counted in *len); free it with
 *  asmgate_free. JUnit: one <testsuite> per file (consecutive adds with
 *  one path), then a suite "asmgate: summary" without testcases whose
 *  properties hold the totals (tests, failures, errors, skipped,
 *  notChecked) and each host's mode ("mode:HOST"); SARIF: the totals in
 *  runs[0].properties.summary. */
asmgate_status asmgate_report_finish(asmgate_report *r, uint8_t **out,
    size_t *len, asmgate_error *err);

void asmgate_report_free(asmgate_report *r);

/* ------------------------------------------------------------------ */
/* Bindings: which BizTalk host runs which assembly (bind/)            */
/* ------------------------------------------------------------------ */

/* A BizTalk binding file (BindingInfo.xml) names assemblies (ModuleRef,
 * pipelines, maps, schemas) and the hosts that run them: an
 * orchestration its Service/Host, a send port's pipelines and maps its
 * SendHandler host (primary and secondary transport), a receive
 * location's its ReceiveHandler host. */
typedef struct asmgate_bindings asmgate_bindings;

/** Load a binding file: UTF-8, or UTF-16 (LE or BE) with a byte order
 *  mark; no DTD, no entities, at most RD_MAX_BINDING_BYTES. Errors carry
 *  the line (ASMGATE_E_MALFORMED for an invalid file). */
asmgate_status asmgate_bindings_load(asmgate_bindings **out,
    const char *path, asmgate_error *err);
/** The same over bytes in memory; name is used in messages and as the
 *  binding's FILE (may be NULL: "bindings"). */
asmgate_status asmgate_bindings_load_memory(asmgate_bindings **out,
    const void *data, size_t len, const char *name, asmgate_error *err);
void asmgate_bindings_free(asmgate_bindings *b);

/** Why a host decides an assembly: the element that placed it. OPTION:
 *  no bindings (the --host hosts, or every host); MODULE: a ModuleRef
 *  that places nothing by itself (bound identities only). */
typedef enum asmgate_role {
	ASMGATE_ROLE_OPTION = 0,
	ASMGATE_ROLE_ORCHESTRATION,
	ASMGATE_ROLE_SEND_PIPELINE,
	ASMGATE_ROLE_RECEIVE_PIPELINE,
	ASMGATE_ROLE_MAP,
	ASMGATE_ROLE_SCHEMA,
	ASMGATE_ROLE_DEPENDENCY,
	ASMGATE_ROLE_UNBOUND,
	ASMGATE_ROLE_MODULE
} asmgate_role;

/** "option", "orchestration", "send-pipeline", "receive-pipeline",
 *  "map", "schema", "dependency", "unbound", "module". Never NULL. */
const char *asmgate_role_name(asmgate_role r);

/** One assembly a binding file names, with the host it places it in. */
typedef struct asmgate_bound {
	const char *name;          /* simple name */
	int has_version;
	asmgate_version version;
	const char *culture;       /* "" neutral; NULL: not given */
	int has_token;             /* 1: PublicKeyToken given */
	int token_null;            /* PublicKeyToken=null */
	uint8_t token[8];
	const char *display;       /* "Name, Version=..., Culture=...,
	                              PublicKeyToken=..." */
	const char *host;          /* NULL: placed nowhere */
	asmgate_role role;
	const char *element;       /* what placed it: "orchestration S",
	                              "send port P (primary transport)" */
	const char *file;          /* the binding file */
	unsigned long line;        /* of the naming element */
} asmgate_bound;

size_t asmgate_bindings_count(const asmgate_bindings *b);
const asmgate_bound *asmgate_bindings_get(const asmgate_bindings *b,
    size_t i);

/** ASMGATE_OK when every host the bindings name is a host of pol; else
 *  ASMGATE_E_POLICY with the first such host and its binding line in
 *  err (line) and msg. */
asmgate_status asmgate_bindings_check_hosts(const asmgate_bindings *b,
    const asmgate_policy *pol, asmgate_error *err);

/** A host-layout finding (asmgate bindings lint). code is stable:
 *  "orchestration-and-receive", "host-not-in-policy",
 *  "isolated-host-orchestration", "inconsistent-trust",
 *  "shared-account", "tracking-host-not-dedicated". */
typedef struct asmgate_bindings_finding {
	const char *code;
	const char *file;
	unsigned long line;
	char msg[ASMGATE_ERRMSG_MAX];
} asmgate_bindings_finding;

/** Findings over the hosts of nb binding files together, with pol (may
 *  be NULL) for the host-not-in-policy, shared-account and
 *  tracking-host-not-dedicated findings; *out allocated (free with
 *  asmgate_free), in file and line order. */
asmgate_status asmgate_bindings_lint(const asmgate_bindings *const *b,
    size_t nb, const asmgate_policy *pol, asmgate_bindings_finding **out,
    size_t *n, asmgate_error *err);

/** Per host, its roles and the assemblies placed in it, each with the
 *  element that placed it; then what is placed nowhere. fmt TEXT or
 *  JSON; *out as asmgate_policy_show. */
asmgate_status asmgate_bindings_show(const asmgate_bindings *const *b,
    size_t nb, asmgate_report_format fmt, uint8_t **out, size_t *len,
    asmgate_error *err);

/** A host's optional attributes (policy 1.x): account="DOMAIN\\name",
 *  or NULL; tracking="true" gives 1. */
const char *asmgate_policy_host_account(const asmgate_policy *pol,
    size_t i);
int asmgate_policy_host_tracking(const asmgate_policy *pol, size_t i);
/* ------------------------------------------------------------------ */
/* Waivers: reviewed exceptions to a failing verdict (policy/waiver.c)  */
/* ------------------------------------------------------------------ */

/** One waiver of a waiver file (docs/asmgate.1, WAIVERS): a line
 *  "PATTERN REASON... [expires=YYYY-MM-DD]". Strings are owned by the
 *  set; reason and pattern are text from the file (escape them for a
 *  terminal). */
typedef struct asmgate_waiver {
	const char *pattern;        /* as written, quotes removed */
	const char *reason;
	const char *expires;        /* "YYYY-MM-DD" or NULL: no expiry */
	const char *file;           /* the waiver file's path */
	unsigned long line;         /* 1-based */
	int expired;                /* expires < the load's date: ignored */
} asmgate_waiver;

typedef struct asmgate_waivers asmgate_waivers;

/** Read a waiver file (at most 1 MiB, 4096 waivers, 4096 bytes a
 *  line). today is "YYYY-MM-DD", the date expiries are
 *  compared with (a waiver holds through its expiry day), or NULL for
 *  the current UTC date. A malformed line fails the load with its line
 *  number (ASMGATE_E_MALFORMED). */
asmgate_status asmgate_waivers_load(asmgate_waivers **out, const char *path,
    const char *today, asmgate_error *err);
size_t asmgate_waivers_count(const asmgate_waivers *w);
const asmgate_waiver *asmgate_waivers_get(const asmgate_waivers *w,
    size_t i);
/** The index of the first waiver, not expired, that matches a subject
 *  named name (its display name, CONTAINER!MEMBER inside containers)
 *  whose image is img (may be NULL: path patterns only), or -1. */
long asmgate_waivers_match(const asmgate_waivers *w, const char *name,
    const asmgate_image *img);
void asmgate_waivers_free(asmgate_waivers *w);

/** Pass, fail, or a failure a waiver lets pass. */
typedef enum asmgate_verdict {
	ASMGATE_VERDICT_PASS = 0,
	ASMGATE_VERDICT_FAIL,
	ASMGATE_VERDICT_WAIVED
} asmgate_verdict;

/** asmgate_verdict_fails_ac with a waiver (NULL: none): a failure is
 *  WAIVED when w is given and not expired; nothing verified (sig and ac
 *  NULL: an unreadable file) is never waived: fail closed. ac may be
 *  NULL (Authenticode not verified); sig NULL with ac given is a native
 *  PE file, judged on ac alone. */
asmgate_verdict asmgate_verdict_of(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_authenticode *ac,
    const asmgate_decision *d, const asmgate_waiver *w);

/** The waiver that applies to the outcomes added next (NULL: none),
 *  borrowed until the next call: a failure it waives passes, marked
 *  waived with its reason (JUnit <skipped>, SARIF a result with an
 *  external suppression) and counted as "waived" in the summary. */
void asmgate_report_set_waiver(asmgate_report *r, const asmgate_waiver *w);

/* ------------------------------------------------------------------ */
/* Scanning: one pipeline of subjects (scan/)                          */
/* ------------------------------------------------------------------ */

/* A scan turns paths into subjects, one thing to decide each: files and
 * directories are expanded (directories walked, containers opened and
 * their members, nested ones too, read in memory: nothing is extracted
 * to disk), every assembly is parsed, verified and decided for the
 * policy's hosts, on worker threads, and handed back in a fixed order
 * (arguments in order, directory entries and members in their order,
 * depth first) whatever the number of jobs. */

/** What a subject is. */
typedef enum asmgate_subject_kind {
	ASMGATE_SUBJECT_ASSEMBLY = 0, /* parsed (and verified, decided) */
	ASMGATE_SUBJECT_SKIPPED,      /* not checked, with the reason: a PE
	                                 file that is not an assembly, a
	                                 symbolic link to a directory or a
	                                 special file met in a walk */
	ASMGATE_SUBJECT_ERROR         /* could not be read or decided: a
	                                 file, a member or a whole container */
} asmgate_subject_kind;

typedef struct asmgate_subject asmgate_subject;

/** Counters of a scan (asmgate_scan_stats), final once asmgate_scan_next
 *  has returned the end. */
typedef struct asmgate_scan_stats {
	uint64_t files;            /* files on disk opened */
	uint64_t files_ignored;    /* files in walked directories that are
	                              neither PE files nor containers */
	uint64_t containers;       /* containers opened (nested included) */
	uint64_t members;          /* members examined (not directories) */
	uint64_t members_ignored;  /* members neither PE nor containers */
	uint64_t inflated_bytes;   /* member bytes decompressed */
	uint64_t excluded;         /* walk entries and members not examined:
	                              they match an exclude pattern */
	uint64_t applications;     /* BizTalk application MSIs whose adf
	                              was read (scan/app.c) */
} asmgate_scan_stats;

/* Version 2 added exclude and nexclude, version 3 bindings and
 * nbindings; older structs (without them) are still accepted by
 * asmgate_scan_new. */
#define ASMGATE_SCAN_OPTIONS_VERSION 3
typedef struct asmgate_scan_options {
	unsigned version;          /* ASMGATE_SCAN_OPTIONS_VERSION */
	unsigned jobs;             /* worker threads; 0 or 1: one, inline */
	int verify;                /* 1: verify (and decide) each assembly;
	                              0: parse only (inspect) */
	const asmgate_verify_options *verify_options; /* borrowed; may be NULL */
	const asmgate_policy *policy;  /* borrowed; NULL: no decisions */
	const size_t *hosts;       /* policy hosts decided, in this order */
	size_t nhosts;             /* borrowed array; must outlive the scan */
	/* Called on the worker thread that completed a subject, before it is
	 * handed out, to render output while other workers go on (calls for
	 * different subjects may run at the same time). May be NULL. */
	void (*on_subject)(void *ctx, asmgate_subject *s);
	void *ctx;
	int release_images;        /* 1: free each image after on_subject, so
	                              subjects waiting to be handed out hold
	                              no file bytes */
	/* Version 2. fnmatch(3) patterns (no FNM_PATHNAME: '*' matches '/'
	 * too): a path found in a directory walk whose path relative to the
	 * walked directory, or whose last component, matches one is not
	 * examined (a directory is not entered); nor is a container member
	 * whose name, or the last component of its name, matches one. Each
	 * is counted in stats.excluded. Paths added with
	 * asmgate_scan_add_path are never excluded. Borrowed; at most
	 * ASMGATE_SCAN_MAX_EXCLUDE. */
	const char *const *exclude;
	size_t nexclude;
	/* Version 3. Binding files (borrowed, with a policy): each
	 * assembly is decided for the hosts that place it (and, through
	 * AssemblyRef, what those reference among the subjects), an
	 * unbound one for every host of hosts. The first asmgate_scan_next
	 * then reads every subject's identity and references once (a first
	 * pass, parse only) before anything is decided. */
	const asmgate_bindings *const *bindings;
	size_t nbindings;
} asmgate_scan_options;
#define ASMGATE_SCAN_MAX_EXCLUDE 256u
#define ASMGATE_SCAN_OPTIONS_INIT { ASMGATE_SCAN_OPTIONS_VERSION, 1, 1, \
	NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, 0, NULL, 0 }

/** Zero o, set its version and the defaults of ASMGATE_SCAN_OPTIONS_INIT;
 *  ASMGATE_E_USAGE for an unknown version. */
asmgate_status asmgate_scan_options_init(asmgate_scan_options *o,
    unsigned version);

typedef struct asmgate_scan asmgate_scan;

/** A new scan (the options are copied; what they point to is borrowed). */
asmgate_status asmgate_scan_new(asmgate_scan **out,
    const asmgate_scan_options *opts, asmgate_error *err);

/** Add a path named by the user, before the first asmgate_scan_next: a
 *  file, or a directory walked recursively (entries in byte order of
 *  their names; symbolic links to directories not followed, and listed
 *  as skipped). A path that cannot be read becomes an error subject, not
 *  a failure of this call, which fails only for ASMGATE_E_NOMEM and
 *  ASMGATE_E_LIMIT (more than RD_MAX_RUN_FILES files). */
asmgate_status asmgate_scan_add_path(asmgate_scan *s, const char *path,
    asmgate_error *err);

/** The next subject in order (blocking while workers finish it), owned
 *  by the caller (asmgate_subject_free); *out NULL at the end. */
asmgate_status asmgate_scan_next(asmgate_scan *s, asmgate_subject **out,
    asmgate_error *err);

const asmgate_scan_stats *asmgate_scan_get_stats(const asmgate_scan *s);

/** Stop the workers and free everything the scan holds. */
void asmgate_scan_free(asmgate_scan *s);

void asmgate_subject_free(asmgate_subject *s);

asmgate_subject_kind asmgate_subject_get_kind(const asmgate_subject *s);

/** "outer.zip!pkgs/Contoso.nupkg!lib/net48/Contoso.dll"; the path as
 *  given for a plain file. Untrusted text: escape it when printing. */
const char *asmgate_subject_name(const asmgate_subject *s);

const asmgate_origin *asmgate_subject_origin(const asmgate_subject *s);

/** 1 when the subject is a path the user named (not found in a walk or
 *  inside a container). */
int asmgate_subject_is_named(const asmgate_subject *s);

/** The image (ASMGATE_SUBJECT_ASSEMBLY, unless released); else NULL. */
const asmgate_image *asmgate_subject_image(const asmgate_subject *s);

/** The verification outcome, or NULL when not verified. */
const asmgate_signature *asmgate_subject_signature(const asmgate_subject *s);

/** The Authenticode outcome (assemblies and skipped native PE files,
 *  when verified with opts->authenticode), or NULL. */
const asmgate_authenticode *asmgate_subject_authenticode(
    const asmgate_subject *s);

/** Error subjects: what is wrong (offset inside the innermost member or
 *  file); skipped subjects: the reason in msg (code says which: e.g.
 *  ASMGATE_E_NOT_DOTNET). NULL for assemblies. */
const asmgate_error *asmgate_subject_error(const asmgate_subject *s);

/** Decisions, one per host of the options' hosts, in that order; NULL
 *  when there is no policy or the subject is not a verified assembly. */
const asmgate_decision *asmgate_subject_decisions(const asmgate_subject *s,
    size_t *n);

/** Why each decision's host applies (with bindings), in the order of
 *  asmgate_subject_decisions, which then has one decision per entry
 *  (host is the policy host index); NULL without bindings (the
 *  decisions follow the options' hosts). */
typedef struct asmgate_placement {
	size_t host;
	asmgate_role role;
	const char *file;          /* binding file, or NULL */
	unsigned long line;
	const char *via;           /* "orchestration Contoso.Process",
	                              "referenced by A (orchestration ...)",
	                              "no binding places it" (+ a near
	                              match: "binding F:L names Version=...") */
} asmgate_placement;
const asmgate_placement *asmgate_subject_placements(
    const asmgate_subject *s, size_t *n);

/** A bound identity no subject matched (with bindings; known after the
 *  first asmgate_scan_next): already deployed, or the deployment will
 *  fail. near names a subject whose name matches but whose version,
 *  culture or token differs, or is NULL. Identities of BizTalk's own
 *  assemblies (a well-known Microsoft token) are not listed. */
typedef struct asmgate_missing {
	const asmgate_bound *bound;
	const char *near;
} asmgate_missing;
size_t asmgate_scan_missing_count(const asmgate_scan *s);
const asmgate_missing *asmgate_scan_missing(const asmgate_scan *s,
    size_t i);

/** Data the on_subject callback attaches (e.g. rendered output), freed
 *  with the subject by free_fn (may be NULL). */
void asmgate_subject_set_user(asmgate_subject *s, void *p,
    void (*free_fn)(void *));
void *asmgate_subject_user(const asmgate_subject *s);

/** Open one assembly named by a subject name: a file, or a member of a
 *  container ("app.zip!lib/a.dll"; an existing file of that name wins).
 *  The member is read into memory. Errors as asmgate_image_open. */
asmgate_status asmgate_image_open_subject(asmgate_image **out,
    const char *name, asmgate_error *err);

/** 1 when name names a member of a container (not an existing file),
 *  else 0. */
int asmgate_subject_name_is_member(const char *name);

/** For a SIGBUS handler (SA_SIGINFO), with si_addr: when the address
 *  lies in a file the library has mapped (a file over 1 MiB that shrank
 *  while it was read), the mapping from there on reads as zeros, the
 *  file is marked changed, so the scan reports its subject as an error
 *  naming it (nothing decided from those bytes is kept), and 1 is
 *  returned; else 0, and the handler should end the process.
 *  Async-signal-safe. */
int asmgate_recover_fault(void *addr);

/* ------------------------------------------------------------------ */
/* BizTalk applications: exported application MSIs (bind/adf.c)       */
/* ------------------------------------------------------------------ */

/* An application MSI exported by BizTalk (BTSTask ExportApp) carries
 * ApplicationDefinition.adf: the application's name, version and
 * references, and its resources, each packed in its own cabinet
 * (ShortCabinetName, "ITEM~0.CAB") beside the adf. */
typedef struct asmgate_app asmgate_app;

/** A resource's type (its Type attribute). */
typedef enum asmgate_app_kind {
	ASMGATE_APP_OTHER = 0,        /* File, WebDirectory, Bam, ... */
	ASMGATE_APP_BIZTALK_ASSEMBLY, /* System.BizTalk:BizTalkAssembly */
	ASMGATE_APP_ASSEMBLY,         /* System.BizTalk:Assembly */
	ASMGATE_APP_BINDING           /* System.BizTalk:BizTalkBinding */
} asmgate_app_kind;

/** One <File> of a resource. key NULL when absent. */
typedef struct asmgate_app_file {
	const char *relative_path;
	const char *key;
} asmgate_app_file;

/** One <Resource>. Strings NULL when the property is absent. For the
 *  two assembly kinds the identity comes from FullName (else the Luid,
 *  which is the full name) and has_identity is 1. */
typedef struct asmgate_app_resource {
	const char *type;
	asmgate_app_kind kind;
	const char *luid;
	const char *full_name;
	const char *cabinet;       /* ShortCabinetName, never NULL */
	const char *destination;   /* DestinationLocation */
	const char *environment;   /* TargetEnvironment */
	int has_identity;
	const char *name;          /* simple name */
	int has_version;
	asmgate_version version;
	const char *culture;       /* "" neutral, NULL not given */
	int has_token;
	int token_null;
	uint8_t token[8];
	const asmgate_app_file *files;
	size_t nfiles;
	unsigned long line;        /* of <Resource> */
} asmgate_app_resource;

/** Load an application definition: UTF-8, or UTF-16 with a byte order
 *  mark; no DTD, no entities, at most RD_MAX_ADF_BYTES, the counts
 *  capped (RD_MAX_ADF_*). A duplicate Luid, a resource without Type,
 *  Luid or ShortCabinetName, or an assembly resource whose full name
 *  does not parse is ASMGATE_E_MALFORMED with the line; above a cap
 *  ASMGATE_E_LIMIT. name is used in messages (may be NULL). */
asmgate_status asmgate_app_load_memory(asmgate_app **out, const void *data,
    size_t len, const char *name, asmgate_error *err);
asmgate_status asmgate_app_load(asmgate_app **out, const char *path,
    asmgate_error *err);
void asmgate_app_free(asmgate_app *app);

/** DisplayName, Version and Guid of <Properties> (NULL when absent). */
const char *asmgate_app_name(const asmgate_app *app);
const char *asmgate_app_version(const asmgate_app *app);
const char *asmgate_app_guid(const asmgate_app *app);

/** <References><Reference Name=".."/>: other applications. */
size_t asmgate_app_reference_count(const asmgate_app *app);
const char *asmgate_app_reference(const asmgate_app *app, size_t i);

size_t asmgate_app_resource_count(const asmgate_app *app);
const asmgate_app_resource *asmgate_app_resource_get(const asmgate_app *app,
    size_t i);

/** "biztalk-assembly", "assembly", "binding", "other". Never NULL. */
const char *asmgate_app_kind_name(asmgate_app_kind k);

/** An assembly found inside a BizTalk application MSI (scan/): the
 *  resource the adf declares for it. type, luid, destination, declared
 *  (its FullName) are NULL when no assembly resource declares it.
 *  denial is NULL, or why the package is refused: the adf's full name
 *  differs from the assembly's identity (name, version, culture, token)
 *  or nothing declares the assembly; the subject's decisions are then
 *  all denied with it first, and without a policy it fails the run. */
typedef struct asmgate_subject_resource {
	const char *application;   /* the adf's DisplayName */
	const char *type;
	const char *luid;
	const char *destination;
	const char *declared;
	unsigned long line;        /* of <Resource> in the adf */
	const char *denial;
} asmgate_subject_resource;

/** NULL for a subject outside an application MSI. */
const asmgate_subject_resource *asmgate_subject_get_resource(
    const asmgate_subject *s);

/** The application definition of the installer database at path, when
 *  it is a BizTalk application MSI: *out NULL and ASMGATE_OK when path is
 *  not one (not a container, no adf); an error when its adf is bad. */
asmgate_status asmgate_app_open_package(asmgate_app **out, const char *path,
    asmgate_error *err);

/** The binding file the application MSI at path carries for
 *  environment (a binding resource's TargetEnvironment, compared ASCII
 *  case-insensitively; NULL: the default binding, the one without
 *  TargetEnvironment), loaded as asmgate_bindings_load_memory does and
 *  named "app.msi!<cabinet>!<file>". *out NULL and ASMGATE_OK when path
 *  is not an application MSI, has no binding resource, or (environment
 *  NULL) no default one; no binding for a named environment is
 *  ASMGATE_E_USAGE listing the environments there. */
asmgate_status asmgate_app_package_bindings(asmgate_bindings **out,
    const char *path, const char *environment, asmgate_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ASMGATE_H */
