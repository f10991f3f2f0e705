/*
 * file.c - read-only file mapping with a size cap, and the writer that
 * replaces a file atomically.
 */
#define _GNU_SOURCE /* O_TMPFILE, linkat's AT_SYMLINK_FOLLOW */

#include <dirent.h>
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
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "file.h"
#include "limits.h"

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

/* The atomic writer. Where the filesystem allows it, the temporary
 * file is unnamed (O_TMPFILE): whatever ends the process, even SIGKILL,
 * the kernel frees it and nothing is left behind. It gets a name only
 * once it is complete, through /proc/self/fd and linkat, for the
 * moment it takes to rename it over the destination. Elsewhere it is a
 * named .asmgate-HOST-PID-XXXXXX file (mkstemp); the hook hears of every
 * named temporary, so a command can remove it when a signal ends it,
 * and one that SIGKILL leaves is removed by the next writer into the
 * same folder (sweep_stale). */
struct rd_atomic {
	char *path;       /* the destination */
	char *dir;        /* its folder */
	char *tmp;        /* the named temporary, while there is one */
	int fd;
	int unnamed;      /* fd is an O_TMPFILE file */
	int noreplace;    /* RD_ATOMIC_NOREPLACE */
	unsigned mode;
	rd_temp_hook hook;
	void *hook_arg;
};

static void
tmp_named(rd_atomic *w, char *tmp)
{
	w->tmp = tmp;
	if (w->hook)
		w->hook(w->hook_arg, tmp);
}

static void
tmp_gone(rd_atomic *w)
{
	if (w->hook)
		w->hook(w->hook_arg, NULL);
	free(w->tmp);
	w->tmp = NULL;
}

/* Named temporaries are ".asmgate-HOST-PID-XXXXXX": HOST is this
 * machine's name (letters, digits and '.' kept, anything else '_', at
 * most RD_TEMP_HOST_MAX bytes) and PID the writer's. A process that
 * SIGKILL ends cannot remove its temporary; the next writer into the
 * same folder on the same machine recognises it by the name and removes
 * it (sweep_stale). */
#define RD_TEMP_HOST_MAX 32u
/* A temporary younger than this is never swept: its writer may live
 * in another PID namespace on a machine of the same name. */
#define RD_TEMP_STALE_SECONDS 60

static void
temp_host(char *out, size_t cap)
{
	char h[256];
	size_t i;

	if (gethostname(h, sizeof(h)) != 0)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	for (i = 0; h[i] && i + 1 < cap && i < RD_TEMP_HOST_MAX; i++) {
		char c = h[i];
		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.') ? c : '_';
	}
	out[i] = '\0';
}

/* 1 when name is a temporary of a writer on this machine (prefix
 * ".asmgate-HOST-") that is no longer running; *pid gets its PID. */
static int
stale_name(const char *name, const char *prefix, size_t plen, long *pid)
{
	const char *p;
	long v = 0;
	size_t nd = 0, i;

	if (strncmp(name, prefix, plen) != 0)
		return 0;
	for (p = name + plen; *p >= '0' && *p <= '9' && nd < 10; p++, nd++)
		v = v * 10 + (*p - '0');
	if (nd == 0 || *p != '-' || v <= 0 || v == (long)getpid())
		return 0;
	for (i = 1; i <= 6; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')))
			return 0;
	}
	if (p[7] != '\0')
		return 0;
	*pid = v;
	return kill((pid_t)v, 0) != 0 && errno == ESRCH;
}

/* Remove the temporaries that writers on this machine left in dir when
 * something (SIGKILL, a power cut) ended them before they could: only
 * regular files of ours, named by a process that no longer runs, not
 * changed for RD_TEMP_STALE_SECONDS. At most RD_MAX_TEMP_SWEEP entries
 * are looked at; nothing here can fail the write. */
static void
sweep_stale(const char *dir, const char *host)
{
	char prefix[sizeof(".asmgate--") + RD_TEMP_HOST_MAX + 1];
	struct dirent *e;
	time_t now = time(NULL);
	size_t plen, seen = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), ".asmgate-%s-", host);
	plen = strlen(prefix);
	if (!(d = opendir(dir)))
		return;
	while (seen++ < RD_MAX_TEMP_SWEEP && (e = readdir(d)) != NULL) {
		struct stat st;
		long pid;

		if (!stale_name(e->d_name, prefix, plen, &pid))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid() ||
		    st.st_mtime > now - RD_TEMP_STALE_SECONDS)
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* A new ".asmgate-HOST-PID-XXXXXX" path in w->dir (a template for
 * mkstemp). */
static char *
tmp_template(const rd_atomic *w)
{
	char host[RD_TEMP_HOST_MAX + 1];
	size_t n;
	char *t;

	temp_host(host, sizeof(host));
	n = strlen(w->dir) + strlen(host) + sizeof("/.asmgate---XXXXXX") +
	    20;
	if ((t = malloc(n)) != NULL)
		snprintf(t, n, "%s/.asmgate-%s-%ld-XXXXXX", w->dir, host,
		    (long)getpid());
	return t;
}

/* An unnamed temporary in w->dir, usable only if /proc/self/fd can
 * give it a name later; 0 (nothing open) when either is missing. */
static int
open_unnamed(rd_atomic *w)
{
#ifdef O_TMPFILE
	char proc[64];
	struct stat st;
	int fd;

	fd = open(w->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (stat(proc, &st) != 0) {
		close(fd);
		return 0;
	}
	w->fd = fd;
	w->unnamed = 1;
	return 1;
#else
	(void)w;
	return 0;
#endif
}

asmgate_status
rd_atomic_open(rd_atomic **out, const char *path, unsigned mode,
    unsigned flags, rd_temp_hook hook, void *hook_arg, asmgate_error *err)
{
	rd_atomic *w = calloc(1, sizeof(*w));
	char *copy = NULL, *tmp = NULL;

	*out = NULL;
	if (!w)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	w->fd = -1;
	w->mode = mode;
	w->noreplace = (flags & RD_ATOMIC_NOREPLACE) != 0;
	w->hook = hook;
	w->hook_arg = hook_arg;
	w->path = strdup(path);
	copy = strdup(path);
	if (!w->path || !copy)
		goto nomem;
	w->dir = strdup(dirname(copy));
	free(copy);
	copy = NULL;
	if (!w->dir)
		goto nomem;
	{
		char host[RD_TEMP_HOST_MAX + 1];
		temp_host(host, sizeof(host));
		sweep_stale(w->dir, host);
	}
	if (!(flags & RD_ATOMIC_NAMED) && open_unnamed(w)) {
		*out = w;
		return ASMGATE_OK;
	}
	if (!(tmp = tmp_template(w)))
		goto nomem;
	w->fd = mkostemp(tmp, O_CLOEXEC);
	if (w->fd < 0) {
		asmgate_status rc = rd_fail_nooff(err, ASMGATE_E_IO,
		    "cannot create a temporary file in %s: %s", w->dir,
		    strerror(errno));
		free(tmp);
		rd_atomic_free(w);
		return rc;
	}
	tmp_named(w, tmp);
	*out = w;
	return ASMGATE_OK;
nomem:
	free(copy);
	rd_atomic_free(w);
	return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
}

asmgate_status
rd_atomic_write(rd_atomic *w, const void *data, size_t len,
    asmgate_error *err)
{
	size_t done = 0;

	if (w->fd < 0)
		return rd_fail_nooff(err, ASMGATE_E_IO, "cannot write: the "
		    "file is closed");
	while (done < len) {
		ssize_t n = write(w->fd, (const uint8_t *)data + done,
		    len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rd_fail_nooff(err, ASMGATE_E_IO,
			    "cannot write: %s",
			    n < 0 ? strerror(errno) : "short write");
		done += (size_t)n;
	}
	return ASMGATE_OK;
}

/* Name the complete unnamed temporary (tmp_template) in its folder:
 * linkat of /proc/self/fd/N (AT_SYMLINK_FOLLOW links the file itself;
 * AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH). linkat never replaces
 * a file, so a name taken by another writer is retried with another;
 * mkstemp's letters, from a name it made and removed, avoid guessing. */
static asmgate_status
name_unnamed(rd_atomic *w, asmgate_error *err)
{
	char proc[64];
	unsigned tries;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
	for (tries = 0; tries < 100; tries++) {
		char *tmp = tmp_template(w);
		int fd;

		if (!tmp)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		if ((fd = mkstemp(tmp)) < 0) {
			free(tmp);
			return rd_fail_nooff(err, ASMGATE_E_IO,
			    "cannot create a temporary file in %s: %s",
			    w->dir, strerror(errno));
		}
		close(fd);
		(void)unlink(tmp);
		/* Heard of before the name exists, so a signal between the
		 * two can only find a name that is not there. */
		tmp_named(w, tmp);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp,
			AT_SYMLINK_FOLLOW) == 0)
			return ASMGATE_OK;
		if (errno != EEXIST) {
			asmgate_status rc = rd_fail_nooff(err, ASMGATE_E_IO,
			    "cannot name the temporary file in %s: %s",
			    w->dir, strerror(errno));
			/* Never unlink a name that is not ours. */
			tmp_gone(w);
			return rc;
		}
		tmp_gone(w);
	}
	return rd_fail_nooff(err, ASMGATE_E_IO,
	    "cannot name the temporary file in %s: every name taken", w->dir);
}

/* Give the complete temporary the destination's name: rename(2), or
 * with noreplace renameat2(RENAME_NOREPLACE), falling back to link(2)
 * (which never replaces either) where the filesystem lacks it. -1 with
 * errno set (EEXIST: the destination appeared) on failure. */
static int
put_in_place(const rd_atomic *w)
{
	if (!w->noreplace)
		return rename(w->tmp, w->path);
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->path,
	    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	if (link(w->tmp, w->path) != 0)
		return -1;
	(void)unlink(w->tmp);
	return 0;
}

asmgate_status
rd_atomic_commit(rd_atomic *w, asmgate_error *err)
{
	asmgate_status rc;
	int fd = w->fd;

	if (fd < 0)
		return rd_fail_nooff(err, ASMGATE_E_IO, "cannot commit: the "
		    "file is closed");
	if (fchmod(fd, (mode_t)w->mode) != 0 || fsync(fd) != 0)
		return rd_fail_nooff(err, ASMGATE_E_IO,
		    "cannot finish writing: %s", strerror(errno));
	if (w->unnamed && (rc = name_unnamed(w, err)) != ASMGATE_OK)
		return rc;
	w->fd = -1;
	if (close(fd) != 0)
		return rd_fail_nooff(err, ASMGATE_E_IO, "cannot close: %s",
		    strerror(errno));
	if (put_in_place(w) != 0)
		return rd_fail_nooff(err, ASMGATE_E_IO,
		    "cannot rename into place: %s", strerror(errno));
	tmp_gone(w);
	return ASMGATE_OK;
}

const char *
rd_atomic_temp_path(const rd_atomic *w)
{
	return w ? w->tmp : NULL;
}

void
rd_atomic_free(rd_atomic *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp) {
		(void)unlink(w->tmp);
		tmp_gone(w);
	}
	free(w->dir);
	free(w->path);
	free(w);
}

asmgate_status
rd_file_write_atomic(const char *path, const void *data, size_t len,
    unsigned mode, unsigned flags, asmgate_error *err)
{
	rd_atomic *w = NULL;
	asmgate_status rc;

	if ((rc = rd_atomic_open(&w, path, mode, flags, NULL, NULL, err)) ==
	    ASMGATE_OK &&
	    (rc = rd_atomic_write(w, data, len, err)) == ASMGATE_OK)
		rc = rd_atomic_commit(w, err);
	rd_atomic_free(w);
	return rc;
}
