# Black-box tests of `asmgate sign` interrupted by a signal: SIGTERM,
# SIGHUP or SIGINT while the output is being written leaves no
# temporary file beside it, the destination as it was, and the command
# dies of the signal (exit status above 128 in the shell).
#
# The input is the delay-signed sample grown to 256 MiB by a sparse
# tail (data after the last section, which the signer copies), so the
# output takes long enough to write for a signal to land. The signal is
# sent once the command holds a file open in the output's folder (seen
# in /proc/PID/fd), i.e. while it writes; a run that finishes first is
# tried again, up to three times, then counted as skipped.

# sign_killed SIG OUT: start sign of $T/sig/big.dll to OUT, send SIG
# while it writes; sets rc (the exit status) and hit (1 if the signal
# came before the command ended).
sign_killed() {
	hit=0
	# A shell starts background commands with SIGINT ignored, and an
	# ignored signal stays ignored: env restores the default first.
	# $PRE: environment assignments (the no-O_TMPFILE shim). OUT the
	# input itself: signed in place (--force: OUT exists).
	force=
	[ "$2" = "$T/sig/big.dll" ] && force=--force
	if [ "$1" = INT ]; then
		env $PRE --default-signal=INT "$ASMGATE" sign $force \
		    --key "$S/keys/contoso.snk" -o "$2" "$T/sig/big.dll" \
		    >"$T/out" 2>"$T/err" &
	else
		env $PRE "$ASMGATE" sign $force --key "$S/keys/contoso.snk" \
		    -o "$2" "$T/sig/big.dll" >"$T/out" 2>"$T/err" &
	fi
	pid=$!
	i=0
	while [ $i -lt 3000 ] && kill -0 $pid 2>/dev/null; do
		if ls -l /proc/$pid/fd 2>/dev/null | grep -q "$T/sig/"; then
			kill -"$1" $pid && hit=1
			break
		fi
		sleep 0.01
		i=$((i + 1))
	done
	{ wait $pid; } 2>/dev/null
	rc=$?
}

# poll_pid PID TEST ACTION: while background job PID runs (5000 looks
# at most), once the shell command TEST succeeds run ACTION ($1 is PID
# in both) and set caught=1; then wait for it: rc is its exit status.
poll_pid() {
	i=0
	while [ $i -lt 5000 ] && kill -0 "$1" 2>/dev/null; do
		if eval "$2"; then
			eval "$3" && caught=1
			break
		fi
		i=$((i + 1))
	done
	{ wait "$1"; } 2>/dev/null
	rc=$?
}

# sign_signal SIG OUT: sign_killed, retried; then the checks.
sign_signal() {
	tries=0
	while :; do
		sign_killed "$1" "$2"
		tries=$((tries + 1))
		[ "$hit" = 1 ] && [ "$rc" -ne 0 ] && break
		rm -f "$T/sig/out.dll"
		if [ $tries -ge 3 ]; then
			skip 3 "sign ended before SIG$1 could reach it"
			return
		fi
	done
	if [ "$rc" -gt 128 ]; then ok; else
		bad "SIG$1: exit status $rc, expected death by the signal"; fi
	left=$(ls -A "$T/sig" | grep -v -x -e big.dll -e pristine.dll)
	if [ -z "$left" ]; then ok; else
		bad "SIG$1 left files behind: $left"; fi
	if cmp -s "$T/sig/big.dll" "$T/sig/pristine.dll"; then ok; else
		bad "SIG$1: the input changed"; fi
}

PRE=
if [ -d /proc/self/fd ] && command -v truncate >/dev/null 2>&1; then
	mkdir -p "$T/sig"
	cp "$S/states/delay-signed.dll" "$T/sig/big.dll"
	truncate -s 268435456 "$T/sig/big.dll"
	cp --sparse=always "$T/sig/big.dll" "$T/sig/pristine.dll"
	sign_signal TERM "$T/sig/out.dll"
	sign_signal HUP "$T/sig/out.dll"
	if env --default-signal=INT true 2>/dev/null; then
		sign_signal INT "$T/sig/out.dll"
	else
		skip 3 "env --default-signal missing: no SIGINT check"
	fi
	# In place: the input is the destination, and stays as it was.
	sign_signal TERM "$T/sig/big.dll"
	# Where the filesystem has no O_TMPFILE the temporaries are named
	# (.asmgate-HOST-PID-XXXXXX): a signal removes them too. The shim
	# (tests/cli/no_tmpfile.c, built by make) makes open refuse
	# O_TMPFILE; ASan is told the shim may load before it.
	if [ -n "${NO_TMPFILE_SO:-}" ] && [ -f "$NO_TMPFILE_SO" ]; then
		PRE="LD_PRELOAD=$NO_TMPFILE_SO ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
		sign_signal TERM "$T/sig/out.dll"
		sign_signal HUP "$T/sig/big.dll"
		# the named path was taken: a run to the end leaves a signed
		# file and nothing else
		run env $PRE "$ASMGATE" sign --key "$S/keys/contoso.snk" \
		    -o "$T/sig/named.dll" "$S/states/delay-signed.dll"
		expect_rc 0
		left=$(ls -A "$T/sig" | grep -v -x -e big.dll -e pristine.dll \
		    -e named.dll)
		if [ -z "$left" ]; then ok; else bad "named path left: $left"; fi
		rm -f "$T/sig/named.dll"
		# verify writing three --output files, each with its named
		# temporary, ended by SIGTERM: none is left
		mkdir -p "$T/outs"
		for k in 1 2 3 4; do ln "$T/sig/big.dll" "$T/sig/b$k.dll" ||
		    cp "$T/sig/big.dll" "$T/sig/b$k.dll"; done
		tries=0; caught=0
		while [ $tries -lt 3 ] && [ $caught = 0 ]; do
			env $PRE "$ASMGATE" verify --jobs 1 \
			    --output json="$T/outs/r.json" \
			    --output junit="$T/outs/r.xml" \
			    --output sarif="$T/outs/r.sarif" \
			    "$T/sig/b1.dll" "$T/sig/b2.dll" "$T/sig/b3.dll" \
			    "$T/sig/b4.dll" >"$T/out" 2>"$T/err" &
			poll_pid $! '[ "$(ls -A "$T/outs" | grep -c "^\.asmgate-")" -ge 3 ]' \
			    'kill -TERM $1'
			tries=$((tries + 1))
		done
		if [ $caught = 1 ]; then
			if [ "$rc" -gt 128 ]; then ok; else
				bad "verify --output x3: exit $rc, expected death by SIGTERM"; fi
			left=$(ls -A "$T/outs")
			if [ -z "$left" ]; then ok; else
				bad "verify --output x3 left: $left"; fi
		else
			skip 2 "verify ended before SIGTERM could reach it"
		fi
		rm -rf "$T/outs" "$T"/sig/b[1-4].dll
		PRE=
	else
		skip 10 "no tests/cli/no_tmpfile.c shim built: no named-temporary checks"
	fi
	# Uninterrupted, the same input is signed (the tail is copied).
	run "$ASMGATE" sign --key "$S/keys/contoso.snk" -o "$T/sig/out.dll" \
	    "$T/sig/big.dll"
	expect_rc 0
	expect_out 'out.dll: signed'
	if [ "$(wc -c <"$T/sig/out.dll")" -eq 268435456 ]; then ok; else
		bad "signed output is not the input's size"; fi
	rm -rf "$T/sig"
else
	skip 15 "no /proc/self/fd or truncate: no interrupted-sign checks"
fi

# An input that shrinks while sign reads it: reads past its new end give
# zeros (or fail), and sign must not sign them: exit 2, a message that
# says the file changed, no output. The cut lands once the input is
# mapped (seen in /proc/PID/maps), the command stopped meanwhile; a run
# that ends first is tried again, then counted as skipped.
if [ -r /proc/self/maps ] && command -v truncate >/dev/null 2>&1 &&
    [ -r /dev/urandom ]; then
	mkdir -p "$T/shrink"
	cp "$S/states/delay-signed.dll" "$T/shrink/orig.dll"
	head -c 67108864 /dev/urandom >>"$T/shrink/orig.dll"
	small=$(( $(wc -c <"$S/states/delay-signed.dll") + 1048576 ))
	tries=0; caught=0
	while [ $tries -lt 3 ] && [ $caught = 0 ]; do
		cp "$T/shrink/orig.dll" "$T/shrink/in.dll"
		rm -f "$T/shrink/out.dll"
		"$ASMGATE" sign --key "$S/keys/contoso.snk" \
		    -o "$T/shrink/out.dll" "$T/shrink/in.dll" >"$T/out" \
		    2>"$T/err" &
		poll_pid $! 'grep -q "$T/shrink/in.dll" /proc/$1/maps 2>/dev/null' \
		    'kill -STOP $1; truncate -s $small "$T/shrink/in.dll"; kill -CONT $1'
		tries=$((tries + 1))
	done
	if [ $caught = 1 ]; then
		expect_rc 2
		expect_err 'in.dll: error: the file changed while it was being signed'
		if [ ! -e "$T/shrink/out.dll" ]; then ok; else
			bad "a shrunk input was signed: $(wc -c <"$T/shrink/out.dll") bytes"; fi
	else
		skip 3 "sign ended before its input could be cut"
	fi
	rm -rf "$T/shrink"
else
	skip 3 "no /proc/self/maps, truncate or /dev/urandom: no shrink check"
fi

# An existing OUT is refused without --force (exit 2, untouched) and
# replaced with it; without -o the input is re-signed in place.
mkdir -p "$T/force"
cp "$S/states/delay-signed.dll" "$T/force/in.dll"
printf 'old' >"$T/force/out.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" -o "$T/force/out.dll" \
    "$T/force/in.dll"
expect_rc 2; expect_err_lines 1
expect_err "^asmgate sign: $T/force/out.dll exists \\(use --force to replace it\\)\$"
if [ "$(cat "$T/force/out.dll")" = old ]; then ok; else bad "sign replaced OUT"; fi
if cmp -s "$T/force/in.dll" "$S/states/delay-signed.dll"; then ok; else
	bad "sign changed the input"; fi
run "$ASMGATE" sign --key "$S/keys/contoso.snk" --force \
    -o "$T/force/out.dll" "$T/force/in.dll"
expect_rc 0; expect_out 'out.dll: signed'
run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$T/force/in.dll"
expect_rc 0; expect_out 'in.dll: signed'
if cmp -s "$T/force/in.dll" "$T/force/out.dll"; then ok; else
	bad "in-place and --force outputs differ"; fi
rm -rf "$T/force"

# A temporary that SIGKILL left (named .asmgate-HOST-PID-XXXXXX, its
# process gone, an hour old) is removed by the next sign into the
# folder; one of a running process, or a fresh one, is kept.
mkdir -p "$T/stale"
cp "$S/states/delay-signed.dll" "$T/stale/in.dll"
host=$(hostname 2>/dev/null | tr -c 'A-Za-z0-9.\n' '_' | cut -c1-32)
sh -c 'exit 0' & dead=$!; wait $dead
if [ -n "$host" ] && touch -d '1 hour ago' "$T/stale/x" 2>/dev/null; then
	for n in ".asmgate-$host-$dead-Ab12Cd" ".asmgate-$host-$$-Ab12Cd"; do
		printf 'debris' >"$T/stale/$n"
		touch -d '1 hour ago' "$T/stale/$n"
	done
	printf 'debris' >"$T/stale/.asmgate-$host-$dead-Ab12Ce"
	run "$ASMGATE" sign --key "$S/keys/contoso.snk" -o "$T/stale/out.dll" \
	    "$T/stale/in.dll"
	expect_rc 0
	if [ ! -e "$T/stale/.asmgate-$host-$dead-Ab12Cd" ]; then ok; else
		bad "a stale temporary was left"; fi
	if [ -e "$T/stale/.asmgate-$host-$$-Ab12Cd" ] &&
	    [ -e "$T/stale/.asmgate-$host-$dead-Ab12Ce" ]; then ok; else
		bad "a live or fresh temporary was removed"; fi
else
	skip 3 "no hostname or touch -d: no stale-temporary check"
fi
rm -rf "$T/stale"
