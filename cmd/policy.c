/*
 * policy.c - asmgate policy lint|show FILE
 *
 *   lint [--strict] FILE        schema and semantic checks, then the lint
 *                               warnings; exit 0 valid, 1 warnings with
 *                               --strict, 2 invalid
 *   show [--format text|json] FILE
 *                               the resolved policy for a reviewer
 *
 * Errors are "POLICY:LINE: message" on stderr (POLICY as given), exit 2.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static void
policy_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate policy lint [--strict] "
	    "[--suppress CODE[:LINE]]... FILE\n"
	    "       asmgate policy show [--format text|json] FILE\n"
	    "\n"
	    "Check a policy file (per-host vendor-key and signing-state\n"
	    "allowlists) or show it resolved: keys with token, bits and\n"
	    "fingerprint; hosts with their rules in evaluation order.\n"
	    "\n"
	    "Run 'asmgate policy lint --help' or 'asmgate policy show --help'.\n"
	    "Exit status: 0 valid, 1 warnings (lint --strict), 2 invalid or\n"
	    "unreadable.\n");
}

static void
lint_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate policy lint [--strict] "
	    "[--suppress CODE[:LINE]]...\n"
	    "           FILE\n"
	    "\n"
	    "Validate FILE against the policy schema and the semantic rules\n"
	    "(unique ids, defined keys, readable key files, ...), then print\n"
	    "warnings: token-only pins, allow rules without keys, hosts that\n"
	    "allow unsigned, public-signed or delay-signed assemblies, keys\n"
	    "under 2048 bits, unused keys, rules that can never match.\n"
	    "\n"
	    "  -s, --strict   exit 1 when there are warnings\n"
	    "  -S, --suppress CODE[:LINE]  accept warnings with this code\n"
	    "                 (on that line only, with :LINE): not printed,\n"
	    "                 counted as suppressed, never failing --strict\n"
	    "                 (repeatable; in the policy:\n"
	    "                 lintAllow=\"CODE\")\n"
	    "  -h, --help     this help\n"
	    "\n"
	    "Output: one \"FILE:LINE: warning: MESSAGE [CODE]\" line per\n"
	    "warning on stdout, then a summary (with the suppressed count).\n"
	    "An invalid policy prints \"FILE:LINE: MESSAGE\" on stderr.\n"
	    "Exit status: 0 valid, 1 warnings with --strict, 2 invalid.\n");
}

static void
show_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate policy show [--format text|json] FILE\n"
	    "\n"
	    "Print the resolved policy for a reviewer: the policy mode; each\n"
	    "key with its source, public key token, size, hash algorithm and\n"
	    "SHA-256 fingerprint; each host with its mode and its rules in the\n"
	    "order they are evaluated (deny rules, allow rules, then the\n"
	    "default deny); and the lint warnings.\n"
	    "\n"
	    "  -f, --format FMT   text (default) or json\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 shown, 2 invalid or unreadable policy.\n");
}

static int
load(const char *path, asmgate_policy **pol)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_policy_load(pol, path, &err) != ASMGATE_OK) {
		cmd_print_policy_error(path, &err);
		return 0;
	}
	return 1;
}

/* --suppress CODE[:LINE] arguments. */
#define MAX_SUPPRESS 256u

/* 1 when one of the --suppress arguments accepts w. */
static int
suppressed_by(char **sup, size_t nsup, const asmgate_policy_warning *w)
{
	size_t i, n;
	const char *colon;
	unsigned long line;

	for (i = 0; i < nsup; i++) {
		colon = strchr(sup[i], ':');
		n = colon ? (size_t)(colon - sup[i]) : strlen(sup[i]);
		if (strlen(w->code) != n || strncmp(sup[i], w->code, n) != 0)
			continue;
		if (!colon)
			return 1;
		if (cmd_parse_ulong(colon + 1, 1, ULONG_MAX, &line) &&
		    line == w->line)
			return 1;
	}
	return 0;
}

/* A --suppress value: CODE (lowercase letters and '-') or CODE:LINE. */
static int
valid_suppress(const char *arg)
{
	const char *p = arg;
	unsigned long line;

	if (!(*p >= 'a' && *p <= 'z'))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || *p == '-')
		p++;
	if (*p == '\0')
		return 1;
	return *p == ':' && cmd_parse_ulong(p + 1, 1, ULONG_MAX, &line);
}

static int
policy_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suppress", required_argument, NULL, 'S' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	asmgate_policy *pol = NULL;
	char *sup[MAX_SUPPRESS];
	int c, strict = 0;
	size_t i, n, nsup = 0, shown = 0, hidden = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "sS:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			strict = 1;
			break;
		case 'S':
			if (!valid_suppress(optarg))
				return cmd_usage_error("policy lint",
				    "--suppress wants CODE or CODE:LINE (e.g. "
				    "short-key or short-key:12)");
			if (nsup >= MAX_SUPPRESS)
				return cmd_usage_error("policy lint",
				    "at most %u --suppress", MAX_SUPPRESS);
			sup[nsup++] = optarg;
			break;
		case 'h':
			lint_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("policy lint", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("policy lint", "no FILE given");
	if (optind + 1 < argc)
		return cmd_usage_error("policy lint", "one FILE at a time");
	if (!load(argv[optind], &pol))
		return CMD_EXIT_ERROR;
	n = asmgate_policy_warning_count(pol);
	for (i = 0; i < n; i++) {
		const asmgate_policy_warning *w =
		    asmgate_policy_get_warning(pol, i);
		/* Accepted in the policy (lintAllow) or on the command
		 * line: counted, not printed, not failing --strict. */
		if (w->suppressed || suppressed_by(sup, nsup, w)) {
			hidden++;
			continue;
		}
		shown++;
		cmd_put_text(stdout, argv[optind]);
		printf(":%lu: warning: ", w->line);
		cmd_put_text(stdout, w->msg);
		printf(" [%s]\n", w->code);
	}
	cmd_put_text(stdout, argv[optind]);
	printf(": valid: %zu host%s, %zu warning%s",
	    asmgate_policy_host_count(pol),
	    asmgate_policy_host_count(pol) == 1 ? "" : "s", shown,
	    shown == 1 ? "" : "s");
	if (hidden)
		printf(" (%zu suppressed)", hidden);
	putchar('\n');
	asmgate_policy_free(pol);
	if (fflush(stdout) != 0)
		return CMD_EXIT_ERROR;
	return strict && shown ? CMD_EXIT_REJECT : CMD_EXIT_OK;
}

static int
policy_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format fmt = CMD_FMT_TEXT;
	asmgate_policy *pol = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;
	int c, rc = CMD_EXIT_OK, seen_fmt = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!cmd_once("policy show", "--format", &seen_fmt) ||
			    !cmd_parse_format("policy show", optarg,
			    1u << CMD_FMT_TEXT | 1u << CMD_FMT_JSON, &fmt))
				return CMD_EXIT_ERROR;
			break;
		case 'h':
			show_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error("policy show", "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error("policy show", "no FILE given");
	if (optind + 1 < argc)
		return cmd_usage_error("policy show", "one FILE at a time");
	if (!load(argv[optind], &pol))
		return CMD_EXIT_ERROR;
	asmgate_error_clear(&err);
	if (asmgate_policy_show(pol, fmt == CMD_FMT_JSON ?
	    ASMGATE_REPORT_JSON : ASMGATE_REPORT_TEXT, &out, &len, &err) !=
	    ASMGATE_OK) {
		cmd_print_policy_error(argv[optind], &err);
		rc = CMD_EXIT_ERROR;
	} else {
		/* Text quotes the policy (globs, paths): escaped as every
		 * other untrusted string; JSON is escaped by the writer. */
		if (fmt == CMD_FMT_JSON)
			fwrite(out, 1, len, stdout);
		else
			cmd_put_lines(stdout, (const char *)out, len);
		if (ferror(stdout) || fflush(stdout) != 0)
			rc = CMD_EXIT_ERROR;
	}
	asmgate_free(out);
	asmgate_policy_free(pol);
	return rc;
}

int
cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		policy_usage(stderr);
		return CMD_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		policy_usage(stdout);
		return CMD_EXIT_OK;
	}
	if (strcmp(argv[1], "lint") == 0)
		return policy_lint(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return policy_show(argc - 1, argv + 1);
	return cmd_usage_error("policy", "unknown subcommand '%s' (lint, show)",
	    argv[1]);
}
