// Package testcontainer starts tfcemu in a container from Go tests, in the
// style of the testcontainers-go modules:
//
//	c, err := testcontainer.Run(ctx, "tfcemu:local")
//	defer testcontainers.TerminateContainer(c)
//	tfe.NewClient(&tfe.Config{Address: c.TFEAddress(), Token: c.OwnerToken()})
//
// The admin API (/_emulator/*) needs c.AdminToken() as a bearer token.
//
// The container's TFC and Vault ports are published on fixed free host
// ports chosen before start, so the emulator knows the addresses its
// clients use: its issuer matches what OIDC discovery sees from the host.
package testcontainer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Ports inside the container.
const (
	TFCPort   = "8080/tcp"
	VaultPort = "8200/tcp"
	// CloudsPort is the clouds listener (AWS STS, aws_sts_url).
	CloudsPort = "8300/tcp"
)

// Default tokens of the embedded seed and of Vault.
const (
	DefaultOwnerToken = "tfcemuownertkn.atlasv1.tfcemuOwnerTokenForLocalUseOnlyDoNotUseInProductionAAAAAAAAAAAAAAAA"
	DefaultVaultToken = "root"
)

// Container is a running tfcemu.
type Container struct {
	testcontainers.Container
	tfcURL, vaultURL  string
	cloudsURL         string
	ownerToken, vault string
	adminToken        string
}

// TFEAddress is the TFC API's base URL (TFE_ADDRESS), which is also the
// OIDC issuer.
func (c *Container) TFEAddress() string { return c.tfcURL }

// CloudsAddress is the clouds listener's base URL (aws_sts_url).
func (c *Container) CloudsAddress() string { return c.cloudsURL }

// VaultAddress is Vault's base URL (VAULT_ADDR).
func (c *Container) VaultAddress() string { return c.vaultURL }

// IssuerURL is the OIDC issuer of the workload identity tokens.
func (c *Container) IssuerURL() string { return c.tfcURL }

// OwnerToken is the organization owner's TFC API token.
func (c *Container) OwnerToken() string { return c.ownerToken }

// VaultToken is Vault's root token.
func (c *Container) VaultToken() string { return c.vault }

// AdminToken is the admin API's bearer token (Authorization: Bearer) for
// every /_emulator route but the health check.
func (c *Container) AdminToken() string { return c.adminToken }

// options collects what the customizers set.
type options struct {
	ownerToken, vaultToken, adminToken string
}

// WithAdminToken sets the admin API's token (--admin-token); the default
// is a random one, so nothing else on the machine can drive the admin API.
func WithAdminToken(token string) Option {
	return func(req *testcontainers.GenericContainerRequest, o *options) error {
		req.Env["TFCEMU_ADMIN_TOKEN"] = token
		if o != nil {
			o.adminToken = token
		}
		return nil
	}
}

// randomToken is a fresh admin token.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "tfcemu-admin-" + hex.EncodeToString(b), nil
}

// Option customizes the container.
type Option func(*testcontainers.GenericContainerRequest, *options) error

// Customize implements testcontainers.ContainerCustomizer.
func (o Option) Customize(req *testcontainers.GenericContainerRequest) error { return o(req, nil) }

// WithOwnerToken sets the owner's TFC API token (--owner-token).
func WithOwnerToken(token string) Option {
	return func(req *testcontainers.GenericContainerRequest, o *options) error {
		req.Env["TFCEMU_OWNER_TOKEN"] = token
		if o != nil {
			o.ownerToken = token
		}
		return nil
	}
}

// WithVaultRootToken sets Vault's root token (--vault-root-token).
func WithVaultRootToken(token string) Option {
	return func(req *testcontainers.GenericContainerRequest, o *options) error {
		req.Env["TFCEMU_VAULT_ROOT_TOKEN"] = token
		if o != nil {
			o.vaultToken = token
		}
		return nil
	}
}

// WithSeed loads a seed file (YAML) from the host instead of the default.
func WithSeed(path string) Option {
	return func(req *testcontainers.GenericContainerRequest, _ *options) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: abs, ContainerFilePath: "/seed.yaml", FileMode: 0o644})
		req.Env["TFCEMU_SEED"] = "/seed.yaml"
		return nil
	}
}

// WithEnv sets any TFCEMU_* setting, e.g. TFCEMU_RATE_LIMIT=0.
func WithEnv(key, value string) Option {
	return func(req *testcontainers.GenericContainerRequest, _ *options) error {
		req.Env[key] = value
		return nil
	}
}

// WithNetwork attaches the container to a Docker network under one or
// more aliases, so other containers (a real Vault) reach it as
// http://<alias>:8080.
func WithNetwork(name string, aliases ...string) Option {
	return func(req *testcontainers.GenericContainerRequest, _ *options) error {
		req.Networks = append(req.Networks, name)
		if req.NetworkAliases == nil {
			req.NetworkAliases = map[string][]string{}
		}
		req.NetworkAliases[name] = append(req.NetworkAliases[name], aliases...)
		return nil
	}
}

// WithLocalBuild builds the image from a directory holding a Dockerfile
// (FROM scratch) and the static binary, as `make image` does, instead of
// using a tag.
func WithLocalBuild(contextDir string) Option {
	return func(req *testcontainers.GenericContainerRequest, _ *options) error {
		req.Image = ""
		req.FromDockerfile = testcontainers.FromDockerfile{Context: contextDir, Repo: "tfcemu", Tag: "conformance-build", KeepImage: true}
		return nil
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Run starts tfcemu from image and waits until it answers healthy.
func Run(ctx context.Context, image string, opts ...Option) (*Container, error) {
	tfcPort, err := freePort()
	if err != nil {
		return nil, err
	}
	vaultPort, err := freePort()
	if err != nil {
		return nil, err
	}
	cloudsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	tfcURL := fmt.Sprintf("http://127.0.0.1:%d", tfcPort)
	cloudsURL := fmt.Sprintf("http://127.0.0.1:%d", cloudsPort)
	vaultURL := fmt.Sprintf("http://127.0.0.1:%d", vaultPort)
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			ExposedPorts: []string{TFCPort, VaultPort, CloudsPort},
			// Publish on the ports chosen above, so the external URLs the
			// emulator is told are the ones clients use.
			HostConfigModifier: func(hc *container.HostConfig) {
				loopback := netip.MustParseAddr("127.0.0.1")
				hc.PortBindings = network.PortMap{
					network.MustParsePort(TFCPort):    {{HostIP: loopback, HostPort: strconv.Itoa(tfcPort)}},
					network.MustParsePort(VaultPort):  {{HostIP: loopback, HostPort: strconv.Itoa(vaultPort)}},
					network.MustParsePort(CloudsPort): {{HostIP: loopback, HostPort: strconv.Itoa(cloudsPort)}},
				}
			},
			Env: map[string]string{
				"TFCEMU_EXTERNAL_URL":       tfcURL,
				"TFCEMU_VAULT_EXTERNAL_URL": vaultURL,
				"TFCEMU_CLOUDS_LISTEN":      "0.0.0.0:8300",
			},
			// The image's own health check, run inside the container: it
			// works whatever address testcontainers would use for the host.
			WaitingFor: wait.ForExec([]string{"/tfcemu", "healthcheck", "--quiet"}).WithStartupTimeout(60 * time.Second),
		},
		Started: true,
	}
	o := &options{ownerToken: DefaultOwnerToken, vaultToken: DefaultVaultToken}
	// The image listens on 0.0.0.0, so the emulator would generate an
	// admin token no one here knows: give it one (WithAdminToken replaces it).
	if o.adminToken, err = randomToken(); err != nil {
		return nil, err
	}
	req.Env["TFCEMU_ADMIN_TOKEN"] = o.adminToken
	for _, opt := range opts {
		if err := opt(&req, o); err != nil {
			return nil, err
		}
	}
	ctr, err := testcontainers.GenericContainer(ctx, req)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, tfcURL: tfcURL, vaultURL: vaultURL, cloudsURL: cloudsURL, ownerToken: o.ownerToken, vault: o.vaultToken, adminToken: o.adminToken}
	}
	if err != nil {
		return c, fmt.Errorf("tfcemu container: %w", err)
	}
	return c, nil
}

// Logs returns the container's output, for failure reports.
func (c *Container) LogsText(ctx context.Context) string {
	r, err := c.Logs(ctx)
	if err != nil {
		return err.Error()
	}
	defer r.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
