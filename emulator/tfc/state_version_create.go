package tfc

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// svInput is the body of POST /workspaces/:id/state-versions.
type svInput struct {
	Serial           *int64  `json:"serial"`
	MD5              *string `json:"md5"`
	Lineage          *string `json:"lineage"`
	State            *string `json:"state"`
	Force            *bool   `json:"force"`
	JSONState        *string `json:"json-state"`
	JSONStateOutputs *string `json:"json-state-outputs"`
	state, jsonState []byte
}

// maxStateVersionBody bounds a create body: the raw and JSON states
// base64-encoded inline, with room for the outputs and the envelope.
const maxStateVersionBody = 3*(MaxStateBytes*4/3) + MaxBodyBytes

func (in *svInput) validate() error {
	var errs Errors
	if in.Serial == nil {
		errs = append(errs, invalidAttribute("/data/attributes/serial", "Serial can't be blank"))
	} else if *in.Serial < 0 {
		errs = append(errs, invalidAttribute("/data/attributes/serial", "Serial must be greater than or equal to 0"))
	}
	if in.MD5 == nil || *in.MD5 == "" {
		errs = append(errs, invalidAttribute("/data/attributes/md5", "Md5 can't be blank"))
	}
	decode := func(s *string, name string) []byte {
		if s == nil {
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(*s)
		if err != nil {
			errs = append(errs, invalidAttribute("/data/attributes/"+name, fmt.Sprintf("%s is not valid base64", name)))
			return nil
		}
		if len(b) > MaxStateBytes {
			errs = append(errs, invalidAttribute("/data/attributes/"+name, fmt.Sprintf("%s is larger than %d bytes", name, MaxStateBytes)))
			return nil
		}
		return b
	}
	in.state, in.jsonState = decode(in.State, "state"), decode(in.JSONState, "json-state")
	_ = decode(in.JSONStateOutputs, "json-state-outputs")
	if in.state != nil && in.MD5 != nil {
		if sum := md5.Sum(in.state); hex.EncodeToString(sum[:]) != strings.ToLower(*in.MD5) {
			errs = append(errs, invalidAttribute("/data/attributes/md5", "Md5 does not match the MD5 checksum of the state"))
		}
	}
	if in.jsonState != nil && !json.Valid(in.jsonState) {
		errs = append(errs, invalidAttribute("/data/attributes/json-state", "json-state is not valid JSON"))
	}
	if len(errs) > 0 {
		errs.sortByPointer()
		return errs
	}
	return nil
}

// checkStateLock refuses a state upload by anyone but the workspace's
// lock holder, in TFC's words.
func checkStateLock(w *Workspace, p principal) error {
	if !w.Locked || w.LockedBy == nil {
		return errConflict("This workspace is not locked and will only accept state uploads when locked")
	}
	if me := creatorRef(p); *w.LockedBy != me {
		return errConflict(fmt.Sprintf("This workspace is locked by %s %s and will only accept state uploads from them while locked.",
			lockerKind(w.LockedBy.Type), w.LockedBy.ID))
	}
	return nil
}

// checkSerial refuses, without force, a state that would go backwards or
// fork the current one.
func checkSerial(cur *StateVersion, in *svInput) error {
	if cur == nil || (in.Force != nil && *in.Force) {
		return nil
	}
	if in.Lineage != nil && *in.Lineage != "" && cur.Lineage != "" && *in.Lineage != cur.Lineage {
		return errConflict("The lineage provided does not match the lineage of the current state version. Use force to replace a state of a different lineage.")
	}
	if *in.Serial < cur.Serial || (*in.Serial == cur.Serial && !strings.EqualFold(*in.MD5, cur.MD5)) {
		return errConflict("The serial provided in the state file is not greater than the serial currently in HCP Terraform. Please ensure your state file is up to date.")
	}
	return nil
}

func (s *Service) createStateVersion(c *call) (int, any, error) {
	var in svInput
	res, err := decodeResourceLimit(c.r, "state-versions", &in, maxStateVersionBody)
	if err != nil {
		return 0, nil, err
	}
	if err := in.validate(); err != nil {
		return 0, nil, err
	}
	runID, _, err := res.relationshipID("run")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		w, _, err := st.workspaceWith(c.p, c.workspaceRef(), needCreateStateVersions)
		if err != nil {
			return nil, err
		}
		if err := checkStateLock(w, c.p); err != nil {
			return nil, err
		}
		if run, ok := st.Runs[runID]; runID != "" && (!ok || run.WorkspaceID != w.ID) {
			return nil, invalidAttribute("/data/relationships/run/data/id", fmt.Sprintf("Run %q was not found in this workspace", runID))
		}
		if err := checkSerial(st.currentStateVersion(w.ID), &in); err != nil {
			return nil, err
		}
		sv := &StateVersion{ID: newID("sv"), WorkspaceID: w.ID, Status: StateVersionPending, Serial: *in.Serial,
			MD5: strings.ToLower(*in.MD5), RunID: runID, CreatedBy: creatorRef(c.p), CreatedAt: c.now}
		if in.Lineage != nil {
			sv.Lineage = *in.Lineage
		}
		if in.state != nil {
			if err := st.finalize(sv, in.state, c.now); err != nil {
				st.dropSVOutputs(sv)
				return nil, err
			}
			if in.jsonState != nil {
				sv.JSONState = in.jsonState
				sv.JSONDownloadKey = st.newObject(objectJSONState, sv.ID, false, c.now)
			}
		} else {
			sv.StateUploadKey = st.newObject(objectState, sv.ID, true, c.now)
			sv.JSONUploadKey = st.newObject(objectJSONState, sv.ID, true, c.now)
		}
		st.discardPending(w.ID)
		sv.seq = st.next()
		st.StateVersions[sv.ID] = sv
		st.touch("StateVersions", sv.ID)
		return Document{Data: stateVersionResource(sv, c.r)}, nil
	})
}

// discardPending discards a workspace's pending state versions: a newer
// state version replaces what they were waiting for.
func (st *State) discardPending(wsID string) {
	for _, sv := range st.StateVersions {
		if sv.WorkspaceID == wsID && sv.Status == StateVersionPending {
			sv.Status, sv.StateUploadKey, sv.JSONUploadKey = StateVersionDiscarded, "", ""
			st.dropObjects(sv.ID)
			st.changes.mark("StateVersions", sv.ID)
		}
	}
}

// errStatePending refuses a plain unlock while a state version upload is
// pending (force-unlock still works, as go-tfe's tests rely on). Not a
// 409: go-tfe maps every 409 of actions/unlock to a lock error and only
// finds ErrWorkspaceLockedStateVersionStillPending in another status's
// message.
var errStatePending = badRequest("Unable to unlock workspace. The latest state version is still pending.")

// hasPendingState reports whether a workspace has a state version waiting
// for its upload.
func (st *State) hasPendingState(wsID string) bool {
	return anyOf(st.StateVersions, func(sv *StateVersion) bool { return sv.WorkspaceID == wsID && sv.Status == StateVersionPending })
}
