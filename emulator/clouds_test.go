package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tfcemu/tfcemu/emulator"
	"github.com/tfcemu/tfcemu/emulator/admin"
)

type fileToken string

func (f fileToken) GetIdentityToken() ([]byte, error) { return []byte(f), nil }

// TestCloudsListenerDefaultSeedAWS: out of the box, a module-test token of
// the seeded org assumes the documented role through the clouds listener
// with the SDK; the decision is served under /_emulator/aws/decisions and
// noted in the request journal; the state file keeps the aws section.
func TestCloudsListenerDefaultSeedAWS(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	e := startEmulator(t, emulator.Config{StateFile: state})
	info := e.Info()
	if info.AWSSTSURL == "" || info.AWSSTSURL == info.TFCURL || info.GCPSTSURL != info.AWSSTSURL || info.AzureAuthorityURL != info.AWSSTSURL || info.GCPIAMCredentialsURL != info.AWSSTSURL {
		t.Fatalf("info = %+v", info)
	}
	tok := mint(t, http.DefaultClient, info.TFCURL, admin.TokenRequest{Organization: "my-org", Module: "terraform-aws-vpc", Audience: "aws.workload.identity"})
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(info.AWSSTSURL), RetryMaxAttempts: 1})
	prov := stscreds.NewWebIdentityRoleProvider(client, "arn:aws:iam::123456789012:role/terraform-module-test-role", fileToken(tok.Token))
	signed := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(info.AWSSTSURL), RetryMaxAttempts: 1, Credentials: sdkaws.NewCredentialsCache(prov)})
	id, err := signed.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sdkaws.ToString(id.Arn), "arn:aws:sts::123456789012:assumed-role/terraform-module-test-role/") {
		t.Fatalf("Arn = %s", sdkaws.ToString(id.Arn))
	}
	var decisions []struct {
		Allowed bool
		Claims  map[string]any
		Reasons []string
	}
	getJSON(t, info.TFCURL+"/_emulator/aws/decisions", &decisions)
	if len(decisions) != 1 || !decisions[0].Allowed || decisions[0].Claims["sub"] != "organization:my-org:module:terraform-aws-vpc:operation:test_run" {
		t.Fatalf("decisions = %+v", decisions)
	}
	var journal struct{ Requests []emulator.JournalEntry }
	getJSON(t, info.TFCURL+"/_emulator/requests", &journal)
	noted := false
	for _, j := range journal.Requests {
		if j.Service == "clouds" && len(j.Notes) == 1 && strings.Contains(j.Notes[0], "aws sts:AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/terraform-module-test-role: allowed") {
			noted = true
		}
	}
	if !noted {
		t.Fatalf("no journal note: %+v", journal)
	}
	// The admin API is on the clouds listener too; a PUT is saved.
	req, _ := http.NewRequest(http.MethodPut, info.AWSSTSURL+"/_emulator/aws/roles/extra", strings.NewReader(`{"assume_role_policy":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}}}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT role: %v %v", resp, err)
	}
	resp.Body.Close()
	b, err := stateFileText(state)
	if err != nil || !strings.Contains(string(b), `"aws"`) || !strings.Contains(string(b), `extra`) {
		t.Fatalf("state file lacks the aws section: %v %.300s", err, b)
	}
	// A foreign Host is refused on the clouds listener as on the others.
	req, _ = http.NewRequest(http.MethodPost, info.AWSSTSURL+"/", strings.NewReader("Action=GetCallerIdentity"))
	req.Host = "evil.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusMisdirectedRequest && resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("foreign host: %d", resp.StatusCode)
	}
	// Reset returns the role table to the seed.
	e.Reset()
	resp, err = http.Get(info.AWSSTSURL + "/_emulator/aws/roles/extra")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after reset: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestCloudsListenOff: "off" serves no clouds listener and no URLs.
func TestCloudsListenOff(t *testing.T) {
	e := startEmulator(t, emulator.Config{CloudsListen: emulator.CloudsOff})
	if i := e.Info(); i.AWSSTSURL != "" {
		t.Fatalf("aws_sts_url = %q", i.AWSSTSURL)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
}

// TestCloudsListenerTLS: with --tls the clouds listener is HTTPS with the
// generated CA (Azure's clients require it), and the SDK exchanges a token
// there; the emulator's https issuer is reached in-process.
func TestCloudsListenerTLS(t *testing.T) {
	e, client := startTLS(t)
	i := e.Info()
	if !strings.HasPrefix(i.AWSSTSURL, "https://") {
		t.Fatalf("aws_sts_url = %q", i.AWSSTSURL)
	}
	tok := mint(t, client, i.TFCURL, admin.TokenRequest{Organization: "my-org", Project: "Default Project", Workspace: "my-workspace", Phase: "apply", Audience: "aws.workload.identity"})
	out, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(i.AWSSTSURL), HTTPClient: client, RetryMaxAttempts: 1}).
		AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: sdkaws.String("arn:aws:iam::123456789012:role/terraform-module-test-role"), RoleSessionName: sdkaws.String("tls"), WebIdentityToken: sdkaws.String(tok.Token)})
	if err != nil {
		t.Fatal(err)
	}
	if sdkaws.ToString(out.SubjectFromWebIdentityToken) != "organization:my-org:project:Default Project:workspace:my-workspace:run_phase:apply" {
		t.Fatalf("subject = %s", sdkaws.ToString(out.SubjectFromWebIdentityToken))
	}
}

// TestSnapshotAWSSection: PUT /_emulator/snapshot with a bad aws section is
// refused and changes nothing, TFC's section included.
func TestSnapshotAWSSection(t *testing.T) {
	e := startEmulator(t, emulator.Config{})
	base := e.Info().TFCURL
	var snap map[string]any
	getJSON(t, base+"/_emulator/snapshot", &snap)
	services := snap["services"].(map[string]any)
	if _, ok := services["aws"]; !ok {
		t.Fatalf("snapshot lacks aws: %v", services)
	}
	services["aws"] = map[string]any{"roles": map[string]any{"r": map[string]any{"name": "r", "account_id": "123456789012", "assume_role_policy": "{", "max_session_duration": 3600}}}
	b, _ := json.Marshal(snap)
	req, _ := http.NewRequest(http.MethodPut, base+"/_emulator/snapshot", strings.NewReader(string(b)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "aws: roles[\\\"r\\\"]: assume_role_policy") {
		t.Fatalf("PUT snapshot: %d %s", resp.StatusCode, body)
	}
	var roles []map[string]any
	getJSON(t, base+"/_emulator/aws/roles", &roles)
	if len(roles) != 1 || roles[0]["name"] != "terraform-module-test-role" {
		t.Fatalf("roles after a refused snapshot = %v", roles)
	}
}

// stateFileText is what --state-file holds on disk: the document and its
// write-ahead log, where acknowledged changes wait for compaction.
func stateFileText(path string) ([]byte, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	wal, err := os.ReadFile(path + ".wal")
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return append(doc, wal...), nil
}
