#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# extract.sh - ulp extract: name, build-id and every symbol of an object as
# JSON (checked field by field against readelf), statics from a separate
# debug file given with -d or found through .gnu_debuglink, a debug file
# of another build refused, versioned symbols with their versions.
. "$(dirname "$0")/lib.sh"
require_tools
Q=$TARGETS/json-query
LIB=$TARGETS/libplain.so

# field JSONPATH EXPECTED - the value at JSONPATH of $OUT is EXPECTED.
field() {
	local v
	v=$("$Q" "$1" <<<"$OUT") || fail "no '$1' in the document"
	[ "$v" = "$2" ] || fail "'$1' is '$v', expected '$2'"
}

step "an object with its symbol table"
run_ulp extract "$LIB"
[ $RC = 0 ] || fail "extract exited $RC"
bid=$(readelf -n "$LIB" | sed -n 's/.*Build ID: //p')
field name libplain.so
field build_id "$bid"
field debuginfo null
off=$(readelf -Ws "$LIB" | awk '$8 == "plain_value" && $7 != "UND" { print $2; exit }')
field 'symbols.[name=plain_value].0.offset' $((16#$off))
field 'symbols.[name=plain_value].0.type' func
field 'symbols.[name=plain_value].0.binding' global
field 'symbols.[name=deregister_tm_clones].0.binding' local
field 'symbols.[name=deregister_tm_clones].0.file' crtstuff.c

step "-o FILE writes the same document"
stdout=$OUT
run_ulp extract "$LIB" -o -
[ "$OUT" = "$stdout" ] || fail "'-o -' differs from no -o"
run_ulp extract "$LIB" -o "$T/plain.json"
[ $RC = 0 ] && [ -z "$OUT" ] || fail "extract -o exited $RC or wrote to stdout"
[ "$(cat "$T/plain.json")" = "$stdout" ] || fail "the file differs from standard output"

step "stripped: only exported symbols, and a warning that says what to do"
objcopy --only-keep-debug "$LIB" "$T/libplain.debug"
objcopy --strip-all "$LIB" "$T/libplain.so"
run_ulp extract "$T/libplain.so"
[ $RC = 0 ] || fail "extract exited $RC"
[[ $ERR == *"no symbol table"*"-d DEBUGINFO"* ]] || fail "no warning about the missing symbol table"
field 'symbols.[name=deregister_tm_clones].#' 0
field 'symbols.[name=plain_value].0.table' dynsym

step "-d DEBUGINFO: the statics come back"
run_ulp extract "$T/libplain.so" -d "$T/libplain.debug"
[ $RC = 0 ] || fail "extract -d exited $RC"
field debuginfo "$T/libplain.debug"
field 'symbols.[name=deregister_tm_clones].0.file' crtstuff.c
field 'symbols.[name=plain_value].0.offset' $((16#$off))

step "found through .gnu_debuglink next to the file"
mkdir "$T/linked"
objcopy --add-gnu-debuglink="$T/libplain.debug" "$T/libplain.so" "$T/linked/libplain.so"
cp "$T/libplain.debug" "$T/linked/"
run_ulp extract "$T/linked/libplain.so"
[ $RC = 0 ] || fail "extract exited $RC"
field debuginfo "$T/linked/libplain.debug"
field 'symbols.[name=deregister_tm_clones].0.binding' local

step "a debug file of another build is refused"
objcopy --only-keep-debug "$TARGETS/libcet.so" "$T/other.debug"
run_ulp extract "$T/libplain.so" -d "$T/other.debug"
expect_error "cannot use '$T/other.debug' as debug information of '$T/libplain.so': it belongs to another build"

step "versioned symbols: both versions of memcpy in the C library"
libc=$(readlink -f "$(gcc -print-file-name=libc.so.6)")
[ -f "$libc" ] || skip "no libc.so.6 found"
run_ulp extract "$libc"
[ $RC = 0 ] || fail "extract of the C library exited $RC"
OUT=$("$Q" 'symbols.[name=memcpy]' <<<"$OUT" | sed 's/},{/}\n{/g' | grep '"table":"dynsym"')
grep -q '"version":"GLIBC_2.14","default_version":true' <<<"$OUT" || fail "no memcpy@@GLIBC_2.14"
grep -q '"version":"GLIBC_2.2.5","default_version":false' <<<"$OUT" || fail "no memcpy@GLIBC_2.2.5"

step "errors"
run_ulp extract "$T/no-such-file.so"
expect_error "cannot read '$T/no-such-file.so'"
run_ulp extract
[ $RC = 2 ] || fail "no FILE: expected 2, got $RC"
log "PASS"
