package tfc

import (
	"net/http"
	"strings"
	"time"
)

// featureSets are the plans an organization can be on. HCP Terraform lists
// them at GET /feature-sets; its internal admin API (GET /admin/feature-sets,
// POST /admin/organizations/:org/subscription) is what go-tfe's integration
// tests use to move an organization onto a plan before testing plan-gated
// features. Every emulated feature is enabled whatever the plan. The ids are
// fixed so they survive a reset.
var featureSets = []struct{ ID, Name string }{
	{"fs-tfcemuFreePlan123", "Free"},
	{"fs-tfcemuStandard123", "Standard (entitlement)"},
	{"fs-tfcemuPlusPlan123", "Plus (entitlement)"},
	{"fs-tfcemuBusiness123", "Business"},
}

// defaultFeatureSet is the plan of an organization nobody moved: the one
// with every feature, as the emulator behaves.
const defaultFeatureSet = "fs-tfcemuBusiness123"

// Subscription is an organization's plan and the limits set with it.
type Subscription struct {
	FeatureSetID                  string
	RunsCeiling                   *int
	AgentsCeiling                 *int
	ContractUserLimit             *int
	ContractApplyLimit            *int
	ContractManagedResourcesLimit *int
	ContractStartAt               *time.Time
	EndAt                         *time.Time
}

type featureSetAttributes struct {
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
}

// listFeatureSets is GET /feature-sets, and GET /admin/feature-sets with
// q (a part of the name, any case).
func (s *Service) listFeatureSets(c *call) (int, any, error) {
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	all := []Resource{}
	for _, fs := range featureSets {
		if strings.Contains(strings.ToLower(fs.Name), q) {
			all = append(all, Resource{ID: fs.ID, Type: "feature-sets",
				Attributes: featureSetAttributes{Name: fs.Name, Identifier: strings.ToLower(strings.Fields(fs.Name)[0])}})
		}
	}
	doc, err := paginate(c.r, all)
	return http.StatusOK, doc, err
}

// subscriptionInput is what the admin subscription update sends.
type subscriptionInput struct {
	RunsCeiling                   *int    `json:"runs-ceiling"`
	AgentsCeiling                 *int    `json:"agents-ceiling"`
	ContractStartAt               *string `json:"contract-start-at"`
	EndAt                         *string `json:"end-at"`
	ContractUserLimit             *int    `json:"contract-user-limit"`
	ContractApplyLimit            *int    `json:"contract-apply-limit"`
	ContractManagedResourcesLimit *int    `json:"contract-managed-resources-limit"`
}

func parseOptionalTime(v *string, pointer string) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return nil, invalidAttribute(pointer, "must be an ISO 8601 timestamp")
	}
	return &t, nil
}

type subscriptionAttributes struct {
	IsActive                      bool    `json:"is-active"`
	IsPublicFreeTier              bool    `json:"is-public-free-tier"`
	RunsCeiling                   *int    `json:"runs-ceiling"`
	AgentsCeiling                 *int    `json:"agents-ceiling"`
	ContractStartAt               *string `json:"contract-start-at"`
	EndAt                         *string `json:"end-at"`
	ContractUserLimit             *int    `json:"contract-user-limit"`
	ContractApplyLimit            *int    `json:"contract-apply-limit"`
	ContractManagedResourcesLimit *int    `json:"contract-managed-resources-limit"`
}

// subscriptionID is the id of an organization's subscription.
func subscriptionID(o *Organization) string { return "sub-" + strings.TrimPrefix(o.ExternalID, "org-") }

func subscriptionResource(o *Organization) Resource {
	sub := o.Subscription
	if sub.FeatureSetID == "" {
		sub.FeatureSetID = defaultFeatureSet
	}
	return Resource{ID: subscriptionID(o), Type: "subscriptions",
		Attributes: subscriptionAttributes{IsActive: true, IsPublicFreeTier: sub.FeatureSetID == featureSets[0].ID,
			RunsCeiling: sub.RunsCeiling, AgentsCeiling: sub.AgentsCeiling,
			ContractStartAt: timestampPtr(sub.ContractStartAt), EndAt: timestampPtr(sub.EndAt),
			ContractUserLimit: sub.ContractUserLimit, ContractApplyLimit: sub.ContractApplyLimit,
			ContractManagedResourcesLimit: sub.ContractManagedResourcesLimit},
		Relationships: map[string]Relationship{"feature-set": toOne("feature-sets", sub.FeatureSetID), "organization": toOne("organizations", o.Name)},
		Links:         map[string]string{"self": "/api/v2/subscriptions/" + subscriptionID(o)}}
}

// updateSubscription is POST /admin/organizations/:org/subscription: the
// organization moves to a feature set with the limits sent. The emulator has
// no site administrators; a user token of an owner of the organization
// stands in for one (deviations registry).
func (s *Service) updateSubscription(c *call) (int, any, error) {
	var in subscriptionInput
	res, err := decodeResource(c.r, "subscription", &in)
	if err != nil {
		return 0, nil, err
	}
	id, _, err := res.relationshipID("feature-set")
	if err != nil {
		return 0, nil, err
	}
	sub := Subscription{FeatureSetID: id, RunsCeiling: in.RunsCeiling, AgentsCeiling: in.AgentsCeiling,
		ContractUserLimit: in.ContractUserLimit, ContractApplyLimit: in.ContractApplyLimit,
		ContractManagedResourcesLimit: in.ContractManagedResourcesLimit}
	known := false
	for _, fs := range featureSets {
		known = known || fs.ID == id
	}
	if !known {
		return 0, nil, invalidAttribute("/data/relationships/feature-set/data/id", "Feature set was not found")
	}
	if sub.ContractStartAt, err = parseOptionalTime(in.ContractStartAt, "/data/attributes/contract-start-at"); err != nil {
		return 0, nil, err
	}
	if sub.EndAt, err = parseOptionalTime(in.EndAt, "/data/attributes/end-at"); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		o, err := st.orgFor(c.p, c.path("org"))
		if err != nil || c.p.kind != "user" || !st.isOwner(c.p, o.Name) {
			return nil, errNotFound
		}
		o.Subscription = sub
		st.touch("Orgs", o.Name)
		return Document{Data: subscriptionResource(o)}, nil
	})
}

// readSubscription is GET /subscriptions/:id, for members of its
// organization.
func (s *Service) readSubscription(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		for _, o := range st.Orgs {
			if subscriptionID(o) == c.path("id") && st.memberOf(c.p, o.Name) {
				return Document{Data: subscriptionResource(o)}, nil
			}
		}
		return nil, errNotFound
	})
}
