package pca

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// Request is one API call made through Client.Call.
type Request struct {
	// Op names the call in errors and to Config.Observe, e.g. "CreateStore".
	Op string
	// Method is the HTTP method.
	Method string
	// Path is escaped and relative to the appkey's store list
	// (.../v2.0/appkeys/{appkey}/ca-stores): "" or starting with "/", e.g.
	// "/3/templates/2".
	Path string
	// Query, when not empty, is the URL query (see wire.ListOptions.Query).
	Query url.Values
	// Body, when not nil, is sent as a JSON body.
	Body any
	// Download marks an answer that is a file (PEM, DER) rather than a JSON
	// envelope: it is returned as is, up to 10 MiB.
	Download bool
}

// Call makes one authenticated call that has no method of its own here and
// returns the envelope's body as raw JSON, or the file when r.Download.
//
// It is for clients of the calls the product does not make (the test-side
// administration client builds store, template and issuer management on
// it), so that they share this client's token handling, 401 retry, rate
// limit, answer bounds and Observe rather than re-implementing them.
// Product code calls the typed methods.
//
// Errors: as the typed methods: *Error for an API failure, *TokenError when
// no token could be had, *EndpointError for an answer over its bound, a
// transport error otherwise.
func (c *Client) Call(ctx context.Context, r Request) ([]byte, error) {
	cl := call{op: r.Op, method: r.Method, path: r.Path, query: r.Query}
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, fmt.Errorf("pca: %s: encoding request: %w", r.Op, err)
		}
		cl.body, cl.contentType = b, "application/json"
	}
	if r.Download {
		return callRaw(ctx, c, cl)
	}
	body, err := callJSON[json.RawMessage](ctx, c, cl, nil)
	if err != nil {
		return nil, err
	}
	return *body, nil
}
