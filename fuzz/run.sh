#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 30), starting from its corpus in
# fuzz/corpus/<target> (kept in the repository, minimized) and seeds taken from fixtures/.
# A crash stops with the failing input under fuzz/artifacts/<target>/ and a non-zero exit.
#   fuzz/run.sh 3600      # an hour per target
# Needs cargo-fuzz (cargo install cargo-fuzz); the one stable toolchain builds libFuzzer
# targets with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
export RUSTC_BOOTSTRAP=1
cargo fuzz build --release --debug-assertions --sanitizer none
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
declare -A pattern=(
  [scan_yaml]='*.yaml *.yml'
  [scan_json]='*.json'
  [scan_hcl]='*.tf'
  [scan_tf_json]='*.tf.json'
  [scan_tfvars]='*.tfvars'
  [guard_file]='*.guard'
  [config_file]='guardrail.toml'
  [guard_mapping]='mapping.toml'
  [baseline_file]=''
  [rule_file]=''
)
for target in scan_yaml scan_json scan_hcl scan_tf_json scan_tfvars rule_file config_file \
  guard_file guard_mapping baseline_file; do
  mkdir -p "corpus/$target" "$seeds/$target"
  for glob in ${pattern[$target]}; do
    find ../fixtures -name "$glob" -size -64k -exec cp --backup=numbered {} "$seeds/$target/" \; 2>/dev/null || true
  done
  # The built-in rules seed the rule-file target; baselines are seeded by the corpus alone
  # (written by `guardrail scan --write-baseline`).
  if [ "$target" = rule_file ]; then
    find ../rules -name '*.yaml' -exec cp --backup=numbered {} "$seeds/$target/" \;
  fi
  echo "== $target: ${seconds}s"
  cargo fuzz run --release --debug-assertions --sanitizer none "$target" \
    "corpus/$target" "$seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -report_slow_units=20 \
    -max_len=262144 -print_final_stats=1 \
    2>&1 | grep -E "^(#[0-9]+ *DONE|stat::|==|SUMMARY|Done)" || true
  # A crash, a hang past the timeout, running out of memory or a leak leaves an artifact;
  # fail on it. A slow unit (a busy machine can make one) is shown, not failed: the timeout
  # is what says a unit hangs.
  for slow in artifacts/"$target"/slow-unit-*; do
    if [ -e "$slow" ]; then echo "$target: slow unit (under the timeout): $slow"; fi
  done
  if compgen -G "artifacts/$target/crash-*" > /dev/null ||
     compgen -G "artifacts/$target/timeout-*" > /dev/null ||
     compgen -G "artifacts/$target/oom-*" > /dev/null ||
     compgen -G "artifacts/$target/leak-*" > /dev/null; then
    echo "$target: crash, timeout or out of memory, see fuzz/artifacts/$target/"; exit 1
  fi
done
