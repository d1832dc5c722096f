// Command tfcemu runs the emulator of HCP Terraform's API, its OIDC
// workload-identity issuer and Vault's Terraform Cloud secrets engine.
//
//	tfcemu serve         run the emulator (embedded default seed)
//	tfcemu healthcheck   exit 0 when the emulator answers healthy
//	tfcemu token         mint a workload identity token from a running emulator
//	tfcemu agent         run commands and hooks with a run phase's environment
//	tfcemu version       print the version
//
// Every flag has an environment twin TFCEMU_<FLAG_IN_UPPER_SNAKE>; flags win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		holdGC()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: tfcemu <command> [flags]

commands:
  serve         run the emulator (TFC API, OIDC issuer, Vault)
  healthcheck   exit 0 when a running emulator answers healthy
  token         mint a workload identity token from a running emulator
  agent exec    run a command with a run phase's environment (tokens, credentials)
  agent hooks   run a run's plan and apply with tfc-agent hooks
  routes        print the route inventory of every API
  version       print the version

Run 'tfcemu <command> -h' for a command's flags.
`

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, args[1:], stdout, stderr)
	case "token":
		err = token(ctx, args[1:], stdout, stderr)
	case "agent":
		err = agent(ctx, args[1:], stdout, stderr)
	case "routes":
		err = routes(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "tfcemu", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "tfcemu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var code exitCode
	switch {
	case errors.As(err, &code):
		return int(code)
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "tfcemu:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "tfcemu:", err)
		return 1
	}
}

// errUsage marks errors in how the command was called (exit code 2).
var errUsage = errors.New("usage")

func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
}
