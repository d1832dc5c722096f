package tfc

// routes is the one route table of the TFC API.
func (s *Service) routes() []route {
	const v2 = "/api/v2"
	return []route{
		{pattern: "GET " + v2 + "/ping", handle: s.ping, public: true},

		{pattern: "GET " + v2 + "/account/details", handle: s.accountDetails},
		{pattern: "PATCH " + v2 + "/account/update", handle: s.accountUpdate},
		{pattern: "GET " + v2 + "/users/{id}", handle: s.readUser},

		{pattern: "GET " + v2 + "/organizations", handle: s.listOrganizations},
		{pattern: "POST " + v2 + "/organizations", handle: s.createOrganization},
		{pattern: "GET " + v2 + "/organizations/{org}", handle: s.readOrganization},
		{pattern: "PATCH " + v2 + "/organizations/{org}", handle: s.updateOrganization},
		{pattern: "DELETE " + v2 + "/organizations/{org}", handle: s.deleteOrganization},
		{pattern: "GET " + v2 + "/organizations/{org}/entitlement-set", handle: s.readEntitlements},
		{pattern: "GET " + v2 + "/organizations/{org}/stacks", handle: s.listStacks},

		{pattern: "POST " + v2 + "/organizations/{org}/authentication-token", handle: s.createOrgToken},
		{pattern: "GET " + v2 + "/organizations/{org}/authentication-token", handle: s.readOrgToken},
		{pattern: "DELETE " + v2 + "/organizations/{org}/authentication-token", handle: s.deleteOrgToken},
		{pattern: "GET " + v2 + "/organizations/{org}/team-tokens", handle: s.listOrgTeamTokens},
		{pattern: "POST " + v2 + "/teams/{id}/authentication-token", handle: s.createLegacyTeamToken},
		{pattern: "GET " + v2 + "/teams/{id}/authentication-token", handle: s.readLegacyTeamToken},
		{pattern: "DELETE " + v2 + "/teams/{id}/authentication-token", handle: s.deleteLegacyTeamToken},
		{pattern: "POST " + v2 + "/teams/{id}/authentication-tokens", handle: s.createTeamToken},
		{pattern: "GET " + v2 + "/teams/{id}/authentication-tokens", handle: s.listTeamTokensOfTeam},
		{pattern: "GET " + v2 + "/users/{id}/authentication-tokens", handle: s.listUserTokens},
		{pattern: "POST " + v2 + "/users/{id}/authentication-tokens", handle: s.createUserToken},
		{pattern: "GET " + v2 + "/authentication-tokens/{id}", handle: s.readToken},
		{pattern: "DELETE " + v2 + "/authentication-tokens/{id}", handle: s.deleteToken},

		{pattern: "GET " + v2 + "/organizations/{org}/teams", handle: s.listTeams},
		{pattern: "POST " + v2 + "/organizations/{org}/teams", handle: s.createTeam},
		{pattern: "GET " + v2 + "/teams/{id}", handle: s.readTeam},
		{pattern: "PATCH " + v2 + "/teams/{id}", handle: s.updateTeam},
		{pattern: "DELETE " + v2 + "/teams/{id}", handle: s.deleteTeam},

		{pattern: "GET " + v2 + "/organizations/{org}/projects", handle: s.listProjects},
		{pattern: "POST " + v2 + "/organizations/{org}/projects", handle: s.createProject},
		{pattern: "GET " + v2 + "/projects/{id}", handle: s.readProject},
		{pattern: "PATCH " + v2 + "/projects/{id}", handle: s.updateProject},
		{pattern: "DELETE " + v2 + "/projects/{id}", handle: s.deleteProject},

		{pattern: "GET " + v2 + "/organizations/{org}/workspaces", handle: s.listWorkspaces},
		{pattern: "POST " + v2 + "/organizations/{org}/workspaces", handle: s.createWorkspace},
		{pattern: "GET " + v2 + "/organizations/{org}/workspaces/{name}", handle: s.readWorkspace},
		{pattern: "PATCH " + v2 + "/organizations/{org}/workspaces/{name}", handle: s.updateWorkspace},
		{pattern: "DELETE " + v2 + "/organizations/{org}/workspaces/{name}", handle: s.deleteWorkspace},
		{pattern: "GET " + v2 + "/workspaces/{id}", handle: s.readWorkspace},
		{pattern: "PATCH " + v2 + "/workspaces/{id}", handle: s.updateWorkspace},
		{pattern: "DELETE " + v2 + "/workspaces/{id}", handle: s.deleteWorkspace},

		{pattern: "GET " + v2 + "/workspaces/{id}/vars", handle: s.listVariables},
		{pattern: "POST " + v2 + "/workspaces/{id}/vars", handle: s.createVariable},
		{pattern: "GET " + v2 + "/workspaces/{id}/vars/{var}", handle: s.readVariable},
		{pattern: "PATCH " + v2 + "/workspaces/{id}/vars/{var}", handle: s.updateVariable},
		{pattern: "DELETE " + v2 + "/workspaces/{id}/vars/{var}", handle: s.deleteVariable},
		{pattern: "GET " + v2 + "/workspaces/{id}/all-vars", handle: s.listAllVariables},

		{pattern: "GET " + v2 + "/organizations/{org}/varsets", handle: s.listVarSets},
		{pattern: "GET " + v2 + "/workspaces/{id}/varsets", handle: s.listVarSets},
		{pattern: "GET " + v2 + "/projects/{project}/varsets", handle: s.listVarSets},
		{pattern: "POST " + v2 + "/organizations/{org}/varsets", handle: s.createVarSet},
		{pattern: "GET " + v2 + "/varsets/{id}", handle: s.readVarSet},
		{pattern: "PATCH " + v2 + "/varsets/{id}", handle: s.updateVarSet},
		{pattern: "DELETE " + v2 + "/varsets/{id}", handle: s.deleteVarSet},
		{pattern: "POST " + v2 + "/varsets/{id}/relationships/workspaces", handle: s.attach("workspaces", true)},
		{pattern: "DELETE " + v2 + "/varsets/{id}/relationships/workspaces", handle: s.attach("workspaces", false)},
		{pattern: "POST " + v2 + "/varsets/{id}/relationships/projects", handle: s.attach("projects", true)},
		{pattern: "DELETE " + v2 + "/varsets/{id}/relationships/projects", handle: s.attach("projects", false)},
		{pattern: "GET " + v2 + "/varsets/{id}/relationships/vars", handle: s.listVarSetVariables},
		{pattern: "POST " + v2 + "/varsets/{id}/relationships/vars", handle: s.createVarSetVariable},
		{pattern: "GET " + v2 + "/varsets/{id}/relationships/vars/{var}", handle: s.readVarSetVariable},
		{pattern: "PATCH " + v2 + "/varsets/{id}/relationships/vars/{var}", handle: s.updateVarSetVariable},
		{pattern: "DELETE " + v2 + "/varsets/{id}/relationships/vars/{var}", handle: s.deleteVarSetVariable},
	}
}
