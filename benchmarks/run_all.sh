#!/usr/bin/env bash
# Run the three benchmarks with their default settings (about 2-3 minutes on an idle 2-core machine).
# Extra arguments are passed to none of them; run a script by hand for options (see benchmarks/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench_scalar bench_tensor bench_deep; do
  echo
  python "benchmarks/${script}.py"
done
