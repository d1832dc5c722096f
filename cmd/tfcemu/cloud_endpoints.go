package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
	"github.com/tfcemu/tfcemu/emulator/runs/cloudendpoints"
)

// pointAtClouds rewrites a phase's cloud configuration so the run's
// providers exchange their token with the emulator's clouds listener instead
// of the real clouds (package cloudendpoints: AWS's STS, GCP's STS and IAM
// credentials, Azure's Entra ID; Azure's clients require https: serve
// --tls). Other services keep their real endpoints.
func (s *agentSession) pointAtClouds(ctx context.Context, env *admin.PhaseEnvironment) error {
	if !s.f.cloudEndpoints {
		return nil
	}
	var info emulator.Info
	if err := adminCall(ctx, http.MethodGet, s.f.admin(), "/info", nil, &info); err != nil {
		return err
	}
	if info.AWSSTSURL == "" {
		return errors.New("--cloud-endpoints: the emulator's clouds listener is off (serve --clouds-listen)")
	}
	env.Env = cloudendpoints.Point(env.Env, env.Files, cloudendpoints.Endpoints{AWSSTSURL: info.AWSSTSURL,
		GCPSTSURL: info.GCPSTSURL, GCPIAMCredentialsURL: info.GCPIAMCredentialsURL, AzureAuthorityURL: info.AzureAuthorityURL})
	return nil
}
