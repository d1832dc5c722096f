package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator"
)

func TestServeRunMode(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // no terraform on PATH
	for _, tc := range []struct {
		name, runs, bin, wantMode, wantErr string
	}{
		{name: "no binary means manual", wantMode: emulator.RunsManual},
		{name: "a binary means execute", bin: fake, wantMode: emulator.RunsExecute},
		{name: "manual ignores the binary", runs: "manual", bin: fake, wantMode: emulator.RunsManual},
		{name: "execute without a binary", runs: "execute", wantErr: "no Terraform binary"},
		{name: "unknown mode", runs: "auto", wantErr: `--runs "auto"`},
		{name: "missing binary", bin: filepath.Join(t.TempDir(), "nope"), wantErr: "--terraform-bin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mode, bin, err := serveFlags{runs: tc.runs, terraformBin: tc.bin}.runMode()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || mode != tc.wantMode || (mode == emulator.RunsExecute) != (bin != "") {
				t.Fatalf("runMode = %q %q %v, want %q", mode, bin, err, tc.wantMode)
			}
		})
	}
}
