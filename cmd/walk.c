/*
 * walk.c - expand PATH arguments into files: a directory is walked
 * recursively, entries in byte order of their names, so runs are
 * reproducible.
 *
 * Like find(1) without -L, a walk does not follow symbolic links to
 * directories (two links to "." would make it exponential); a link to a
 * regular file is a file. A PATH named on the command line is followed
 * whatever it is. A directory already on the current path (a bind mount
 * of an ancestor) is not entered again.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "rd/limits.h"
#include "walk.h"

/* A directory on the current path, by identity rather than by name. */
typedef struct dir_id {
	dev_t dev;
	ino_t ino;
} dir_id;

static int
push(cmd_filelist *l, const char *path, int from_dir)
{
	if (l->n >= RD_MAX_RUN_FILES)
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		cmd_file *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return 0;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].path = strdup(path);
	if (!l->v[l->n].path)
		return 0;
	l->v[l->n].from_dir = from_dir;
	l->n++;
	return 1;
}

/* The entries of directory path (opened with O_NOFOLLOW inside a walk:
 * a directory swapped for a link after lstat is an error, not entered),
 * unless it is already on the current path: -1 error (printed), 0 a
 * repeat, else 1 with *ents and *n set. */
static int
read_dir(const char *path, int from_dir, unsigned depth, dir_id *stack,
    struct dirent ***ents, int *n)
{
	struct stat st;
	unsigned k;
	int fd, saved;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (from_dir ? O_NOFOLLOW : 0));
	if (fd < 0) {
		cmd_print_path_error(path, "cannot read directory: %s",
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		cmd_print_path_error(path, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	for (k = 0; k < depth; k++) {
		if (stack[k].dev == st.st_dev && stack[k].ino == st.st_ino) {
			close(fd);
			return 0;
		}
	}
	stack[depth].dev = st.st_dev;
	stack[depth].ino = st.st_ino;
	*n = scandirat(fd, ".", ents, NULL, alphasort);
	saved = errno;
	close(fd);
	if (*n < 0) {
		cmd_print_path_error(path, "cannot read directory: %s",
		    strerror(saved));
		return -1;
	}
	return 1;
}

static int
walk(cmd_filelist *l, const char *path, unsigned depth, int from_dir,
    dir_id *stack, unsigned *errors)
{
	struct dirent **ents = NULL;
	struct stat st;
	int n = 0, i, ok = 1, rd;

	/* Named paths are followed; inside a walk, links are looked at. */
	if ((from_dir ? lstat(path, &st) : stat(path, &st)) != 0) {
		cmd_print_path_error(path, "%s", strerror(errno));
		(*errors)++;
		return 1;
	}
	if (S_ISLNK(st.st_mode)) {
		/* A link to a regular file is that file; a link to a
		 * directory (or anything else) is left alone. */
		if (stat(path, &st) != 0) {
			cmd_print_path_error(path, "%s", strerror(errno));
			(*errors)++;
			return 1;
		}
		if (!S_ISREG(st.st_mode))
			return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* Named files are always reported; inside directories only
		 * regular files are considered. */
		if (from_dir && !S_ISREG(st.st_mode))
			return 1;
		if (!push(l, path, from_dir)) {
			cmd_print_path_error(path, "too many files or out of "
			    "memory");
			(*errors)++;
			return 0;
		}
		return 1;
	}
	if (depth >= RD_MAX_WALK_DEPTH) {
		cmd_print_path_error(path, "directories nested deeper than %u",
		    RD_MAX_WALK_DEPTH);
		(*errors)++;
		return 1;
	}
	rd = read_dir(path, from_dir, depth, stack, &ents, &n);
	if (rd < 0)
		(*errors)++;
	if (rd <= 0)
		return 1;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len;
		char *sub;

		if (ok && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			len = strlen(path) + strlen(name) + 2;
			sub = malloc(len);
			if (!sub) {
				cmd_print_path_error(path, "out of memory");
				(*errors)++;
				ok = 0;
			} else {
				snprintf(sub, len, "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/", name);
				ok = walk(l, sub, depth + 1, 1, stack, errors);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

int
cmd_walk(cmd_filelist *l, const char *path, unsigned *errors)
{
	dir_id stack[RD_MAX_WALK_DEPTH];

	return walk(l, path, 0, 0, stack, errors);
}

void
cmd_filelist_free(cmd_filelist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
