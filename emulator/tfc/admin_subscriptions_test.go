package tfc_test

import (
	"encoding/json"
	"testing"
)

func TestAdminSubscriptionMovesAnOrganizationOntoAPlan(t *testing.T) {
	e := newEnv(t, -1)
	status, _, body := e.raw("GET", "/api/v2/admin/feature-sets?q=business", e.owner, "")
	var sets struct {
		Data []struct {
			ID         string `json:"id"`
			Attributes struct {
				Name string `json:"name"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &sets); status != 200 || err != nil || len(sets.Data) != 1 || sets.Data[0].Attributes.Name != "Business" {
		t.Fatalf("feature sets: %d %s", status, body)
	}
	free := "fs-tfcemuFreePlan123"
	update := `{"data":{"type":"subscription","attributes":{"runs-ceiling":1,"end-at":"2027-01-15T10:30:00Z"},"relationships":{"feature-set":{"data":{"type":"feature-sets","id":"` + free + `"}}}}}`

	// The member is not an owner: the admin call is a 404, and nothing moves.
	if status, _, body := e.raw("POST", "/api/v2/admin/organizations/my-org/subscription", e.member, update); status != 404 {
		t.Fatalf("member: %d %s", status, body)
	}
	bad := `{"data":{"type":"subscription","relationships":{"feature-set":{"data":{"type":"feature-sets","id":"fs-nope"}}}}}`
	if status, _, body := e.raw("POST", "/api/v2/admin/organizations/my-org/subscription", e.owner, bad); status != 422 ||
		body != `{"errors":[{"status":"422","title":"invalid attribute","detail":"Feature set was not found","source":{"pointer":"/data/relationships/feature-set/data/id"}}]}` {
		t.Fatalf("unknown feature set: %d %s", status, body)
	}

	_, _, orgBody := e.raw("GET", "/api/v2/organizations/my-org", e.owner, "")
	var org struct {
		Data struct {
			Relationships struct {
				Subscription struct {
					Data struct{ ID string } `json:"data"`
				} `json:"subscription"`
			} `json:"relationships"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(orgBody), &org); err != nil || org.Data.Relationships.Subscription.Data.ID == "" {
		t.Fatalf("organization has no subscription: %s", orgBody)
	}
	subPath := "/api/v2/subscriptions/" + org.Data.Relationships.Subscription.Data.ID
	readPlan := func() (string, int) {
		_, _, body := e.raw("GET", subPath, e.owner, "")
		var sub struct {
			Data struct {
				Attributes struct {
					RunsCeiling *int `json:"runs-ceiling"`
				} `json:"attributes"`
				Relationships struct {
					FeatureSet struct {
						Data struct{ ID string } `json:"data"`
					} `json:"feature-set"`
				} `json:"relationships"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &sub); err != nil {
			t.Fatalf("subscription: %s", body)
		}
		ceiling := -1
		if sub.Data.Attributes.RunsCeiling != nil {
			ceiling = *sub.Data.Attributes.RunsCeiling
		}
		return sub.Data.Relationships.FeatureSet.Data.ID, ceiling
	}
	if plan, _ := readPlan(); plan != "fs-tfcemuBusiness123" {
		t.Fatalf("default plan = %s", plan)
	}
	if status, _, body := e.raw("POST", "/api/v2/admin/organizations/my-org/subscription", e.owner, update); status != 201 {
		t.Fatalf("update: %d %s", status, body)
	}
	if plan, ceiling := readPlan(); plan != free || ceiling != 1 {
		t.Fatalf("after the update: plan %s, runs ceiling %d", plan, ceiling)
	}
}
