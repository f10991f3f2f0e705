/*
 * report.c - the per-file report shared by inspect and verify: the
 * image's facts as JSON members or as text lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static const struct {
	uint32_t bit;
	const char *name;
} cor_flags[] = {
	{ ASMGATE_COMIMAGE_ILONLY, "ILONLY" },
	{ ASMGATE_COMIMAGE_32BITREQUIRED, "32BITREQUIRED" },
	{ ASMGATE_COMIMAGE_IL_LIBRARY, "IL_LIBRARY" },
	{ ASMGATE_COMIMAGE_STRONGNAMESIGNED, "STRONGNAMESIGNED" },
	{ ASMGATE_COMIMAGE_NATIVE_ENTRYPOINT, "NATIVE_ENTRYPOINT" },
	{ ASMGATE_COMIMAGE_TRACKDEBUGDATA, "TRACKDEBUGDATA" },
	{ ASMGATE_COMIMAGE_32BITPREFERRED, "32BITPREFERRED" },
};

#define NCORFLAGS (sizeof(cor_flags) / sizeof(cor_flags[0]))

const char *
cmd_machine_name(uint16_t m)
{
	switch (m) {
	case 0x014C: return "i386";
	case 0x8664: return "amd64";
	case 0xAA64: return "arm64";
	case 0x01C4: return "armnt";
	case 0x0200: return "ia64";
	case 0x0000: return "unknown";
	default: return NULL;
	}
}

const char *
cmd_hash_alg_name(uint32_t alg)
{
	switch (alg) {
	case 0: return "none";
	case 0x8003: return "md5";
	case ASMGATE_CALG_SHA1: return "sha1";
	case ASMGATE_CALG_SHA_256: return "sha256";
	case ASMGATE_CALG_SHA_384: return "sha384";
	case ASMGATE_CALG_SHA_512: return "sha512";
	default: return NULL;
	}
}

/* Token of a reference: computed from a full key, or the stored 8-byte
 * token; NULL when it has neither. */
static const uint8_t *
ref_token(const asmgate_reference *r, uint8_t buf[8])
{
	asmgate_error e;

	if (!r->public_key_or_token || r->public_key_or_token_len == 0)
		return NULL;
	if (r->flags & ASMGATE_AF_PUBLICKEY)
		return asmgate_key_token(r->public_key_or_token,
		    r->public_key_or_token_len, buf, &e) == ASMGATE_OK ? buf :
		    NULL;
	if (r->public_key_or_token_len != 8)
		return NULL;
	memcpy(buf, r->public_key_or_token, 8);
	return buf;
}

const uint8_t *
cmd_assembly_token(const asmgate_image_info *info, uint8_t buf[8])
{
	asmgate_error e;

	if (!info->assembly.public_key)
		return NULL;
	return asmgate_key_token(info->assembly.public_key,
	    info->assembly.public_key_len, buf, &e) == ASMGATE_OK ? buf : NULL;
}

static void
json_version(cmd_json *j, const char *k, const asmgate_version *v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v->major, v->minor, v->build,
	    v->revision);
	cmd_json_kstr(j, k, buf);
}

static void
json_hex32(cmd_json *j, const char *k, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%" PRIx32, v);
	cmd_json_kstr(j, k, buf);
}

static void
json_pe(cmd_json *j, const asmgate_pe_info *pe)
{
	const char *mn = cmd_machine_name(pe->machine);
	uint32_t i;

	cmd_json_key(j, "pe");
	cmd_json_obj(j);
	cmd_json_kstr(j, "format", pe->pe32plus ? "PE32+" : "PE32");
	if (mn)
		cmd_json_kstr(j, "machine", mn);
	else
		json_hex32(j, "machine", pe->machine);
	cmd_json_kuint(j, "machineId", pe->machine);
	cmd_json_kuint(j, "characteristics", pe->characteristics);
	cmd_json_kuint(j, "timestamp", pe->timestamp);
	cmd_json_kuint(j, "checksum", pe->checksum);
	cmd_json_kuint(j, "subsystem", pe->subsystem);
	cmd_json_kuint(j, "fileSize", pe->file_size);
	cmd_json_key(j, "sections");
	cmd_json_arr(j);
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		cmd_json_obj(j);
		cmd_json_key(j, "name");
		cmd_json_strn(j, s->name, strlen(s->name));
		cmd_json_kuint(j, "virtualAddress", s->virtual_address);
		cmd_json_kuint(j, "virtualSize", s->virtual_size);
		cmd_json_kuint(j, "rawOffset", s->raw_offset);
		cmd_json_kuint(j, "rawSize", s->raw_size);
		cmd_json_kuint(j, "characteristics", s->characteristics);
		cmd_json_obj_end(j);
	}
	cmd_json_arr_end(j);
	cmd_json_key(j, "overlay");
	cmd_json_obj(j);
	cmd_json_kuint(j, "offset", pe->overlay_offset);
	cmd_json_kuint(j, "size", pe->overlay_size);
	cmd_json_obj_end(j);
	cmd_json_obj_end(j);
}

static void
json_dir(cmd_json *j, const char *k, const asmgate_dir *d)
{
	cmd_json_key(j, k);
	cmd_json_obj(j);
	cmd_json_kuint(j, "rva", d->rva);
	cmd_json_kuint(j, "size", d->size);
	cmd_json_obj_end(j);
}

static void
json_cli(cmd_json *j, const asmgate_cli_info *cli)
{
	char buf[16];
	size_t i;
	uint32_t known = 0, s;

	cmd_json_key(j, "cli");
	cmd_json_obj(j);
	cmd_json_kuint(j, "flags", cli->flags);
	cmd_json_key(j, "flagNames");
	cmd_json_arr(j);
	for (i = 0; i < NCORFLAGS; i++) {
		known |= cor_flags[i].bit;
		if (cli->flags & cor_flags[i].bit)
			cmd_json_str(j, cor_flags[i].name);
	}
	if (cli->flags & ~known) {
		snprintf(buf, sizeof(buf), "0x%x", cli->flags & ~known);
		cmd_json_str(j, buf);
	}
	cmd_json_arr_end(j);
	cmd_json_kstr(j, "runtimeVersion", cli->runtime_version);
	snprintf(buf, sizeof(buf), "%u.%u", cli->major_runtime_version,
	    cli->minor_runtime_version);
	cmd_json_kstr(j, "headerVersion", buf);
	cmd_json_kuint(j, "entryPointToken", cli->entry_point);
	cmd_json_key(j, "strongNameSignature");
	cmd_json_obj(j);
	cmd_json_kuint(j, "rva", cli->strong_name.rva);
	if (cli->strong_name_mapped)
		cmd_json_kuint(j, "offset", cli->strong_name_offset);
	else
		cmd_json_knull(j, "offset");
	cmd_json_kuint(j, "size", cli->strong_name.size);
	cmd_json_obj_end(j);
	json_dir(j, "metadata", &cli->metadata);
	json_dir(j, "resources", &cli->resources);
	cmd_json_key(j, "streams");
	cmd_json_arr(j);
	for (s = 0; s < cli->nstreams; s++) {
		cmd_json_obj(j);
		cmd_json_kstr(j, "name", cli->streams[s].name);
		cmd_json_kuint(j, "offset", cli->streams[s].file_offset);
		cmd_json_kuint(j, "size", cli->streams[s].size);
		cmd_json_obj_end(j);
	}
	cmd_json_arr_end(j);
	cmd_json_obj_end(j);
}

static void
json_assembly(cmd_json *j, const asmgate_image_info *info)
{
	const asmgate_assembly_info *a = &info->assembly;
	const char *hn = cmd_hash_alg_name(a->hash_alg);
	uint8_t tok[8];
	const uint8_t *t = cmd_assembly_token(info, tok);

	cmd_json_key(j, "assembly");
	cmd_json_obj(j);
	cmd_json_kstr(j, "name", a->name);
	json_version(j, "version", &a->version);
	cmd_json_kstr(j, "culture", a->culture);
	cmd_json_kuint(j, "flags", a->flags);
	if (hn)
		cmd_json_kstr(j, "hashAlgorithm", hn);
	else
		json_hex32(j, "hashAlgorithm", a->hash_alg);
	cmd_json_khex(j, "publicKey", a->public_key, a->public_key_len);
	cmd_json_khex(j, "publicKeyToken", t, 8);
	cmd_json_obj_end(j);

	cmd_json_key(j, "module");
	cmd_json_obj(j);
	cmd_json_kstr(j, "name", info->module_name);
	cmd_json_khex(j, "mvid", info->mvid, 16);
	cmd_json_obj_end(j);
}

static void
json_references(cmd_json *j, const asmgate_image_info *info)
{
	uint32_t i;

	cmd_json_key(j, "references");
	cmd_json_arr(j);
	for (i = 0; i < info->nreferences; i++) {
		const asmgate_reference *r = &info->references[i];
		uint8_t tok[8];
		const uint8_t *t = ref_token(r, tok);

		cmd_json_obj(j);
		cmd_json_kstr(j, "name", r->name);
		json_version(j, "version", &r->version);
		cmd_json_kstr(j, "culture", r->culture);
		cmd_json_khex(j, "publicKeyToken", t, 8);
		cmd_json_kuint(j, "flags", r->flags);
		cmd_json_obj_end(j);
	}
	cmd_json_arr_end(j);
}

static void
json_attributes(cmd_json *j, const asmgate_image_info *info)
{
	uint32_t i;

	cmd_json_key(j, "attributes");
	cmd_json_arr(j);
	for (i = 0; i < info->nattributes; i++) {
		const asmgate_attribute *a = &info->attributes[i];
		char type[2 * 1024 + 2];

		snprintf(type, sizeof(type), "%s%s%s", a->type_namespace,
		    a->type_namespace[0] ? "." : "", a->type_name);
		cmd_json_obj(j);
		cmd_json_kstr(j, "type", type);
		cmd_json_khex(j, "value", a->value ? a->value : (const uint8_t *)"",
		    a->value_len);
		cmd_json_obj_end(j);
	}
	cmd_json_arr_end(j);
}

void
cmd_report_error_json(cmd_json *j, const asmgate_error *err)
{
	cmd_json_key(j, "error");
	if (!err) {
		cmd_json_null(j);
		return;
	}
	cmd_json_obj(j);
	cmd_json_kstr(j, "code", asmgate_status_name(err->code));
	cmd_json_kstr(j, "message", err->msg);
	if (err->has_offset)
		cmd_json_kuint(j, "offset", err->offset);
	else
		cmd_json_knull(j, "offset");
	cmd_json_obj_end(j);
}

void
cmd_report_file_json(cmd_json *j, const char *path, const asmgate_image *img,
    const asmgate_error *err)
{
	const asmgate_image_info *info;

	cmd_json_kstr(j, "path", path);
	cmd_report_error_json(j, err);
	if (!img) {
		cmd_json_knull(j, "pe");
		cmd_json_knull(j, "cli");
		cmd_json_knull(j, "assembly");
		cmd_json_knull(j, "module");
		cmd_json_key(j, "references");
		cmd_json_arr(j);
		cmd_json_arr_end(j);
		cmd_json_key(j, "attributes");
		cmd_json_arr(j);
		cmd_json_arr_end(j);
		return;
	}
	info = asmgate_image_get_info(img);
	json_pe(j, &info->pe);
	json_cli(j, &info->cli);
	json_assembly(j, info);
	json_references(j, info);
	json_attributes(j, info);
}

static void
text_str(FILE *out, const char *s)
{
	cmd_put_escaped(out, s, strlen(s), 0);
}

void
cmd_report_file_text(FILE *out, const char *path, const asmgate_image *img)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_pe_info *pe = &info->pe;
	const asmgate_cli_info *cli = &info->cli;
	const asmgate_assembly_info *a = &info->assembly;
	const char *mn = cmd_machine_name(pe->machine);
	uint8_t tok[8];
	const uint8_t *t = cmd_assembly_token(info, tok);
	size_t i;
	uint32_t r;
	int first = 1;

	text_str(out, path);
	fputs("\n  assembly    ", out);
	cmd_print_identity(out, a->name, &a->version, a->culture, t);
	fputs("\n  public key  ", out);
	if (a->public_key) {
		fprintf(out, "%zu bytes, token ", a->public_key_len);
		for (i = 0; i < 8 && t; i++)
			fprintf(out, "%02x", t[i]);
	} else {
		fputs("none (not strong-named)", out);
	}
	fprintf(out, "\n  pe          %s, machine %s, %u sections",
	    pe->pe32plus ? "PE32+" : "PE32", mn ? mn : "other",
	    pe->nsections);
	if (pe->overlay_size)
		fprintf(out, ", %llu bytes after the last section",
		    (unsigned long long)pe->overlay_size);
	fprintf(out, "\n  cli         runtime ");
	text_str(out, cli->runtime_version);
	fprintf(out, ", flags 0x%x (", cli->flags);
	for (i = 0; i < NCORFLAGS; i++) {
		if (cli->flags & cor_flags[i].bit) {
			fprintf(out, "%s%s", first ? "" : " ", cor_flags[i].name);
			first = 0;
		}
	}
	fputs(")\n  signature   ", out);
	if (cli->strong_name.size == 0)
		fputs("no slot", out);
	else if (cli->strong_name_mapped)
		fprintf(out, "slot of %u bytes at offset 0x%llx",
		    cli->strong_name.size,
		    (unsigned long long)cli->strong_name_offset);
	else
		fprintf(out, "slot of %u bytes at RVA 0x%x (outside sections)",
		    cli->strong_name.size, cli->strong_name.rva);
	for (r = 0; r < info->nreferences; r++) {
		const asmgate_reference *ref = &info->references[r];
		uint8_t rt[8];
		fputs(r == 0 ? "\n  references  " : "\n              ", out);
		cmd_print_identity(out, ref->name, &ref->version, ref->culture,
		    ref_token(ref, rt));
	}
	fputc('\n', out);
}
