package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// TestBadBodiesAreNamed400s holds every way a JSON body can be wrong to a
// 400 that names what is wrong, on the issuance endpoint.
func TestBadBodiesAreNamed400s(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	tests := []struct {
		name, body, want string
	}{
		{"empty", "", "a JSON object is required"},
		{"blank", " \n", "a JSON object is required"},
		{"null", " null ", "a JSON object is required"},
		{"not JSON", "mode=SIGN", "not valid JSON"},
		{"truncated", `{"mode":"SIGN"`, "not valid JSON"},
		{"trailing data", `{"mode":"SIGN"} {}`, "not valid JSON"},
		{"wrong type", `{"mode":"SIGN","ttlValue":"an hour"}`, "ttlValue"},
		{"array", `[{"mode":"SIGN"}]`, "a JSON object is required, got a JSON array"},
		{"string", `"SIGN"`, "a JSON object is required, got a JSON string"},
		{"invalid UTF-8", "{\"mode\":\"SIGN\",\"commonName\":\"a\xff.example.com\"}", "not valid UTF-8"},
		{"too large", `{"csr":"` + strings.Repeat("A", maxRequestBody) + `"}`, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := h.raw(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), h.admin, strings.NewReader(tc.body), "application/json")
			var env wire.Envelope[any]
			if err := jsonUnmarshal(raw, &env); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if status != http.StatusBadRequest || env.Header.IsSuccessful || !strings.Contains(env.Header.ResultMessage, tc.want) {
				t.Errorf("HTTP %d %+v, want 400 naming %q", status, env.Header, tc.want)
			}
		})
	}
}
