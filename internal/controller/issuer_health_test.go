package controller

import (
	"context"
	"net/http"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// fakeStoreLister answers ListStores with err.
type fakeStoreLister struct {
	err   error
	calls int
}

func (f *fakeStoreLister) ListStores(context.Context, pca.ListOptions) (*pca.StoreList, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &pca.StoreList{}, nil
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
