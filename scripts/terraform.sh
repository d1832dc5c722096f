#!/usr/bin/env bash
# Prints the path of a Terraform CLI the features can drive, by the rule
# emulator/runs/terraformcli states (its package doc), which `tfcemu serve`
# and the features follow too: terraform >= 1.6 on PATH, else
# bin/tools/terraform, built here once from the Go module proxy (v1.6.6)
# when missing. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
want=1.6.6
tools="$PWD/bin/tools"

new_enough() {
  local v major rest minor
  v=$("$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
  [ -n "$v" ] || return 1
  major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 6 ]; }
}

if p=$(command -v terraform) && new_enough "$p"; then
  echo "$p"; exit 0
fi
if [ -x "$tools/terraform" ] && new_enough "$tools/terraform"; then
  echo "$tools/terraform"; exit 0
fi
echo "scripts/terraform.sh: building Terraform v$want from the Go module proxy into $tools (once; a few minutes)" >&2
GOBIN="$tools" go install "github.com/hashicorp/terraform@v$want" >&2
echo "$tools/terraform"
