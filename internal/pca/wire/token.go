package wire

// Token is the JSON answer of the token endpoint
// (POST {tokenURL}/oauth2/token/create), an OAuth 2.0 client credentials
// grant (RFC 6749 section 4.4). It is not wrapped in an Envelope.
type Token struct {
	// AccessToken is sent as "Bearer <token>" in X-NHN-AUTHORIZATION.
	AccessToken string `json:"access_token"`
	// TokenType is "Bearer".
	TokenType string `json:"token_type"`
	// ExpiresIn is the token's lifetime in seconds, 60..86,400.
	ExpiresIn int64 `json:"expires_in"`
}
