/*
 * sign.c - asmgate sign --key KEYFILE [-o OUT [--force]] [--test-sign] FILE
 *
 * Completes delay-signing (what sn -R does): sets the StrongNameSigned
 * flag, writes the signature, recomputes the PE checksum; then verifies
 * the result and says which state it is in.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void
sign_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate sign --key KEYFILE [-o OUT [--force]] "
	    "[--test-sign]\n"
	    "           [--strip-authenticode] FILE\n"
	    "\n"
	    "Strong-name sign FILE (delay-signed, public-signed or signed) with\n"
	    "the key pair in KEYFILE (.snk or PEM): set the StrongNameSigned\n"
	    "flag, write the signature, recompute the PE checksum. FILE is\n"
	    "replaced unless -o is given; an existing OUT is refused unless\n"
	    "--force is given. The output is written to a temporary\n"
	    "file and renamed, so an error or a SIGINT, SIGTERM or SIGHUP\n"
	    "never leaves a half-written file.\n"
	    "\n"
	    "  -k, --key KEYFILE  the key pair; it must match the assembly's\n"
	    "                     public key\n"
	    "  -o, --output OUT   write the signed assembly to OUT\n"
	    "      --force        replace OUT if it exists\n"
	    "      --test-sign    sign with a test key: no key-match check, the\n"
	    "                     StrongNameSigned flag is left clear (sn -TS)\n"
	    "      --strip-authenticode  remove an Authenticode signature (a\n"
	    "                     file carrying one is refused otherwise: the\n"
	    "                     new strong name would break it)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 signed, 2 refused (key mismatch, bad key or file).\n");
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "test-sign", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'F' },
		{ "strip-authenticode", no_argument, NULL, OPT_STRIP_AC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key_path = NULL, *out_path = NULL, *in_path;
	asmgate_sign_options so;
	asmgate_signature sig;
	asmgate_key *key = NULL;
	asmgate_image *img = NULL;
	asmgate_verify_options vo;
	const asmgate_key *tk[1];
	asmgate_error err;
	int c, rc = CMD_EXIT_ERROR, seen_key = 0, seen_out = 0, force = 0;
	uint32_t stripped = 0;

	(void)asmgate_sign_options_init(&so, ASMGATE_SIGN_OPTIONS_VERSION);
	so.temp_hook = cmd_temp_hook;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (!cmd_once("sign", "--key", &seen_key))
				return CMD_EXIT_ERROR;
			key_path = optarg;
			break;
		case 'o':
			if (!cmd_once("sign", "--output", &seen_out))
				return CMD_EXIT_ERROR;
			out_path = optarg;
			break;
		case 'T':
			so.test_sign = 1;
			break;
		case 'F':
			force = 1;
			break;
		case OPT_STRIP_AC:
			so.strip_authenticode = 1;
			break;
		case 'h':
			sign_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("sign", "bad option");
		}
	}
	if (!key_path)
		return cmd_usage_error("sign", "--key KEYFILE is required");
	if (optind != argc - 1)
		return cmd_usage_error("sign", "exactly one FILE is required");
	in_path = argv[optind];
	/* Re-signing FILE in place is what the form without -o is for; a
	 * separate OUT must not be there already. Best-effort: the library
	 * renames over whatever is at OUT when it is done. */
	if (out_path && !force && !cmd_output_free("sign", out_path))
		return CMD_EXIT_ERROR;
	if (!out_path)
		out_path = in_path;
	/* A member is signed where it is built, not inside its package:
	 * re-signing it would mean rewriting the container. */
	if (asmgate_subject_name_is_member(in_path)) {
		cmd_print_path_error(in_path, "cannot sign a member of a "
		    "container: sign the assembly before it is packaged");
		return CMD_EXIT_ERROR;
	}

	asmgate_error_clear(&err);
	if (asmgate_key_load_file(&key, key_path, &err) != ASMGATE_OK) {
		cmd_print_error(key_path, &err);
		return CMD_EXIT_ERROR;
	}
	/* What --strip-authenticode will remove, to say so. */
	if (so.strip_authenticode &&
	    asmgate_image_open(&img, in_path, &err) == ASMGATE_OK) {
		const asmgate_pe_info *pe = &asmgate_image_get_info(img)->pe;

		if (pe->number_of_rva_and_sizes > 4)
			stripped = pe->dirs[4].size;
		asmgate_image_free(img);
		img = NULL;
	}
	asmgate_error_clear(&err);
	if (asmgate_sign_file(in_path, out_path, key, &so, &err) !=
	    ASMGATE_OK) {
		cmd_print_error(in_path, &err);
		goto out;
	}
	if (stripped) {
		cmd_put_text(stderr, out_path);
		fprintf(stderr, ": Authenticode signature removed (certificate "
		    "table of %u bytes; its directory entry zeroed, checksum "
		    "recomputed)\n", stripped);
	}
	/* Check what was written, as a user would with sn -v. */
	(void)asmgate_verify_options_init(&vo, ASMGATE_VERIFY_OPTIONS_VERSION);
	tk[0] = key;
	vo.test_keys = tk;
	vo.ntest_keys = so.test_sign ? 1 : 0;
	if (asmgate_image_open(&img, out_path, &err) != ASMGATE_OK ||
	    asmgate_verify_image(img, &vo, &sig, &err) != ASMGATE_OK) {
		cmd_print_error(out_path, &err);
		goto out;
	}
	cmd_put_text(stdout, out_path);
	printf(": %s", asmgate_sn_state_name(sig.state));
	if (sig.nreasons) {
		fputs(": ", stdout);
		cmd_put_text(stdout, sig.reasons[0]);
	}
	putchar('\n');
	rc = (sig.state == ASMGATE_SN_SIGNED && !so.test_sign) ||
	    (sig.state == ASMGATE_SN_TEST_SIGNED && so.test_sign) ?
	    CMD_EXIT_OK : CMD_EXIT_ERROR;
	/* The library refuses what it knows cannot give the state asked
	 * for before writing; should the result still differ, say so. */
	if (rc != CMD_EXIT_OK)
		cmd_print_path_error(out_path, "written, but it verifies as "
		    "%s, not %s", asmgate_sn_state_name(sig.state),
		    so.test_sign ? "test-signed" : "signed");
out:
	asmgate_image_free(img);
	asmgate_key_free(key);
	return rc;
}
