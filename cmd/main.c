/*
 * main.c - asmgate: decides whether a .NET assembly may be deployed.
 *
 * Dispatches to the subcommands; maps every outcome to an exit status:
 * 0 accepted, 1 rejected, 2 could not decide.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	{ "bindings", cmd_bindings,
	    "BizTalk binding files: show, lint (which host runs what)" },
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
	cmd_put_text(stderr, path);
	fputs(": error: ", stderr);
	cmd_put_text(stderr, err->msg);
	if (err->has_offset)
		fprintf(stderr, " (offset 0x%llx)",
		    (unsigned long long)err->offset);
	fputc('\n', stderr);
}

void
cmd_print_policy_error(const char *path, const asmgate_error *err)
{
	cmd_put_text(stderr, path);
	if (err->line)
		fprintf(stderr, ":%lu", err->line);
	fputs(": ", stderr);
	cmd_put_text(stderr, err->msg);
	fputc('\n', stderr);
}

void
cmd_print_path_error(const char *path, const char *fmt, ...)
{
	asmgate_error e;
	va_list ap;

	asmgate_error_clear(&e);
	va_start(ap, fmt);
	if (vsnprintf(e.msg, sizeof(e.msg), fmt, ap) < 0)
		snprintf(e.msg, sizeof(e.msg), "(unprintable message)");
	va_end(ap);
	cmd_print_error(path, &e);
}

/* The message may quote an argument (a path, a host name): it goes out
 * through cmd_put_text like every other untrusted string. */
void
cmd_json_begin(rd_json *j, rd_buf *out, const char *member)
{
	rd_json_init(j, out, 1);
	rd_json_obj(j);
	rd_json_kstr(j, "asmgate", ASMGATE_VERSION);
	rd_json_key(j, member);
	rd_json_arr(j);
}

unsigned long
cmd_default_jobs(unsigned long max)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return (unsigned long)n < max ? (unsigned long)n : max;
}

int
cmd_output_free(const char *cmd, const char *path)
{
	struct stat st;

	/* lstat: a dangling symbolic link is there too (a rename would
	 * replace it). */
	if (strcmp(path, "-") == 0 || lstat(path, &st) != 0)
		return 1;
	fprintf(stderr, "asmgate %s: ", cmd);
	cmd_put_text(stderr, path);
	fputs(" exists (use --force to replace it)\n", stderr);
	return 0;
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char buf[512], *big = NULL;
	const char *msg = buf;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A longer message is formatted again on the heap (out of memory,
	 * it is cut short). */
	if (n < 0) {
		snprintf(buf, sizeof(buf), "(unprintable message)");
	} else if ((size_t)n >= sizeof(buf) &&
	    (big = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		if (vsnprintf(big, (size_t)n + 1, fmt, ap) >= 0)
			msg = big;
		va_end(ap);
	}
	fprintf(stderr, "asmgate %s: ", cmd);
	cmd_put_text(stderr, msg);
	fprintf(stderr, "\nTry 'asmgate %s --help'.\n", cmd);
	free(big);
	return CMD_EXIT_ERROR;
}

int
cmd_once(const char *cmd, const char *opt, int *seen)
{
	if (*seen) {
		cmd_usage_error(cmd, "%s given twice: it takes one value", opt);
		return 0;
	}
	*seen = 1;
	return 1;
}

int
cmd_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul takes spaces and a sign ("-1" is ULONG_MAX): digits only. */
	if (!isdigit((unsigned char)s[0]))
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

void
cmd_print_identity(FILE *out, const char *name, const asmgate_version *v,
    const char *culture, const uint8_t *token)
{
	int i;

	cmd_put_text(out, name);
	fprintf(out, ", Version=%u.%u.%u.%u, Culture=", v->major, v->minor,
	    v->build, v->revision);
	cmd_put_text(out, culture && culture[0] ? culture : "neutral");
	fputs(", PublicKeyToken=", out);
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

/* Files are mapped: if another process truncates one while asmgate
 * reads it, the access faults. Fail closed with one line and exit 2
 * ("could not decide") instead of dying by a signal. */
static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "asmgate: error: a file shrank while it "
	    "was being read\n";

	(void)sig;
	(void)uc;
	/* A file the library mapped: it reads as zeros from here on and
	 * its subject becomes an error naming it; the run goes on. */
	if (si && asmgate_recover_fault(si->si_addr))
		return;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(CMD_EXIT_ERROR);
	_exit(CMD_EXIT_ERROR);
}

/* The named temporary files being written, as the library reports
 * them (cmd_temp_hook): a signal that ends the process removes them
 * first. Each writer has its own slot, named by the hook's argument
 * (cmd_temp_slot; NULL is slot 0), so one file's rename does not forget
 * another's temporary. A handler may only read what is already there,
 * so each path is copied beforehand; temp_set says whether the copy is
 * whole. */
static char *volatile temp_path[CMD_TEMP_SLOTS];
static volatile sig_atomic_t temp_set[CMD_TEMP_SLOTS];

void *
cmd_temp_slot(unsigned slot)
{
	return (void *)(uintptr_t)slot;
}

void
cmd_temp_hook(void *arg, const char *path)
{
	uintptr_t slot = (uintptr_t)arg;
	char *old, *copy = NULL;

	if (slot >= CMD_TEMP_SLOTS)
		return;
	old = temp_path[slot];
	temp_set[slot] = 0;
	if (path && (copy = malloc(strlen(path) + 1)) != NULL)
		memcpy(copy, path, strlen(path) + 1);
	temp_path[slot] = copy;
	free(old);
	if (copy)
		temp_set[slot] = 1;
}

/* SIGINT, SIGTERM, SIGHUP: remove the temporary files (unlink is
 * async-signal-safe), then die of the signal as if not caught, so the
 * caller sees how the command ended. SA_RESETHAND has restored the
 * default action; the signal, blocked in the handler, is delivered as
 * it returns. */
static void
on_terminate(int sig)
{
	int saved = errno;
	unsigned i;

	for (i = 0; i < CMD_TEMP_SLOTS; i++)
		if (temp_set[i])
			(void)unlink(temp_path[i]);
	(void)raise(sig);
	errno = saved;
}

/* Catch sig unless it was ignored when asmgate started (a shell runs
 * background jobs with SIGINT ignored; that choice stays). */
static void
catch_terminate(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) != 0 || old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	(void)sigaddset(&sa.sa_mask, SIGINT);
	(void)sigaddset(&sa.sa_mask, SIGTERM);
	(void)sigaddset(&sa.sa_mask, SIGHUP);
	(void)sigaction(sig, &sa, NULL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	size_t i;

#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	/* Files up to 1 MiB are read into heap buffers, one per file on
	 * each worker: kept in the heap and reused, they are not mapped
	 * and unmapped per file (page faults, and TLB shootdowns across
	 * the workers). The process's choice, not the library's. */
	(void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL);
	catch_terminate(SIGINT);
	catch_terminate(SIGTERM);
	catch_terminate(SIGHUP);

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
	fputs("asmgate: unknown command '", stderr);
	cmd_put_text(stderr, argv[1]);
	fputs("'\n", stderr);
	usage(stderr);
	return CMD_EXIT_ERROR;
}
