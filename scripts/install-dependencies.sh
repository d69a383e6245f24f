#!/usr/bin/env bash
# Installs what building and testing syncorm needs, on Debian 12 (and derivatives with the same
# package names). Installs only what is missing; does nothing when everything is there.
# Other systems: install the equivalents of the packages listed below by hand.
set -euo pipefail

packages=(
  g++ cmake make            # compiler and build
  libboost1.81-dev          # Boost.PFR (headers)
  libboost-json1.81-dev     # Boost.JSON (sync event payloads)
  libsqlite3-dev            # SQLite backend
  libpq-dev                 # PostgreSQL backend (libpq)
  postgresql                # throwaway PostgreSQL servers started by the tests
  librabbitmq-dev           # RabbitMQ transport (rabbitmq-c), optional for users
  rabbitmq-server           # throwaway RabbitMQ brokers started by the tests
  python3-pika              # the tests' second AMQP client, in another language
  libhiredis-dev            # Redis cache level (hiredis), optional for users
  redis-server              # throwaway Redis servers started by the tests
  doctest-dev               # tests
  libbenchmark-dev          # benchmarks
  valgrind                  # instruction counts behind the zero-overhead claims (benchmark command)
  clang-14 libclang-rt-14-dev  # fuzz targets (libFuzzer, ASan, UBSan runtimes)
  clang-16                     # the suites built with clang too (Debian 12's newest)
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "syncorm: this is not a Debian-like system; install these (or your system's equivalents):" >&2
  printf '  %s\n' "${packages[@]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "syncorm: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "syncorm: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
