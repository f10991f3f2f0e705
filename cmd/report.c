/*
 * report.c - the per-file report shared by inspect and verify: the
 * image's facts as JSON members or as text lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "rd/utf8.h"
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
json_version(rd_json *j, const char *k, const asmgate_version *v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", v->major, v->minor, v->build,
	    v->revision);
	rd_json_kstr(j, k, buf);
}

static void
json_hex32(rd_json *j, const char *k, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%" PRIx32, v);
	rd_json_kstr(j, k, buf);
}

static void
json_pe(rd_json *j, const asmgate_pe_info *pe)
{
	const char *mn;
	uint32_t i;

	rd_json_key(j, "pe");
	rd_json_obj(j);
	rd_json_kstr(j, "format", pe->pe32plus ? "PE32+" : "PE32");
	/* An OS-specific machine value (ReadyToRun) as its architecture,
	 * with the OS apart; machineId stays the value stored. */
	mn = cmd_machine_name(pe->machine_arch);
	if (mn)
		rd_json_kstr(j, "machine", mn);
	else
		json_hex32(j, "machine", pe->machine);
	rd_json_kstr(j, "machineOs", pe->machine_os);
	rd_json_kuint(j, "machineId", pe->machine);
	rd_json_kuint(j, "characteristics", pe->characteristics);
	rd_json_kuint(j, "timestamp", pe->timestamp);
	rd_json_kuint(j, "checksum", pe->checksum);
	rd_json_kuint(j, "subsystem", pe->subsystem);
	rd_json_kuint(j, "fileSize", pe->file_size);
	rd_json_key(j, "sections");
	rd_json_arr(j);
	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		rd_json_obj(j);
		rd_json_key(j, "name");
		rd_json_strn(j, s->name, strlen(s->name));
		rd_json_kuint(j, "virtualAddress", s->virtual_address);
		rd_json_kuint(j, "virtualSize", s->virtual_size);
		rd_json_kuint(j, "rawOffset", s->raw_offset);
		rd_json_kuint(j, "rawSize", s->raw_size);
		rd_json_kuint(j, "characteristics", s->characteristics);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
	rd_json_key(j, "overlay");
	if (pe->overlay_size == 0) {
		rd_json_null(j);
	} else {
		rd_json_obj(j);
		rd_json_kuint(j, "offset", pe->overlay_offset);
		rd_json_kuint(j, "size", pe->overlay_size);
		rd_json_obj_end(j);
	}
	rd_json_obj_end(j);
}

static void
json_dir(rd_json *j, const char *k, const asmgate_dir *d)
{
	rd_json_key(j, k);
	rd_json_obj(j);
	rd_json_kuint(j, "rva", d->rva);
	rd_json_kuint(j, "size", d->size);
	rd_json_obj_end(j);
}

/* "readyToRun": true/false, "readyToRunVersion": "MAJOR.MINOR" or null,
 * "readyToRunFlags": READYTORUN_CORE_HEADER Flags or null. */
static void
json_r2r(rd_json *j, const asmgate_r2r_info *r2r)
{
	char buf[16];

	rd_json_kbool(j, "readyToRun", r2r->present);
	if (r2r->present) {
		snprintf(buf, sizeof(buf), "%u.%u", r2r->major_version,
		    r2r->minor_version);
		rd_json_kstr(j, "readyToRunVersion", buf);
		rd_json_kuint(j, "readyToRunFlags", r2r->flags);
	} else {
		rd_json_knull(j, "readyToRunVersion");
		rd_json_knull(j, "readyToRunFlags");
	}
}

static void
json_cli(rd_json *j, const asmgate_cli_info *cli,
    const asmgate_r2r_info *r2r)
{
	char buf[16];
	size_t i;
	uint32_t known = 0, s;

	rd_json_key(j, "cli");
	rd_json_obj(j);
	rd_json_kuint(j, "flags", cli->flags);
	rd_json_key(j, "flagNames");
	rd_json_arr(j);
	for (i = 0; i < NCORFLAGS; i++) {
		known |= cor_flags[i].bit;
		if (cli->flags & cor_flags[i].bit)
			rd_json_str(j, cor_flags[i].name);
	}
	if (cli->flags & ~known) {
		snprintf(buf, sizeof(buf), "0x%x", cli->flags & ~known);
		rd_json_str(j, buf);
	}
	rd_json_arr_end(j);
	rd_json_kstr(j, "runtimeVersion", cli->runtime_version);
	snprintf(buf, sizeof(buf), "%u.%u", cli->major_runtime_version,
	    cli->minor_runtime_version);
	rd_json_kstr(j, "headerVersion", buf);
	rd_json_kuint(j, "entryPointToken", cli->entry_point);
	rd_json_key(j, "strongNameSignature");
	rd_json_obj(j);
	rd_json_kuint(j, "rva", cli->strong_name.rva);
	if (cli->strong_name_mapped)
		rd_json_kuint(j, "offset", cli->strong_name_offset);
	else
		rd_json_knull(j, "offset");
	rd_json_kuint(j, "size", cli->strong_name.size);
	rd_json_obj_end(j);
	json_dir(j, "metadata", &cli->metadata);
	json_dir(j, "resources", &cli->resources);
	json_dir(j, "managedNativeHeader", &cli->managed_native_header);
	json_r2r(j, r2r);
	rd_json_key(j, "streams");
	rd_json_arr(j);
	for (s = 0; s < cli->nstreams; s++) {
		rd_json_obj(j);
		rd_json_kstr(j, "name", cli->streams[s].name);
		rd_json_kuint(j, "offset", cli->streams[s].file_offset);
		rd_json_kuint(j, "size", cli->streams[s].size);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
	rd_json_obj_end(j);
}

static void
json_assembly(rd_json *j, const asmgate_image_info *info)
{
	const asmgate_assembly_info *a = &info->assembly;
	const char *hn = cmd_hash_alg_name(a->hash_alg);
	uint8_t tok[8];
	const uint8_t *t = cmd_assembly_token(info, tok);

	rd_json_key(j, "assembly");
	rd_json_obj(j);
	rd_json_kstr(j, "name", a->name);
	json_version(j, "version", &a->version);
	rd_json_kstr(j, "culture", a->culture);
	rd_json_kuint(j, "flags", a->flags);
	if (hn)
		rd_json_kstr(j, "hashAlgorithm", hn);
	else
		json_hex32(j, "hashAlgorithm", a->hash_alg);
	rd_json_khex(j, "publicKey", a->public_key, a->public_key_len);
	rd_json_khex(j, "publicKeyToken", t, 8);
	rd_json_obj_end(j);

	rd_json_key(j, "module");
	rd_json_obj(j);
	rd_json_kstr(j, "name", info->module_name);
	rd_json_khex(j, "mvid", info->mvid, 16);
	rd_json_obj_end(j);
}

static void
json_references(rd_json *j, const asmgate_image_info *info)
{
	uint32_t i;

	rd_json_key(j, "references");
	rd_json_arr(j);
	for (i = 0; i < info->nreferences; i++) {
		const asmgate_reference *r = &info->references[i];
		uint8_t tok[8];
		const uint8_t *t = ref_token(r, tok);

		rd_json_obj(j);
		rd_json_kstr(j, "name", r->name);
		json_version(j, "version", &r->version);
		rd_json_kstr(j, "culture", r->culture);
		rd_json_khex(j, "publicKeyToken", t, 8);
		rd_json_kuint(j, "flags", r->flags);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
}

/* "decoded": the arguments of a well-known attribute (II.23.3), or
 * null; "decodeError" when its value does not follow its constructor. */
static void
json_attribute_decoded(rd_json *j, const asmgate_attribute *a)
{
	asmgate_attr_value v;
	asmgate_error e;
	asmgate_status st;
	unsigned k;

	asmgate_error_clear(&e);
	st = asmgate_attribute_decode(a, &v, &e);
	rd_json_key(j, "decoded");
	if (st != ASMGATE_OK) {
		rd_json_null(j);
		if (st != ASMGATE_E_UNSUPPORTED)
			rd_json_kstr(j, "decodeError", e.msg);
		return;
	}
	rd_json_obj(j);
	rd_json_kstr(j, "name", v.shown);
	rd_json_key(j, "arguments");
	rd_json_arr(j);
	for (k = 0; k < v.nargs; k++) {
		const asmgate_attr_arg *g = &v.args[k];

		rd_json_obj(j);
		rd_json_key(j, "name");
		rd_json_strn(j, g->name, g->name_len);
		rd_json_kbool(j, "named", g->named);
		rd_json_key(j, "value");
		switch (g->kind) {
		case ASMGATE_ATTR_STRING:
			rd_json_strn(j, g->str, g->len);
			break;
		case ASMGATE_ATTR_NULL:
			rd_json_null(j);
			break;
		case ASMGATE_ATTR_BOOL:
			rd_json_bool(j, g->u != 0);
			break;
		case ASMGATE_ATTR_INT:
			rd_json_int(j, g->i);
			break;
		case ASMGATE_ATTR_UINT:
			rd_json_uint(j, g->u);
			break;
		}
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
	rd_json_kuint(j, "namedSkipped", v.named_skipped);
	rd_json_obj_end(j);
}

static void
json_attributes(rd_json *j, const asmgate_image_info *info)
{
	uint32_t i;

	rd_json_key(j, "attributes");
	rd_json_arr(j);
	for (i = 0; i < info->nattributes; i++) {
		const asmgate_attribute *a = &info->attributes[i];
		char type[2 * 1024 + 2];

		snprintf(type, sizeof(type), "%s%s%s", a->type_namespace,
		    a->type_namespace[0] ? "." : "", a->type_name);
		rd_json_obj(j);
		rd_json_kstr(j, "type", type);
		rd_json_khex(j, "value",
		    a->value ? a->value : (const uint8_t *)"",
		    a->value_len);
		json_attribute_decoded(j, a);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
}

void
cmd_report_error_json(rd_json *j, const asmgate_error *err)
{
	rd_json_key(j, "error");
	if (!err) {
		rd_json_null(j);
		return;
	}
	rd_json_obj(j);
	rd_json_kstr(j, "code", asmgate_status_name(err->code));
	rd_json_kstr(j, "message", err->msg);
	if (err->has_offset)
		rd_json_kuint(j, "offset", err->offset);
	else
		rd_json_knull(j, "offset");
	rd_json_obj_end(j);
}

void
cmd_report_file_json(rd_json *j, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *err)
{
	const asmgate_image_info *info;
	size_t k;

	rd_json_kstr(j, "path", path);
	/* The file on disk and the member chain inside containers ([] for
	 * a plain file); path is the display name joining them with '!'. */
	rd_json_key(j, "origin");
	rd_json_obj(j);
	rd_json_kstr(j, "file", origin ? origin->file : path);
	rd_json_key(j, "members");
	rd_json_arr(j);
	for (k = 0; origin && k < origin->nmembers; k++)
		rd_json_str(j, origin->members[k]);
	rd_json_arr_end(j);
	/* Each member's own key in its format (an installer database's
	 * File key), null where the name is the key. */
	rd_json_key(j, "keys");
	rd_json_arr(j);
	for (k = 0; origin && k < origin->nmembers; k++) {
		if (origin->keys && origin->keys[k])
			rd_json_str(j, origin->keys[k]);
		else
			rd_json_null(j);
	}
	rd_json_arr_end(j);
	/* Levels of the chain (0: the file, k: members[k - 1]) whose
	 * container carries a signature of its own, not verified. */
	rd_json_key(j, "signedContainers");
	rd_json_arr(j);
	for (k = 0; origin && k <= origin->nmembers && k < 32; k++)
		if (origin->signed_levels & ((uint32_t)1 << k))
			rd_json_uint(j, (uint64_t)k);
	rd_json_arr_end(j);
	rd_json_obj_end(j);
	cmd_report_error_json(j, err);
	if (!img) {
		rd_json_knull(j, "pe");
		rd_json_knull(j, "cli");
		rd_json_knull(j, "assembly");
		rd_json_knull(j, "module");
		rd_json_key(j, "references");
		rd_json_arr(j);
		rd_json_arr_end(j);
		rd_json_key(j, "attributes");
		rd_json_arr(j);
		rd_json_arr_end(j);
		return;
	}
	info = asmgate_image_get_info(img);
	json_pe(j, &info->pe);
	json_cli(j, &info->cli, &info->r2r);
	json_assembly(j, info);
	json_references(j, info);
	json_attributes(j, info);
}

/* A string from the file for the terminal: C0 controls, DEL and bytes
 * that are not valid UTF-8 are shown as \xNN, C1 and bidirectional
 * controls as \u{XXXX}, so a crafted name cannot move the cursor, hide
 * text or display reversed. keep_nl: a newline passes (documents that
 * are lines, e.g. policy show). */
static void
put_text(FILE *out, const char *str, size_t n, int keep_nl)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, run = 0;
	uint32_t cp;
	int l;

	/* Safe characters go out in runs; each unsafe one escaped. */
	while (i < n) {
		/* printable ASCII, the bulk of any text: no decoding */
		if (s[i] >= 0x20 && s[i] < 0x7F) {
			i++;
			continue;
		}
		if (keep_nl && s[i] == '\n') {
			i++;
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7F ||
		    (l = rd_utf8_next(s + i, n - i, &cp)) == 0) {
			fwrite(s + run, 1, i - run, out);
			fprintf(out, "\\x%02x", s[i]);
			run = ++i;
			continue;
		}
		if (rd_utf8_is_display_control(cp)) {
			fwrite(s + run, 1, i - run, out);
			fprintf(out, "\\u{%04X}", (unsigned)cp);
			i += (size_t)l;
			run = i;
			continue;
		}
		i += (size_t)l;
	}
	fwrite(s + run, 1, i - run, out);
}

void
cmd_put_text(FILE *out, const char *str)
{
	put_text(out, str, strlen(str), 0);
}

void
cmd_put_lines(FILE *out, const char *str, size_t n)
{
	put_text(out, str, n, 1);
}

void
cmd_report_origin_text(FILE *out, const asmgate_origin *origin)
{
	size_t k, i;

	for (k = 0; origin && k <= origin->nmembers && k < 32; k++) {
		if (!(origin->signed_levels & ((uint32_t)1 << k)))
			continue;
		fputs("  container   ", out);
		cmd_put_text(out, origin->file);
		for (i = 0; i < k; i++) {
			fputc('!', out);
			cmd_put_text(out, origin->members[i]);
		}
		fputs(" carries its own Authenticode signature (not verified)\n",
		    out);
	}
}

/* n bytes of an attribute string for the terminal: quoted, escaped as
 * by cmd_put_text, at most 512 bytes shown. */
static void
text_attr_string(FILE *out, const char *s, size_t n)
{
	char buf[513];
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1, i;

	for (i = 0; i < k; i++)
		buf[i] = s[i] ? s[i] : '?'; /* a NUL would end the text */
	buf[k] = '\0';
	fputc('"', out);
	cmd_put_text(out, buf);
	fputs(k < n ? "...\"" : "\"", out);
}

/* One assembly attribute: Name(arg, ..., Named = v) when decoded
 * (II.23.3), else its type name. */
static void
text_attribute(FILE *out, const asmgate_attribute *a)
{
	asmgate_attr_value v;
	asmgate_error e;
	asmgate_status st;
	unsigned k;

	asmgate_error_clear(&e);
	st = asmgate_attribute_decode(a, &v, &e);
	if (st != ASMGATE_OK) {
		cmd_put_text(out, a->type_namespace);
		fputs(a->type_namespace[0] ? "." : "", out);
		cmd_put_text(out, a->type_name[0] ? a->type_name :
		    "(unresolved type)");
		if (st != ASMGATE_E_UNSUPPORTED) {
			fputs(" (value not decoded: ", out);
			cmd_put_text(out, e.msg);
			fputc(')', out);
		}
		return;
	}
	fprintf(out, "%s(", v.shown);
	for (k = 0; k < v.nargs; k++) {
		const asmgate_attr_arg *g = &v.args[k];

		fputs(k ? ", " : "", out);
		if (g->named) {
			char nm[129];
			size_t n = g->name_len < 128 ? g->name_len : 128;

			memcpy(nm, g->name, n);
			nm[n] = '\0';
			cmd_put_text(out, nm);
			fputs(" = ", out);
		}
		switch (g->kind) {
		case ASMGATE_ATTR_STRING:
			text_attr_string(out, g->str, g->len);
			break;
		case ASMGATE_ATTR_NULL:
			fputs("null", out);
			break;
		case ASMGATE_ATTR_BOOL:
			fputs(g->u ? "true" : "false", out);
			break;
		case ASMGATE_ATTR_INT:
			fprintf(out, "%lld", (long long)g->i);
			break;
		case ASMGATE_ATTR_UINT:
			fprintf(out, "%llu", (unsigned long long)g->u);
			break;
		}
	}
	if (v.named_skipped)
		fprintf(out, "%s%u more not shown", v.nargs ? ", " : "",
		    v.named_skipped);
	fputc(')', out);
}

void
cmd_report_file_text(FILE *out, const char *path, const asmgate_image *img)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_pe_info *pe = &info->pe;
	const asmgate_cli_info *cli = &info->cli;
	const asmgate_assembly_info *a = &info->assembly;
	const char *mn = cmd_machine_name(pe->machine_arch);
	uint8_t tok[8];
	const uint8_t *t = cmd_assembly_token(info, tok);
	size_t i;
	uint32_t r;
	int first = 1;

	cmd_put_text(out, path);
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
	fprintf(out, "\n  pe          %s, machine ", pe->pe32plus ? "PE32+" :
	    "PE32");
	if (mn)
		fputs(mn, out);
	else
		fprintf(out, "0x%04x", pe->machine);
	if (pe->machine_os)
		fprintf(out, " (%s; Machine 0x%04x)", pe->machine_os,
		    pe->machine);
	fprintf(out, ", %u sections", pe->nsections);
	if (pe->overlay_size)
		fprintf(out, ", %llu bytes after the last section",
		    (unsigned long long)pe->overlay_size);
	fprintf(out, "\n  cli         runtime ");
	cmd_put_text(out, cli->runtime_version);
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
	if (info->r2r.present)
		fprintf(out, "\n  readytorun  RTR header %u.%u, flags 0x%x: "
		    "precompiled by crossgen", info->r2r.major_version,
		    info->r2r.minor_version, info->r2r.flags);
	for (r = 0; r < info->nreferences; r++) {
		const asmgate_reference *ref = &info->references[r];
		uint8_t rt[8];
		fputs(r == 0 ? "\n  references  " : "\n              ", out);
		cmd_print_identity(out, ref->name, &ref->version, ref->culture,
		    ref_token(ref, rt));
	}
	for (r = 0; r < info->nattributes; r++) {
		fputs(r == 0 ? "\n  attributes  " : "\n              ", out);
		text_attribute(out, &info->attributes[r]);
	}
	fputc('\n', out);
}
