#!/usr/bin/env bash
# Builds a real HashiCorp Vault from the Go module proxy and packs it into a
# FROM-scratch image tagged hashicorp/vault:$VAULT_VERSION and
# hashicorp/vault:latest, unless the image is already there (FORCE=1 builds
# anyway). The binary stays at $VAULT_BIN (bin/vault) as the real vault CLI
# for tests. First build: 15-25 minutes on 2 cores; cached afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
VAULT_VERSION="${VAULT_VERSION:-1.21.0}"
SDK_VERSION="${SDK_VERSION:-v0.20.0}"
API_VERSION="${API_VERSION:-v1.22.0}"
VAULT_BIN="${VAULT_BIN:-bin/vault}"
IMAGE="hashicorp/vault:${VAULT_VERSION}"
# Without a Docker engine only the binary (the real vault CLI) is built;
# the vault-container target then skips with its reason.
have_docker=
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  have_docker=1
fi
if [ -z "${FORCE:-}" ] && [ -x "$VAULT_BIN" ] && { [ -z "$have_docker" ] || docker image inspect "$IMAGE" >/dev/null 2>&1; }; then
  echo "vault-image: $VAULT_BIN${have_docker:+ and $IMAGE} already present"
  exit 0
fi
work="${VAULT_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfcemu/vault-build-$VAULT_VERSION}"
mkdir -p "$work" "$(dirname "$VAULT_BIN")"
cp scripts/vault-image/main.go "$work/main.go"
if [ ! -x "$VAULT_BIN" ] || [ -n "${FORCE:-}" ]; then
  (
    cd "$work"
    # go.sum is written by a tidy that finished: an interrupted first run
    # resolves again instead of leaving a go.mod without its requirements.
    if [ ! -f go.sum ] || [ -n "${FORCE:-}" ]; then
      cat > go.mod <<MOD
module tfcemu.local/vault

go 1.25.1

require (
	github.com/hashicorp/vault v${VAULT_VERSION}
	github.com/hashicorp/vault/api ${API_VERSION}
	github.com/hashicorp/vault/sdk ${SDK_VERSION}
	github.com/hashicorp/vault/api/auth/approle v0.1.0
	github.com/hashicorp/vault/api/auth/userpass v0.1.0
	github.com/hashicorp/vault/api/auth/kubernetes v0.10.0
)

// Vault's own replace lines that point at other modules.
replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3

replace github.com/ma314smith/signedxml v1.1.1 => github.com/moov-io/signedxml v1.1.1
MOD
      echo "vault-image: resolving Vault v${VAULT_VERSION}'s modules (go mod tidy -e)"
      GOFLAGS=-mod=mod go mod tidy -e
    fi
    echo "vault-image: building Vault v${VAULT_VERSION} (CGO_ENABLED=0; 15-25 minutes the first time)"
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o vault .
  )
  cp "$work/vault" "$VAULT_BIN"
fi
if [ -z "$have_docker" ]; then
  echo "vault-image: no Docker engine; built $VAULT_BIN only (no image)"
  exit 0
fi
ctx="$work/image"
rm -rf "$ctx" && mkdir -p "$ctx/tmp"
chmod 1777 "$ctx/tmp"
cp "$VAULT_BIN" "$ctx/vault"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
cp scripts/vault-image/Dockerfile "$ctx/Dockerfile"
docker build -q -t "$IMAGE" -t hashicorp/vault:latest "$ctx"
echo "vault-image: built $IMAGE (and :latest); the CLI is $VAULT_BIN"
