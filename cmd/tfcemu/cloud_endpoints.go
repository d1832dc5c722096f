package main

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

// awsServicesSection names the shared-config services section that points
// STS (and only STS) at the emulator.
const awsServicesSection = "tfcemu-sts"

// pointAtClouds rewrites a phase's AWS configuration so the run's providers
// exchange their token with the emulator's STS (aws_sts_url) instead of
// AWS: AWS_ENDPOINT_URL_STS in the environment, and in each shared config
// file with a web identity profile a services section whose sts
// endpoint_url is the emulator
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
// Other services keep their real endpoints.
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
	pointAWS(env, info.AWSSTSURL)
	return nil
}

// pointAWS adds the STS endpoint to a phase's AWS dynamic credentials.
func pointAWS(env *admin.PhaseEnvironment, stsURL string) {
	if env.Env == nil {
		env.Env = map[string]string{}
	}
	configured := env.Env["AWS_WEB_IDENTITY_TOKEN_FILE"] != ""
	for path, content := range env.Files {
		if !strings.Contains(content, "web_identity_token_file") || strings.Contains(content, "[services "+awsServicesSection+"]") {
			continue
		}
		configured = true
		env.Files[path] = strings.Replace(content, "[default]\n", "[default]\nservices = "+awsServicesSection+"\n", 1) +
			"\n[services " + awsServicesSection + "]\nsts =\n  endpoint_url = " + stsURL + "\n"
	}
	if configured {
		env.Env["AWS_ENDPOINT_URL_STS"] = stsURL
	}
}
