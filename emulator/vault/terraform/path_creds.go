package terraform

import (
	"context"
	"errors"
	"fmt"

	"github.com/tfcemu/tfcemu/emulator/vault/logical"
)

// readCreds is pathCredentialsRead: organization and legacy team roles
// return their stored token with no lease; user and team roles create a
// token in TFC on every read and lease it.
func (b *backend) readCreds(ctx context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	r, ok := b.roleNamed(d.String("name"))
	if !ok {
		return nil, errors.New("error retrieving role: role is nil")
	}
	ct := r.CredentialType
	if ct == "" && r.UserID != "" {
		ct = credUser
	}
	if ct == credUser || ct == credTeam {
		return b.leaseToken(ctx, r)
	}
	// The stored token's data as strings, in one allocation with the
	// response (the core writes them as it would the map).
	out := &credsResponse{}
	out.fields = [...]logical.StringField{{Key: "description", Value: r.Description}, {Key: "organization", Value: r.Organization},
		{Key: "role", Value: r.Name}, {Key: "team_id", Value: r.TeamID}, {Key: "token", Value: r.Token}, {Key: "token_id", Value: r.TokenID}}
	out.resp.StringData = out.fields[:]
	if r.Description == "" {
		out.resp.StringData = out.fields[1:]
	}
	return &out.resp, nil
}

// credsResponse is a stored token's response with its data's fields.
type credsResponse struct {
	resp   logical.Response
	fields [6]logical.StringField
}

// leaseToken creates a user or team token in TFC for a read of r's
// credentials and leases it.
func (b *backend) leaseToken(ctx context.Context, r role) (*logical.Response, error) {
	tok, err := b.createToken(ctx, &r)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"token": tok.Token, "token_id": tok.ID}
	if tok.Description != "" {
		data["description"] = tok.Description
	}
	if !tok.ExpiredAt.IsZero() {
		data["expired_at"] = tok.ExpiredAt
	}
	sec := &logical.Secret{Renewable: true, TTL: r.TTL, MaxTTL: r.MaxTTL,
		InternalData: map[string]any{"token_id": tok.ID, "role": r.Name, "secret_type": secretType}}
	return &logical.Response{Data: data, Secret: sec}, nil
}

// rotateRole regenerates an organization or legacy team token. Its name is
// not lowercased and only the token changes, not token_id: both quirks of
// the real engine.
func (b *backend) rotateRole(ctx context.Context, _ *logical.Request, d *logical.FieldData) (*logical.Response, error) {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	r := b.getRole(d.String("name"))
	switch {
	case r == nil:
		return logical.ErrorResponse("missing role entry"), nil
	case r.UserID != "":
		return logical.ErrorResponse("cannot rotate credentials for user roles"), nil
	case r.TeamID != "" && r.CredentialType == credTeam:
		return logical.ErrorResponse("cannot rotate credentials for credential_type = team token roles. Only works for credential_type = team_legacy."), nil
	}
	tok, err := b.createToken(ctx, r)
	if err != nil {
		return nil, err
	}
	r.Token = tok.Token
	b.mu.Lock()
	b.roles[r.Name] = r
	b.mu.Unlock()
	return nil, nil
}

// RenewSecret keeps a lease going with the role's TTLs.
func (b *backend) RenewSecret(_ context.Context, s *logical.Secret) (*logical.Response, error) {
	name, ok := s.InternalData["role"].(string)
	if !ok {
		return nil, errors.New("secret is missing role internal data")
	}
	r := b.getRole(name)
	if r == nil {
		return nil, errors.New("error retrieving role: role is nil")
	}
	out := *s
	if r.TTL > 0 {
		out.TTL = r.TTL
	}
	if r.MaxTTL > 0 {
		out.MaxTTL = r.MaxTTL
	}
	return &logical.Response{Secret: &out}, nil
}

// RevokeSecret deletes the leased token in TFC: DELETE
// /authentication-tokens/:id, for user and team tokens alike.
func (b *backend) RevokeSecret(ctx context.Context, s *logical.Secret) error {
	c, err := b.getClient()
	if err != nil {
		return fmt.Errorf("error getting client: %w", err)
	}
	id, _ := s.InternalData["token_id"].(string)
	if id == "" {
		return errors.New("secret is missing tokenID internal data")
	}
	if err := c.UserTokens.Delete(ctx, id); err != nil {
		return fmt.Errorf("error revoking user token: %w", err)
	}
	return nil
}
