package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tfcemu/tfcemu/emulator/identity"
	"github.com/tfcemu/tfcemu/internal/usercache"
)

// keyCacheFile is the cached signing key's name in the user's cache
// directory (usercache).
const keyCacheFile = "signing-key.pem"

// cachedSigningKey returns the RSA key cached in the user's cache
// directory, so a second start does not wait on key generation. A
// missing, unreadable or loosely permitted (readable by others than its
// owner) file is replaced by a freshly generated key, written 0600 (its
// directory 0700) through a temp file and a rename, so concurrent starts
// never read half a key. generate false only reads: a missing key is
// (nil, nil).
func cachedSigningKey(generate bool) (*rsa.PrivateKey, error) {
	path, err := usercache.Path(keyCacheFile)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 == 0 {
		if b, err := os.ReadFile(path); err == nil {
			if key, err := identity.ParsePrivateKeyPEM(b); err == nil {
				return key, nil
			}
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if !generate {
		return nil, nil
	}
	key, err := identity.GenerateKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := usercache.WriteFile(keyCacheFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return key, fmt.Errorf("key %w", err)
	}
	return key, nil
}
