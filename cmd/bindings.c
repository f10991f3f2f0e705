/*
 * bindings.c - asmgate bindings show|lint: BizTalk binding files.
 *
 *   show [--format text|json] FILE...   per host, its roles and the
 *                                       assemblies placed in it
 *   lint [--policy P] FILE...           host-layout findings; exit 0
 *                                       with warnings, 2 invalid
 *
 * Errors are "FILE:LINE: message" on stderr, exit 2.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

#define MAX_BINDINGS 64u /* RD_MAX_BINDING_FILES */

static void
bindings_usage(FILE *out)
{
	fprintf(out,
	    "usage: asmgate bindings show [--format text|json] [--environment NAME]\n"
	    "           FILE...\n"
	    "       asmgate bindings lint [--policy POLICY] [--environment NAME]\n"
	    "           FILE...\n"
	    "       (FILE may be a BizTalk application MSI: its binding for\n"
	    "       --environment NAME, or its default one)\n"
	    "\n"
	    "Read BizTalk binding files (BindingInfo.xml, UTF-8 or UTF-16):\n"
	    "show prints each host with its roles (orchestrations, receive and\n"
	    "send handlers) and the assemblies placed in it, with the element\n"
	    "that placed each; lint checks the host layout:\n"
	    "  orchestration-and-receive, host-not-in-policy,\n"
	    "  isolated-host-orchestration, inconsistent-trust, and with a\n"
	    "  policy whose hosts give account= and tracking=: shared-account,\n"
	    "  tracking-host-not-dedicated.\n"
	    "\n"
	    "  -f, --format FMT   show: text (default) or json\n"
	    "  -p, --policy FILE  lint: the policy the hosts are checked against\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Output of lint: \"FILE:LINE: warning: MESSAGE [CODE]\" per finding.\n"
	    "Exit status: 0 shown or linted (warnings included), 2 an invalid\n"
	    "or unreadable file.\n");
}

/* Load every FILE (an application MSI: its binding for env, cmd/app.c);
 * 0 (printed) on the first invalid one. */
static int
load_all(char **paths, size_t n, asmgate_bindings **b, const char *env)
{
	asmgate_error err;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = cmd_app_binding(paths[i], env, &b[i])) != 0) {
			if (r < 0)
				return 0;
			continue;
		}
		asmgate_error_clear(&err);
		if (asmgate_bindings_load(&b[i], paths[i], &err) !=
		    ASMGATE_OK) {
			cmd_print_policy_error(paths[i], &err);
			return 0;
		}
	}
	return 1;
}

static void
free_all(asmgate_bindings **b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		asmgate_bindings_free(b[i]);
}

/* The findings as "FILE:LINE: warning: MESSAGE [CODE]" on out. */
void
cmd_print_binding_findings(FILE *out, const asmgate_bindings *const *b,
    size_t nb, const asmgate_policy *pol, size_t *count)
{
	asmgate_bindings_finding *f = NULL;
	asmgate_error err;
	size_t n = 0, i;

	*count = 0;
	asmgate_error_clear(&err);
	if (asmgate_bindings_lint(b, nb, pol, &f, &n, &err) != ASMGATE_OK) {
		fputs("asmgate: bindings lint: ", stderr);
		cmd_put_text(stderr, err.msg);
		fputc('\n', stderr);
		return;
	}
	for (i = 0; i < n; i++) {
		cmd_put_text(out, f[i].file);
		fprintf(out, ":%lu: warning: ", f[i].line);
		cmd_put_text(out, f[i].msg);
		fprintf(out, " [%s]\n", f[i].code);
	}
	*count = n;
	asmgate_free(f);
}

static int
bindings_cmd(int argc, char **argv, int lint)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "policy", required_argument, NULL, 'p' },
		{ "environment", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *what = lint ? "bindings lint" : "bindings show";
	enum cmd_format fmt = CMD_FMT_TEXT;
	const char *policy_path = NULL, *env = NULL;
	asmgate_bindings *b[MAX_BINDINGS];
	asmgate_policy *pol = NULL;
	asmgate_error err;
	size_t nb, i, count = 0;
	uint8_t *out = NULL;
	size_t len = 0;
	int c, rc = CMD_EXIT_ERROR, seen_fmt = 0;

	memset(b, 0, sizeof(b));
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:p:E:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (lint)
				return cmd_usage_error(what, "--format is for "
				    "show");
			if (!cmd_once(what, "--format", &seen_fmt) ||
			    !cmd_parse_format(what, optarg,
			    1u << CMD_FMT_TEXT | 1u << CMD_FMT_JSON, &fmt))
				return CMD_EXIT_ERROR;
			break;
		case 'p':
			if (!lint)
				return cmd_usage_error(what, "--policy is for "
				    "lint");
			if (policy_path)
				return cmd_usage_error(what, "--policy given "
				    "twice");
			policy_path = optarg;
			break;
		case 'E':
			env = optarg;
			break;
		case 'h':
			bindings_usage(stdout);
			return CMD_EXIT_OK;
		default:
			return cmd_usage_error(what, "bad option");
		}
	}
	if (optind >= argc)
		return cmd_usage_error(what, "no FILE given");
	nb = (size_t)(argc - optind);
	if (nb > MAX_BINDINGS)
		return cmd_usage_error(what, "at most %u files", MAX_BINDINGS);
	if (policy_path) {
		asmgate_error_clear(&err);
		if (asmgate_policy_load(&pol, policy_path, &err) !=
		    ASMGATE_OK) {
			cmd_print_policy_error(policy_path, &err);
			return CMD_EXIT_ERROR;
		}
	}
	if (!load_all(argv + optind, nb, b, env))
		goto out;
	if (lint) {
		cmd_print_binding_findings(stdout,
		    (const asmgate_bindings *const *)b, nb, pol, &count);
		for (i = 0; i < nb; i++) {
			cmd_put_text(stdout, argv[optind + (int)i]);
			printf(": valid: %zu assembly name%s\n",
			    asmgate_bindings_count(b[i]),
			    asmgate_bindings_count(b[i]) == 1 ? "" : "s");
		}
		printf("%zu warning%s\n", count, count == 1 ? "" : "s");
		rc = CMD_EXIT_OK;
	} else {
		asmgate_error_clear(&err);
		if (asmgate_bindings_show((const asmgate_bindings *const *)b,
		    nb, fmt == CMD_FMT_JSON ? ASMGATE_REPORT_JSON :
		    ASMGATE_REPORT_TEXT, &out, &len, &err) != ASMGATE_OK) {
			fputs("asmgate bindings show: ", stderr);
			cmd_put_text(stderr, err.msg);
			fputc('\n', stderr);
			goto out;
		}
		if (fmt == CMD_FMT_JSON)
			fwrite(out, 1, len, stdout);
		else
			cmd_put_lines(stdout, (const char *)out, len);
		rc = CMD_EXIT_OK;
	}
	if (ferror(stdout) || fflush(stdout) != 0)
		rc = CMD_EXIT_ERROR;
out:
	asmgate_free(out);
	free_all(b, nb);
	asmgate_policy_free(pol);
	return rc;
}

int
cmd_bindings(int argc, char **argv)
{
	if (argc < 2) {
		bindings_usage(stderr);
		return CMD_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		bindings_usage(stdout);
		return CMD_EXIT_OK;
	}
	if (strcmp(argv[1], "show") == 0)
		return bindings_cmd(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "lint") == 0)
		return bindings_cmd(argc - 1, argv + 1, 1);
	return cmd_usage_error("bindings", "unknown subcommand '%s' (show, "
	    "lint)", argv[1]);
}
