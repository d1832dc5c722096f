package terraform

import (
	"context"
	"time"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// Credential types.
const (
	credOrganization = "organization"
	credTeamLegacy   = "team_legacy"
	credTeam         = "team"
	credUser         = "user"
)

// role is the engine's terraformRoleEntry.
type role struct {
	Name           string
	Organization   string
	TeamID         string
	UserID         string
	Description    string
	TTL            time.Duration
	MaxTTL         time.Duration
	CredentialType string
	Token          string
	TokenID        string
}

func (b *backend) readRole(_ context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	r := b.getRole(d.String("name"))
	if r == nil {
		return nil, nil
	}
	return &logical.Response{Data: r.responseData()}, nil
}

// responseData is the engine's toResponseData, quirks included: an
// organization role shows no credential_type, and a team_id with any type
// but team_legacy reads as "team".
func (r *role) responseData() map[string]any {
	d := map[string]any{"name": r.Name, "ttl": r.TTL.Seconds(), "max_ttl": r.MaxTTL.Seconds()}
	if r.Description != "" {
		d["description"] = r.Description
	}
	ct := r.CredentialType
	if r.Organization != "" {
		d["organization"] = r.Organization
		ct = credOrganization
	}
	if r.TeamID != "" {
		d["team_id"] = r.TeamID
		if ct == "" || ct == credTeamLegacy {
			d["credential_type"] = credTeamLegacy
		} else {
			d["credential_type"] = credTeam
		}
	}
	if r.UserID != "" {
		d["user_id"] = r.UserID
		d["credential_type"] = credUser
	}
	return d
}

// writeRole is pathRolesWrite, step for step
// (https://github.com/hashicorp/vault-plugin-secrets-terraform/blob/v0.13.0/path_roles.go).
func (b *backend) writeRole(ctx context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	name := d.String("name")
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	r := b.getRole(name)
	if r == nil {
		r = &role{}
	}
	r.Name = name
	if v, ok := d.GetOk("credential_type"); ok {
		r.CredentialType = v.(string)
		switch r.CredentialType {
		case credUser, credOrganization, credTeamLegacy, credTeam:
		default:
			return logical.ErrorResponse("unrecognized credential type: %s", r.CredentialType), nil
		}
	}
	if v, ok := d.GetOk("organization"); ok {
		r.Organization = v.(string)
		if r.CredentialType == "" {
			r.CredentialType = credOrganization
		}
	}
	if v, ok := d.GetOk("user_id"); ok {
		r.UserID = v.(string)
		if r.CredentialType == "" {
			r.CredentialType = credUser
		}
	}
	if v, ok := d.GetOk("team_id"); ok {
		r.TeamID = v.(string)
		if r.CredentialType == "" || r.CredentialType == credTeamLegacy {
			r.CredentialType = credTeamLegacy
		}
	}
	if v, ok := d.GetOk("description"); ok {
		r.Description = v.(string)
	}
	if r.UserID != "" && (r.Organization != "" || r.TeamID != "") {
		return logical.ErrorResponse("cannot provide a user_id in combination with organization or team_id"), nil
	}
	if r.UserID == "" && r.Organization == "" && r.TeamID == "" {
		return logical.ErrorResponse("must provide an organization name, team id, or user id"), nil
	}
	if v, ok := d.GetOk("ttl"); ok {
		r.TTL = time.Duration(v.(int)) * time.Second
	}
	if v, ok := d.GetOk("max_ttl"); ok {
		r.MaxTTL = time.Duration(v.(int)) * time.Second
	}
	if r.MaxTTL != 0 && r.TTL > r.MaxTTL {
		return logical.ErrorResponse("ttl cannot be greater than max_ttl"), nil
	}
	if r.CredentialType == credTeamLegacy && (r.Description != "" || r.TTL != 0 || r.MaxTTL != 0) {
		return logical.ErrorResponse("cannot provide description, ttl, or max_ttl with credential_type = team_legacy, try credential_type = team."), nil
	}
	if r.CredentialType == credOrganization || r.CredentialType == credTeamLegacy {
		// Organization and legacy team tokens are single in TFC: writing
		// the role creates (and so replaces) the token, every time.
		tok, err := b.createToken(ctx, r)
		if err != nil {
			return nil, err
		}
		r.Token, r.TokenID = tok.Token, tok.ID
	}
	b.mu.Lock()
	b.roles[name] = r
	b.mu.Unlock()
	return nil, nil
}

func (b *backend) deleteRole(_ context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	b.mu.Lock()
	delete(b.roles, d.String("name"))
	b.mu.Unlock()
	return nil, nil
}

func (b *backend) listRoles(context.Context, *logical.Request, *logical.FieldData) (*logical.Response, error) {
	b.mu.RLock()
	keys := make([]string, 0, len(b.roles))
	for k := range b.roles {
		keys = append(keys, k)
	}
	b.mu.RUnlock()
	return logical.Keys(keys), nil
}
