/*
 * r2r.c - ReadyToRun images and OS-specific machine values.
 *
 * ECMA-335 has no word for ReadyToRun: the layout is the runtime's
 * (dotnet/runtime docs/design/coreclr/botr/readytorun-format.md,
 * "PE Headers and CLI Headers" and "READYTORUN_HEADER";
 * src/coreclr/inc/readytorun.h). A single-file ReadyToRun image is a CLI
 * image whose COR20 flags have COMIMAGE_FLAGS_IL_LIBRARY and whose
 * ManagedNativeHeader directory (ECMA-335 II.25.3.3, "reserved")
 * points to
 *   READYTORUN_HEADER { DWORD Signature = 0x00525452 ("RTR");
 *                       USHORT MajorVersion, MinorVersion;
 *                       READYTORUN_CORE_HEADER { DWORD Flags;
 *                           DWORD NumberOfSections; } }
 * followed by NumberOfSections 12-byte READYTORUN_SECTION entries.
 * The image's Machine is the target architecture XOR a per-OS constant
 * (pedecoder.h IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE, and crossgen2's
 * MachineOSOverride). Only facts are read here; verify/ decides.
 */
#include <string.h>

#include "pe.h"
#include "rd/safeint.h"

#define R2R_SIGNATURE 0x00525452u  /* "RTR\0", readytorun.h */
#define R2R_HEADER_SIZE 16u        /* READYTORUN_HEADER without sections */
#define R2R_SECTION_SIZE 12u       /* READYTORUN_SECTION */

/* IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE values (pedecoder.h). */
static const struct {
	uint16_t xor;
	const char *os;
} os_override[] = {
	{ 0x4644, "apple" },
	{ 0xADC4, "freebsd" },
	{ 0x7B79, "linux" },
	{ 0x1993, "netbsd" },
	{ 0x1992, "sunos" },
};

/* Architectures a ReadyToRun image targets (PE/COFF 3.3.1 machine
 * types; crossgen2's TargetArchitecture). */
static int
known_arch(uint16_t m)
{
	switch (m) {
	case 0x014C: /* i386 */
	case 0x8664: /* amd64 */
	case 0x01C4: /* armnt */
	case 0xAA64: /* arm64 */
	case 0x5064: /* riscv64 */
	case 0x6264: /* loongarch64 */
	case 0x0200: /* ia64 */
		return 1;
	default:
		return 0;
	}
}

void
pe_decode_machine(asmgate_pe_info *pe)
{
	size_t i;

	pe->machine_arch = pe->machine;
	pe->machine_os = NULL;
	if (known_arch(pe->machine) || pe->machine == 0)
		return;
	for (i = 0; i < sizeof(os_override) / sizeof(os_override[0]); i++) {
		uint16_t a = (uint16_t)(pe->machine ^ os_override[i].xor);
		if (known_arch(a)) {
			pe->machine_arch = a;
			pe->machine_os = os_override[i].os;
			return;
		}
	}
}

void
pe_parse_r2r(asmgate_image *img)
{
	const asmgate_cli_info *cli = &img->info.cli;
	asmgate_r2r_info *r2r = &img->info.r2r;
	uint32_t sig;
	uint64_t nsec_bytes;
	uint64_t off;
	rd file, h;

	memset(r2r, 0, sizeof(*r2r));
	/* Facts only: a directory that is empty, outside the file or too
	 * short for the header, or another signature (NGen's
	 * CORCOMPILE_HEADER), is "not ReadyToRun"; verify/ checks the
	 * directory's place like any other (CheckCorHeader). */
	if (cli->managed_native_header.rva == 0 ||
	    cli->managed_native_header.size < R2R_HEADER_SIZE ||
	    !pe_rva_to_offset(img, cli->managed_native_header.rva,
		R2R_HEADER_SIZE, &off, NULL))
		return;
	rd_init(&file, img->data, img->size, 0);
	if (!rd_sub(&file, (size_t)off, R2R_HEADER_SIZE, &h) ||
	    !rd_u32(&h, &sig) || sig != R2R_SIGNATURE ||
	    !rd_u16(&h, &r2r->major_version) ||
	    !rd_u16(&h, &r2r->minor_version) || !rd_u32(&h, &r2r->flags) ||
	    !rd_u32(&h, &r2r->nsections))
		return;
	/* The section array must fit the directory (readytorun-format.md,
	 * READYTORUN_SECTION); a header that claims more is not one. */
	nsec_bytes = (uint64_t)r2r->nsections * R2R_SECTION_SIZE;
	if (!rd_range_ok(R2R_HEADER_SIZE, nsec_bytes,
		cli->managed_native_header.size)) {
		memset(r2r, 0, sizeof(*r2r));
		return;
	}
	r2r->present = 1;
	r2r->header_offset = off;
}
