/*
 * walk.h - expand PATH arguments into a sorted list of files.
 */
#ifndef CMD_WALK_H
#define CMD_WALK_H

#include <stddef.h>

typedef struct cmd_file {
	char *path;
	int from_dir;  /* found by walking a directory (not named) */
} cmd_file;

typedef struct cmd_filelist {
	cmd_file *v;
	size_t n, cap;
} cmd_filelist;

/** Add path (a file, or a directory walked recursively in name order,
 *  at most RD_MAX_WALK_DEPTH deep; inside it, links to directories are
 *  not followed, links to regular files are files). Problems
 *  (unreadable directory, too deep) are printed as "PATH: error: ..."
 *  and counted in *errors. */
int cmd_walk(cmd_filelist *l, const char *path, unsigned *errors);
void cmd_filelist_free(cmd_filelist *l);

#endif /* CMD_WALK_H */
