#!/usr/bin/env bash
# Times `guardrail scan --guard` against the cfn-guard CLI on the same N templates (default 300)
# with the registry's 72-rule NIST 800-53 rev5 set. Run by hand, not by CI: it needs a cfn-guard
# binary installed outside the repository (`cargo install cfn-guard --version 3.2.1 --locked
# --root DIR`) and hyperfine.
#
# Usage: benches/guard_vs_cfn_guard.sh CFN_GUARD_BINARY [N]
#
# Both commands write their complete structured JSON report to a file; guardrail runs only the
# Guard rules (its built-in rules are ignored) so the work compared is the same.
set -euo pipefail

cfn_guard=${1:?usage: guard_vs_cfn_guard.sh CFN_GUARD_BINARY [N]}
count=${2:-300}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/benches/guard_corpus.sh" "$work/corpus" "$count" >/dev/null
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
guardrail="$root/target/release/guardrail"
rules="$root/fixtures/guard/registry/nist80053r5.guard"

hyperfine --warmup 1 --runs 5 \
  --command-name "cfn-guard validate (${count} templates)" \
  "'$cfn_guard' validate --rules '$rules' --data '$work/corpus' --output-format json --structured --show-summary none > '$work/cfn-guard.json' || test \$? -eq 19" \
  --command-name "guardrail scan --guard (${count} templates)" \
  "'$guardrail' scan '$work/corpus' --guard '$rules' --ignore AWS --ignore K8S --ignore TF --ignore GEN --format json --output '$work/guardrail.json' || test \$? -eq 1"
