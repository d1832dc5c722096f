package terraform

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	tfe "github.com/hashicorp/go-tfe"
)

// getClient builds (and caches) the go-tfe client from the config, as the
// engine does; with no config it uses an empty one, so the error is go-tfe's
// "missing API token".
//
// The client is built outside the lock: NewClient pings TFC, which may come
// back through the emulator (and its lease sweep) before it answers.
func (b *backend) getClient() (*tfe.Client, error) {
	b.mu.Lock()
	if b.client != nil {
		c := b.client
		b.mu.Unlock()
		return c, nil
	}
	cfg := tfConfig{}
	if b.config != nil {
		cfg = *b.config
	}
	cfgPtr := b.config
	b.mu.Unlock()
	c, err := tfe.NewClient(&tfe.Config{Address: cfg.Address, BasePath: cfg.BasePath, Token: cfg.Token, HTTPClient: b.cfg.HTTPClient})
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.config == cfgPtr { // cache it unless the config changed meanwhile
		b.client = c
	}
	return c, nil
}

// terraformToken is what a token helper returns.
type terraformToken struct {
	ID          string
	Token       string
	Description string
	ExpiredAt   time.Time
}

// createToken makes the role's kind of token in TFC.
func (b *backend) createToken(ctx context.Context, r *role) (*terraformToken, error) {
	c, err := b.getClient()
	if err != nil {
		return nil, err
	}
	var tok *terraformToken
	switch {
	case r.Organization != "" && r.TeamID == "":
		tok, err = createOrgToken(ctx, c, r.Organization)
	case r.TeamID != "" && r.CredentialType == credTeam:
		tok, err = b.createTeamToken(ctx, c, r)
	case r.TeamID != "":
		tok, err = createTeamLegacyToken(ctx, c, r.TeamID)
	default:
		tok, err = createUserToken(ctx, c, r.UserID, r.Description)
	}
	if err != nil {
		return nil, fmt.Errorf("error creating Terraform token: %w", err)
	}
	if tok == nil {
		return nil, errors.New("error creating Terraform token")
	}
	return tok, nil
}

func createOrgToken(ctx context.Context, c *tfe.Client, org string) (*terraformToken, error) {
	if _, err := c.Organizations.Read(ctx, org); err != nil {
		return nil, err
	}
	t, err := c.OrganizationTokens.Create(ctx, org)
	if err != nil {
		return nil, err
	}
	return &terraformToken{ID: t.ID, Token: t.Token, Description: t.Description}, nil
}

func createTeamLegacyToken(ctx context.Context, c *tfe.Client, teamID string) (*terraformToken, error) {
	if _, err := c.Teams.Read(ctx, teamID); err != nil {
		return nil, err
	}
	t, err := c.TeamTokens.Create(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errors.New("team token creation returned nil token")
	}
	desc := ""
	if t.Description != nil {
		desc = *t.Description
	}
	return &terraformToken{ID: t.ID, Token: t.Token, Description: desc}, nil
}

// createTeamTokenWithOptions: description "<role description>(<0..9999>)",
// expiring at now + max(role max_ttl, the mount's max lease TTL).
func (b *backend) createTeamToken(ctx context.Context, c *tfe.Client, r *role) (*terraformToken, error) {
	d := fmt.Sprintf("%s(%d)", r.Description, rand.IntN(10000))
	opts := tfe.TeamTokenCreateOptions{Description: &d}
	if maxTTL := max(r.MaxTTL, b.cfg.System.MaxLeaseTTL()); maxTTL > 0 {
		exp := b.cfg.Now().Add(maxTTL)
		opts.ExpiredAt = &exp
	}
	t, err := c.TeamTokens.CreateWithOptions(ctx, r.TeamID, opts)
	if err != nil {
		return nil, err
	}
	return &terraformToken{ID: t.ID, Token: t.Token, Description: d, ExpiredAt: t.ExpiredAt}, nil
}

func createUserToken(ctx context.Context, c *tfe.Client, userID, description string) (*terraformToken, error) {
	t, err := c.UserTokens.Create(ctx, userID, tfe.UserTokenCreateOptions{Description: description})
	if err != nil {
		return nil, err
	}
	// The engine drops the user token's expired-at: user creds carry no
	// expired_at (plugin v0.13.0 createUserToken).
	return &terraformToken{ID: t.ID, Token: t.Token, Description: t.Description}, nil
}
