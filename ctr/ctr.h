/*
 * ctr.h - containers: archives that carry assemblies (module-internal).
 *
 * A container is a directory of members over borrowed (or owned) bytes.
 * Each format supplies a ctr_ops: detect by content, open (read and
 * check the whole directory into c->members), and extract (decompress
 * one member's data into a caller buffer). container.c holds the public
 * API and the checks every format shares (read limits, compression
 * ratio, overlapping members, gaps between members, names that escape
 * the extraction folder, duplicate paths); zip.c, zipdata.c and
 * cp437.c implement ZIP (APPNOTE.TXT 6.3.x); cab.c, cabdata.c and
 * cablzx.c cabinets (MS-CAB); cfb.c and cfbdir.c compound files
 * (MS-CFB) under msi.c, installer databases.
 *
 * After open returns, the container record and its members are never
 * written again: extract takes it const, so members may be read from
 * several threads at once. ZIP keeps its state (a z_stream) on the
 * stack; a cabinet's decompressed folders are a cache in c->fmt, each
 * behind its own mutex; an installer database's cabinets are
 * containers of their own in c->fmt.
 */
#ifndef CTR_CTR_H
#define CTR_CTR_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"
#include "rd/file.h"

/* Bytes of a member name quoted in an error message. */
#define CTR_QUOTE_MAX 60u
/* Size of a buffer for ctr_quote: the name, "...", the NUL. */
#define CTR_QUOTE_BUF (CTR_QUOTE_MAX + 4u)

/* One member: the public record plus what the format needs to read it. */
typedef struct ctr_member {
	asmgate_member_info info; /* info.name, info.key are owned (malloc) */
	size_t name_len;          /* strlen(info.name) */
	uint64_t dir_offset;      /* container offset of its directory entry */
	uint64_t data_end;        /* one past its data (and ZIP descriptor) */
	uint32_t flags;           /* ZIP general-purpose bit flags */
	/* The name as another reader decodes it, or NULL: for ZIP, stored
	 * bytes that are UTF-8 without flag bit 11, as .NET reads them.
	 * Borrowed from the container's bytes. */
	const uint8_t *alt_name;
	size_t alt_len;
	char method_buf[16];      /* info.method_name when the method is unknown */
	char unsupported_buf[48]; /* info.unsupported when built at open */
} ctr_member;

typedef struct ctr_ops ctr_ops;

struct asmgate_container {
	const ctr_ops *ops;
	char *path;               /* file the bytes came from, or NULL */
	const uint8_t *data;      /* the container's bytes (borrowed or file) */
	size_t size;
	rd_file file;             /* owned bytes (asmgate_container_open) */
	ctr_member *members;      /* nmembers records, directory order */
	size_t nmembers;
	int tiled;                /* members lie back to back from offset 0 */
	/* 1: the format checked its members' ranges itself (CAB members
	 * share compressed folders; MSI members live in cabinets), so the
	 * shared overlap check is skipped; names are still checked. */
	int ranges_checked;
	void *fmt;                /* format state (CAB, MSI), freed by close */
	int has_signature;        /* the format found a signature of its own */
	uint64_t members_end;     /* ... up to here (ZIP: the directory) */
	union {
		struct ctr_zip {
			uint64_t eocd_offset;   /* end of central directory */
			uint64_t cd_offset;     /* central directory start */
			uint64_t cd_size;
			int zip64;              /* a ZIP64 end record was used */
		} zip;
	} u;
};

struct ctr_ops {
	asmgate_container_format format;
	const char *name;
	/* 1 when the first bytes are this format's signature. */
	int (*detect)(const uint8_t *p, size_t n);
	/* Read and check the directory into c->members / c->nmembers;
	 * every member's data range is inside c->data when this returns OK.
	 * On failure the caller frees whatever was allocated. */
	asmgate_status (*open)(asmgate_container *c, asmgate_error *err);
	/* Decompress member m into dst: whole != 0 means n is its declared
	 * size and all of it must come out exactly and pass the format's
	 * checksum; whole == 0 stops after n bytes (n <= declared size).
	 * *got is the count written. Errors carry container offsets. */
	asmgate_status (*extract)(const asmgate_container *c,
	    const ctr_member *m, uint8_t *dst, size_t n, int whole,
	    size_t *got, asmgate_error *err);
	/* Free c->fmt (may be NULL for formats without state). */
	void (*close)(asmgate_container *c);
};

extern const ctr_ops ctr_zip_ops;
extern const ctr_ops ctr_cab_ops;
extern const ctr_ops ctr_msi_ops;

/* container.c */

/** Member name made fit for a message (rd_printable; "..." appended when
 *  longer than CTR_QUOTE_MAX bytes). dst has CTR_QUOTE_BUF bytes. */
const char *ctr_quote(char *dst, const ctr_member *m);

/** Checks shared by every format, run by open after the format's own:
 *  no two members' [header_offset, data_end) ranges overlap; when
 *  c->tiled, the ranges cover [0, c->members_end) with no gap; no name
 *  is a path that escapes (absolute, a drive letter, a ".." segment);
 *  no two names are the same path (separators '/' and backslash, empty
 *  and "." segments dropped, ASCII case folded), also counting a
 *  member's alt_name. */
asmgate_status ctr_check_members(const asmgate_container *c,
    asmgate_error *err);

/* cp437.c */

/** Bytes needed for n CP437 bytes as UTF-8 (without a NUL). */
size_t ctr_cp437_utf8_len(const uint8_t *s, size_t n);

/** Convert n CP437 bytes to UTF-8 at dst (ctr_cp437_utf8_len(s, n)
 *  bytes); returns the count written. No NUL is appended. */
size_t ctr_cp437_to_utf8(char *dst, const uint8_t *s, size_t n);

/* zipdata.c */

/** Read (part of) a ZIP member's data: stored or deflate, CRC-32 when
 *  whole (the ctr_ops extract of ZIP). */
asmgate_status ctr_zip_extract(const asmgate_container *c,
    const ctr_member *m, uint8_t *dst, size_t n, int whole, size_t *got,
    asmgate_error *err);

#endif /* CTR_CTR_H */
