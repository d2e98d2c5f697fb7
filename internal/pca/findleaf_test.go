package pca

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// leafStore is a fake store for FindLeaf: list pages and certificate
// details, some of them gone.
type leafStore struct {
	pages       [][]wire.CertificateListItem
	totalPageNo int // sent as is; 0 leaves it out
	gone        []int64

	mu      sync.Mutex
	details []int64 // ids whose detail was asked for, in order
}

func (s *leafStore) serve(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		certs := root + "/3/certs"
		switch {
		case r.URL.Path == certs:
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			var items []wire.CertificateListItem
			if page < len(s.pages) {
				items = s.pages[page]
			}
			body, err := json.Marshal(wire.CertificateList{ListCerts: items, Page: wire.Page{TotalPageNo: s.totalPageNo, CurrentPageNo: page}})
			if err != nil {
				t.Error(err)
			}
			okEnvelope(string(body))(w, r)
		case strings.HasPrefix(r.URL.Path, certs+"/"):
			certID, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, certs+"/"), 10, 64)
			s.mu.Lock()
			s.details = append(s.details, certID)
			s.mu.Unlock()
			if slices.Contains(s.gone, certID) {
				failEnvelope(404, -4, "no such certificate")(w, r)
				return
			}
			okEnvelope(fmt.Sprintf(`{"certificateId":%d,"type":"LEAF"}`, certID))(w, r)
		default:
			t.Errorf("unexpected request %s", r.URL.Path)
			http.NotFound(w, r)
		}
	}
}

// fetched returns the ids whose detail was asked for.
func (s *leafStore) fetched() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.details)
}

func TestFindLeaf(t *testing.T) {
	after := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) wire.DateTime { return wire.NewDateTime(after.Add(d)) }
	leaf := func(id int64, cn string, created wire.DateTime) wire.CertificateListItem {
		return wire.CertificateListItem{ID: id, Type: wire.TypeLeaf, CommonName: cn, Status: wire.StatusActive, CreationDatetime: created}
	}
	revoked := leaf(3, "web", at(time.Minute))
	revoked.Status = wire.StatusRevoked
	intermediate := leaf(4, "web", at(time.Minute))
	intermediate.Type = wire.TypeIntermediate
	recentByNotBefore := wire.CertificateListItem{ID: 5, Type: wire.TypeLeaf, CommonName: "web", NotBefore: at(-20 * 24 * time.Hour)}
	oldByNotBefore := wire.CertificateListItem{ID: 6, Type: wire.TypeLeaf, CommonName: "web", NotBefore: at(-31 * 24 * time.Hour)}
	noTimes := wire.CertificateListItem{ID: 7, CommonName: "web"}
	full := func(first int64) []wire.CertificateListItem {
		items := make([]wire.CertificateListItem, findLeafPageSize)
		for i := range items {
			items[i] = leaf(first+int64(i), "other", at(time.Minute))
		}
		return items
	}

	tests := []struct {
		name        string
		store       *leafStore
		matchID     int64
		wantID      int64 // 0: no certificate
		wantErr     int   // HTTP status of the wanted error, 0 for none
		wantDetails []int64
		wantLists   int
	}{
		{name: "skips-older-other-cn-revoked-and-issuer-items",
			store: &leafStore{pages: [][]wire.CertificateListItem{{
				leaf(1, "web", at(-time.Second)), leaf(2, "web.example", at(time.Minute)), revoked, intermediate,
				leaf(8, "web", at(0)), leaf(9, "web", at(time.Hour)),
			}}, totalPageNo: 1},
			matchID: 9, wantID: 9, wantDetails: []int64{8, 9}, wantLists: 1},
		{name: "falls-back-to-notbefore-plus-max-backdating",
			store:   &leafStore{pages: [][]wire.CertificateListItem{{oldByNotBefore, recentByNotBefore, noTimes}}, totalPageNo: 1},
			matchID: 7, wantID: 7, wantDetails: []int64{5, 7}, wantLists: 1},
		{name: "reads-next-page-until-found",
			store:   &leafStore{pages: [][]wire.CertificateListItem{{leaf(1, "web", at(time.Second))}, {leaf(2, "web", at(time.Second))}}, totalPageNo: 2},
			matchID: 2, wantID: 2, wantDetails: []int64{1, 2}, wantLists: 2},
		{name: "no-match-is-nil-without-error",
			store:   &leafStore{pages: [][]wire.CertificateListItem{{leaf(1, "web", at(time.Second))}}, totalPageNo: 1},
			matchID: 99, wantDetails: []int64{1}, wantLists: 1},
		{name: "stops-at-page-cap",
			store:   &leafStore{pages: [][]wire.CertificateListItem{{leaf(1, "web", at(time.Second))}}, totalPageNo: 50},
			matchID: 99, wantDetails: []int64{1}, wantLists: findLeafMaxPages},
		{name: "short-page-ends-search-without-total",
			store:   &leafStore{pages: [][]wire.CertificateListItem{full(100), {leaf(1, "web", at(time.Second))}, {leaf(2, "web", at(time.Second))}}},
			matchID: 2, wantDetails: []int64{1}, wantLists: 2},
		{name: "gone-certificate-skipped",
			store:   &leafStore{pages: [][]wire.CertificateListItem{{leaf(1, "web", at(time.Second)), leaf(2, "web", at(time.Second))}}, totalPageNo: 1, gone: []int64{1}},
			matchID: 2, wantID: 2, wantDetails: []int64{1, 2}, wantLists: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.store.serve(t)
			var matched []int64
			got, err := f.client(t).FindLeaf(context.Background(), 3, "web", after.Add(500*time.Millisecond), func(c *wire.Certificate) bool {
				matched = append(matched, c.CertificateID)
				return c.CertificateID == tt.matchID
			})
			if err != nil {
				t.Fatalf("FindLeaf: %v", err)
			}
			if gotID := idOf(got); gotID != tt.wantID {
				t.Errorf("found %d, want %d", gotID, tt.wantID)
			}
			if details := tt.store.fetched(); !slices.Equal(details, tt.wantDetails) {
				t.Errorf("details fetched %v, want %v", details, tt.wantDetails)
			}
			if want := slices.DeleteFunc(slices.Clone(tt.wantDetails), func(id int64) bool { return slices.Contains(tt.store.gone, id) }); !slices.Equal(matched, want) {
				t.Errorf("match called with %v, want %v", matched, want)
			}
			lists := 0
			for i, r := range f.requests() {
				if r.Path != root+"/3/certs" {
					continue
				}
				want := "search=web&size=100&type=leaf" // page 0 is the server default
				if lists > 0 {
					want = fmt.Sprintf("page=%d&", lists) + want
				}
				if r.Query != want {
					t.Errorf("list request %d query = %q, want %q", i, r.Query, want)
				}
				lists++
			}
			if lists != tt.wantLists {
				t.Errorf("list requests = %d, want %d", lists, tt.wantLists)
			}
		})
	}
}

func TestFindLeafReturnsAPIErrors(t *testing.T) {
	tests := []struct {
		name       string
		api        http.HandlerFunc
		wantStatus int
	}{
		{name: "list-failure", api: failEnvelope(403, -403, "role too low"), wantStatus: 403},
		{name: "detail-failure", wantStatus: 500, api: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == root+"/3/certs" {
				okEnvelope(`{"listCerts":[{"id":1,"commonName":"web"}],"totalPageNo":1}`)(w, r)
				return
			}
			rawAnswer(500, "text/plain", "")(w, r)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.api
			got, err := f.client(t).FindLeaf(context.Background(), 3, "web", time.Time{}, func(*wire.Certificate) bool { return true })
			if got != nil || StatusOf(err) != tt.wantStatus {
				t.Fatalf("FindLeaf = %v, %v; want nil and HTTP %d", got, err, tt.wantStatus)
			}
		})
	}
}

func idOf(c *wire.Certificate) int64 {
	if c == nil {
		return 0
	}
	return c.CertificateID
}

// A server that ignores the page size, or lists many candidates, must not
// turn one search into thousands of detail calls.
func TestFindLeafBoundsWhatAServerCanAskOfIt(t *testing.T) {
	after := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	many := func(n int, cn string) []wire.CertificateListItem {
		items := make([]wire.CertificateListItem, n)
		for i := range items {
			items[i] = wire.CertificateListItem{ID: int64(i + 1), Type: wire.TypeLeaf, CommonName: cn, Status: wire.StatusActive, CreationDatetime: wire.NewDateTime(after.Add(time.Minute))}
		}
		return items
	}
	t.Run("oversized-page-read-up-to-the-asked-size", func(t *testing.T) {
		// 300 items of another name, then a match past the 100th: not read.
		items := append(many(300, "other"), wire.CertificateListItem{ID: 999, Type: wire.TypeLeaf, CommonName: "web", CreationDatetime: wire.NewDateTime(after.Add(time.Minute))})
		store := &leafStore{pages: [][]wire.CertificateListItem{items}, totalPageNo: 1}
		f := newFake(t)
		f.api = store.serve(t)
		got, err := f.client(t).FindLeaf(context.Background(), 3, "web", after, func(*wire.Certificate) bool { return true })
		if err != nil || got != nil || len(store.fetched()) != 0 {
			t.Fatalf("FindLeaf = %v, %v after %d details; want nothing read past the page size", got, err, len(store.fetched()))
		}
	})
	t.Run("details-capped", func(t *testing.T) {
		store := &leafStore{pages: [][]wire.CertificateListItem{many(100, "web"), many(100, "web")}, totalPageNo: 2}
		f := newFake(t)
		f.api = store.serve(t)
		got, err := f.client(t).FindLeaf(context.Background(), 3, "web", after, func(*wire.Certificate) bool { return false })
		if err == nil || got != nil {
			t.Fatalf("FindLeaf = %v, %v; want an error at the cap", got, err)
		}
		if n := len(store.fetched()); n != findLeafMaxDetails {
			t.Errorf("details fetched = %d, want %d", n, findLeafMaxDetails)
		}
	})
}
