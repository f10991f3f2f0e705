/*
 * select.c - what a run looks at and how it shows it is alive:
 * --files-from lists (one bounded read, then split in place) and the
 * progress line on a terminal's standard error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "rd/limits.h"

/* Read all of f into b (capped at RD_MAX_FILES_FROM_BYTES): 1, or 0
 * with *why set. */
static int
read_all(FILE *f, rd_buf *b, const char **why)
{
	char chunk[65536];
	size_t n;

	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), f);
		if (n && !rd_buf_put(b, chunk, n)) {
			*why = b->len + n > b->max ? "more than 64 "
			    "MiB (the cap of a list)" :
			    "out of memory";
			return 0;
		}
		if (n < sizeof(chunk))
			break;
	}
	if (ferror(f)) {
		*why = strerror(errno ? errno : EIO);
		return 0;
	}
	return 1;
}

int
cmd_read_list(const char *cmd, const char *list, int nul, rd_buf *store,
    char ***paths, size_t *npaths)
{
	FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "rb");
	const char *why = NULL;
	char **v = NULL, *p, *end, *e;
	size_t n = 0, cap = 0, line = 0, len;

	*paths = NULL;
	*npaths = 0;
	(void)cmd;
	if (!f) {
		cmd_print_path_error(list, "cannot open: %s", strerror(errno));
		return 0;
	}
	rd_buf_init(store, RD_MAX_FILES_FROM_BYTES);
	if (!read_all(f, store, &why) || !rd_buf_cstr(store)) {
		if (f != stdin)
			fclose(f);
		cmd_print_path_error(list, "cannot read: %s",
		    why ? why : "out of memory");
		return 0;
	}
	if (f != stdin)
		fclose(f);
	p = (char *)store->p;
	end = p + store->len;
	while (p < end) {
		line++;
		e = memchr(p, nul ? '\0' : '\n', (size_t)(end - p));
		if (!e)
			e = end;
		len = (size_t)(e - p);
		*e = '\0';
		if (!nul && len && p[len - 1] == '\r')
			p[--len] = '\0';
		if (!nul && strlen(p) != len) {
			cmd_print_path_error(list, "line %zu: a NUL byte in a "
			    "path (lists separated by NULs need --null)",
			    line);
			goto bad;
		}
		if (len > RD_MAX_LIST_PATH) {
			cmd_print_path_error(list, "%s %zu: a path longer "
			    "than %u bytes", nul ? "entry" : "line", line,
			    RD_MAX_LIST_PATH);
			goto bad;
		}
		if (len) {
			if (n >= RD_MAX_RUN_FILES) {
				cmd_print_path_error(list, "more than %u "
				    "paths", RD_MAX_RUN_FILES);
				goto bad;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				char **nv = realloc(v, nc * sizeof(*nv));
				if (!nv) {
					cmd_print_path_error(list,
					    "out of memory");
					goto bad;
				}
				v = nv;
				cap = nc;
			}
			v[n++] = p;
		}
		p = e + 1;
	}
	*paths = v;
	*npaths = n;
	return 1;
bad:
	free(v);
	return 0;
}

/* ----------------------------------------------------------- progress */

/* Seconds before the line appears, milliseconds between updates. */
#define PROGRESS_DELAY_MS 2000
#define PROGRESS_EVERY_MS 200
/* Name bytes shown (the end of a longer name). */
#define PROGRESS_NAME 60u

static long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
cmd_progress_init(cmd_progress *p, int wanted)
{
	memset(p, 0, sizeof(*p));
	p->on = wanted && isatty(STDERR_FILENO);
	if (p->on)
		p->start = p->last = now_ms();
}

void
cmd_progress_clear(cmd_progress *p)
{
	if (!p->on || !p->shown)
		return;
	/* Back to the start of the line and erase it (ECMA-48 EL): only
	 * ever written to a terminal. */
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = 0;
}

void
cmd_progress_step(cmd_progress *p, const char *name)
{
	long long t;
	size_t len;

	p->done++;
	if (!p->on)
		return;
	t = now_ms();
	if (t - p->start < PROGRESS_DELAY_MS ||
	    (p->shown && t - p->last < PROGRESS_EVERY_MS))
		return;
	p->last = t;
	len = strlen(name);
	if (len > PROGRESS_NAME)
		name += len - PROGRESS_NAME;
	fprintf(stderr, "\r\033[K%llu done, current ", p->done);
	cmd_put_text(stderr, name);
	fflush(stderr);
	p->shown = 1;
}
