#!/usr/bin/env bash
# Prints the path of a Terraform CLI the features can drive (>= 1.6: its
# cloud block uploads state as current HCP Terraform expects): `terraform`
# on PATH when it is new enough, else v1.6.6 (the newest release whose
# go.mod has no replace directives, so `go install` can build it) built
# from the Go module proxy into bin/tools, once. Progress goes to stderr.
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
