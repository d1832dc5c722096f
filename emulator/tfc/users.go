package tfc

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
)

type userPermissions struct {
	CanCreateOrganizations bool `json:"can-create-organizations"`
	CanChangeEmail         bool `json:"can-change-email"`
	CanChangeUsername      bool `json:"can-change-username"`
	CanManageUserTokens    bool `json:"can-manage-user-tokens"`
	CanView2FASettings     bool `json:"can-view2fa-settings"`
	CanManageHCPAccount    bool `json:"can-manage-hcp-account"`
}

type twoFactor struct {
	Enabled  bool `json:"enabled"`
	Verified bool `json:"verified"`
}

type userAttributes struct {
	Username         string          `json:"username"`
	IsServiceAccount bool            `json:"is-service-account"`
	AuthMethod       string          `json:"auth-method"`
	AvatarURL        string          `json:"avatar-url"`
	V2Only           bool            `json:"v2-only"`
	Email            string          `json:"email,omitempty"`
	UnconfirmedEmail *string         `json:"unconfirmed-email"`
	Permissions      userPermissions `json:"permissions"`
	TwoFactor        twoFactor       `json:"two-factor"`
}

func avatarURL(email string) string {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "https://www.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?s=100&d=mm"
}

// userResource is the one representation of a user. email is shown only
// to the user themself.
func userResource(u *User, self bool) Resource {
	attrs := userAttributes{
		Username: u.Username, AuthMethod: "tfc", AvatarURL: avatarURL(u.Email),
		Permissions: userPermissions{CanCreateOrganizations: u.ServiceFor == nil, CanChangeEmail: self, CanChangeUsername: self,
			CanManageUserTokens: self && u.ServiceFor == nil, CanView2FASettings: self},
	}
	if self {
		attrs.Email = u.Email
	}
	rel := map[string]Relationship{
		"authentication-tokens": {Links: map[string]string{"related": "/api/v2/users/" + u.ID + "/authentication-tokens"}},
	}
	if u.ServiceFor != nil {
		attrs.IsServiceAccount = true
		rel["authenticated-resource"] = Relationship{Data: u.ServiceFor}
	}
	return Resource{ID: u.ID, Type: "users", Attributes: attrs, Relationships: rel, Links: map[string]string{"self": "/api/v2/users/" + u.ID}}
}

// currentUser is who /account/details shows: the token's user, or the
// synthetic service user of a team or organization token.
func (st *State) currentUser(p principal) (*User, error) {
	switch p.kind {
	case "user":
		if u, ok := st.Users[p.userID]; ok {
			return u, nil
		}
	case "team":
		if t, ok := st.Teams[p.teamID]; ok {
			return &User{ID: t.ServiceUserID, Username: "api-team_" + t.ID, Email: "api-team_" + t.ID + "@tfcemu.invalid",
				ServiceFor: &Ref{ID: t.ID, Type: "teams"}}, nil
		}
	default:
		if o, ok := st.Orgs[p.org]; ok {
			return &User{ID: o.ServiceUserID, Username: "api-org-" + o.Name, Email: "api-org-" + o.Name + "@tfcemu.invalid",
				ServiceFor: &Ref{ID: o.Name, Type: "organizations"}}, nil
		}
	}
	return nil, errNotFound
}

func (s *Service) accountDetails(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		u, err := st.currentUser(c.p)
		if err != nil {
			return nil, err
		}
		return Document{Data: userResource(u, true)}, nil
	})
}

type userInput struct {
	Username *string `json:"username"`
	Email    *string `json:"email"`
}

func (s *Service) accountUpdate(c *call) (int, any, error) {
	var in userInput
	if _, err := decodeResource(c.r, "users", &in); err != nil {
		return 0, nil, err
	}
	var errs Errors
	if in.Username != nil && !namePattern.MatchString(*in.Username) {
		errs = append(errs, invalidAttribute("/data/attributes/username", "Username may only contain letters, numbers, - and _"))
	}
	if in.Email != nil && !strings.Contains(*in.Email, "@") {
		errs = append(errs, invalidAttribute("/data/attributes/email", "Email is invalid"))
	}
	if len(errs) > 0 {
		return 0, nil, errs
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		if c.p.kind != "user" {
			return nil, errNotFound
		}
		u := st.Users[c.p.userID]
		if in.Username != nil {
			for _, other := range st.Users {
				if other.ID != u.ID && strings.EqualFold(other.Username, *in.Username) {
					return nil, invalidAttribute("/data/attributes/username", "Username has already been taken")
				}
			}
		}
		setIf(&u.Username, in.Username)
		setIf(&u.Email, in.Email)
		st.touch("Users", u.ID)
		return Document{Data: userResource(u, true)}, nil
	})
}

// readUser shows a user to themself and to anyone who shares an
// organization with them.
func (s *Service) readUser(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		u, ok := st.Users[c.path("id")]
		if !ok || !st.seesUser(c.p, u.ID) {
			return nil, errNotFound
		}
		return Document{Data: userResource(u, c.p.kind == "user" && c.p.userID == u.ID)}, nil
	})
}

func (st *State) seesUser(p principal, userID string) bool {
	if p.kind == "user" && p.userID == userID {
		return true
	}
	for _, t := range st.Teams {
		if t.hasMember(userID) && st.memberOf(p, t.Org) {
			return true
		}
	}
	return false
}
