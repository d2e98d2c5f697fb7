package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Roles of an access key (wire contract "Roles").
const (
	// RoleAdmin may call every endpoint.
	RoleAdmin = "ADMIN"
	// RoleViewer may call the GET endpoints only.
	RoleViewer = "VIEWER"
)

// AccessKey is a User Access Key: an ID and secret that the token endpoint
// trades for a Bearer token, and the role that token carries (RoleAdmin or
// RoleViewer).
type AccessKey struct{ ID, Secret, Role string }

// authority holds the access keys and the tokens issued for them.
type authority struct {
	mu       sync.Mutex
	appKey   string
	keys     map[string]AccessKey
	tokens   map[string]grant
	lifetime time.Duration
	now      func() time.Time
}

// grant is one issued token: the access key it stands for and its expiry.
type grant struct {
	keyID   string
	expires time.Time
}

// newAuthority returns an authority for one appkey and its keys.
func newAuthority(appKey string, keys []AccessKey, lifetime time.Duration, now func() time.Time) *authority {
	a := &authority{appKey: appKey, keys: map[string]AccessKey{}, tokens: map[string]grant{}, lifetime: lifetime, now: now}
	for _, k := range keys {
		a.keys[k.ID] = k
	}
	return a
}

// issueToken trades an access key ID and secret for a token. ok is false
// when the pair is unknown.
func (a *authority) issueToken(id, secret string) (tok wire.Token, ok bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	key, found := a.keys[id]
	if !found || subtle.ConstantTimeCompare([]byte(key.Secret), []byte(secret)) != 1 {
		return wire.Token{}, false, nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return wire.Token{}, false, err
	}
	now := a.now()
	a.dropExpired(now)
	token := base64.RawURLEncoding.EncodeToString(raw)
	a.tokens[token] = grant{keyID: id, expires: now.Add(a.lifetime)}
	return wire.Token{AccessToken: token, TokenType: "Bearer", ExpiresIn: int64(a.lifetime / time.Second)}, true, nil
}

// dropExpired forgets expired tokens so the table does not grow forever.
func (a *authority) dropExpired(now time.Time) {
	for t, g := range a.tokens {
		if !now.Before(g.expires) {
			delete(a.tokens, t)
		}
	}
}

// authorize checks an API call: the appkey of the path, the token of the
// X-NHN-AUTHORIZATION header ("Bearer <token>") and the role against the
// method. It returns the caller's access key, or 401 (no, unknown or expired
// token; unknown appkey, assumed) or 403 (role too low).
func (a *authority) authorize(r *http.Request) (AccessKey, *apiError) {
	header := r.Header.Get("X-NHN-AUTHORIZATION")
	token, found := strings.CutPrefix(header, "Bearer ")
	token = strings.TrimSpace(token)
	if !found || token == "" {
		return AccessKey{}, errUnauthorized("X-NHN-AUTHORIZATION: a Bearer token is required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	g, ok := a.tokens[token]
	if !ok {
		return AccessKey{}, errUnauthorized("X-NHN-AUTHORIZATION: unknown token")
	}
	if !a.now().Before(g.expires) {
		delete(a.tokens, token)
		return AccessKey{}, errUnauthorized("X-NHN-AUTHORIZATION: token expired")
	}
	if subtle.ConstantTimeCompare([]byte(r.PathValue("appkey")), []byte(a.appKey)) != 1 {
		return AccessKey{}, errUnauthorized("appkey: unknown appkey")
	}
	key := a.keys[g.keyID]
	if !roleAllows(key.Role, r.Method) {
		return AccessKey{}, errForbidden("role " + key.Role + " may not call " + r.Method + " " + r.URL.Path)
	}
	return key, nil
}

// roleAllows is the role check: ADMIN may do everything, VIEWER may read
// (GET, HEAD). Assumed: any other role may do nothing.
func roleAllows(role, method string) bool {
	switch role {
	case RoleAdmin:
		return true
	case RoleViewer:
		return method == http.MethodGet || method == http.MethodHead
	}
	return false
}

// setKey adds or replaces an access key. Tokens already issued for its ID
// stay valid and carry the new role.
func (a *authority) setKey(k AccessKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys[k.ID] = k
}

// removeKey deletes an access key and every token issued for it.
func (a *authority) removeKey(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.keys, id)
	for t, g := range a.tokens {
		if g.keyID == id {
			delete(a.tokens, t)
		}
	}
}

// tokenLifetime returns the lifetime of tokens issued from now on.
func (a *authority) tokenLifetime() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lifetime
}

// setTokenLifetime changes the lifetime of tokens issued from now on.
func (a *authority) setTokenLifetime(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lifetime = d
}
