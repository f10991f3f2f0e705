/*
 * zipls.c - list a container through libasmgate, for tests/xcheck-zip.sh.
 *
 * usage: zipls FILE
 * Opens FILE with asmgate_container_open and prints one line per member:
 *     M <name-hex> <size> <sha256-hex>      a file member read whole
 *     D <name-hex>                          a directory entry
 *     U <name-hex> <status> <message>       a member that cannot be read
 * or, when the container does not open, one line
 *     E <status> <message>
 * Names are printed as hex so any byte survives the comparison. Exit
 * status 0 when the container opened, 1 when it did not, 2 on usage.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "asmgate.h"

static void
hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

int
main(int argc, char **argv)
{
	asmgate_container *c = NULL;
	asmgate_error err;
	size_t i, n;

	if (argc != 2) {
		fprintf(stderr, "usage: zipls FILE\n");
		return 2;
	}
	asmgate_error_clear(&err);
	if (asmgate_container_open(&c, argv[1], &err) != ASMGATE_OK) {
		printf("E %s %s\n", asmgate_status_name(err.code), err.msg);
		return 1;
	}
	n = asmgate_container_count(c);
	for (i = 0; i < n; i++) {
		const asmgate_member_info *m = asmgate_container_member(c, i);
		uint8_t *data = NULL, md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;
		size_t len = 0;

		if (m->is_directory) {
			printf("D ");
			hex((const uint8_t *)m->name, strlen(m->name));
			printf("\n");
			continue;
		}
		asmgate_error_clear(&err);
		if (asmgate_container_read(c, i, (size_t)1 << 30, &data, &len,
		    &err) != ASMGATE_OK) {
			printf("U ");
			hex((const uint8_t *)m->name, strlen(m->name));
			printf(" %s %s\n", asmgate_status_name(err.code),
			    err.msg);
			continue;
		}
		if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL)) {
			asmgate_free(data);
			asmgate_container_free(c);
			fprintf(stderr, "zipls: sha256 failed\n");
			return 2;
		}
		printf("M ");
		hex((const uint8_t *)m->name, strlen(m->name));
		printf(" %zu ", len);
		hex(md, mdlen);
		printf("\n");
		asmgate_free(data);
	}
	asmgate_container_free(c);
	return 0;
}
