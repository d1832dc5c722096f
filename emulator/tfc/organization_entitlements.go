package tfc

import (
	"net/http"
)

type entitlementAttributes struct {
	Agents                bool `json:"agents"`
	AuditLogging          bool `json:"audit-logging"`
	CostEstimation        bool `json:"cost-estimation"`
	GlobalRunTasks        bool `json:"global-run-tasks"`
	Operations            bool `json:"operations"`
	PrivateModuleRegistry bool `json:"private-module-registry"`
	PrivateRunTasks       bool `json:"private-run-tasks"`
	RunTasks              bool `json:"run-tasks"`
	SSO                   bool `json:"sso"`
	Sentinel              bool `json:"sentinel"`
	StateStorage          bool `json:"state-storage"`
	Teams                 bool `json:"teams"`
	VCSIntegrations       bool `json:"vcs-integrations"`
}

// readEntitlements reports every feature as entitled: the emulator has no
// plans.
func (s *Service) readEntitlements(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil {
			return nil, err
		}
		return Document{Data: Resource{ID: o.ExternalID, Type: "entitlement-sets",
			Attributes: entitlementAttributes{true, true, true, true, true, true, true, true, true, true, true, true, true},
			Links:      map[string]string{"self": "/api/v2/entitlement-sets/" + o.ExternalID}}}, nil
	})
}

// listStacks is empty: the emulator has no stacks, but go-tfe's cleanup
// lists them.
func (s *Service) listStacks(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		if _, err := st.orgFor(c.p, c.path("org")); err != nil {
			return nil, err
		}
		return paginate(c.r, nil)
	})
}
