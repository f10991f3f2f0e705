/*
 * err.h - filling the caller-owned asmgate_error.
 *
 * Library code reports a failure by returning rd_fail*(...): the helper
 * fills the record and returns the status, so a failure reads as
 *     return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&r), "COFF header");
 * with no control flow hidden in a macro. err may be NULL.
 */
#ifndef RD_ERR_H
#define RD_ERR_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"

/** Fill err with code, a file offset and a printf-style message. */
asmgate_status rd_fail(asmgate_error *err, asmgate_status code,
    uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Same without a file offset. */
asmgate_status rd_fail_nooff(asmgate_error *err, asmgate_status code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Same with a 1-based line number (text inputs such as policy files). */
asmgate_status rd_fail_line(asmgate_error *err, asmgate_status code,
    unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Prefix the message already in err with "what: " (adds context on the
 *  way up without losing the offset). */
void rd_err_prefix(asmgate_error *err, const char *what);

/** Bytes from a file (a section or stream name, an assembly name) made
 *  fit for a one-line message: at most n bytes of src, stopping at a NUL,
 *  each byte outside printable ASCII (controls, DEL, non-ASCII) replaced
 *  by '?' so a newline or an escape sequence never reaches a log or a
 *  terminal. dst (dstlen >= 1) is always NUL-terminated, truncated to
 *  fit. Returns dst. */
const char *rd_printable(char *dst, size_t dstlen, const char *src,
    size_t n);

#endif /* RD_ERR_H */
