package emulator_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/tfcemu/tfcemu/emulator"
)

// TestProductionListenAnswersAsAppTerraformIO starts the emulator with a
// production listener and reaches it as a client configured for TFC's
// production address does (https://app.terraform.io, through DNS that
// names the emulator): go-tfe verifies the certificate with the CA from
// --ca-out and reads the owner's account.
func TestProductionListenAnswersAsAppTerraformIO(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	prodAddr := l.Addr().String()
	l.Close()
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	e := startEmulator(t, emulator.Config{ProductionListen: prodAddr, CAOut: caPath})
	if u := e.Info().TFCURL; u[:5] != "http:" {
		t.Fatalf("the TFC listener is %s: ProductionListen alone must not turn on --tls", u)
	}
	caPEM, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA in --ca-out")
	}
	// app.terraform.io resolves to the production listener, as a container
	// network alias makes it.
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != "app.terraform.io:443" {
			t.Errorf("dialled %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, prodAddr)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: roots}}}
	c, err := tfe.NewClient(&tfe.Config{Address: "https://app.terraform.io", Token: e.Info().OwnerToken, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Users.ReadCurrent(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" {
		t.Fatalf("user = %+v", u)
	}
}
