#!/usr/bin/env bash
# Run the benchmarks with their default settings, then the goals table (benchmarks/results.json), the examples'
# wall times (benchmarks/example_times.json) and the README blocks generated from them. Extra arguments are passed to none of them (see benchmarks/README.md for options).
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench_scalar bench_tensor bench_deep profile_steps; do
  echo
  python "benchmarks/${script}.py"
done
echo
python benchmarks/run_goals.py
python benchmarks/time_examples.py
python benchmarks/update_readme.py
