#!/bin/sh
# One-way module dependencies (docs/ARCHITECTURE.md), checked by grep:
#   rd -> ctr -> pe -> keys -> verify -> policy -> bind -> scan -> cmd
# A module may include headers of modules to its left only; rd/, ctr/
# and pe/ never include OpenSSL or libxml2 (ctr/ uses zlib, libmspack); only
# policy/ includes libxml2 (bind/ walks the trees its loader builds); only
# cmd/ prints or exits.
cd "$(dirname "$0")/.." || exit 2
bad=0
check() { # MODULE FORBIDDEN-REGEX WHY
	hits=$(grep -nE "$2" "$1"/*.c "$1"/*.h 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "lint: $1/ $3:"; echo "$hits" | sed 's/^/  /'; bad=1
	fi
}
check rd '#include "(ctr|pe|keys|verify|policy|scan|cmd)/|<openssl/|<libxml/' \
	"must depend on nothing"
check ctr '#include "(pe|keys|verify|policy|scan|cmd)/|<openssl/|<libxml/' \
	"may include rd/ only (and zlib, libmspack; no OpenSSL, no libxml2)"
check pe '#include "(ctr|keys|verify|policy|scan|cmd)/|<openssl/|<libxml/' \
	"may include rd/ only (no OpenSSL, no libxml2)"
check keys '#include "(ctr|verify|policy|scan|cmd)/|<libxml/' \
	"may include rd/ and pe/ only"
check verify '#include "(ctr|policy|scan|cmd)/|<libxml/' \
	"may include rd/, pe/ and keys/ only"
check policy '#include "(bind|scan|cmd)/' \
	"must not include bind/, scan/ or cmd/"
check bind '#include "(ctr|scan|cmd)/|<openssl/|<libxml/' \
	"may include rd/, pe/, keys/, verify/ and policy/ only (no libxml2)"
check scan '#include "cmd/|<openssl/|<libxml/' \
	"may include the library modules only (no OpenSSL, no libxml2)"
for m in rd ctr pe keys verify policy bind scan; do
	check $m '\b(printf|fprintf|puts|fputs|perror|exit|abort)\s*\(' \
		"library code must not print or exit"
	check $m '\b(sprintf|vsprintf|strcpy|strcat|strncat|gets)\s*\(' \
		"uses a banned function"
done
check cmd '#include "(ctr|pe|keys|verify|policy|bind|scan)/' \
	"must use include/asmgate.h, not module internals"
[ $bad -eq 0 ] && echo "lint: module dependencies and banned calls: ok"
exit $bad
