/*
 * pe.c - PE/COFF headers, data directories and the section table.
 *
 * Implements the parts of the Microsoft PE/COFF specification a .NET
 * assembly needs: the MS-DOS header's e_lfanew (PE/COFF 2), the "PE\0\0"
 * signature and COFF file header (3.3), the optional header for PE32 and
 * PE32+ (3.4) with its data directories (3.4.3), and the section table
 * (4). Every field is read through the bounded reader.
 */
#include <string.h>

#include "pe.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/safeint.h"

/* Minimum bytes of the optional header before the data directories. */
#define OPT_FIXED_PE32 96u
#define OPT_FIXED_PE32PLUS 112u

static asmgate_status
parse_dos(asmgate_image *img, rd *file, uint32_t *lfanew, asmgate_error *err)
{
	uint16_t mz;
	uint32_t sig;

	if (file->len == 0)
		return rd_fail(err, ASMGATE_E_EMPTY, 0, "file is empty");
	if (!rd_u16(file, &mz))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 0,
		    "file too short for an MS-DOS header");
	if (mz != 0x5A4D)
		return rd_fail(err, ASMGATE_E_NOT_PE, 0,
		    "not a PE file: no MZ signature");
	/* PE/COFF 2: the file offset of the PE signature is at 0x3C. */
	if (!rd_seek(file, 0x3C) || !rd_u32(file, lfanew))
		return rd_fail(err, ASMGATE_E_TRUNCATED, file->len,
		    "truncated MS-DOS header (e_lfanew at 0x3c)");
	if (*lfanew > RD_MAX_LFANEW || *lfanew > file->len)
		return rd_fail(err, ASMGATE_E_NOT_PE, 0x3C,
		    "e_lfanew 0x%x points outside the file", *lfanew);
	if (*lfanew < 0x40)
		return rd_fail(err, ASMGATE_E_MALFORMED, 0x3C,
		    "e_lfanew 0x%x overlaps the MS-DOS header", *lfanew);
	if (!rd_seek(file, *lfanew) || !rd_u32(file, &sig))
		return rd_fail(err, ASMGATE_E_TRUNCATED, *lfanew,
		    "file ends before the PE signature");
	if (sig != 0x00004550)
		return rd_fail(err, ASMGATE_E_NOT_PE, *lfanew,
		    "not a PE file: no PE signature at e_lfanew");
	img->info.pe.lfanew = *lfanew;
	return ASMGATE_OK;
}

static asmgate_status
parse_optional(asmgate_image *img, rd *file, asmgate_error *err)
{
	asmgate_pe_info *pe = &img->info.pe;
	uint64_t opt_off = rd_offset(file);
	uint16_t magic;
	uint32_t u32, nd, i, fixed;
	uint64_t u64;
	rd opt;

	/* The optional header is exactly SizeOfOptionalHeader bytes. */
	if (!rd_take(file, pe->size_of_optional_header, &opt))
		return rd_fail(err, ASMGATE_E_TRUNCATED, opt_off,
		    "optional header (%u bytes) runs past the end of the file",
		    pe->size_of_optional_header);
	if (!rd_u16(&opt, &magic))
		return rd_fail(err, ASMGATE_E_MALFORMED, opt_off,
		    "SizeOfOptionalHeader %u too small for an optional header",
		    pe->size_of_optional_header);
	if (magic == PE_MAGIC_PE32)
		pe->pe32plus = 0;
	else if (magic == PE_MAGIC_PE32PLUS)
		pe->pe32plus = 1;
	else
		return rd_fail(err, ASMGATE_E_MALFORMED, opt_off,
		    "unknown optional header magic 0x%x", magic);
	fixed = pe->pe32plus ? OPT_FIXED_PE32PLUS : OPT_FIXED_PE32;
	if (opt.len < fixed)
		return rd_fail(err, ASMGATE_E_MALFORMED, opt_off,
		    "SizeOfOptionalHeader %zu smaller than the %u-byte %s header",
		    opt.len, fixed, pe->pe32plus ? "PE32+" : "PE32");
	/* PE/COFF 3.4.1-3.4.2: the fields asmgate reports. The reads
	 * cannot fail after the length check above; each is still checked. */
	if (!rd_seek(&opt, pe->pe32plus ? 24 : 28))
		goto short_opt;
	if (pe->pe32plus) {
		if (!rd_u64(&opt, &u64))
			goto short_opt;
		pe->image_base = u64;
	} else {
		if (!rd_u32(&opt, &u32))
			goto short_opt;
		pe->image_base = u32;
	}
	if (!rd_u32(&opt, &pe->section_alignment) ||
	    !rd_u32(&opt, &pe->file_alignment) ||
	    !rd_seek(&opt, 56) || !rd_u32(&opt, &pe->size_of_image) ||
	    !rd_u32(&opt, &pe->size_of_headers) ||
	    !rd_u32(&opt, &pe->checksum) || !rd_u16(&opt, &pe->subsystem) ||
	    !rd_u16(&opt, &pe->dll_characteristics) ||
	    !rd_seek(&opt, fixed - 4) || !rd_u32(&opt, &nd))
		goto short_opt;
	pe->number_of_rva_and_sizes = nd;
	/* PE/COFF 3.4.3: the directories follow; only 16 are defined. */
	if (nd > RD_MAX_DATA_DIRS)
		nd = RD_MAX_DATA_DIRS;
	if ((opt.len - fixed) / 8 < nd)
		return rd_fail(err, ASMGATE_E_MALFORMED, opt_off + fixed - 4,
		    "NumberOfRvaAndSizes %u does not fit in the optional header",
		    pe->number_of_rva_and_sizes);
	for (i = 0; i < nd; i++) {
		if (!rd_u32(&opt, &pe->dirs[i].rva) ||
		    !rd_u32(&opt, &pe->dirs[i].size))
			goto short_opt;
	}
	return ASMGATE_OK;
short_opt:
	return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&opt),
	    "optional header truncated");
}

static asmgate_status
parse_sections(asmgate_image *img, rd *file, asmgate_error *err)
{
	asmgate_pe_info *pe = &img->info.pe;
	uint32_t i;
	uint64_t end_max = 0;

	pe->section_table_offset = rd_offset(file);
	if (pe->nsections > RD_MAX_SECTIONS)
		return rd_fail(err, ASMGATE_E_LIMIT, pe->lfanew + 6,
		    "%u sections (at most %u are allowed)", pe->nsections,
		    RD_MAX_SECTIONS);
	if (pe->nsections == 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, pe->lfanew + 6,
		    "no sections");
	for (i = 0; i < pe->nsections; i++) {
		asmgate_section *s = &img->sections[i];
		uint64_t hdr = rd_offset(file);
		uint64_t end;
		rd sh;

		if (!rd_take(file, PE_SECTION_HEADER_SIZE, &sh))
			return rd_fail(err, ASMGATE_E_TRUNCATED, hdr,
			    "section table runs past the end of the file "
			    "(section %u of %u)", i + 1, pe->nsections);
		if (!rd_copy(&sh, s->name, 8) ||
		    !rd_u32(&sh, &s->virtual_size) ||
		    !rd_u32(&sh, &s->virtual_address) ||
		    !rd_u32(&sh, &s->raw_size) ||
		    !rd_u32(&sh, &s->raw_offset) || !rd_skip(&sh, 12) ||
		    !rd_u32(&sh, &s->characteristics))
			return rd_fail(err, ASMGATE_E_TRUNCATED, hdr,
			    "section header %u truncated", i + 1);
		s->name[8] = '\0';
		if (s->raw_size == 0)
			continue;
		/* The raw data must lie inside the file (PE/COFF 4). */
		if (!rd_range_ok(s->raw_offset, s->raw_size, img->size)) {
			char nb[sizeof(s->name)];
			return rd_fail(err, ASMGATE_E_TRUNCATED, hdr + 16,
			    "section %u (%s) raw data [0x%x, +0x%x) runs past the "
			    "end of the file (size 0x%zx)", i + 1,
			    rd_printable(nb, sizeof(nb), s->name,
			    sizeof(s->name)), s->raw_offset,
			    s->raw_size, img->size);
		}
		end = (uint64_t)s->raw_offset + s->raw_size;
		if (end > end_max)
			end_max = end;
	}
	pe->sections = img->sections;
	if (end_max < rd_offset(file))
		end_max = rd_offset(file);
	pe->overlay_offset = end_max;
	pe->overlay_size = img->size - end_max;
	return ASMGATE_OK;
}

asmgate_status
pe_parse_headers(asmgate_image *img, asmgate_error *err)
{
	asmgate_pe_info *pe = &img->info.pe;
	asmgate_status rc;
	uint32_t lfanew = 0;
	uint16_t nsec;
	rd file;

	rd_init(&file, img->data, img->size, 0);
	pe->file_size = img->size;
	if ((rc = parse_dos(img, &file, &lfanew, err)) != ASMGATE_OK)
		return rc;
	/* PE/COFF 3.3: the COFF file header follows the signature. */
	if (!rd_u16(&file, &pe->machine) || !rd_u16(&file, &nsec) ||
	    !rd_u32(&file, &pe->timestamp) || !rd_skip(&file, 8) ||
	    !rd_u16(&file, &pe->size_of_optional_header) ||
	    !rd_u16(&file, &pe->characteristics))
		return rd_fail(err, ASMGATE_E_TRUNCATED, lfanew + 4,
		    "file ends inside the COFF header");
	pe->nsections = nsec;
	pe_decode_machine(pe);
	if ((rc = parse_optional(img, &file, err)) != ASMGATE_OK)
		return rc;
	return parse_sections(img, &file, err);
}

int
pe_rva_to_offset(const asmgate_image *img, uint32_t rva, uint32_t size,
    uint64_t *off, uint32_t *section)
{
	const asmgate_pe_info *pe = &img->info.pe;
	uint32_t i;

	for (i = 0; i < pe->nsections; i++) {
		const asmgate_section *s = &pe->sections[i];
		/* A section without raw data holds no file bytes (and its
		 * PointerToRawData was never checked against the file): not
		 * even an empty range maps into it. */
		if (s->raw_size == 0 || rva < s->virtual_address)
			continue;
		/* The whole range must lie inside this section's raw data. */
		if (!rd_range_ok(rva - s->virtual_address, size, s->raw_size))
			continue;
		*off = (uint64_t)s->raw_offset + (rva - s->virtual_address);
		if (section)
			*section = i;
		return 1;
	}
	return 0;
}
