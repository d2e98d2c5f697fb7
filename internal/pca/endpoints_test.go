package pca

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const root = "/v2.0/appkeys/" + testAppKey + "/ca-stores"

func TestEveryMethodHitsItsEndpoint(t *testing.T) {
	ctx := context.Background()
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	tests := []struct {
		name       string
		answer     http.HandlerFunc
		do         func(*Client) (any, error)
		method     string
		path       string
		query      string
		withBody   bool
		public     bool
		wantResult any
	}{
		{name: "list-stores", answer: okEnvelope(`{"caInfoList":[{"id":3}],"totalCnt":1}`),
			do: func(c *Client) (any, error) {
				return c.ListStores(ctx, wire.ListOptions{Page: 2, Size: 5, Search: "prod ca"})
			},
			method: "GET", path: root, query: "page=2&search=prod+ca&size=5",
			wantResult: &wire.StoreList{CAInfoList: []wire.Store{{ID: 3}}, Page: wire.Page{TotalCnt: 1}}},
		{name: "get-store", answer: okEnvelope(`{"id":3,"status":"ACTIVE"}`),
			do:     func(c *Client) (any, error) { return c.GetStore(ctx, 3) },
			method: "GET", path: root + "/3", wantResult: &wire.Store{ID: 3, Status: wire.StatusActive}},
		{name: "list-certificates", answer: okEnvelope(`{"listCerts":[{"id":9}]}`),
			do:     func(c *Client) (any, error) { return c.ListCertificates(ctx, 3, wire.ListTypeLeaf, wire.ListOptions{}) },
			method: "GET", path: root + "/3/certs", query: "type=leaf",
			wantResult: &wire.CertificateList{ListCerts: []wire.CertificateListItem{{ID: 9}}}},
		{name: "get-certificate", answer: okEnvelope(`{"certificateId":9}`),
			do:     func(c *Client) (any, error) { return c.GetCertificate(ctx, 3, 9) },
			method: "GET", path: root + "/3/certs/9", wantResult: &wire.Certificate{CertificateID: 9}},
		{name: "revoke-certificate", answer: okEnvelope(`{"result":true,"serialNumber":"0A:0B"}`),
			do:     func(c *Client) (any, error) { return c.RevokeCertificate(ctx, 3, 9) },
			method: "POST", path: root + "/3/certs/9/revoke", wantResult: &wire.RevokeResult{Result: true, SerialNumber: "0A:0B"}},
		{name: "get-template", answer: okEnvelope(`{"id":2,"maxTTL":"31536000"}`),
			do:     func(c *Client) (any, error) { return c.GetTemplate(ctx, 3, 2) },
			method: "GET", path: root + "/3/templates/2", wantResult: &wire.Template{ID: 2, MaxTTL: "31536000"}},
		{name: "issue-with-template", answer: okEnvelope(`{"certificateId":11,"type":"LEAF"}`),
			do: func(c *Client) (any, error) {
				return c.IssueWithTemplate(ctx, 3, 2, wire.IssueRequest{Mode: wire.ModeSign})
			},
			method: "POST", path: root + "/3/templates/2/certificates", withBody: true,
			wantResult: &wire.Certificate{CertificateID: 11, Type: wire.TypeLeaf}},
		{name: "get-crl-info", answer: okEnvelope(`{"crlPem":"PEM"}`),
			do:     func(c *Client) (any, error) { return c.GetCRLInfo(ctx, 3, 10) },
			method: "GET", path: root + "/3/certs/10/crl", wantResult: &wire.CRLInfo{CRLPem: "PEM"}},
		{name: "download-crl-der", answer: rawAnswer(200, "application/pkix-crl", "\x30\x82"),
			do:     func(c *Client) (any, error) { return c.DownloadCRL(ctx, 3, 10, true) },
			method: "GET", path: root + "/3/certs/10/crl/der", public: true, wantResult: []byte("\x30\x82")},
		{name: "download-crl-pem", answer: rawAnswer(200, "application/pkix-crl", "-----BEGIN X509 CRL-----"),
			do:     func(c *Client) (any, error) { return c.DownloadCRL(ctx, 3, 10, false) },
			method: "GET", path: root + "/3/certs/10/crl/pem", public: true, wantResult: []byte("-----BEGIN X509 CRL-----")},
		{name: "ocsp-post", answer: rawAnswer(200, "application/ocsp-response", "\x30\x03"),
			do:     func(c *Client) (any, error) { return c.OCSP(ctx, 3, []byte("\x30\x01\x00")) },
			method: "POST", path: root + "/3/ocsp", withBody: true, public: true, wantResult: []byte("\x30\x03")},
		{name: "ocsp-get", answer: rawAnswer(200, "application/ocsp-response", "\x30\x03"),
			do:     func(c *Client) (any, error) { return c.OCSPGet(ctx, 3, []byte("\x30\x01\x00")) },
			method: "GET", path: root + "/3/ocsp/MAEA", public: true, wantResult: []byte("\x30\x03")},
		{name: "call-json", answer: okEnvelope(`{"id":4}`),
			do: func(c *Client) (any, error) {
				b, err := c.Call(ctx, Request{Op: "CreateStore", Method: http.MethodPut, Path: "/4", Query: url.Values{"x": {"y z"}}, Body: wire.StoreRequest{Name: "s"}})
				return string(b), err
			},
			method: "PUT", path: root + "/4", query: "x=y+z", withBody: true, wantResult: `{"id":4}`},
		{name: "call-download", answer: rawAnswer(200, wire.CertificateContentType, pem),
			do: func(c *Client) (any, error) {
				return c.Call(ctx, Request{Op: "DownloadCertificate", Method: http.MethodGet, Path: "/3/certs/9/download", Download: true})
			},
			method: "GET", path: root + "/3/certs/9/download", wantResult: []byte(pem)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.answer
			got, err := tt.do(f.client(t))
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if tt.wantResult != nil && !reflect.DeepEqual(got, tt.wantResult) {
				t.Errorf("result = %#v, want %#v", got, tt.wantResult)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("api requests = %d, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path || r.Query != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tt.method, tt.path, tt.query)
			}
			if tt.withBody != (len(r.Body) > 0) {
				t.Errorf("body = %q, want body: %v", r.Body, tt.withBody)
			}
			if tt.public != (r.Auth == "") || tt.public != (f.tokenHits.Load() == 0) {
				t.Errorf("public %v, but token header %q and %d token fetches", tt.public, r.Auth, f.tokenHits.Load())
			}
		})
	}
}

func TestAppKeyIsPathEscaped(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{}`)
	cfg := f.config()
	cfg.AppKey = "a/b c?d"
	cfg.URL = f.srv.URL + "/prefix/"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetStore(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got, want := f.requests()[0].Path, "/prefix/v2.0/appkeys/a%2Fb%20c%3Fd/ca-stores/1"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestIssueWithTemplateWireBody(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{"certificateId":11}`)
	req := wire.IssueRequest{
		Mode: wire.ModeSign, CommonName: "api.example.com", TTLValue: 7776000,
		Csr: "-----BEGIN CERTIFICATE REQUEST-----\nMIIC\n-----END CERTIFICATE REQUEST-----\n", Format: wire.FormatPEM,
		RemoveRootsFromChain: true, Sans: []string{"api.example.com", "www.example.com"},
		IPSans: []string{"10.0.0.1"}, URLSans: []string{"spiffe://cluster/ns/default"},
		OtherSans: []wire.OidInfo{{OID: "1.2.840.113549.1.9.1", Type: "IA5String", Value: "a@example.com"}},
	}
	if _, err := f.client(t).IssueWithTemplate(context.Background(), 1, 2, req); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.ContentType != "application/json" {
		t.Errorf("Content-Type = %q", r.ContentType)
	}
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	want := map[string]any{
		"mode": "SIGN", "commonName": "api.example.com", "ttlValue": 7776000.0,
		"csr":    "-----BEGIN CERTIFICATE REQUEST-----\nMIIC\n-----END CERTIFICATE REQUEST-----\n",
		"format": "PEM", "removeRootsFromChain": true, "excludeCommonNameFromSans": false,
		"sans":      []any{"api.example.com", "www.example.com"},
		"ipSans":    []any{"10.0.0.1"},
		"urlSans":   []any{"spiffe://cluster/ns/default"},
		"otherSans": []any{map[string]any{"oid": "1.2.840.113549.1.9.1", "type": "IA5String", "value": "a@example.com"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wire body = %v\nwant        %v", got, want)
	}
}

func TestBadDateTimeIsAnError(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{"certificateId":1,"notAfterDateTime":"15/01/2034"}`)
	_, err := f.client(t).GetCertificate(context.Background(), 1, 1)
	if err == nil || !strings.Contains(err.Error(), "15/01/2034") {
		t.Fatalf("error = %v, want one naming the bad date-time", err)
	}
}

func TestOCSPSendsDERBody(t *testing.T) {
	f := newFake(t)
	f.api = rawAnswer(200, "application/ocsp-response", "\x30\x03\x0a\x01\x00")
	der := []byte{0x30, 0x45, 0x30, 0x43, 0xff, 0x00}
	if _, err := f.client(t).OCSP(context.Background(), 3, der); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if !bytes.Equal(r.Body, der) || r.ContentType != "application/ocsp-request" {
		t.Errorf("body %x with type %q, want %x with application/ocsp-request", r.Body, r.ContentType, der)
	}
}

func TestOCSPGetPathIsURLSafeBase64WithoutPadding(t *testing.T) {
	f := newFake(t)
	f.api = rawAnswer(200, "application/ocsp-response", "\x30\x03\x0a\x01\x00")
	// Standard base64 of these bytes is "+/8=": every character the
	// provider's guide asks to replace or drop.
	der := []byte{0xfb, 0xff}
	if _, err := f.client(t).OCSPGet(context.Background(), 3, der); err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if want := root + "/3/ocsp/-_8"; r.Path != want || len(r.Body) != 0 {
		t.Errorf("request = %s %s with %d body bytes, want GET %s without body", r.Method, r.Path, len(r.Body), want)
	}
}

func TestBadInputRejectedBeforeAnyRequest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		do      func(*Client) error
		wantErr string
	}{
		{name: "unknown-certificate-type", wantErr: "not one of", do: func(c *Client) error {
			_, err := c.ListCertificates(ctx, 1, "ROOT", wire.ListOptions{})
			return err
		}},
		{name: "negative-page", wantErr: "negative", do: func(c *Client) error {
			_, err := c.ListStores(ctx, wire.ListOptions{Page: -1})
			return err
		}},
		{name: "negative-size", wantErr: "negative", do: func(c *Client) error {
			_, err := c.ListCertificates(ctx, 1, wire.ListTypeLeaf, wire.ListOptions{Size: -5})
			return err
		}},
		{name: "empty-ocsp-request", wantErr: "empty", do: func(c *Client) error {
			_, err := c.OCSP(ctx, 1, nil)
			return err
		}},
		{name: "empty-ocsp-get-request", wantErr: "empty", do: func(c *Client) error {
			_, err := c.OCSPGet(ctx, 1, []byte{})
			return err
		}},
		{name: "find-leaf-without-common-name", wantErr: "common name", do: func(c *Client) error {
			_, err := c.FindLeaf(ctx, 1, " ", time.Time{}, func(*wire.Certificate) bool { return true })
			return err
		}},
		{name: "find-leaf-without-match", wantErr: "match", do: func(c *Client) error {
			_, err := c.FindLeaf(ctx, 1, "web", time.Time{}, nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = okEnvelope(`{}`)
			err := tt.do(f.client(t))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if f.apiHits.Load()+f.tokenHits.Load() != 0 {
				t.Errorf("%d api and %d token requests, want none", f.apiHits.Load(), f.tokenHits.Load())
			}
		})
	}
}

func TestDownloadFailures(t *testing.T) {
	tests := []struct {
		name       string
		api        http.HandlerFunc
		wantStatus int
		wantCode   int
	}{
		{name: "json-failure-under-200", api: failEnvelope(200, -5, "no such certificate"), wantStatus: 200, wantCode: -5},
		{name: "404-envelope", api: failEnvelope(404, -4, "no such certificate"), wantStatus: 404, wantCode: -4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.api
			b, err := f.client(t).Call(context.Background(), Request{Op: "DownloadCertificate", Method: http.MethodGet, Path: "/1/certs/2/download", Download: true})
			if b != nil || StatusOf(err) != tt.wantStatus {
				t.Fatalf("Call = %q, %v; want no bytes and HTTP %d", b, err, tt.wantStatus)
			}
			var e *Error
			if !errors.As(err, &e) || e.ResultCode != tt.wantCode || e.Op != "DownloadCertificate" {
				t.Errorf("error = %+v", e)
			}
		})
	}
}
