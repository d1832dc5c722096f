#!/usr/bin/env bash
# Runs go-tfe's own integration tests (the module's source from the Go
# module cache, at the version go.mod requires) against `tfcemu serve`, one
# test at a time, and prints a summary. A measurement, not part of `make
# test`: it downloads go-tfe's test dependencies through the module proxy.
# Usage: [ENABLE_BETA=1] scripts/gotfe-suite.sh [TestName ...]
# (ENABLE_BETA=1 runs go-tfe's beta-gated tests, the tag-binding ones among them.)
set -uo pipefail
cd "$(dirname "$0")/.."
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(TestUserTokens_List TestUserTokens_Create TestUserTokens_Read TestTeamTokensCreate TestTeamTokens_CreateWithOptions
    TestTeamTokensRead TestTeamTokensReadByID TestTeamTokensList TestTeamTokensDelete TestTeamTokensDeleteByID
    TestOrganizationTokensCreate TestOrganizationTokensRead TestOrganizationTokensDelete TestUsersReadCurrent
    TestOrganizationsCreate TestOrganizationsRead TestOrganizationsDelete TestOrganizationsUpdate TestOrganizationsList
    TestTeamsList TestTeamsCreate TestTeamsRead TestTeamsDelete TestTeamsUpdate
    TestVariablesList TestVariablesListAll TestVariablesCreate TestVariablesRead TestVariablesUpdate TestVariablesDelete
    TestVariableSetsList TestVariableSetsListForWorkspace TestVariableSetsListForProject TestVariableSetsCreate
    TestVariableSetsRead TestVariableSetsUpdate TestVariableSetsDelete TestVariableSetsApplyToAndRemoveFromWorkspaces
    TestVariableSetsApplyToAndRemoveFromProjects TestVariableSetsUpdateWorkspaces
    TestVariableSetVariablesList TestVariableSetVariablesCreate TestVariableSetVariablesRead TestVariableSetVariablesUpdate
    TestVariableSetVariablesDelete TestProjectsList TestProjectsRead TestProjectsReadWithOptions TestProjectsUpdate
    TestProjectsDelete TestWorkspacesCreate TestWorkspacesRead TestWorkspacesReadByID TestWorkspacesUpdateByID
    TestWorkspacesDelete TestWorkspacesDeleteByID TestAgentPoolsList TestAgentPoolsCreate TestAgentPoolsRead
    TestAgentPoolsUpdate TestAgentPoolsDelete TestRegistryModulesCreate TestRegistryModulesRead
    TestRegistryModulesList TestRegistryModulesDelete TestWorkspacesList TestWorkspacesAddTagBindings
    TestWorkspaces_DeleteAllTagBindings TestWorkspaces_effectiveTagBindingsInheritedFrom TestProjectsAddTagBindings
    TestProjects_DeleteAllTagBindings TestWorkspaces_AddTags TestWorkspaces_RemoveTags TestOrganizationTagsList
    TestOrganizationTagsDelete TestOrganizationTagsAddWorkspace TestProjectsCreate TestProjectsAutoDestroy TestWorkspacesUpdate
    TestWorkspacesAutoDestroy TestWorkspacesAutoDestroyDuration
    TestOrganizationMembershipsList TestOrganizationMembershipsCreate TestOrganizationMembershipsRead
    TestOrganizationMembershipsReadWithOptions TestOrganizationMembershipsDelete
    TestTeamMembersList TestTeamMembersAddWithInvalidOptions TestTeamMembersAddByUsername
    TestTeamMembersAddByOrganizationMembers TestTeamMembersRemoveWithInvalidOptions TestTeamMembersRemoveByUsernames
    TestTeamMembersRemoveByOrganizationMemberships
    TestAgentTokensList TestAgentTokensCreate TestAgentTokensRead TestAgentTokensReadCreatedBy TestAgentTokensDelete
    TestTeamAccessesList TestTeamAccessesAdd TestTeamAccessesRead TestTeamAccessesUpdate TestTeamAccessesRemove
    TestTeamAccessesReadRunTasks TestTeamAccessesUpdateRunTasks TestTeamAccessesAddPolicyOverrides
    TestTeamProjectAccessesList TestTeamProjectAccessesRead TestTeamProjectAccessesAdd TestTeamProjectAccessesUpdate
    TestTeamProjectAccessesRemove
    TestStateVersionsList TestStateVersionsUpload TestStateVersionsRead TestStateVersionsReadWithOptions
    TestStateVersionsCurrent TestStateVersionsCurrentWithOptions TestStateVersionsDownload TestStateVersionOutputs
    TestStateVersionOutputsRead TestConfigurationVersionsList TestConfigurationVersionsCreate TestConfigurationVersionsRead
    TestConfigurationVersionsReadWithOptions TestConfigurationVersionsUpload TestConfigurationVersionsUploadTarGzip
    TestConfigurationVersionsDownload TestWorkspacesSafeDelete TestWorkspacesSafeDeleteByID
    TestWorkspaces_AddRemoteStateConsumers TestWorkspaces_RemoveRemoteStateConsumers
    TestWorkspaces_UpdateRemoteStateConsumers TestWorkspacesProjectRemoteState TestStateVersionsCreate_RunDependent)
fi
src=$(go list -m -f '{{.Dir}}' github.com/hashicorp/go-tfe) || exit 1
work=$(mktemp -d)
cp -r "$src" "$work/go-tfe" && chmod -R u+w "$work/go-tfe"
go build -o "$work/tfcemu" ./cmd/tfcemu || exit 1
"$work/tfcemu" serve --tfc-listen 127.0.0.1:0 --vault-listen 127.0.0.1:0 --rate-limit 0 --ready-file "$work/ready.json" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
TFE_ADDRESS=$(sed -n 's/.*"tfc_url": "\(.*\)".*/\1/p' "$work/ready.json")
TFE_TOKEN=$(sed -n 's/.*"owner_token": "\(.*\)".*/\1/p' "$work/ready.json")
# go-tfe's tests move their organizations onto a plan through the internal
# admin API; tfcemu lets an owner's user token stand in for the admin one.
TFE_ADMIN_PROVISION_LICENSES_TOKEN=$TFE_TOKEN
export TFE_ADDRESS TFE_TOKEN TFE_ADMIN_PROVISION_LICENSES_TOKEN
pass=0 fail=0 skip=0
cd "$work/go-tfe"
for t in "${tests[@]}"; do
  out=$(go test -count=1 -timeout 180s -run "^${t}\$" . 2>&1)
  if grep -q "^--- FAIL\|^FAIL\|panic:" <<<"$out"; then
    fail=$((fail+1)); echo "FAIL $t"; grep -E '^\s+--- FAIL|Error:|expected|actual' <<<"$out" | head -6 | sed 's/^/    /'
  elif grep -q "^--- SKIP" <<<"$out"; then
    skip=$((skip+1)); echo "SKIP $t"
  else
    pass=$((pass+1)); echo "PASS $t"
  fi
done
echo "go-tfe suite: $pass passed, $fail failed, $skip skipped"
