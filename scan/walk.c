/*
 * walk.c - expand PATH arguments into sources: a directory is walked
 * recursively, entries in byte order of their names, so runs are
 * reproducible.
 *
 * Like find(1) without -L, a walk does not follow symbolic links to
 * directories (two links to "." would make it exponential); a link to a
 * regular file is a file. What a walk does not check is said, never
 * dropped: a link to a directory and a special file (FIFO, socket,
 * device) met in a walk are sources listed as skipped with the reason,
 * and a path that cannot be read is an error source. A PATH named on the
 * command line is followed whatever it is. A directory already on the
 * current path (a bind mount of an ancestor) is not entered again.
 *
 * Exclusion: an entry whose path relative to the walked PATH, or whose
 * name, matches an exclude pattern (fnmatch(3), no FNM_PATHNAME) is
 * neither listed nor entered, only counted. A named PATH never is.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rd/err.h"
#include "rd/limits.h"
#include "scan.h"

/* A directory on the current path, by identity rather than by name. */
typedef struct dir_id {
	dev_t dev;
	ino_t ino;
} dir_id;

typedef struct walker {
	scan_sources *l;
	asmgate_error *err;  /* set when the list cannot grow */
	const char *const *excl;
	size_t nexcl;
	size_t rootlen;      /* bytes before a relative path in a walk */
	uint64_t *excluded;
	dir_id stack[RD_MAX_WALK_DEPTH];
} walker;

static asmgate_status
push(walker *w, const char *path, int from_dir, int preset,
    const asmgate_error *perr)
{
	scan_sources *l = w->l;
	scan_source *s;

	if (l->n >= RD_MAX_RUN_FILES)
		return rd_fail_nooff(w->err, ASMGATE_E_LIMIT,
		    "more than %u files in one run", RD_MAX_RUN_FILES);
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		scan_source *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return rd_fail_nooff(w->err, ASMGATE_E_NOMEM,
			    "out of memory");
		l->v = nv;
		l->cap = nc;
	}
	s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	s->path = strdup(path);
	if (!s->path)
		return rd_fail_nooff(w->err, ASMGATE_E_NOMEM, "out of memory");
	s->from_dir = (unsigned char)from_dir;
	s->preset = (unsigned char)preset;
	if (preset != SCAN_PRESET_NONE) {
		s->err = malloc(sizeof(*s->err));
		if (!s->err) {
			free(s->path);
			return rd_fail_nooff(w->err, ASMGATE_E_NOMEM,
			    "out of memory");
		}
		*s->err = *perr;
	}
	l->n++;
	return ASMGATE_OK;
}

/* A source that carries its outcome: code and message "what: detail"
 * (or "detail" alone when what is NULL). */
static asmgate_status
push_preset(walker *w, const char *path, int from_dir, int preset,
    asmgate_status code, const char *what, const char *detail)
{
	asmgate_error e;

	asmgate_error_clear(&e);
	e.code = code;
	snprintf(e.msg, sizeof(e.msg), "%s%s%s", what ? what : "",
	    what ? ": " : "", detail);
	return push(w, path, from_dir, preset, &e);
}

static const char *
kind_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* The entries of directory path (opened with O_NOFOLLOW inside a walk:
 * a directory swapped for a link after lstat is an error, not entered),
 * unless it is already on the current path: -1 error (pushed), 0 a
 * repeat, 1 with *ents and *n set; -2 the list could not grow. */
static int
read_dir(walker *w, const char *path, int from_dir, unsigned depth,
    struct dirent ***ents, int *n)
{
	struct stat st;
	unsigned k;
	int fd, saved;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (from_dir ? O_NOFOLLOW : 0));
	if (fd < 0) {
		saved = errno;
		return push_preset(w, path, from_dir, SCAN_PRESET_ERROR,
		    ASMGATE_E_IO, "cannot read directory",
		    strerror(saved)) == ASMGATE_OK ? -1 : -2;
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		return push_preset(w, path, from_dir, SCAN_PRESET_ERROR,
		    ASMGATE_E_IO, "cannot stat", strerror(saved)) ==
		    ASMGATE_OK ? -1 : -2;
	}
	for (k = 0; k < depth; k++) {
		if (w->stack[k].dev == st.st_dev &&
		    w->stack[k].ino == st.st_ino) {
			close(fd);
			return 0;
		}
	}
	w->stack[depth].dev = st.st_dev;
	w->stack[depth].ino = st.st_ino;
	*n = scandirat(fd, ".", ents, NULL, alphasort);
	saved = errno;
	close(fd);
	if (*n < 0)
		return push_preset(w, path, from_dir, SCAN_PRESET_ERROR,
		    ASMGATE_E_IO, "cannot read directory",
		    strerror(saved)) == ASMGATE_OK ? -1 : -2;
	return 1;
}

static asmgate_status
walk(walker *w, const char *path, unsigned depth, int from_dir)
{
	struct dirent **ents = NULL;
	struct stat st;
	asmgate_status rc = ASMGATE_OK;
	int n = 0, i, r;

	/* Named paths are followed; inside a walk, links are looked at. */
	if ((from_dir ? lstat(path, &st) : stat(path, &st)) != 0)
		return push_preset(w, path, from_dir, SCAN_PRESET_ERROR,
		    ASMGATE_E_IO, from_dir ? "cannot stat" : "cannot open",
		    strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		/* A link to a regular file is that file; a link to a
		 * directory is listed, not followed. */
		if (stat(path, &st) != 0)
			return push_preset(w, path, from_dir,
			    SCAN_PRESET_ERROR, ASMGATE_E_IO, NULL,
			    strerror(errno));
		if (S_ISDIR(st.st_mode))
			return push_preset(w, path, from_dir,
			    SCAN_PRESET_SKIPPED, ASMGATE_E_UNSUPPORTED,
			    NULL, "symbolic link to a directory: not followed");
	}
	if (!S_ISDIR(st.st_mode)) {
		/* Named files are always opened (and refused there when
		 * they are not regular); inside directories, only regular
		 * files are, and the rest is listed as skipped. */
		if (from_dir && !S_ISREG(st.st_mode))
			return push_preset(w, path, from_dir,
			    SCAN_PRESET_SKIPPED, ASMGATE_E_UNSUPPORTED,
			    kind_name(st.st_mode), "not read");
		return push(w, path, from_dir, SCAN_PRESET_NONE, NULL);
	}
	if (depth >= RD_MAX_WALK_DEPTH) {
		asmgate_error e;
		asmgate_error_clear(&e);
		e.code = ASMGATE_E_LIMIT;
		snprintf(e.msg, sizeof(e.msg),
		    "directories nested deeper than %u", RD_MAX_WALK_DEPTH);
		return push(w, path, from_dir, SCAN_PRESET_ERROR, &e);
	}
	r = read_dir(w, path, from_dir, depth, &ents, &n);
	if (r == -2)
		return w->err->code;
	if (r <= 0)
		return ASMGATE_OK;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len;
		char *sub;

		if (rc == ASMGATE_OK && strcmp(name, ".") != 0 &&
		    strcmp(name, "..") != 0) {
			if (depth == 0)
				w->rootlen = strlen(path) +
				    (path[strlen(path) - 1] == '/' ? 0 : 1);
			len = strlen(path) + strlen(name) + 2;
			sub = malloc(len);
			if (!sub) {
				rc = rd_fail_nooff(w->err, ASMGATE_E_NOMEM,
				    "out of memory");
			} else {
				snprintf(sub, len, "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/",
				    name);
				if (scan_excluded(w->excl, w->nexcl,
				    sub + w->rootlen))
					(*w->excluded)++;
				else
					rc = walk(w, sub, depth + 1, 1);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
scan_excluded(const char *const *pats, size_t n, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < n; i++)
		if (fnmatch(pats[i], path, 0) == 0 ||
		    (base != path && fnmatch(pats[i], base, 0) == 0))
			return 1;
	return 0;
}

asmgate_status
scan_walk(scan_sources *l, const char *path, const char *const *excl,
    size_t nexcl, uint64_t *excluded, asmgate_error *err)
{
	walker *w = malloc(sizeof(*w));
	asmgate_status rc;

	if (!w)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	w->l = l;
	w->err = err;
	w->excl = excl;
	w->nexcl = nexcl;
	w->rootlen = 0;
	w->excluded = excluded;
	rc = walk(w, path, 0, 0);
	free(w);
	return rc;
}

void
scan_sources_free(scan_sources *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].err);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
