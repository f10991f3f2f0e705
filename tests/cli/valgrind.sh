#!/bin/sh
# make valgrind: the command's black-box tests (tests/cli/t_*.sh) with
# every asmgate run under Valgrind memcheck. A memory error or a
# definite/indirect leak makes that run exit 99, which fails its check.
# usage: valgrind.sh PATH/TO/asmgate (the plain build, not the ASan one)
command -v valgrind >/dev/null 2>&1 || {
	echo "valgrind: SKIP: valgrind not installed"; exit 0; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
w=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-vg.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM
{
	echo '#!/bin/sh'
	echo "exec valgrind -q --error-exitcode=99 --leak-check=full \\"
	echo "    --errors-for-leak-kinds=definite,indirect \\"
	echo "    --show-leak-kinds=definite,indirect \"$bin\" \"\$@\""
} >"$w/asmgate"
chmod +x "$w/asmgate"
sh "$here/run.sh" "$w/asmgate"
