# Helpers for black-box tests of the asmgate command.
# Sourced by tests/cli/run.sh; $ASMGATE is the binary under test,
# $S the samples directory, $T a scratch directory.

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err and the
# exit status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# Each check records one pass, failure or skip, with the test's name.
ok() { PASS=$((PASS + 1)); }
# skip [N [WHY]]: N (default 1) checks that could not run here; counted,
# never passes; WHY is printed. skip_json [N]: checks that need python3
# (JSON, JUnit, SARIF structure), counted for the closing "python3 not
# installed" line.
skip() {
	SKIP=$((SKIP + ${1:-1}))
	if [ -n "$2" ]; then echo "SKIP [$CASE]: $2"; fi
}
skip_json() { skip "${1:-1}"; JSON_SKIP=$((JSON_SKIP + ${1:-1})); }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL [$CASE]: $*" >&2
	sed 's/^/  stderr: /' "$T/err" | head -5 >&2
}

# expect_rc N: the last run exited with N.
expect_rc() {
	if [ "$rc" = "$1" ]; then ok; else bad "exit $rc, expected $1"; fi
}
# expect_out PATTERN / expect_err PATTERN: grep -E on stdout / stderr.
expect_out() {
	if grep -Eq -- "$1" "$T/out"; then ok; else bad "stdout lacks /$1/"; fi
}
expect_err() {
	if grep -Eq -- "$1" "$T/err"; then ok; else bad "stderr lacks /$1/"; fi
}
expect_no_out() {
	if grep -Eq -- "$1" "$T/out"; then bad "stdout has /$1/"; else ok; fi
}
# expect_err_lines N: stderr has exactly N lines.
expect_err_lines() {
	n=$(wc -l <"$T/err")
	if [ "$n" -eq "$1" ]; then ok; else bad "stderr has $n lines, expected $1"; fi
}
# expect_json: stdout parses as JSON (python3 when present, else skipped
# and counted in JSON_SKIP).
expect_json() {
	if [ -z "$PYTHON" ]; then skip_json; return; fi
	if "$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" \
	    2>/dev/null; then ok; else bad "stdout is not valid JSON"; fi
}
# jq_eq EXPR VALUE: a python expression over the JSON document d equals
# VALUE (string compare); skipped without python3.
jq_eq() {
	if [ -z "$PYTHON" ]; then skip_json; return; fi
	got=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("null" if v is None else (str(v).lower() if isinstance(v,bool) else v))' "$T/out" "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok; else bad "$1 = '$got', expected '$2'"; fi
}
