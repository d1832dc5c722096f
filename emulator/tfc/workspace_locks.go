package tfc

import (
	"net/http"
)

func lockedBy(w *Workspace) Relationship {
	if w.LockedBy == nil {
		return Relationship{Data: nil}
	}
	ref := *w.LockedBy
	return Relationship{Data: &ref}
}

// lockAction is POST /workspaces/:id/actions/{lock,unlock,force-unlock}:
// 409s carry the wording go-tfe maps to ErrWorkspaceLocked and friends.
func (s *Service) lockAction(action string) handler {
	return func(c *call) (int, any, error) {
		if empty, err := peekEmpty(c.r); err != nil {
			return 0, nil, err
		} else if !empty {
			var body struct {
				Data *struct {
					Attributes struct {
						Reason *string `json:"reason"`
					} `json:"attributes"`
				} `json:"data"`
			}
			raw, _ := readBody(c.r)
			if err := jsonUnmarshalStrict(raw, &body); err != nil {
				return 0, nil, err
			}
		}
		unlocked := ""
		defer func() {
			if unlocked != "" && s.executor != nil {
				s.executor.Wake(unlocked) // runs waiting for the lock move on
			}
		}()
		return s.update(http.StatusOK, func(st *State) (any, error) {
			need := needLock
			if action == "force-unlock" {
				need = needForceUnlock
			}
			w, _, err := st.workspaceWith(c.p, c.workspaceRef(), need)
			if err != nil {
				return nil, err
			}
			me := creatorRef(c.p)
			switch action {
			case "lock":
				if w.Locked {
					return nil, errConflict("Unable to lock workspace. The workspace is already locked.")
				}
				w.Locked, w.LockedBy = true, &me
				st.indexLock(w)
			case "unlock":
				switch {
				case !w.Locked:
					return nil, errConflict("Unable to unlock workspace. The workspace is not locked.")
				case *w.LockedBy != me:
					return nil, errConflict("Unable to unlock workspace. The workspace is locked by " + lockerKind(w.LockedBy.Type) + " " + w.LockedBy.ID + ".")
				case st.hasPendingState(w.ID):
					return nil, errStatePending
				}
				w.Locked, w.LockedBy = false, nil
				unlocked = w.ID
			default: // force-unlock
				if !w.Locked {
					return nil, errConflict("Unable to unlock workspace. The workspace is not locked.")
				}
				w.Locked, w.LockedBy = false, nil
				unlocked = w.ID
			}
			st.touch("Workspaces", w.ID)
			return Document{Data: st.workspaceResource(w, c.p)}, nil
		})
	}
}

func lockerKind(typ string) string {
	switch typ {
	case "runs":
		return "Run"
	case "teams":
		return "Team"
	}
	return "User"
}
