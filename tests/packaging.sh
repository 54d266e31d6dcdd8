#!/usr/bin/env bash
# Packaging test (called by tests/run.sh): installs olock with `make install PREFIX=<tmp>` and
# builds and runs the tiny consumer projects of tests/packaging/ the ways a user would:
#   cc + pkg-config olock, CMake find_package (after make install, and after cmake --install,
#   which must install the very same files), CMake add_subdirectory, CMake FetchContent (from a
#   local git repository: no network), and the libcurl transport through pkg-config olock-curl
#   and olock::curl.
# One line per check (ok / FAIL / SKIP), then "N passed, N failed"; exit status 1 when a check
# failed. Everything goes to build/packaging.XXXXXX, removed at the end (OLOCK_PACKAGING_KEEP=1
# keeps it).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
unset MAKEFLAGS MFLAGS MAKELEVEL GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p build
T=$(mktemp -d "$ROOT/build/packaging.XXXXXX") || exit 2
cleanup() { if [ "${OLOCK_PACKAGING_KEEP:-}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi; }
trap cleanup EXIT
PASS=0
FAIL=0
PKG=tests/packaging
VERSION=$(sed -n 's/^#define OLOCK_VERSION_STRING "\(.*\)"$/\1/p' olock.h)

report() {  # report NAME STATUS LOG
  if [ "$2" -eq 0 ]; then PASS=$((PASS + 1)); echo "ok    $1"
  else FAIL=$((FAIL + 1)); echo "FAIL  $1"; tail -n 25 "$3" | sed 's/^/      | /'; fi
}
check() {   # check NAME COMMAND...: one test now, its output shown when it fails
  local name=$1
  shift
  "$@" >"$T/log.check" 2>&1   # not in an `if`: there bash would ignore the steps' set -e
  report "$name" $? "$T/log.check"
}
JOBS=()
start() {   # start NAME COMMAND...: one test in the background; finish reports them in order
  local id=${#JOBS[@]}
  JOBS+=("$1")
  shift
  ( "$@" >"$T/log.$id" 2>&1; echo $? >"$T/rc.$id" ) &
}
finish() {
  local i
  wait
  for i in "${!JOBS[@]}"; do report "${JOBS[$i]}" "$(cat "$T/rc.$i" 2>/dev/null || echo 1)" "$T/log.$i"; done
  JOBS=()
}
skip() { echo "SKIP  $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---- tools ------------------------------------------------------------------------------------
for tool in make cc; do
  if ! have $tool; then echo "FAIL  packaging: no $tool"; echo "0 passed, 1 failed"; exit 1; fi
done
HAVE_PKGCONFIG=0; have pkg-config && HAVE_PKGCONFIG=1
HAVE_CMAKE=0; have cmake && HAVE_CMAKE=1
HAVE_GIT=0; have git && HAVE_GIT=1
HAVE_CURL=0
printf '#include <curl/curl.h>\n' | cc -E -x c - >/dev/null 2>&1 && HAVE_CURL=1
[ -n "$VERSION" ] || { echo "FAIL  no OLOCK_VERSION_STRING in olock.h"; echo "0 passed, 1 failed"; exit 1; }

# ---- make install -------------------------------------------------------------------------------
MAKE_INSTALL=(make)

# The installed tree under $1 for prefix $2: exactly these files, headers as in the source, the
# pkg-config files naming prefix $2, no placeholder left.
installed_tree() (
  set -e
  root=$1 prefix=$2
  expect=$( { for h in olock.h backends/*.h; do echo "include/olock/${h##*/}"; done
              printf '%s\n' share/pkgconfig/olock.pc share/pkgconfig/olock-curl.pc \
                share/cmake/olock/olockConfig.cmake share/cmake/olock/olockConfigVersion.cmake; } | sort)
  got=$(cd "$root$prefix" && find . -type f | sed 's|^\./||' | sort)
  [ "$expect" = "$got" ] || { echo "expected:"; echo "$expect"; echo "installed:"; echo "$got"; exit 1; }
  if [ -n "$root" ]; then   # a DESTDIR: nothing outside the prefix
    [ "$(find "$root" -type f | wc -l)" -eq "$(echo "$got" | wc -l)" ] || { echo "files outside $prefix"; exit 1; }
  fi
  for h in olock.h backends/*.h; do cmp "$h" "$root$prefix/include/olock/${h##*/}"; done
  grep -qx "prefix=$prefix" "$root$prefix/share/pkgconfig/olock.pc"
  grep -qx "prefix=$prefix" "$root$prefix/share/pkgconfig/olock-curl.pc"
  grep -qx "Version: $VERSION" "$root$prefix/share/pkgconfig/olock.pc"
  ! grep -rn '@OLOCK_' "$root$prefix"
)

P=$T/prefix
check "make install PREFIX=<tmp>" "${MAKE_INSTALL[@]}" install PREFIX="$P"
check "make install: installed files" installed_tree "" "$P"
check "make install PREFIX=/usr/local DESTDIR=<tmp>" "${MAKE_INSTALL[@]}" install PREFIX=/usr/local DESTDIR="$T/stage"
check "make install DESTDIR: installed files" installed_tree "$T/stage" /usr/local

# ---- consumers, built in parallel ----------------------------------------------------------
export PKG_CONFIG_PATH="$P/share/pkgconfig"
pc_consumer() (
  set -e
  [ "$(pkg-config --modversion olock)" = "$VERSION" ]
  [ "$(pkg-config --variable=prefix olock)" = "$P" ]
  # shellcheck disable=SC2046
  cc $(pkg-config --cflags olock) "$PKG/consumer.c" -o "$T/pc_consumer" $(pkg-config --libs olock)
  "$T/pc_consumer"
)
pc_curl_consumer() (
  set -e
  [ "$(pkg-config --modversion olock-curl)" = "$VERSION" ]
  pkg-config --libs olock-curl | grep -q -- -lcurl
  # shellcheck disable=SC2046
  cc $(pkg-config --cflags olock-curl) "$PKG/consumer_curl.c" -o "$T/pc_consumer_curl" $(pkg-config --libs olock-curl)
  "$T/pc_consumer_curl"
)
cmake_consumer() (   # cmake_consumer SOURCE_DIR BINARY_DIR CMAKE_ARGS...: configure, build, run
  set -e
  src=$1 bin=$2
  shift 2
  cmake -S "$src" -B "$bin" -DOLOCK_EXPECT_VERSION="$VERSION" -DOLOCK_EXPECT_CURL=$HAVE_CURL "$@"
  cmake --build "$bin"
  "$bin/consumer"
  if [ $HAVE_CURL = 1 ]; then "$bin/consumer_curl"; fi
)
find_package_consumer() (
  set -e
  cmake_consumer "$PKG/find_package" "$T/find_package" -DCMAKE_PREFIX_PATH="$P"
  grep -qx "olock_DIR:PATH=$P/share/cmake/olock" "$T/find_package/CMakeCache.txt"
)
cmake_install() (   # the root CMakeLists.txt: cmake --install must install what make install does
  set -e
  cmake -S . -B "$T/olock-cmake"
  DESTDIR="$T/cstage" cmake --install "$T/olock-cmake" --prefix /usr/local
  diff -r "$T/stage" "$T/cstage"
  cmake --install "$T/olock-cmake" --prefix "$T/cprefix"
  installed_tree "" "$T/cprefix"
)
fetchcontent_consumer() (
  set -e
  if [ $HAVE_GIT = 1 ]; then
    # A repository holding what a clone of olock holds, committed (the work tree may not be).
    mkdir "$T/olock-git"
    cp -R olock.h backends CMakeLists.txt cmake "$T/olock-git/"
    cd "$T/olock-git"
    git init -q
    git add -A
    git -c user.name=olock-test -c user.email=olock-test@invalid -c commit.gpgsign=false commit -q -m snapshot
    tag=$(git rev-parse HEAD)
    cd "$ROOT"
    cmake_consumer "$PKG/fetchcontent" "$T/fetchcontent" -DOLOCK_GIT_URL="file://$T/olock-git" -DOLOCK_GIT_TAG="$tag"
  else
    cmake_consumer "$PKG/fetchcontent" "$T/fetchcontent" -DOLOCK_SOURCE_DIR="$ROOT"
  fi
)

[ $HAVE_CURL = 1 ] || skip "curl consumers: no libcurl development files (curl/curl.h)"
if [ $HAVE_PKGCONFIG = 1 ]; then
  start "pkg-config olock: cc consumer" pc_consumer
  if [ $HAVE_CURL = 1 ] && pkg-config --exists libcurl; then
    start "pkg-config olock-curl: cc consumer" pc_curl_consumer
  elif [ $HAVE_CURL = 1 ]; then skip "pkg-config olock-curl: no libcurl.pc"; fi
else
  skip "pkg-config consumers: no pkg-config"
fi
if [ $HAVE_CMAKE = 1 ]; then
  [ $HAVE_CURL = 1 ] && with_curl=" and olock::curl" || with_curl=
  start "cmake find_package(olock) after make install: olock::olock$with_curl" find_package_consumer
  start "cmake --install: the same files as make install" cmake_install
  start "cmake add_subdirectory: olock::olock$with_curl" \
    cmake_consumer "$PKG/add_subdirectory" "$T/add_subdirectory" -DOLOCK_SOURCE_DIR="$ROOT"
  if [ $HAVE_GIT = 1 ]; then how="a file:// git repository"
  else how="SOURCE_DIR"; skip "FetchContent from git: no git; from SOURCE_DIR instead"; fi
  start "cmake FetchContent ($how): olock::olock$with_curl" fetchcontent_consumer
else
  skip "CMake consumers: no cmake"
fi
finish

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
