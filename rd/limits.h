/*
 * limits.h - every cap asmgate places on untrusted input, in one place.
 *
 * A count or length read from a file is held against one of these before
 * it drives a loop or an allocation. docs/ARCHITECTURE.md lists them with
 * the reason for each value; keep the two in step.
 */
#ifndef RD_LIMITS_H
#define RD_LIMITS_H

/* Files ------------------------------------------------------------- */

/* Largest file read (assemblies and key files): 1 GiB. The largest
 * framework assemblies are tens of MB; above this a file is refused. */
#define RD_MAX_FILE_BYTES ((size_t)1 << 30)

/* Largest key file (PEM, DER, .snk, .pub, hex text): 64 KiB. A 16384-bit
 * private key in PEM is under 13 KiB. */
#define RD_MAX_KEY_FILE_BYTES ((size_t)64 * 1024)

/* PE/COFF ------------------------------------------------------------ */

/* Sections: the Windows loader refuses more than 96 (PE/COFF 3.3). */
#define RD_MAX_SECTIONS 96u

/* Data directories: the optional header defines 16 (PE/COFF 3.4.3). */
#define RD_MAX_DATA_DIRS 16u

/* e_lfanew: the PE header must start in the first 64 KiB. */
#define RD_MAX_LFANEW 0x10000u

/* Authenticode certificate table (PE/COFF 4.7): at most 8 MiB (real
 * signatures are kilobytes; a table stuffed past this is refused, and a
 * mapped file's table is copied, so it is bounded memory). */
#define RD_MAX_CERT_TABLE_BYTES ((uint32_t)8 << 20)

/* WIN_CERTIFICATE entries walked in one table. */
#define RD_MAX_CERT_ENTRIES 8u

/* Signatures reported per file: entries and nested signatures
 * (1.3.6.1.4.1.311.2.4.1) together; avast's parser caps nested ones at
 * 16 (authenticode.md 6). Equals ASMGATE_AC_MAX_SIGNATURES. */
#define RD_MAX_AC_SIGNATURES 8u

/* Certificates kept per built chain (ASMGATE_AC_MAX_CHAIN). */
#define RD_MAX_AC_CHAIN 8u

/* Per-run Authenticode caches in asmgate_trust (verify/accache.c):
 * parsed certificates kept by DER, chain outcomes kept by their inputs,
 * and the certificates a SignedData may carry for its certificates to
 * come from the first (more: the whole SignedData is parsed as is). */
#define RD_MAX_AC_CERT_CACHE 64u
#define RD_MAX_AC_CHAIN_CACHE 32u
#define RD_MAX_AC_P7_CERTS 16u

/* Timestamps tried per signature, of each kind (RFC 3161 tokens, then
 * PKCS#9 countersignatures): the first valid one gives the time. */
#define RD_MAX_AC_TIMESTAMPS 16u

/* ECMA-335 metadata --------------------------------------------------- */

/* Metadata streams: five standard ones (II.24.2.2) plus #JTD, #Pdb and
 * junk streams some obfuscators add. */
#define RD_MAX_STREAMS 16u

/* Stream name: at most 32 characters including the NUL (II.24.2.2). */
#define RD_MAX_STREAM_NAME 32u

/* Metadata version string: at most 255 bytes (II.24.2.1). */
#define RD_MAX_VERSION_STRING 255u

/* Rows in one table: indexes are at most 24 bits wide (II.22). */
#define RD_MAX_TABLE_ROWS 0x00FFFFFFu

/* A #Strings entry decoded as a name (assembly, culture, type): 1 KiB. */
#define RD_MAX_NAME_BYTES 1024u

/* AssemblyRef rows decoded into the image's reference list. */
#define RD_MAX_ASSEMBLY_REFS 65535u

/* Custom attributes on the Assembly row kept after decoding. */
#define RD_MAX_ASSEMBLY_ATTRIBUTES 4096u

/* MethodPtr rows (II.22.28, #- streams only) scanned to resolve the type
 * of a MethodDef-typed assembly attribute: the scan is linear and is done
 * for at most 16 attributes, so this bounds the work per file at 2^20 row
 * reads. Above it such attribute types stay unresolved; an unresolved
 * AssemblySignatureKeyAttribute means the identity key is used (fail
 * closed). Compilers write no MethodPtr table at all. */
#define RD_MAX_METHODPTR_SCAN 65536u

/* A custom attribute value blob that is decoded (II.23.3): 64 KiB. */
#define RD_MAX_ATTRIBUTE_BLOB 65536u

/* Strong names and keys ----------------------------------------------- */

/* RSA key sizes accepted for strong names (sn.exe: 384..16384). */
#define RD_MIN_KEY_BITS 384u
#define RD_MAX_KEY_BITS 16384u

/* Strong-name signature slot: the modulus of the largest key. */
#define RD_MAX_SIGNATURE_BYTES (RD_MAX_KEY_BITS / 8u)

/* A public key blob: 12-byte header + 20-byte CAPI header + modulus. */
#define RD_MAX_PUBLIC_KEY_BLOB (32u + RD_MAX_KEY_BITS / 8u)

/* Policy -------------------------------------------------------------- */

/* Policy file size: 1 MiB. */
#define RD_MAX_POLICY_BYTES ((size_t)1 << 20)

/* Element nesting depth in a policy file. */
#define RD_MAX_POLICY_DEPTH 16u

/* Elements and attributes in one policy document, counted as the parser
 * meets them (policy/load.c builds a tree of them): a policy at every
 * other cap has under 7 000 elements (4096 rules, 1024 keys, 1024
 * publishers, 256 hosts) and under 70 000 attributes (11 per rule). */
#define RD_MAX_POLICY_ELEMENTS 16384u
#define RD_MAX_POLICY_ATTRIBUTES_TOTAL 131072u

/* Attributes (namespace declarations included) on one element of an
 * XML document we parse, counted before libxml2 sees the start tag:
 * libxml2 2.9 spends time quadratic in this number on one tag. The
 * policy schema needs at most 11 on an element (<allow>) plus
 * namespace declarations. */
#define RD_MAX_XML_ATTRIBUTES 64u

/* Keys, hosts and rules in one policy. */
#define RD_MAX_POLICY_KEYS 1024u
/* Authenticode publishers (<publisher>) in one policy. */
#define RD_MAX_POLICY_PUBLISHERS 1024u
#define RD_MAX_POLICY_HOSTS 256u
#define RD_MAX_POLICY_RULES 4096u

/* Lines in a policy file: a policy at every other cap (4096 rules, one
 * per line, with keys and hosts) fits in far fewer. */
#define RD_MAX_POLICY_LINES 65535u

/* An id (key or rule): 64 bytes; a host name: 80, the longest name
 * BizTalk accepts for a host. */
#define RD_MAX_POLICY_ID 64u
#define RD_MAX_POLICY_HOST_NAME 80u

/* A name glob on a rule: 256 bytes. Matching is O(glob x name) and
 * assembly names are capped at RD_MAX_NAME_BYTES. */
#define RD_MAX_POLICY_GLOB 256u

/* Items in one list attribute (keys, testKeys, states, culture,
 * hashAlgorithms). */
#define RD_MAX_POLICY_LIST 256u

/* A key file path in a policy, and the path it resolves to. */
#define RD_MAX_POLICY_PATH 4096u

/* Lint warnings kept for one policy; further ones are only counted. */
#define RD_MAX_POLICY_WARNINGS 4096u

/* Binding files (bind/) -------------------------------------------- */

/* A BizTalk binding file: exports of large applications run to several
 * megabytes (UTF-16 doubles them); 64 MiB. */
#define RD_MAX_BINDING_BYTES ((size_t)64 << 20)

/* Lines in a binding file: exports put one attribute per line; the
 * loader's line numbers are not bounded by libxml2's 16-bit node
 * lines (policy/load.c builds its own tree). */
#define RD_MAX_BINDING_LINES 4000000ul

/* Element nesting in a binding file: BindingInfo > ReceivePortCollection
 * > ReceivePort > ReceiveLocations > ReceiveLocation > ReceiveHandler >
 * TransportType is 7; pipeline data is an escaped string, not nested
 * elements. */
#define RD_MAX_BINDING_DEPTH 32u

/* Elements and attributes in one binding file: the tree of a file at the
 * byte cap stays bounded (60 MB of "<a/>" is 15 million elements; the
 * tree of a million is about 100 MB, built in well under a second).
 * Exports put a few attributes on each of some 20 elements per port or
 * orchestration: tens of thousands of ports fit. */
#define RD_MAX_BINDING_ELEMENTS 1000000u
#define RD_MAX_BINDING_ATTRIBUTES_TOTAL 2000000u

/* Identities (ModuleRef, pipeline, map, schema occurrences) kept from
 * one binding file, and binding files in one run. */
#define RD_MAX_BINDING_IDENTITIES 65536u
#define RD_MAX_BINDING_FILES 64u

/* An assembly display name or type name in a binding file. */
#define RD_MAX_DISPLAY_NAME 2048u

/* Lint findings kept for one set of binding files. */
#define RD_MAX_BINDING_FINDINGS 4096u

/* A JUnit or SARIF report kept in memory (asmgate_report_finish without
 * a writer; verify streams its reports and has no such cap), and one
 * rendered entry: 1 GiB. */
#define RD_MAX_REPORT_BYTES ((size_t)1 << 30)

/* Containers (ZIP: APPNOTE.TXT 6.3.x) --------------------------------- */

/* Members in one container (directory entries included). */
#define RD_MAX_CONTAINER_MEMBERS 65536u

/* A member name, in bytes as stored (ZIP allows 65535). */
#define RD_MAX_MEMBER_NAME 4096u

/* Inflated size of one member read whole: 512 MiB. The largest real
 * assemblies are tens of MB; this bounds one job's buffer. */
#define RD_MAX_MEMBER_BYTES ((size_t)512 << 20)

/* Inflated bytes read from one top-level input, all members and nested
 * containers together: 4 GiB. */
#define RD_MAX_INFLATED_BYTES ((uint64_t)4 << 30)

/* Declared uncompressed : compressed ratio above which a member larger
 * than RD_RATIO_MIN_BYTES is refused as a bomb. Assemblies deflate about
 * 2-4 : 1; deflate itself cannot exceed about 1032 : 1. */
#define RD_MAX_COMPRESSION_RATIO 100u
#define RD_RATIO_MIN_BYTES ((uint64_t)1 << 20)

/* Containers inside containers (a .nupkg inside a .zip is depth 2). */
#define RD_MAX_CONTAINER_DEPTH 4u

/* Bytes searched back from the end for the ZIP end-of-central-directory
 * record: its 22 bytes plus the longest comment (APPNOTE 4.3.16). */
#define RD_MAX_EOCD_SEARCH (22u + 65535u)

/* Compound files (MS-CFB) ---------------------------------------------- */

/* Directory entries in one compound file. An MSI holds one per table and
 * stream: hundreds; 64 Ki leaves room and bounds the tree walk. */
#define RD_MAX_CFB_ENTRIES 65536u

/* Storages nested inside storages (an MSI has none or one level). */
#define RD_MAX_CFB_DEPTH 32u

/* Windows Installer databases ---------------------------------------- */

/* Strings in the string pool (_StringPool entries); string references
 * are at most 3 bytes (24 bits) wide. */
#define RD_MAX_MSI_STRINGS 0x00FFFFFFu

/* Bytes in _StringData and in one table stream read: 256 MiB. */
#define RD_MAX_MSI_STREAM_BYTES ((size_t)256 << 20)

/* Tables in _Tables, columns in one table (Windows Installer allows 32),
 * rows read from one table. */
#define RD_MAX_MSI_TABLES 4096u
#define RD_MAX_MSI_COLUMNS 32u
#define RD_MAX_MSI_ROWS 1000000u

/* Directory table nesting followed to build one install path. */
#define RD_MAX_MSI_PATH_DEPTH 64u

/* Cabinets one database names in its Media table. */
#define RD_MAX_MSI_CABINETS 1024u

/* Cabinets (MS-CAB) ---------------------------------------------------- */

/* Folders and files in one cabinet (cFolders, cFiles are 16 bits). */
#define RD_MAX_CAB_FOLDERS 65535u
#define RD_MAX_CAB_FILES 65535u

/* Uncompressed bytes of one folder: its files are decompressed together
 * and kept while the cabinet is open, so this bounds that buffer. */
#define RD_MAX_CAB_FOLDER_BYTES ((size_t)1 << 30)

/* Decompressed folders kept at once by one open cabinet: above this,
 * folders not in use are dropped (and decompressed again if asked for),
 * so memory stays bounded whatever order the files are read in. */
#define RD_MAX_CAB_CACHE_BYTES ((uint64_t)1 << 30)

/* Bytes decompressed over the life of one open cabinet, folders dropped
 * and decompressed again included: files that alternate between large
 * folders cannot make the reader decompress without end. */
#define RD_MAX_CAB_WORK_BYTES ((uint64_t)4 << 30)

/* Uncompressed bytes of one CFDATA block (MS-CAB 2.5: at most 32 KiB;
 * LZX and MSZIP never produce more). */
#define RD_MAX_CAB_BLOCK 32768u

/* Compressed bytes of one CFDATA block: a 32 KiB block plus what LZX
 * and MSZIP may add to incompressible data (6 KiB, as makecab allows). */
#define RD_MAX_CAB_BLOCK_INPUT (32768u + 6144u)

/* Bytes of the per-cabinet reserve area (MS-CAB 2.1: cbCFHeader is at
 * most 60,000). */
#define RD_MAX_CAB_HEADER_RESERVE 60000u

/* Bytes of a file name and of the previous/next cabinet and disk names
 * (MS-CAB 2.1, 2.3: CB_MAX_FILENAME and CB_MAX_CABINET_NAME are 256
 * bytes with the NUL). */
#define RD_MAX_CAB_NAME 255u

/* Command line -------------------------------------------------------- */

/* Directory recursion depth when walking PATH arguments. */
#define RD_MAX_WALK_DEPTH 64u

/* Files one run reports on. */
#define RD_MAX_RUN_FILES 1000000u

/* A --files-from list: its bytes, and one path in it (bytes, without the
 * separator). */
#define RD_MAX_FILES_FROM_BYTES ((size_t)64 << 20)
#define RD_MAX_LIST_PATH 4096u

/* --exclude patterns of one run (ASMGATE_SCAN_MAX_EXCLUDE, public). */
#define RD_MAX_EXCLUDE 256u

/* A --waivers file: its bytes, its waivers, the bytes of one line. */
#define RD_MAX_WAIVER_BYTES ((size_t)1 << 20)
#define RD_MAX_WAIVERS 4096u
#define RD_MAX_WAIVER_LINE 4096u

/* Token mappings of a --key-map-from machine.config. */
#define RD_MAX_KEY_MAPS 256u

/* Directory entries looked at for stale temporaries (rd/file.c
 * sweep_stale) each time a file is written atomically. */
#define RD_MAX_TEMP_SWEEP 65536u

/* BizTalk application definitions (bind/adf.c) ---------------------- */

/* ApplicationDefinition.adf of an exported application MSI: about 1 KiB
 * per resource (UTF-16 doubles it); 4 MiB holds thousands. */
#define RD_MAX_ADF_BYTES ((size_t)4 << 20)

/* Lines of an adf, as bindings. */
#define RD_MAX_ADF_LINES 1000000ul

/* Element nesting: ApplicationDefinition > Resources > Resource >
 * Properties > Property is 5. */
#define RD_MAX_ADF_DEPTH 12u

/* Elements and attributes of an adf (4096 resources of a few dozen
 * each). */
#define RD_MAX_ADF_ELEMENTS 262144u
#define RD_MAX_ADF_ATTRIBUTES_TOTAL 1048576u

/* Resources, references, files of one resource, properties of one
 * element (application or resource). */
#define RD_MAX_ADF_RESOURCES 4096u
#define RD_MAX_ADF_REFERENCES 256u
#define RD_MAX_ADF_FILES 64u
#define RD_MAX_ADF_PROPERTIES 256u

/* One attribute value kept from an adf (a name, a path, a full name). */
#define RD_MAX_ADF_VALUE 4096u

#endif /* RD_LIMITS_H */
