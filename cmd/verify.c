/*
 * verify.c - asmgate verify: strong-name verification of assemblies and,
 * with --policy, the per-host decision.
 *
 * Files are processed by --jobs worker threads and reported in argument
 * order as they complete; a bounded window keeps memory flat on large
 * runs. Exit status: with a policy, 1 when any decision in an enforcing
 * host is a denial; without one, 1 when any assembly is not signed
 * (test-signed counts as signed when a test key was given); 2 when any
 * file could not be read or decided, or no assembly was found.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "report.h"
#include "verify.h"

/* One report being written: to standard output (path NULL) or, with
 * --output FMT=FILE, to a file that replaces FILE atomically when the
 * run ends (an unnamed temporary until then). */
typedef struct sink {
	enum cmd_format fmt;
	const char *path;
	rd_atomic *w;
	rd_buf out;                  /* JSON bytes not yet written */
	rd_json j;
	asmgate_report *rep;         /* JUnit, SARIF */
	int ok;                      /* every write worked */
} sink;

/* Write n bytes to the sink's destination. */
static int
sink_write(void *ctx, const uint8_t *p, size_t n)
{
	sink *k = ctx;
	asmgate_error err;

	if (!k->ok)
		return 0;
	if (!k->path)
		k->ok = n == 0 || fwrite(p, 1, n, stdout) == n;
	else
		k->ok = n == 0 || rd_atomic_write(k->w, p, n, &err) ==
		    ASMGATE_OK;
	return k->ok;
}

static int
sink_flush(sink *k)
{
	size_t n = k->out.len;

	if (k->out.failed)
		return k->ok = 0;
	k->out.len = 0;
	return sink_write(k, k->out.p, n);
}

static void
verify_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate verify [--format text|json|junit|sarif]\n"
	    "           [--test-key KEYFILE]... [--key-map TOKEN=KEYFILE]...\n"
	    "           [--key-map-from MACHINE.CONFIG]\n"
	    "           [--policy FILE [--host NAME]...] [--jobs N]\n"
	    "           [--fail-on STATES] [--output FMT=FILE]...\n"
	    "           [--files-from LIST [--null]] [--exclude GLOB]...\n"
	    "           [--bindings FILE]... [--require-bound]\n"
	    "           [--environment NAME]\n"
	    "           [--ca-file FILE]... [--ca-path DIR]...\n"
	    "           [--crl-file FILE]... [--at TIME]\n"
	    "           [--require-authenticode]\n"
	    "           [--waivers FILE [--today YYYY-MM-DD]] [--quiet]\n"
	    "           [PATH...]\n"
	    "\n"
	    "Verify the strong-name signature of every assembly in PATH (files,\n"
	    "directories walked recursively, and the members of .zip, .nupkg\n"
	    "and .vsix containers, nested ones too, read in memory) and report\n"
	    "its state: signed, test-signed, delay-signed, public-signed,\n"
	    "unsigned or invalid. A member is named CONTAINER!MEMBER.\n"
	    "PE files that are not .NET assemblies are listed as skipped.\n"
	    "\n"
	    "  -f, --format FMT     text (default), json, junit or sarif\n"
	    "  -t, --test-key K     a test key (any key format): assemblies whose\n"
	    "                       signature verifies with it are test-signed\n"
	    "  -m, --key-map T=K    verify assemblies whose public key token is T\n"
	    "                       with key file K (as Mono's pubTokenMapping)\n"
	    "  -M, --key-map-from FILE  every pubTokenMapping <map> of a\n"
	    "                       Mono machine.config (after --key-map)\n"
	    "  -p, --policy FILE    decide each assembly against a policy\n"
	    "                       (one: a second --policy is refused)\n"
	    "  -H, --host NAME      a policy host to decide for (repeatable;\n"
	    "                       default: every host of the policy)\n"
	    "  -j, --jobs N         verify N files or members at a time\n"
	    "                       (default: the online CPUs, at most 64)\n"
	    "  -o, --output FMT=FILE  also write the report as FMT (json, junit,\n"
	    "                       sarif) to FILE, replaced when the run ends\n"
	    "                       (repeatable: one run, several reports)\n"
	    "  -F, --fail-on STATES fail the run (exit 1) when an assembly is in\n"
	    "                       one of these states (comma-separated, e.g.\n"
	    "                       invalid), whatever the policy decides, also\n"
	    "                       in audit hosts; authenticode-STATE for an\n"
	    "                       Authenticode state (authenticode-expired);\n"
	    "                       not-checked for a path a walk skipped\n"
	    "  -T, --files-from LIST  also check the paths in LIST (- for the\n"
	    "                       standard input), one a line, after PATH...\n"
	    "      --null           LIST is NUL-separated, not one path a line\n"
	    "      --ca-file FILE   Authenticode trust anchors, PEM (repeatable;\n"
	    "                       default: the system bundle)\n"
	    "      --ca-path DIR    trust anchors in an OpenSSL hashed directory\n"
	    "      --crl-file FILE  PEM CRL for offline revocation (repeatable)\n"
	    "      --at TIME        Authenticode time when no valid timestamp:\n"
	    "                       Unix seconds or 2026-01-31T12:00:00Z\n"
	    "      --require-authenticode  a PE file without an Authenticode\n"
	    "                       signature fails the run\n"
	    "  -x, --exclude GLOB   do not examine what a directory walk finds,\n"
	    "                       or a container member, whose relative path\n"
	    "                       or name matches GLOB (fnmatch, '*' matches\n"
	    "                       '/'); named PATHs never are (repeatable)\n"
	    "  -b, --bindings FILE  a BizTalk binding file (repeatable; needs\n"
	    "                       --policy): each assembly is decided for the\n"
	    "                       hosts that run it (its orchestration's host,\n"
	    "                       its port's handler host, the hosts of what\n"
	    "                       references it); one no binding places, for\n"
	    "                       every host (or the --host hosts)\n"
	    "      --require-bound  with --bindings: a bound assembly missing\n"
	    "                       from PATH... fails the run\n"
	    "      --environment NAME  without --bindings, a BizTalk application\n"
	    "                       MSI's own binding for NAME (its\n"
	    "                       TargetEnvironment; default: the binding\n"
	    "                       without one) places its assemblies\n"
	    "  -q, --quiet          text: print only what fails the run, and\n"
	    "                       the summary\n"
	    "  -w, --waivers FILE   reviewed exceptions, one a line: PATTERN\n"
	    "                       REASON... [expires=YYYY-MM-DD]; a\n"
	    "                       failure one matches passes, listed as\n"
	    "                       waived\n"
	    "                       (errors are never waived; asmgate(1))\n"
	    "      --today DATE     the date waivers expire against\n"
	    "                       (default: today, UTC)\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 every assembly signed (test-signed too when test keys\n"
	    "are given; with --policy: every decision allowed or in an audit\n"
	    "host; none in a --fail-on state), 1 at least one is not, 2 at least\n"
	    "one file or member could not be read or decided, or no assembly\n"
	    "was found, or the command line is wrong (an option that takes one\n"
	    "value given twice, as --policy, --format or --jobs, is refused).\n");
}

/* What a worker renders for one subject (the scan's user data). */
typedef struct rendered {
	rd_buf text, json;
	int has_text, has_json;
	long waiver;                /* the matching waiver, or -1 */
} rendered;

static void
free_rendered(void *p)
{
	rendered *b = p;

	if (b) {
		rd_buf_free(&b->text);
		rd_buf_free(&b->json);
	}
	free(b);
}

/* Worker side (the scan's on_subject): render the subject's text and
 * JSON, as the run's reports need, so a subject waiting to be printed
 * holds only its output. */
static void
render(void *ctx, asmgate_subject *s)
{
	const run *r = ctx;
	rendered *b = calloc(1, sizeof(*b));
	char *p = NULL;
	size_t n = 0;
	FILE *f;
	rd_json j;
	const asmgate_waiver *w;

	if (!b)
		return; /* no rendering: the printer reports the failure */
	rd_buf_init(&b->text, RD_MAX_REPORT_BYTES);
	rd_buf_init(&b->json, RD_MAX_REPORT_BYTES);
	/* Matched here, while the image (the identity) is at hand. */
	b->waiver = -1;
	if (asmgate_subject_get_kind(s) == ASMGATE_SUBJECT_ASSEMBLY)
		b->waiver = asmgate_waivers_match(r->waivers,
		    asmgate_subject_name(s), asmgate_subject_image(s));
	else if (asmgate_subject_get_kind(s) == ASMGATE_SUBJECT_SKIPPED &&
	    asmgate_subject_authenticode(s))
		/* a native PE file: path patterns only (no identity) */
		b->waiver = asmgate_waivers_match(r->waivers,
		    asmgate_subject_name(s), NULL);
	w = asmgate_waivers_get(r->waivers, (size_t)b->waiver);
	if (r->want_text) {
		b->has_text = 1;
		f = open_memstream(&p, &n);
		if (!f) {
			b->text.failed = 1;
		} else {
			cmd_verify_print_text(r, s, w, f);
			if (fclose(f) != 0 || !rd_buf_put(&b->text, p, n))
				b->text.failed = 1;
			free(p);
		}
	}
	if (r->want_json) {
		b->has_json = 1;
		rd_json_init(&j, &b->json, 1);
		rd_json_fragment(&j, 2, 0); /* inside {"files": [ */
		cmd_verify_print_json(r, s, w, &j);
	}
	asmgate_subject_set_user(s, b, free_rendered);
}

static int
add_test_key(run *r, size_t *n, const char *path)
{
	asmgate_key *k = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (*n >= MAX_KEYS) {
		fprintf(stderr, "asmgate verify: at most %u keys\n", MAX_KEYS);
		return 0;
	}
	if (asmgate_key_load_file(&k, path, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return 0;
	}
	r->test_keys[(*n)++] = k;
	return 1;
}

static int
add_key_map(asmgate_key_mapping *map, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');
	asmgate_key *k = NULL;
	asmgate_error err;
	size_t len = 0, bad;

	if (*n >= MAX_KEYS) {
		fprintf(stderr, "asmgate verify: at most %u key maps\n",
		    MAX_KEYS);
		return 0;
	}
	if (!eq || eq - arg != 16 || !rd_hex_decode(map[*n].token, 8, &len,
	    arg, 16, &bad) || len != 8) {
		cmd_usage_error("verify", "--key-map wants TOKEN=KEYFILE with a "
		    "16-digit hex token, not '%s'", arg);
		return 0;
	}
	asmgate_error_clear(&err);
	if (asmgate_key_load_file(&k, eq + 1, &err) != ASMGATE_OK) {
		cmd_print_error(eq + 1, &err);
		return 0;
	}
	map[*n].key = k;
	(*n)++;
	return 1;
}

/* --key-map-from FILE: Mono's machine.config mappings, after the
 * --key-map ones (which therefore win for a token in both). */
static int
add_key_map_from(asmgate_key_mapping *map, size_t *n, const char *path,
    asmgate_key_map **km)
{
	asmgate_error err;
	size_t i, k;

	asmgate_error_clear(&err);
	if (asmgate_key_map_load(km, path, &err) != ASMGATE_OK) {
		cmd_print_policy_error(path, &err);
		return 0;
	}
	k = asmgate_key_map_count(*km);
	if (k == 0) {
		cmd_print_path_error(path, "no <map> in "
		    "configuration/strongNames/pubTokenMapping");
		return 0;
	}
	if (k > MAX_KEYS - *n) {
		cmd_print_path_error(path, "%zu mappings: at most %zu more "
		    "can be used", k, MAX_KEYS - *n);
		return 0;
	}
	for (i = 0; i < k; i++)
		map[(*n)++] = *asmgate_key_map_get(*km, i, NULL);
	return 1;
}

/* --output FMT=FILE: another report of the same run, written to FILE
 * (json, junit or sarif; text stays on the standard output). */
static int
add_output(sink *sinks, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[16];
	enum cmd_format f;
	size_t i, k = eq ? (size_t)(eq - arg) : 0;

	if (!eq || k == 0 || k >= sizeof(name) || eq[1] == '\0') {
		cmd_usage_error("verify", "--output wants FMT=FILE (FMT json, "
		    "junit or sarif)");
		return 0;
	}
	memcpy(name, arg, k);
	name[k] = '\0';
	if (strcmp(name, "text") == 0) {
		cmd_usage_error("verify", "--output: text goes to the standard "
		    "output; FMT is json, junit or sarif");
		return 0;
	}
	if (!cmd_parse_format("verify", name, 0xE, &f))
		return 0;
	if (*n >= MAX_SINKS) {
		cmd_usage_error("verify", "at most %u --output", MAX_SINKS - 1);
		return 0;
	}
	for (i = 1; i < *n; i++)
		if (strcmp(sinks[i].path, eq + 1) == 0) {
			cmd_usage_error("verify", "--output names one file "
			    "twice");
			return 0;
		}
	sinks[*n].fmt = f;
	sinks[*n].path = eq + 1;
	(*n)++;
	return 1;
}

/* --fail-on STATE[,STATE]...: states that fail the run whatever a
 * policy decides (repeatable; the lists add up). */
static int
parse_fail_on(const char *arg, uint32_t *mask)
{
	char name[32];
	const char *p = arg, *e;
	asmgate_sn_state st;

	for (;;) {
		size_t n;

		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof(name))
			goto bad;
		memcpy(name, p, n);
		name[n] = '\0';
		/* "authenticode-STATE": an Authenticode state */
		if (strcmp(name, "not-checked") == 0) {
			*mask |= ASMGATE_FAIL_ON_NOT_CHECKED;
		} else if (strncmp(name, "authenticode-", 13) == 0) {
			asmgate_ac_state ac;

			if (!asmgate_ac_state_parse(name + 13, &ac))
				goto bad;
			*mask |= ASMGATE_FAIL_ON_AC(ac);
		} else if (asmgate_sn_state_parse(name, &st)) {
			*mask |= (uint32_t)1 << st;
		} else {
			goto bad;
		}
		if (!e)
			return 1;
		p = e + 1;
	}
bad:
	cmd_usage_error("verify", "--fail-on wants states among invalid, "
	    "unsigned, delay-signed, public-signed, test-signed, signed, "
	    "or authenticode- and one of invalid, unsigned, valid, "
	    "untrusted, expired, revoked, or not-checked, separated by "
	    "commas");
	return 0;
}

/* --waivers FILE: loaded whole (a malformed line stops the run before
 * it starts, FILE:LINE on stderr); each expired waiver is named on
 * stderr and ignored. *used gets a flag per waiver. */
static int
load_waivers(run *r, const char *path, const char *today,
    unsigned char **used)
{
	asmgate_error err;
	size_t i, n;

	asmgate_error_clear(&err);
	if (asmgate_waivers_load(&r->waivers, path, today, &err) !=
	    ASMGATE_OK) {
		if (err.code == ASMGATE_E_USAGE) {
			cmd_usage_error("verify", "--today wants a date "
			    "YYYY-MM-DD");
			return 0;
		}
		cmd_print_policy_error(path, &err);
		return 0;
	}
	n = asmgate_waivers_count(r->waivers);
	*used = calloc(n ? n : 1, 1);
	if (!*used) {
		fprintf(stderr, "asmgate verify: out of memory\n");
		return 0;
	}
	for (i = 0; i < n; i++) {
		const asmgate_waiver *w = asmgate_waivers_get(r->waivers, i);

		if (!w->expired)
			continue;
		cmd_put_text(stderr, w->file);
		fprintf(stderr, ":%lu: warning: waiver '", w->line);
		cmd_put_text(stderr, w->pattern);
		fprintf(stderr, "' expired on %s: ignored\n", w->expires);
	}
	return 1;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "test-key", required_argument, NULL, 't' },
		{ "key-map", required_argument, NULL, 'm' },
		{ "key-map-from", required_argument, NULL, 'M' },
		{ "policy", required_argument, NULL, 'p' },
		{ "host", required_argument, NULL, 'H' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "files-from", required_argument, NULL, 'T' },
		{ "null", no_argument, NULL, '0' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "bindings", required_argument, NULL, 'b' },
		{ "environment", required_argument, NULL, 'E' },
		{ "require-bound", no_argument, NULL, 'B' },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "ca-path", required_argument, NULL, OPT_CA_PATH },
		{ "crl-file", required_argument, NULL, OPT_CRL_FILE },
		{ "at", required_argument, NULL, OPT_AT },
		{ "require-authenticode", no_argument, NULL, OPT_REQUIRE_AC },
		{ "waivers", required_argument, NULL, 'w' },
		{ "today", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bind_paths[RD_MAX_BINDING_FILES];
	size_t nbind = 0;
	cmd_trust_args ta;
	asmgate_trust *trust = NULL;
	const char *environment = NULL;
	enum cmd_format fmt = CMD_FMT_TEXT;
	const char *policy_path = NULL;
	const char *host_names[MAX_HOSTS];
	size_t nhost_names = 0, ntest = 0, ncli = 0, nmap = 0, nall, i;
	asmgate_key_mapping *map = NULL;
	unsigned long jobs = cmd_default_jobs(MAX_JOBS);
	asmgate_scan_options so;
	asmgate_scan *scan = NULL;
	asmgate_subject *subj;
	asmgate_error err;
	sink sinks[MAX_SINKS];
	/* a temporary-file slot per --output (cmd_temp_slot) */
	_Static_assert(MAX_SINKS <= CMD_TEMP_SLOTS, "MAX_SINKS");
	size_t nsinks = 1;
	const char *list_path = NULL;
	const char *excl[RD_MAX_EXCLUDE];
	char **listed = NULL;
	size_t nlisted = 0, nexcl = 0;
	rd_buf list;
	cmd_progress prog;
	tally t;
	run r;
	const char *waivers_path = NULL, *today = NULL, *map_from = NULL;
	asmgate_key_map *kmap = NULL;
	size_t nmap_own = 0;
	unsigned char *used = NULL;
	int c, rc = CMD_EXIT_ERROR, seen_fmt = 0, seen_jobs = 0, nul = 0;

	memset(&r, 0, sizeof(r));
	memset(&t, 0, sizeof(t));
	memset(&ta, 0, sizeof(ta));
	memset(sinks, 0, sizeof(sinks));
	rd_buf_init(&list, RD_MAX_FILES_FROM_BYTES);
	for (i = 0; i < MAX_SINKS; i++) {
		rd_buf_init(&sinks[i].out, RD_MAX_REPORT_BYTES);
		sinks[i].ok = 1;
	}
	r.test_keys = calloc(MAX_TEST_KEYS, sizeof(*r.test_keys));
	map = calloc(MAX_KEYS, sizeof(*map));
	if (!r.test_keys || !map) {
		fprintf(stderr, "asmgate verify: out of memory\n");
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:m:M:p:H:j:F:o:T:x:qb:w:E:h",
	    opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cmd_once("verify", "--format", &seen_fmt) ||
			    !cmd_parse_format("verify", optarg, 0xF, &fmt))
				goto out;
			break;
		case 't':
			if (!add_test_key(&r, &ntest, optarg))
				goto out;
			break;
		case 'm':
			if (!add_key_map(map, &nmap, optarg))
				goto out;
			break;
		case 'M':
			if (map_from) {
				cmd_usage_error("verify",
				    "--key-map-from given twice");
				goto out;
			}
			map_from = optarg;
			break;
		case 'p':
			/* One policy decides: a second one would silently
			 * replace (or be merged with) the first. */
			if (policy_path) {
				cmd_usage_error("verify", "--policy given twice: "
				    "one policy decides a run");
				goto out;
			}
			policy_path = optarg;
			break;
		case 'H':
			if (nhost_names >= MAX_HOSTS) {
				cmd_usage_error("verify", "at most %u --host",
				    MAX_HOSTS);
				goto out;
			}
			host_names[nhost_names++] = optarg;
			break;
		case 'j':
			if (!cmd_once("verify", "--jobs", &seen_jobs))
				goto out;
			if (!cmd_parse_ulong(optarg, 1, MAX_JOBS, &jobs)) {
				cmd_usage_error("verify", "--jobs wants 1..%u",
				    MAX_JOBS);
				goto out;
			}
			break;
		case 'F':
			if (!parse_fail_on(optarg, &r.rules.fail_on))
				goto out;
			break;
		case 'o':
			if (!add_output(sinks, &nsinks, optarg))
				goto out;
			break;
		case 'T':
			if (list_path) {
				cmd_usage_error("verify", "--files-from given "
				    "twice");
				goto out;
			}
			list_path = optarg;
			break;
		case '0':
			nul = 1;
			break;
		case 'x':
			if (nexcl >= RD_MAX_EXCLUDE) {
				cmd_usage_error("verify", "at most %u --exclude",
				    RD_MAX_EXCLUDE);
				goto out;
			}
			excl[nexcl++] = optarg;
			break;
		case 'q':
			r.quiet = 1;
			break;
		case 'b':
			if (nbind >= RD_MAX_BINDING_FILES) {
				cmd_usage_error("verify", "at most %u --bindings",
				    RD_MAX_BINDING_FILES);
				goto out;
			}
			bind_paths[nbind++] = optarg;
			break;
		case 'B':
			r.require_bound = 1;
			break;
		case OPT_CA_FILE:
		case OPT_CA_PATH:
		case OPT_CRL_FILE:
		case OPT_AT:
			if (!cmd_trust_option("verify", &ta, c, optarg))
				goto out;
			break;
		case OPT_REQUIRE_AC:
			r.rules.fail_on |= ASMGATE_FAIL_ON_AC(
			    ASMGATE_AC_UNSIGNED);
			break;
		case 'w':
			if (waivers_path) {
				cmd_usage_error("verify", "--waivers given "
				    "twice: one waiver file");
				goto out;
			}
			waivers_path = optarg;
			break;
		case 'D':
			if (today) {
				cmd_usage_error("verify",
				    "--today given twice");
				goto out;
			}
			today = optarg;
			break;
		case 'E':
			if (environment) {
				cmd_usage_error("verify", "--environment given "
				    "twice: one environment decides a run");
				goto out;
			}
			environment = optarg;
			break;
		case 'h':
			verify_usage(stdout);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			cmd_usage_error("verify", "bad option");
			goto out;
		}
	}
	ncli = ntest; /* keys from here on belong to the policy */
	nmap_own = nmap; /* maps from here on belong to kmap */
	if (map_from && !add_key_map_from(map, &nmap, map_from, &kmap))
		goto out;
	if (nul && !list_path) {
		cmd_usage_error("verify", "--null needs --files-from");
		goto out;
	}
	if (list_path && !cmd_read_list("verify", list_path, nul, &list,
	    &listed, &nlisted))
		goto out;
	if (optind >= argc && nlisted == 0) {
		cmd_usage_error("verify", "no PATH given");
		goto out;
	}
	if (nhost_names && !policy_path) {
		cmd_usage_error("verify", "--host needs --policy");
		goto out;
	}
	if (nbind && !policy_path) {
		cmd_usage_error("verify", "--bindings needs --policy");
		goto out;
	}
	if (environment && (nbind || !policy_path)) {
		cmd_usage_error("verify", "--environment picks an application "
		    "MSI's own bindings: it needs --policy, and --bindings "
		    "replaces them");
		goto out;
	}
	if (r.require_bound && !nbind) {
		cmd_usage_error("verify", "--require-bound needs --bindings");
		goto out;
	}
	if (today && !waivers_path) {
		cmd_usage_error("verify", "--today needs --waivers");
		goto out;
	}
	if (waivers_path && !load_waivers(&r, waivers_path, today, &used))
		goto out;
	if (policy_path) {
		asmgate_error_clear(&err);
		if (asmgate_policy_load(&r.policy, policy_path, &err) !=
		    ASMGATE_OK) {
			cmd_print_policy_error(policy_path, &err);
			goto out;
		}
		/* A deny rule weaker than its reader expects is said at
		 * every run, not only by policy lint: a name glob with
		 * non-ASCII letters folds case for A-Z only. */
		for (i = 0; i < asmgate_policy_warning_count(r.policy); i++) {
			const asmgate_policy_warning *pw =
			    asmgate_policy_get_warning(r.policy, i);
			if (pw->suppressed ||
			    strcmp(pw->code, "non-ascii-name") != 0)
				continue;
			cmd_put_text(stderr, policy_path);
			fprintf(stderr, ":%lu: warning: ", pw->line);
			cmd_put_text(stderr, pw->msg);
			fprintf(stderr, " [%s]\n", pw->code);
		}
		for (i = 0; i < nhost_names; i++) {
			long h = asmgate_policy_find_host(r.policy, host_names[i]);
			if (h < 0) {
				cmd_print_path_error(policy_path,
				    "no host '%s' in the policy", host_names[i]);
				goto out;
			}
			r.hosts[r.nhosts++] = (size_t)h;
		}
		/* Without --host, every host: none may be left out. */
		nall = asmgate_policy_host_count(r.policy);
		if (!nhost_names && nall > MAX_HOSTS) {
			cmd_print_path_error(policy_path, "%zu hosts: at most "
			    "%u can be decided", nall, MAX_HOSTS);
			goto out;
		}
		for (i = 0; !nhost_names && i < nall; i++)
			r.hosts[r.nhosts++] = i;
		/* No host, no decision: nothing could deny a file. */
		if (r.nhosts == 0) {
			cmd_print_path_error(policy_path, "the policy has no "
			    "hosts: nothing decides");
			goto out;
		}
		/* The policy's test keys join the command line's: all of
		 * them, or a test-signed file could fail to be recognised. */
		nall = asmgate_policy_test_key_count(r.policy);
		if (nall > MAX_TEST_KEYS - ntest) {
			cmd_print_path_error(policy_path, "%zu test keys: at "
			    "most %zu can be used", nall, MAX_TEST_KEYS - ntest);
			goto out;
		}
		for (i = 0; i < nall; i++)
			r.test_keys[ntest++] = (asmgate_key *)(uintptr_t)
			    asmgate_policy_test_key(r.policy, i);
	}
	/* Binding files: every host they name must be a policy host;
	 * their layout findings are warnings (stderr), never a failure. */
	for (i = 0; i < nbind; i++) {
		asmgate_error_clear(&err);
		if (asmgate_bindings_load(&r.bindings[i], bind_paths[i], &err) !=
		    ASMGATE_OK) {
			cmd_print_policy_error(bind_paths[i], &err);
			goto out;
		}
		r.nbindings++;
		asmgate_error_clear(&err);
		if (asmgate_bindings_check_hosts(r.bindings[i], r.policy,
		    &err) != ASMGATE_OK) {
			cmd_put_text(stderr, bind_paths[i]);
			fprintf(stderr, ":%lu: ", err.line);
			cmd_put_text(stderr, err.msg);
			fputs(" ", stderr);
			cmd_put_text(stderr, policy_path);
			fputs(": cannot decide what runs in it\n", stderr);
			goto out;
		}
	}
	/* Without --bindings, the application MSIs' own. */
	if (!nbind && r.policy && !cmd_app_bindings(
	    (const char *const *)argv + optind, (size_t)(argc - optind),
	    (const char *const *)listed, nlisted, environment, r.policy,
	    policy_path, r.bindings, &r.nbindings))
		goto out;
	if (nbind || r.nbindings) {
		size_t nw;
		cmd_print_binding_findings(stderr,
		    (const asmgate_bindings *const *)r.bindings, r.nbindings,
		    r.policy, &nw);
	}
	(void)asmgate_verify_options_init(&r.vopts,
	    ASMGATE_VERIFY_OPTIONS_VERSION);
	r.vopts.test_keys = (const asmgate_key *const *)r.test_keys;
	r.vopts.ntest_keys = ntest;
	/* Given test keys, the run gates test builds: test-signed passes
	 * (without a policy; a policy's rules decide with one). */
	r.rules.accept_test_signed = ntest > 0;
	r.vopts.key_map = map;
	r.vopts.nkey_map = nmap;
	r.fmt = fmt;
	/* Trust anchors and CRLs: loaded once, shared by the workers. */
	if (!cmd_trust_load("verify", &ta, &trust))
		goto out;
	r.vopts.trust = trust;
	r.vopts.has_at = ta.has_at;
	r.vopts.at = ta.at;
	r.vopts.authenticode = 1;

	(void)asmgate_scan_options_init(&so, ASMGATE_SCAN_OPTIONS_VERSION);
	so.jobs = (unsigned)jobs;
	so.verify = 1;
	so.verify_options = &r.vopts;
	so.policy = r.policy;
	so.hosts = r.hosts;
	so.nhosts = r.nhosts;
	so.exclude = excl;
	so.nexclude = nexcl;
	so.bindings = (const asmgate_bindings *const *)r.bindings;
	so.nbindings = r.nbindings;
	/* Text and JSON are rendered by the workers, which then free the
	 * image, unless a JUnit or SARIF report needs it when it takes the
	 * subject. */
	sinks[0].fmt = fmt;
	so.release_images = 1;
	for (i = 0; i < nsinks; i++) {
		if (sinks[i].fmt == CMD_FMT_TEXT)
			r.want_text = 1;
		else if (sinks[i].fmt == CMD_FMT_JSON)
			r.want_json = 1;
		else
			so.release_images = 0;
	}
	/* Waivers are matched by the workers too (render). */
	if (r.want_text || r.want_json || r.waivers) {
		so.on_subject = render;
		so.ctx = &r;
	}
	if (!r.want_text && !r.want_json)
		so.release_images = 0;
	asmgate_error_clear(&err);
	if (asmgate_scan_new(&scan, &so, &err) != ASMGATE_OK) {
		fputs("asmgate verify: ", stderr);
		cmd_put_text(stderr, err.msg);
		fputc('\n', stderr);
		goto out;
	}
	/* The command line's paths, then the list's, alike. */
	for (i = (size_t)optind; i < (size_t)argc + nlisted; i++) {
		const char *path = i < (size_t)argc ? argv[i] :
		    listed[i - (size_t)argc];

		if (asmgate_scan_add_path(scan, path, &err) != ASMGATE_OK) {
			cmd_print_error(path, &err);
			goto out;
		}
	}
	/* Every report opens before the first subject: standard output
	 * first, then the --output files. */
	for (i = 0; i < nsinks; i++) {
		sink *k = &sinks[i];

		asmgate_error_clear(&err);
		if (k->path && rd_atomic_open(&k->w, k->path, 0644, 0,
		    cmd_temp_hook, cmd_temp_slot((unsigned)i), &err) !=
		    ASMGATE_OK) {
			cmd_print_error(k->path, &err);
			goto out;
		}
		if (k->fmt == CMD_FMT_JSON) {
			cmd_json_begin(&k->j, &k->out, "files");
		} else if (k->fmt == CMD_FMT_JUNIT || k->fmt == CMD_FMT_SARIF) {
			if (asmgate_report_new(&k->rep, k->fmt == CMD_FMT_JUNIT ?
			    ASMGATE_REPORT_JUNIT : ASMGATE_REPORT_SARIF,
			    r.policy, &err) != ASMGATE_OK ||
			    (asmgate_report_set_rules(k->rep, &r.rules), 0) ||
			    asmgate_report_stream(k->rep, sink_write, k, &err) !=
			    ASMGATE_OK) {
				fputs("asmgate verify: ", stderr);
				cmd_put_text(stderr, err.msg);
				fputc('\n', stderr);
				goto out;
			}
		}
	}
	/* Subjects come in order, whatever the number of jobs. */
	cmd_progress_init(&prog, !r.quiet);
	for (;;) {
		rendered *b;
		const asmgate_waiver *w;

		asmgate_error_clear(&err);
		if (asmgate_scan_next(scan, &subj, &err) != ASMGATE_OK) {
			cmd_progress_clear(&prog);
			fputs("asmgate verify: ", stderr);
			cmd_put_text(stderr, err.msg);
			fputc('\n', stderr);
			t.errors++;
			break;
		}
		if (!subj)
			break;
		/* A terminal shared with standard output: no line under
		 * the progress line. */
		if (prog.shown && (isatty(STDOUT_FILENO) ||
		    asmgate_subject_get_kind(subj) == ASMGATE_SUBJECT_ERROR))
			cmd_progress_clear(&prog);
		if (asmgate_subject_get_kind(subj) == ASMGATE_SUBJECT_ERROR)
			cmd_print_error(asmgate_subject_name(subj),
			    asmgate_subject_error(subj));
		b = asmgate_subject_user(subj);
		w = b ? asmgate_waivers_get(r.waivers, (size_t)b->waiver) :
		    NULL;
		if (cmd_verify_count(&r, subj, w, &t) ==
		    ASMGATE_VERDICT_WAIVED)
			used[b->waiver] = 1;
		for (i = 0; i < nsinks; i++) {
			sink *k = &sinks[i];

			if (k->fmt == CMD_FMT_TEXT) {
				if (!b || !b->has_text || b->text.failed)
					k->ok = 0;
				else
					(void)sink_write(k, b->text.p,
					    b->text.len);
			} else if (k->fmt == CMD_FMT_JSON) {
				if (!b || !b->has_json || b->json.failed) {
					k->ok = 0;
				} else {
					rd_json_splice_value(&k->j, b->json.p,
					    b->json.len);
					(void)sink_flush(k);
				}
			} else if (k->rep) {
				cmd_verify_add_report(&r, subj, w, k->rep);
			}
		}
		if (prog.on)
			fflush(stdout);
		cmd_progress_step(&prog, asmgate_subject_name(subj));
		asmgate_subject_free(subj);
	}
	cmd_progress_clear(&prog);
	r.scan = scan;
	for (i = 0; i < nsinks; i++) {
		sink *k = &sinks[i];

		if (k->fmt == CMD_FMT_TEXT)
			cmd_verify_print_missing(&r, &t, stdout);
		else if (k->rep)
			cmd_verify_report_missing(&r, k->rep);
	}
	if (!r.want_text)
		cmd_verify_print_missing(&r, &t, NULL);
	/* A waiver that let nothing pass is stale: a note, not a failure. */
	for (i = 0; i < asmgate_waivers_count(r.waivers); i++) {
		const asmgate_waiver *w = asmgate_waivers_get(r.waivers, i);

		if (used[i] || w->expired)
			continue;
		cmd_put_text(stderr, w->file);
		fprintf(stderr, ":%lu: note: waiver '", w->line);
		cmd_put_text(stderr, w->pattern);
		fputs("' waived nothing in this run\n", stderr);
	}
	for (i = 0; i < nsinks; i++) {
		sink *k = &sinks[i];

		if (k->fmt == CMD_FMT_JSON) {
			cmd_verify_json_summary(&k->j, &r, &t,
			    asmgate_scan_get_stats(scan));
			(void)sink_flush(k);
		} else if (k->fmt == CMD_FMT_TEXT) {
			cmd_verify_print_summary(&r, &t,
			    asmgate_scan_get_stats(scan));
		} else if (k->rep) {
			uint8_t *doc = NULL;
			size_t len = 0;

			asmgate_error_clear(&err);
			if (asmgate_report_finish(k->rep, &doc, &len, &err) !=
			    ASMGATE_OK) {
				fputs("asmgate verify: ", stderr);
				cmd_put_text(stderr, err.msg);
				fputc('\n', stderr);
				t.errors++;
			} else {
				(void)sink_write(k, doc, len);
			}
			asmgate_free(doc);
		}
		if (!k->ok) {
			fputs("asmgate verify: cannot write ", stderr);
			cmd_put_text(stderr, k->path ? k->path :
			    "the standard output");
			fputc('\n', stderr);
			t.errors++;
			continue;
		}
		asmgate_error_clear(&err);
		if (k->path && rd_atomic_commit(k->w, &err) != ASMGATE_OK) {
			cmd_print_error(k->path, &err);
			t.errors++;
		}
	}
	if (t.errors)
		rc = CMD_EXIT_ERROR;
	else if (t.verified == 0 && t.ac_checked == 0 &&
	    asmgate_scan_get_stats(scan)->applications == 0) {
		/* (A BizTalk application of bindings only is a package.) */
		fprintf(stderr, "asmgate verify: no .NET assembly found\n");
		rc = CMD_EXIT_ERROR;
	} else
		rc = t.failed || (r.require_bound && t.missing) ?
		    CMD_EXIT_REJECT : CMD_EXIT_OK;
	if (fflush(stdout) != 0)
		rc = CMD_EXIT_ERROR;
out:
	for (i = 0; i < nsinks; i++) {
		asmgate_report_free(sinks[i].rep);
		rd_atomic_free(sinks[i].w); /* removes an uncommitted file */
		rd_buf_free(&sinks[i].out);
	}
	asmgate_scan_free(scan);
	free(listed);
	rd_buf_free(&list);
	/* Command-line test keys are ours; the policy's belong to it. */
	/* Keys past ncli were added by a loaded policy and belong to it. */
	if (!r.policy)
		ncli = ntest;
	for (i = 0; r.test_keys && i < ncli; i++)
		asmgate_key_free((asmgate_key *)(uintptr_t)r.test_keys[i]);
	/* Maps past nmap_own came from kmap, which frees their keys. */
	if (!kmap)
		nmap_own = nmap;
	for (i = 0; map && i < nmap_own; i++)
		asmgate_key_free((asmgate_key *)(uintptr_t)map[i].key);
	asmgate_key_map_free(kmap);
	free(r.test_keys);
	free(map);
	free(used);
	asmgate_waivers_free(r.waivers);
	asmgate_policy_free(r.policy);
	for (i = 0; i < r.nbindings; i++)
		asmgate_bindings_free(r.bindings[i]);
	asmgate_trust_free(trust);
	return rc;
}
