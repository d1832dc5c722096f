package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tfcemu/tfcemu/emulator/identity"
)

// keyCacheFile is the cached signing key's name in the cache directory
// (os.UserCacheDir()/tfcemu).
const keyCacheFile = "signing-key.pem"

// keyCacheDir is where the signing key is cached: the user's cache
// directory ($XDG_CACHE_HOME or ~/.cache on Linux), under tfcemu.
func keyCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tfcemu"), nil
}

// cachedSigningKey returns the RSA key cached in dir, so a second start
// does not wait on key generation. A missing, unreadable or loosely
// permitted (readable by others than its owner) file is replaced by a
// freshly generated key, written 0600 (its directory 0700) through a
// temp file and a rename, so concurrent starts never read half a key.
// generate false only reads: a missing key is (nil, nil).
func cachedSigningKey(dir string, generate bool) (*rsa.PrivateKey, error) {
	path := filepath.Join(dir, keyCacheFile)
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return key, fmt.Errorf("key cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".signing-key-*")
	if err != nil {
		return key, fmt.Errorf("key cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return key, fmt.Errorf("key cache: %w", err)
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return key, fmt.Errorf("key cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return key, fmt.Errorf("key cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return key, fmt.Errorf("key cache: %w", err)
	}
	return key, nil
}
