/*
 * image.c - the public image API: open a file or a memory buffer and run
 * the reader stages over it. A mapped file's metadata block and signature
 * slot are read from private copies (pe.h, struct asmgate_image).
 */
#include <stdlib.h>
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"
#include "rd/safeint.h"

/* The signature slot of a mapped file, copied with the metadata (pe.h,
 * struct asmgate_image). A slot larger than any key's signature is not
 * copied: verify refuses it before reading it. */
static asmgate_status
copy_slot(asmgate_image *img, asmgate_error *err)
{
	const asmgate_cli_info *cli = &img->info.cli;

	if (!img->snapshot || !cli->strong_name_mapped ||
	    cli->strong_name.size == 0 ||
	    cli->strong_name.size > RD_MAX_SIGNATURE_BYTES ||
	    !rd_range_ok(cli->strong_name_offset, cli->strong_name.size,
		img->size))
		return ASMGATE_OK;
	img->slot_copy = malloc(cli->strong_name.size);
	if (!img->slot_copy)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	memcpy(img->slot_copy, img->data + cli->strong_name_offset,
	    cli->strong_name.size);
	return ASMGATE_OK;
}

/* The certificate table of a mapped file, copied with the headers'
 * facts (pe.h, struct asmgate_image) so that the signatures checked are
 * the ones read once. A table the reader will refuse is not copied. */
static asmgate_status
copy_certs(asmgate_image *img, asmgate_error *err)
{
	uint32_t off, size;

	if (!img->snapshot || !pe_cert_dir(img, &off, &size) || size == 0 ||
	    size > RD_MAX_CERT_TABLE_BYTES ||
	    !rd_range_ok(off, size, img->size))
		return ASMGATE_OK;
	img->cert_copy = malloc(size);
	if (!img->cert_copy)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	memcpy(img->cert_copy, img->data + off, size);
	return ASMGATE_OK;
}

static asmgate_status
parse_all(asmgate_image *img, asmgate_error *err)
{
	asmgate_status rc;

	if ((rc = pe_parse_headers(img, err)) != ASMGATE_OK ||
	    (rc = copy_certs(img, err)) != ASMGATE_OK ||
	    (rc = pe_parse_cor(img, err)) != ASMGATE_OK ||
	    (rc = copy_slot(img, err)) != ASMGATE_OK ||
	    (rc = pe_md_open(img, err)) != ASMGATE_OK)
		return rc;
	pe_parse_r2r(img);
	return pe_rows_decode(img, err);
}

static asmgate_status
image_new(asmgate_image **out, asmgate_error *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	return ASMGATE_OK;
}

/* Parse img->data; on failure the image (and what it owns) is freed. */
static asmgate_status
finish(asmgate_image **out, asmgate_image *img, asmgate_error *err)
{
	asmgate_status rc;

	if ((rc = parse_all(img, err)) != ASMGATE_OK) {
		if (img->keep_native && img->info.pe.sections &&
		    (rc == ASMGATE_E_NOT_DOTNET ||
		    rc == ASMGATE_E_NO_ASSEMBLY)) {
			*out = img;
			return rc;
		}
		asmgate_image_free(img);
		return rc;
	}
	*out = img;
	return ASMGATE_OK;
}

static asmgate_status
size_ok(size_t len, asmgate_error *err)
{
	if (len > RD_MAX_FILE_BYTES)
		return rd_fail_nooff(err, ASMGATE_E_LIMIT,
		    "file is larger than the %zu-byte limit",
		    RD_MAX_FILE_BYTES);
	return ASMGATE_OK;
}

/* Borrowed bytes can change while they are checked (the caller may map
 * a file others write): they get the snapshot copies of a mapped file. */
asmgate_status
asmgate_image_from_memory(asmgate_image **out, const void *data, size_t len,
    asmgate_error *err)
{
	asmgate_image *img;
	asmgate_status rc;

	*out = NULL;
	if ((rc = size_ok(len, err)) != ASMGATE_OK ||
	    (rc = image_new(&img, err)) != ASMGATE_OK)
		return rc;
	img->data = len ? data : NULL;
	img->size = img->data ? len : 0;
	img->snapshot = img->data != NULL;
	return finish(out, img, err);
}

static asmgate_status take(asmgate_image **out, void *data, size_t len,
    int native, asmgate_error *err);

/* Owned bytes: nobody else holds them, so no snapshot is needed. */
asmgate_status
asmgate_image_take(asmgate_image **out, void *data, size_t len,
    asmgate_error *err)
{
	return take(out, data, len, 0, err);
}

asmgate_status
pe_image_take_native(asmgate_image **out, void *data, size_t len,
    asmgate_error *err)
{
	return take(out, data, len, 1, err);
}

static asmgate_status
take(asmgate_image **out, void *data, size_t len, int native,
    asmgate_error *err)
{
	asmgate_image *img;
	asmgate_status rc;

	*out = NULL;
	if ((rc = size_ok(len, err)) != ASMGATE_OK ||
	    (rc = image_new(&img, err)) != ASMGATE_OK) {
		free(data);
		return rc;
	}
	img->owned_data = data;
	img->keep_native = native;
	img->data = len ? data : NULL;
	img->size = img->data ? len : 0;
	return finish(out, img, err);
}

static asmgate_status from_file(asmgate_image **out, void *file, int native,
    asmgate_error *err);

asmgate_status
pe_image_from_file(asmgate_image **out, void *file, asmgate_error *err)
{
	return from_file(out, file, 0, err);
}

asmgate_status
pe_image_from_file_native(asmgate_image **out, void *file,
    asmgate_error *err)
{
	return from_file(out, file, 1, err);
}

static asmgate_status
from_file(asmgate_image **out, void *file, int native, asmgate_error *err)
{
	rd_file *f = file;
	asmgate_image *img;
	asmgate_status rc;

	*out = NULL;
	if ((rc = image_new(&img, err)) != ASMGATE_OK) {
		rd_file_close(f);
		free(f);
		return rc;
	}
	img->mapping = f;
	img->keep_native = native;
	img->owns_mapping = 1;
	img->data = f->data;
	img->size = f->size;
	img->snapshot = f->mapped;
	return finish(out, img, err);
}

asmgate_status
asmgate_image_open(asmgate_image **out, const char *path, asmgate_error *err)
{
	asmgate_status rc;
	rd_file *f;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if ((rc = rd_file_open(f, path, RD_MAX_FILE_BYTES, err)) !=
	    ASMGATE_OK) {
		free(f);
		return rc;
	}
	return pe_image_from_file(out, f, err);
}

void
asmgate_image_free(asmgate_image *img)
{
	if (!img)
		return;
	if (img->owns_mapping && img->mapping) {
		rd_file_close(img->mapping);
		free(img->mapping);
	}
	free(img->owned_data);
	free(img->md_copy);
	free(img->slot_copy);
	free(img->cert_copy);
	free(img->refs);
	free(img->attrs);
	free(img);
}

const uint8_t *
pe_image_slot(const asmgate_image *img)
{
	if (img->slot_copy)
		return img->slot_copy;
	return img->data + img->info.cli.strong_name_offset;
}

const asmgate_image_info *
asmgate_image_get_info(const asmgate_image *img)
{
	return &img->info;
}

const uint8_t *
asmgate_image_data(const asmgate_image *img, size_t *len)
{
	*len = img->size;
	return img->data;
}

const asmgate_attribute *
asmgate_image_find_attribute(const asmgate_image *img, const char *ns,
    const char *name)
{
	uint32_t i;

	for (i = 0; i < img->info.nattributes; i++) {
		const asmgate_attribute *a = &img->info.attributes[i];
		if (strcmp(a->type_namespace, ns) == 0 &&
		    strcmp(a->type_name, name) == 0)
			return a;
	}
	return NULL;
}

int
asmgate_image_rva_to_offset(const asmgate_image *img, uint32_t rva,
    uint32_t size, uint64_t *off)
{
	return pe_rva_to_offset(img, rva, size, off, NULL);
}
