/*
 * fuzz_pe.c - libFuzzer harness for the PE/ECMA-335 reader.
 *
 * Parses a private copy of the input with asmgate_image_take (owned
 * bytes: no snapshot, so every borrowed pointer lies in the copy), and
 * the input itself with asmgate_image_from_memory (borrowed bytes: the
 * metadata is read from a snapshot copy); both must agree on the
 * outcome and the identity. On success it walks
 * every public field of the image info, reading every byte of every
 * string and blob so the sanitizers see an over-read, checks that each
 * borrowed pointer lies inside the input (or is a string literal the
 * reader hands out for empty values) and that reported file offsets
 * match their pointers; then it looks attributes up and maps a few
 * RVAs. On failure it checks the error record (one printable line).
 * Any broken invariant traps, which libFuzzer reports as a crash.
 *
 * Built by tests/fuzz/run-fuzz.sh (clang, -fsanitize=fuzzer) and, for
 * corpus replay under gcc, with tests/fuzz/replay.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"

static int
inside(const uint8_t *data, size_t size, const void *p, size_t n)
{
	const uint8_t *q = p;

	return q >= data && (size_t)(q - data) <= size &&
	    n <= size - (size_t)(q - data);
}

/* A string the reader returned: NUL-terminated, every byte readable;
 * non-empty strings point into the input. Returns its length. */
static size_t
walk_str(const uint8_t *data, size_t size, const char *s)
{
	size_t n;

	CHECK(s != NULL);
	n = strlen(s);
	touch(s, n + 1);
	if (n > 0)
		CHECK(inside(data, size, s, n + 1));
	return n;
}

/* A blob: NULL exactly when empty; otherwise inside the input. */
static void
walk_blob(const uint8_t *data, size_t size, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	CHECK(p != NULL);
	CHECK(inside(data, size, p, n));
	touch(p, n);
}

/* A decoded attribute value (II.23.3): arguments within the cap, every
 * string and name inside the attribute's blob (or a literal), or an
 * error record. */
static void
walk_decoded(const asmgate_attribute *at)
{
	asmgate_attr_value v;
	asmgate_error err;
	asmgate_status st;
	unsigned k;

	asmgate_error_clear(&err);
	st = asmgate_attribute_decode(at, &v, &err);
	if (st != ASMGATE_OK) {
		CHECK(st == ASMGATE_E_UNSUPPORTED ||
		    st == ASMGATE_E_MALFORMED || st == ASMGATE_E_LIMIT);
		fuzz_check_error(st, &err, 1);
		return;
	}
	CHECK(v.shown != NULL && v.nargs <= ASMGATE_ATTR_MAX_ARGS);
	for (k = 0; k < v.nargs; k++) {
		const asmgate_attr_arg *g = &v.args[k];

		touch(g->name, g->name_len);
		if (g->named && g->name_len)
			CHECK(inside(at->value, at->value_len, g->name,
			    g->name_len));
		if (g->kind == ASMGATE_ATTR_STRING && g->len) {
			CHECK(inside(at->value, at->value_len, g->str,
			    g->len));
			touch(g->str, g->len);
		}
		if (g->kind == ASMGATE_ATTR_BOOL)
			CHECK(g->u <= 1);
	}
}

static void
walk_info(const asmgate_image *img, const uint8_t *data, size_t size)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_pe_info *pe = &info->pe;
	const asmgate_cli_info *cli = &info->cli;
	const asmgate_assembly_info *a = &info->assembly;
	size_t len;
	uint32_t i;
	uint64_t off;

	CHECK(asmgate_image_data(img, &len) == data);
	CHECK(len == size);

	/* PE */
	touch(pe, sizeof(*pe));
	CHECK(pe->file_size == size);
	CHECK(pe->nsections >= 1 && pe->nsections <= 96);
	CHECK(pe->sections != NULL);
	CHECK(pe->overlay_offset <= size);
	CHECK(pe->overlay_offset + pe->overlay_size == size);
	CHECK(pe->section_table_offset + 40ull * pe->nsections <= size);
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		touch(s, sizeof(*s));
		CHECK(memchr(s->name, 0, sizeof(s->name)) != NULL);
		if (s->raw_size)
			CHECK((uint64_t)s->raw_offset + s->raw_size <= size);
	}

	/* CLI */
	touch(cli, sizeof(*cli));
	CHECK(cli->header_offset + 72 <= size);
	CHECK(cli->metadata_offset + cli->metadata.size <= size);
	CHECK(cli->metadata_offset + 4 <= size);
	CHECK(memcmp(data + cli->metadata_offset, "BSJB", 4) == 0);
	CHECK(cli->runtime_version != NULL);
	touch(cli->runtime_version, strlen(cli->runtime_version) + 1);
	CHECK(strlen(cli->runtime_version) <= 255);
	if (cli->strong_name_mapped)
		CHECK(cli->strong_name_offset + cli->strong_name.size <= size);
	CHECK(cli->nstreams <= 16);
	for (i = 0; i < cli->nstreams; i++) {
		const asmgate_stream *st = &cli->streams[i];
		touch(st, sizeof(*st));
		CHECK(memchr(st->name, 0, sizeof(st->name)) != NULL);
		CHECK(st->file_offset == cli->metadata_offset + st->offset);
		CHECK(st->file_offset + st->size <= size);
	}
	for (i = 0; i < 64; i++)
		CHECK(cli->rows[i] <= 0x00FFFFFFu);

	/* Module and Assembly rows */
	walk_str(data, size, info->module_name);
	touch(info->mvid, sizeof(info->mvid));
	CHECK(walk_str(data, size, a->name) > 0);
	walk_str(data, size, a->culture);
	CHECK(cli->rows[0x20] == 1);
	CHECK((a->public_key == NULL) == (a->public_key_len == 0));
	walk_blob(data, size, a->public_key, a->public_key_len);
	if (a->public_key)
		CHECK(a->public_key == data + a->public_key_offset);

	/* References */
	CHECK(info->nreferences == cli->rows[0x23]);
	CHECK(info->nreferences == 0 || info->references != NULL);
	for (i = 0; i < info->nreferences; i++) {
		const asmgate_reference *r = &info->references[i];
		touch(&r->version, sizeof(r->version));
		fuzz_sink ^= (uint8_t)r->flags;
		walk_str(data, size, r->name);
		walk_str(data, size, r->culture);
		walk_blob(data, size, r->public_key_or_token,
		    r->public_key_or_token_len);
	}

	/* Attributes */
	CHECK(info->nattributes <= 4096);
	CHECK(info->nattributes <= cli->rows[0x0C]);
	CHECK(info->nattributes == 0 || info->attributes != NULL);
	for (i = 0; i < info->nattributes; i++) {
		const asmgate_attribute *at = &info->attributes[i];
		const asmgate_attribute *f;

		walk_str(data, size, at->type_namespace);
		walk_str(data, size, at->type_name);
		walk_blob(data, size, at->value, at->value_len);
		walk_blob(data, size, at->ctor_sig, at->ctor_sig_len);
		if (at->value_len)
			CHECK(at->value == data + at->value_offset);
		CHECK(at->row >= 1 && at->row <= cli->rows[0x0C]);
		CHECK(i == 0 || at->row > info->attributes[i - 1].row);
		/* the lookup finds this attribute or an earlier one of the
		 * same name */
		f = asmgate_image_find_attribute(img, at->type_namespace,
		    at->type_name);
		CHECK(f != NULL && f <= at);
		CHECK(strcmp(f->type_namespace, at->type_namespace) == 0);
		CHECK(strcmp(f->type_name, at->type_name) == 0);
		walk_decoded(at);
	}
	(void)asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblySignatureKeyAttribute");
	(void)asmgate_image_find_attribute(img, "System.Reflection",
	    "AssemblyDelaySignAttribute");
	(void)asmgate_image_find_attribute(img, "", "");

	/* RVA mapping: every directory and some values from the input */
	for (i = 0; i < 16; i++) {
		if (asmgate_image_rva_to_offset(img, pe->dirs[i].rva,
			pe->dirs[i].size, &off))
			CHECK(off + pe->dirs[i].size <= size);
	}
	if (asmgate_image_rva_to_offset(img, cli->metadata.rva,
		cli->metadata.size, &off))
		CHECK(off + cli->metadata.size <= size);
	if (size >= 8 && asmgate_image_rva_to_offset(img,
		(uint32_t)data[size - 8] | (uint32_t)data[size - 7] << 8 |
		(uint32_t)data[size - 6] << 16 | (uint32_t)data[size - 5] << 24,
		(uint32_t)data[size - 4] | (uint32_t)data[size - 3] << 8, &off))
		CHECK(off <= size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_image *img = NULL, *snap = NULL;
	asmgate_error err, err2;
	asmgate_status st, st2;
	uint8_t *copy;

	asmgate_error_clear(&err);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	st = asmgate_image_take(&img, copy, size, &err);
	asmgate_error_clear(&err2);
	st2 = asmgate_image_from_memory(&snap, data, size, &err2);
	CHECK(st == st2);
	if (st == ASMGATE_OK) {
		const asmgate_image_info *a = asmgate_image_get_info(img);
		const asmgate_image_info *b = asmgate_image_get_info(snap);
		const uint8_t *own;
		size_t len;

		CHECK(img != NULL && snap != NULL);
		own = asmgate_image_data(img, &len);
		walk_info(img, own, len);
		CHECK(strcmp(a->assembly.name, b->assembly.name) == 0);
		CHECK(a->assembly.public_key_len == b->assembly.public_key_len);
		CHECK(a->assembly.public_key_len == 0 ||
		    memcmp(a->assembly.public_key, b->assembly.public_key,
		    a->assembly.public_key_len) == 0);
		CHECK(a->nreferences == b->nreferences);
		asmgate_image_free(img);
		asmgate_image_free(snap);
		return 0;
	}
	CHECK(snap == NULL);
	CHECK(img == NULL);
	fuzz_check_error(st, &err, 1);
	return 0;
}
