package pca

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Limits on what an answer may cost. The PCA endpoint is chosen by whoever
// may write an issuer, so nothing it sends is read or kept unbounded.
const (
	// maxJSONBody caps a successful JSON answer (1 MiB). The largest real
	// answers, a certificate with its chain or a page of 100 list items,
	// are a few tens of KiB.
	maxJSONBody = 1 << 20
	// maxRawBody caps a successful download (10 MiB): a CRL of a large CA.
	maxRawBody = 10 << 20
	// maxErrorBody caps how much of a failed answer is read (64 KiB): only
	// its envelope header is used.
	maxErrorBody = 64 << 10
	// MaxMessage caps, in bytes, the text of an answer (resultMessage, a
	// token endpoint's error, a proxy's page) that an error carries into
	// conditions, events and logs.
	MaxMessage = 1024
)

// callJSON marshals in (when not nil) as the JSON body of cl, sends it and
// decodes the envelope's body into a new T. Errors: *Error for an answer
// that is not a successful envelope, *TokenError when no token could be had,
// a wrapped transport error otherwise.
func callJSON[T any](ctx context.Context, c *Client, cl call, in any) (*T, error) {
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("pca: %s: encoding request: %w", cl.op, err)
		}
		cl.body, cl.contentType = b, "application/json"
	}
	ans, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	return decodeEnvelope[T](cl.op, ans)
}

// callRaw sends cl and returns the body of a 2xx answer as is (PEM, DER).
// A non-2xx answer, or a JSON envelope saying isSuccessful false, is an
// *Error.
func callRaw(ctx context.Context, c *Client, cl call) ([]byte, error) {
	cl.maxBody = maxRawBody
	ans, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if !is2xx(ans.status) {
		return nil, answerError(cl.op, ans)
	}
	// A download is never JSON; a JSON answer is the API reporting a failure.
	if isJSON(ans.contentType) {
		if _, err := decodeEnvelope[json.RawMessage](cl.op, ans); err != nil {
			return nil, err
		}
	}
	return ans.body, nil
}

// decodeEnvelope returns the body of a successful envelope. A non-2xx
// status, a body that is not an envelope, or isSuccessful false is an
// *Error.
func decodeEnvelope[T any](op string, ans *answer) (*T, error) {
	if !is2xx(ans.status) {
		return nil, answerError(op, ans)
	}
	var env wire.Envelope[T]
	if err := json.Unmarshal(ans.body, &env); err != nil {
		return nil, &Error{Op: op, HTTPStatus: ans.status, ResultMessage: fmt.Sprintf("answer is not a JSON envelope (%v): %s", err, snippet(ans.body))}
	}
	if !env.Header.IsSuccessful {
		return nil, &Error{Op: op, HTTPStatus: ans.status, ResultCode: env.Header.ResultCode, ResultMessage: snippet([]byte(env.Header.ResultMessage))}
	}
	return &env.Body, nil
}

// answerError turns a failed answer into an *Error. The body is read as an
// envelope header when it is one; otherwise (a proxy's HTML page on a 502,
// an empty body) the message is the start of the raw body or the status
// text.
func answerError(op string, ans *answer) *Error {
	e := &Error{Op: op, HTTPStatus: ans.status}
	var env struct {
		Header *wire.Header `json:"header"`
	}
	if json.Unmarshal(ans.body, &env) == nil && env.Header != nil {
		e.ResultCode, e.ResultMessage = env.Header.ResultCode, snippet([]byte(env.Header.ResultMessage))
		return e
	}
	if e.ResultMessage = snippet(ans.body); e.ResultMessage == "" {
		e.ResultMessage = http.StatusText(ans.status)
	}
	return e
}

// snippet returns the start of b as one line of valid UTF-8, at most
// MaxMessage bytes, marked with "..." when cut.
func snippet(b []byte) string {
	cut := len(b) > MaxMessage
	if cut {
		b = b[:MaxMessage]
	}
	// ToValidUTF8 also drops a rune split by the cut.
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Join(strings.Fields(s), " ")
	if cut {
		s += "..."
	}
	return s
}

func is2xx(status int) bool { return status >= 200 && status <= 299 }

// isJSON reports a Content-Type of application/json (or +json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
