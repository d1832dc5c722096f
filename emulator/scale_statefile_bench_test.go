package emulator_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfcemu/tfcemu/emulator"
)

// The --state-file write benchmarks beyond the workspace update
// (scale_bench_test.go): each write at 10,000 workspaces (or 10,000 live
// Vault tokens) with --state-file against the same write without it, in
// one run (target: ratio ≤ 3). No test asserts a time.

// writeSeq numbers the benchmarks' writes across runs (-count): the
// shared emulator keeps what earlier runs wrote.
var writeSeq atomic.Int64

// stateFileWrite runs write alternately on an emulator without and one
// with --state-file holding the same state; i numbers the writes.
func stateFileWrite(b *testing.B, plain, persisted *scaled, write func(b *testing.B, s *scaled, i int)) {
	b.Helper()
	op := func(s *scaled) func(*testing.B) {
		return func(b *testing.B) { write(b, s, int(writeSeq.Add(1))) }
	}
	ratio(b, op(plain), op(persisted))
}

// BenchmarkScaleVariableCreateStateFile creates a workspace variable.
func BenchmarkScaleVariableCreateStateFile(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	stateFileWrite(b, plain, stateFileCopy(b, plain), func(b *testing.B, s *scaled, i int) {
		expect(b, s, http.StatusCreated, "POST", "/api/v2/workspaces/"+s.ids[i%len(s.ids)]+"/vars",
			fmt.Sprintf(`{"data":{"type":"vars","attributes":{"key":"bench%d","value":"v","category":"env"}}}`, i))
	})
}

// BenchmarkScaleOrgTokenCreateStateFile creates (replaces) the
// organization token.
func BenchmarkScaleOrgTokenCreateStateFile(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	stateFileWrite(b, plain, stateFileCopy(b, plain), func(b *testing.B, s *scaled, _ int) {
		expect(b, s, http.StatusCreated, "POST", "/api/v2/organizations/my-org/authentication-token", "")
	})
}

// BenchmarkScaleTeamTokenCreateStateFile creates (replaces) the owners
// team's token.
func BenchmarkScaleTeamTokenCreateStateFile(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	team := between(serve(plain.e.Handler(), plain.token, "GET", "/api/v2/organizations/my-org/teams", "").Body.String(), `"id":"`, `"`)
	stateFileWrite(b, plain, stateFileCopy(b, plain), func(b *testing.B, s *scaled, _ int) {
		expect(b, s, http.StatusCreated, "POST", "/api/v2/teams/"+team+"/authentication-token", "")
	})
}

// BenchmarkScaleVaultTokenCreateStateFile creates a Vault token on an
// emulator holding 10,000 live Vault tokens.
func BenchmarkScaleVaultTokenCreateStateFile(b *testing.B) {
	e, token := benchEmulator(b)
	root := e.Info().VaultToken
	for i := range 10000 {
		vaultDo(b, e, root, http.StatusOK, "POST", "/v1/auth/token/create",
			fmt.Sprintf(`{"ttl":"%dh","policies":["default"]}`, 1+i%700))
	}
	plain := &scaled{e: e, token: token}
	stateFileWrite(b, plain, stateFileCopy(b, plain), func(b *testing.B, s *scaled, _ int) {
		vaultDo(b, s.e, s.e.Info().VaultToken, http.StatusOK, "POST", "/v1/auth/token/create", `{"ttl":"1h","policies":["default"]}`)
	})
}

// BenchmarkScaleOrgCreateStateFile creates an organization (its default
// project, owners team and membership).
func BenchmarkScaleOrgCreateStateFile(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	stateFileWrite(b, plain, stateFileCopy(b, plain), func(b *testing.B, s *scaled, i int) {
		expect(b, s, http.StatusCreated, "POST", "/api/v2/organizations",
			fmt.Sprintf(`{"data":{"type":"organizations","attributes":{"name":"bench-org-%d","email":"bench@example.com"}}}`, i))
	})
}

// BenchmarkScaleStartStateFile starts an emulator (emulator.New: load,
// restore, compaction) from a state file of 10,000 workspaces against one
// of the seed alone; the closes are not timed.
func BenchmarkScaleStartStateFile(b *testing.B) {
	seed, _ := benchEmulator(b)
	paths := []string{stateFileOf(b, seed), stateFileOf(b, scaledEmulator(b, 10000).e)}
	emulator.SetStateChecks(false)
	var took [2]time.Duration
	for b.Loop() {
		for i, path := range paths {
			t0 := time.Now()
			e, err := emulator.New(emulator.Config{StateFile: path, RateLimit: -1})
			took[i] += time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(took[0].Nanoseconds())/n, "base-ns/op")
	b.ReportMetric(float64(took[1].Nanoseconds())/n, "large-ns/op")
	b.ReportMetric(float64(took[1])/float64(took[0]), "ratio")
}

// BenchmarkScaleOrgRenameStateFile renames an organization of its own
// (beside my-org's 10,000 workspaces): the log holds the organizations and
// the renamed one's entries, not the whole state.
func BenchmarkScaleOrgRenameStateFile(b *testing.B) {
	plain := scaledEmulator(b, 10000)
	persisted := stateFileCopy(b, plain)
	names := map[*scaled]string{}
	for _, s := range []*scaled{plain, persisted} {
		names[s] = fmt.Sprintf("bench-rename-%d", writeSeq.Add(1))
		expect(b, s, http.StatusCreated, "POST", "/api/v2/organizations",
			fmt.Sprintf(`{"data":{"type":"organizations","attributes":{"name":%q,"email":"bench@example.com"}}}`, names[s]))
		expect(b, s, http.StatusCreated, "POST", "/api/v2/organizations/"+names[s]+"/workspaces",
			`{"data":{"type":"workspaces","attributes":{"name":"renamed-with-it"}}}`)
	}
	stateFileWrite(b, plain, persisted, func(b *testing.B, s *scaled, i int) {
		next := fmt.Sprintf("bench-rename-%d", i)
		expect(b, s, http.StatusOK, "PATCH", "/api/v2/organizations/"+names[s],
			fmt.Sprintf(`{"data":{"type":"organizations","attributes":{"name":%q}}}`, next))
		names[s] = next
	})
}
