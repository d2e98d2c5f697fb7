package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name       string
		id, secret string
		grant      string
		wantStatus int
		wantError  string
	}{
		{"good-credentials-get-a-token", adminID, adminKey, "client_credentials", http.StatusOK, ""},
		{"wrong-secret-is-invalid-client", adminID, "nope", "client_credentials", http.StatusUnauthorized, "invalid_client"},
		{"unknown-id-is-invalid-client", "who", adminKey, "client_credentials", http.StatusUnauthorized, "invalid_client"},
		{"no-basic-auth-is-invalid-client", "", "", "client_credentials", http.StatusUnauthorized, "invalid_client"},
		{"other-grant-is-unsupported", adminID, adminKey, "password", http.StatusBadRequest, "unsupported_grant_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.tokenRequest(tc.id, tc.secret, tc.grant)
			defer func() { _ = resp.Body.Close() }()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if tc.wantError != "" {
				if body["error"] != tc.wantError {
					t.Errorf("error %v, want %s", body["error"], tc.wantError)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || body["access_token"] == "" {
				t.Errorf("token body %v", body)
			}
		})
	}
}

// The issuer's client uses golang.org/x/oauth2: the endpoint must satisfy it.
func TestTokenEndpointWorksWithOAuth2ClientCredentials(t *testing.T) {
	h := newHarness(t)
	cfg := clientcredentials.Config{
		ClientID: adminID, ClientSecret: adminKey,
		TokenURL:  h.srv.URL + "/oauth2/token/create",
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	tok, err := cfg.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("token %+v", tok)
	}
	cfg.ClientSecret = "wrong"
	if _, err := cfg.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("wrong secret: err %v, want invalid_client", err)
	}
}

func TestAPIAuth(t *testing.T) {
	h := newHarness(t)
	storePath := path("")
	newStore := wire.StoreRequest{Name: "s"}
	tests := []struct {
		name       string
		method     string
		path       string
		token      func() string
		wantStatus int
		wantMsg    string
	}{
		{"no-token-is-401", http.MethodGet, storePath, func() string { return "" }, http.StatusUnauthorized, "X-NHN-AUTHORIZATION"},
		{"unknown-token-is-401", http.MethodGet, storePath, func() string { return "not-a-token" }, http.StatusUnauthorized, "unknown token"},
		{"unknown-appkey-is-401", http.MethodGet, "/v2.0/appkeys/other/ca-stores", func() string { return h.admin }, http.StatusUnauthorized, "appkey"},
		{"viewer-may-read", http.MethodGet, storePath, func() string { return h.viewer }, http.StatusOK, "SUCCESS"},
		{"viewer-may-not-write", http.MethodPost, storePath, func() string { return h.viewer }, http.StatusForbidden, "VIEWER"},
		{"admin-may-write", http.MethodPost, storePath, func() string { return h.admin }, http.StatusOK, "SUCCESS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.call(tc.method, tc.path, tc.token(), newStore)
			if tc.wantStatus == http.StatusOK {
				if r.status != http.StatusOK || !r.header.IsSuccessful || r.header.ResultMessage != "SUCCESS" {
					t.Fatalf("HTTP %d %+v", r.status, r.header)
				}
				return
			}
			r.wantError(t, tc.wantStatus, tc.wantMsg)
		})
	}
}

func TestTokenExpiresWithTheClock(t *testing.T) {
	h := newHarness(t)
	h.ok(http.MethodGet, path(""), nil, nil)
	h.clock.Advance(time.Hour) // the harness's token lifetime
	h.call(http.MethodGet, path(""), h.admin, nil).wantError(t, http.StatusUnauthorized, "expired")
}

func TestRemoveAccessKeyInvalidatesTokensAndSetRestores(t *testing.T) {
	h := newHarness(t)
	h.emu.RemoveAccessKey(adminID)
	h.call(http.MethodGet, path(""), h.admin, nil).wantError(t, http.StatusUnauthorized, "unknown token")
	resp := h.tokenRequest(adminID, adminKey, "client_credentials")
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token for a removed key: HTTP %d, want 401", resp.StatusCode)
	}
	h.emu.SetAccessKey(AccessKey{ID: adminID, Secret: adminKey, Role: RoleViewer})
	tok := h.token(adminID, adminKey)
	h.call(http.MethodPost, path(""), tok, wire.StoreRequest{Name: "s"}).wantError(t, http.StatusForbidden, "VIEWER")
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no-appkey", Options{}},
		{"colon-in-key-id", Options{AppKey: "a", AccessKeys: []AccessKey{{"a:b", "s", RoleAdmin}}}},
		{"empty-secret", Options{AppKey: "a", AccessKeys: []AccessKey{{"a", "", RoleAdmin}}}},
		{"unknown-role", Options{AppKey: "a", AccessKeys: []AccessKey{{"a", "s", "OWNER"}}}},
		{"duplicate-id", Options{AppKey: "a", AccessKeys: []AccessKey{{"a", "s", RoleAdmin}, {"a", "t", RoleViewer}}}},
		{"negative-lifetime", Options{AppKey: "a", TokenLifetime: -time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opts); err == nil {
				t.Fatal("New accepted bad options")
			}
		})
	}
}

func TestUnknownRoutesAnswerAnEnvelope(t *testing.T) {
	h := newHarness(t)
	h.call(http.MethodGet, "/nowhere", h.admin, nil).wantError(t, http.StatusNotFound, "no endpoint")
	h.call(http.MethodDelete, path(""), h.admin, nil).wantError(t, http.StatusMethodNotAllowed, "DELETE")
}
