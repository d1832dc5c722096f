package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// snapshotter is a service whose state survives a restart through
// --state-file.
type snapshotter interface {
	Snapshot() (json.RawMessage, error)
	Restore(json.RawMessage) error
}

// generationer is a snapshotter that counts its changes: an unchanged
// generation means an unchanged snapshot, so the state file need not
// take it (TFC and Vault, whose states are the large ones).
type generationer interface{ Generation() uint64 }

// incremental is a snapshotter that can tell its changes by entry (TFC,
// Vault): Changes returns its whole snapshot when whole is asked for or
// it does not know what changed, else (Delta) the changes since its last
// call, nil for none, and with snapshot its whole snapshot at the same
// moment too; ApplyChanges replays such changes on a snapshot.
type incremental interface {
	Changes(whole, snapshot bool) (entrylog.Taken, error)
	ApplyChanges(base json.RawMessage, deltas []json.RawMessage) (json.RawMessage, error)
}

// deltaSuffix names a log record's member holding a service's changes by
// entry ("tfc.delta") rather than its whole snapshot ("tfc").
const deltaSuffix = ".delta"

// stateDocument is the --state-file format (and the admin snapshot's).
// LogSeq, in the state file only, is the last write-ahead log record the
// document holds.
type stateDocument struct {
	Version  int                        `json:"version"`
	LogSeq   uint64                     `json:"log_seq,omitempty"`
	Services map[string]json.RawMessage `json:"services"`
}

const stateVersion = 1

// Write-ahead log compaction: once the log outgrows both compactMinBytes
// and compactRatio times the state file, the state file is rewritten whole
// and the log emptied.
const (
	compactMinBytes = 8 << 20
	compactRatio    = 2
)

// stateFile keeps the emulator's state in path (a whole state document)
// and path.wal (a write-ahead log). A request that may have changed state
// waits in sync until a save taken after it is written to the log, so an
// acknowledged write survives kill -9 (the kernel holds what write(2)
// took); one writer goroutine saves for all waiting requests at once
// (group commit), appending to the log only the services whose snapshot
// changed. The log reaches the disk by an fsync in a background syncer
// (grouped too: one fsync covers every record written before it), or,
// with fsyncAlways, before the waiting requests go on, so that they also
// survive a power loss. Loading applies the log's records after the
// document's LogSeq; a record torn by a crash (it was never acknowledged)
// is dropped.
type stateFile struct {
	path     string
	services func() map[string]snapshotter
	log      interface {
		Error(string, ...any)
		Warn(string, ...any)
	}

	mu        sync.Mutex
	cond      *sync.Cond
	requested uint64 // saves asked for
	done      uint64 // saves asked for that are on disk (or failed: failed)
	// failed holds the latest saves that failed, by the tickets they
	// covered: their requests are answered with the error, not
	// acknowledged.
	failed  []failedSave
	closing bool
	// final is set when close takes its whole snapshot, finalDone when
	// it is on disk (finalErr its error): a request that asked for a
	// save while closing, before final, is in that snapshot; one after
	// it may not be.
	final, finalDone bool
	finalErr         error
	stopped          chan struct{}

	// fsyncAlways makes the writer fsync each record before it answers;
	// otherwise kick wakes the syncer, which fsyncs the log, and
	// syncStopped closes when it has stopped.
	fsyncAlways bool
	kick        chan struct{}
	syncStopped chan struct{}
	// written is the last record written to the log and synced the last
	// one known fsynced (compaction counts as both).
	written, synced atomic.Uint64
	// check, when set (tests), verifies each save by entry
	// (statefile_check.go).
	check *deltaCheck

	// The writer's own, under wmu: the log, and per service what was
	// last saved.
	wmu      sync.Mutex
	wal      *os.File
	walSize  int64
	baseSize int64
	seq      uint64
	saved    map[string]savedService
	// broken is set when a write to the log failed part-way: what
	// follows a torn record would be dropped at load, so the next save
	// rewrites the whole document and empties the log first.
	broken bool
}

// failedSave is a save that failed: tickets from and to, inclusive.
type failedSave struct {
	from, to uint64
	err      error
}

// maxFailedSaves bounds failed: a request is released by the first save
// after its ticket, so only the latest few can still have waiters.
const maxFailedSaves = 64

// errStateFileClosed answers a request whose change came after the
// state file's final save at shutdown.
var errStateFileClosed = errors.New("state file: closed (the emulator is shutting down)")

// savedService is what the state file last took of a service. raw is
// nil once changes by entry followed the snapshot (compaction takes a
// whole one anew); delta marks a log member of such changes.
type savedService struct {
	gen    uint64
	hasGen bool
	sum    uint64
	raw    json.RawMessage
	delta  bool
}

// walPath is the write-ahead log beside the state file.
func walPath(path string) string { return path + ".wal" }

var sumSeed = maphash.MakeSeed()

func openStateFile(path string, e *Emulator) (*stateFile, error) {
	f := &stateFile{path: path, services: e.snapshotters, log: e.log, saved: map[string]savedService{}, stopped: make(chan struct{}),
		fsyncAlways: e.cfg.StateFsync == StateFsyncAlways, kick: make(chan struct{}, 1), syncStopped: make(chan struct{}),
		check: newDeltaCheck()}
	f.cond = sync.NewCond(&f.mu)
	removeStaleTemps(path, e.log)
	doc, err := f.load()
	if err != nil {
		return nil, err
	}
	if doc != nil {
		f.seq = doc.LogSeq // the log goes on from the records loaded
		// The document as load decoded it: no encoding it again for
		// Restore to decode, and no state to put back if it is refused
		// (the emulator does not start).
		if err := e.restore(doc, false); err != nil {
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
	}
	if f.wal, err = os.OpenFile(walPath(path), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	// Start from one whole document and an empty log.
	if err := f.compact(); err != nil {
		f.wal.Close()
		return nil, fmt.Errorf("state file: %w", err)
	}
	go f.writer()
	go f.syncer()
	return f, nil
}

// load reads the state document and the log records after it; nil when
// there is neither.
func (f *stateFile) load() (*stateDocument, error) {
	var doc *stateDocument
	b, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("state file: %w", err)
	default:
		doc = &stateDocument{}
		if err := json.Unmarshal(b, doc); err != nil {
			return nil, fmt.Errorf("state file %s: %w", f.path, err)
		}
	}
	wal, err := os.Open(walPath(f.path))
	if errors.Is(err, os.ErrNotExist) {
		return doc, nil
	} else if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	defer wal.Close()
	pending := map[string][]json.RawMessage{} // service -> changes by entry after its snapshot
	err = readRecords(wal, func(seq uint64, services map[string]json.RawMessage) {
		if doc == nil {
			doc = &stateDocument{Version: stateVersion, Services: map[string]json.RawMessage{}}
		}
		if seq <= doc.LogSeq {
			return // already in the document (a crash between its rename and the log's truncation)
		}
		for name, raw := range services {
			if base, ok := strings.CutSuffix(name, deltaSuffix); ok {
				pending[base] = append(pending[base], raw)
				continue
			}
			doc.Services[name] = raw
			delete(pending, name)
		}
		doc.LogSeq = seq
	}, f.log)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", walPath(f.path), err)
	}
	for name, deltas := range pending {
		inc, ok := f.services()[name].(incremental)
		base, have := doc.Services[name]
		if !ok || !have {
			return nil, fmt.Errorf("state file %s: changes to %q without its snapshot", walPath(f.path), name)
		}
		if doc.Services[name], err = inc.ApplyChanges(base, deltas); err != nil {
			return nil, fmt.Errorf("state file %s: %w", walPath(f.path), err)
		}
	}
	return doc, nil
}

// A log record is a header line "tfcemu-wal <seq> <length> <crc32>\n", then
// length bytes of JSON (service name -> snapshot), then "\n".
const recordMagic = "tfcemu-wal"

// readRecords calls fn with each whole record of r in order. A torn or
// corrupt record ends the log: nothing after it was acknowledged.
func readRecords(r io.Reader, fn func(uint64, map[string]json.RawMessage), log interface{ Warn(string, ...any) }) error {
	br := bufio.NewReader(r)
	for {
		header, err := br.ReadString('\n')
		if err == io.EOF && header == "" {
			return nil
		}
		fields := strings.Fields(header)
		if err != nil || len(fields) != 4 || fields[0] != recordMagic {
			log.Warn("state file: dropped a torn write-ahead log record (never acknowledged)")
			return nil
		}
		seq, err1 := strconv.ParseUint(fields[1], 10, 64)
		n, err2 := strconv.ParseUint(fields[2], 10, 31)
		sum, err3 := strconv.ParseUint(fields[3], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil {
			log.Warn("state file: dropped a torn write-ahead log record (never acknowledged)")
			return nil
		}
		body := make([]byte, n+1)
		if _, err := io.ReadFull(br, body); err != nil || body[n] != '\n' || crc32.ChecksumIEEE(body[:n]) != uint32(sum) {
			log.Warn("state file: dropped a torn write-ahead log record (never acknowledged)")
			return nil
		}
		var services map[string]json.RawMessage
		if err := json.Unmarshal(body[:n], &services); err != nil {
			return fmt.Errorf("record %d: %w", seq, err)
		}
		fn(seq, services)
	}
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
// GET /_emulator/snapshot answers).
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
func (e *Emulator) Restore(b []byte) error {
	var doc stateDocument
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	return e.restore(&doc, true)
}

// restore loads a decoded snapshot; with rollback, the parts already
// loaded are put back as they were if a part is refused.
func (e *Emulator) restore(doc *stateDocument, rollback bool) (err error) {
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
	if rollback {
		for _, name := range names {
			raw, err := services[name].Snapshot()
			if err != nil {
				return err
			}
			before[name] = raw
		}
	}
	var applied []string
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("snapshot refused: %v", p)
		}
		if err != nil && rollback {
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

// sync returns once a save that began after the call is written to the
// log (and fsynced, with fsyncAlways): the request that called it may be
// acknowledged, unless sync returns an error (the save failed; the change
// is in memory but not on disk). Concurrent callers share one save.
func (f *stateFile) sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return f.finalSaveLocked()
	}
	f.requested++
	ticket := f.requested
	f.cond.Broadcast()
	for f.done < ticket && !f.closing {
		f.cond.Wait()
	}
	if f.done < ticket { // closing: the writer stopped before this save
		return f.finalSaveLocked()
	}
	for _, fs := range f.failed {
		if ticket >= fs.from && ticket <= fs.to {
			return fs.err
		}
	}
	return nil
}

// finalSaveLocked is sync's answer while closing (under mu): close's final
// snapshot takes the change unless it began before the change could have
// been made.
func (f *stateFile) finalSaveLocked() error {
	if f.final {
		return errStateFileClosed
	}
	for !f.finalDone {
		f.cond.Wait()
	}
	return f.finalErr
}

// writer saves for every waiting request at once until close.
func (f *stateFile) writer() {
	defer close(f.stopped)
	f.mu.Lock()
	for {
		for f.requested == f.done && !f.closing {
			f.cond.Wait()
		}
		if f.closing {
			// The waiting requests are answered after close's final
			// save (sync).
			f.cond.Broadcast()
			f.mu.Unlock()
			return
		}
		target := f.requested
		f.mu.Unlock()
		wrote, err := f.appendChanges()
		if err != nil {
			f.log.Error("state file: save failed", "path", f.path, "err", err)
		}
		if wrote && !f.fsyncAlways {
			select {
			case f.kick <- struct{}{}:
			default: // the syncer is already due to fsync
			}
		}
		f.mu.Lock()
		if err != nil {
			f.failed = append(f.failed, failedSave{from: f.done + 1, to: target, err: fmt.Errorf("state file: save failed: %w", err)})
			if len(f.failed) > maxFailedSaves {
				f.failed = f.failed[len(f.failed)-maxFailedSaves:]
			}
		}
		f.done = target
		f.cond.Broadcast()
	}
}

// changed returns the snapshot of each service that changed since it was
// last saved, or for an incremental service its changes by entry (under
// name+deltaSuffix) unless whole snapshots are asked for.
func (f *stateFile) changed(whole bool) (map[string]savedService, error) {
	out := map[string]savedService{}
	for name, s := range f.services() {
		last, seen := f.saved[name]
		inc, isInc := s.(incremental)
		var cur savedService
		if g, ok := s.(generationer); ok {
			cur.gen, cur.hasGen = g.Generation(), true
			if seen && last.hasGen && last.gen == cur.gen && (last.raw != nil || !whole) {
				f.check.unchanged(name, s, last.raw, cur.gen)
				continue
			}
		}
		var raw json.RawMessage
		var err error
		if isInc {
			taken, err := inc.Changes(whole || !seen, f.check != nil)
			if err != nil {
				return out, fmt.Errorf("%s: %w", name, err)
			}
			f.check.verify(name, inc, taken)
			raw = taken.Raw
			if taken.Delta {
				if raw == nil { // nothing changed
					last.gen, last.hasGen = cur.gen, cur.hasGen
					f.saved[name] = last
				} else {
					cur.raw, cur.delta = raw, true
					out[name+deltaSuffix] = cur
				}
				continue
			}
		} else {
			raw, err = s.Snapshot()
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", name, err)
		}
		cur.raw, cur.sum = raw, maphash.Bytes(sumSeed, raw)
		if seen && last.sum == cur.sum && bytes.Equal(last.raw, raw) {
			last.gen, last.hasGen = cur.gen, cur.hasGen
			f.saved[name] = last
			continue
		}
		out[name] = cur
	}
	return out, nil
}

// syncer fsyncs the log whenever the writer has written to it, until
// close: the records written while one fsync runs share the next.
func (f *stateFile) syncer() {
	defer close(f.syncStopped)
	for range f.kick {
		n := f.written.Load()
		if err := f.wal.Sync(); err != nil {
			f.log.Error("state file: fsync failed", "path", walPath(f.path), "err", err)
			continue
		}
		f.synced.Store(n)
	}
}

// appendChanges appends the changed services to the log as one record
// (fsynced with fsyncAlways) and reports whether it wrote one; it
// compacts a log grown large.
func (f *stateFile) appendChanges() (wrote bool, err error) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.broken {
		// A record torn by a failed write ends the log at load: start
		// over from a whole document.
		if err := f.compactLocked(true); err != nil {
			return false, err
		}
		f.broken = false
	}
	changes, err := f.changed(false)
	saved := false
	defer func() {
		if !saved {
			// Changes by entry taken but not on disk: the service has
			// forgotten them, so the next save takes it whole.
			for name, s := range changes {
				if s.delta {
					delete(f.saved, strings.TrimSuffix(name, deltaSuffix))
				}
			}
		}
	}()
	if err != nil || len(changes) == 0 {
		saved = err == nil
		return false, err
	}
	var body bytes.Buffer
	writeServices(&body, changes)
	f.seq++
	var rec bytes.Buffer
	fmt.Fprintf(&rec, "%s %d %d %d\n", recordMagic, f.seq, body.Len(), crc32.ChecksumIEEE(body.Bytes()))
	rec.Write(body.Bytes())
	rec.WriteByte('\n')
	if _, err := f.wal.Write(rec.Bytes()); err != nil {
		f.seq--
		f.broken = true
		return false, err
	}
	f.written.Store(f.seq)
	if f.fsyncAlways {
		if err := f.wal.Sync(); err != nil {
			// The record may or may not be on disk; the log after it
			// may not be either: start over from a whole document.
			f.broken = true
			return true, err
		}
		f.synced.Store(f.seq)
	}
	f.walSize += int64(rec.Len())
	for name, s := range changes {
		if s.delta {
			f.saved[strings.TrimSuffix(name, deltaSuffix)] = savedService{gen: s.gen, hasGen: s.hasGen}
			continue
		}
		f.saved[name] = s
	}
	saved = true
	if f.walSize > compactMinBytes && f.walSize > compactRatio*f.baseSize {
		return true, f.compactLocked(false)
	}
	return true, nil
}

// writeServices writes {"name":snapshot,...} in name order without
// re-encoding the snapshots.
func writeServices(w *bytes.Buffer, services map[string]savedService) {
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	w.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			w.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		w.Write(key)
		w.WriteByte(':')
		w.Write(services[name].raw)
	}
	w.WriteByte('}')
}

// compact writes the whole state as the document (temp file, fsync,
// rename, directory fsync) and empties the log.
func (f *stateFile) compact() error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	return f.compactLocked(true)
}

// compactLocked is compact under wmu; fresh takes every service's
// snapshot anew, else the changes not yet saved are taken first.
func (f *stateFile) compactLocked(fresh bool) error {
	if fresh {
		f.saved = map[string]savedService{}
	}
	changes, err := f.changed(true)
	if err != nil {
		// What was taken is on disk nowhere: the next save takes all anew.
		f.saved = map[string]savedService{}
		return err
	}
	for name, s := range changes {
		f.saved[name] = s
	}
	var doc bytes.Buffer
	fmt.Fprintf(&doc, `{"version":%d,"log_seq":%d,"services":`, stateVersion, f.seq)
	writeServices(&doc, f.saved)
	doc.WriteString("}\n")
	if err := writeAtomic(f.path, doc.Bytes()); err != nil {
		f.saved = map[string]savedService{}
		return err
	}
	f.baseSize = int64(doc.Len())
	if err := f.wal.Truncate(0); err != nil {
		return err
	}
	if _, err := f.wal.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f.walSize = 0
	if err := f.wal.Sync(); err != nil {
		return err
	}
	f.written.Store(f.seq)
	f.synced.Store(f.seq)
	return nil
}

// writeAtomic replaces path with b: a temp file beside it, fsync, rename,
// and an fsync of the directory so the rename is durable too.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// close stops the writer and the syncer, saves the whole state as the
// document and closes the log.
func (f *stateFile) close() error {
	f.mu.Lock()
	already := f.closing
	f.closing = true
	f.cond.Broadcast()
	f.mu.Unlock()
	if already {
		return nil
	}
	<-f.stopped
	close(f.kick)
	<-f.syncStopped
	f.mu.Lock()
	f.final = true
	f.mu.Unlock()
	err := f.compact()
	f.mu.Lock()
	f.finalDone, f.finalErr = true, err
	if err != nil {
		f.finalErr = fmt.Errorf("state file: final save failed: %w", err)
	}
	f.cond.Broadcast()
	f.mu.Unlock()
	return errors.Join(err, f.wal.Close())
}
