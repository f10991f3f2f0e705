/*
 * wellknown.c - the well-known strong-name keys (strongname.md 6.4, 6.5):
 * their tokens, names and, where a public copy was found, the full public
 * key blob. Every blob below was checked to hash to its token, and where
 * noted to be byte-equal to the key the named assemblies carry.
 *
 * Sources:
 *  [A] dotnet/arcade src/Microsoft.DotNet.Arcade.Sdk/tools/StrongName.props
 *      @25dd62383c86c56b35a6ff31988c76167c7fd16f ("Known public keys").
 *  [G] Debian 12's Mono 6.8.0.105 GAC under /usr/lib/mono, read with
 *      `sn -Tp` and asmgate's own reader.
 *  [S] strongname.md 6.4 (the Microsoft key, "TheKey" in CoreCLR's
 *      thekey.h).
 */
#include <string.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/hex.h"
#include "rd/limits.h"

typedef struct well_known {
	uint8_t token[8];       /* display order */
	const char *name;
	const char *blob_hex;   /* NULL: known by token only */
} well_known;

static const well_known table[] = {
	/* ECMA neutral key, 16 bytes [A][S]; mscorlib, System, ... Carried
	 * by 391 assemblies in [G], e.g. 4.5/mscorlib.dll. */
	{ { 0xb7, 0x7a, 0x5c, 0x56, 0x19, 0x34, 0xe0, 0x89 }, "ECMA",
	  "00000000000000000400000000000000" },
	/* "Microsoft" (MSFT.snk; CLR "TheKey") [A][S]; byte-equal in [G]
	 * 2.0-api/Accessibility.dll and 1316 others. */
	{ { 0xb0, 0x3f, 0x5f, 0x7f, 0x11, 0xd5, 0x0a, 0x3a }, "Microsoft",
	  "002400000480000094000000060200000024000052534131000400000100010007"
	  "d1fa57c4aed9f0a32e84aa0faefd0de9e8fd6aec8f87fb03766c834c99921eb23b"
	  "e79ad9d5dcc1dd9ad236132102900b723cf980957fc4e177108fc607774f29e832"
	  "0e92ea05ece4e821c0a5efe8f1645c4c0c93c1ab99285d622caa652c1dfad63d74"
	  "5d6f2de5f17e5eaf0fc4963d261c8a12436518206dc093344d5ad293" },
	/* "MicrosoftShared" (35MSSharedLib1024.snk) [A]; byte-equal in [G]
	 * 2.0-api/System.ComponentModel.DataAnnotations.dll. */
	{ { 0x31, 0xbf, 0x38, 0x56, 0xad, 0x36, 0x4e, 0x35 },
	  "MicrosoftShared",
	  "0024000004800000940000000602000000240000525341310004000001000100b5"
	  "fc90e7027f67871e773a8fde8938c81dd402ba65b9201d60593e96c492651e889c"
	  "c13f1415ebb53fac1131ae0bd333c5ee6021672d9718ea31a8aebd0da0072f25d8"
	  "7dba6fc90ffd598ed4da35e44c398c454307e8e33b8426143daec9f596836f97c8"
	  "f74750e5975c64e2189f45def46b2a2b1247adc3652bf5c308055da9" },
	/* "SilverlightPlatform" [A]; System.Private.CoreLib. Not in [G]. */
	{ { 0x7c, 0xec, 0x85, 0xd7, 0xbe, 0xa7, 0x79, 0x8e },
	  "SilverlightPlatform",
	  "00240000048000009400000006020000002400005253413100040000010001008d"
	  "56c76f9e8649383049f383c44be0ec204181822a6c31cf5eb7ef486944d032188e"
	  "a1d3920763712ccb12d75fb77e9811149e6148e5d32fbaab37611c1878ddc19e20"
	  "ef135d0cb2cff2bfec3d115810c3d9069638fe4be215dbf795861920e5ab6f7db2"
	  "e2ceef136ac23d5dd2bf031700aec232f6c6b1c785b4305c123b37ab" },
	/* "Open" (a published key pair) [A]; byte-equal in [G]
	 * 4.5/Facades/netstandard.dll and System.ValueTuple.dll. */
	{ { 0xcc, 0x7b, 0x13, 0xff, 0xcd, 0x2d, 0xdd, 0x51 }, "Open",
	  "00240000048000009400000006020000002400005253413100040000010001004b"
	  "86c4cb78549b34bab61a3b1800e23bfeb5b3ec390074041536a7e3cbd97f5f04cf"
	  "0f857155a8928eaa29ebfd11cfbbad3ba70efea7bda3226c6a8d370a4cd303f714"
	  "486b6ebc225985a638471e6ef571cc92a4613c00b8fa65d61ccee0cbe5f36330c9"
	  "a01f4183559f1bef24cc2917c6d913e3a541333a1d05d9bed22b38cb" },
	/* "MicrosoftAspNetCore" [A]; Microsoft.AspNetCore.*,
	 * Microsoft.Extensions.*. Not in [G]. */
	{ { 0xad, 0xb9, 0x79, 0x38, 0x29, 0xdd, 0xae, 0x60 },
	  "MicrosoftAspNetCore",
	  "0024000004800000940000000602000000240000525341310004000001000100f3"
	  "3a29044fa9d740c9b3213a93e57c84b472c84e0b8a0e1ae48e67a9f8f6de9d5f7f"
	  "3d52ac23e48ac51801f1dc950abe901da34d2a9e3baadb141a17c77ef3c565dd5e"
	  "e5054b91cf63bb3c6ab83f72ab3aafe93d0fc3c2348b764fafb0b1c0733de51459"
	  "aeab46580384bf9d74c4e28164b7cde247f891ba07891c9d872ad2bb" },
	/* "Mono" (mono.snk) [G]: 4.5/Mono.Security.dll and 412 others. */
	{ { 0x07, 0x38, 0xeb, 0x9f, 0x13, 0x2e, 0xd7, 0x56 }, "Mono",
	  "002400000480000094000000060200000024000052534131000400000100010079"
	  "159977d2d03a8e6bea7a2e74e8d1afcc93e8851974952bb480a12c9134474d0406"
	  "2447c37e0e68c080536fcf3c3fbe2ff9c979ce998475e506e8ce82dd5b0f350dc1"
	  "0e93bf2eeecf874b24770c5081dbea7447fddafa277b22de47d6ffea449674a4f9"
	  "fccf84d15069089380284dbdd35f46cdff12a1bd78e4ef0065d016df" },
	/* Windows Phone and XNA keys named in CoreCLR thekey.h
	 * (strongname.md 6.5); no public copy of the blobs found. */
	{ { 0x24, 0xee, 0xc0, 0xd8, 0xc8, 0x6c, 0xda, 0x1e },
	  "Microsoft.Phone", NULL },
	{ { 0xcc, 0xac, 0x92, 0xed, 0x87, 0x3b, 0x18, 0x5c }, "XNA", NULL },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const well_known *
find(const uint8_t token[8])
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		if (memcmp(table[i].token, token, 8) == 0)
			return &table[i];
	return NULL;
}

/* Decode an entry's blob into buf; returns its length, 0 on failure. */
static size_t
decode(const well_known *w, uint8_t *buf, size_t max)
{
	size_t n = 0;

	if (!w->blob_hex ||
	    !rd_hex_decode(buf, max, &n, w->blob_hex, strlen(w->blob_hex),
		NULL))
		return 0;
	return n;
}

const char *
asmgate_key_well_known_name(const uint8_t token[8])
{
	const well_known *w = token ? find(token) : NULL;

	return w ? w->name : NULL;
}

const char *
keys_well_known_for(const uint8_t token[8], const uint8_t *blob, size_t len)
{
	const well_known *w = find(token);
	uint8_t buf[RD_MAX_PUBLIC_KEY_BLOB];
	size_t n;

	if (!w)
		return NULL;
	if (!w->blob_hex)
		return w->name;
	/* A 64-bit token alone does not name a key: the blob must match. */
	n = decode(w, buf, sizeof(buf));
	return n == len && memcmp(buf, blob, n) == 0 ? w->name : NULL;
}

asmgate_status
keys_well_known(asmgate_key **out, const uint8_t token[8],
    asmgate_error *err)
{
	const well_known *w = find(token);
	uint8_t buf[RD_MAX_PUBLIC_KEY_BLOB];
	size_t n;

	*out = NULL;
	if (!w)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "no well-known key has token "
		    "%02x%02x%02x%02x%02x%02x%02x%02x", token[0], token[1],
		    token[2], token[3], token[4], token[5], token[6], token[7]);
	if (!w->blob_hex)
		return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
		    "the %s key is known by token only", w->name);
	if ((n = decode(w, buf, sizeof(buf))) == 0)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "internal: bad well-known key table entry %s", w->name);
	return keys_key_from_sn_blob(out, buf, n, ASMGATE_KEY_FMT_BLOB, err);
}
