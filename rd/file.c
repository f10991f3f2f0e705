/*
 * file.c - read-only file mapping with a size cap.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "file.h"

/* Files up to this size are read into memory with one read(): for the
 * many small assemblies of a typical run, mapping costs more (page
 * faults, and TLB shootdowns on munmap in a threaded process) than
 * copying. Larger files are mapped and their hashed pages released
 * (rd_file_release), so memory stays bounded by this constant whatever
 * the file size. */
#define RD_FILE_READ_MAX ((size_t)1 << 20)

/* Live mappings, for asmgate_recover_fault (rd/file.h). A slot is
 * claimed by setting its base from 0; len is set after, so a handler
 * that sees a base with len 0 matches nothing. Slots are cleared before
 * munmap, when no reader of the mapping is left. With every slot taken
 * a mapping is not recoverable: a fault in it ends the process, as
 * before. */
#define RD_FILE_SLOTS 256
static struct {
	atomic_uintptr_t base;
	atomic_size_t len;
	atomic_int changed;
} fault_slots[RD_FILE_SLOTS];
static _Thread_local volatile sig_atomic_t thread_faults;

static int
slot_claim(const void *base, size_t len)
{
	int i;

	for (i = 0; i < RD_FILE_SLOTS; i++) {
		uintptr_t zero = 0;
		if (atomic_compare_exchange_strong(&fault_slots[i].base, &zero,
		    (uintptr_t)base)) {
			atomic_store(&fault_slots[i].changed, 0);
			atomic_store(&fault_slots[i].len, len);
			return i;
		}
	}
	return -1;
}

static void
slot_clear(int i)
{
	if (i < 0 || i >= RD_FILE_SLOTS)
		return;
	atomic_store(&fault_slots[i].len, 0);
	atomic_store(&fault_slots[i].changed, 0);
	atomic_store(&fault_slots[i].base, 0);
}

int
asmgate_recover_fault(void *addr)
{
	uintptr_t a = (uintptr_t)addr, base, end, page;
	long pg = sysconf(_SC_PAGESIZE);
	size_t len;
	int i;

	if (pg <= 0)
		return 0;
	for (i = 0; i < RD_FILE_SLOTS; i++) {
		base = atomic_load(&fault_slots[i].base);
		len = atomic_load(&fault_slots[i].len);
		if (!base || !len || a < base || a - base >= len)
			continue;
		/* Zeros from the faulting page to the end of the mapping:
		 * the file's tail is gone, and one signal is enough. */
		page = a / (uintptr_t)pg * (uintptr_t)pg;
		end = base + len;
		if (mmap((void *)page, end - page, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			return 0;
		atomic_store(&fault_slots[i].changed, 1);
		thread_faults++;
		return 1;
	}
	return 0;
}

int
rd_file_changed(const rd_file *f)
{
	return f && f->mapped && f->slot >= 0 && f->slot < RD_FILE_SLOTS &&
	    atomic_load(&fault_slots[f->slot].changed);
}

unsigned long
rd_file_thread_faults(void)
{
	return (unsigned long)thread_faults;
}

static asmgate_status
read_all(rd_file *f, int fd, size_t size, asmgate_error *err)
{
	uint8_t *buf = malloc(size);
	size_t got = 0;

	if (!buf)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM,
		    "out of memory reading %zu bytes", size);
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return rd_fail_nooff(err, ASMGATE_E_IO,
			    "cannot read: %s",
			    n < 0 ? strerror(errno) : "file shrank");
		}
		got += (size_t)n;
	}
	f->data = buf;
	f->size = size;
	f->mapped = 0;
	return ASMGATE_OK;
}

asmgate_status
rd_file_open(rd_file *f, const char *path, size_t max, asmgate_error *err)
{
	struct stat st;
	int fd, flags;
	void *m;
	asmgate_status rc = ASMGATE_OK;

	memset(f, 0, sizeof(*f));
	f->slot = -1;
	/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a
	 * writer; it is refused below as not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return rd_fail_nooff(err, ASMGATE_E_IO, "cannot open: %s",
		    strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot stat: %s",
		    strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "not a regular file");
		goto out;
	}
	/* A regular file: back to blocking reads (no effect on them, but
	 * nothing is left to chance). */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot fcntl: %s",
		    strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)max) {
		rc = rd_fail_nooff(err, ASMGATE_E_LIMIT,
		    "file is larger than the %zu-byte limit", max);
		goto out;
	}
	if (st.st_size == 0)
		goto out; /* empty: data NULL, size 0 */
	if ((size_t)st.st_size <= RD_FILE_READ_MAX) {
		rc = read_all(f, fd, (size_t)st.st_size, err);
		goto out;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		rc = read_all(f, fd, (size_t)st.st_size, err);
		goto out;
	}
	f->data = m;
	f->size = (size_t)st.st_size;
	f->mapped = 1;
	f->slot = slot_claim(m, f->size);
out:
	close(fd);
	return rc;
}

void
rd_file_close(rd_file *f)
{
	if (!f || !f->data)
		return;
	if (f->mapped) {
		slot_clear(f->slot);
		munmap((void *)(uintptr_t)f->data, f->size);
	}
	else
		free((void *)(uintptr_t)f->data);
	f->data = NULL;
	f->size = 0;
	f->mapped = 0;
	f->slot = -1;
}

void
rd_file_release(const rd_file *f, uint64_t off, uint64_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t start, end;

	if (!f || !f->mapped || pg <= 0 || off >= f->size)
		return;
	if (n > f->size - off)
		n = f->size - off;
	/* Only whole pages inside the range. */
	start = (off + (uint64_t)pg - 1) / (uint64_t)pg * (uint64_t)pg;
	end = (off + n) / (uint64_t)pg * (uint64_t)pg;
	if (end > start)
		(void)madvise((void *)(uintptr_t)(f->data + start),
		    (size_t)(end - start), MADV_DONTNEED);
}

asmgate_status
rd_file_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode, asmgate_error *err)
{
	char *copy = strdup(path), *tmp = NULL;
	const char *dir;
	size_t done = 0, tlen;
	asmgate_status rc = ASMGATE_OK;
	int fd = -1;

	if (!copy)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	dir = dirname(copy);
	tlen = strlen(dir) + 32;
	tmp = malloc(tlen);
	if (!tmp) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, tlen, "%s/.asmgate-XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot write: %s",
			    n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot finish writing: %s",
		    strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot close: %s",
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = rd_fail_nooff(err, ASMGATE_E_IO, "cannot rename into place: "
		    "%s", strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	return rc;
}
