package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tfcemu/tfcemu/emulator"
)

// routes prints the route inventory of every API the emulator serves, one
// row per method and path template, as a table or JSON.
func routes(_ context.Context, args []string, stdout, stderr io.Writer) error {
	var api string
	var asJSON bool
	fs := newFlagSet("routes", "routes [flags]")
	fs.SetOutput(stderr)
	fs.StringVar(&api, "api", "", "only this API: tfc, archivist, issuer, admin or vault")
	fs.BoolVar(&asJSON, "json", false, "print JSON rows instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	e, err := emulator.New(emulator.Config{})
	if err != nil {
		return err
	}
	var rows []emulator.Route
	for _, r := range e.Routes() {
		if api == "" || r.API == api {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return usageError("no routes for api %q", api)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tMETHOD\tPATH")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.API, r.Method, r.Path)
	}
	return tw.Flush()
}
