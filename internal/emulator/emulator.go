package emulator

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Options configures an Emulator.
type Options struct {
	// AppKey is the only appkey the API paths accept; required.
	AppKey string
	// AccessKeys may trade their ID and secret for tokens. IDs must be
	// unique and free of ':' (HTTP Basic splits on it); Role is RoleAdmin
	// or RoleViewer. More can be added later with SetAccessKey.
	AccessKeys []AccessKey
	// TokenLifetime is how long a token is valid, whole seconds; the token
	// endpoint's expires_in. Default 24h.
	TokenLifetime time.Duration
	// Now is the clock; default time.Now. Tests inject one to expire tokens
	// and certificates.
	Now func() time.Time
}

// DefaultTokenLifetime is the token lifetime when Options leaves it zero
// (86,400 s, the provider's maximum).
const DefaultTokenLifetime = 24 * time.Hour

// Emulator is a local NHN Cloud Private CA API v2.0 server. It is safe for
// concurrent use; its state lives in memory.
type Emulator struct {
	auth    *authority
	svc     *service
	handler http.Handler
}

// New checks opts and returns an empty emulator: no stores yet. It fails on
// an empty AppKey, a bad access key (empty or ':' in the ID, empty secret,
// unknown role, duplicate ID) or a negative TokenLifetime.
func New(opts Options) (*Emulator, error) {
	if opts.AppKey == "" {
		return nil, errors.New("emulator: AppKey is required")
	}
	seen := map[string]bool{}
	for _, k := range opts.AccessKeys {
		if err := checkAccessKey(k); err != nil {
			return nil, err
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("emulator: access key ID %q given twice", k.ID)
		}
		seen[k.ID] = true
	}
	switch {
	case opts.TokenLifetime < 0:
		return nil, fmt.Errorf("emulator: TokenLifetime %v is negative", opts.TokenLifetime)
	case opts.TokenLifetime == 0:
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{
		auth: newAuthority(opts.AppKey, opts.AccessKeys, opts.TokenLifetime, opts.Now),
		svc:  newService(newMemStorage(), opts.Now),
	}
	e.handler = e.routes()
	return e, nil
}

// checkAccessKey refuses an access key that could never authenticate.
func checkAccessKey(k AccessKey) error {
	switch {
	case k.ID == "" || strings.Contains(k.ID, ":"):
		return fmt.Errorf("emulator: access key ID %q must be non-empty and free of ':'", k.ID)
	case k.Secret == "":
		return fmt.Errorf("emulator: access key %q has an empty secret", k.ID)
	case k.Role != RoleAdmin && k.Role != RoleViewer:
		return fmt.Errorf("emulator: access key %q has role %q, want %s or %s", k.ID, k.Role, RoleAdmin, RoleViewer)
	}
	return nil
}

// Handler returns the HTTP handler: POST /oauth2/token/create and the API
// under /v2.0/appkeys/{appkey}/ca-stores.
func (e *Emulator) Handler() http.Handler { return e.handler }

// IssuanceCount returns how many certificates template issuance has made
// (both modes, successful calls only).
func (e *Emulator) IssuanceCount() int { return e.svc.issued.count() }

// IssuanceCountFor returns how many template issuances were for the public
// key pub, matched by the SHA-256 of its SubjectPublicKeyInfo DER. A key that
// cannot be marshalled counts 0.
func (e *Emulator) IssuanceCountFor(pub crypto.PublicKey) int {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return 0
	}
	return e.svc.issued.countFor(spki)
}

// SetAccessKey adds an access key or replaces the one with the same ID.
// Tokens already issued for the ID stay valid and take the new role. A key
// with another role than RoleAdmin or RoleViewer may call nothing.
func (e *Emulator) SetAccessKey(k AccessKey) { e.auth.setKey(k) }

// RemoveAccessKey deletes an access key and invalidates its tokens: calls
// with them answer 401 from then on.
func (e *Emulator) RemoveAccessKey(id string) { e.auth.removeKey(id) }
