package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/tfcemu/tfcemu/emulator/testcontainer"
)

// emulatorAlias is the emulator container's name on the shared network;
// the real Vault reaches TFC and the issuer there.
const emulatorAlias = "tfcemu"

// vaultAlias is the real Vault's name on the shared network; the
// emulator's runs log in there.
const vaultAlias = "vault"

// vaultStarted is the line a Vault dev server prints once it serves.
const vaultStarted = "==> Vault server started!"

// startRealVault runs the emulator and a real Vault dev server on one
// network. The emulator's issuer is http://tfcemu:8080 so Vault's jwt auth
// can discover it; scenarios reach both through ports published on
// 127.0.0.1 (testcontainers' Host() is not reachable on every machine). On
// any failure everything it made is removed again.
func startRealVault(image string) (t *Target, err error) {
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var cleanups []func()
	defer func() {
		if err != nil {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		}
	}()
	nw, err := tcnetwork.New(ctx)
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = nw.Remove(context.Background()) })
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	buildDir, err := testcontainer.BuildContext(root)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(buildDir)
	issuer := "http://" + emulatorAlias + ":8080"
	// The emulator also answers as app.terraform.io on the network, over
	// HTTPS with its own CA, so the product document's engine config (a
	// token and no address) reaches it from the real Vault.
	emu, err := testcontainer.Run(ctx, "", testcontainer.WithLocalBuild(buildDir),
		testcontainer.WithEnv("TFCEMU_ISSUER", issuer),
		testcontainer.WithEnv("TFCEMU_PRODUCTION_LISTEN", "0.0.0.0:443"), testcontainer.WithEnv("TFCEMU_CA_OUT", emulatorCA),
		testcontainer.WithNetwork(nw.Name, emulatorAlias, productionHost))
	if emu != nil {
		cleanups = append(cleanups, func() { _ = testcontainers.TerminateContainer(emu) })
	}
	if err != nil {
		return nil, err
	}
	bundle, err := caBundle(ctx, emu)
	if err != nil {
		return nil, err
	}
	defer os.Remove(bundle)
	port, err := loopbackPort()
	if err != nil {
		return nil, err
	}
	vault, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			ExposedPorts: []string{"8200/tcp"},
			HostConfigModifier: func(hc *container.HostConfig) {
				hc.PortBindings = network.PortMap{network.MustParsePort("8200/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(port)}}}
			},
			Env: map[string]string{"VAULT_DEV_ROOT_TOKEN_ID": "root", "VAULT_DEV_LISTEN_ADDRESS": "0.0.0.0:8200", "SKIP_SETCAP": "true",
				"SSL_CERT_FILE": vaultCABundle},
			Files:          []testcontainers.ContainerFile{{HostFilePath: bundle, ContainerFilePath: vaultCABundle, FileMode: 0o644}},
			Cmd:            []string{"server", "-dev"},
			Networks:       []string{nw.Name},
			NetworkAliases: map[string][]string{nw.Name: {vaultAlias}},
			WaitingFor:     wait.ForLog(vaultStarted).WithStartupTimeout(90 * time.Second),
		},
		Started: true,
	})
	if vault != nil {
		cleanups = append(cleanups, func() { _ = testcontainers.TerminateContainer(vault) })
	}
	if err != nil {
		return nil, fmt.Errorf("vault container: %w", err)
	}
	mapAddress(emulatorAlias+":8080", strings.TrimPrefix(emu.TFEAddress(), "http://"))
	return &Target{
		Name: "vault-container", TFCURL: emu.TFEAddress(), VaultURL: fmt.Sprintf("http://127.0.0.1:%d", port),
		Issuer: issuer, TFCURLForVault: issuer, VaultURLForRuns: "http://" + vaultAlias + ":8200", OwnerToken: emu.OwnerToken(), VaultToken: "root", AdminToken: emu.AdminToken(), Emulator: true, RealVault: true,
		CloudsURL: emu.CloudsAddress(),
		Close: func() error {
			var errs []error
			errs = append(errs, testcontainers.TerminateContainer(vault), testcontainers.TerminateContainer(emu))
			errs = append(errs, nw.Remove(context.Background()))
			return errors.Join(errs...)
		},
	}, nil
}

// Where the emulator writes its CA, where the real Vault finds the CA
// bundle that trusts it, and the production host the emulator stands in for.
const (
	emulatorCA     = "/tfcemu-ca.pem"
	vaultCABundle  = "/tmp/tfcemu-ca-bundle.pem"
	productionHost = "app.terraform.io"
)

// caBundle writes a CA bundle that trusts what this host trusts and the
// emulator container's CA, for the real Vault to reach app.terraform.io on
// the network as the emulator.
func caBundle(ctx context.Context, emu *testcontainer.Container) (string, error) {
	r, err := emu.CopyFileFromContainer(ctx, emulatorCA)
	if err != nil {
		return "", fmt.Errorf("the emulator's CA: %w", err)
	}
	defer r.Close()
	ca, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	system, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		system = nil // no system bundle: the emulator's CA alone
	}
	f, err := os.CreateTemp("", "tfcemu-ca-bundle-*.pem")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(append(append(system, '\n'), ca...)); err != nil {
		return "", err
	}
	return f.Name(), f.Chmod(0o644)
}

// loopbackPort asks the kernel for a free port on 127.0.0.1.
func loopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
