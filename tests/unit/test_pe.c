/*
 * test_pe.c - unit tests of the PE/COFF and ECMA-335 reader (pe/).
 *
 * Where the expected values come from (never from asmgate itself):
 *  - identity, references and attributes: `monodis --assembly`,
 *    `--assemblyref`, `--customattr`, `--typedef`, `--method`, `--module`
 *    (Mono 6.8.0.105) on the committed samples;
 *  - public keys: samples/keys/NAME.pub (`sn -p`); tokens: `sn -T`;
 *  - PE headers and sections: `objdump -x` (binutils) and the layout in
 *    samples/malformed/README.md, written by samples/make-malformed.py,
 *    which parses the files on its own;
 *  - COR20, stream and table offsets and row counts: decoded by hand
 *    (a throwaway python struct script following ECMA-335 II.24.2 and
 *    the reference notes, sections 1-3), cross-checked against the
 *    README above and monodis' table sizes;
 *  - the synthetic images (syn_*) are built byte by byte below, so every
 *    offset they are checked against is known by construction.
 */
#define _POSIX_C_SOURCE 200809L
#include "helpers.h"

#include <dirent.h>
#include <unistd.h>

#include "asmgate.h"
#include "pe/pe.h"
#include "rd/buf.h"
#include "rd/file.h"
#include "rd/limits.h"

#define CONTOSO "valid/contoso-orchestrations.dll"

/* ------------------------------------------------------------ helpers */

static asmgate_image *
open_ok(const char *rel)
{
	asmgate_image *img = NULL;
	asmgate_error e;

	asmgate_error_clear(&e);
	if (asmgate_image_open(&img, th_path(rel), &e) != ASMGATE_OK)
		fail_msg("%s: %s (%s)", rel, e.msg,
		    asmgate_status_name(e.code));
	assert_non_null(img);
	return img;
}

static asmgate_image *
mem_ok(const uint8_t *buf, size_t len)
{
	asmgate_image *img = NULL;
	asmgate_error e;

	asmgate_error_clear(&e);
	if (asmgate_image_from_memory(&img, buf, len, &e) != ASMGATE_OK)
		fail_msg("from_memory: %s (%s, offset 0x%llx)", e.msg,
		    asmgate_status_name(e.code), (unsigned long long)e.offset);
	assert_non_null(img);
	return img;
}

/* Parse buf, expecting status st at file offset off. */
static void
mem_fails(const uint8_t *buf, size_t len, asmgate_status st, uint64_t off)
{
	asmgate_image *img = (asmgate_image *)(uintptr_t)1;
	asmgate_error e;

	asmgate_error_clear(&e);
	if (asmgate_image_from_memory(&img, buf, len, &e) != st)
		fail_msg("expected %s, got %s: %s", asmgate_status_name(st),
		    asmgate_status_name(e.code), e.msg);
	assert_null(img);
	assert_int_equal(e.code, st);
	assert_true(e.has_offset);
	if (e.offset != off)
		fail_msg("expected offset 0x%llx, got 0x%llx: %s",
		    (unsigned long long)off, (unsigned long long)e.offset, e.msg);
	assert_true(e.msg[0] != '\0');
}

static void
token_of(const uint8_t *blob, size_t len, char hex[17])
{
	uint8_t t[8];
	asmgate_error e;
	int i;

	assert_int_equal(asmgate_key_token(blob, len, t, &e), ASMGATE_OK);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", t[i]);
}

/* --------------------------------------------------- valid samples */

struct valid_case {
	const char *file;
	size_t size;
	/* monodis --assembly */
	const char *name;
	uint16_t ver[4];
	const char *culture;
	uint32_t asm_flags;
	const char *pub;     /* keys/X.pub, NULL when not strong-named */
	const char *token;   /* sn -T */
	/* objdump -x */
	int pe32plus;
	uint16_t machine;
	uint16_t characteristics;
	uint16_t soh;
	uint32_t checksum;
	/* hand-decoded COR20 */
	uint64_t cor_off;
	uint32_t cor_flags;
	uint32_t entry_point;
	uint32_t sn_rva, sn_size;
	uint64_t sn_off;     /* 0: no slot */
	uint32_t md_rva, md_size;
	uint64_t md_off;
	uint64_t tables_off; /* "#~" file offset */
	uint32_t tables_size;
	/* row counts: TypeDef, MethodDef, CustomAttribute (monodis) */
	uint32_t typedefs, methods, cas;
	uint64_t valid_mask;
	uint32_t nattrs;     /* monodis --customattr lines "Assembly: 1" */
	uint32_t nrefs;
	const char *module;  /* monodis --module */
};

static const struct valid_case valid_cases[] = {
	{ CONTOSO, 6656, "Contoso.Orchestrations", { 1, 2, 3, 4 }, "", 1,
	  "keys/contoso.pub", "e0ba8f48cb722cea", 0, 0x14C, 0x2102, 0xE0,
	  0xB15F, 0x208, 0x9, 0, 0x214C, 0x100, 0x34C, 0x224C, 0xB78, 0x44C,
	  0x4B8, 0x3D4, 5, 14, 24, 0x909A01D57ull, 8, 1,
	  "Contoso.Orchestrations.dll" },
	{ "valid/contoso-x64.dll", 6656, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 1, "keys/contoso.pub", "e0ba8f48cb722cea", 1,
	  0x8664, 0x2022, 0xF0, 0x115D3, 0x210, 0x9, 0, 0x2160, 0x100, 0x360,
	  0x2260, 0xB78, 0x460, 0x4CC, 0x3D4, 5, 14, 24, 0x909A01D57ull, 8,
	  1, "Contoso.Orchestrations.dll" },
	{ "valid/fabrikam-adapters.dll", 5120, "Fabrikam.Adapters",
	  { 2, 0, 0, 0 }, "", 1, "keys/fabrikam.pub", "92cdd74130f40b2c", 0,
	  0x14C, 0x2102, 0xE0, 0xF84D, 0x208, 0x9, 0, 0x20DC, 0x80, 0x2DC,
	  0x215C, 0x800, 0x35C, 0x3C8, 0x2B0, 3, 6, 7, 0x80901A21757ull, 7, 4,
	  "Fabrikam.Adapters.dll" },
	{ "valid/hello.exe", 3584, "Hello", { 1, 0, 0, 0 }, "", 1,
	  "keys/test1024.pub", "5b4d8b284476375e", 0, 0x14C, 0x102, 0xE0,
	  0x8F80, 0x208, 0x9, 0x06000001, 0x2060, 0x80, 0x260, 0x20E0, 0x3A0,
	  0x2E0, 0x34C, 0xEC, 2, 1, 3, 0x900001547ull, 3, 1, "Hello.exe" },
	{ "valid/satellite-fr.dll", 3584, "Contoso.Orchestrations.resources",
	  { 1, 2, 3, 4 }, "fr-FR", 1, "keys/contoso.pub", "e0ba8f48cb722cea",
	  0, 0x14C, 0x2102, 0xE0, 0x189E, 0x208, 0x9, 0, 0x20CC, 0x100, 0x2CC,
	  0x21CC, 0x3B8, 0x3CC, 0x438, 0xC0, 1, 0, 3, 0x10900001407ull, 3, 1,
	  "Contoso.Orchestrations.resources.dll" },
	{ "valid/signed-2048.dll", 3584, "TestKey2048", { 1, 0, 0, 0 }, "", 1,
	  "keys/test2048.pub", "77906b6731e6e44e", 0, 0x14C, 0x2102, 0xE0,
	  0xF10C, 0x208, 0x9, 0, 0x2058, 0x100, 0x258, 0x2158, 0x408, 0x358,
	  0x3C4, 0xD4, 2, 1, 3, 0x900001447ull, 3, 1, "TestKey2048.dll" },
	{ "valid/signed-4096.dll", 4096, "TestKey4096", { 1, 0, 0, 0 }, "", 1,
	  "keys/test4096.pub", "3ba7e1f7c519d82f", 0, 0x14C, 0x2102, 0xE0,
	  0xB362, 0x208, 0x9, 0, 0x2058, 0x200, 0x258, 0x2258, 0x508, 0x458,
	  0x4C4, 0xD4, 2, 1, 3, 0x900001447ull, 3, 1, "TestKey4096.dll" },
	{ "states/delay-signed.dll", 6656, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 1, "keys/contoso.pub", "e0ba8f48cb722cea", 0,
	  0x14C, 0x2102, 0xE0, 0, 0x208, 0x1, 0, 0x214C, 0x100, 0x34C, 0x224C,
	  0xBA8, 0x44C, 0x4B8, 0x3E4, 5, 14, 25, 0x909A01D57ull, 9, 1,
	  "Contoso.Orchestrations.dll" },
	{ "states/public-signed.dll", 6656, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 1, "keys/contoso.pub", "e0ba8f48cb722cea", 0,
	  0x14C, 0x2102, 0xE0, 0, 0x208, 0x9, 0, 0x214C, 0x100, 0x34C, 0x224C,
	  0xBA8, 0x44C, 0x4B8, 0x3E4, 5, 14, 25, 0x909A01D57ull, 9, 1,
	  "Contoso.Orchestrations.dll" },
	{ "states/resigned-flag-clear.dll", 6656, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 1, "keys/contoso.pub", "e0ba8f48cb722cea", 0,
	  0x14C, 0x2102, 0xE0, 0, 0x208, 0x1, 0, 0x214C, 0x100, 0x34C, 0x224C,
	  0xBA8, 0x44C, 0x4B8, 0x3E4, 5, 14, 25, 0x909A01D57ull, 9, 1,
	  "Contoso.Orchestrations.dll" },
	{ "states/tampered-il.dll", 6656, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 1, "keys/contoso.pub", "e0ba8f48cb722cea", 0,
	  0x14C, 0x2102, 0xE0, 0xB15F, 0x208, 0x9, 0, 0x214C, 0x100, 0x34C,
	  0x224C, 0xB78, 0x44C, 0x4B8, 0x3D4, 5, 14, 24, 0x909A01D57ull, 8, 1,
	  "Contoso.Orchestrations.dll" },
	{ "states/unsigned.dll", 5632, "Contoso.Orchestrations",
	  { 1, 2, 3, 4 }, "", 0, NULL, NULL, 0, 0x14C, 0x2102, 0xE0, 0, 0x208,
	  0x1, 0, 0, 0, 0, 0x214C, 0xA54, 0x34C, 0x3B8, 0x3D4, 5, 14, 24,
	  0x909A01D57ull, 8, 1, "Contoso.Orchestrations.dll" },
};

static void
check_valid(const struct valid_case *c)
{
	asmgate_image *img = open_ok(c->file);
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_pe_info *pe = &info->pe;
	const asmgate_cli_info *cli = &info->cli;
	const asmgate_assembly_info *a = &info->assembly;
	size_t len;
	const uint8_t *data = asmgate_image_data(img, &len);
	uint32_t i;

	/* PE */
	assert_int_equal(len, c->size);
	assert_non_null(data);
	assert_int_equal(pe->file_size, c->size);
	assert_int_equal(pe->pe32plus, c->pe32plus);
	assert_int_equal(pe->lfanew, 0x80);
	assert_int_equal(pe->machine, c->machine);
	assert_int_equal(pe->characteristics, c->characteristics);
	assert_int_equal(pe->size_of_optional_header, c->soh);
	assert_int_equal(pe->checksum, c->checksum);
	assert_int_equal(pe->timestamp, 0); /* mcs writes 0 */
	assert_int_equal(pe->number_of_rva_and_sizes, 16);
	assert_int_equal(pe->section_table_offset, 0x80 + 24 + c->soh);
	assert_int_equal(pe->dirs[PE_DIR_CLI].rva, c->cor_off - 0x200 + 0x2000);
	assert_int_equal(pe->dirs[PE_DIR_CLI].size, 72);
	assert_int_equal(pe->section_alignment, 0x2000);
	assert_int_equal(pe->file_alignment, 0x200);
	assert_int_equal(pe->size_of_image, 0x8000);
	assert_int_equal(pe->size_of_headers, 0x200);
	assert_int_equal(pe->subsystem, 3);
	assert_true(pe->image_base == 0x400000);
	assert_int_equal(pe->overlay_offset, c->size);
	assert_int_equal(pe->overlay_size, 0);
	assert_ptr_equal(pe->sections, &pe->sections[0]);
	assert_string_equal(pe->sections[0].name, ".text");
	assert_int_equal(pe->sections[0].virtual_address, 0x2000);
	assert_int_equal(pe->sections[0].raw_offset, 0x200);
	assert_int_equal(pe->sections[0].characteristics, 0x60000020u);

	/* COR20 */
	assert_int_equal(cli->header_offset, c->cor_off);
	assert_int_equal(cli->cb, 72);
	assert_int_equal(cli->major_runtime_version, 2);
	assert_int_equal(cli->minor_runtime_version, 5);
	assert_int_equal(cli->flags, c->cor_flags);
	assert_int_equal(cli->entry_point, c->entry_point);
	assert_int_equal(cli->strong_name.rva, c->sn_rva);
	assert_int_equal(cli->strong_name.size, c->sn_size);
	assert_int_equal(cli->strong_name_mapped, c->sn_off != 0);
	if (c->sn_off)
		assert_int_equal(cli->strong_name_offset, c->sn_off);
	assert_int_equal(cli->metadata.rva, c->md_rva);
	assert_int_equal(cli->metadata.size, c->md_size);
	assert_int_equal(cli->metadata_offset, c->md_off);
	assert_memory_equal(data + cli->metadata_offset, "BSJB", 4);
	assert_int_equal(cli->metadata_major, 1);
	assert_int_equal(cli->metadata_minor, 1);
	assert_string_equal(cli->runtime_version, "v4.0.30319");

	/* streams, in file order (mcs writes them in this order) */
	assert_int_equal(cli->nstreams, 5);
	assert_string_equal(cli->streams[0].name, "#~");
	assert_string_equal(cli->streams[1].name, "#Strings");
	assert_string_equal(cli->streams[2].name, "#US");
	assert_string_equal(cli->streams[3].name, "#GUID");
	assert_string_equal(cli->streams[4].name, "#Blob");
	assert_int_equal(cli->streams[0].file_offset, c->tables_off);
	assert_int_equal(cli->streams[0].offset, c->tables_off - c->md_off);
	assert_int_equal(cli->streams[0].size, c->tables_size);
	assert_int_equal(cli->streams[3].size, 16); /* one GUID: the MVID */
	for (i = 0; i < 5; i++)
		assert_int_equal(cli->streams[i].file_offset,
		    c->md_off + cli->streams[i].offset);
	assert_int_equal(cli->uncompressed_tables, 0);
	assert_int_equal(cli->heap_sizes, 0);
	assert_true(cli->valid_tables == c->valid_mask);
	assert_int_equal(cli->rows[PE_T_MODULE], 1);
	assert_int_equal(cli->rows[PE_T_TYPEDEF], c->typedefs);
	assert_int_equal(cli->rows[PE_T_METHODDEF], c->methods);
	assert_int_equal(cli->rows[PE_T_CUSTOMATTRIBUTE], c->cas);
	assert_int_equal(cli->rows[PE_T_ASSEMBLY], 1);
	assert_int_equal(cli->rows[PE_T_ASSEMBLYREF], c->nrefs);
	for (i = 0; i < 64; i++)
		assert_int_equal(cli->rows[i] != 0, (c->valid_mask >> i) & 1);

	/* Assembly row */
	assert_string_equal(a->name, c->name);
	assert_int_equal(a->version.major, c->ver[0]);
	assert_int_equal(a->version.minor, c->ver[1]);
	assert_int_equal(a->version.build, c->ver[2]);
	assert_int_equal(a->version.revision, c->ver[3]);
	assert_string_equal(a->culture, c->culture);
	assert_int_equal(a->flags, c->asm_flags);
	assert_int_equal(a->hash_alg, ASMGATE_CALG_SHA1);
	if (c->pub) {
		size_t klen;
		uint8_t *key = th_load(c->pub, &klen);
		char tok[17];

		assert_int_equal(a->public_key_len, klen);
		assert_memory_equal(a->public_key, key, klen);
		assert_ptr_equal(a->public_key, data + a->public_key_offset);
		token_of(a->public_key, a->public_key_len, tok);
		assert_string_equal(tok, c->token);
		free(key);
	} else {
		assert_null(a->public_key);
		assert_int_equal(a->public_key_len, 0);
	}

	assert_string_equal(info->module_name, c->module);
	assert_int_equal(info->nattributes, c->nattrs);
	assert_int_equal(info->nreferences, c->nrefs);
	for (i = 0; i < info->nattributes; i++) {
		const asmgate_attribute *at = &info->attributes[i];
		assert_non_null(at->type_namespace);
		assert_non_null(at->type_name);
		/* every attribute monodis lists is an mscorlib type with a
		 * 01 00 prolog (II.23.3) */
		assert_true(at->type_name[0] != '\0');
		assert_true(at->value_len >= 4);
		assert_int_equal(at->value[0], 0x01);
		assert_int_equal(at->value[1], 0x00);
		assert_ptr_equal(at->value, data + at->value_offset);
		assert_true(at->row >= 1 && at->row <= c->cas);
	}
	asmgate_image_free(img);
}

static void
test_pe__valid_samples(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++)
		check_valid(&valid_cases[i]);
}

/* The same file read from memory gives the same facts. */
static void
test_pe__from_memory_matches_open(void **state)
{
	size_t len;
	uint8_t *buf = th_load(CONTOSO, &len);
	asmgate_image *a = open_ok(CONTOSO), *b = mem_ok(buf, len);
	const asmgate_image_info *ia = asmgate_image_get_info(a);
	const asmgate_image_info *ib = asmgate_image_get_info(b);
	size_t blen;

	(void)state;
	assert_ptr_equal(asmgate_image_data(b, &blen), buf);
	assert_int_equal(blen, len);
	assert_string_equal(ia->assembly.name, ib->assembly.name);
	assert_int_equal(ia->assembly.public_key_offset,
	    ib->assembly.public_key_offset);
	assert_int_equal(ia->cli.strong_name_offset, ib->cli.strong_name_offset);
	assert_memory_equal(ia->mvid, ib->mvid, 16);
	assert_memory_equal(ia->cli.rows, ib->cli.rows, sizeof(ia->cli.rows));
	assert_int_equal(ia->nattributes, ib->nattributes);
	asmgate_image_free(a);
	asmgate_image_free(b);
	asmgate_image_free(NULL);
	free(buf);
}

/* objdump -h / -x on contoso-orchestrations.dll; raw sizes from the
 * section headers (PointerToRawData of the next section). */
static void
test_pe__sections(void **state)
{
	static const asmgate_section want[3] = {
		{ ".text", 0xE24, 0x2000, 0x1000, 0x200, 0x60000020u },
		{ ".rsrc", 0x478, 0x4000, 0x600, 0x1200, 0x40000040u },
		{ ".reloc", 0xC, 0x6000, 0x200, 0x1800, 0x42000040u },
	};
	asmgate_image *img = open_ok(CONTOSO);
	const asmgate_pe_info *pe = &asmgate_image_get_info(img)->pe;
	uint32_t i;

	(void)state;
	assert_int_equal(pe->nsections, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(pe->sections[i].name, want[i].name);
		assert_int_equal(pe->sections[i].virtual_size,
		    want[i].virtual_size);
		assert_int_equal(pe->sections[i].virtual_address,
		    want[i].virtual_address);
		assert_int_equal(pe->sections[i].raw_size, want[i].raw_size);
		assert_int_equal(pe->sections[i].raw_offset, want[i].raw_offset);
		assert_int_equal(pe->sections[i].characteristics,
		    want[i].characteristics);
		assert_false(pe->sections[i].characteristics &
		    ASMGATE_SCN_MEM_WRITE);
	}
	/* objdump: data directories 1 (import), 2 (resource), 5 (reloc),
	 * 12 (IAT), 14 (CLR header) */
	assert_int_equal(pe->dirs[1].rva, 0x2DD0);
	assert_int_equal(pe->dirs[1].size, 0x4B);
	assert_int_equal(pe->dirs[2].rva, 0x4000);
	assert_int_equal(pe->dirs[2].size, 0x478);
	assert_int_equal(pe->dirs[PE_DIR_SECURITY].rva, 0);
	assert_int_equal(pe->dirs[5].rva, 0x6000);
	assert_int_equal(pe->dirs[12].rva, 0x2000);
	assert_int_equal(pe->dirs[12].size, 8);
	assert_int_equal(pe->dll_characteristics, 0x8540);
	asmgate_image_free(img);
}

static void
test_pe__pe32plus(void **state)
{
	asmgate_image *img = open_ok("valid/contoso-x64.dll");
	const asmgate_pe_info *pe = &asmgate_image_get_info(img)->pe;

	(void)state;
	/* objdump: Magic 020b (PE32+), .text VirtualSize 0xe4a */
	assert_int_equal(pe->pe32plus, 1);
	assert_int_equal(pe->size_of_optional_header, 0xF0);
	assert_int_equal(pe->section_table_offset, 0x188);
	assert_int_equal(pe->sections[0].virtual_size, 0xE4A);
	assert_int_equal(pe->dirs[PE_DIR_CLI].rva, 0x2010);
	assert_int_equal(pe->dll_characteristics, 0x8540);
	assert_true(pe->image_base == 0x400000);
	asmgate_image_free(img);
}

static void
test_pe__module_mvid(void **state)
{
	/* monodis --module: {80732F2C-2592-410A-8E2C-C1F6CCDAF4A0}, stored
	 * as a GUID (Data1-3 little-endian) */
	static const uint8_t mvid[16] = { 0x2C, 0x2F, 0x73, 0x80, 0x92, 0x25,
		0x0A, 0x41, 0x8E, 0x2C, 0xC1, 0xF6, 0xCC, 0xDA, 0xF4, 0xA0 };
	asmgate_image *img = open_ok(CONTOSO);
	const asmgate_image_info *info = asmgate_image_get_info(img);

	(void)state;
	assert_memory_equal(info->mvid, mvid, 16);
	/* PublicKey blob 0xAB of #Blob (file 0xCF0): prefix 81 20 (288) */
	assert_int_equal(info->assembly.public_key_offset, 0xCF0 + 0xAB + 2);
	assert_int_equal(info->assembly.public_key_len, 288);
	asmgate_image_free(img);
}

/* monodis --assemblyref: every sample references mscorlib 4.0.0.0 with
 * token b77a5c561934e089; fabrikam also System, System.Xml, System.Core. */
static void
test_pe__references(void **state)
{
	static const uint8_t ms[8] = { 0xB7, 0x7A, 0x5C, 0x56, 0x19, 0x34,
		0xE0, 0x89 };
	static const char *names[4] = { "System", "mscorlib", "System.Xml",
		"System.Core" };
	asmgate_image *img = open_ok("valid/fabrikam-adapters.dll");
	const asmgate_image_info *info = asmgate_image_get_info(img);
	uint32_t i;

	(void)state;
	assert_int_equal(info->nreferences, 4);
	for (i = 0; i < 4; i++) {
		const asmgate_reference *r = &info->references[i];
		assert_string_equal(r->name, names[i]);
		assert_string_equal(r->culture, "");
		assert_int_equal(r->version.major, 4);
		assert_int_equal(r->version.minor, 0);
		assert_int_equal(r->version.build, 0);
		assert_int_equal(r->version.revision, 0);
		assert_int_equal(r->flags, 0);
		assert_int_equal(r->public_key_or_token_len, 8);
		assert_memory_equal(r->public_key_or_token, ms, 8);
	}
	asmgate_image_free(img);

	img = open_ok(CONTOSO);
	info = asmgate_image_get_info(img);
	assert_int_equal(info->nreferences, 1);
	assert_string_equal(info->references[0].name, "mscorlib");
	assert_memory_equal(info->references[0].public_key_or_token, ms, 8);
	asmgate_image_free(img);
}

/* A string attribute value: 01 00, SerString, 00 00 (II.23.3). */
static void
check_string_attr(const asmgate_image *img, const char *ns, const char *name,
    const char *s, uint32_t row)
{
	const asmgate_attribute *a = asmgate_image_find_attribute(img, ns, name);
	size_t n = strlen(s);

	if (!a)
		fail_msg("attribute %s.%s not found", ns, name);
	assert_string_equal(a->type_namespace, ns);
	assert_string_equal(a->type_name, name);
	assert_true(n < 128);
	assert_int_equal(a->value_len, 2 + 1 + n + 2);
	assert_int_equal(a->value[0], 0x01);
	assert_int_equal(a->value[1], 0x00);
	assert_int_equal(a->value[2], n);
	assert_memory_equal(a->value + 3, s, n);
	assert_int_equal(a->value[3 + n], 0);
	assert_int_equal(a->value[4 + n], 0);
	assert_int_equal(a->row, row);
}

static void
test_pe__attributes_contoso(void **state)
{
	static const uint8_t comvisible_false[] = { 1, 0, 0, 0, 0 };
	asmgate_image *img = open_ok(CONTOSO);
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_attribute *a;

	(void)state;
	/* monodis --customattr rows 1..8, in this order */
	check_string_attr(img, "System.Reflection", "AssemblyTitleAttribute",
	    "Contoso.Orchestrations", 1);
	check_string_attr(img, "System.Reflection",
	    "AssemblyDescriptionAttribute",
	    "Order processing orchestrations for the Contoso integration "
	    "platform", 2);
	check_string_attr(img, "System.Reflection", "AssemblyCompanyAttribute",
	    "Contoso Ltd.", 3);
	check_string_attr(img, "System.Reflection", "AssemblyProductAttribute",
	    "Contoso Integration Suite", 4);
	check_string_attr(img, "System.Reflection",
	    "AssemblyCopyrightAttribute",
	    "Copyright (c) Contoso Ltd. (test sample)", 5);
	check_string_attr(img, "System.Reflection",
	    "AssemblyFileVersionAttribute", "1.2.3.4", 6);
	a = asmgate_image_find_attribute(img, "System.Runtime.InteropServices",
	    "ComVisibleAttribute");
	assert_non_null(a);
	assert_int_equal(a->row, 7);
	assert_int_equal(a->value_len, sizeof(comvisible_false));
	assert_memory_equal(a->value, comvisible_false, 5);
	a = asmgate_image_find_attribute(img,
	    "System.Runtime.CompilerServices", "RuntimeCompatibilityAttribute");
	assert_non_null(a);
	assert_int_equal(a->row, 8);
	/* the attribute list is in CustomAttribute row order */
	assert_int_equal(info->attributes[0].row, 1);
	assert_int_equal(info->attributes[7].row, 8);
	/* Title: blob 0x1CD of #Blob at 0xCF0, 1-byte length prefix */
	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyTitleAttribute");
	assert_int_equal(a->value_offset, 0xCF0 + 0x1CD + 1);
	/* not on the assembly: MethodDef/Field attributes, pseudo ones */
	assert_null(asmgate_image_find_attribute(img,
	    "System.Runtime.CompilerServices", "CompilerGeneratedAttribute"));
	assert_null(asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyVersionAttribute"));
	assert_null(asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyDelaySignAttribute"));
	assert_null(asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblySignatureKeyAttribute"));
	/* the full name must match, not a part */
	assert_null(asmgate_image_find_attribute(img, "System",
	    "AssemblyTitleAttribute"));
	assert_null(asmgate_image_find_attribute(img, "",
	    "AssemblyTitleAttribute"));
	asmgate_image_free(img);
}

static void
test_pe__attributes_delay_sign(void **state)
{
	/* [assembly: AssemblyDelaySign(true)]: 01 00 01 00 00 (monodis
	 * --customattr row 8 "[true]"; reference notes 3.5) */
	static const uint8_t delay_true[] = { 1, 0, 1, 0, 0 };
	asmgate_image *img = open_ok("states/delay-signed.dll");
	const asmgate_attribute *a;

	(void)state;
	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyDelaySignAttribute");
	assert_non_null(a);
	assert_int_equal(a->row, 8);
	assert_int_equal(a->value_len, 5);
	assert_memory_equal(a->value, delay_true, 5);
	check_string_attr(img, "System.Reflection", "AssemblyTitleAttribute",
	    "Contoso.Orchestrations", 1);
	check_string_attr(img, "System.Reflection", "AssemblyCompanyAttribute",
	    "Contoso Ltd.", 3);
	asmgate_image_free(img);
}

static void
test_pe__attributes_other_samples(void **state)
{
	asmgate_image *img;

	(void)state;
	img = open_ok("valid/satellite-fr.dll");
	check_string_attr(img, "System.Reflection", "AssemblyTitleAttribute",
	    "Contoso.Orchestrations.resources", 1);
	check_string_attr(img, "System.Reflection", "AssemblyCompanyAttribute",
	    "Contoso Ltd.", 2);
	check_string_attr(img, "System.Reflection", "AssemblyProductAttribute",
	    "Contoso Integration Suite", 3);
	/* AssemblyCulture is a pseudo-attribute: the Culture column */
	assert_null(asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyCultureAttribute"));
	asmgate_image_free(img);

	img = open_ok("valid/hello.exe");
	check_string_attr(img, "System.Reflection", "AssemblyTitleAttribute",
	    "Hello", 1);
	check_string_attr(img, "System.Reflection", "AssemblyCompanyAttribute",
	    "asmgate test samples", 2);
	asmgate_image_free(img);

	img = open_ok("valid/fabrikam-adapters.dll");
	check_string_attr(img, "System.Reflection", "AssemblyCompanyAttribute",
	    "Fabrikam, Inc.", 3);
	check_string_attr(img, "System.Reflection",
	    "AssemblyFileVersionAttribute", "2.0.17.0", 6);
	asmgate_image_free(img);

	img = open_ok("valid/signed-4096.dll");
	check_string_attr(img, "System.Reflection", "AssemblyTitleAttribute",
	    "Key-size test library", 1);
	asmgate_image_free(img);
}

/* samples/module: a module has no Assembly row (monodis --assembly
 * prints an empty table). */
static void
test_pe__module_no_assembly(void **state)
{
	asmgate_image *img = (asmgate_image *)(uintptr_t)1;
	asmgate_error e;

	(void)state;
	asmgate_error_clear(&e);
	assert_int_equal(asmgate_image_open(&img, th_path(
	    "module/helper.netmodule"), &e), ASMGATE_E_NO_ASSEMBLY);
	assert_null(img);
	/* the tables stream (#~ at 0x2E0) is where the answer is */
	assert_true(e.has_offset);
	assert_int_equal(e.offset, 0x2E0);
}

static void
test_pe__open_errors(void **state)
{
	asmgate_image *img = (asmgate_image *)(uintptr_t)1;
	asmgate_error e;

	(void)state;
	assert_int_equal(asmgate_image_open(&img, th_path("no-such-file.dll"),
	    &e), ASMGATE_E_IO);
	assert_null(img);
	img = (asmgate_image *)(uintptr_t)1;
	assert_int_equal(asmgate_image_open(&img, th_path("valid"), &e),
	    ASMGATE_E_IO);
	assert_null(img);
	assert_int_equal(asmgate_image_from_memory(&img, NULL, 0, &e),
	    ASMGATE_E_EMPTY);
	assert_null(img);
	assert_int_equal(asmgate_image_from_memory(&img, "MZ", 0, &e),
	    ASMGATE_E_EMPTY);
	/* above the 1 GiB cap: refused before a byte is read */
	assert_int_equal(asmgate_image_from_memory(&img, "MZ",
	    RD_MAX_FILE_BYTES + 1, &e), ASMGATE_E_LIMIT);
	assert_null(img);
}

/* ------------------------------------------------ malformed samples */

/* Every file in samples/malformed/. Offsets are the field offsets in
 * samples/malformed/README.md (and for tables-rowcount-huge the start of
 * the TypeDef table, hand-computed: #~ 0x4B8 + 24-byte header + 15 row
 * counts + Module 1x10 + TypeRef 17x6 = 0x57C). "ok" files are valid to
 * the reader: their defect is for verify/ to judge. */
struct bad_case {
	const char *file;
	asmgate_status st;
	uint64_t off;
};

static const struct bad_case bad_cases[] = {
	{ "empty.dll", ASMGATE_E_EMPTY, 0 },
	{ "not-pe.txt", ASMGATE_E_NOT_PE, 0 },
	/* e_lfanew at 0x3C needs 0x40 bytes; the file has 40 (0x28) */
	{ "truncated-dos-header.dll", ASMGATE_E_TRUNCATED, 0x28 },
	/* COFF header at 0x84 */
	{ "truncated-pe-header.dll", ASMGATE_E_TRUNCATED, 0x84 },
	/* .text SizeOfRawData field: section table 0x178 + 16 */
	{ "truncated-section-data.dll", ASMGATE_E_TRUNCATED, 0x188 },
	{ "bad-mz.dll", ASMGATE_E_NOT_PE, 0 },
	{ "bad-pe-signature.dll", ASMGATE_E_NOT_PE, 0x80 },
	{ "lfanew-past-eof.dll", ASMGATE_E_NOT_PE, 0x3C },
	{ "lfanew-unaligned-huge.dll", ASMGATE_E_NOT_PE, 0x3C },
	{ "too-many-sections.dll", ASMGATE_E_LIMIT, 0x86 },
	{ "section-raw-past-eof.dll", ASMGATE_E_TRUNCATED, 0x188 },
	{ "section-raw-size-overflow.dll", ASMGATE_E_TRUNCATED, 0x188 },
	{ "bad-optional-magic.dll", ASMGATE_E_MALFORMED, 0x98 },
	{ "not-dotnet.dll", ASMGATE_E_NOT_DOTNET, 0x168 },
	{ "cli-header-rva-outside-sections.dll", ASMGATE_E_MALFORMED, 0x168 },
	{ "cli-header-too-small.dll", ASMGATE_E_MALFORMED, 0x168 },
	{ "metadata-rva-past-section.dll", ASMGATE_E_MALFORMED, 0x210 },
	{ "bad-bsjb-signature.dll", ASMGATE_E_MALFORMED, 0x44C },
	{ "metadata-version-length-huge.dll", ASMGATE_E_MALFORMED, 0x458 },
	{ "stream-count-huge.dll", ASMGATE_E_LIMIT, 0x46A },
	{ "stream-offset-past-metadata.dll", ASMGATE_E_MALFORMED, 0x46C },
	/* the fifth stream header is at 0x4A8, its name at 0x4B0 */
	{ "stream-name-unterminated.dll", ASMGATE_E_MALFORMED, 0x4B0 },
	/* no tables stream: reported at the metadata root */
	{ "missing-tables-stream.dll", ASMGATE_E_MALFORMED, 0x44C },
	{ "tables-rowcount-huge.dll", ASMGATE_E_TRUNCATED, 0x57C },
	{ "tables-rowcount-highbyte.dll", ASMGATE_E_LIMIT, 0x4D8 },
	/* Assembly row 1 at 0x85E (Name column at +18 = 0x870) */
	{ "strings-index-out-of-range.dll", ASMGATE_E_MALFORMED, 0x85E },
	{ "blob-length-overflow.dll", ASMGATE_E_MALFORMED, 0x85E },
	/* helper.netmodule: #~ at 0x2E0 */
	{ "no-assembly-row.netmodule", ASMGATE_E_NO_ASSEMBLY, 0x2E0 },
	{ "sig-size-mismatch.dll", ASMGATE_OK, 0 },
	{ "sig-rva-outside-sections.dll", ASMGATE_OK, 0 },
	{ "sig-straddles-section-end.dll", ASMGATE_OK, 0 },
	{ "sig-overlaps-cor-header.dll", ASMGATE_OK, 0 },
	{ "flag-signed-no-sig-dir.dll", ASMGATE_OK, 0 },
	{ "cor-flags-unknown-bit.dll", ASMGATE_OK, 0 },
	/* PE32+: DataDirectory[14] at 0x80 + 24 + 112 + 14 * 8 */
	{ "x64-not-dotnet.dll", ASMGATE_E_NOT_DOTNET, 0x178 },
	/* the optional header at 0x98 needs 0xF0 bytes; the file ends
	 * at 0x180 */
	{ "x64-truncated-optional-header.dll", ASMGATE_E_TRUNCATED, 0x98 },
	/* minimized fuzz finds (test_pe__rva_to_offset_*,
	 * test_pe__error_messages_printable). The second: e_lfanew 0x40,
	 * SizeOfOptionalHeader 0x65, so the section table is at 0xBD and
	 * section 1's SizeOfRawData at 0xCD. */
	{ "fuzz-empty-section-offset-past-eof.dll", ASMGATE_OK, 0 },
	{ "fuzz-section-name-newline.dll", ASMGATE_E_TRUNCATED, 0xCD },
};

static void
test_pe__malformed_samples(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char rel[256];
		asmgate_image *img = NULL;
		asmgate_error e;
		asmgate_status st;
		size_t len;
		uint8_t *buf;

		snprintf(rel, sizeof(rel), "malformed/%s", c->file);
		asmgate_error_clear(&e);
		st = asmgate_image_open(&img, th_path(rel), &e);
		if (st != c->st)
			fail_msg("%s: expected %s, got %s: %s", c->file,
			    asmgate_status_name(c->st), asmgate_status_name(st),
			    e.msg);
		if (st == ASMGATE_OK) {
			assert_non_null(img);
			asmgate_image_free(img);
			continue;
		}
		assert_null(img);
		assert_int_equal(e.code, c->st);
		assert_true(e.has_offset);
		if (e.offset != c->off)
			fail_msg("%s: expected offset 0x%llx, got 0x%llx (%s)",
			    c->file, (unsigned long long)c->off,
			    (unsigned long long)e.offset, e.msg);
		assert_true(e.msg[0] != '\0');
		/* the same from memory */
		buf = th_load(rel, &len);
		mem_fails(buf, len, c->st, c->off);
		free(buf);
	}
}

/* Every file in samples/malformed/ has an entry above. */
static void
test_pe__malformed_all_listed(void **state)
{
	DIR *d = opendir(th_path("malformed"));
	struct dirent *ent;
	unsigned files = 0;

	(void)state;
	assert_non_null(d);
	while ((ent = readdir(d)) != NULL) {
		size_t i, nl = strlen(ent->d_name);
		int found = 0;

		if (ent->d_name[0] == '.' ||
		    (nl > 3 && strcmp(ent->d_name + nl - 3, ".md") == 0))
			continue;
		for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
			if (strcmp(bad_cases[i].file, ent->d_name) == 0)
				found = 1;
		if (!found)
			fail_msg("samples/malformed/%s has no expected status in "
			    "test_pe.c", ent->d_name);
		files++;
	}
	closedir(d);
	assert_int_equal(files, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* The sig-* and flag files parse; the reader reports what is there and
 * leaves the judgement to verify/. Values from malformed/README.md. */
static void
test_pe__malformed_signature_slots(void **state)
{
	asmgate_image *img;
	const asmgate_cli_info *cli;

	(void)state;
	img = open_ok("malformed/sig-size-mismatch.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_int_equal(cli->strong_name.size, 0x80);
	assert_true(cli->strong_name_mapped);
	assert_int_equal(cli->strong_name_offset, 0x34C);
	asmgate_image_free(img);

	img = open_ok("malformed/sig-rva-outside-sections.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_int_equal(cli->strong_name.rva, 0x16000);
	assert_false(cli->strong_name_mapped);
	asmgate_image_free(img);

	/* RVA 0x2DA4 + 0x100 passes .text's VirtualSize (0xE24) but not its
	 * raw data (0x1000): the reader maps raw ranges, file 0x200 + 0xDA4 */
	img = open_ok("malformed/sig-straddles-section-end.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_true(cli->strong_name_mapped);
	assert_int_equal(cli->strong_name_offset, 0xFA4);
	asmgate_image_free(img);

	img = open_ok("malformed/sig-overlaps-cor-header.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_true(cli->strong_name_mapped);
	assert_int_equal(cli->strong_name_offset, 0x208);
	assert_int_equal(cli->header_offset, 0x208);
	asmgate_image_free(img);

	img = open_ok("malformed/flag-signed-no-sig-dir.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_int_equal(cli->flags, 0x9);
	assert_int_equal(cli->strong_name.rva, 0);
	assert_int_equal(cli->strong_name.size, 0);
	assert_false(cli->strong_name_mapped);
	asmgate_image_free(img);

	img = open_ok("malformed/cor-flags-unknown-bit.dll");
	cli = &asmgate_image_get_info(img)->cli;
	assert_int_equal(cli->flags, 0x00100009u);
	asmgate_image_free(img);
}

/* ------------------------------------- mutations of contoso in memory */

static uint8_t *
contoso(size_t *len)
{
	uint8_t *b = th_load(CONTOSO, len);
	assert_int_equal(*len, 6656);
	/* guard the layout every mutation below relies on */
	assert_memory_equal(b + 0x80, "PE\0\0", 4);
	assert_int_equal(b[0x98], 0x0B);
	assert_memory_equal(b + 0x44C, "BSJB", 4);
	assert_memory_equal(b + 0x474, "#~", 3);
	return b;
}

static void
test_pe__rva_count_below_15(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	/* NumberOfRvaAndSizes at O + 92 = 0xF4: 14 directories end before
	 * the CLI header (directory 14) */
	th_put_u32(b + 0xF4, 14);
	mem_fails(b, len, ASMGATE_E_NOT_DOTNET, 0x168);
	th_put_u32(b + 0xF4, 0);
	mem_fails(b, len, ASMGATE_E_NOT_DOTNET, 0x168);
	free(b);
}

static void
test_pe__rva_count_huge(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	/* only 16 directories are defined: more is capped, not an error */
	th_put_u32(b + 0xF4, 0xFFFFFFFFu);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->pe.number_of_rva_and_sizes,
	    0xFFFFFFFFu);
	assert_string_equal(asmgate_image_get_info(img)->assembly.name,
	    "Contoso.Orchestrations");
	asmgate_image_free(img);
	free(b);
}

static void
test_pe__optional_header_too_small(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	/* SizeOfOptionalHeader at L + 20 = 0x94 */
	th_put_u16(b + 0x94, 0x40); /* less than the 96-byte PE32 part */
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x98);
	th_put_u16(b + 0x94, 0);    /* not even the magic */
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x98);
	th_put_u16(b + 0x94, 1);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x98);
	/* 96 bytes: room for no directory, but 16 are declared (0xF4) */
	th_put_u16(b + 0x94, 96);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0xF4);
	/* larger than the file */
	th_put_u16(b + 0x94, 0xFFFF);
	mem_fails(b, len, ASMGATE_E_TRUNCATED, 0x98);
	free(b);
}

static void
test_pe__pe_header_mutations(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	/* e_lfanew inside the DOS header */
	th_put_u32(b + 0x3C, 0x20);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x3C);
	th_put_u32(b + 0x3C, 0x80);
	/* no sections */
	th_put_u16(b + 0x86, 0);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x86);
	th_put_u16(b + 0x86, 97);
	mem_fails(b, len, ASMGATE_E_LIMIT, 0x86);
	th_put_u16(b + 0x86, 3);
	/* cut inside .reloc's raw data (0x1800..0x1A00): third section
	 * header at 0x178 + 80, its SizeOfRawData at +16 */
	mem_fails(b, 0x1900, ASMGATE_E_TRUNCATED, 0x1D8);
	/* cut inside the section table */
	mem_fails(b, 0x180, ASMGATE_E_TRUNCATED, 0x178);
	free(b);
}

static void
test_pe__overlay(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len), *big;
	asmgate_image *img;

	(void)state;
	big = calloc(1, len + 100);
	assert_non_null(big);
	memcpy(big, b, len);
	img = mem_ok(big, len + 100);
	assert_int_equal(asmgate_image_get_info(img)->pe.overlay_offset, 0x1A00);
	assert_int_equal(asmgate_image_get_info(img)->pe.overlay_size, 100);
	assert_int_equal(asmgate_image_get_info(img)->pe.file_size, len + 100);
	asmgate_image_free(img);
	free(big);
	free(b);
}

static void
test_pe__cor_mutations(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	/* COR20 at 0x208: cb below 72 with a large enough directory */
	th_put_u32(b + 0x208, 0x40);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x208);
	th_put_u32(b + 0x208, 72);
	/* no metadata directory (MetaData.Size at 0x214) */
	th_put_u32(b + 0x214, 0);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x210);
	th_put_u32(b + 0x214, 0xB78);
	/* CLI header straddling the end of .text's raw data: RVA
	 * 0x2000 + 0x1000 - 8 */
	th_put_u32(b + 0x168, 0x2FF8);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x168);
	free(b);
}

/* Rewrite contoso's stream directory (at 0x46C; 76 bytes, count at
 * 0x46A) with n headers. Offsets are from the metadata root 0x44C. */
struct sh {
	uint32_t off, size;
	const char *name;
};

#define S_TABLES { 0x6C, 0x3D4, "#~" }
#define S_STRINGS { 0x440, 0x414, "#Strings" }
#define S_US { 0x854, 0x40, "#US" }
#define S_GUID { 0x894, 0x10, "#GUID" }
#define S_BLOB { 0x8A4, 0x2D4, "#Blob" }

static void
set_streams(uint8_t *b, const struct sh *s, unsigned n)
{
	size_t p = 0x46C, i;

	th_put_u16(b + 0x46A, (uint16_t)n);
	memset(b + 0x46C, 0, 0x4B8 - 0x46C);
	for (i = 0; i < n; i++) {
		size_t nl = strlen(s[i].name) + 1;
		th_put_u32(b + p, s[i].off);
		th_put_u32(b + p + 4, s[i].size);
		memcpy(b + p + 8, s[i].name, nl);
		p += 8 + ((nl + 3) & ~(size_t)3);
		assert_true(p <= 0x4B8);
	}
}

static void
test_pe__streams_rewritten_identity(void **state)
{
	static const struct sh same[] = { S_TABLES, S_STRINGS, S_US, S_GUID,
		S_BLOB };
	static const struct sh no_us[] = { S_TABLES, S_STRINGS, S_GUID,
		S_BLOB, { 0, 0, "#XY" } };
	size_t len;
	uint8_t *b = contoso(&len), *orig = th_load(CONTOSO, &len);
	asmgate_image *img;

	(void)state;
	/* the helper writes exactly what mcs wrote */
	set_streams(b, same, 5);
	assert_memory_equal(b, orig, len);
	/* unknown stream names are skipped; #US is not needed */
	set_streams(b, no_us, 5);
	img = mem_ok(b, len);
	assert_string_equal(asmgate_image_get_info(img)->cli.streams[4].name,
	    "#XY");
	assert_string_equal(asmgate_image_get_info(img)->assembly.name,
	    "Contoso.Orchestrations");
	asmgate_image_free(img);
	free(orig);
	free(b);
}

static void
test_pe__duplicate_strings_stream(void **state)
{
	static const struct sh dup[] = { S_TABLES, S_STRINGS, S_STRINGS,
		S_BLOB };
	static const struct sh dupblob[] = { S_TABLES, S_STRINGS, S_BLOB,
		S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	set_streams(b, dup, 4);
	/* third header: 0x46C + 12 (#~) + 20 (#Strings) */
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x48C);
	set_streams(b, dupblob, 4);
	/* fourth header: 0x46C + 12 + 20 + 16 */
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x49C);
	free(b);
}

static void
test_pe__two_tables_streams(void **state)
{
	static const struct sh two[] = { S_TABLES, { 0x6C, 0x3D4, "#-" },
		S_STRINGS, S_BLOB };
	static const struct sh twice[] = { S_TABLES, S_TABLES, S_STRINGS,
		S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len);

	(void)state;
	set_streams(b, two, 4);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x478); /* second header */
	set_streams(b, twice, 4);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x478);
	free(b);
}

static void
test_pe__uncompressed_tables_name(void **state)
{
	static const struct sh minus[] = { { 0x6C, 0x3D4, "#-" }, S_STRINGS,
		S_US, S_GUID, S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	set_streams(b, minus, 5);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->cli.uncompressed_tables,
	    1);
	asmgate_image_free(img);
	free(b);
}

static void
test_pe__missing_heaps(void **state)
{
	static const struct sh no_strings[] = { S_TABLES, S_US, S_GUID,
		S_BLOB };
	static const struct sh no_blob[] = { S_TABLES, S_STRINGS, S_US,
		S_GUID };
	static const struct sh no_guid[] = { S_TABLES, S_STRINGS, S_US,
		S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;
	static const uint8_t zero[16];

	(void)state;
	/* Module row 1 (0x50C) names string 0x3F7: no #Strings */
	set_streams(b, no_strings, 4);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x50C);
	/* Assembly row 1 (0x85E) has PublicKey blob 0xAB: no #Blob */
	set_streams(b, no_blob, 4);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x85E);
	/* no #GUID: the MVID is unknown, which is not an error */
	set_streams(b, no_guid, 4);
	img = mem_ok(b, len);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, zero, 16);
	asmgate_image_free(img);
	free(b);
}

/* #JTD makes every heap and table index 4 bytes (reference 3.2). With
 * contoso's narrow rows the tables no longer fit the #~ stream: with
 * wide indexes Module is 18 bytes, TypeRef 12, TypeDef 24, Field 10,
 * MethodDef 20, Param 8, so MemberRef starts at 0x54 + 18 + 204 + 120
 * + 100 + 280 + 48 = 0x356 and its 19 x 12 bytes pass 0x3D4. */
static void
test_pe__jtd_stream_makes_indexes_wide(void **state)
{
	static const struct sh jtd[] = { S_TABLES, S_STRINGS, S_BLOB,
		{ 0, 0, "#JTD" } };
	static const struct sh nojtd[] = { S_TABLES, S_STRINGS, S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	set_streams(b, nojtd, 3);
	img = mem_ok(b, len);
	asmgate_image_free(img);
	set_streams(b, jtd, 4);
	mem_fails(b, len, ASMGATE_E_TRUNCATED, 0x4B8 + 0x356);
	free(b);
}

static void
test_pe__unknown_table_bit(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);
	uint8_t save;

	(void)state;
	/* Valid mask at #~ + 8 = 0x4C0; table 0x2D is bit 5 of byte 5 */
	save = b[0x4C5];
	b[0x4C5] |= 0x20;
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x4C0);
	b[0x4C5] = save;
	/* 0x38 (past the Portable PDB tables) and 63 */
	b[0x4C7] |= 0x01;
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x4C0);
	b[0x4C7] = 0x80;
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x4C0);
	free(b);
}

static void
test_pe__heap_sizes_ignored_bits(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	/* HeapSizes at 0x4BE: 0x20 (EnC) and 0x80 (deleted marks) do not
	 * change any width */
	b[0x4BE] = 0xA0;
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->cli.heap_sizes, 0xA0);
	assert_string_equal(asmgate_image_get_info(img)->assembly.name,
	    "Contoso.Orchestrations");
	asmgate_image_free(img);
	/* 0x01: #Strings indexes become 4 bytes and the rows no longer
	 * fit: Module 12, TypeRef 17 x 10, TypeDef 5 x 18, Field 10 x 8,
	 * MethodDef 14 x 16, Param 6 x 8, MemberRef 19 x 8, Constant 4 x 6,
	 * so CustomAttribute starts at 0x54 + 800 = 0x374 and its 24 x 6
	 * bytes pass 0x3D4 */
	b[0x4BE] = 0x01;
	mem_fails(b, len, ASMGATE_E_TRUNCATED, 0x4B8 + 0x374);
	free(b);
}

static void
test_pe__guid_index_out_of_range(void **state)
{
	static const uint8_t zero[16];
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	/* Module row 0x50C: Generation, Name, Mvid (at 0x510) = 1 */
	assert_int_equal(b[0x510], 1);
	th_put_u16(b + 0x510, 2); /* #GUID holds one entry */
	img = mem_ok(b, len);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, zero, 16);
	asmgate_image_free(img);
	th_put_u16(b + 0x510, 0xFFFF);
	img = mem_ok(b, len);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, zero, 16);
	asmgate_image_free(img);
	th_put_u16(b + 0x510, 0);
	img = mem_ok(b, len);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, zero, 16);
	asmgate_image_free(img);
	free(b);
}

static void
test_pe__row_mutations(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;

	(void)state;
	/* Assembly row 0x85E: Culture (at +20) past #Strings (0x414) */
	th_put_u16(b + 0x85E + 20, 0x414);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x85E);
	th_put_u16(b + 0x85E + 20, 0);
	/* Name 0: empty assembly name */
	th_put_u16(b + 0x85E + 18, 0);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x85E);
	th_put_u16(b + 0x85E + 18, 0x0A);
	img = mem_ok(b, len);
	asmgate_image_free(img);
	/* AssemblyRef (the last table, count at 0x4D0 + 14 * 4) with 0
	 * rows: no references */
	th_put_u32(b + 0x4D0 + 14 * 4, 0);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->nreferences, 0);
	assert_null(asmgate_image_get_info(img)->references);
	asmgate_image_free(img);
	free(b);
}

/* CustomAttribute row 1 (0x770; Type at 0x772, MemberRef 12 = 0x63)
 * retargeted at MethodDefs of contoso. monodis --typedef: TypeDef 3
 * OrderMessage mlist 1, 4 OrderProcessingOrchestration mlist 10, 5
 * ShipmentCorrelation mlist 14; 14 MethodDefs. */
static void
test_pe__methoddef_attribute(void **state)
{
	static const struct {
		uint16_t type;
		const char *ns, *name;
	} c[] = {
		{ (11 << 3) | 2, "Contoso.Orchestrations",
		  "OrderProcessingOrchestration" },
		{ (10 << 3) | 2, "Contoso.Orchestrations",
		  "OrderProcessingOrchestration" },
		{ (9 << 3) | 2, "Contoso.Orchestrations", "OrderMessage" },
		{ (1 << 3) | 2, "Contoso.Orchestrations", "OrderMessage" },
		{ (14 << 3) | 2, "Contoso.Orchestrations",
		  "ShipmentCorrelation" },
		{ (15 << 3) | 2, "", "" },  /* past the MethodDef table */
		{ (0 << 3) | 2, "", "" },   /* null */
		{ (12 << 3) | 0, "", "" },  /* tag 0 is not used */
		{ (12 << 3) | 4, "", "" },  /* tag 4 is not used */
		{ (12 << 3) | 7, "", "" },  /* no such tag */
		{ (20 << 3) | 3, "", "" },  /* past the MemberRef table */
		/* MemberRef 8 has a TypeSpec parent (MemberRefParent tag 4) */
		{ (8 << 3) | 3, "", "" },
		{ (12 << 3) | 3, "System.Reflection", "AssemblyTitleAttribute" },
	};
	size_t len, i;
	uint8_t *b = contoso(&len);

	(void)state;
	assert_int_equal(b[0x772], 0x63);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		asmgate_image *img;
		const asmgate_attribute *a;

		th_put_u16(b + 0x772, c[i].type);
		img = mem_ok(b, len);
		a = &asmgate_image_get_info(img)->attributes[0];
		assert_int_equal(asmgate_image_get_info(img)->nattributes, 8);
		assert_int_equal(a->row, 1);
		if (strcmp(a->type_namespace, c[i].ns) != 0 ||
		    strcmp(a->type_name, c[i].name) != 0)
			fail_msg("type 0x%x: got %s.%s, expected %s.%s",
			    c[i].type, a->type_namespace, a->type_name, c[i].ns,
			    c[i].name);
		/* the value is read whatever the type */
		assert_int_equal(a->value_len, 27);
		if (c[i].name[0] == '\0') {
			assert_null(asmgate_image_find_attribute(img,
			    "System.Reflection", "AssemblyTitleAttribute"));
			assert_non_null(asmgate_image_find_attribute(img, "",
			    ""));
		}
		asmgate_image_free(img);
	}
	free(b);
}

/* pe_rva_to_offset: a range must lie inside one section's raw data
 * (contoso: .text RVA 0x2000 raw 0x1000 at 0x200; .rsrc 0x4000 raw
 * 0x600 at 0x1200; .reloc 0x6000 raw 0x200 at 0x1800). */
static void
test_pe__rva_to_offset(void **state)
{
	asmgate_image *img = open_ok(CONTOSO);
	uint64_t off = 0;
	uint32_t sec = 99;

	(void)state;
	assert_true(pe_rva_to_offset(img, 0x2000, 72, &off, &sec));
	assert_int_equal(off, 0x200);
	assert_int_equal(sec, 0);
	assert_true(pe_rva_to_offset(img, 0x214C, 0x100, &off, NULL));
	assert_int_equal(off, 0x34C);
	/* the last bytes of .text's raw data, and one byte more */
	assert_true(pe_rva_to_offset(img, 0x2FF0, 0x10, &off, &sec));
	assert_int_equal(off, 0x11F0);
	assert_false(pe_rva_to_offset(img, 0x2FF0, 0x11, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0x2FFF, 2, &off, &sec));
	/* a range across the gap into .rsrc */
	assert_false(pe_rva_to_offset(img, 0x3FFF, 2, &off, &sec));
	assert_true(pe_rva_to_offset(img, 0x4000, 0x600, &off, &sec));
	assert_int_equal(off, 0x1200);
	assert_int_equal(sec, 1);
	assert_false(pe_rva_to_offset(img, 0x4000, 0x601, &off, &sec));
	assert_true(pe_rva_to_offset(img, 0x61FF, 1, &off, &sec));
	assert_int_equal(off, 0x19FF);
	assert_int_equal(sec, 2);
	/* before every section (the headers), past them, and wrapping */
	assert_false(pe_rva_to_offset(img, 0x1FFF, 1, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0, 1, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0x6200, 1, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0xFFFFFFFFu, 1, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0x2000, 0xFFFFFFFFu, &off, &sec));
	assert_false(pe_rva_to_offset(img, 0xFFFFFFF0u, 0x20, &off, &sec));
	/* empty ranges: at the end of raw data still maps, into nothing */
	assert_true(pe_rva_to_offset(img, 0x3000, 0, &off, &sec));
	assert_int_equal(off, 0x1200);
	assert_false(pe_rva_to_offset(img, 0x3001, 0, &off, &sec));
	/* the public wrapper */
	assert_true(asmgate_image_rva_to_offset(img, 0x224C, 0xB78, &off));
	assert_int_equal(off, 0x44C);
	assert_false(asmgate_image_rva_to_offset(img, 0x2E1C, 0xB78, &off));
	asmgate_image_free(img);
}

/* A section with no raw data (SizeOfRawData 0) and a PointerToRawData
 * far past the end of the file: nothing maps into it, not even an empty
 * range (found by fuzz_pe: the offset came back as 0x40000000). .reloc
 * is the third section header, 0x178 + 80: VirtualAddress at +12,
 * SizeOfRawData at +16, PointerToRawData at +20. */
static void
test_pe__rva_to_offset_section_without_raw_data(void **state)
{
	size_t len;
	uint8_t *b = contoso(&len);
	asmgate_image *img;
	uint64_t off = 0;

	(void)state;
	th_put_u32(b + 0x1C8 + 16, 0);
	th_put_u32(b + 0x1C8 + 20, 0x40000000u);
	img = mem_ok(b, len);
	assert_false(pe_rva_to_offset(img, 0x6000, 0, &off, NULL));
	assert_false(pe_rva_to_offset(img, 0x6000, 1, &off, NULL));
	assert_false(asmgate_image_rva_to_offset(img, 0x6000, 0, &off));
	/* the overlay now starts after .rsrc */
	assert_int_equal(asmgate_image_get_info(img)->pe.overlay_offset,
	    0x1800);
	asmgate_image_free(img);
	free(b);

	/* the minimized fuzz input: sections 2 and 3 are at RVA 0 with no
	 * raw data, section 2 at file offset 0x40000000 */
	img = open_ok("malformed/fuzz-empty-section-offset-past-eof.dll");
	assert_int_equal(asmgate_image_get_info(img)->pe.sections[1].raw_offset,
	    0x40000000u);
	assert_false(asmgate_image_rva_to_offset(img, 0, 0, &off));
	assert_false(asmgate_image_rva_to_offset(img, 0, 1, &off));
	asmgate_image_free(img);
}

/* Names from the file in error messages: a newline or an escape would
 * break the one-line "PATH: error: WHAT" report (and reach the
 * terminal); they come out as '?'. */
static void
check_printable(const char *msg)
{
	const unsigned char *p;

	for (p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p >= 0x7F)
			fail_msg("byte 0x%02x in message: %s", *p, msg);
}

static void
test_pe__error_messages_printable(void **state)
{
	static const struct sh bad_name[] = { { 0x1B78, 0x3D4, "#\n\x1b" },
		S_STRINGS, S_US, S_GUID, S_BLOB };
	size_t len;
	uint8_t *b = contoso(&len), *f;
	asmgate_image *img = NULL;
	asmgate_error e;

	(void)state;
	/* .text (header 0x178): name and SizeOfRawData past the end */
	memcpy(b + 0x178, "\n\x1b[2J\x7f\xff", 8);
	th_put_u32(b + 0x188, 0x2800);
	mem_fails(b, len, ASMGATE_E_TRUNCATED, 0x188);
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &e),
	    ASMGATE_E_TRUNCATED);
	check_printable(e.msg);
	/* (split: "??" starts a trigraph) */
	assert_non_null(strstr(e.msg, "section 1 (?" "?[2J?" "?)"));
	free(b);

	/* a stream header with a control character in its name whose
	 * range lies outside the metadata */
	b = contoso(&len);
	set_streams(b, bad_name, 5);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x46C);
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &e),
	    ASMGATE_E_MALFORMED);
	check_printable(e.msg);
	assert_non_null(strstr(e.msg, "stream #?" "? ["));
	free(b);

	/* the fuzz find: section name "82\nb5d5d" */
	f = th_load("malformed/fuzz-section-name-newline.dll", &len);
	assert_int_equal(asmgate_image_from_memory(&img, f, len, &e),
	    ASMGATE_E_TRUNCATED);
	check_printable(e.msg);
	assert_non_null(strstr(e.msg, "(82?b5d5d)"));
	free(f);

	/* every malformed sample's message */
	{
		size_t i;
		char rel[256];

		for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
			snprintf(rel, sizeof(rel), "malformed/%s",
			    bad_cases[i].file);
			asmgate_error_clear(&e);
			if (asmgate_image_open(&img, th_path(rel), &e) ==
			    ASMGATE_OK)
				asmgate_image_free(img);
			else
				check_printable(e.msg);
		}
	}
}

/* -------------------------------------------------- heaps and tables */

static void
test_pe__heap_string(void **state)
{
	static const uint8_t s[] = { 0, 'a', 'b', 0, 'c', 'd' };
	pe_heap h;
	const char *out;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(pe_heap_string(&h, 0, &out)); /* absent: only index 0 */
	assert_string_equal(out, "");
	assert_false(pe_heap_string(&h, 1, &out));
	h.present = 1;
	rd_init(&h.r, s, sizeof(s), 0x100);
	assert_true(pe_heap_string(&h, 1, &out));
	assert_string_equal(out, "ab");
	assert_true(pe_heap_string(&h, 2, &out));
	assert_string_equal(out, "b");
	assert_true(pe_heap_string(&h, 3, &out));
	assert_string_equal(out, "");
	assert_false(pe_heap_string(&h, 4, &out)); /* runs off the heap */
	assert_false(pe_heap_string(&h, 6, &out));
	assert_false(pe_heap_string(&h, 0xFFFFFFFFu, &out));
}

static void
test_pe__heap_string_max(void **state)
{
	uint8_t *s = calloc(1, RD_MAX_NAME_BYTES + 3);
	pe_heap h;
	const char *out;

	(void)state;
	assert_non_null(s);
	memset(s + 1, 'x', RD_MAX_NAME_BYTES + 1);
	h.present = 1;
	rd_init(&h.r, s, RD_MAX_NAME_BYTES + 3, 0);
	assert_false(pe_heap_string(&h, 1, &out)); /* 1025 chars */
	assert_true(pe_heap_string(&h, 2, &out));  /* 1024 chars */
	assert_int_equal(strlen(out), RD_MAX_NAME_BYTES);
	free(s);
}

static void
test_pe__heap_blob(void **state)
{
	static const uint8_t b[] = { 0, 3, 'a', 'b', 'c', 0x80, 0x02, 'x',
		'y', 0xE0, 5, 4, 'z' };
	pe_heap h;
	const uint8_t *out = (const uint8_t *)"";
	size_t len = 99;
	uint64_t off = 99;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(pe_heap_blob(&h, 0, &out, &len, &off));
	assert_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(off, 0);
	assert_false(pe_heap_blob(&h, 1, &out, &len, NULL));
	h.present = 1;
	rd_init(&h.r, b, sizeof(b), 0x1000);
	assert_true(pe_heap_blob(&h, 1, &out, &len, &off));
	assert_int_equal(len, 3);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(off, 0x1002);
	/* 2-byte length 0x0002 */
	assert_true(pe_heap_blob(&h, 5, &out, &len, &off));
	assert_int_equal(len, 2);
	assert_memory_equal(out, "xy", 2);
	assert_int_equal(off, 0x1007);
	/* invalid lead byte 0xE0 */
	assert_false(pe_heap_blob(&h, 9, &out, &len, &off));
	/* length 5 with 2 bytes left */
	assert_false(pe_heap_blob(&h, 10, &out, &len, &off));
	/* length 4 at the last byte: 'z' is 0x7A = 122 */
	assert_false(pe_heap_blob(&h, 12, &out, &len, &off));
	assert_false(pe_heap_blob(&h, sizeof(b), &out, &len, &off));
	assert_false(pe_heap_blob(&h, 0xFFFFFFFFu, &out, &len, &off));
	assert_true(pe_heap_us(&h, 1, &out, &len));
	assert_int_equal(len, 3);
}

static void
test_pe__heap_guid(void **state)
{
	uint8_t g[36];
	pe_heap h;
	const uint8_t *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(g); i++)
		g[i] = (uint8_t)i;
	memset(&h, 0, sizeof(h));
	assert_false(pe_heap_guid(&h, 1, &out));
	h.present = 1;
	rd_init(&h.r, g, 16, 0);
	assert_false(pe_heap_guid(&h, 0, &out)); /* 1-based */
	assert_true(pe_heap_guid(&h, 1, &out));
	assert_ptr_equal(out, g);
	assert_false(pe_heap_guid(&h, 2, &out));
	assert_false(pe_heap_guid(&h, 0xFFFFFFFFu, &out));
	assert_false(pe_heap_guid(&h, 0x10000001u, &out));
	/* 36 bytes: two whole GUIDs and a partial third */
	rd_init(&h.r, g, sizeof(g), 0);
	assert_true(pe_heap_guid(&h, 2, &out));
	assert_ptr_equal(out, g + 16);
	assert_false(pe_heap_guid(&h, 3, &out));
}

static void
test_pe__coded_decode(void **state)
{
	unsigned t;
	uint32_t row;

	(void)state;
	/* HasCustomAttribute 0x2E: tag 14 Assembly, row 1 */
	assert_true(pe_coded_decode(PE_CI_HASCUSTOMATTRIBUTE, 0x2E, &t, &row));
	assert_int_equal(t, PE_T_ASSEMBLY);
	assert_int_equal(row, 1);
	assert_true(pe_coded_decode(PE_CI_HASCUSTOMATTRIBUTE, (7u << 5) | 21,
	    &t, &row));
	assert_int_equal(t, PE_T_METHODSPEC);
	assert_int_equal(row, 7);
	assert_false(pe_coded_decode(PE_CI_HASCUSTOMATTRIBUTE, 22, &t, &row));
	assert_false(pe_coded_decode(PE_CI_HASCUSTOMATTRIBUTE, 31, &t, &row));
	/* CustomAttributeType: only 2 (MethodDef) and 3 (MemberRef) */
	assert_false(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x60, &t, &row));
	assert_false(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x61, &t, &row));
	assert_true(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x62, &t, &row));
	assert_int_equal(t, PE_T_METHODDEF);
	assert_int_equal(row, 12);
	assert_true(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x63, &t, &row));
	assert_int_equal(t, PE_T_MEMBERREF);
	assert_false(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x64, &t, &row));
	assert_false(pe_coded_decode(PE_CI_CUSTOMATTRIBUTETYPE, 0x67, &t, &row));
	/* MemberRefParent 0x19: TypeRef 3 (contoso MemberRef 1) */
	assert_true(pe_coded_decode(PE_CI_MEMBERREFPARENT, 0x19, &t, &row));
	assert_int_equal(t, PE_T_TYPEREF);
	assert_int_equal(row, 3);
	assert_false(pe_coded_decode(PE_CI_MEMBERREFPARENT, 5, &t, &row));
	/* ResolutionScope: all four tags used */
	assert_true(pe_coded_decode(PE_CI_RESOLUTIONSCOPE, 6, &t, &row));
	assert_int_equal(t, PE_T_ASSEMBLYREF);
	assert_int_equal(row, 1);
	assert_true(pe_coded_decode(PE_CI_RESOLUTIONSCOPE, 0xFFFFFFFFu, &t,
	    &row));
	assert_int_equal(t, PE_T_TYPEREF);
	assert_int_equal(row, 0x3FFFFFFF);
	/* no such kind */
	assert_false(pe_coded_decode(PE_CI_COUNT, 0, &t, &row));
	assert_false(pe_coded_decode(1000, 0, &t, &row));
}

/* A tables stream in memory: header + counts + zeroed rows, big enough
 * for every table at the widest widths. */
static uint8_t *
tables_stream(uint8_t heap_sizes, const uint32_t *rows, size_t *len,
    size_t extra)
{
	uint64_t valid = 0;
	size_t i, n = 0, total;
	uint8_t *s;

	for (i = 0; i < PE_T_COUNT; i++)
		if (rows[i]) {
			valid |= 1ull << i;
			n++;
		}
	total = 24 + 4 * n + extra;
	for (i = 0; i < PE_T_COUNT; i++)
		total += (size_t)rows[i] * 36; /* wider than any row */
	s = calloc(1, total);
	assert_non_null(s);
	s[4] = 2;
	s[6] = heap_sizes;
	s[7] = 1;
	th_put_u32(s + 8, (uint32_t)valid);
	th_put_u32(s + 12, (uint32_t)(valid >> 32));
	for (i = 0, n = 0; i < PE_T_COUNT; i++)
		if (rows[i])
			th_put_u32(s + 24 + 4 * n++, rows[i]);
	*len = total;
	return s;
}

static asmgate_status
open_tables(asmgate_image *img, const uint8_t *s, size_t len, int wide,
    asmgate_error *e)
{
	rd r;

	memset(img, 0, sizeof(*img));
	rd_init(&r, s, len, 0x1000);
	asmgate_error_clear(e);
	return pe_tables_open(img, &r, wide, e);
}

static void
test_pe__tables_module_row_widths(void **state)
{
	uint32_t rows[PE_T_COUNT] = { 0 };
	asmgate_image *img = calloc(1, sizeof(*img));
	asmgate_error e;
	size_t len;
	uint8_t *s;

	(void)state;
	assert_non_null(img);
	rows[PE_T_MODULE] = 1;
	s = tables_stream(0, rows, &len, 0);
	/* narrow: u16 + 4 two-byte heap indexes */
	assert_int_equal(open_tables(img, s, 28 + 10, 0, &e), ASMGATE_OK);
	assert_int_equal(img->tables.row_size[PE_T_MODULE], 10);
	assert_int_equal(img->tables.table_pos[PE_T_MODULE], 28);
	assert_int_equal(img->info.cli.rows[PE_T_MODULE], 1);
	assert_true(img->info.cli.valid_tables == 1);
	/* #JTD: all four indexes are 4 bytes */
	assert_int_equal(open_tables(img, s, 28 + 10, 1, &e),
	    ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000 + 28);
	assert_int_equal(open_tables(img, s, 28 + 18, 1, &e), ASMGATE_OK);
	assert_int_equal(img->tables.row_size[PE_T_MODULE], 18);
	assert_int_equal(img->tables.col_width[PE_T_MODULE][0], 2);
	assert_int_equal(img->tables.col_width[PE_T_MODULE][1], 4);
	assert_int_equal(img->tables.col_offset[PE_T_MODULE][4], 14);
	free(s);
	/* HeapSizes 0x01 | 0x02 | 0x04, one at a time */
	s = tables_stream(1, rows, &len, 0);
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_OK);
	assert_int_equal(img->tables.row_size[PE_T_MODULE], 12);
	free(s);
	s = tables_stream(2, rows, &len, 0);
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_OK);
	assert_int_equal(img->tables.row_size[PE_T_MODULE], 16);
	free(s);
	s = tables_stream(4, rows, &len, 0);
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_OK);
	assert_int_equal(img->tables.row_size[PE_T_MODULE], 10);
	free(s);
	free(img);
}

static void
test_pe__tables_extra_data(void **state)
{
	uint32_t rows[PE_T_COUNT] = { 0 };
	asmgate_image *img = calloc(1, sizeof(*img));
	asmgate_error e;
	size_t len;
	uint8_t *s;

	(void)state;
	assert_non_null(img);
	rows[PE_T_MODULE] = 1;
	s = tables_stream(0x40, rows, &len, 4);
	/* HeapSizes 0x40: 4 bytes after the row counts */
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_OK);
	assert_int_equal(img->tables.table_pos[PE_T_MODULE], 32);
	/* the stream ends inside the extra data */
	assert_int_equal(open_tables(img, s, 30, 0, &e), ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000 + 28);
	/* the extra data fits, the row does not */
	assert_int_equal(open_tables(img, s, 32 + 9, 0, &e),
	    ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000 + 32);
	free(s);
	free(img);
}

static void
test_pe__tables_header_errors(void **state)
{
	uint32_t rows[PE_T_COUNT] = { 0 };
	asmgate_image *img = calloc(1, sizeof(*img));
	asmgate_error e;
	size_t len;
	uint8_t *s;

	(void)state;
	assert_non_null(img);
	rows[PE_T_MODULE] = 1;
	rows[PE_T_TYPEDEF] = 1;
	s = tables_stream(0, rows, &len, 0);
	assert_int_equal(open_tables(img, s, 23, 0, &e), ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000);
	/* one of two row counts */
	assert_int_equal(open_tables(img, s, 30, 0, &e), ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000 + 28);
	/* 0x01000000 rows: above the 24-bit limit */
	th_put_u32(s + 28, 0x01000000u);
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_E_LIMIT);
	assert_int_equal(e.offset, 0x1000 + 28);
	/* 0x00FFFFFF rows: within the limit, but 14 MB of rows do not fit */
	th_put_u32(s + 28, 0x00FFFFFFu);
	assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_E_TRUNCATED);
	assert_int_equal(e.offset, 0x1000 + 32 + 10);
	free(s);
	free(img);
}

/* Widths of simple and coded indexes at their thresholds (II.24.2.6). */
static void
test_pe__tables_index_widths(void **state)
{
	static const struct {
		unsigned table;     /* the table made large */
		uint32_t rows;
		unsigned at, col;   /* the column that changes */
		unsigned width;
	} c[] = {
		/* TypeDefOrRef (2 tag bits): 2^14 TypeRef rows */
		{ PE_T_TYPEREF, 0x3FFF, PE_T_TYPEDEF, 3, 2 },
		{ PE_T_TYPEREF, 0x4000, PE_T_TYPEDEF, 3, 4 },
		/* simple index: 2^16 Field rows */
		{ PE_T_FIELD, 0xFFFF, PE_T_TYPEDEF, 4, 2 },
		{ PE_T_FIELD, 0x10000, PE_T_TYPEDEF, 4, 4 },
		/* a list column is wide when its *Ptr table is */
		{ PE_T_METHODPTR, 0xFFFF, PE_T_TYPEDEF, 5, 2 },
		{ PE_T_METHODPTR, 0x10000, PE_T_TYPEDEF, 5, 4 },
		/* HasCustomAttribute (5 bits): 2^11 MethodDef rows */
		{ PE_T_METHODDEF, 0x7FF, PE_T_CUSTOMATTRIBUTE, 0, 2 },
		{ PE_T_METHODDEF, 0x800, PE_T_CUSTOMATTRIBUTE, 0, 4 },
		/* CustomAttributeType (3 bits) counts MethodDef and MemberRef
		 * only: 2^13 TypeDef rows leave it narrow */
		{ PE_T_TYPEDEF, 0x2000, PE_T_CUSTOMATTRIBUTE, 1, 2 },
		{ PE_T_MEMBERREF, 0x1FFF, PE_T_CUSTOMATTRIBUTE, 1, 2 },
		{ PE_T_MEMBERREF, 0x2000, PE_T_CUSTOMATTRIBUTE, 1, 4 },
		/* ResolutionScope (2 bits): AssemblyRef */
		{ PE_T_ASSEMBLYREF, 0x4000, PE_T_TYPEREF, 0, 4 },
		/* Implementation (2 bits) in ManifestResource */
		{ PE_T_FILE, 0x4000, PE_T_MANIFESTRESOURCE, 3, 4 },
		/* MemberRefParent (3 bits) */
		{ PE_T_MODULEREF, 0x2000, PE_T_MEMBERREF, 0, 4 },
		{ PE_T_MODULEREF, 0x1FFF, PE_T_MEMBERREF, 0, 2 },
	};
	asmgate_image *img = calloc(1, sizeof(*img));
	asmgate_error e;
	size_t i;

	(void)state;
	assert_non_null(img);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t rows[PE_T_COUNT] = { 0 };
		size_t len;
		uint8_t *s;

		rows[c[i].table] = c[i].rows;
		s = tables_stream(0, rows, &len, 0);
		assert_int_equal(open_tables(img, s, len, 0, &e), ASMGATE_OK);
		if (img->tables.col_width[c[i].at][c[i].col] != c[i].width)
			fail_msg("case %zu: table 0x%02x column %u width %u, "
			    "expected %u", i, c[i].at, c[i].col,
			    img->tables.col_width[c[i].at][c[i].col],
			    c[i].width);
		free(s);
	}
	free(img);
}

/* ------------------------------------------------- synthetic images */

/* A minimal PE32 built byte by byte: DOS header (e_lfanew 0x80), COFF
 * header, 0xE0-byte optional header, one .text section at file 0x200 /
 * RVA 0x2000 holding the COR20 header and the metadata (RVA 0x2048,
 * file 0x248). The test writes the rows; the builder writes the rest. */
typedef struct syn {
	rd_buf strings, blob, guid, rows;
	uint64_t valid;
	uint32_t nrows[64];
	size_t first_row[64];  /* position of each table's rows in .rows */
	int last_table;
	uint8_t heap_sizes;
	int extra_data;        /* 4 bytes after the row counts */
	int jtd;               /* an empty #JTD stream */
	const char *version;   /* NULL: "v4.0.30319" */
	uint32_t version_len;  /* bytes for it; 0: strlen + 1 padded */
	/* filled by syn_image */
	size_t tables_off;     /* file offset of the tables stream */
	size_t rows_off;       /* file offset of the first row */
	size_t blob_off;       /* file offset of #Blob */
} syn;

#define SYN_MAX (1u << 24)

static void
syn_init(syn *s)
{
	memset(s, 0, sizeof(*s));
	rd_buf_init(&s->strings, SYN_MAX);
	rd_buf_init(&s->blob, SYN_MAX);
	rd_buf_init(&s->guid, SYN_MAX);
	rd_buf_init(&s->rows, SYN_MAX);
	assert_true(rd_buf_putc(&s->strings, 0));
	assert_true(rd_buf_putc(&s->blob, 0));
	s->last_table = -1;
}

static void
syn_free(syn *s)
{
	rd_buf_free(&s->strings);
	rd_buf_free(&s->blob);
	rd_buf_free(&s->guid);
	rd_buf_free(&s->rows);
}

static uint32_t
syn_str(syn *s, const char *str)
{
	uint32_t idx = (uint32_t)s->strings.len;
	assert_true(rd_buf_put(&s->strings, str, strlen(str) + 1));
	return idx;
}

static uint32_t
syn_blob(syn *s, const void *data, size_t n)
{
	uint32_t idx = (uint32_t)s->blob.len;

	if (n < 0x80) {
		assert_true(rd_buf_putc(&s->blob, (uint8_t)n));
	} else {
		assert_true(n < 0x4000);
		assert_true(rd_buf_putc(&s->blob, (uint8_t)(0x80 | n >> 8)));
		assert_true(rd_buf_putc(&s->blob, (uint8_t)n));
	}
	assert_true(rd_buf_put(&s->blob, data, n));
	return idx;
}

static uint32_t
syn_guid(syn *s, const uint8_t g[16])
{
	assert_true(rd_buf_put(&s->guid, g, 16));
	return (uint32_t)(s->guid.len / 16);
}

/* Start a row of table t; tables must come in ascending order. */
static void
syn_row(syn *s, unsigned t)
{
	assert_true((int)t >= s->last_table);
	if ((int)t != s->last_table) {
		s->first_row[t] = s->rows.len;
		s->last_table = (int)t;
	}
	s->valid |= 1ull << t;
	s->nrows[t]++;
}

static void
syn_u16(syn *s, uint16_t v)
{
	assert_true(rd_buf_put_u16(&s->rows, v));
}

static void
syn_u32(syn *s, uint32_t v)
{
	assert_true(rd_buf_put_u32(&s->rows, v));
}

/* An index column: 2 or 4 bytes as the test decides. */
static void
syn_ix(syn *s, int wide, uint32_t v)
{
	if (wide)
		syn_u32(s, v);
	else
		syn_u16(s, (uint16_t)v);
}

/* File offset of row r (1-based) of table t, row size rs. */
static uint64_t
syn_row_off(const syn *s, unsigned t, uint32_t r, uint32_t rs)
{
	return s->rows_off + s->first_row[t] + (uint64_t)(r - 1) * rs;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint8_t *
syn_image(syn *s, size_t *len)
{
	const char *ver = s->version ? s->version : "v4.0.30319";
	uint32_t vlen = s->version_len ? s->version_len :
	    (uint32_t)pad4(strlen(ver) + 1);
	struct {
		const char *name;
		const uint8_t *p;
		size_t n;
	} st[6];
	rd_buf t;
	size_t nst = 0, hdr, off, md_len, vsize, raw, i, ncounts = 0;
	uint8_t *b, *md;
	static const uint8_t us[4] = { 0, 0, 0, 0 };

	/* the tables stream */
	rd_buf_init(&t, SYN_MAX);
	assert_true(rd_buf_put_u32(&t, 0));
	assert_true(rd_buf_putc(&t, 2));
	assert_true(rd_buf_putc(&t, 0));
	assert_true(rd_buf_putc(&t, s->heap_sizes));
	assert_true(rd_buf_putc(&t, 1));
	assert_true(rd_buf_put_u32(&t, (uint32_t)s->valid));
	assert_true(rd_buf_put_u32(&t, (uint32_t)(s->valid >> 32)));
	assert_true(rd_buf_put_u32(&t, 0));
	assert_true(rd_buf_put_u32(&t, 0));
	for (i = 0; i < 64; i++)
		if (s->valid >> i & 1) {
			assert_true(rd_buf_put_u32(&t, s->nrows[i]));
			ncounts++;
		}
	if (s->extra_data)
		assert_true(rd_buf_put_u32(&t, 0xDEADBEEFu));
	assert_true(rd_buf_put(&t, s->rows.p, s->rows.len));
	while (t.len % 4)
		assert_true(rd_buf_putc(&t, 0));
	while (s->strings.len % 4)
		assert_true(rd_buf_putc(&s->strings, 0));
	while (s->blob.len % 4)
		assert_true(rd_buf_putc(&s->blob, 0));

	st[nst].name = "#~"; st[nst].p = t.p; st[nst++].n = t.len;
	st[nst].name = "#Strings"; st[nst].p = s->strings.p;
	st[nst++].n = s->strings.len;
	st[nst].name = "#US"; st[nst].p = us; st[nst++].n = sizeof(us);
	st[nst].name = "#GUID"; st[nst].p = s->guid.p; st[nst++].n = s->guid.len;
	st[nst].name = "#Blob"; st[nst].p = s->blob.p; st[nst++].n = s->blob.len;
	if (s->jtd) {
		st[nst].name = "#JTD"; st[nst].p = NULL; st[nst++].n = 0;
	}

	/* metadata: root, headers, streams */
	/* stream names are padded to 4 bytes counted from the root */
	hdr = 16 + vlen + 4;
	for (i = 0; i < nst; i++)
		hdr = pad4(hdr + 8 + strlen(st[i].name) + 1);
	md_len = hdr;
	for (i = 0; i < nst; i++)
		md_len += st[i].n;
	vsize = 72 + md_len;
	raw = (vsize + 0x1FF) & ~(size_t)0x1FF;
	*len = 0x200 + raw;
	b = calloc(1, *len);
	assert_non_null(b);

	/* DOS, COFF, optional header (PE/COFF 3.3, 3.4) */
	b[0] = 'M'; b[1] = 'Z';
	th_put_u32(b + 0x3C, 0x80);
	memcpy(b + 0x80, "PE\0\0", 4);
	th_put_u16(b + 0x84, 0x14C);
	th_put_u16(b + 0x86, 1);
	th_put_u16(b + 0x94, 0xE0);
	th_put_u16(b + 0x96, 0x2102);
	th_put_u16(b + 0x98, 0x10B);
	th_put_u32(b + 0x98 + 28, 0x400000);
	th_put_u32(b + 0x98 + 32, 0x2000);
	th_put_u32(b + 0x98 + 36, 0x200);
	th_put_u32(b + 0x98 + 56, 0x2000 + (uint32_t)((vsize + 0x1FFF) &
	    ~(size_t)0x1FFF));
	th_put_u32(b + 0x98 + 60, 0x200);
	th_put_u16(b + 0x98 + 68, 3);
	th_put_u32(b + 0x98 + 92, 16);
	th_put_u32(b + 0x98 + 96 + 8 * 14, 0x2000);
	th_put_u32(b + 0x98 + 96 + 8 * 14 + 4, 72);
	/* section table at 0x178 */
	memcpy(b + 0x178, ".text", 5);
	th_put_u32(b + 0x178 + 8, (uint32_t)vsize);
	th_put_u32(b + 0x178 + 12, 0x2000);
	th_put_u32(b + 0x178 + 16, (uint32_t)raw);
	th_put_u32(b + 0x178 + 20, 0x200);
	th_put_u32(b + 0x178 + 36, 0x60000020u);
	/* COR20 at 0x200 (II.25.3.3) */
	th_put_u32(b + 0x200, 72);
	th_put_u16(b + 0x204, 2);
	th_put_u16(b + 0x206, 5);
	th_put_u32(b + 0x208, 0x2048);
	th_put_u32(b + 0x20C, (uint32_t)md_len);
	th_put_u32(b + 0x210, 1);
	/* metadata root at 0x248 (II.24.2.1) */
	md = b + 0x248;
	memcpy(md, "BSJB", 4);
	th_put_u16(md + 4, 1);
	th_put_u16(md + 6, 1);
	th_put_u32(md + 12, vlen);
	memcpy(md + 16, ver, strlen(ver) < vlen ? strlen(ver) : vlen);
	th_put_u16(md + 16 + vlen + 2, (uint16_t)nst);
	off = 16 + vlen + 4;
	{
		size_t data = hdr;
		for (i = 0; i < nst; i++) {
			size_t nl = strlen(st[i].name) + 1;
			th_put_u32(md + off, (uint32_t)data);
			th_put_u32(md + off + 4, (uint32_t)st[i].n);
			memcpy(md + off + 8, st[i].name, nl);
			off = pad4(off + 8 + nl);
			if (st[i].n)
				memcpy(md + data, st[i].p, st[i].n);
			if (i == 0) {
				s->tables_off = 0x248 + data;
				s->rows_off = s->tables_off + 24 + 4 * ncounts +
				    (s->extra_data ? 4 : 0);
			}
			if (strcmp(st[i].name, "#Blob") == 0)
				s->blob_off = 0x248 + data;
			data += st[i].n;
		}
	}
	rd_buf_free(&t);
	return b;
}

static const uint8_t syn_mvid[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00 };

/* A small full assembly: Module, TypeRef, MemberRef, one assembly
 * attribute, Assembly "Syn" 1.2.3.4 with a key blob, and an AssemblyRef
 * carrying a full public key (flags 1). w: all indexes 4 bytes. */
struct syn_basic {
	uint32_t title_blob, key_blob;
};

static void
syn_basic_rows(syn *s, int w, struct syn_basic *o)
{
	static const uint8_t title[] = { 1, 0, 3, 'a', 'b', 'c', 0, 0 };
	static const uint8_t sig[] = { 0x20, 1, 1, 0x0E };
	static const uint8_t key[20] = { 0, 0x24, 0, 0, 4, 0x80 };
	uint32_t mvid = syn_guid(s, syn_mvid);
	uint32_t m = syn_str(s, "syn.dll");
	uint32_t tn = syn_str(s, "AssemblyTitleAttribute");
	uint32_t tns = syn_str(s, "System.Reflection");
	uint32_t ctor = syn_str(s, ".ctor");
	uint32_t an = syn_str(s, "Syn");
	uint32_t rn = syn_str(s, "Ref");
	uint32_t rc = syn_str(s, "de-DE");
	uint32_t sigb = syn_blob(s, sig, sizeof(sig));

	o->title_blob = syn_blob(s, title, sizeof(title));
	o->key_blob = syn_blob(s, key, sizeof(key));

	syn_row(s, PE_T_MODULE);          /* II.22.30 */
	syn_u16(s, 0);
	syn_ix(s, w, m);
	syn_ix(s, w, mvid);
	syn_ix(s, w, 0);
	syn_ix(s, w, 0);
	syn_row(s, PE_T_TYPEREF);         /* II.22.38 */
	syn_ix(s, w, (1 << 2) | 2);       /* ResolutionScope AssemblyRef 1 */
	syn_ix(s, w, tn);
	syn_ix(s, w, tns);
	syn_row(s, PE_T_MEMBERREF);       /* II.22.25 */
	syn_ix(s, w, (1 << 3) | 1);       /* MemberRefParent TypeRef 1 */
	syn_ix(s, w, ctor);
	syn_ix(s, w, sigb);
	syn_row(s, PE_T_CUSTOMATTRIBUTE); /* II.22.10 */
	syn_ix(s, w, 0x2E);               /* Assembly 1 */
	syn_ix(s, w, (1 << 3) | 3);       /* MemberRef 1 */
	syn_ix(s, w, o->title_blob);
	syn_row(s, PE_T_ASSEMBLY);        /* II.22.2 */
	syn_u32(s, 0x8004);
	syn_u16(s, 1);
	syn_u16(s, 2);
	syn_u16(s, 3);
	syn_u16(s, 4);
	syn_u32(s, 1);
	syn_ix(s, w, o->key_blob);
	syn_ix(s, w, an);
	syn_ix(s, w, 0);
	syn_row(s, PE_T_ASSEMBLYREF);     /* II.22.5 */
	syn_u16(s, 5);
	syn_u16(s, 6);
	syn_u16(s, 7);
	syn_u16(s, 8);
	syn_u32(s, 1);
	syn_ix(s, w, o->key_blob);
	syn_ix(s, w, rn);
	syn_ix(s, w, rc);
	syn_ix(s, w, 0);
}

static void
check_syn_basic(syn *s, const uint8_t *b, size_t len,
    const struct syn_basic *o)
{
	asmgate_image *img = mem_ok(b, len);
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_attribute *a;

	assert_string_equal(info->module_name, "syn.dll");
	assert_memory_equal(info->mvid, syn_mvid, 16);
	assert_string_equal(info->assembly.name, "Syn");
	assert_string_equal(info->assembly.culture, "");
	assert_int_equal(info->assembly.version.major, 1);
	assert_int_equal(info->assembly.version.revision, 4);
	assert_int_equal(info->assembly.flags, 1);
	assert_int_equal(info->assembly.hash_alg, 0x8004);
	assert_int_equal(info->assembly.public_key_len, 20);
	assert_int_equal(info->assembly.public_key_offset,
	    s->blob_off + o->key_blob + 1);
	assert_int_equal(info->nreferences, 1);
	assert_string_equal(info->references[0].name, "Ref");
	assert_string_equal(info->references[0].culture, "de-DE");
	assert_int_equal(info->references[0].version.major, 5);
	assert_int_equal(info->references[0].version.minor, 6);
	assert_int_equal(info->references[0].version.build, 7);
	assert_int_equal(info->references[0].version.revision, 8);
	assert_int_equal(info->references[0].flags, ASMGATE_AF_PUBLICKEY);
	assert_int_equal(info->references[0].public_key_or_token_len, 20);
	assert_int_equal(info->nattributes, 1);
	a = asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyTitleAttribute");
	assert_non_null(a);
	assert_int_equal(a->row, 1);
	assert_int_equal(a->value_len, 8);
	assert_memory_equal(a->value, "\1\0\3abc\0\0", 8);
	assert_int_equal(a->value_offset, s->blob_off + o->title_blob + 1);
	assert_string_equal(info->cli.runtime_version, "v4.0.30319");
	asmgate_image_free(img);
}

static void
test_pe__syn_basic(void **state)
{
	syn s;
	struct syn_basic o;
	size_t len;
	uint8_t *b;

	(void)state;
	syn_init(&s);
	syn_basic_rows(&s, 0, &o);
	b = syn_image(&s, &len);
	check_syn_basic(&s, b, len, &o);
	free(b);
	syn_free(&s);
}

/* HeapSizes 0x40: the reader must skip the 4 extra bytes (reference
 * 3.2; CLR and S.R.M honour it). */
static void
test_pe__syn_heap_sizes_extra_data(void **state)
{
	syn s;
	struct syn_basic o;
	size_t len;
	uint8_t *b;

	(void)state;
	syn_init(&s);
	s.heap_sizes = 0x40;
	s.extra_data = 1;
	syn_basic_rows(&s, 0, &o);
	b = syn_image(&s, &len);
	check_syn_basic(&s, b, len, &o);
	free(b);
	syn_free(&s);
}

/* HeapSizes 0x07: every #Strings, #GUID and #Blob index is 4 bytes;
 * table indexes stay 2. */
static void
test_pe__syn_wide_heaps(void **state)
{
	syn s;
	size_t len;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	syn_init(&s);
	s.heap_sizes = 0x07;
	/* pad #Strings past 64 KiB so the indexes need the width */
	{
		char pad[1000];
		int i;
		memset(pad, 'p', sizeof(pad) - 1);
		pad[sizeof(pad) - 1] = '\0';
		for (i = 0; i < 70; i++)
			(void)syn_str(&s, pad);
	}
	{
		/* the rows of syn_basic_rows with mixed widths */
		static const uint8_t title[] = { 1, 0, 3, 'a', 'b', 'c', 0, 0 };
		uint32_t g = syn_guid(&s, syn_mvid);
		uint32_t m = syn_str(&s, "syn.dll");
		uint32_t an = syn_str(&s, "Syn");
		uint32_t tb = syn_blob(&s, title, sizeof(title));

		assert_true(m > 0xFFFF);
		syn_row(&s, PE_T_MODULE);
		syn_u16(&s, 0);
		syn_u32(&s, m);
		syn_u32(&s, g);
		syn_u32(&s, 0);
		syn_u32(&s, 0);
		syn_row(&s, PE_T_CUSTOMATTRIBUTE);
		syn_u16(&s, 0x2E);
		syn_u16(&s, 0); /* unresolvable type */
		syn_u32(&s, tb);
		syn_row(&s, PE_T_ASSEMBLY);
		syn_u32(&s, 0x8004);
		syn_u16(&s, 9);
		syn_u16(&s, 8);
		syn_u16(&s, 7);
		syn_u16(&s, 6);
		syn_u32(&s, 0);
		syn_u32(&s, 0);
		syn_u32(&s, an);
		syn_u32(&s, 0);
	}
	b = syn_image(&s, &len);
	img = mem_ok(b, len);
	assert_string_equal(asmgate_image_get_info(img)->module_name, "syn.dll");
	assert_string_equal(asmgate_image_get_info(img)->assembly.name, "Syn");
	assert_int_equal(asmgate_image_get_info(img)->assembly.version.major, 9);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, syn_mvid, 16);
	assert_int_equal(asmgate_image_get_info(img)->nattributes, 1);
	assert_int_equal(asmgate_image_get_info(img)->attributes[0].value_len,
	    8);
	assert_string_equal(
	    asmgate_image_get_info(img)->attributes[0].type_name, "");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

/* #JTD: written with all-4-byte indexes, read back right. */
static void
test_pe__syn_jtd(void **state)
{
	syn s;
	struct syn_basic o;
	size_t len;
	uint8_t *b;

	(void)state;
	syn_init(&s);
	s.jtd = 1;
	syn_basic_rows(&s, 1, &o);
	b = syn_image(&s, &len);
	check_syn_basic(&s, b, len, &o);
	free(b);
	syn_free(&s);
}

/* A version string that fills its 256-byte allocation with no NUL
 * (II.24.2.1 allows at most 255 bytes with the NUL): what is kept is
 * NUL-terminated and at most 255 bytes. */
static void
test_pe__syn_version_string_no_nul(void **state)
{
	syn s;
	struct syn_basic o;
	size_t len;
	uint8_t *b;
	char ver[257];
	asmgate_image *img;
	const char *rv;

	(void)state;
	memset(ver, 'v', 256);
	ver[256] = '\0';
	syn_init(&s);
	s.version = ver;
	s.version_len = 256;
	syn_basic_rows(&s, 0, &o);
	b = syn_image(&s, &len);
	img = mem_ok(b, len);
	rv = asmgate_image_get_info(img)->cli.runtime_version;
	assert_true(strlen(rv) <= 255);
	assert_memory_equal(rv, ver, strlen(rv));
	/* the rest of the image is intact */
	assert_int_equal(asmgate_image_get_info(img)->nreferences, 1);
	assert_string_equal(asmgate_image_get_info(img)->references[0].name,
	    "Ref");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);

	/* 257 bytes is over the limit */
	syn_init(&s);
	s.version = ver;
	s.version_len = 260;
	syn_basic_rows(&s, 0, &o);
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_MALFORMED, 0x248 + 12);
	free(b);
	syn_free(&s);

	/* a short version string without padding is kept as is */
	syn_init(&s);
	s.version = "v2.0.50727";
	s.version_len = 10;
	syn_basic_rows(&s, 0, &o);
	b = syn_image(&s, &len);
	img = mem_ok(b, len);
	assert_string_equal(asmgate_image_get_info(img)->cli.runtime_version,
	    "v2.0.50727");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

static void
syn_module(syn *s, uint32_t mvid_idx)
{
	uint32_t m = syn_str(s, "m.dll");
	syn_row(s, PE_T_MODULE);
	syn_u16(s, 0);
	syn_u16(s, (uint16_t)m);
	syn_u16(s, (uint16_t)mvid_idx);
	syn_u16(s, 0);
	syn_u16(s, 0);
}

static void
syn_assembly(syn *s, const char *name)
{
	uint32_t n = syn_str(s, name);
	syn_row(s, PE_T_ASSEMBLY);
	syn_u32(s, 0x8004);
	syn_u16(s, 1);
	syn_u16(s, 0);
	syn_u16(s, 0);
	syn_u16(s, 0);
	syn_u32(s, 0);
	syn_u16(s, 0);
	syn_u16(s, (uint16_t)n);
	syn_u16(s, 0);
}

static void
test_pe__syn_guid_index(void **state)
{
	static const uint8_t zero[16];
	static const uint16_t idx[] = { 0, 2, 0xFFFF };
	syn s;
	size_t len, i;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		syn_init(&s);
		(void)syn_guid(&s, syn_mvid);
		syn_module(&s, idx[i]);
		syn_assembly(&s, "G");
		b = syn_image(&s, &len);
		img = mem_ok(b, len);
		assert_memory_equal(asmgate_image_get_info(img)->mvid, zero, 16);
		asmgate_image_free(img);
		free(b);
		syn_free(&s);
	}
	syn_init(&s);
	(void)syn_guid(&s, zero);
	(void)syn_guid(&s, syn_mvid);
	syn_module(&s, 2);
	syn_assembly(&s, "G");
	b = syn_image(&s, &len);
	img = mem_ok(b, len);
	assert_memory_equal(asmgate_image_get_info(img)->mvid, syn_mvid, 16);
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

static void
test_pe__syn_row_errors(void **state)
{
	syn s;
	size_t len;
	uint8_t *b;

	(void)state;
	/* two Assembly rows (II.22.2: zero or one); Assembly rows are 22
	 * bytes, the error names row 2 */
	syn_init(&s);
	syn_module(&s, 0);
	syn_assembly(&s, "A");
	syn_assembly(&s, "B");
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_MALFORMED,
	    syn_row_off(&s, PE_T_ASSEMBLY, 2, 22));
	free(b);
	syn_free(&s);

	/* empty assembly name */
	syn_init(&s);
	syn_module(&s, 0);
	syn_assembly(&s, "");
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_MALFORMED,
	    syn_row_off(&s, PE_T_ASSEMBLY, 1, 22));
	free(b);
	syn_free(&s);

	/* no Module row: reported at the tables stream */
	syn_init(&s);
	syn_assembly(&s, "A");
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_MALFORMED, s.tables_off);
	free(b);
	syn_free(&s);

	/* no Assembly row: a module */
	syn_init(&s);
	syn_module(&s, 0);
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_NO_ASSEMBLY, s.tables_off);
	free(b);
	syn_free(&s);

	/* an AssemblyRef name past #Strings */
	syn_init(&s);
	syn_module(&s, 0);
	syn_assembly(&s, "A");
	syn_row(&s, PE_T_ASSEMBLYREF);
	syn_u16(&s, 1);
	syn_u16(&s, 0);
	syn_u16(&s, 0);
	syn_u16(&s, 0);
	syn_u32(&s, 0);
	syn_u16(&s, 0);
	syn_u16(&s, 0xFFF0);
	syn_u16(&s, 0);
	syn_u16(&s, 0);
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_MALFORMED,
	    syn_row_off(&s, PE_T_ASSEMBLYREF, 1, 20));
	free(b);
	syn_free(&s);
}

/* More AssemblyRef rows than RD_MAX_ASSEMBLY_REFS. */
static void
test_pe__syn_reference_limit(void **state)
{
	syn s;
	size_t len;
	uint32_t i, n = RD_MAX_ASSEMBLY_REFS + 1;
	uint8_t *b;

	(void)state;
	syn_init(&s);
	syn_module(&s, 0);
	syn_assembly(&s, "A");
	for (i = 0; i < n; i++) {
		syn_row(&s, PE_T_ASSEMBLYREF);
		syn_u16(&s, 1);
		syn_u16(&s, 0);
		syn_u16(&s, 0);
		syn_u16(&s, 0);
		syn_u32(&s, 0);
		syn_u16(&s, 0);
		syn_u16(&s, 1);
		syn_u16(&s, 0);
		syn_u16(&s, 0);
	}
	b = syn_image(&s, &len);
	mem_fails(b, len, ASMGATE_E_LIMIT,
	    syn_row_off(&s, PE_T_ASSEMBLYREF, 1, 20));
	free(b);
	syn_free(&s);
}

/* n attributes on the Assembly, each MemberRef 1. */
static uint8_t *
syn_many_attributes(syn *s, uint32_t n, size_t *len)
{
	uint32_t i;

	syn_init(s);
	syn_module(s, 0);
	syn_row(s, PE_T_MEMBERREF);
	syn_u16(s, 0);
	syn_u16(s, 0);
	syn_u16(s, 0);
	for (i = 0; i < n; i++) {
		syn_row(s, PE_T_CUSTOMATTRIBUTE);
		syn_u16(s, 0x2E);
		syn_u16(s, (1 << 3) | 3);
		syn_u16(s, 0);
	}
	syn_assembly(s, "A");
	return syn_image(s, len);
}

static void
test_pe__syn_attribute_limit(void **state)
{
	syn s;
	size_t len;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	b = syn_many_attributes(&s, RD_MAX_ASSEMBLY_ATTRIBUTES, &len);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->nattributes,
	    RD_MAX_ASSEMBLY_ATTRIBUTES);
	assert_int_equal(asmgate_image_get_info(img)->attributes[
	    RD_MAX_ASSEMBLY_ATTRIBUTES - 1].row, RD_MAX_ASSEMBLY_ATTRIBUTES);
	asmgate_image_free(img);
	free(b);
	syn_free(&s);

	b = syn_many_attributes(&s, RD_MAX_ASSEMBLY_ATTRIBUTES + 1, &len);
	mem_fails(b, len, ASMGATE_E_LIMIT,
	    syn_row_off(&s, PE_T_CUSTOMATTRIBUTE, 1, 6));
	free(b);
	syn_free(&s);
}

/* Attributes whose constructor is a MethodDef of this assembly, with and
 * without a MethodPtr indirection (II.22.26, II.22.37; reference 3.5).
 * TypeDef 1 <Module> MethodList 1, TypeDef 2 Syn.Attrs.FirstAttribute
 * MethodList 1, TypeDef 3 Syn.Attrs.SecondAttribute MethodList 3; four
 * MethodDefs. With MethodPtr [3, 4, 1, 2] the list positions change:
 * MethodDef 1 is at position 3 (SecondAttribute), MethodDef 3 at 1.
 * nptr: MethodPtr rows (0: no MethodPtr table); rows past the fourth
 * point at MethodDef 2. From 2^16 MethodPtr rows on, the MethodDef
 * indexes (MethodPtr.Method, TypeDef.MethodList) are 4 bytes (II.24.2.6,
 * a list column is as wide as its *Ptr table needs). */
static uint8_t *
syn_methoddef_attrs(syn *s, uint32_t nptr, const uint32_t *ctors,
    unsigned n, size_t *len)
{
	static const uint8_t sig[] = { 0x20, 0, 1 };
	static const uint16_t ptr[4] = { 3, 4, 1, 2 };
	uint32_t ns, first, second, mod, ctor, sb, i;
	int wide = nptr >= 0x10000;

	syn_init(s);
	ns = syn_str(s, "Syn.Attrs");
	first = syn_str(s, "FirstAttribute");
	second = syn_str(s, "SecondAttribute");
	mod = syn_str(s, "<Module>");
	ctor = syn_str(s, ".ctor");
	sb = syn_blob(s, sig, sizeof(sig));
	syn_module(s, 0);
	{
		const uint32_t names[3] = { mod, first, second };
		const uint32_t nss[3] = { 0, ns, ns };
		const uint16_t list[3] = { 1, 1, 3 };
		for (i = 0; i < 3; i++) {
			syn_row(s, PE_T_TYPEDEF);
			syn_u32(s, 0);
			syn_u16(s, (uint16_t)names[i]);
			syn_u16(s, (uint16_t)nss[i]);
			syn_u16(s, 0);
			syn_u16(s, 1);
			syn_ix(s, wide, list[i]);
		}
	}
	for (i = 0; i < nptr; i++) {
		syn_row(s, PE_T_METHODPTR);
		syn_ix(s, wide, i < 4 ? ptr[i] : 2);
	}
	for (i = 0; i < 4; i++) {
		syn_row(s, PE_T_METHODDEF);
		syn_u32(s, 0);
		syn_u16(s, 0);
		syn_u16(s, 0x1886);
		syn_u16(s, (uint16_t)ctor);
		syn_u16(s, (uint16_t)sb);
		syn_u16(s, 1);
	}
	for (i = 0; i < n; i++) {
		syn_row(s, PE_T_CUSTOMATTRIBUTE);
		syn_u16(s, 0x2E);
		syn_u16(s, (uint16_t)(ctors[i] << 3 | 2));
		syn_u16(s, 0);
	}
	syn_assembly(s, "A");
	return syn_image(s, len);
}

static void
check_attr_type(const asmgate_image *img, uint32_t i, const char *ns,
    const char *name)
{
	const asmgate_attribute *a = &asmgate_image_get_info(img)->attributes[i];

	if (strcmp(a->type_namespace, ns) != 0 ||
	    strcmp(a->type_name, name) != 0)
		fail_msg("attribute %u: got '%s'.'%s', expected '%s'.'%s'", i,
		    a->type_namespace, a->type_name, ns, name);
}

static void
test_pe__syn_methoddef_attribute(void **state)
{
	static const uint32_t ctors[] = { 1, 2, 3, 4, 5 };
	syn s;
	size_t len;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	b = syn_methoddef_attrs(&s, 0, ctors, 5, &len);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->nattributes, 5);
	check_attr_type(img, 0, "Syn.Attrs", "FirstAttribute");
	check_attr_type(img, 1, "Syn.Attrs", "FirstAttribute");
	check_attr_type(img, 2, "Syn.Attrs", "SecondAttribute");
	check_attr_type(img, 3, "Syn.Attrs", "SecondAttribute");
	check_attr_type(img, 4, "", ""); /* MethodDef 5 does not exist */
	assert_non_null(asmgate_image_find_attribute(img, "Syn.Attrs",
	    "SecondAttribute"));
	assert_int_equal(asmgate_image_find_attribute(img, "Syn.Attrs",
	    "SecondAttribute")->row, 3);
	asmgate_image_free(img);
	free(b);
	syn_free(&s);

	b = syn_methoddef_attrs(&s, 4, ctors, 5, &len);
	img = mem_ok(b, len);
	check_attr_type(img, 0, "Syn.Attrs", "SecondAttribute");
	check_attr_type(img, 1, "Syn.Attrs", "SecondAttribute");
	check_attr_type(img, 2, "Syn.Attrs", "FirstAttribute");
	check_attr_type(img, 3, "Syn.Attrs", "FirstAttribute");
	check_attr_type(img, 4, "", "");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

/* With a MethodPtr table, MethodDef-typed attributes are resolved for a
 * bounded number of attributes only (a linear scan each); the others
 * keep empty names. The bound is 16 (pe/rows.c). */
static void
test_pe__syn_methodptr_budget(void **state)
{
	uint32_t ctors[20];
	syn s;
	size_t len, i;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	for (i = 0; i < 20; i++)
		ctors[i] = 1;
	b = syn_methoddef_attrs(&s, 4, ctors, 20, &len);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->nattributes, 20);
	for (i = 0; i < 16; i++)
		check_attr_type(img, (uint32_t)i, "Syn.Attrs",
		    "SecondAttribute");
	for (; i < 20; i++)
		check_attr_type(img, (uint32_t)i, "", "");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

/* A MethodPtr table of more than RD_MAX_METHODPTR_SCAN rows is not
 * scanned at all (16 scans of 2^24 rows each would be 2^28 row reads per
 * file): MethodDef-typed attributes keep empty names. At the cap, they
 * are resolved. MemberRef-typed attributes are not affected. */
static void
test_pe__syn_methodptr_cap(void **state)
{
	static const uint32_t ctors[] = { 1, 3 };
	syn s;
	size_t len;
	uint8_t *b;
	asmgate_image *img;

	(void)state;
	b = syn_methoddef_attrs(&s, RD_MAX_METHODPTR_SCAN, ctors, 2, &len);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->cli.rows[PE_T_METHODPTR],
	    RD_MAX_METHODPTR_SCAN);
	check_attr_type(img, 0, "Syn.Attrs", "SecondAttribute");
	check_attr_type(img, 1, "Syn.Attrs", "FirstAttribute");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);

	b = syn_methoddef_attrs(&s, RD_MAX_METHODPTR_SCAN + 1, ctors, 2, &len);
	img = mem_ok(b, len);
	assert_int_equal(asmgate_image_get_info(img)->nattributes, 2);
	check_attr_type(img, 0, "", "");
	check_attr_type(img, 1, "", "");
	asmgate_image_free(img);
	free(b);
	syn_free(&s);
}

/* -------------------------------------------- mapped files: snapshots */

/* Write buf, padded with zeros to more than 1 MiB so rd/file.c maps it
 * rather than reading it, to a temporary file; returns its path
 * (static). */
static const char *
big_file(const uint8_t *buf, size_t len)
{
	static char path[64];
	size_t total = ((size_t)2 << 20) + 1;
	uint8_t *big = calloc(1, total);
	FILE *f;
	int fd;

	assert_non_null(big);
	memcpy(big, buf, len);
	snprintf(path, sizeof(path), "/tmp/asmgate-pe-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, total, f), total);
	fclose(f);
	free(big);
	return path;
}

static int
in_range(const void *p, const uint8_t *base, size_t len)
{
	const uint8_t *q = p;

	return q >= base && q < base + len;
}

/* A mapped file's metadata is parsed from a private copy: no fact points
 * into the mapping (a concurrent writer could change it between
 * verification and decision). Offsets stay file offsets: the public key
 * blob's offset still names its bytes in the file, and errors inside the
 * metadata report the same offset as a parse from memory. */
static void
test_pe__mapped_metadata_copied(void **state)
{
	size_t len, flen, i;
	uint8_t *b = contoso(&len);
	const char *path = big_file(b, len);
	asmgate_image *img = NULL, *mimg;
	const asmgate_image_info *info;
	const uint8_t *data;
	asmgate_error e, me;

	(void)state;
	asmgate_error_clear(&e);
	if (asmgate_image_open(&img, path, &e) != ASMGATE_OK)
		fail_msg("%s: %s", path, e.msg);
	assert_int_equal(((const rd_file *)img->mapping)->mapped, 1);
	info = asmgate_image_get_info(img);
	data = asmgate_image_data(img, &flen);
	assert_int_equal(flen, ((size_t)2 << 20) + 1);
	assert_string_equal(info->assembly.name, "Contoso.Orchestrations");
	assert_false(in_range(info->assembly.name, data, flen));
	assert_false(in_range(info->assembly.culture, data, flen));
	assert_false(in_range(info->module_name, data, flen));
	assert_false(in_range(info->assembly.public_key, data, flen));
	assert_true(info->nattributes > 0);
	for (i = 0; i < info->nattributes; i++) {
		const asmgate_attribute *a = &info->attributes[i];
		assert_false(in_range(a->value, data, flen));
		assert_false(in_range(a->type_name, data, flen));
		assert_memory_equal(a->value, data + a->value_offset,
		    a->value_len);
	}
	for (i = 0; i < info->nreferences; i++)
		assert_false(in_range(info->references[i].name, data, flen));
	/* file offsets, as from memory */
	assert_memory_equal(info->assembly.public_key,
	    data + info->assembly.public_key_offset,
	    info->assembly.public_key_len);
	mimg = mem_ok(b, len);
	assert_int_equal(info->assembly.public_key_offset,
	    asmgate_image_get_info(mimg)->assembly.public_key_offset);
	assert_int_equal(info->cli.metadata_offset,
	    asmgate_image_get_info(mimg)->cli.metadata_offset);
	assert_int_equal(info->cli.streams[1].file_offset,
	    asmgate_image_get_info(mimg)->cli.streams[1].file_offset);
	asmgate_image_free(mimg);
	asmgate_image_free(img);
	unlink(path);
	free(b);

	/* an error inside the metadata: the same file offset either way */
	b = th_load("malformed/strings-index-out-of-range.dll", &len);
	path = big_file(b, len);
	asmgate_error_clear(&e);
	asmgate_error_clear(&me);
	assert_int_not_equal(asmgate_image_open(&img, path, &e), ASMGATE_OK);
	assert_int_not_equal(asmgate_image_from_memory(&mimg, b, len, &me),
	    ASMGATE_OK);
	assert_true(e.has_offset);
	assert_int_equal(e.offset, me.offset);
	assert_string_equal(e.msg, me.msg);
	unlink(path);
	free(b);
}

/* ReadyToRun (readytorun-format.md): samples/make-r2r.py put the RTR
 * header at file offset 0x1050 (in .text's slack), version 9.2, flags 0,
 * one section; Machine 0xFD1D = AMD64 ^ the Linux override 0x7B79
 * (pedecoder.h). An IL image has none of it. */
#define R2R "r2r/contoso-x64-r2r.dll"

static void
test_pe__ready_to_run(void **state)
{
	asmgate_image *img;
	const asmgate_image_info *info;

	(void)state;
	img = open_ok(R2R);
	info = asmgate_image_get_info(img);
	assert_true(info->r2r.present);
	assert_int_equal(info->r2r.major_version, 9);
	assert_int_equal(info->r2r.minor_version, 2);
	assert_int_equal(info->r2r.flags, 0);
	assert_int_equal(info->r2r.nsections, 1);
	assert_int_equal(info->r2r.header_offset, 0x1050);
	assert_int_equal(info->pe.machine, 0xFD1D);
	assert_int_equal(info->pe.machine_arch, 0x8664);
	assert_string_equal(info->pe.machine_os, "linux");
	assert_int_equal(info->cli.flags, 0x4); /* IL_LIBRARY */
	assert_int_equal(info->cli.strong_name.rva, 0);
	assert_non_null(info->assembly.public_key);
	asmgate_image_free(img);

	img = open_ok(CONTOSO);
	info = asmgate_image_get_info(img);
	assert_false(info->r2r.present);
	assert_int_equal(info->pe.machine_arch, 0x014C);
	assert_null(info->pe.machine_os);
	asmgate_image_free(img);
}

/* The per-OS machine constants (pedecoder.h
 * IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE), on every architecture; an
 * unknown value stays itself with no OS. */
static void
test_pe__machine_os_override(void **state)
{
	static const struct {
		uint16_t xor;
		const char *os;
	} oses[] = { { 0x4644, "apple" }, { 0xADC4, "freebsd" },
		{ 0x7B79, "linux" }, { 0x1993, "netbsd" }, { 0x1992, "sunos" } };
	static const uint16_t arches[] = { 0x014C, 0x8664, 0x01C4, 0xAA64 };
	size_t len, i, k;
	uint8_t *b = th_load(R2R, &len);
	uint32_t coff = th_get_u32(b + 0x3C) + 4;
	asmgate_image *img;
	const asmgate_image_info *info;

	(void)state;
	for (i = 0; i < sizeof(oses) / sizeof(oses[0]); i++) {
		for (k = 0; k < sizeof(arches) / sizeof(arches[0]); k++) {
			th_put_u16(b + coff, (uint16_t)(arches[k] ^ oses[i].xor));
			img = mem_ok(b, len);
			info = asmgate_image_get_info(img);
			assert_int_equal(info->pe.machine_arch, arches[k]);
			assert_string_equal(info->pe.machine_os, oses[i].os);
			asmgate_image_free(img);
		}
	}
	th_put_u16(b + coff, 0x1234);
	img = mem_ok(b, len);
	info = asmgate_image_get_info(img);
	assert_int_equal(info->pe.machine_arch, 0x1234);
	assert_null(info->pe.machine_os);
	asmgate_image_free(img);
	free(b);
}

/* A ManagedNativeHeader that is not a whole RTR header is "not
 * ReadyToRun", never an error: wrong signature (NGen's "NGEN"), a
 * directory too short for the header or for the section array, an RVA
 * outside every section. */
static void
test_pe__ready_to_run_mutations(void **state)
{
	size_t len;
	uint8_t *orig = th_load(R2R, &len), *b = malloc(len);
	asmgate_image *img;
	uint64_t cor;
	int i;

	(void)state;
	assert_non_null(b);
	img = mem_ok(orig, len);
	cor = asmgate_image_get_info(img)->cli.header_offset;
	asmgate_image_free(img);
	for (i = 0; i < 5; i++) {
		memcpy(b, orig, len);
		switch (i) {
		case 0: /* 'NGEN' CORCOMPILE_HEADER signature */
			th_put_u32(b + 0x1050, 0x0045474E);
			break;
		case 1: /* directory shorter than READYTORUN_HEADER */
			th_put_u32(b + cor + 68, 15);
			break;
		case 2: /* NumberOfSections past the directory */
			th_put_u32(b + 0x1050 + 12, 2);
			break;
		case 3: /* RVA outside every section */
			th_put_u32(b + cor + 64, 0x00F00000);
			break;
		case 4: /* NumberOfSections 0xFFFFFFFF: no overflow */
			th_put_u32(b + 0x1050 + 12, 0xFFFFFFFFu);
			break;
		}
		img = mem_ok(b, len);
		assert_false(asmgate_image_get_info(img)->r2r.present);
		asmgate_image_free(img);
	}
	free(b);
	free(orig);
}

/* ------------------------------------------------------------ certs */

/* The attribute certificate table (PE/COFF 4.7): CONTOSO (0x1a00 bytes,
 * 8-aligned, no table) with pad zero bytes and a table of the given
 * bytes appended, directory 4 set to (off, size); every offset below is
 * known by construction. */
static uint8_t *
cert_file(const uint8_t *tab, size_t tablen, size_t pad, uint32_t off,
    uint32_t size, size_t *len)
{
	size_t base;
	uint8_t *b = th_load(CONTOSO, &base);
	uint32_t lfanew, dir;
	uint16_t magic;

	b = realloc(b, base + pad + tablen);
	assert_non_null(b);
	memset(b + base, 0, pad);
	memcpy(b + base + pad, tab, tablen);
	memcpy(&lfanew, b + 0x3c, 4);
	memcpy(&magic, b + lfanew + 24, 2);
	/* Directory 4: after the optional header's fixed part (96 PE32,
	 * 112 PE32+) and four 8-byte entries (PE/COFF 3.4.3). */
	dir = lfanew + 24 + (magic == 0x20b ? 112 : 96) + 32;
	memcpy(b + dir, &off, 4);
	memcpy(b + dir + 4, &size, 4);
	*len = base + pad + tablen;
	return b;
}

/* One WIN_CERTIFICATE header at p. */
static void
win_cert(uint8_t *p, uint32_t len, uint16_t rev, uint16_t type)
{
	memcpy(p, &len, 4);
	memcpy(p + 4, &rev, 2);
	memcpy(p + 6, &type, 2);
}

/* Read the table of buf; returns pe_cert_read's result. */
static int
cert_read(const uint8_t *buf, size_t len, pe_cert_table *t)
{
	asmgate_image *img = mem_ok(buf, len);
	int r = pe_cert_read(img, t);

	asmgate_image_free(img);
	return r;
}

#define CONTOSO_SIZE 0x1a00u

static void
test_pe__cert_table_none_and_one(void **state)
{
	uint8_t tab[32], *b;
	pe_cert_table t;
	size_t len;

	(void)state;
	b = th_load(CONTOSO, &len);
	assert_int_equal(len, CONTOSO_SIZE);
	assert_int_equal(cert_read(b, len, &t), 0);
	free(b);
	/* One entry of 16 bytes: 8 of header, 8 of body. */
	memset(tab, 0xAB, sizeof(tab));
	win_cert(tab, 16, 0x0200, 2);
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 16, &len);
	assert_int_equal(cert_read(b, len, &t), 1);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.offset, CONTOSO_SIZE);
	assert_int_equal(t.e[0].offset, CONTOSO_SIZE);
	assert_int_equal(t.e[0].length, 16);
	assert_int_equal(t.e[0].revision, 0x0200);
	assert_int_equal(t.e[0].type, 2);
	assert_int_equal(t.e[0].body.len, 8);
	assert_int_equal(t.e[0].body.base, CONTOSO_SIZE + 8);
	assert_int_equal(t.e[0].pad.len, 0);
	free(b);
	/* Revision and type are reported as read (verify refuses them). */
	win_cert(tab, 16, 0x0100, 1);
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 16, &len);
	assert_int_equal(cert_read(b, len, &t), 1);
	assert_int_equal(t.e[0].revision, 0x0100);
	assert_int_equal(t.e[0].type, 1);
	free(b);
}

static void
test_pe__cert_table_several(void **state)
{
	uint8_t tab[9 * 8], *b;
	pe_cert_table t;
	size_t len;
	unsigned i;

	(void)state;
	/* dwLength 12 (padded to 16), then 16; then an unrounded last
	 * entry (dwLength 12, directory size 28: the kernel accepts it). */
	memset(tab, 0, sizeof(tab));
	win_cert(tab, 12, 0x0200, 2);
	win_cert(tab + 16, 16, 0x0200, 2);
	b = cert_file(tab, 32, 0, CONTOSO_SIZE, 32, &len);
	assert_int_equal(cert_read(b, len, &t), 1);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.e[0].body.len, 4);
	assert_int_equal(t.e[0].pad.len, 4);
	assert_int_equal(t.e[1].offset, CONTOSO_SIZE + 16);
	assert_int_equal(t.e[1].body.len, 8);
	free(b);
	win_cert(tab + 16, 12, 0x0200, 2);
	b = cert_file(tab, 28, 0, CONTOSO_SIZE, 28, &len);
	assert_int_equal(cert_read(b, len, &t), 1);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.e[1].pad.len, 0);
	free(b);
	/* Nine 8-byte entries: one more than RD_MAX_CERT_ENTRIES. */
	for (i = 0; i < 9; i++)
		win_cert(tab + 8 * i, 8, 0x0200, 2);
	b = cert_file(tab, 72, 0, CONTOSO_SIZE, 72, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "more than 8"));
	assert_int_equal(t.bad_offset, CONTOSO_SIZE + 64);
	free(b);
}

static void
test_pe__cert_table_bad(void **state)
{
	uint8_t tab[32], *b;
	pe_cert_table t;
	size_t len;

	(void)state;
	memset(tab, 0, sizeof(tab));
	/* Not 8-byte aligned: 4 bytes of padding before the table. */
	win_cert(tab, 16, 0x0200, 2);
	b = cert_file(tab, 16, 4, CONTOSO_SIZE + 4, 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "not 8-byte aligned"));
	free(b);
	/* dwLength below 8. */
	win_cert(tab, 4, 0x0200, 2);
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "below 8"));
	assert_int_equal(t.bad_offset, CONTOSO_SIZE);
	free(b);
	/* dwLength past the table. */
	win_cert(tab, 24, 0x0200, 2);
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "runs past the table"));
	free(b);
	/* Fewer than 8 bytes left for the second entry's header. */
	win_cert(tab, 16, 0x0200, 2);
	b = cert_file(tab, 20, 0, CONTOSO_SIZE, 20, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "fewer than 8 bytes"));
	assert_int_equal(t.bad_offset, CONTOSO_SIZE + 16);
	free(b);
	/* Bytes after the table (MS12-024): size 16 of 24 appended. */
	b = cert_file(tab, 24, 0, CONTOSO_SIZE, 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "data after the table"));
	free(b);
	/* Past the end of the file. */
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 24, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "past the end of the file"));
	free(b);
	/* Before the end of the last section: the table would claim
	 * section bytes (the last 0x200 of the file are section data). */
	b = cert_file(tab, 16, 0, CONTOSO_SIZE - 0x200, 0x200 + 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "before the end of the headers or of "
	    "the last section"));
	free(b);
	/* Offset without size, size without offset. */
	b = cert_file(tab, 0, 0, CONTOSO_SIZE, 0, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	assert_non_null(strstr(t.why, "one is zero"));
	free(b);
	b = cert_file(tab, 0, 0, 0, 16, &len);
	assert_int_equal(cert_read(b, len, &t), -1);
	free(b);
}

/* A mapped file's table is copied: the entries read are the copy's. */
static void
test_pe__cert_table_copied(void **state)
{
	uint8_t tab[16], *b;
	pe_cert_table t;
	asmgate_image *img;
	size_t len;

	(void)state;
	memset(tab, 0, sizeof(tab));
	win_cert(tab, 16, 0x0200, 2);
	b = cert_file(tab, 16, 0, CONTOSO_SIZE, 16, &len);
	img = mem_ok(b, len); /* borrowed bytes: snapshot copies */
	b[CONTOSO_SIZE + 8] = 0x5A;
	assert_int_equal(pe_cert_read(img, &t), 1);
	assert_int_equal(t.e[0].body.p[0], 0);
	asmgate_image_free(img);
	free(b);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe__valid_samples),
		cmocka_unit_test(test_pe__from_memory_matches_open),
		cmocka_unit_test(test_pe__sections),
		cmocka_unit_test(test_pe__pe32plus),
		cmocka_unit_test(test_pe__module_mvid),
		cmocka_unit_test(test_pe__references),
		cmocka_unit_test(test_pe__attributes_contoso),
		cmocka_unit_test(test_pe__attributes_delay_sign),
		cmocka_unit_test(test_pe__attributes_other_samples),
		cmocka_unit_test(test_pe__module_no_assembly),
		cmocka_unit_test(test_pe__open_errors),
		cmocka_unit_test(test_pe__malformed_samples),
		cmocka_unit_test(test_pe__malformed_all_listed),
		cmocka_unit_test(test_pe__malformed_signature_slots),
		cmocka_unit_test(test_pe__rva_count_below_15),
		cmocka_unit_test(test_pe__rva_count_huge),
		cmocka_unit_test(test_pe__optional_header_too_small),
		cmocka_unit_test(test_pe__pe_header_mutations),
		cmocka_unit_test(test_pe__overlay),
		cmocka_unit_test(test_pe__cor_mutations),
		cmocka_unit_test(test_pe__streams_rewritten_identity),
		cmocka_unit_test(test_pe__duplicate_strings_stream),
		cmocka_unit_test(test_pe__two_tables_streams),
		cmocka_unit_test(test_pe__uncompressed_tables_name),
		cmocka_unit_test(test_pe__missing_heaps),
		cmocka_unit_test(test_pe__jtd_stream_makes_indexes_wide),
		cmocka_unit_test(test_pe__unknown_table_bit),
		cmocka_unit_test(test_pe__heap_sizes_ignored_bits),
		cmocka_unit_test(test_pe__guid_index_out_of_range),
		cmocka_unit_test(test_pe__row_mutations),
		cmocka_unit_test(test_pe__methoddef_attribute),
		cmocka_unit_test(test_pe__rva_to_offset),
		cmocka_unit_test(test_pe__rva_to_offset_section_without_raw_data),
		cmocka_unit_test(test_pe__error_messages_printable),
		cmocka_unit_test(test_pe__heap_string),
		cmocka_unit_test(test_pe__heap_string_max),
		cmocka_unit_test(test_pe__heap_blob),
		cmocka_unit_test(test_pe__heap_guid),
		cmocka_unit_test(test_pe__coded_decode),
		cmocka_unit_test(test_pe__tables_module_row_widths),
		cmocka_unit_test(test_pe__tables_extra_data),
		cmocka_unit_test(test_pe__tables_header_errors),
		cmocka_unit_test(test_pe__tables_index_widths),
		cmocka_unit_test(test_pe__syn_basic),
		cmocka_unit_test(test_pe__syn_heap_sizes_extra_data),
		cmocka_unit_test(test_pe__syn_wide_heaps),
		cmocka_unit_test(test_pe__syn_jtd),
		cmocka_unit_test(test_pe__syn_version_string_no_nul),
		cmocka_unit_test(test_pe__syn_guid_index),
		cmocka_unit_test(test_pe__syn_row_errors),
		cmocka_unit_test(test_pe__syn_reference_limit),
		cmocka_unit_test(test_pe__syn_attribute_limit),
		cmocka_unit_test(test_pe__syn_methoddef_attribute),
		cmocka_unit_test(test_pe__syn_methodptr_budget),
		cmocka_unit_test(test_pe__syn_methodptr_cap),
		cmocka_unit_test(test_pe__mapped_metadata_copied),
		cmocka_unit_test(test_pe__ready_to_run),
		cmocka_unit_test(test_pe__machine_os_override),
		cmocka_unit_test(test_pe__ready_to_run_mutations),
		cmocka_unit_test(test_pe__cert_table_none_and_one),
		cmocka_unit_test(test_pe__cert_table_several),
		cmocka_unit_test(test_pe__cert_table_bad),
		cmocka_unit_test(test_pe__cert_table_copied),
	};

	return cmocka_run_group_tests_name("pe", tests, NULL, NULL);
}
