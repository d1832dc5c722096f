package testcontainer_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	tfe "github.com/hashicorp/go-tfe"
	vault "github.com/hashicorp/vault/api"
	"github.com/testcontainers/testcontainers-go"

	"github.com/tfcemu/tfcemu/emulator/testcontainer"
)

// ExampleRun starts tfcemu from an image built with `make image` and talks
// to it with the real clients.
func ExampleRun() {
	ctx := context.Background()
	c, err := testcontainer.Run(ctx, "tfcemu:local", testcontainer.WithEnv("TFCEMU_RATE_LIMIT", "0"))
	if err != nil {
		panic(err)
	}
	defer testcontainers.TerminateContainer(c)

	client, _ := tfe.NewClient(&tfe.Config{Address: c.TFEAddress(), Token: c.OwnerToken()})
	user, _ := client.Users.ReadCurrent(ctx)
	fmt.Println(user.ID)
}

func TestRunWithTheRealClients(t *testing.T) {
	if err := exec.Command("docker", "version").Run(); err != nil {
		t.Skipf("no Docker engine: %v", err)
	}
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	dir, err := testcontainer.BuildContext("../..")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	token := "containertoken.atlasv1.ContainerOwnerTokenxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	c, err := testcontainer.Run(ctx, "", testcontainer.WithLocalBuild(dir), testcontainer.WithOwnerToken(token),
		testcontainer.WithVaultRootToken("s3cr3t"), testcontainer.WithSeed("../../fixtures/examples/ci-seed.yaml"))
	if c != nil {
		defer testcontainers.TerminateContainer(c)
	}
	if err != nil {
		t.Fatal(err)
	}
	if c.OwnerToken() != token || c.VaultToken() != "s3cr3t" || c.IssuerURL() != c.TFEAddress() {
		t.Fatalf("accessors: %q %q %q %q", c.OwnerToken(), c.VaultToken(), c.IssuerURL(), c.TFEAddress())
	}
	client, err := tfe.NewClient(&tfe.Config{Address: c.TFEAddress(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	user, err := client.Users.ReadCurrent(ctx)
	if err != nil || user.ID != "user-ciowner123456789" {
		t.Fatalf("current user from the CI seed: %+v %v", user, err)
	}
	vc, _ := vault.NewClient(&vault.Config{Address: c.VaultAddress()})
	vc.SetToken("s3cr3t")
	if _, err := vc.Sys().ListMounts(); err != nil {
		t.Fatalf("vault with the custom root token: %v", err)
	}
	// The admin API needs the generated admin token; health does not.
	if len(c.AdminToken()) < 32 {
		t.Fatalf("admin token %q", c.AdminToken())
	}
	for _, tc := range []struct {
		path, token string
		want        int
	}{{"/_emulator/info", "", 401}, {"/_emulator/info", c.AdminToken(), 200}, {"/_emulator/health", "", 200}} {
		req, _ := http.NewRequestWithContext(ctx, "GET", c.TFEAddress()+tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("GET %s with token %q: %d, want %d", tc.path, tc.token, resp.StatusCode, tc.want)
		}
	}
	// The issuer is the published address: discovery from the host works.
	if _, err := oidc.NewProvider(ctx, c.IssuerURL()); err != nil {
		t.Fatalf("discovery: %v", err)
	}
}
