package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestFaultsFailBeforeHandling(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	key, csr := newCSR(t, "f.example.com", nil, nil, nil)
	issue := wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		h.emu.SetFaults(Faults{ErrorRate: 1, ErrorStatus: status})
		r := h.issue(b.CAStoreID, b.ECTemplateID, issue)
		r.wantError(t, status, "injected fault")
		h.call(http.MethodGet, path("/%d/templates/%d", b.CAStoreID, b.ECTemplateID), h.admin, nil).wantError(t, status, "injected fault")
		h.call(http.MethodGet, path("/%d", b.CAStoreID), h.admin, nil).wantError(t, status, "injected fault")
		if resp := h.tokenRequest(adminID, adminKey, "client_credentials"); resp.StatusCode != status {
			t.Errorf("token endpoint: HTTP %d, want %d", resp.StatusCode, status)
		} else {
			_ = resp.Body.Close()
		}
	}
	// Public routes are never faulted.
	if status, _, _ := h.raw(http.MethodGet, path("/%d/certs/%d/crl/der", b.CAStoreID, b.IntermediateCertID), "", nil, ""); status != http.StatusOK {
		t.Errorf("public CRL under faults: HTTP %d", status)
	}

	h.emu.SetFaults(Faults{DropRate: 1})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path("/%d", b.CAStoreID), nil)
	req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+h.admin)
	// A fresh connection: net/http retries a GET once on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Errorf("dropped connection answered HTTP %d", resp.StatusCode)
	}
	if h.emu.IssuanceCount() != 0 || h.emu.IssuanceCountFor(key.Public()) != 0 {
		t.Errorf("faulted requests were counted as issuances: %d", h.emu.IssuanceCount())
	}
	if got := h.emu.APICallCount(OpIssueWithTemplate); got != 3 {
		t.Errorf("APICallCount(IssueWithTemplate) = %d, want 3 (faulted calls count)", got)
	}
	if got := h.emu.APICallCount(OpGetStore); got != 4 {
		t.Errorf("APICallCount(GetStore) = %d, want 4", got)
	}

	h.emu.SetFaults(Faults{Latency: 50 * time.Millisecond})
	start := time.Now()
	h.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, nil)
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("latency fault: answered after %v", elapsed)
	}
	h.emu.SetFaults(Faults{})
	h.ok(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), issue, nil)
	if h.emu.IssuanceCountFor(key.Public()) != 1 {
		t.Error("issuance without faults was not counted")
	}
}

func TestFailAfterIssueLosesTheAnswerButIssues(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	key, csr := newCSR(t, "lost.example.com", nil, nil, nil)
	issue := wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60}

	h.emu.SetFaults(Faults{FailAfterIssueRate: 1, FailAfterIssueStatus: http.StatusGatewayTimeout})
	h.issue(b.CAStoreID, b.ECTemplateID, issue).wantError(t, http.StatusGatewayTimeout, "injected fault")

	h.emu.SetFaults(Faults{FailAfterIssueRate: 1})
	body, _ := json.Marshal(issue)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), bytes.NewReader(body))
	req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+h.admin)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Errorf("lost answer arrived: HTTP %d", resp.StatusCode)
	}
	if got := h.emu.IssuanceCountFor(key.Public()); got != 2 {
		t.Errorf("IssuanceCountFor = %d, want 2: both certificates were issued", got)
	}
	var list wire.CertificateList
	h.ok(http.MethodGet, path("/%d/certs?type=leaf", b.CAStoreID), nil, &list)
	if list.TotalCnt != 2 {
		t.Errorf("%d leaves kept, want 2", list.TotalCnt)
	}
}

func TestSetTokenLifetime(t *testing.T) {
	h := newHarness(t)
	h.emu.SetTokenLifetime(90 * time.Second)
	resp := h.tokenRequest(adminID, adminKey, "client_credentials")
	defer func() { _ = resp.Body.Close() }()
	var tok wire.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.ExpiresIn != 90 {
		t.Fatalf("expires_in %d (%v), want 90", tok.ExpiresIn, err)
	}
	h.clock.Advance(90 * time.Second)
	h.call(http.MethodGet, path(""), tok.AccessToken, nil).wantError(t, http.StatusUnauthorized, "expired")
}

func TestFaultsNormalizeAndValidate(t *testing.T) {
	n := Faults{ErrorRate: 2, DropRate: -1, ErrorStatus: 200, Latency: -time.Second}.normalized()
	if n.ErrorRate != 1 || n.DropRate != 0 || n.ErrorStatus != http.StatusServiceUnavailable || n.Latency != 0 {
		t.Errorf("normalized %+v", n)
	}
	for _, bad := range []Faults{{ErrorRate: 1.5}, {DropRate: -0.1}, {ErrorStatus: 302}, {Latency: -1}, {FailAfterIssueRate: 2}, {FailAfterIssueStatus: 200}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
	if err := (Faults{ErrorRate: 0.5, ErrorStatus: 429}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestAdminRoute(t *testing.T) {
	off := newHarness(t)
	if status, _, _ := off.raw(http.MethodGet, AdminFaultsPath, "", nil, ""); status != http.StatusNotFound {
		t.Errorf("admin route without Options.AdminToken: HTTP %d, want 404", status)
	}
	const token = "admin-token-of-the-test"
	emu, err := New(Options{AppKey: testAppKey, AccessKeys: []AccessKey{{adminID, adminKey, RoleAdmin}}, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	put := func(body string) (int, AdminFaults) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+AdminFaultsPath, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var out AdminFaults
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out
	}
	status, got := put(`{"latency":"10ms","errorRate":1,"errorStatus":429,"tokenLifetime":"2m"}`)
	if status != http.StatusOK || got.Latency != "10ms" || got.ErrorStatus != 429 || got.TokenLifetime != "2m0s" {
		t.Fatalf("PUT: HTTP %d %+v", status, got)
	}
	if f := emu.Faults(); f.ErrorRate != 1 || f.Latency != 10*time.Millisecond {
		t.Errorf("Faults() %+v", f)
	}
	resp, err := http.Post(srv.URL+"/oauth2/token/create", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("token under errorRate 1: HTTP %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, bad := range []string{`{"errorRate":3}`, `{"latency":"soon"}`, `{"tokenLifetime":"1ms"}`, `not json`} {
		if status, _ := put(bad); status != http.StatusBadRequest {
			t.Errorf("PUT %s: HTTP %d, want 400", bad, status)
		}
	}
	if status, _ := put(`{}`); status != http.StatusOK || emu.Faults().ErrorRate != 0 {
		t.Errorf("PUT {} did not turn faults off: %+v", emu.Faults())
	}
	for _, auth := range []string{"", "Bearer wrong", "Basic " + token} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+AdminStatsPath, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("admin stats with Authorization %q: HTTP %d, want 401", auth, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+AdminStatsPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var stats AdminStats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || stats.APICalls[OpToken] != 1 {
		t.Errorf("stats %+v %v", stats, err)
	}
}
