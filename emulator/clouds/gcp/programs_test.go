package gcp

import "testing"

// A seed's expressions compile once: validation, SetSeed and Reset share
// the program; an expression that does not compile is refused every time,
// and the cache stops growing at its bound.
func TestProgramCache(t *testing.T) {
	const expr = `assertion.sub == "cache-test"`
	a, err := compileCEL(conditionEnv(), expr, true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := compileCEL(conditionEnv(), expr, true)
	if err != nil || a != b {
		t.Fatalf("second compile: %v, same program %v", err, a == b)
	}
	if _, err := compileCEL(mappingEnv(), expr+" &&", true); err == nil {
		t.Fatal("a broken expression compiled")
	}
	if _, err := compileCEL(mappingEnv(), expr+" &&", true); err == nil {
		t.Fatal("a broken expression compiled the second time")
	}
	if _, err := compileCEL(mappingEnv(), `"x"`, true); err == nil {
		t.Fatal("a string compiled as a condition")
	}
	for i := range maxCachedPrograms + 10 {
		if _, err := compileCEL(mappingEnv(), `assertion.sub + "`+string(rune('a'+i%26))+`"+"`+string(rune('0'+i/26%10))+string(rune('0'+i/260))+`"`, false); err != nil {
			t.Fatal(err)
		}
	}
	programs.mu.Lock()
	n := len(programs.m)
	programs.mu.Unlock()
	if n > maxCachedPrograms {
		t.Fatalf("%d programs cached, bound %d", n, maxCachedPrograms)
	}
}
