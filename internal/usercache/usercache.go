// Package usercache keeps what tfcemu remembers between starts, in the
// user's cache directory (os.UserCacheDir()/tfcemu: $XDG_CACHE_HOME/tfcemu
// or ~/.cache/tfcemu on Linux): the signing key, the Terraform CLI
// versions seen, the CEL expressions known to compile. Each saves a
// second start work whose result is known; losing the directory only
// makes the next start do it again.
package usercache

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Stamp identifies a file's contents for a cache entry by its size and
// modification time: a rebuilt or replaced binary has another stamp.
func Stamp(fi os.FileInfo) string {
	return strconv.FormatInt(fi.Size(), 10) + "@" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
}

// Dir is the cache directory, created on the first write.
func Dir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tfcemu"), nil
}

// Path is name's path in the cache directory.
func Path(name string) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// ReadFile reads name from the cache directory.
func ReadFile(name string) ([]byte, error) {
	path, err := Path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// WriteFile writes name in the cache directory (made 0700) with perm,
// through a temp file and a rename, so a concurrent start reads the old
// file or the new one, never half of one.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	dir, err := Dir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, werr := tmp.Write(data)
	if err := tmp.Chmod(perm); err != nil && werr == nil {
		werr = err
	}
	if err := tmp.Close(); err != nil && werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("cache: %w", werr)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}
