/*
 * file.h - read-only file mapping with a size cap.
 *
 * A file is mapped once (mmap; one read() where mapping is impossible)
 * and every later stage reads it through an rd over the mapping.
 */
#ifndef RD_FILE_H
#define RD_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"

typedef struct rd_file {
	const uint8_t *data; /* NULL for an empty file */
	size_t size;
	int mapped;          /* 1: munmap on close; 0: free */
	int slot;            /* mapped: its place in the fault table, or -1 */
} rd_file;

/** Map path read-only. Fails with ASMGATE_E_IO if it cannot be opened or
 *  is not a regular file, ASMGATE_E_LIMIT if larger than max. An empty
 *  file succeeds with data NULL and size 0. */
asmgate_status rd_file_open(rd_file *f, const char *path, size_t max,
    asmgate_error *err);

/** Release a mapping; safe on a zeroed or already-closed rd_file. */
void rd_file_close(rd_file *f);

/** Tell the kernel a range of the mapping was consumed (hashed) and need
 *  not stay resident, so memory stays flat on large files. No-op when the
 *  file was read rather than mapped. */
void rd_file_release(const rd_file *f, uint64_t off, uint64_t n);

/*
 * A mapped file that shrinks while it is read makes the next read past
 * its new end raise SIGBUS. Mappings are kept in a small process-wide
 * table (the one global of the library: a signal handler has no other
 * way to find them) so that the command's handler can call
 * asmgate_recover_fault: the pages from the fault to the end of the
 * mapping become zeros, the file is marked changed and the faulting
 * thread's fault count goes up. The reader then goes on over zeros and
 * the pipeline turns the subject into an error (rd_file_changed,
 * rd_file_thread_faults): nothing decided from those bytes is kept.
 */
/** 1 when a read of f's mapping faulted (the file shrank). */
int rd_file_changed(const rd_file *f);
/** Faults recovered on the calling thread so far. */
unsigned long rd_file_thread_faults(void);

/* Called with the path of a named temporary file as soon as it may
 * exist, and with NULL once it is gone (renamed into place or removed),
 * so a command interrupted by a signal can remove it. The path stays
 * valid until the NULL call. */
typedef void (*rd_temp_hook)(void *arg, const char *path);

/* A file being written that replaces its destination atomically. */
typedef struct rd_atomic rd_atomic;

/* Always a named temporary, never an O_TMPFILE one (for tests). */
#define RD_ATOMIC_NAMED 1u
/* Never replace an existing destination: the commit fails (EEXIST)
 * instead, checked by the kernel at the moment of the rename. */
#define RD_ATOMIC_NOREPLACE 2u

/** Start writing a file that will replace path: an unnamed temporary
 *  (O_TMPFILE) in path's folder where the filesystem supports it and
 *  /proc/self/fd can name it, else a named one (.asmgate-XXXXXX,
 *  reported to hook, which may be NULL). Free with rd_atomic_free. */
asmgate_status rd_atomic_open(rd_atomic **out, const char *path,
    unsigned mode, unsigned flags, rd_temp_hook hook, void *hook_arg,
    asmgate_error *err);

/** Append len bytes. */
asmgate_status rd_atomic_write(rd_atomic *w, const void *data, size_t len,
    asmgate_error *err);

/** Set the mode, flush to disk, name the file (an unnamed one, through
 *  linkat) and rename it over the destination (with
 *  RD_ATOMIC_NOREPLACE, only where none exists). On failure the
 *  destination is as it was; rd_atomic_free removes the temporary. */
asmgate_status rd_atomic_commit(rd_atomic *w, asmgate_error *err);

/** The named temporary's path, or NULL (unnamed, or none any more). */
const char *rd_atomic_temp_path(const rd_atomic *w);

/** Close; a temporary not renamed into place is removed. NULL is
 *  fine. */
void rd_atomic_free(rd_atomic *w);

/** Write len bytes to path atomically: to a new temporary file in the
 *  same directory (mode bits `mode`), flushed to disk, then renamed over
 *  path. flags as for rd_atomic_open. On any error path is left as it
 *  was and the temporary removed. */
asmgate_status rd_file_write_atomic(const char *path, const void *data,
    size_t len, unsigned mode, unsigned flags, asmgate_error *err);

#endif /* RD_FILE_H */
