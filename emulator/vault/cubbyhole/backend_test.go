package cubbyhole_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/vault/cubbyhole"
	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// testEnv is the engine with one step method per operation, for a token.
type testEnv struct {
	t *testing.T
	b logical.Backend
}

func (e *testEnv) do(token string, op logical.Operation, path string, data map[string]any) (*logical.Response, error) {
	if data == nil {
		data = map[string]any{}
	}
	return e.b.HandleRequest(context.Background(), &logical.Request{Operation: op, Path: path, Data: data, ClientToken: token})
}

func TestCubbyholeIsPerToken(t *testing.T) {
	e := &testEnv{t: t, b: cubbyhole.Factory(logical.Config{})}
	if _, err := e.do("a", logical.UpdateOperation, "dir/x", map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.do("a", logical.UpdateOperation, "top", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.do("a", logical.ReadOperation, "dir/x", nil); r == nil || r.Data["k"] != "v" {
		t.Fatalf("own read = %v", r)
	}
	if r, _ := e.do("b", logical.ReadOperation, "dir/x", nil); r != nil {
		t.Fatalf("another token read %v", r.Data)
	}
	if r, _ := e.do("a", logical.ListOperation, "", nil); !reflect.DeepEqual(r.Data["keys"], []any{"dir/", "top"}) {
		t.Fatalf("list = %v", r.Data)
	}
	if _, err := e.do("a", logical.UpdateOperation, "empty", nil); err == nil || err.Error() != "missing data fields" {
		t.Fatalf("empty write: %v", err)
	}
	if _, err := e.do("a", logical.ReadOperation, "", nil); err == nil || err.Error() != "missing path" {
		t.Fatalf("read of the root: %v", err)
	}
	snap, err := e.b.(logical.Snapshotter).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	e.b.(logical.TokenForgetter).ForgetToken("a")
	if r, _ := e.do("a", logical.ReadOperation, "top", nil); r != nil {
		t.Fatal("a revoked token's cubbyhole survived")
	}
	if err := e.b.(logical.Snapshotter).Restore(snap); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.do("a", logical.ReadOperation, "top", nil); r == nil || fmt.Sprint(r.Data["n"]) != "1" {
		t.Fatalf("restored = %v", r)
	}
}
