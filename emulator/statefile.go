package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// snapshotter is a service whose state survives a restart through
// --state-file.
type snapshotter interface {
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

// stateDocument is the --state-file format.
type stateDocument struct {
	Version  int                        `json:"version"`
	Services map[string]json.RawMessage `json:"services"`
}

const stateVersion = 1

// stateFile loads the emulator's state at start and saves it atomically
// (temp file, fsync, rename) after each change and on close.
type stateFile struct {
	path     string
	snapshot func() (json.RawMessage, error)
	log      interface{ Error(string, ...any) }

	mu sync.Mutex
}

func openStateFile(path string, e *Emulator) (*stateFile, error) {
	f := &stateFile{path: path, snapshot: e.Snapshot, log: e.log}
	removeStaleTemps(path, e.log)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, f.write()
	case err != nil:
		return nil, fmt.Errorf("state file: %w", err)
	}
	if err := e.Restore(b); err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return f, nil
}

// snapshotters are the services whose state a snapshot holds: the
// virtual clock, the issuer, TFC, and Vault when its server implements
// snapshotter.
func (e *Emulator) snapshotters() map[string]snapshotter {
	m := map[string]snapshotter{"clock": e.clock, "identity": e.issuer, "tfc": e.tfc}
	if v, ok := any(e.vault).(snapshotter); ok {
		m["vault"] = v
	}
	for _, c := range e.clouds {
		m[c.name] = c.svc
	}
	return m
}

// tempPrefix starts the names of the atomic-write temp files of the state
// file path, next to it: .<name>.tmp-<random>. They are named for the
// state file so a start cleans up only its own.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps deletes the temp files a crash left beside path (a
// write interrupted before its rename); the state file itself is whole.
func removeStaleTemps(path string, log interface{ Warn(string, ...any) }) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if ent.Type().IsRegular() && strings.HasPrefix(ent.Name(), tempPrefix(path)) {
			name := filepath.Join(dir, ent.Name())
			if err := os.Remove(name); err == nil {
				log.Warn("state file: removed a temp file left by a crash", "path", name)
			}
		}
	}
}

// Snapshot returns the emulator's state as one JSON document (what
// --state-file holds and GET /_emulator/snapshot answers).
func (e *Emulator) Snapshot() (json.RawMessage, error) {
	doc := stateDocument{Version: stateVersion, Services: map[string]json.RawMessage{}}
	for name, s := range e.snapshotters() {
		raw, err := s.Snapshot()
		if err != nil {
			return nil, err
		}
		doc.Services[name] = raw
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Restore loads a snapshot. If any part is refused, the parts already
// loaded are put back as they were, so a bad snapshot changes nothing.
func (e *Emulator) Restore(b []byte) (err error) {
	var doc stateDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	if doc.Version != stateVersion {
		return fmt.Errorf("version %d, want %d", doc.Version, stateVersion)
	}
	services := e.snapshotters()
	names := make([]string, 0, len(doc.Services))
	for name := range doc.Services {
		if _, ok := services[name]; !ok {
			return fmt.Errorf("unknown service %q", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	before := map[string]json.RawMessage{}
	for _, name := range names {
		raw, err := services[name].Snapshot()
		if err != nil {
			return err
		}
		before[name] = raw
	}
	var applied []string
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("snapshot refused: %v", p)
		}
		if err != nil {
			for _, name := range applied {
				_ = services[name].Restore(before[name])
			}
		}
	}()
	for _, name := range names {
		applied = append(applied, name)
		if err := services[name].Restore(doc.Services[name]); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// save writes the state now; a failure is logged, the request already done.
func (f *stateFile) save() {
	if err := f.write(); err != nil {
		f.log.Error("state file: save failed", "path", f.path, "err", err)
	}
}

func (f *stateFile) close() error { return f.write() }

func (f *stateFile) write() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.snapshot()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), tempPrefix(f.path)+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}
