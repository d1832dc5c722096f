// Package slug checks and unpacks configuration version archives (the
// tar.gz "slugs" go-slug packs for `terraform plan`/`apply` with a cloud
// block) the way HCP Terraform's ingress does: every entry must stay inside
// the directory it is unpacked to, symlinks included, and the unpacked
// size is bounded.
package slug

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// MaxUnpackedBytes bounds what an archive may unpack to.
const MaxUnpackedBytes = 256 << 20

// MaxEntries bounds the number of entries of an archive.
const MaxEntries = 100000

// ErrInvalid marks an archive refused by Check or Unpack.
var ErrInvalid = errors.New("invalid configuration archive")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// inside reports whether the slash path p, relative to the archive root,
// stays inside it.
func inside(p string) bool {
	if p == "" || path.IsAbs(p) || strings.HasPrefix(p, "\\") || strings.Contains(p, "\\") && filepath.Separator == '\\' {
		return false
	}
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}

// Check walks an archive without writing anything: entries with absolute
// or escaping paths, links pointing outside the root, device files and an
// unpacked size over MaxUnpackedBytes are refused.
func Check(archive []byte) error {
	links := map[string]string{} // symlink entry -> its target
	var names []string
	err := walk(archive, func(h *tar.Header, name string, _ io.Reader) error {
		names = append(names, name)
		if h.Typeflag == tar.TypeSymlink {
			links[name] = h.Linkname
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Nothing may go through a symlink of the archive: neither an entry
	// (written through it) nor another link's target (a chain of links
	// can leave the directory although each looks inside).
	for _, n := range names {
		if through(links, "", n, false) {
			return invalid("entry %q is written through a symlink", n)
		}
	}
	for n, target := range links {
		if through(links, path.Dir(n), target, false) {
			return invalid("symlink %q points through another symlink (%s)", n, target)
		}
	}
	return nil
}

// through reports whether walking rel from base component by component
// passes a symlink of links before its last component (or at it, with
// last set).
func through(links map[string]string, base, rel string, last bool) bool {
	cur := base
	if cur == "." {
		cur = ""
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		switch part {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			if cur == "." {
				cur = ""
			}
		default:
			cur = path.Join(cur, part)
		}
		if _, ok := links[cur]; ok && (i < len(parts)-1 || last && part != "..") {
			return true
		}
	}
	return false
}

// Unpack checks and extracts an archive into dir (which must exist).
func Unpack(archive []byte, dir string) error {
	if err := Check(archive); err != nil {
		return err
	}
	return walk(archive, func(h *tar.Header, name string, r io.Reader) error {
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			return os.MkdirAll(target, 0o755)
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.Symlink(h.Linkname, target)
		case tar.TypeLink:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.Link(filepath.Join(dir, filepath.FromSlash(path.Clean(h.Linkname))), target)
		default:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if h.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, r)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}
	})
}

func walk(archive []byte, fn func(h *tar.Header, name string, r io.Reader) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return invalid("not a gzip-compressed tar archive")
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	var total int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return invalid("not a tar archive: %v", err)
		}
		if n >= MaxEntries {
			return invalid("more than %d entries", MaxEntries)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if name == "" || name == "." {
			continue
		}
		if !inside(name) {
			return invalid("entry %q is outside the configuration directory", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA, tar.TypeDir:
		case tar.TypeSymlink:
			target := h.Linkname
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(path.Clean(name)), target)
			}
			if path.IsAbs(h.Linkname) || !inside(target) {
				return invalid("symlink %q points outside the configuration directory (%s)", h.Name, h.Linkname)
			}
		case tar.TypeLink:
			if !inside(h.Linkname) {
				return invalid("hard link %q points outside the configuration directory (%s)", h.Name, h.Linkname)
			}
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
			continue
		default:
			return invalid("entry %q is not a file, directory or link", h.Name)
		}
		total += h.Size
		if h.Size < 0 || total > MaxUnpackedBytes {
			return invalid("unpacks to more than %d bytes", MaxUnpackedBytes)
		}
		if err := fn(h, path.Clean(name), io.LimitReader(tr, h.Size)); err != nil {
			return err
		}
	}
}
