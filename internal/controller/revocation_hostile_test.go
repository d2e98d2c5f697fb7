package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/revocation"
)

// TestCRLPastNextUpdateDownloadedOnce: a PCA that serves a CRL already
// past its nextUpdate (within the clock skew allowed, so it is believed)
// or one whose nextUpdate is a second after its thisUpdate must not turn
// "one download per CA and interval" into one download per certificate
// checked: the CRL is held for a minute at least.
func TestCRLPastNextUpdateDownloadedOnce(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	objs := []client.Object{revIssuer()}
	names := []string{"a", "b", "c", "d", "e"}
	for i, name := range names {
		crt, s := certificateWith(name, ca.leafPEM(t, int64(0x20+i)), nil)
		objs = append(objs, crt, s)
	}
	f := newRevFixture(t, ca, objs...)
	f.pca.crlDER = ca.crlWindow(t, now.Add(-time.Hour), now.Add(-2*time.Minute))
	for _, name := range names {
		f.reconcile(t, name)
	}
	if _, crls, _ := f.pca.counts(); crls != 1 {
		t.Errorf("%d CRL downloads for %d Certificates checked within a minute, want 1", crls, len(names))
	}
	if got := f.events(); len(got) != 0 {
		t.Errorf("events = %q, want none: the CRL was believed (within the clock skew)", got)
	}
}

// TestCheckScheduleHugeInterval: an interval near the largest duration
// (an object stored before the CRD's bounds) must not overflow into a
// negative wait, which controller-runtime reads as "do not requeue": the
// object's checks would stop silently.
func TestCheckScheduleHugeInterval(t *testing.T) {
	iss := readyIssuer()
	iss.Spec.Revocation = &v1alpha1.Revocation{CheckInterval: &metav1.Duration{Duration: 2562047 * time.Hour}}
	interval := checkIntervalOf(iss)
	if interval != v1alpha1.MaxRevocationCheckInterval {
		t.Errorf("checkIntervalOf(2562047h) = %s, want the cap %s", interval, v1alpha1.MaxRevocationCheckInterval)
	}
	s := newCheckSchedule()
	s.rand = func(n int64) int64 { return n - 1 } // the top of every range
	key := checkKey{kind: kindCertificate, NamespacedName: types.NamespacedName{Namespace: "ns", Name: "a"}}
	if got := s.wait(key, now, interval); got <= 0 {
		t.Errorf("first wait = %s, want positive", got)
	}
	if got := s.checked(key, now, interval); got <= 0 {
		t.Errorf("next check in %s, want positive", got)
	}
	iss.Spec.Revocation.CheckInterval.Duration = -time.Minute
	if got := checkIntervalOf(iss); got != v1alpha1.DefaultRevocationCheckInterval {
		t.Errorf("checkIntervalOf(-1m) = %s, want the default", got)
	}
}

// TestNoticeLogBounded: the notices given about issuers (one per issuer
// generation for RevocationUnchecked, one per interval for
// RevocationCheckFailed) must not pile up for ever as issuers come, change
// and go.
func TestNoticeLogBounded(t *testing.T) {
	n := newNoticeLog()
	at := now
	for i := range 10000 {
		n.first(fmt.Sprintf("unchecked/ns/issuer-%d/uid/1", i), at, 0)
		at = at.Add(time.Minute)
	}
	n.mu.Lock()
	size := len(n.given)
	n.mu.Unlock()
	if size > 2*24*60 {
		t.Errorf("%d notices remembered after a week of one new issuer a minute, want at most two days' worth", size)
	}
	// A recent "once" notice is still remembered.
	if n.first(fmt.Sprintf("unchecked/ns/issuer-%d/uid/1", 9999), at, 0) {
		t.Error("a notice given a minute ago was given again")
	}
}

// TestStoreCacheBounded: the stores of issuers that were deleted without a
// check noticing are forgotten in time.
func TestStoreCacheBounded(t *testing.T) {
	c := newStoreCache()
	at := now
	read := func(context.Context) (*wire.Store, error) { return &wire.Store{}, nil }
	for i := range 5000 {
		key := types.NamespacedName{Namespace: "ns", Name: fmt.Sprintf("issuer-%d", i)}
		if _, err := c.get(t.Context(), key, "uid/1", time.Hour, at, read); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Minute)
	}
	c.mu.Lock()
	size := len(c.m)
	c.mu.Unlock()
	if size > 2*24*60 {
		t.Errorf("%d stores kept after days of one new issuer a minute, want at most two days' worth", size)
	}
}

// TestCRLCacheBounded: issuers naming PCAs that serve large CRLs (one
// tenant may create many) cannot make the cache hold more than its bound
// of revoked serials: the least recently used CRLs are dropped, and
// downloaded again when next needed.
func TestCRLCacheBounded(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	big := func(n int) func(context.Context) (*revocation.CRL, error) {
		serials := make([]int64, n)
		for i := range serials {
			serials[i] = int64(i + 1)
		}
		der := ca.crlFor(serials)
		return func(context.Context) (*revocation.CRL, error) { return revocation.ParseCRL(der, ca.cert, now) }
	}
	c := newCRLCache()
	c.maxEntries = 250
	fetches := 0
	get := func(store int64, at time.Time, fetch func(context.Context) (*revocation.CRL, error)) {
		t.Helper()
		counted := func(ctx context.Context) (*revocation.CRL, error) { fetches++; return fetch(ctx) }
		if _, err := c.get(t.Context(), crlKey{url: "https://pca.example", storeID: store, certID: 1}, time.Hour, at, counted); err != nil {
			t.Fatal(err)
		}
	}
	hundred := big(100)
	for store := range int64(10) {
		get(store, now.Add(time.Duration(store)*time.Second), hundred)
	}
	c.mu.Lock()
	size, kept := c.size, len(c.m)
	c.mu.Unlock()
	if size > c.maxEntries || kept != 2 {
		t.Errorf("cache holds %d revoked serials in %d CRLs, want at most %d (the 2 most recent)", size, kept, c.maxEntries)
	}
	// The most recent is served from the cache; an evicted one is
	// downloaded again.
	fetches = 0
	get(9, now.Add(time.Minute), hundred)
	get(0, now.Add(time.Minute), hundred)
	if fetches != 1 {
		t.Errorf("%d downloads for a cached and an evicted CRL, want 1", fetches)
	}
	// One CRL past the bound on its own is still kept and used.
	get(100, now.Add(2*time.Minute), big(300))
	fetches = 0
	get(100, now.Add(3*time.Minute), hundred)
	if fetches != 0 {
		t.Errorf("a CRL larger than the bound was downloaded again within its interval")
	}
}

// TestOCSPUnknownTold: an OCSP responder that does not know a certificate
// this issuer issued (RFC 6960 "unknown") leaves its revocation state
// unknown: the issuer is told, once per interval, instead of the check
// passing silently as if it were good.
func TestOCSPUnknownTold(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	crt, s := certificateWith("web", ca.leafPEM(t, 0x31), nil)
	crt2, s2 := certificateWith("api", ca.leafPEM(t, 0x32), nil)
	f := newRevFixture(t, ca, revIssuer(), crt, s, crt2, s2)
	f.pca.crlActive, f.pca.ocspUnknown = false, true
	f.reconcile(t, "web")
	f.reconcile(t, "api")
	got := f.events()
	if len(got) != 1 || !strings.Contains(got[0], v1alpha1.ReasonRevocationCheckFailed) || !strings.Contains(got[0], "unknown") {
		t.Errorf("events = %q, want one %s saying the responder answers unknown", got, v1alpha1.ReasonRevocationCheckFailed)
	}
	if cond := f.issuing(t, "web"); cond != nil {
		t.Errorf("Issuing condition = %+v, want none: unknown is not revoked", cond)
	}
}

// TestRevokedEverySerialHeld: a PCA that lists every serial it issued as
// revoked, with a check interval of a second, must not have the
// Certificate renewed every other second: repeated revocations are acted
// on with a growing hold (1m, 2m, 4m, ... at most 1h).
func TestRevokedEverySerialHeld(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	iss := revIssuer()
	iss.Spec.Revocation.CheckInterval.Duration = time.Second
	serial := int64(0x41)
	crt, s := certificateWith("web", ca.leafPEM(t, serial), nil)
	f := newRevFixture(t, ca, iss, crt, s)
	f.pca.revoked[serial] = true
	renewals := 0
	for i := 0; i < 30*60 && renewals <= 6; i++ {
		f.reconcile(t, "web")
		if cond := f.issuing(t, "web"); cond != nil {
			// cert-manager renews: a new certificate in the Secret, which
			// the PCA lists as revoked at once.
			renewals++
			serial++
			f.pca.mu.Lock()
			f.pca.revoked[serial] = true
			f.pca.mu.Unlock()
			var sec corev1.Secret
			if err := f.client.Get(t.Context(), types.NamespacedName{Namespace: "team", Name: "web-tls"}, &sec); err != nil {
				t.Fatal(err)
			}
			sec.Data[corev1.TLSCertKey] = ca.leafPEM(t, serial)
			if err := f.client.Update(t.Context(), &sec); err != nil {
				t.Fatal(err)
			}
			var c cmapi.Certificate
			if err := f.client.Get(t.Context(), types.NamespacedName{Namespace: "team", Name: "web"}, &c); err != nil {
				t.Fatal(err)
			}
			c.Status.Conditions = nil
			if err := f.client.Status().Update(t.Context(), &c); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Step(time.Second)
	}
	// Acts at 0, then 1, 2, 4 and 8 minutes after the previous one: 5 in
	// 30 minutes (a renewal and its check take a few seconds more each).
	if renewals < 2 || renewals > 6 {
		t.Errorf("%d renewals in 30 minutes of a PCA revoking every serial, checked every second; want 2 to 6", renewals)
	}
}

// TestCRLParsedOneAtATime: CRLs are parsed one at a time in the manager
// (a parse takes many times the CRL's size in memory); a check that cannot
// have the slot within its time bound fails with a clear reason, and the
// next one, once the slot is free, succeeds.
func TestCRLParsedOneAtATime(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	crt, s := certificateWith("web", ca.leafPEM(t, 0x51), nil)
	f := newRevFixture(t, ca, revIssuer(), crt, s)
	f.pca.ocspActive = false
	f.pca.revoked[0x51] = true
	f.checker.crlParse <- struct{}{} // another tenant's CRL is being parsed
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.crr.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "web"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.events(); len(got) != 1 || !strings.Contains(got[0], v1alpha1.ReasonRevocationCheckFailed) || !strings.Contains(got[0], "waiting to parse the CRL") {
		t.Errorf("events = %q, want one %s saying the parse waited", got, v1alpha1.ReasonRevocationCheckFailed)
	}
	<-f.checker.crlParse
	f.clock.Step(2 * time.Minute)
	f.reconcile(t, "web")
	if cond := f.issuing(t, "web"); cond == nil || cond.Reason != v1alpha1.ReasonCertificateRevoked {
		t.Errorf("Issuing condition = %+v, want the revoked leaf renewed once the slot was free", cond)
	}
}

// TestCheckFailureEventsBounded: with the shortest check interval (1s) and
// a PCA whose CRL never verifies, the issuer is told at most once a
// minute, not at every check of every certificate.
func TestCheckFailureEventsBounded(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	other := newRevCA(t, "another CA", nil)
	iss := revIssuer()
	iss.Spec.Revocation.CheckInterval.Duration = time.Second
	objs := []client.Object{iss}
	for _, name := range []string{"a", "b", "c"} {
		crt, s := certificateWith(name, ca.leafPEM(t, 0x60), nil)
		objs = append(objs, crt, s)
	}
	f := newRevFixture(t, ca, objs...)
	f.pca.ocspActive = false
	f.pca.crlDER = other.crl(t)
	var got []string
	for range 120 {
		for _, name := range []string{"a", "b", "c"} {
			f.reconcile(t, name)
		}
		got = append(got, f.events()...)
		f.clock.Step(time.Second)
	}
	if len(got) < 1 || len(got) > 2 {
		t.Errorf("%d events in 2 minutes of failing checks every second, want 1 or 2", len(got))
	}
}
