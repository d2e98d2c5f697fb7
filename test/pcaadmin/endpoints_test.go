package pcaadmin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

const root = "/v2.0/appkeys/app/ca-stores"

// seen is what the fake API saw of one request.
type seen struct {
	method, path, query, auth string
	body                      []byte
}

// fakeAPI serves a token and answers every API call with answer,
// recording what it saw.
func fakeAPI(t *testing.T, answer http.HandlerFunc) (*Client, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var reqs []seen
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token/create", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get(pca.AuthHeader), body})
		mu.Unlock()
		answer(w, r)
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "app", AccessKeyID: "id", SecretAccessKey: "secret", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), reqs...)
	}
}

func envelope(status int, ok bool, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		code := 0
		if !ok {
			code = -4
		}
		_, _ = fmt.Fprintf(w, `{"header":{"resultCode":%d,"resultMessage":"m","isSuccessful":%v},"body":%s}`, code, ok, body)
	}
}

func TestEveryMethodHitsItsEndpoint(t *testing.T) {
	ctx := context.Background()
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	ok := func(body string) http.HandlerFunc { return envelope(200, true, body) }
	tests := []struct {
		name         string
		answer       http.HandlerFunc
		do           func(*Client) (any, error)
		method, path string
		query        string
		withBody     bool
		want         any
	}{
		{name: "create-store", answer: ok(`{"id":4}`),
			do:     func(c *Client) (any, error) { return c.CreateStore(ctx, wire.StoreRequest{Name: "s"}) },
			method: "POST", path: root, withBody: true, want: &wire.Store{ID: 4}},
		{name: "modify-store", answer: ok(`{"id":4}`),
			do:     func(c *Client) (any, error) { return c.ModifyStore(ctx, 4, wire.StoreRequest{Name: "s"}) },
			method: "PUT", path: root + "/4", withBody: true, want: &wire.Store{ID: 4}},
		{name: "delete-store", answer: ok(`{"id":4,"status":"DELETED"}`),
			do:     func(c *Client) (any, error) { return c.DeleteStore(ctx, 4) },
			method: "DELETE", path: root + "/4", want: &wire.Store{ID: 4, Status: wire.StatusDeleted}},
		{name: "issue-issuer-certificate", answer: ok(`{"certificateId":10}`),
			do: func(c *Client) (any, error) {
				return c.IssueIssuerCertificate(ctx, 3, wire.IssuerCertRequest{CertificateType: wire.TypeRoot, Name: "r"})
			},
			method: "POST", path: root + "/3/certs", withBody: true, want: &wire.Certificate{CertificateID: 10}},
		{name: "download-certificate", answer: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", wire.CertificateContentType)
			_, _ = io.WriteString(w, pem)
		},
			do:     func(c *Client) (any, error) { return c.DownloadCertificate(ctx, 3, 9) },
			method: "GET", path: root + "/3/certs/9/download", want: []byte(pem)},
		{name: "list-templates", answer: ok(`{"templates":[{"id":2,"name":"web"}]}`),
			do:     func(c *Client) (any, error) { return c.ListTemplates(ctx, 3, wire.ListOptions{Search: "web"}) },
			method: "GET", path: root + "/3/templates", query: "search=web",
			want: &wire.TemplateList{Templates: []wire.TemplateSummary{{ID: 2, Name: "web"}}}},
		{name: "create-template", answer: ok(`{"templateId":2,"attributes":"{}"}`),
			do: func(c *Client) (any, error) {
				return c.CreateTemplate(ctx, 3, wire.TemplateRequest{Name: "t", ParentCertID: 10})
			},
			method: "POST", path: root + "/3/templates", withBody: true, want: &wire.TemplateCreated{TemplateID: 2, Attributes: "{}"}},
		{name: "modify-template", answer: ok(`true`),
			do:     func(c *Client) (any, error) { return nil, c.ModifyTemplate(ctx, 3, 2, wire.TemplateRequest{Name: "t"}) },
			method: "PUT", path: root + "/3/templates/2", withBody: true},
		{name: "delete-template", answer: ok(`true`),
			do:     func(c *Client) (any, error) { return nil, c.DeleteTemplate(ctx, 3, 2) },
			method: "DELETE", path: root + "/3/templates/2"},
		{name: "renew-crl", answer: ok(`true`),
			do:     func(c *Client) (any, error) { return nil, c.RenewCRL(ctx, 3, 10) },
			method: "POST", path: root + "/3/certs/10/crl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, requests := fakeAPI(t, tt.answer)
			got, err := tt.do(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %#v, want %#v", got, tt.want)
			}
			reqs := requests()
			if len(reqs) != 1 {
				t.Fatalf("api requests = %d, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != tt.method || r.path != tt.path || r.query != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.method, r.path, r.query, tt.method, tt.path, tt.query)
			}
			if tt.withBody != (len(r.body) > 0) {
				t.Errorf("body = %q, want body: %v", r.body, tt.withBody)
			}
			if r.auth != "Bearer tok" {
				t.Errorf("token header = %q, want Bearer tok", r.auth)
			}
		})
	}
}

func TestFailuresAreTheProductClientsErrors(t *testing.T) {
	c, _ := fakeAPI(t, envelope(404, false, "null"))
	_, err := c.CreateTemplate(context.Background(), 3, wire.TemplateRequest{Name: "t"})
	var e *pca.Error
	if !errors.As(err, &e) || e.Op != "CreateTemplate" || !pca.IsNotFound(err) {
		t.Fatalf("error = %v, want a *pca.Error for CreateTemplate with HTTP 404", err)
	}
	b, err := c.DownloadCertificate(context.Background(), 1, 2)
	if b != nil || !errors.As(err, &e) || e.Op != "DownloadCertificate" || e.ResultCode != -4 {
		t.Fatalf("DownloadCertificate = %q, %v; want no bytes and the envelope's failure", b, err)
	}
}

func TestNegativeListOptionsRefusedBeforeAnyRequest(t *testing.T) {
	c, requests := fakeAPI(t, envelope(200, true, `{}`))
	if _, err := c.ListTemplates(context.Background(), 1, wire.ListOptions{Size: -5}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("error = %v, want one mentioning negative", err)
	}
	if n := len(requests()); n != 0 {
		t.Errorf("%d api requests, want none", n)
	}
}
