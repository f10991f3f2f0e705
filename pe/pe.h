/*
 * pe.h - the PE/COFF and ECMA-335 reader (module-internal API).
 *
 * Stages, each consuming the bounded reader and producing validated
 * facts for the next (docs/ARCHITECTURE.md):
 *   pe_parse_headers  DOS, COFF, optional header, data directories,
 *                     section table                       (PE/COFF 3.1-3.4)
 *   pe_parse_cor      the CLI (COR20) header              (ECMA-335 II.25.3.3)
 *   pe_md_open        metadata root, streams, heaps       (II.24.2.1-II.24.2.5)
 *   pe_tables_open    #~ / #- schema: row counts, sizes   (II.24.2.6, II.22)
 *   pe_rows_decode    Module, Assembly, AssemblyRef, CustomAttribute
 * Later stages never take a raw offset from the file: only readers,
 * heap indexes and row numbers that were checked where they were read.
 *
 * Nothing in pe/ includes OpenSSL or libxml2.
 */
#ifndef PE_PE_H
#define PE_PE_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"
#include "rd/rd.h"

/* PE/COFF optional-header magics (PE/COFF 3.4). */
#define PE_MAGIC_PE32 0x10Bu
#define PE_MAGIC_PE32PLUS 0x20Bu

/* Data directory indexes (PE/COFF 3.4.3). */
#define PE_DIR_SECURITY 4u
#define PE_DIR_CLI 14u

/* Sizes fixed by the formats. */
#define PE_COFF_HEADER_SIZE 20u
#define PE_SECTION_HEADER_SIZE 40u
#define PE_NT_HEADERS32_SIZE 248u   /* sizeof(IMAGE_NT_HEADERS32) */
#define PE_NT_HEADERS64_SIZE 264u   /* sizeof(IMAGE_NT_HEADERS64) */
#define PE_OPT_CHECKSUM 64u         /* CheckSum, from the optional header */
#define PE_COR20_SIZE 72u           /* II.25.3.3 */
#define PE_COR20_FLAGS 16u          /* Flags, from the COR20 header */

/* Metadata table numbers (ECMA-335 II.22). */
enum pe_table {
	PE_T_MODULE = 0x00, PE_T_TYPEREF = 0x01, PE_T_TYPEDEF = 0x02,
	PE_T_FIELDPTR = 0x03, PE_T_FIELD = 0x04, PE_T_METHODPTR = 0x05,
	PE_T_METHODDEF = 0x06, PE_T_PARAMPTR = 0x07, PE_T_PARAM = 0x08,
	PE_T_INTERFACEIMPL = 0x09, PE_T_MEMBERREF = 0x0A,
	PE_T_CONSTANT = 0x0B, PE_T_CUSTOMATTRIBUTE = 0x0C,
	PE_T_FIELDMARSHAL = 0x0D, PE_T_DECLSECURITY = 0x0E,
	PE_T_CLASSLAYOUT = 0x0F, PE_T_FIELDLAYOUT = 0x10,
	PE_T_STANDALONESIG = 0x11, PE_T_EVENTMAP = 0x12, PE_T_EVENTPTR = 0x13,
	PE_T_EVENT = 0x14, PE_T_PROPERTYMAP = 0x15, PE_T_PROPERTYPTR = 0x16,
	PE_T_PROPERTY = 0x17, PE_T_METHODSEMANTICS = 0x18,
	PE_T_METHODIMPL = 0x19, PE_T_MODULEREF = 0x1A, PE_T_TYPESPEC = 0x1B,
	PE_T_IMPLMAP = 0x1C, PE_T_FIELDRVA = 0x1D, PE_T_ENCLOG = 0x1E,
	PE_T_ENCMAP = 0x1F, PE_T_ASSEMBLY = 0x20,
	PE_T_ASSEMBLYPROCESSOR = 0x21, PE_T_ASSEMBLYOS = 0x22,
	PE_T_ASSEMBLYREF = 0x23, PE_T_ASSEMBLYREFPROCESSOR = 0x24,
	PE_T_ASSEMBLYREFOS = 0x25, PE_T_FILE = 0x26,
	PE_T_EXPORTEDTYPE = 0x27, PE_T_MANIFESTRESOURCE = 0x28,
	PE_T_NESTEDCLASS = 0x29, PE_T_GENERICPARAM = 0x2A,
	PE_T_METHODSPEC = 0x2B, PE_T_GENERICPARAMCONSTRAINT = 0x2C,
	/* Portable PDB tables (Portable PDB v1.0 spec) */
	PE_T_DOCUMENT = 0x30, PE_T_METHODDEBUGINFORMATION = 0x31,
	PE_T_LOCALSCOPE = 0x32, PE_T_LOCALVARIABLE = 0x33,
	PE_T_LOCALCONSTANT = 0x34, PE_T_IMPORTSCOPE = 0x35,
	PE_T_STATEMACHINEMETHOD = 0x36, PE_T_CUSTOMDEBUGINFORMATION = 0x37,
	PE_T_COUNT = 0x38
};

/* Column kinds of the table schema (II.22): fixed widths, heap indexes,
 * simple table indexes (PE_COL_TABLE + table) and coded indexes. */
enum pe_col_kind {
	PE_COL_U8, PE_COL_U16, PE_COL_U32,
	PE_COL_STRING, PE_COL_GUID, PE_COL_BLOB,
	PE_COL_TABLE,  /* simple index; the table is in pe_col.arg */
	PE_COL_CODED   /* coded index; the pe_coded kind is in pe_col.arg */
};

/* Coded index kinds (II.24.2.6). */
enum pe_coded {
	PE_CI_TYPEDEFORREF, PE_CI_HASCONSTANT, PE_CI_HASCUSTOMATTRIBUTE,
	PE_CI_HASFIELDMARSHAL, PE_CI_HASDECLSECURITY, PE_CI_MEMBERREFPARENT,
	PE_CI_HASSEMANTICS, PE_CI_METHODDEFORREF, PE_CI_MEMBERFORWARDED,
	PE_CI_IMPLEMENTATION, PE_CI_CUSTOMATTRIBUTETYPE,
	PE_CI_RESOLUTIONSCOPE, PE_CI_TYPEORMETHODDEF,
	PE_CI_HASCUSTOMDEBUGINFORMATION, PE_CI_COUNT
};

#define PE_MAX_COLUMNS 9

/* A heap: a reader bounded to the stream, or absent. */
typedef struct pe_heap {
	int present;
	rd r;
} pe_heap;

/* The decoded #~ / #- schema. */
typedef struct pe_tables {
	rd stream;                      /* the whole tables stream */
	uint8_t heap_sizes;
	int all_wide;                   /* #JTD: every index is 4 bytes */
	uint64_t valid;
	uint32_t rows[PE_T_COUNT];
	uint32_t row_size[PE_T_COUNT];
	size_t table_pos[PE_T_COUNT];   /* table start within stream */
	uint8_t col_width[PE_T_COUNT][PE_MAX_COLUMNS];
	uint8_t col_offset[PE_T_COUNT][PE_MAX_COLUMNS];
} pe_tables;

/* Everything the reader knows about one file. asmgate_image is this. */
struct asmgate_image {
	const uint8_t *data;
	size_t size;
	int owns_mapping;               /* file opened by asmgate_image_open */
	void *mapping;                  /* rd_file, when owned */
	void *owned_data;               /* asmgate_image_take: freed with it */
	/* A file that is mapped (not read) can change under the mapping
	 * while it is checked. Its metadata block (the identity: names,
	 * versions, public key, attributes) and its signature slot are
	 * copied at parse time, and every later stage reads the copies:
	 * verify hashes the metadata copy, policy decides on it. */
	int snapshot;                   /* 1: make the copies below */
	uint8_t *md_copy;               /* the metadata block; NULL: in data */
	uint8_t *slot_copy;             /* the signature slot; NULL: in data */
	uint8_t *cert_copy;             /* the certificate table; NULL: in
	                                   data */
	int keep_native;                /* 1: keep a PE without an assembly
	                                   (headers parsed) for Authenticode */
	asmgate_image_info info;
	asmgate_section sections[96];
	asmgate_stream streams[16];
	rd metadata;                    /* the metadata block */
	pe_heap strings, us, guid, blob;
	pe_tables tables;
	char version_buf[256];
	asmgate_reference *refs;
	asmgate_attribute *attrs;
};

/* File offset of the optional header's CheckSum field (PE/COFF 3.4.2):
 * after "PE\0\0" (4) and the COFF header (20). */
static inline uint64_t
pe_checksum_offset(const asmgate_image *img)
{
	return (uint64_t)img->info.pe.lfanew + 24 + PE_OPT_CHECKSUM;
}

/* image.c: parse the file f (read or mapped by rd_file_open, allocated
 * with malloc), taking ownership of it whatever the outcome: a mapped
 * file gets the snapshot copies, as asmgate_image_open. */
asmgate_status pe_image_from_file(asmgate_image **out, void *f,
    asmgate_error *err);

/* pe.c: PE/COFF headers and sections. */
asmgate_status pe_parse_headers(asmgate_image *img, asmgate_error *err);
int pe_rva_to_offset(const asmgate_image *img, uint32_t rva, uint32_t size,
    uint64_t *off, uint32_t *section);

/* image.c: the signature slot's bytes (cli.strong_name_offset,
 * cli.strong_name.size; strong_name_mapped must be set): the private
 * copy of a mapped file, else the image's data. */
const uint8_t *pe_image_slot(const asmgate_image *img);

/* cert.c: the attribute certificate table (PE/COFF 4.7). */
typedef struct pe_cert_entry {
	uint64_t offset;        /* file offset of the WIN_CERTIFICATE */
	uint32_t length;        /* dwLength (header included) */
	uint16_t revision;      /* wRevision: 0x0200 (0x0100 legacy) */
	uint16_t type;          /* wCertificateType: 2 PKCS_SIGNED_DATA */
	rd body;                /* bCertificate: dwLength - 8 bytes */
	rd pad;                 /* to round_up(dwLength, 8): must be zero */
} pe_cert_entry;

#define PE_WIN_CERT_REVISION_2_0 0x0200u
#define PE_WIN_CERT_REVISION_1_0 0x0100u
#define PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002u

typedef struct pe_cert_table {
	uint32_t offset, size;  /* the directory (a file offset) */
	unsigned n;
	pe_cert_entry e[8];     /* RD_MAX_CERT_ENTRIES */
	uint64_t bad_offset;    /* when malformed */
	char why[200];
} pe_cert_table;

/* Directory 4: 1 and the raw (offset, size) when either is not zero. */
int pe_cert_dir(const asmgate_image *img, uint32_t *off, uint32_t *size);
/* File offset of directory entry 4 in the optional header. */
uint64_t pe_cert_dir_offset(const asmgate_image *img);
/* Read and check the table (the image's copy for a mapped file): 0 no
 * table (unsigned), 1 entries in t, -1 malformed (t->why,
 * t->bad_offset). The windows point into the image (or its copy). */
int pe_cert_read(const asmgate_image *img, pe_cert_table *t);

/* image.c: like pe_image_from_file and asmgate_image_take, but a PE file
 * that is not an assembly (ASMGATE_E_NOT_DOTNET, ASMGATE_E_NO_ASSEMBLY)
 * is kept with its headers read: *out is set along with that status. */
asmgate_status pe_image_from_file_native(asmgate_image **out, void *f,
    asmgate_error *err);
asmgate_status pe_image_take_native(asmgate_image **out, void *data,
    size_t len, asmgate_error *err);

/* cor.c: the COR20 header. */
asmgate_status pe_parse_cor(asmgate_image *img, asmgate_error *err);

/* r2r.c: machine_arch/machine_os from Machine (after the COFF header),
 * and the ReadyToRun header behind ManagedNativeHeader (after the CLI
 * header). Facts only: neither fails. */
void pe_decode_machine(asmgate_pe_info *pe);
void pe_parse_r2r(asmgate_image *img);

/* md.c: metadata root, stream headers, heaps. */
asmgate_status pe_md_open(asmgate_image *img, asmgate_error *err);
int pe_heap_string(const pe_heap *h, uint32_t idx, const char **out);
int pe_heap_blob(const pe_heap *h, uint32_t idx, const uint8_t **out,
    size_t *len, uint64_t *file_off);
int pe_heap_guid(const pe_heap *h, uint32_t idx, const uint8_t **out);
int pe_heap_us(const pe_heap *h, uint32_t idx, const uint8_t **out,
    size_t *len);

/* tables.c: the tables stream schema and column access. */
asmgate_status pe_tables_open(asmgate_image *img, const rd *stream,
    int all_wide, asmgate_error *err);
int pe_row_get(const pe_tables *t, unsigned table, uint32_t row,
    unsigned col, uint32_t *out);
uint64_t pe_row_offset(const pe_tables *t, unsigned table, uint32_t row);
int pe_coded_decode(unsigned coded, uint32_t value, unsigned *table,
    uint32_t *row);

/* rows.c: decoded rows. */
asmgate_status pe_rows_decode(asmgate_image *img, asmgate_error *err);

#endif /* PE_PE_H */
