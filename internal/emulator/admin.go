package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// AdminFaultsPath is the admin route that reads (GET) and replaces (PUT)
// the injected faults and the token lifetime of a running emulator. It
// exists only with Options.AdminToken, which each call must carry as a
// bearer token, and answers JSON AdminFaults (no envelope).
const AdminFaultsPath = "/_emulator/faults"

// AdminStatsPath is the admin route (GET, with Options.AdminToken) that
// answers the counters as JSON AdminStats.
const AdminStatsPath = "/_emulator/stats"

// AdminFaults is the JSON of AdminFaultsPath: Faults with durations as Go
// duration strings ("250ms", "1h"). On PUT, every field replaces the
// current value (an absent one is zero, turning that fault off), except
// tokenLifetime, which is left alone when absent or empty.
type AdminFaults struct {
	Latency              string  `json:"latency"`
	ErrorRate            float64 `json:"errorRate"`
	ErrorStatus          int     `json:"errorStatus"`
	DropRate             float64 `json:"dropRate"`
	FailAfterIssueRate   float64 `json:"failAfterIssueRate"`
	FailAfterIssueStatus int     `json:"failAfterIssueStatus"`
	TokenLifetime        string  `json:"tokenLifetime,omitempty"`
}

// AdminStats is the JSON of AdminStatsPath.
type AdminStats struct {
	IssuanceCount int            `json:"issuanceCount"`
	APICalls      map[string]int `json:"apiCalls"`
}

// adminRoutes adds the admin routes to mux, each behind token.
func (e *Emulator) adminRoutes(mux *http.ServeMux, token string) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, adminOnly(token, h)) }
	handle("GET "+AdminFaultsPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, e.adminFaults())
	})
	handle("PUT "+AdminFaultsPath, func(w http.ResponseWriter, r *http.Request) {
		var in AdminFaults
		if err := decodeBody(r, &in); err != nil {
			writeError(w, err)
			return
		}
		f, lifetime, err := parseAdminFaults(in)
		if err != nil {
			writeError(w, err)
			return
		}
		e.SetFaults(f)
		if lifetime > 0 {
			e.SetTokenLifetime(lifetime)
		}
		writeJSON(w, http.StatusOK, e.adminFaults())
	})
	handle("GET "+AdminStatsPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, AdminStats{IssuanceCount: e.IssuanceCount(), APICalls: e.APICallCounts()})
	})
}

// adminOnly runs h for calls carrying "Authorization: Bearer <token>"
// (compared in constant time) and answers others 401.
func adminOnly(token string, h http.HandlerFunc) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pca-emulator admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "the admin routes need Authorization: Bearer <admin token>"})
			return
		}
		h(w, r)
	})
}

// adminFaults is the current state as AdminFaults.
func (e *Emulator) adminFaults() AdminFaults {
	f := e.faults.get()
	return AdminFaults{
		Latency: f.Latency.String(), ErrorRate: f.ErrorRate, ErrorStatus: f.ErrorStatus, DropRate: f.DropRate,
		FailAfterIssueRate: f.FailAfterIssueRate, FailAfterIssueStatus: f.FailAfterIssueStatus,
		TokenLifetime: e.auth.tokenLifetime().String(),
	}
}

// parseAdminFaults checks an AdminFaults body: 400 naming the field for a
// bad duration or a value Faults.Validate refuses; a token lifetime must be
// at least 1s.
func parseAdminFaults(in AdminFaults) (Faults, time.Duration, error) {
	f := Faults{ErrorRate: in.ErrorRate, ErrorStatus: in.ErrorStatus, DropRate: in.DropRate,
		FailAfterIssueRate: in.FailAfterIssueRate, FailAfterIssueStatus: in.FailAfterIssueStatus}
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil {
			return Faults{}, 0, errValidation("latency", "%v", err)
		}
		f.Latency = d
	}
	if err := f.Validate(); err != nil {
		return Faults{}, 0, errValidation("faults", "%v", err)
	}
	var lifetime time.Duration
	if in.TokenLifetime != "" {
		d, err := time.ParseDuration(in.TokenLifetime)
		if err != nil || d < time.Second {
			return Faults{}, 0, errValidation("tokenLifetime", "a duration of at least 1s, got %q", in.TokenLifetime)
		}
		lifetime = d
	}
	return f, lifetime, nil
}

// String shows the faults in force, for logs.
func (f Faults) String() string {
	b, _ := json.Marshal(AdminFaults{Latency: f.Latency.String(), ErrorRate: f.ErrorRate, ErrorStatus: f.ErrorStatus,
		DropRate: f.DropRate, FailAfterIssueRate: f.FailAfterIssueRate, FailAfterIssueStatus: f.FailAfterIssueStatus})
	return fmt.Sprint(string(b))
}
