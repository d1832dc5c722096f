module tfcemu.local/vault

// The requirements are written by scripts/vault-image.sh in its build
// directory; this file only keeps main.go out of the tfcemu module.

go 1.25.1
