/*
 * keys.c - asmgate keys: strong-name keys in every format.
 *
 *   keys token FILE...                         public key token(s)
 *   keys show [--format text|json] FILE...     everything about a key
 *   keys extract ASSEMBLY -o OUT               the assembly's public key
 *   keys convert IN --to FMT [--private] -o OUT
 *   keys generate [--bits N] [--hash ALG] -o KEY.snk [--pub OUT]
 *
 * Key files are recognized by content (asmgate_key_load_file). Outputs are
 * written to a temporary file in the target's directory and renamed over
 * it, so a reader never sees half a key; private outputs get mode 0600.
 * An existing output is refused unless --force is given.
 * Exit status: 0 done, 2 bad input, bad usage or I/O failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "report.h"

static void
keys_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate keys COMMAND [OPTIONS] [ARGS]\n"
	    "\n"
	    "Strong-name keys. Every FILE may be in any of these formats,\n"
	    "recognized by content, not by name:\n"
	    "  blob      strong-name public key blob (.pub: sn -p, sn -e)\n"
	    "  snk       CAPI PRIVATEKEYBLOB, a key pair (sn -k)\n"
	    "  capi      bare CAPI PUBLICKEYBLOB\n"
	    "  pem, der  SubjectPublicKeyInfo, PKCS#1 or unencrypted PKCS#8\n"
	    "  hex       hex text of a public key blob (sn -tp)\n"
	    "  ecma      the 16-byte ECMA neutral key\n"
	    "  assembly  a strong-named .dll or .exe (its public key)\n"
	    "\n"
	    "Commands:\n"
	    "  token FILE...                      print the public key token\n"
	    "  show [--format text|json] FILE...  kind, bits, exponent, hash,\n"
	    "                                     token, fingerprint, blob\n"
	    "  extract ASSEMBLY -o OUT            write the assembly's public\n"
	    "                                     key blob (as sn -e)\n"
	    "  convert IN --to FMT [--private] -o OUT\n"
	    "                                     FMT: pem der pub capi snk hex\n"
	    "  generate [--bits N] [--hash ALG] -o KEY.snk [--pub OUT.pub]\n"
	    "                                     a new key pair (as sn -k)\n"
	    "\n"
	    "Commands that write refuse an existing OUT unless --force.\n"
	    "Run 'asmgate keys COMMAND --help' for a command's options.\n"
	    "Exit status: 0 done, 2 bad key file, bad usage or I/O error.\n");
}

/* ------------------------------------------------------------ helpers */

static const char *
format_name(asmgate_key_format f)
{
	switch (f) {
	case ASMGATE_KEY_FMT_BLOB: return "blob";
	case ASMGATE_KEY_FMT_SNK: return "snk";
	case ASMGATE_KEY_FMT_CAPI_PUBLIC: return "capi";
	case ASMGATE_KEY_FMT_PEM: return "pem";
	case ASMGATE_KEY_FMT_DER: return "der";
	case ASMGATE_KEY_FMT_HEX: return "hex";
	case ASMGATE_KEY_FMT_ECMA: return "ecma";
	case ASMGATE_KEY_FMT_ASSEMBLY: return "assembly";
	case ASMGATE_KEY_FMT_UNKNOWN: break;
	}
	return "unknown";
}

static int
parse_hash(const char *cmd, const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t alg;
	} h[] = {
		{ "sha1", ASMGATE_CALG_SHA1 },
		{ "sha256", ASMGATE_CALG_SHA_256 },
		{ "sha384", ASMGATE_CALG_SHA_384 },
		{ "sha512", ASMGATE_CALG_SHA_512 },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		if (strcmp(s, h[i].name) == 0) {
			*out = h[i].alg;
			return 1;
		}
	}
	cmd_usage_error(cmd, "unknown --hash '%s' (sha1, sha256, sha384, "
	    "sha512)", s);
	return 0;
}

/* Wipe then free an output buffer that may hold a private key. */
static void
free_secret(uint8_t *p, size_t n)
{
	volatile uint8_t *v = p;
	size_t i;

	for (i = 0; v && i < n; i++)
		v[i] = 0;
	asmgate_free(p);
}

static void
print_sys_error(const char *path, const char *what)
{
	cmd_print_path_error(path, "%s: %s", what, strerror(errno));
}

/*
 * Write len bytes to path ("-": standard output) through a temporary
 * file in the same directory and rename(2), so path is either the old
 * file or the whole new one. secret: mode 0600, else 0644. Without
 * force an existing path is never replaced, not even one that appears
 * while the output is written (RD_ATOMIC_NOREPLACE).
 */
static int
write_output(const char *path, const uint8_t *data, size_t len, int secret,
    int force)
{
	asmgate_error err;

	if (strcmp(path, "-") == 0) {
		if (len && fwrite(data, 1, len, stdout) != len) {
			print_sys_error("(stdout)", "cannot write");
			return 0;
		}
		return fflush(stdout) == 0;
	}
	/* Through a temporary file renamed into place; a key pair is
	 * readable by its owner only. */
	asmgate_error_clear(&err);
	if (rd_file_write_atomic(path, data, len, secret ? 0600 : 0644,
	    force ? 0 : RD_ATOMIC_NOREPLACE, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return 0;
	}
	return 1;
}

/* A key file of any format, or the public key of an assembly named as a
 * file or as a container member ("app.zip!lib/a.dll"). */
static asmgate_status
load_any(asmgate_key **k, const char *path, asmgate_error *err)
{
	const asmgate_image_info *ii;
	asmgate_image *img = NULL;
	asmgate_status rc;

	if (!asmgate_subject_name_is_member(path))
		return asmgate_key_load_file(k, path, err);
	*k = NULL;
	if ((rc = asmgate_image_open_subject(&img, path, err)) != ASMGATE_OK)
		return rc;
	ii = asmgate_image_get_info(img);
	if (!ii->assembly.public_key || ii->assembly.public_key_len == 0) {
		asmgate_image_free(img);
		err->code = ASMGATE_E_KEY;
		err->has_offset = 0;
		snprintf(err->msg, sizeof(err->msg),
		    "the assembly has no public key");
		return ASMGATE_E_KEY;
	}
	rc = asmgate_key_from_blob(k, ii->assembly.public_key,
	    ii->assembly.public_key_len, err);
	asmgate_image_free(img);
	return rc;
}

static asmgate_key *
load_key(const char *path)
{
	asmgate_key *k = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (load_any(&k, path, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return NULL;
	}
	return k;
}

static void
print_token(FILE *out, const uint8_t t[8])
{
	char hex[17];

	rd_hex_encode(hex, t, 8);
	fputs(hex, out);
}

/* Parse a subcommand's "-h"/"--help" and "-o", shared shape. */
#define HELP_OPT { "help", no_argument, NULL, 'h' }
#define FORCE_OPT { "force", no_argument, NULL, 'F' }

/* -------------------------------------------------------------- token */

static int
keys_token(int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPT, { NULL, 0, NULL, 0 } };
	int c, i, failed = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: asmgate keys token FILE...\n"
			    "\n"
			    "Print the public key token (16 hex digits: the last 8\n"
			    "bytes of the SHA-1 of the public key blob, reversed) of\n"
			    "each key file or assembly. With several FILEs each line\n"
			    "is \"TOKEN  FILE\".\n"
			    "\n"
			    "Exit status: 0 every FILE was read, 2 otherwise.\n");
			return CMD_EXIT_OK;
		}
		return cmd_usage_error("keys token", "bad option");
	}
	if (optind >= argc)
		return cmd_usage_error("keys token", "no FILE given");
	for (i = optind; i < argc; i++) {
		asmgate_key *k = load_key(argv[i]);
		if (!k) {
			failed = 1;
			continue;
		}
		print_token(stdout, asmgate_key_get_info(k)->token);
		if (argc - optind > 1) {
			fputs("  ", stdout);
			cmd_put_text(stdout, argv[i]);
		}
		putchar('\n');
		asmgate_key_free(k);
	}
	if (fflush(stdout) != 0)
		return CMD_EXIT_ERROR;
	return failed ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* --------------------------------------------------------------- show */

static void
show_text(const char *path, const asmgate_key_info *ki)
{
	char *hex;

	fputs("file:        ", stdout);
	cmd_put_text(stdout, path);
	putchar('\n');
	printf("kind:        %s\n", ki->is_private ? "private" : "public");
	printf("format:      %s\n", format_name(ki->format));
	if (ki->is_ecma) {
		printf("bits:        -\n");
		printf("exponent:    -\n");
		printf("hash:        sha1 (HashAlgID 0; the ECMA key is "
		    "replaced by the runtime's key)\n");
	} else {
		printf("bits:        %u\n", ki->bits);
		printf("exponent:    %u\n", (unsigned)ki->exponent);
		printf("hash:        %s (HashAlgID 0x%x)\n",
		    ki->hash_name ? ki->hash_name : "unknown",
		    (unsigned)ki->hash_alg);
	}
	printf("token:       ");
	print_token(stdout, ki->token);
	putchar('\n');
	hex = malloc(2 * sizeof(ki->fingerprint) + 1);
	if (hex) {
		rd_hex_encode(hex, ki->fingerprint, sizeof(ki->fingerprint));
		printf("fingerprint: %s\n", hex);
		free(hex);
	}
	printf("well-known:  %s\n", ki->well_known ? ki->well_known : "-");
	hex = malloc(2 * ki->blob_len + 1);
	if (hex) {
		rd_hex_encode(hex, ki->blob, ki->blob_len);
		printf("public key:  %s\n", hex);
		free(hex);
	}
}

static void
show_json(rd_json *j, const char *path, const asmgate_key_info *ki,
    const asmgate_error *err)
{
	rd_json_obj(j);
	rd_json_kstr(j, "path", path);
	cmd_report_error_json(j, ki ? NULL : err);
	if (!ki) {
		rd_json_knull(j, "kind");
		rd_json_knull(j, "format");
		rd_json_knull(j, "bits");
		rd_json_knull(j, "exponent");
		rd_json_knull(j, "hashAlgorithm");
		rd_json_knull(j, "publicKeyToken");
		rd_json_knull(j, "fingerprint");
		rd_json_knull(j, "wellKnown");
		rd_json_knull(j, "publicKey");
		rd_json_obj_end(j);
		return;
	}
	rd_json_kstr(j, "kind", ki->is_private ? "private" : "public");
	rd_json_kstr(j, "format", format_name(ki->format));
	if (ki->is_ecma) {
		rd_json_knull(j, "bits");
		rd_json_knull(j, "exponent");
	} else {
		rd_json_kuint(j, "bits", ki->bits);
		rd_json_kuint(j, "exponent", ki->exponent);
	}
	if (ki->hash_name)
		rd_json_kstr(j, "hashAlgorithm", ki->hash_name);
	else
		rd_json_knull(j, "hashAlgorithm");
	rd_json_khex(j, "publicKeyToken", ki->token, sizeof(ki->token));
	rd_json_khex(j, "fingerprint", ki->fingerprint,
	    sizeof(ki->fingerprint));
	if (ki->well_known)
		rd_json_kstr(j, "wellKnown", ki->well_known);
	else
		rd_json_knull(j, "wellKnown");
	rd_json_khex(j, "publicKey", ki->blob, ki->blob_len);
	rd_json_obj_end(j);
}

static int
keys_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		HELP_OPT, { NULL, 0, NULL, 0 }
	};
	enum cmd_format fmt = CMD_FMT_TEXT;
	int c, i, failed = 0, written = 1, seen_fmt = 0;
	rd_buf out;
	rd_json j;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cmd_once("keys show", "--format", &seen_fmt) ||
			    !cmd_parse_format("keys show", optarg,
				1u << CMD_FMT_TEXT | 1u << CMD_FMT_JSON, &fmt))
				return CMD_EXIT_ERROR;
			break;
		case 'h':
			printf("usage: asmgate keys show [--format text|json] "
			    "FILE...\n"
			    "\n"
			    "Show each key: kind (public or private), the format it\n"
			    "was read in, modulus bits, public exponent, the hash\n"
			    "algorithm of its public key blob, the public key token,\n"
			    "the SHA-256 fingerprint of the blob, the well-known key\n"
			    "it is (Microsoft, ECMA, Mono, ...) and the blob in hex.\n"
			    "\n"
			    "  -f, --format FMT   text (default) or json: one document\n"
			    "      {\"asmgate\": VERSION, \"keys\": [{\"path\", \"error\",\n"
			    "       \"kind\", \"format\", \"bits\", \"exponent\",\n"
			    "       \"hashAlgorithm\", \"publicKeyToken\", \"fingerprint\",\n"
			    "       \"wellKnown\", \"publicKey\"}, ...]}\n"
			    "      (\"error\" is null or {\"code\", \"message\", \"offset\"};\n"
			    "      bits and exponent are null for the ECMA key)\n"
			    "  -h, --help         this help\n"
			    "\n"
			    "Exit status: 0 every FILE was read, 2 otherwise.\n");
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("keys show", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("keys show", "no FILE given");
	rd_buf_init(&out, RD_MAX_REPORT_BYTES);
	if (fmt == CMD_FMT_JSON) {
		cmd_json_begin(&j, &out, "keys");
	}
	for (i = optind; i < argc; i++) {
		asmgate_key *k = NULL;
		asmgate_error err;

		asmgate_error_clear(&err);
		if (load_any(&k, argv[i], &err) != ASMGATE_OK) {
			cmd_print_error(argv[i], &err);
			failed = 1;
		}
		if (fmt == CMD_FMT_JSON) {
			show_json(&j, argv[i], asmgate_key_get_info(k), &err);
			written &= cmd_flush(&out, stdout);
		} else if (k) {
			if (i > optind)
				putchar('\n');
			show_text(argv[i], asmgate_key_get_info(k));
		}
		asmgate_key_free(k);
	}
	if (fmt == CMD_FMT_JSON) {
		rd_json_arr_end(&j);
		rd_json_obj_end(&j);
		rd_buf_putc(&out, '\n');
		written &= cmd_flush(&out, stdout);
	}
	rd_buf_free(&out);
	if (!written)
		fprintf(stderr, "asmgate keys show: cannot write the output\n");
	if (!written || fflush(stdout) != 0)
		return CMD_EXIT_ERROR;
	return failed ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* ------------------------------------------------------------ extract */

static int
keys_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		FORCE_OPT, HELP_OPT, { NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *path;
	const asmgate_image_info *ii;
	asmgate_image *img = NULL;
	asmgate_key *k = NULL;
	asmgate_error err;
	int c, rc = CMD_EXIT_ERROR, seen_out = 0, force = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!cmd_once("keys extract", "--output", &seen_out))
				return CMD_EXIT_ERROR;
			outpath = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'h':
			printf("usage: asmgate keys extract ASSEMBLY -o OUT "
			    "[--force]\n"
			    "\n"
			    "Write the public key blob of ASSEMBLY to OUT, byte for\n"
			    "byte as sn -e writes it ('-' for standard output).\n"
			    "\n"
			    "  -o, --output OUT   the file to write (required)\n"
			    "      --force        replace OUT if it exists\n"
			    "  -h, --help         this help\n"
			    "\n"
			    "Exit status: 0 written, 2 no key, bad input or I/O "
			    "error.\n");
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("keys extract", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("keys extract", "no ASSEMBLY given");
	if (argc - optind > 1)
		return cmd_usage_error("keys extract", "one ASSEMBLY only");
	if (!outpath)
		return cmd_usage_error("keys extract", "no -o OUT given");
	if (!force && !cmd_output_free("keys extract", outpath))
		return CMD_EXIT_ERROR;
	path = argv[optind];
	asmgate_error_clear(&err);
	if (asmgate_image_open_subject(&img, path, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return CMD_EXIT_ERROR;
	}
	ii = asmgate_image_get_info(img);
	if (!ii->assembly.public_key || ii->assembly.public_key_len == 0) {
		cmd_print_path_error(path, "the assembly has no public key "
		    "(not strong-named)");
		goto out;
	}
	/* Refuse to pass on a key nothing could use. */
	if (asmgate_key_from_blob(&k, ii->assembly.public_key,
		ii->assembly.public_key_len, &err) != ASMGATE_OK) {
		cmd_print_path_error(path, "assembly public key: %s", err.msg);
		goto out;
	}
	if (write_output(outpath, ii->assembly.public_key,
		ii->assembly.public_key_len, 0, force))
		rc = CMD_EXIT_OK;
out:
	asmgate_key_free(k);
	asmgate_image_free(img);
	return rc;
}

/* ------------------------------------------------------------ convert */

static int
keys_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "private", no_argument, NULL, 'p' },
		FORCE_OPT, HELP_OPT, { NULL, 0, NULL, 0 }
	};
	static const struct {
		const char *name;
		asmgate_key_format fmt;
	} targets[] = {
		{ "pem", ASMGATE_KEY_FMT_PEM },
		{ "der", ASMGATE_KEY_FMT_DER },
		{ "pub", ASMGATE_KEY_FMT_BLOB },
		{ "blob", ASMGATE_KEY_FMT_BLOB },
		{ "capi", ASMGATE_KEY_FMT_CAPI_PUBLIC },
		{ "snk", ASMGATE_KEY_FMT_SNK },
		{ "hex", ASMGATE_KEY_FMT_HEX },
	};
	const char *outpath = NULL, *to = NULL;
	asmgate_key_format fmt = ASMGATE_KEY_FMT_UNKNOWN;
	int c, want_private = 0, rc = CMD_EXIT_ERROR;
	int seen_to = 0, seen_out = 0, force = 0;
	asmgate_key *k;
	asmgate_error err;
	uint8_t *data = NULL;
	size_t len = 0, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:ph", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!cmd_once("keys convert", "--to", &seen_to))
				return CMD_EXIT_ERROR;
			to = optarg;
			break;
		case 'o':
			if (!cmd_once("keys convert", "--output", &seen_out))
				return CMD_EXIT_ERROR;
			outpath = optarg;
			break;
		case 'p':
			want_private = 1;
			break;
		case 'F':
			force = 1;
			break;
		case 'h':
			printf("usage: asmgate keys convert IN --to FMT [--private] "
			    "-o OUT [--force]\n"
			    "\n"
			    "Convert the key in IN (any format) to FMT:\n"
			    "  pem, der   SubjectPublicKeyInfo; with --private, the\n"
			    "             key pair as unencrypted PKCS#8\n"
			    "  pub        strong-name public key blob (as sn -p);\n"
			    "             'blob' is a synonym\n"
			    "  capi       bare CAPI PUBLICKEYBLOB\n"
			    "  snk        CAPI PRIVATEKEYBLOB (needs a key pair)\n"
			    "  hex        hex text of the public key blob\n"
			    "A key pair converted to pub, capi, hex, pem or der\n"
			    "yields its public part unless --private is given (pem,\n"
			    "der). Private outputs are created with mode 0600.\n"
			    "\n"
			    "  -t, --to FMT       the output format (required)\n"
			    "  -p, --private      write the private key (pem, der)\n"
			    "  -o, --output OUT   the file to write, '-' for standard\n"
			    "                     output (required)\n"
			    "      --force        replace OUT if it exists\n"
			    "  -h, --help         this help\n"
			    "\n"
			    "Exit status: 0 written, 2 bad input, usage or I/O "
			    "error.\n");
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("keys convert", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("keys convert", "no IN given");
	if (argc - optind > 1)
		return cmd_usage_error("keys convert", "one IN only");
	if (!to)
		return cmd_usage_error("keys convert", "no --to FMT given");
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(to, targets[i].name) == 0)
			fmt = targets[i].fmt;
	if (fmt == ASMGATE_KEY_FMT_UNKNOWN)
		return cmd_usage_error("keys convert", "unknown --to '%s' (pem, "
		    "der, pub, capi, snk, hex)", to);
	if (want_private && fmt != ASMGATE_KEY_FMT_PEM &&
	    fmt != ASMGATE_KEY_FMT_DER && fmt != ASMGATE_KEY_FMT_SNK)
		return cmd_usage_error("keys convert", "--private applies to "
		    "pem and der only; --to %s is public", to);
	if (!outpath)
		return cmd_usage_error("keys convert", "no -o OUT given");
	if (!force && !cmd_output_free("keys convert", outpath))
		return CMD_EXIT_ERROR;
	if (fmt == ASMGATE_KEY_FMT_SNK)
		want_private = 1; /* a .snk is a key pair */
	if ((k = load_key(argv[optind])) == NULL)
		return CMD_EXIT_ERROR;
	asmgate_error_clear(&err);
	if (fmt == ASMGATE_KEY_FMT_SNK && !asmgate_key_get_info(k)->is_private)
		cmd_print_path_error(argv[optind], "no private key: a .snk "
		    "holds a key pair (try --to pub)");
	else if (want_private && !asmgate_key_get_info(k)->is_private)
		cmd_print_path_error(argv[optind], "--private: the file holds "
		    "a public key only");
	else if (asmgate_key_write(k, fmt, want_private, &data, &len, &err) !=
	    ASMGATE_OK)
		cmd_print_error(argv[optind], &err);
	else if (write_output(outpath, data, len, want_private, force))
		rc = CMD_EXIT_OK;
	free_secret(data, len);
	asmgate_key_free(k);
	return rc;
}

/* ----------------------------------------------------------- generate */

static int
keys_generate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bits", required_argument, NULL, 'b' },
		{ "hash", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "pub", required_argument, NULL, 'P' },
		FORCE_OPT, HELP_OPT, { NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *pubpath = NULL;
	unsigned long bits = 2048;
	uint32_t hash = ASMGATE_CALG_SHA1;
	asmgate_key *k = NULL;
	asmgate_error err;
	uint8_t *snk = NULL, *pub = NULL;
	size_t snklen = 0, publen = 0;
	int c, rc = CMD_EXIT_ERROR, force = 0;
	int seen_bits = 0, seen_hash = 0, seen_out = 0, seen_pub = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:H:o:P:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!cmd_once("keys generate", "--bits", &seen_bits))
				return CMD_EXIT_ERROR;
			if (!cmd_parse_ulong(optarg, 0, 65536, &bits))
				return cmd_usage_error("keys generate",
				    "bad --bits '%s'", optarg);
			break;
		case 'H':
			if (!cmd_once("keys generate", "--hash", &seen_hash) ||
			    !parse_hash("keys generate", optarg, &hash))
				return CMD_EXIT_ERROR;
			break;
		case 'o':
			if (!cmd_once("keys generate", "--output", &seen_out))
				return CMD_EXIT_ERROR;
			outpath = optarg;
			break;
		case 'P':
			if (!cmd_once("keys generate", "--pub", &seen_pub))
				return CMD_EXIT_ERROR;
			pubpath = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'h':
			printf("usage: asmgate keys generate [--bits N] [--hash ALG] "
			    "-o KEY.snk [--pub OUT.pub] [--force]\n"
			    "\n"
			    "Make a new RSA key pair (exponent 65537) and write it as\n"
			    "a .snk (CAPI PRIVATEKEYBLOB, mode 0600), as sn -k does.\n"
			    "Prints the public key token.\n"
			    "\n"
			    "  -b, --bits N       modulus size, a multiple of 16 from\n"
			    "                     512 to 16384 (default 2048; sn -k\n"
			    "                     defaults to 1024)\n"
			    "  -H, --hash ALG     HashAlgID of the public key blob:\n"
			    "                     sha1 (default), sha256, sha384,\n"
			    "                     sha512. A .snk has no field for it:\n"
			    "                     it shows in the token and in --pub\n"
			    "  -o, --output FILE  the .snk to write (required)\n"
			    "  -P, --pub FILE     also write the public key blob\n"
			    "      --force        replace the files if they exist\n"
			    "  -h, --help         this help\n"
			    "\n"
			    "Exit status: 0 written, 2 bad usage or error.\n");
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("keys generate", "bad option");
		}
	}
	if (optind < argc)
		return cmd_usage_error("keys generate", "unexpected argument "
		    "'%s'", argv[optind]);
	if (!outpath)
		return cmd_usage_error("keys generate", "no -o KEY.snk given");
	if (bits < 512 || bits > 16384 || bits % 16 != 0)
		return cmd_usage_error("keys generate", "--bits %lu: need a "
		    "multiple of 16 from 512 to 16384", bits);
	if (!force && (!cmd_output_free("keys generate", outpath) ||
	    (pubpath && !cmd_output_free("keys generate", pubpath))))
		return CMD_EXIT_ERROR;
	asmgate_error_clear(&err);
	if (asmgate_key_generate(&k, (unsigned)bits, hash, &err) !=
	    ASMGATE_OK ||
	    asmgate_key_write(k, ASMGATE_KEY_FMT_SNK, 1, &snk, &snklen,
		&err) != ASMGATE_OK ||
	    (pubpath && asmgate_key_write(k, ASMGATE_KEY_FMT_BLOB, 0, &pub,
		&publen, &err) != ASMGATE_OK)) {
		cmd_print_error(outpath, &err);
		goto out;
	}
	if (!write_output(outpath, snk, snklen, 1, force) ||
	    (pubpath && !write_output(pubpath, pub, publen, 0, force)))
		goto out;
	cmd_put_text(stdout, outpath);
	printf(": %lu-bit key pair, public key token ", bits);
	print_token(stdout, asmgate_key_get_info(k)->token);
	printf(" (%s)\n", asmgate_key_get_info(k)->hash_name);
	rc = fflush(stdout) == 0 ? CMD_EXIT_OK : CMD_EXIT_ERROR;
out:
	free_secret(snk, snklen);
	asmgate_free(pub);
	asmgate_key_free(k);
	return rc;
}

/* --------------------------------------------------------------- main */

int
cmd_keys(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{ "token", keys_token },
		{ "show", keys_show },
		{ "extract", keys_extract },
		{ "convert", keys_convert },
		{ "generate", keys_generate },
	};
	size_t i;

	if (argc < 2) {
		keys_usage(stderr);
		return CMD_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		keys_usage(stdout);
		return CMD_EXIT_OK;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	return cmd_usage_error("keys", "unknown command '%s'", argv[1]);
}
