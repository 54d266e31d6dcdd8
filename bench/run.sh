#!/usr/bin/env bash
# The olock benchmarks (called by `make bench`; never part of `make test`). Builds every
# benchmark with -O2 -DNDEBUG into build/bench/, runs them one after the other, and writes the
# results (Markdown) to stdout as they come and to build/bench/results.md, ending with a summary
# of the targets. Benchmarks print numbers and ratios; a target that is not met is reported, not a
# failure. Exit status is non-zero only when something did not build or run.
#   CC           compiler (default cc)
#   BENCH_REPS   timed batches per case (default 31)
#   BENCH_ONLY   run only these benchmarks, e.g. "codec sign" (default: codec sign engine fake r2 hot curl sdk servers)
#   BENCH_BASE   the git revision r2 compares the working olock.h with (default 7b298b1, the
#                commit before performance round 2)
set -u
cd "$(dirname "$0")/.." || exit 2
CC=${CC:-cc}
OUT=build/bench
mkdir -p "$OUT"
RESULTS=$OUT/results.md
read -r -a CCV <<<"$CC"            # CC may be a command with arguments (e.g. "ccache gcc")
CFLAGS=(-std=c99 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual
        -Wstrict-prototypes -Wmissing-prototypes -I. -Ibackends -Ibench)
ONLY=${BENCH_ONLY:-codec sign engine fake r2 hot curl sdk servers}
BASE=${BENCH_BASE:-7b298b1}
STATUS=0

have_header() { printf '#include <%s>\n' "$1" | "${CCV[@]}" -E -x c - >/dev/null 2>&1; }
wanted() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

HAVE_JANSSON=0; have_header jansson.h && HAVE_JANSSON=1
HAVE_MBEDTLS=0; have_header mbedtls/sha256.h && HAVE_MBEDTLS=1

# ---- build (two at a time: the header is large and -O2 takes a while) ----------------------
BUILD_LOG=$OUT/build.log
: >"$BUILD_LOG"
pids=()
build() {   # build NAME COMMAND...
  local name=$1; shift
  ( "$@" >>"$OUT/build_$name.log" 2>&1 || { echo "bench: building $name failed (see $OUT/build_$name.log)" >&2; exit 1; } ) &
  pids+=($!)
  if [ "${#pids[@]}" -ge 2 ]; then wait "${pids[0]}" || STATUS=1; pids=("${pids[@]:1}"); fi
}
rm -f "$OUT"/build_*.log
if wanted codec && [ "$HAVE_JANSSON" = 1 ]; then
  build codec "${CCV[@]}" "${CFLAGS[@]}" bench/bench_codec.c -o "$OUT/bench_codec" -lm -ljansson
fi
if wanted sign; then
  SIGN_DEFS=(); SIGN_OBJS=("$OUT/sign_driver.o" "$OUT/sign_builtin.o" "$OUT/sign_no_sha_ni.o"); SIGN_LIBS=(-lm)
  if [ "$HAVE_MBEDTLS" = 1 ]; then SIGN_DEFS=(-DBENCH_HAVE_MBEDTLS); SIGN_OBJS+=("$OUT/sign_mbedtls.o"); SIGN_LIBS=(-lm -lmbedcrypto); fi
  build sign_driver "${CCV[@]}" "${CFLAGS[@]}" "${SIGN_DEFS[@]}" -c bench/bench_sign.c -o "$OUT/sign_driver.o"
  build sign_builtin "${CCV[@]}" "${CFLAGS[@]}" -DBENCH_SIGN_VARIANT=bench_sign_builtin '-DBENCH_SIGN_NAME="built-in SHA-256 (SHA-NI when the CPU has it)"' \
    -c bench/bench_sign_variant.c -o "$OUT/sign_builtin.o"
  build sign_no_sha_ni "${CCV[@]}" "${CFLAGS[@]}" -DOLOCK_NO_SHA_NI -DBENCH_SIGN_VARIANT=bench_sign_no_sha_ni '-DBENCH_SIGN_NAME="built-in SHA-256, -DOLOCK_NO_SHA_NI"' \
    -c bench/bench_sign_variant.c -o "$OUT/sign_no_sha_ni.o"
  if [ "$HAVE_MBEDTLS" = 1 ]; then
    build sign_mbedtls "${CCV[@]}" "${CFLAGS[@]}" -DOLOCK_USE_MBEDTLS -DBENCH_HAVE_MBEDTLS -DBENCH_SIGN_VARIANT=bench_sign_mbedtls \
      '-DBENCH_SIGN_NAME="mbedTLS, -DOLOCK_USE_MBEDTLS"' -c bench/bench_sign_variant.c -o "$OUT/sign_mbedtls.o"
  fi
fi
if wanted engine; then build engine "${CCV[@]}" "${CFLAGS[@]}" bench/bench_engine.c -o "$OUT/bench_engine" -lm -lpthread; fi
if wanted fake; then build fake "${CCV[@]}" "${CFLAGS[@]}" bench/bench_fake.c -o "$OUT/bench_fake" -lm -lpthread; fi
# r2: bench_r2_ops.c twice in one program, against the working olock.h and against BASE's
# (from git, into $OUT/base/; -I puts it before the working one), so before and after run
# interleaved in the same process.
if wanted r2; then
  mkdir -p "$OUT/base"
  if git show "$BASE:olock.h" >"$OUT/base/olock.h" 2>>"$OUT/build_r2_base.log"; then
    build r2_new "${CCV[@]}" "${CFLAGS[@]}" -DR2_SETUP=r2_setup_new -c bench/bench_r2_ops.c -o "$OUT/r2_new.o"
    build r2_old "${CCV[@]}" "${CFLAGS[@]/#-I./-I$OUT/base}" -DR2_SETUP=r2_setup_old -c bench/bench_r2_ops.c -o "$OUT/r2_old.o"
  else
    echo "bench: r2: git show $BASE:olock.h failed (see $OUT/build_r2_base.log)" >&2; STATUS=1
  fi
fi
for p in "${pids[@]}"; do wait "$p" || STATUS=1; done
if wanted r2 && [ "$STATUS" = 0 ]; then
  "${CCV[@]}" "${CFLAGS[@]}" "-DBENCH_BASE_NAME=\"git $BASE\"" bench/bench_r2.c "$OUT/r2_new.o" "$OUT/r2_old.o" -o "$OUT/bench_r2" -lm \
    >>"$OUT/build_r2_link.log" 2>&1 || { echo "bench: linking bench_r2 failed (see $OUT/build_r2_link.log)" >&2; STATUS=1; }
fi
if wanted sign && [ "$STATUS" = 0 ]; then
  "${CCV[@]}" -o "$OUT/bench_sign" "${SIGN_OBJS[@]}" "${SIGN_LIBS[@]}" >>"$OUT/build_sign_link.log" 2>&1 ||
    { echo "bench: linking bench_sign failed (see $OUT/build_sign_link.log)" >&2; STATUS=1; }
fi
cat "$OUT"/build_*.log >"$BUILD_LOG" 2>/dev/null
if [ "$STATUS" != 0 ]; then cat "$BUILD_LOG" >&2; exit 1; fi

# ---- run ------------------------------------------------------------------------------------
{
  echo "# olock benchmark results"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr)"
  echo "- SHA-NI: $(grep -q -m1 -w sha_ni /proc/cpuinfo && echo yes || echo no); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- compiler: $("${CCV[@]}" --version | head -n 1); flags: -std=c99 -O2 -DNDEBUG"
  echo "- sources: git $(git rev-parse --short HEAD 2>/dev/null || echo '?'); sha256 olock.h $(sha256sum olock.h | cut -c1-12), olock_fake.h $(sha256sum backends/olock_fake.h | cut -c1-12)"
  echo "- method: batches timed with the thread's CPU-time clock (time spent descheduled by other"
  echo "  load does not count), each case calibrated to ~5 ms batches; peers interleaved batch by"
  echo "  batch (rotating order) in one process; best batch and median shown; absolute targets use"
  echo "  the best batch, ratios the median over rounds of paired batch ratios. Engine B counts"
  echo "  requests in virtual time (no timing)."
  echo
} | tee "$RESULTS"
[ "$HAVE_JANSSON" = 1 ] || echo "SKIP bench_codec: jansson.h not found (Debian: apt-get install libjansson-dev)" | tee -a "$RESULTS"
[ "$HAVE_MBEDTLS" = 1 ] || echo "SKIP the mbedTLS build of bench_sign: mbedtls/sha256.h not found (Debian: apt-get install libmbedtls-dev)" | tee -a "$RESULTS"

run() {   # run NAME: its output goes to stdout and to the results as it comes
  local bin=$OUT/bench_$1
  [ -x "$bin" ] || return 0
  echo | tee -a "$RESULTS"
  "$bin" 2>"$OUT/$1.err" | tee -a "$RESULTS"
  if [ "${PIPESTATUS[0]}" != 0 ]; then
    echo "bench: bench_$1 failed:" >&2; cat "$OUT/$1.err" >&2; STATUS=1
    echo "**bench_$1 failed** (see $OUT/$1.err)" | tee -a "$RESULTS"
  fi
}
for b in $ONLY; do
  # the peer SDKs (Go v2, JavaScript v3) run from their own script
  # olock-fakeserver against DynamoDB Local and dynalite (needs make deps for the latter two)
  if [ "$b" = servers ]; then
    echo | tee -a "$RESULTS"
    if [ -x build/olock-fakeserver ] || make -s build/olock-fakeserver >/dev/null 2>&1; then
      { echo "## olock-fakeserver vs DynamoDB Local vs dynalite (tests/sdk/bench.mjs)"; echo '```'; node tests/sdk/bench.mjs; echo '```'; } | tee -a "$RESULTS"
    else echo "servers: SKIP (build/olock-fakeserver did not build)" | tee -a "$RESULTS"; fi
    continue
  fi
  # olock + curl against a raw keep-alive client on loopback (needs make deps)
  if [ "$b" = curl ]; then echo | tee -a "$RESULTS"; CC="$CC" bash bench/curl/run.sh | tee -a "$RESULTS"; [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1; continue; fi
  # a hot item: the seed, the previous engine and the new defaults, on the fake and DynamoDB Local
  if [ "$b" = hot ]; then echo | tee -a "$RESULTS"; CC="$CC" bash bench/hot/run.sh | tee -a "$RESULTS"; [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1; continue; fi
  if [ "$b" = sdk ]; then echo | tee -a "$RESULTS"; bash bench/sdk/run.sh | tee -a "$RESULTS"; [ "${PIPESTATUS[0]}" = 0 ] || STATUS=1; continue; fi
  case $b in codec|sign|engine|fake|r2) run "$b" ;; *) echo "bench: unknown benchmark '$b'" >&2; STATUS=1 ;; esac
done

rows=$(grep -E '^\| (codec|sign|engine|fake|r2|hot|curl|sdk) \| .* \| (MET|NOT MET) \|$' "$RESULTS")
{
  echo
  echo "## Summary of targets"
  echo
  echo "| benchmark | target | measured | verdict |"
  echo "| --- | --- | --- | --- |"
  echo "$rows"
  echo
  echo "$(grep -cE '\| MET \|$' <<<"$rows") targets met, $(grep -cE '\| NOT MET \|$' <<<"$rows") not met"
} | tee -a "$RESULTS"
exit "$STATUS"
