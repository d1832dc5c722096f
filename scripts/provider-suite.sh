#!/usr/bin/env bash
# Runs the real Terraform providers hashicorp/tfe and hashicorp/vault
# against `tfcemu serve --tls`: terraform init (offline, from a local
# filesystem mirror), apply, plan -detailed-exitcode (no changes expected)
# and destroy, on the configurations in scripts/provider-suite/{tfe,vault}.
# A measurement, not part of `make test`. At the end it prints each step's
# result and every request the emulator answered with a 4xx/5xx or did not
# route (GET /_emulator/requests).
#
# The providers come from $TFCEMU_PROVIDER_CACHE (default
# ~/.cache/tfcemu/providers) as terraform-provider-<name>_v<version>
# binaries; when one is absent the script tries `go install
# <module>@<version>` from the Go module proxy (today the proxy refuses
# terraform-provider-tfe and serves terraform-provider-vault only at v1.9.0,
# since v2+ has no /vN module path). A provider that is not there is
# reported and its configuration skipped. The project does not build the
# providers from their source.
#
# Usage: scripts/provider-suite.sh [tfe] [vault]
# Env:   TFCEMU_BIN (default: built from this tree), TERRAFORM (default:
#        terraform on PATH, else bin/tools/terraform), TFE_PROVIDER_VERSION,
#        VAULT_PROVIDER_VERSION, KEEP=1 keeps the work directory.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(tfe vault)

TFE_PROVIDER_VERSION=${TFE_PROVIDER_VERSION:-0.79.0}
VAULT_PROVIDER_VERSION=${VAULT_PROVIDER_VERSION:-5.7.0}
cache=${TFCEMU_PROVIDER_CACHE:-$HOME/.cache/tfcemu/providers}
mkdir -p "$cache"

terraform=${TERRAFORM:-$(scripts/terraform.sh)}
if [ ! -x "$terraform" ]; then
  echo "provider-suite: no terraform binary (scripts/terraform.sh found or built none)"; exit 1
fi

# build_provider NAME VERSION: prints the binary's path, or nothing.
build_provider() {
  local name=$1 version=$2 bin="$cache/terraform-provider-$1_v$2"
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  local gobin; gobin=$(mktemp -d)
  if GOBIN=$gobin GOFLAGS=-mod=mod go install "github.com/hashicorp/terraform-provider-$name@v$version" >"$cache/build-$name.log" 2>&1; then
    mv "$gobin/terraform-provider-$name" "$bin" && echo "$bin"; rm -rf "$gobin"; return
  fi
  rm -rf "$gobin"
  echo "provider-suite: no terraform-provider-$name v$version: put the binary at $bin (go install failed: see $cache/build-$name.log)" >&2
}

work=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

bin=${TFCEMU_BIN:-}
if [ -z "$bin" ]; then
  bin=$work/tfcemu
  go build -o "$bin" ./cmd/tfcemu || exit 1
fi

# A filesystem mirror in the unpacked layout: terraform init installs from
# it without a registry.
mirror=$work/mirror
declare -A versions=([tfe]=$TFE_PROVIDER_VERSION [vault]=$VAULT_PROVIDER_VERSION)
declare -A available=()
for s in "${suites[@]}"; do
  p=$(build_provider "$s" "${versions[$s]}")
  [ -z "$p" ] && continue
  dir=$mirror/registry.terraform.io/hashicorp/$s/${versions[$s]}/$(go env GOOS)_$(go env GOARCH)
  mkdir -p "$dir" && cp "$p" "$dir/terraform-provider-${s}_v${versions[$s]}"
  available[$s]=1
done

"$bin" serve --tls --ca-out "$work/ca.pem" --tfc-listen 127.0.0.1:0 --vault-listen 127.0.0.1:0 --rate-limit 0 \
  --ready-file "$work/ready.json" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
[ -s "$work/ready.json" ] || { echo "provider-suite: tfcemu did not start"; cat "$work/serve.log"; exit 1; }
tfc_url=$(jq -r .tfc_url "$work/ready.json")
vault_url=$(jq -r .vault_url "$work/ready.json")
issuer=$(jq -r .issuer "$work/ready.json")
owner_token=$(jq -r .owner_token "$work/ready.json")
vault_token=$(jq -r .vault_token "$work/ready.json")
host=${tfc_url#https://}
host=${host%/}

cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
credentials "$host" {
  token = "$owner_token"
}
EOF
export TF_CLI_CONFIG_FILE=$work/terraformrc SSL_CERT_FILE=$work/ca.pem TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export VAULT_ADDR=$vault_url VAULT_TOKEN=$vault_token VAULT_CACERT=$work/ca.pem
export TF_VAR_hostname=$host TF_VAR_tfc_address=$tfc_url TF_VAR_tfc_token=$owner_token TF_VAR_issuer=$issuer TF_VAR_vault_addr=$vault_url

declare -a results=()
step() { # step SUITE NAME WANT-EXIT CMD...
  local suite=$1 name=$2 want=$3; shift 3
  (cd "$work/$suite" && "$@") >"$work/$suite-$name.log" 2>&1
  local rc=$?
  if [ "$rc" = "$want" ]; then results+=("PASS $suite $name"); else
    results+=("FAIL $suite $name (exit $rc, want $want)")
    grep -E '^│ Error|^Error|│ Error:' -A 3 "$work/$suite-$name.log" | sed 's/^/    /' | head -40
  fi
  return $rc
}

for s in "${suites[@]}"; do
  if [ -z "${available[$s]:-}" ]; then results+=("SKIP $s (provider not built)"); continue; fi
  cp -r "scripts/provider-suite/$s" "$work/$s"
  echo "== $s: terraform-provider-$s v${versions[$s]} against $tfc_url / $vault_url"
  step "$s" init 0 "$terraform" init -input=false -no-color || continue
  step "$s" apply 0 "$terraform" apply -input=false -auto-approve -no-color
  step "$s" plan 0 "$terraform" plan -input=false -detailed-exitcode -no-color
  step "$s" destroy 0 "$terraform" destroy -input=false -auto-approve -no-color
done

echo
curl -s --cacert "$work/ca.pem" "$tfc_url/_emulator/requests?limit=100000" >"$work/journal.json"
echo "== tfcemu served $(jq '[.requests[] | select(.service == "tfc")] | length' "$work/journal.json") TFC and $(jq '[.requests[] | select(.service == "vault")] | length' "$work/journal.json") Vault requests; those it refused or did not route:"
jq -r '.requests[] | select(.status >= 400 or .unmatched) | "\(.status) \(if .unmatched then "UNMATCHED " else "" end)\(.service) \(.method) \(.path)\(if .query then "?" + .query else "" end)"' "$work/journal.json" |
  sort | uniq -c | sort -rn
echo
printf '%s\n' "${results[@]}"
pass=$(printf '%s\n' "${results[@]}" | grep -c '^PASS')
fail=$(printf '%s\n' "${results[@]}" | grep -c '^FAIL')
echo "provider suite: $pass passed, $fail failed"
[ "$fail" = 0 ]
