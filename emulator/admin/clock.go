package admin

import (
	"net/http"
	"time"
)

const timeFormat = time.RFC3339Nano

// ClockState is the body of GET and POST /_emulator/clock.
type ClockState struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
	// Offset is how far the virtual clock is from real time, as a Go duration.
	Offset string `json:"offset"`
}

// ClockRequest is the body of POST /_emulator/clock. Any combination may be
// given; they apply in the order freeze, set, advance, resume.
type ClockRequest struct {
	Advance *string `json:"advance,omitempty"`
	Set     *string `json:"set,omitempty"`
	Freeze  *bool   `json:"freeze,omitempty"`
	Resume  *bool   `json:"resume,omitempty"`
}

func (a *API) clockState() ClockState {
	s := a.cfg.Clock.State()
	return ClockState{Now: s.Now.Format(timeFormat), Frozen: s.Frozen, Offset: s.Offset.String()}
}

func (a *API) getClock(*http.Request) (int, any) { return http.StatusOK, a.clockState() }

func (a *API) postClock(r *http.Request) (int, any) {
	var req ClockRequest
	if err := decode(r, &req, false); err != nil {
		return decodeFailed(err)
	}
	if req.Advance == nil && req.Set == nil && req.Freeze == nil && req.Resume == nil {
		return badRequest(`nothing to do: give "advance" (a duration such as "10m"), "set" (RFC 3339), "freeze" or "resume"`)
	}
	// Validate everything before touching the clock.
	var advance time.Duration
	if req.Advance != nil {
		d, err := time.ParseDuration(*req.Advance)
		if err != nil {
			return badRequest(`"advance": %q is not a duration such as "90s", "10m" or "1h30m"`, *req.Advance)
		}
		if d < 0 {
			return badRequest(`"advance": %q is negative; use "set" to go back in time`, *req.Advance)
		}
		advance = d
	}
	var set time.Time
	if req.Set != nil {
		t, err := time.Parse(time.RFC3339Nano, *req.Set)
		if err != nil {
			return badRequest(`"set": %q is not an RFC 3339 time such as "2026-01-02T15:04:05Z"`, *req.Set)
		}
		if !a.cfg.Clock.InRange(t) {
			return badRequest(`"set": %q is out of range: the virtual time must stay within about 292 years of real time`, *req.Set)
		}
		set = t
	}
	if req.Freeze != nil && req.Resume != nil && *req.Freeze == *req.Resume {
		return badRequest(`"freeze" and "resume" contradict each other`)
	}
	c := a.cfg.Clock
	if advance > 0 && req.Set == nil {
		// Refuse an overflowing advance before anything changes (the
		// clock checks again as it moves, so a race cannot wrap it).
		if to := c.Now().Add(advance); !c.InRange(to) {
			return badRequest(`"advance": %q would take the clock out of range: the virtual time must stay within about 292 years of real time`, *req.Advance)
		}
	}
	if req.Set != nil && advance > 0 && !c.InRange(set.Add(advance)) {
		return badRequest(`"advance": %q after "set" would take the clock out of range: the virtual time must stay within about 292 years of real time`, *req.Advance)
	}
	freeze := req.Freeze != nil && *req.Freeze || req.Resume != nil && !*req.Resume
	resume := req.Freeze != nil && !*req.Freeze || req.Resume != nil && *req.Resume
	// Freeze first and resume last, so "set" lands exactly on a frozen clock.
	if freeze {
		c.Freeze()
	}
	if req.Set != nil {
		if err := c.Set(set); err != nil {
			return badRequest(`"set": %q: %v`, *req.Set, err)
		}
	}
	if advance > 0 {
		if err := c.Advance(advance); err != nil {
			return badRequest(`"advance": %q: %v`, *req.Advance, err)
		}
	}
	if resume {
		c.Resume()
	}
	return http.StatusOK, a.clockState()
}
