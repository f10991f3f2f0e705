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

#endif /* RD_ERR_H */
