#!/usr/bin/env bash
# Writes a benchmark corpus of N CloudFormation templates (default 300) for the --guard path.
#
# Usage: benches/guard_corpus.sh OUT_DIR [N]
#
# The templates are the fixtures of fixtures/guard/nist/ taken in turn. Each copy gets its own
# logical ids (every resource id, and every reference to it, gets the suffix "C<index>") and its own
# 12-digit account id in names and ARNs, so no two files are byte-identical and no cache keyed on
# content can make the benchmark look faster than it is. Rule verdicts are unchanged by the
# renaming. The output is generated, not committed. Needs bash and GNU sed.
set -euo pipefail

out=${1:?usage: guard_corpus.sh OUT_DIR [N]}
count=${2:-300}
if ! [[ $count =~ ^[0-9]+$ ]] || ((count < 1)); then
  echo "N must be a positive integer, got '$count'" >&2
  exit 2
fi

fixtures="$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures/guard/nist" && pwd)"
mapfile -t sources < <(cd "$fixtures" && find . -mindepth 2 -type f \( -name '*.yaml' -o -name '*.json' \) \
  | sed 's|^\./||' | LC_ALL=C sort)
if ((${#sources[@]} == 0)); then
  echo "no templates under $fixtures" >&2
  exit 1
fi

# Logical ids of a template: the keys directly under Resources. YAML fixtures indent them by two
# spaces, JSON fixtures (pretty-printed) by four; the Resources section ends at the next key of
# the same level as "Resources".
logical_ids() {
  case $1 in
    *.yaml)
      awk '/^Resources:/ { on = 1; next }
           on && /^[^ #]/ { on = 0 }
           on && /^  [A-Za-z0-9]+:/ { id = $1; sub(/:$/, "", id); print id }' "$1"
      ;;
    *.json)
      awk '/^  "Resources": \{/ { on = 1; next }
           on && /^  [}"]/ { on = 0 }
           on && /^    "[A-Za-z0-9]+": \{/ { id = $1; gsub(/[":]/, "", id); print id }' "$1"
      ;;
  esac
}

mkdir -p "$out"
for ((i = 0; i < count; i++)); do
  src=${sources[i % ${#sources[@]}]}
  ext=${src##*.}
  base=$(basename "${src%.*}")
  dir=$(dirname "$src")
  dest=$(printf '%s/%04d-%s-%s.%s' "$out" "$i" "$dir" "$base" "$ext")

  # One sed script per file: rename each logical id as a whole word (so "Vpc" does not touch
  # "VpcId") that does not follow a colon (so the id "Certificate" does not touch the type
  # "AWS::CertificateManager::Certificate"); that also rewrites !Ref / !GetAtt / ${Id} /
  # {"Ref": "Id"} uses. Then vary the account id. The suffix is the file's index, so every output
  # file differs from every other.
  script=$(mktemp)
  while IFS= read -r id; do
    printf 's/(^|[^:[:alnum:]_])%s\\b/\\1%sC%d/g\n' "$id" "$id" "$i" >>"$script"
  done < <(logical_ids "$fixtures/$src")
  printf 's/111122223333/%012d/g\n' $((111122223333 + i)) >>"$script"
  sed -E -f "$script" "$fixtures/$src" >"$dest"
  rm -f "$script"
done

echo "wrote $count templates to $out (from ${#sources[@]} fixtures)" >&2
