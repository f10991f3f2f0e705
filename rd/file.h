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

/** Write len bytes to path atomically: to a new temporary file in the
 *  same directory (mode bits `mode`), flushed to disk, then renamed over
 *  path. On any error path is left as it was and the temporary removed. */
asmgate_status rd_file_write_atomic(const char *path, const void *data,
    size_t len, unsigned mode, asmgate_error *err);

#endif /* RD_FILE_H */
