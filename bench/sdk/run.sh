#!/usr/bin/env bash
# bench/sdk/run.sh: client CPU per versioned UpdateItem, olock against the AWS SDK for Go v2 and
# the AWS SDK for JavaScript v3, in one run (see bench/sdk/README.md). Builds the olock peer
# (same flags as bench/run.sh) and the Go peer (GOPATH mode, Debian's packaged SDK sources only),
# then runs bench/sdk/driver.js, which writes Markdown to stdout and build/bench/sdk/results.md.
# A peer whose toolchain or SDK is missing is skipped with a SKIP line; node is needed to drive.
# Exit status is non-zero only when something did not build or run.
#   CC          compiler (default cc)
#   BENCH_REPS  rounds (default 31); BENCH_SDK_BATCH_MS (50), BENCH_SDK_WARM_MS (1000)
set -u
cd "$(dirname "$0")/../.." || exit 2
CC=${CC:-cc}
OUT=build/bench/sdk
mkdir -p "$OUT"
read -r -a CCV <<<"$CC"
CFLAGS=(-std=c99 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual
        -Wstrict-prototypes -Wmissing-prototypes -I. -Ibackends -Ibench)
GO_SDK=/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2

if ! command -v node >/dev/null 2>&1; then
  echo "SKIP bench/sdk: node not found (it drives the comparison; Debian: apt-get install nodejs)"
  exit 0
fi

"${CCV[@]}" "${CFLAGS[@]}" bench/sdk/olock_peer.c -o "$OUT/olock_peer" -lm >"$OUT/build_c.log" 2>&1 ||
  { echo "bench/sdk: building the olock peer failed (see $OUT/build_c.log)" >&2; cat "$OUT/build_c.log" >&2; exit 1; }

PEERS=(--c "$OUT/olock_peer")
if ! command -v go >/dev/null 2>&1; then
  echo "SKIP the Go SDK peer: go not found (Debian: apt-get install golang-go golang-github-aws-aws-sdk-go-v2-dev)"
elif [ ! -d "$GO_SDK/service/dynamodb" ] || [ ! -d /usr/share/gocode/src/github.com/aws/smithy-go ]; then
  echo "SKIP the Go SDK peer: $GO_SDK/service/dynamodb not found (Debian: apt-get install golang-github-aws-aws-sdk-go-v2-dev)"
else
  # GOPATH mode from Debian's packaged sources: no module download can happen.
  if GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
       go build -o "$OUT/go_peer" ./bench/sdk/go >"$OUT/build_go.log" 2>&1; then
    PEERS+=(--go "$OUT/go_peer")
  else
    echo "bench/sdk: building the Go peer failed (see $OUT/build_go.log)" >&2; cat "$OUT/build_go.log" >&2; exit 1
  fi
fi
if [ -d node_modules/@aws-sdk/client-dynamodb ]; then
  PEERS+=(--js bench/sdk/js/peer.js)
else
  echo "SKIP the JavaScript SDK peer: node_modules/@aws-sdk/client-dynamodb not found (make deps)"
fi

node bench/sdk/driver.js "${PEERS[@]}" --logs "$OUT" | tee "$OUT/results.md"
exit "${PIPESTATUS[0]}"
