/*
 * walk.c - expand PATH arguments into files: a directory is walked
 * recursively, entries in byte order of their names, so runs are
 * reproducible.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rd/limits.h"
#include "walk.h"

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

static int
walk(cmd_filelist *l, const char *path, unsigned depth, int from_dir,
    unsigned *errors)
{
	struct dirent **ents = NULL;
	struct stat st;
	int n, i, ok = 1;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(errno));
		(*errors)++;
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* Named files are always reported; inside directories only
		 * regular files are considered. */
		if (from_dir && !S_ISREG(st.st_mode))
			return 1;
		if (!push(l, path, from_dir)) {
			fprintf(stderr, "%s: error: too many files or out of "
			    "memory\n", path);
			(*errors)++;
			return 0;
		}
		return 1;
	}
	if (depth >= RD_MAX_WALK_DEPTH) {
		fprintf(stderr, "%s: error: directories nested deeper than %u\n",
		    path, RD_MAX_WALK_DEPTH);
		(*errors)++;
		return 1;
	}
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: error: cannot read directory: %s\n", path,
		    strerror(errno));
		(*errors)++;
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len;
		char *sub;

		if (ok && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			len = strlen(path) + strlen(name) + 2;
			sub = malloc(len);
			if (!sub) {
				ok = 0;
			} else {
				snprintf(sub, len, "%s%s%s", path,
				    path[strlen(path) - 1] == '/' ? "" : "/", name);
				ok = walk(l, sub, depth + 1, 1, errors);
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
	return walk(l, path, 0, 0, errors);
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
