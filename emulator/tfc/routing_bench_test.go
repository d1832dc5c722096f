package tfc

import (
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkRoutingLastRow serves the route table's last row (an unknown
// variable of an unknown variable set: a 404 from the handler) through
// the flat gorilla/mux router (what served before) and through the
// per-segment routers, alternately, reporting both and flat/bucketed.
func BenchmarkRoutingLastRow(b *testing.B) {
	s, owner := newTestService(b)
	flat := s.apiRouter()
	req := httptest.NewRequest("DELETE", apiPrefix+"/varsets/varset-none/relationships/vars/var-none", nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	var tf, tb time.Duration
	for b.Loop() {
		t0 := time.Now()
		flat.ServeHTTP(httptest.NewRecorder(), req)
		t1 := time.Now()
		s.handler.ServeHTTP(httptest.NewRecorder(), req)
		tb += time.Since(t1)
		tf += t1.Sub(t0)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tf.Nanoseconds())/n, "flat-ns/op")
	b.ReportMetric(float64(tb.Nanoseconds())/n, "bucketed-ns/op")
	b.ReportMetric(float64(tf)/float64(tb), "speedup")
}
