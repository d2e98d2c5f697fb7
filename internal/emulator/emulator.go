package emulator

import (
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/db"
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
	// Now is the clock; default time.Now. Tests inject one to expire tokens,
	// certificates, CRLs and cached OCSP responses.
	Now func() time.Time
	// DataDir, when set, keeps stores, certificates, issuer keys, templates,
	// serials, revocations and CRLs in a bbolt file there (DBFileName), so
	// they survive a restart; the folder is created (mode 0700) if needed.
	// Empty keeps everything in memory. Tokens, counters, faults and the
	// OCSP cache are always in memory.
	DataDir string
	// BaseURL is the emulator's public base URL, e.g.
	// "https://127.0.0.1:9443": the prefix of the CRL distribution point
	// and OCSP URL put in certificates and of each store's ocspUrl. Empty
	// leaves those URLs out. SetBaseURL changes it later.
	BaseURL string
	// AdminToken, when not empty, enables the admin routes
	// (AdminFaultsPath, AdminStatsPath); each call must carry it as
	// "Authorization: Bearer <AdminToken>", else HTTP 401.
	AdminToken string
	// Faults are the faults injected from the start; SetFaults changes them.
	Faults Faults
}

// DefaultTokenLifetime is the token lifetime when Options leaves it zero
// (86,400 s, the provider's maximum).
const DefaultTokenLifetime = 24 * time.Hour

// Emulator is a local NHN Cloud Private CA API v2.0 server. It is safe for
// concurrent use; its state lives in memory or, with Options.DataDir, in a
// bbolt file. Call Close when done.
type Emulator struct {
	auth    *authority
	svc     *service
	faults  faultState
	calls   callCounter
	handler http.Handler
}

// New checks opts and returns an emulator: empty, or with what DataDir
// holds. It fails on an empty AppKey, a bad access key (empty or ':' in the
// ID, empty secret, unknown role, duplicate ID), a negative TokenLifetime, a
// BaseURL that is not absolute http(s), or a DataDir that cannot be opened
// (another process holding it included).
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
	baseURL, err := checkBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	var data db.Storage = db.NewMemory()
	if opts.DataDir != "" {
		if data, err = db.OpenBolt(opts.DataDir); err != nil {
			return nil, err
		}
	}
	e := &Emulator{
		auth:  newAuthority(opts.AppKey, opts.AccessKeys, opts.TokenLifetime, opts.Now),
		svc:   newService(data, opts.Now, opts.AppKey, baseURL),
		calls: callCounter{n: map[string]int{}},
	}
	e.faults.set(opts.Faults)
	e.handler = e.routes(opts.AdminToken)
	return e, nil
}

// DBFileName is the name of the bbolt file in Options.DataDir.
const DBFileName = db.FileName

// ErrDataLocked (another process holds the bbolt file of Options.DataDir)
// and ErrDataDamaged (the file is not bbolt's or fails its consistency
// check) are the errors New names when DataDir cannot be opened.
var (
	ErrDataLocked  = db.ErrLocked
	ErrDataDamaged = db.ErrDamaged
)

// Close releases the storage (the bbolt file and its lock with DataDir).
// The emulator must not be used afterwards.
func (e *Emulator) Close() error { return e.svc.db.Close() }

// SetTokenLifetime changes the lifetime (and expires_in) of tokens issued
// from now on; tokens already issued keep theirs. d <= 0 restores
// DefaultTokenLifetime.
func (e *Emulator) SetTokenLifetime(d time.Duration) {
	if d <= 0 {
		d = DefaultTokenLifetime
	}
	e.auth.setTokenLifetime(d)
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
// since New (both modes, successful calls only, including those whose answer
// Faults.FailAfterIssueRate then lost). It is not persisted.
func (e *Emulator) IssuanceCount() int { return e.svc.issued.count() }

// IssuanceCountFor returns how many template issuances were for the public
// key pub (an *ecdsa.PublicKey or NIST-curve *ecdh.PublicKey,
// *rsa.PublicKey, ed25519.PublicKey, or any key x509.MarshalPKIXPublicKey
// takes), matched by key value. Any other key counts 0.
func (e *Emulator) IssuanceCountFor(pub crypto.PublicKey) int {
	return e.svc.issued.countFor(pub)
}

// IssuanceAttemptsFor returns how many SIGN-mode template issuance calls
// reached the service (past injected faults) with a CSR that parsed and
// verified, of the public key pub, whatever their outcome: refused calls
// count too. Keys are matched as by IssuanceCountFor. Tests use it to bound
// the calls a failing request made.
func (e *Emulator) IssuanceAttemptsFor(pub crypto.PublicKey) int {
	return e.svc.attempts.countFor(pub)
}

// SetAccessKey adds an access key or replaces the one with the same ID.
// Tokens already issued for the ID stay valid and take the new role. A key
// with another role than RoleAdmin or RoleViewer may call nothing.
func (e *Emulator) SetAccessKey(k AccessKey) { e.auth.setKey(k) }

// RemoveAccessKey deletes an access key and invalidates its tokens: calls
// with them answer 401 from then on.
func (e *Emulator) RemoveAccessKey(id string) { e.auth.removeKey(id) }
