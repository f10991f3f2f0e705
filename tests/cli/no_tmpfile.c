/*
 * no_tmpfile.c - LD_PRELOAD shim for the black-box tests: open() with
 * O_TMPFILE fails with EOPNOTSUPP, as on a filesystem without unnamed
 * temporary files, so the atomic writer takes its named-temporary path
 * (.asmgate-HOST-PID-XXXXXX) and t_sign.sh can check that a signal
 * removes those too. Built by the Makefile (build/tests/no_tmpfile.so);
 * the tests skip what needs it when it is missing. Test-only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *, int, ...);

static int
refused(int flags)
{
#ifdef O_TMPFILE
	return (flags & O_TMPFILE) == O_TMPFILE;
#else
	(void)flags;
	return 0;
#endif
}

static int
call(const char *name, const char *path, int flags, mode_t mode)
{
	open_fn real = (open_fn)(void (*)(void))dlsym(RTLD_NEXT, name);

	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, flags, mode);
}

#define SHIM(NAME)                                                      \
	int NAME(const char *path, int flags, ...)                      \
	{                                                               \
		mode_t mode = 0;                                        \
		va_list ap;                                             \
		va_start(ap, flags);                                    \
		if (flags & (O_CREAT | O_TMPFILE))                      \
			mode = (mode_t)va_arg(ap, unsigned);            \
		va_end(ap);                                             \
		if (refused(flags)) {                                   \
			errno = EOPNOTSUPP;                             \
			return -1;                                      \
		}                                                       \
		return call(#NAME, path, flags, mode);                  \
	}

SHIM(open)
SHIM(open64)
