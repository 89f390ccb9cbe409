#!/usr/bin/env bash
# The on-disk store (`--store DIR`, Oxigraph's RocksDB back end): builds medrd with the
# `rocksdb` feature and runs the tests that use it (tests/suite/scale.rs). RocksDB's C++ needs
# clang and libclang-dev and is built unoptimised in the dev profile (Cargo.toml); even so the
# build took over 20 minutes on a 2-core machine, which is why the default CI (.ci/run) runs
# this only with MEDRD_CI_ROCKSDB=1.
#
# Usage: scripts/rocksdb-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || need+=(libclang-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo test --features rocksdb --test main scale
