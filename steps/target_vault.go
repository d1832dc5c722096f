package steps

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/tfcemu/tfcemu/emulator/testcontainer"
)

// emulatorAlias is the emulator container's name on the shared network;
// the real Vault reaches TFC and the issuer there.
const emulatorAlias = "tfcemu"

// startRealVault runs the emulator and a real Vault dev server on one
// network. The emulator's issuer is http://tfcemu:8080 so Vault's jwt auth
// can discover it; scenarios reach both through published ports.
func startRealVault(image string) (*Target, error) {
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	net, err := network.New(ctx)
	if err != nil {
		return nil, err
	}
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
	emu, err := testcontainer.Run(ctx, "", testcontainer.WithLocalBuild(buildDir),
		testcontainer.WithEnv("TFCEMU_ISSUER", issuer), testcontainer.WithNetwork(net.Name, emulatorAlias))
	if err != nil {
		return nil, err
	}
	vault, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			ExposedPorts: []string{"8200/tcp"},
			Env:          map[string]string{"VAULT_DEV_ROOT_TOKEN_ID": "root", "VAULT_DEV_LISTEN_ADDRESS": "0.0.0.0:8200", "SKIP_SETCAP": "true"},
			Cmd:          []string{"server", "-dev"},
			Networks:     []string{net.Name},
			WaitingFor:   wait.ForHTTP("/v1/sys/health").WithPort("8200/tcp"),
		},
		Started: true,
	})
	if err != nil {
		_ = testcontainers.TerminateContainer(emu)
		return nil, fmt.Errorf("vault container: %w", err)
	}
	host, err := vault.Host(ctx)
	if err != nil {
		return nil, err
	}
	port, err := vault.MappedPort(ctx, "8200/tcp")
	if err != nil {
		return nil, err
	}
	return &Target{
		Name: "vault-container", TFCURL: emu.TFEAddress(), VaultURL: fmt.Sprintf("http://%s:%s", host, port.Port()),
		Issuer: issuer, OwnerToken: emu.OwnerToken(), VaultToken: "root", Emulator: true, RealVault: true,
		Close: func() error {
			_ = testcontainers.TerminateContainer(vault)
			_ = testcontainers.TerminateContainer(emu)
			return net.Remove(context.Background())
		},
	}, nil
}
