#!/usr/bin/env bash
# Builds everything and runs every test (README's second command; CI runs exactly this).
#   1. Release build with warnings as errors: all suites on SQLite and PostgreSQL, the compile-fail
#      tests, and a smoke run of the benchmarks.
#   2. The same suites under AddressSanitizer and UndefinedBehaviorSanitizer, built the other way a
#      user may build syncorm: with SYNCORM_SEPARATE_COMPILATION and <syncorm/src.hpp> in one file.
#   3. The same suites built with clang 16 (its compile-fail tests check that each misuse is one error,
#      the expected sentence; the rule that the first line names the user's type is GCC's).
#   4. The libFuzzer targets (clang), each fuzzing for 30 s from the seed corpus in fuzz/corpus.
#   5. The suites whose subject is threads (the router: many threads sharing one cluster; the cache:
#      concurrent readers and writers, its timer and Redis subscriber threads) under ThreadSanitizer.
# The test run starts its own PostgreSQL servers on loopback and stops them afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-dependencies.sh"
jobs=$(nproc)
started=$SECONDS

# run_configuration <name> [--only "<target>..." <ctest regex>] <cmake arguments...>
run_configuration() {
  local name=$1; shift
  local build="$root/build/$name" target=() tests=()
  if [[ ${1:-} == --only ]]; then
    local names
    read -ra names <<<"$2"
    target=(--target "${names[@]}")
    tests=(-R "$3")
    shift 3
  fi
  echo "==> [$name] configure"
  cmake -S "$root" -B "$build" -DSYNCORM_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
  echo "==> [$name] build"
  cmake --build "$build" -j"$jobs" "${target[@]}"
  echo "==> [$name] test"
  ctest --test-dir "$build" -j"$jobs" --output-on-failure --timeout 600 "${tests[@]}"
}

run_configuration release -DCMAKE_BUILD_TYPE=Release
run_configuration sanitize -DCMAKE_BUILD_TYPE=Debug -DSYNCORM_SANITIZERS=address,undefined -DSYNCORM_SEPARATE_COMPILATION=ON \
  -DSYNCORM_BUILD_BENCHMARKS=OFF -DSYNCORM_BUILD_EXAMPLES=OFF
run_configuration clang -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-16 \
  -DSYNCORM_BUILD_BENCHMARKS=OFF
run_configuration fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DSYNCORM_BUILD_FUZZERS=ON \
  -DSYNCORM_FUZZ_SECONDS=30 -DSYNCORM_BUILD_TESTS=OFF -DSYNCORM_BUILD_BENCHMARKS=OFF -DSYNCORM_BUILD_EXAMPLES=OFF
run_configuration thread --only "cluster_tests cache_tests cache_redis_tests" \
  '^(cluster_tests|cache_tests|cache_redis_tests|cache_redis_restart_tests)$' -DCMAKE_BUILD_TYPE=Debug -DSYNCORM_SANITIZERS=thread \
  -DSYNCORM_BUILD_BENCHMARKS=OFF -DSYNCORM_BUILD_EXAMPLES=OFF
echo "==> all tests passed in $((SECONDS - started)) s"
