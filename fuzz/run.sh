#!/bin/sh
# Runs one libFuzzer target for a bounded time, from its committed seeds.
#   fuzz/run.sh BINARY NAME FUZZ_DIR WORK_DIR [SECONDS]
# SECONDS defaults to $CONTACTD_FUZZ_SECONDS, else 10. New inputs the fuzzer finds go to
# WORK_DIR/corpus (kept between runs, never into the source tree) and a crashing input
# to WORK_DIR/artifacts/. Exits non-zero when the target crashes or a sanitizer fires.
set -eu
binary=$1 name=$2 fuzz_dir=$3 work=$4
seconds=${5:-${CONTACTD_FUZZ_SECONDS:-10}}
mkdir -p "$work/corpus" "$work/artifacts"
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/"
if [ -f "$fuzz_dir/$name.dict" ]; then set -- "$@" -dict="$fuzz_dir/$name.dict"; fi
# The first folder receives what the run finds; the seeds are only read.
exec "$binary" "$@" "$work/corpus" "$fuzz_dir/corpus/$name"
