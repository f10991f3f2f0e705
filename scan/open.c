/*
 * open.c - one assembly by its subject name: a file, or a member of a
 * container named "app.zip!lib/a.dll" (nested: "a.zip!b.nupkg!lib/c.dll"),
 * read in memory as the scan reads it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"
#include "scan.h"

static int
is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
asmgate_subject_name_is_member(const char *name)
{
	const char *p;
	char *prefix;
	int found = 0;

	if (is_file(name))
		return 0;
	for (p = strchr(name, '!'); p && !found; p = strchr(p + 1, '!')) {
		prefix = strndup(name, (size_t)(p - name));
		if (!prefix)
			return 0;
		found = is_file(prefix);
		free(prefix);
	}
	return found;
}

/* The member of c whose name is rest, or whose name is followed in rest
 * by '!': its index and the length matched; -1 when none. Member names
 * may hold '!' themselves: the longest match wins. */
static long
find_member(const asmgate_container *c, const char *rest, size_t *used)
{
	size_t i, n = asmgate_container_count(c), best_len = 0;
	long best = -1;

	for (i = 0; i < n; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		size_t len;

		if (!mi || mi->is_directory)
			continue;
		len = strlen(mi->name);
		if (strncmp(rest, mi->name, len) == 0 &&
		    (rest[len] == '\0' || rest[len] == '!') &&
		    (best < 0 || len > best_len)) {
			best = (long)i;
			best_len = len;
		}
	}
	*used = best_len;
	return best;
}

asmgate_status
asmgate_image_open_subject(asmgate_image **out, const char *name,
    asmgate_error *err)
{
	asmgate_container *c = NULL;
	asmgate_status rc;
	const char *rest = NULL, *p;
	uint8_t *bytes = NULL, *buf;
	unsigned depth = 1;
	size_t len, used;
	char *file = NULL;
	long i;

	*out = NULL;
	if (is_file(name))
		return asmgate_image_open(out, name, err);
	for (p = strchr(name, '!'); p; p = strchr(p + 1, '!')) {
		free(file);
		file = strndup(name, (size_t)(p - name));
		if (!file)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		if (is_file(file)) {
			rest = p + 1;
			break;
		}
	}
	if (!rest) {
		free(file);
		return asmgate_image_open(out, name, err);
	}
	rc = asmgate_container_open(&c, file, err);
	free(file);
	while (rc == ASMGATE_OK) {
		i = find_member(c, rest, &used);
		if (i < 0) {
			rc = rd_fail_nooff(err, ASMGATE_E_IO,
			    "no such member in the container");
			break;
		}
		rc = asmgate_container_read(c, (size_t)i, RD_MAX_MEMBER_BYTES,
		    &buf, &len, err);
		if (rc != ASMGATE_OK)
			break;
		if (rest[used] == '\0') {
			rc = asmgate_image_take(out, buf, len, err);
			break;
		}
		/* A nested container: its bytes replace the outer ones. */
		asmgate_container_free(c);
		c = NULL;
		free(bytes);
		bytes = buf;
		rest += used + 1;
		if (++depth > RD_MAX_CONTAINER_DEPTH) {
			rc = rd_fail_nooff(err, ASMGATE_E_LIMIT,
			    "containers nested deeper than %u",
			    RD_MAX_CONTAINER_DEPTH);
			break;
		}
		rc = asmgate_container_open_memory(&c, bytes, len, err);
	}
	asmgate_container_free(c);
	free(bytes);
	return rc;
}
