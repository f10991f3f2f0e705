/*
 * cor.c - the CLI header (IMAGE_COR20_HEADER, ECMA-335 II.25.3.3).
 *
 * Found through data directory 14 (PE/COFF 3.4.3, "CLR Runtime Header").
 * Its 72 bytes give the metadata directory, the flags and the
 * StrongNameSignature directory.
 */
#include "pe.h"
#include "rd/err.h"
#include "rd/safeint.h"

static int
read_dir(rd *r, asmgate_dir *d)
{
	return rd_u32(r, &d->rva) && rd_u32(r, &d->size);
}

asmgate_status
pe_parse_cor(asmgate_image *img, asmgate_error *err)
{
	asmgate_pe_info *pe = &img->info.pe;
	asmgate_cli_info *cli = &img->info.cli;
	const asmgate_dir *d;
	uint64_t off, dir_field;
	asmgate_dir code_manager;
	rd file, cor;

	dir_field = pe->lfanew + 24 + (pe->pe32plus ? 112 : 96) +
	    8 * PE_DIR_CLI;
	d = &pe->dirs[PE_DIR_CLI];
	if (pe->number_of_rva_and_sizes <= PE_DIR_CLI ||
	    (d->rva == 0 && d->size == 0))
		return rd_fail(err, ASMGATE_E_NOT_DOTNET, dir_field,
		    "PE file is not a .NET assembly: no CLI header directory");
	if (d->size < PE_COR20_SIZE)
		return rd_fail(err, ASMGATE_E_MALFORMED, dir_field,
		    "CLI header directory size %u is below %u", d->size,
		    PE_COR20_SIZE);
	if (!pe_rva_to_offset(img, d->rva, PE_COR20_SIZE, &off, NULL))
		return rd_fail(err, ASMGATE_E_MALFORMED, dir_field,
		    "CLI header RVA 0x%x does not lie inside a section's raw data",
		    d->rva);
	rd_init(&file, img->data, img->size, 0);
	if (!rd_sub(&file, (size_t)off, PE_COR20_SIZE, &cor))
		return rd_fail(err, ASMGATE_E_TRUNCATED, off,
		    "CLI header runs past the end of the file");
	cli->header_offset = off;
	if (!rd_u32(&cor, &cli->cb) ||
	    !rd_u16(&cor, &cli->major_runtime_version) ||
	    !rd_u16(&cor, &cli->minor_runtime_version) ||
	    !read_dir(&cor, &cli->metadata) || !rd_u32(&cor, &cli->flags) ||
	    !rd_u32(&cor, &cli->entry_point) ||
	    !read_dir(&cor, &cli->resources) ||
	    !read_dir(&cor, &cli->strong_name) ||
	    !read_dir(&cor, &code_manager) ||
	    !read_dir(&cor, &cli->vtable_fixups) ||
	    !read_dir(&cor, &cli->export_address_table_jumps) ||
	    !read_dir(&cor, &cli->managed_native_header))
		return rd_fail(err, ASMGATE_E_TRUNCATED, off,
		    "CLI header truncated");
	if (cli->cb < PE_COR20_SIZE)
		return rd_fail(err, ASMGATE_E_MALFORMED, off,
		    "CLI header cb %u is below %u", cli->cb, PE_COR20_SIZE);
	/* The signature directory's place in the file, when it has one;
	 * verify/ applies the stricter structural checks. */
	if (cli->strong_name.rva != 0 && cli->strong_name.size != 0 &&
	    pe_rva_to_offset(img, cli->strong_name.rva, cli->strong_name.size,
		&cli->strong_name_offset, NULL))
		cli->strong_name_mapped = 1;
	return ASMGATE_OK;
}
