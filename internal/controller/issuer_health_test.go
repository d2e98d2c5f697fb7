package controller

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// fakeStoreLister answers ListStores with err.
type fakeStoreLister struct {
	err   error
	calls int
}

func (f *fakeStoreLister) ListStores(context.Context, wire.ListOptions) (*wire.StoreList, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &wire.StoreList{}, nil
}

// TestURLIsWrongOnlyWhenTheAPIDoesNotAnswerNotFoundItself: a 404 for the
// issuer's store means spec.url is wrong when it is not the API's own
// envelope, or when the store list answers 404 too; an enveloped 404 with
// a working store list means the store id is unknown.
func TestURLIsWrongOnlyWhenTheAPIDoesNotAnswerNotFoundItself(t *testing.T) {
	envelope404 := &pca.Error{Op: "GetStore", HTTPStatus: http.StatusNotFound, ResultCode: 40400, ResultMessage: "ca-store 1 not found"}
	bare404 := &pca.Error{Op: "GetStore", HTTPStatus: http.StatusNotFound, ResultMessage: "404 page not found"}
	listed404 := &pca.Error{Op: "ListStores", HTTPStatus: http.StatusNotFound, ResultCode: 40400, ResultMessage: "no endpoint GET /v2.0/v2.0/appkeys/x/ca-stores"}
	cases := []struct {
		name      string
		storeErr  error
		listErr   error
		want      bool
		wantCalls int
	}{
		{"bare-404-is-a-wrong-url", bare404, nil, true, 0},
		{"enveloped-404-with-a-working-store-list-is-an-unknown-store", envelope404, nil, false, 1},
		{"enveloped-404-with-a-missing-store-list-is-a-wrong-url", envelope404, listed404, true, 1},
		{"store-list-failing-otherwise-is-not-a-wrong-url", envelope404, &pca.Error{Op: "ListStores", HTTPStatus: http.StatusServiceUnavailable}, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lister := &fakeStoreLister{err: tc.listErr}
			if got := urlIsWrong(t.Context(), lister, tc.storeErr); got != tc.want || lister.calls != tc.wantCalls {
				t.Errorf("urlIsWrong = %v after %d store list calls, want %v after %d", got, lister.calls, tc.want, tc.wantCalls)
			}
		})
	}
}

// TestCheckIssuerTellsAWrongURLFromAnUnknownStore: against the emulator, a
// spec.url with an extra path (.../v2.0) is SpecInvalid naming spec.url,
// while an unknown spec.caStoreId at the right URL stays StoreNotFound.
func TestCheckIssuerTellsAWrongURLFromAnUnknownStore(t *testing.T) {
	emu, err := emulator.New(emulator.Options{
		AppKey:     "appkey",
		AccessKeys: []emulator.AccessKey{{ID: "admin", Secret: "secret", Role: emulator.RoleAdmin}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: "EC"})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewTLSServer(emu.Handler())
	t.Cleanup(server.Close)
	caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "creds"}, Data: map[string][]byte{
		v1alpha1.SecretKeyAppKey: []byte("appkey"), v1alpha1.SecretKeyAccessKeyID: []byte("admin"), v1alpha1.SecretKeySecretAccessKey: []byte("secret"),
	}}
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secret).Build()
	cases := []struct {
		name, url   string
		storeID     int64
		wantReason  string
		wantMessage string
	}{
		{"extra-path-in-url-is-spec-invalid", server.URL + "/v2.0", ids.CAStoreID, v1alpha1.ReasonSpecInvalid, "spec.url " + server.URL + "/v2.0"},
		{"unknown-store-is-store-not-found", server.URL, ids.CAStoreID + 100, v1alpha1.ReasonStoreNotFound, "spec.caStoreId"},
		{"right-url-and-store-is-ready", server.URL, ids.CAStoreID, v1alpha1.ReasonChecked, "read with the credentials"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iss := &v1alpha1.PCAIssuer{
				ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "pca", UID: types.UID(tc.name), Generation: int64(i + 1)},
				Spec: v1alpha1.PCAIssuerSpec{URL: tc.url, TokenURL: server.URL, CAStoreID: tc.storeID, TemplateID: ids.TemplateID,
					CredentialsRef: v1alpha1.SecretReference{Name: "creds"}, CABundle: caBundle},
			}
			h := checkIssuer(t.Context(), newClients(c, c, "cert-manager", UserAgent, endpointPolicyFrom(Options{AllowedNetworks: loopbackNetworks})), iss)
			if h.reason != tc.wantReason || !strings.Contains(h.message, tc.wantMessage) {
				t.Errorf("check = %s: %s; want %s naming %q", h.reason, h.message, tc.wantReason, tc.wantMessage)
			}
		})
	}
}
