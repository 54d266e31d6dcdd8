#!/usr/bin/env bash
# libFuzzer targets: fuzz/fuzz_<name>.c, each defining LLVMFuzzerTestOneInput.
#   fuzz.sh list                 names of the targets
#   fuzz.sh build                build them all under build/fuzz/ (OLOCK_TEST_JOBS at a time,
#                                default: the number of CPUs)
#   fuzz.sh run NAME SECONDS     build one and run it for SECONDS (seeds: fuzz/corpus/NAME/)
# A target is rebuilt only when it is missing or older than its source, the headers or this file.
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/.." || exit 2
CLANG=${CLANG:-clang}
FLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. -Ibackends -Itests)

build_one() {
  mkdir -p build/fuzz
  local libs=() f fresh=1
  if [ -x "build/fuzz/fuzz_$1" ]; then
    for f in "fuzz/fuzz_$1.c" olock.h backends/*.h tools/*.c tests/fuzz.sh; do [ "$f" -nt "build/fuzz/fuzz_$1" ] && fresh=0; done
    [ $fresh = 1 ] && { echo "build/fuzz/fuzz_$1 is up to date"; return 0; }
  fi
  # the fake and the fake server (fuzz_http_head includes it) use threads
  grep -qE 'olock_fake\.h|olock-fakeserver\.c' "fuzz/fuzz_$1.c" && libs+=(-lpthread)
  "$CLANG" "${FLAGS[@]}" "fuzz/fuzz_$1.c" -o "build/fuzz/fuzz_$1" "${libs[@]}" -lm
}

case "${1:-}" in
  list) for f in fuzz/fuzz_*.c; do [ -f "$f" ] && basename "$f" .c | sed 's/^fuzz_//'; done ;;
  build)
    jobs=${OLOCK_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
    st=0 pids=()
    for f in fuzz/fuzz_*.c; do
      n=$(basename "$f" .c)
      if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || st=1; pids=("${pids[@]:1}"); fi
      build_one "${n#fuzz_}" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || st=1; done
    exit $st ;;
  run)
    name=$2; secs=${3:-10}
    build_one "$name" || exit 1
    work=build/fuzz/corpus_$name
    mkdir -p "$work"
    seeds=()
    [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
    # -max_len keeps the run about the parser, not about the allocator of huge inputs.
    "build/fuzz/fuzz_$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$work" "${seeds[@]}" ;;
  *) echo "usage: fuzz.sh list | build | run NAME SECONDS" >&2; exit 2 ;;
esac
