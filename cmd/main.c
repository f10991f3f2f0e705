/*
 * main.c - asmgate: decides whether a .NET assembly may be deployed.
 *
 * Dispatches to the subcommands; maps every outcome to an exit status:
 * 0 accepted, 1 rejected, 2 could not decide.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "inspect", cmd_inspect,
	    "show identity, headers and signature slot of assemblies" },
	{ "keys", cmd_keys,
	    "strong-name keys: token, show, extract, convert, generate" },
	{ "verify", cmd_verify,
	    "verify strong names and decide against a policy" },
	{ "sign", cmd_sign,
	    "complete delay-signing: sign an assembly with its key" },
	{ "policy", cmd_policy, "policy files: lint, show" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: asmgate [--version] [--help] COMMAND [ARGS...]\n"
	    "\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(out, "\nRun 'asmgate COMMAND --help' for a command's options.\n"
	    "Exit status: 0 accepted, 1 rejected, 2 could not decide.\n");
}

int
cmd_parse_format(const char *cmd, const char *arg, unsigned allowed,
    enum cmd_format *out)
{
	static const char *names[] = { "text", "json", "junit", "sarif" };
	unsigned i;

	for (i = 0; i < 4; i++) {
		if ((allowed >> i & 1) && strcmp(arg, names[i]) == 0) {
			*out = (enum cmd_format)i;
			return 1;
		}
	}
	cmd_usage_error(cmd, "unknown --format '%s'", arg);
	return 0;
}

void
cmd_print_error(const char *path, const asmgate_error *err)
{
	fprintf(stderr, "%s: error: %s", path, err->msg);
	if (err->has_offset)
		fprintf(stderr, " (offset 0x%llx)",
		    (unsigned long long)err->offset);
	fputc('\n', stderr);
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "asmgate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'asmgate %s --help'.\n", cmd);
	return CMD_EXIT_ERROR;
}

void
cmd_print_identity(FILE *out, const char *name, const asmgate_version *v,
    const char *culture, const uint8_t *token)
{
	int i;

	fprintf(out, "%s, Version=%u.%u.%u.%u, Culture=%s, PublicKeyToken=",
	    name, v->major, v->minor, v->build, v->revision,
	    culture && culture[0] ? culture : "neutral");
	if (!token) {
		fputs("null", out);
		return;
	}
	for (i = 0; i < 8; i++)
		fprintf(out, "%02x", token[i]);
}

int
cmd_flush(rd_buf *b, FILE *out)
{
	size_t n = b->len;

	if (b->failed)
		return 0;
	b->len = 0;
	return n == 0 || fwrite(b->p, 1, n, out) == n;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CMD_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("asmgate %s\n", ASMGATE_VERSION);
		return CMD_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CMD_EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "asmgate: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CMD_EXIT_ERROR;
}
