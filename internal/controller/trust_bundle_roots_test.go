package controller

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

// bundleTestCA is a CA certificate and its key, for building chains in tests.
type bundleTestCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var testSerial int64 = 1000

// newTestCert signs a certificate for cn by parent (self-signed when parent
// is nil), valid from notBefore for validity.
func newTestCert(t *testing.T, cn string, parent *bundleTestCA, isCA bool, notBefore time.Time, validity time.Duration) *bundleTestCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	testSerial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(testSerial), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notBefore.Add(validity),
		BasicConstraintsValid: true, IsCA: isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{cn}
	}
	signer, issuer := crypto.Signer(key), tmpl
	if parent != nil {
		signer, issuer = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &bundleTestCA{cert: c, key: key}
}

// rotationFixture is two CA hierarchies, old (A) and new (B), each a root
// and an intermediate, and a leaf under each intermediate.
type rotationFixture struct {
	rootA, interA, rootB, interB, leafA, leafB *bundleTestCA
	now                                        time.Time
}

func newRotationFixture(t *testing.T) rotationFixture {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	f := rotationFixture{now: now}
	start := now.Add(-24 * time.Hour)
	f.rootA = newTestCert(t, "Root A", nil, true, start, 10*365*24*time.Hour)
	f.interA = newTestCert(t, "Intermediate A", f.rootA, true, start, 5*365*24*time.Hour)
	f.rootB = newTestCert(t, "Root B", nil, true, start, 10*365*24*time.Hour)
	f.interB = newTestCert(t, "Intermediate B", f.rootB, true, start, 5*365*24*time.Hour)
	f.leafA = newTestCert(t, "a.example", f.interA, false, start, 48*time.Hour)
	f.leafB = newTestCert(t, "b.example", f.interB, false, start, 48*time.Hour)
	return f
}

func (f rotationFixture) chainA() storeCAs {
	return storeCAs{signing: f.interA.cert, roots: []*x509.Certificate{f.rootA.cert}}
}

func (f rotationFixture) chainB() storeCAs {
	return storeCAs{signing: f.interB.cert, roots: []*x509.Certificate{f.rootB.cert}}
}

func names(certs []*x509.Certificate) []string {
	out := make([]string, 0, len(certs))
	for _, c := range certs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

func sameNames(got []*x509.Certificate, want ...string) bool {
	g := names(got)
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

// TestPlanBundleRetention is the decision table of the retention rule
// (docs/trust-bundle.md, "Root rotation"): the old hierarchy A left the
// chains for B; whether A stays depends on the read being complete, the
// window since A left, and certificates in use chaining to A.
func TestPlanBundleRetention(t *testing.T) {
	f := newRotationFixture(t)
	fpA := caFingerprint(f.rootA.cert)
	usedA := func([]*x509.Certificate) (map[string]bool, error) {
		return map[string]bool{fpA: true, caFingerprint(f.interA.cert): true}, nil
	}
	usedNone := func([]*x509.Certificate) (map[string]bool, error) { return map[string]bool{}, nil }
	usageFails := func([]*x509.Certificate) (map[string]bool, error) { return nil, errors.New("list failed") }
	published := []*x509.Certificate{f.interA.cert, f.rootA.cert}
	cases := []struct {
		name        string
		complete    bool
		retired     map[string]time.Time
		retainFor   time.Duration
		inUse       caUsage
		wantCerts   []string
		wantRemoved []string
		wantCalled  bool
		wantRecheck time.Duration
		wantLeft    time.Time // of root A, when kept
	}{
		{name: "in use, no window: kept, leaving recorded now", complete: true, inUse: usedA, wantCalled: true,
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantLeft: f.now},
		{name: "not in use, no window: dropped", complete: true, inUse: usedNone, wantCalled: true,
			wantCerts: []string{"Intermediate B", "Root B"}, wantRemoved: []string{"Intermediate A", "Root A"}},
		{name: "not in use, within the window: kept without reading Secrets", complete: true, inUse: usedNone,
			retainFor: time.Hour, retired: map[string]time.Time{fpA: f.now.Add(-20 * time.Minute), caFingerprint(f.interA.cert): f.now.Add(-20 * time.Minute)},
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantRecheck: 40 * time.Minute, wantLeft: f.now.Add(-20 * time.Minute)},
		{name: "not in use, window passed: dropped", complete: true, inUse: usedNone, wantCalled: true,
			retainFor: time.Hour, retired: map[string]time.Time{fpA: f.now.Add(-2 * time.Hour), caFingerprint(f.interA.cert): f.now.Add(-2 * time.Hour)},
			wantCerts: []string{"Intermediate B", "Root B"}, wantRemoved: []string{"Intermediate A", "Root A"}},
		{name: "in use, window passed: kept, leaving time unchanged", complete: true, inUse: usedA, wantCalled: true,
			retainFor: time.Hour, retired: map[string]time.Time{fpA: f.now.Add(-2 * time.Hour), caFingerprint(f.interA.cert): f.now.Add(-2 * time.Hour)},
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantLeft: f.now.Add(-2 * time.Hour)},
		{name: "no record, window set: leaves now, kept for the window", complete: true, inUse: usedNone, retainFor: time.Hour,
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantRecheck: time.Hour, wantLeft: f.now},
		{name: "a chain not read: nothing leaves", complete: false, inUse: usedNone,
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantLeft: f.now},
		{name: "certificates in use unreadable: kept", complete: true, inUse: usageFails, wantCalled: true,
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantLeft: f.now},
		{name: "a record in the future (clock moved back): leaves now", complete: true, inUse: usedNone, retainFor: time.Hour,
			retired:   map[string]time.Time{fpA: f.now.Add(5 * time.Hour)},
			wantCerts: []string{"Intermediate B", "Root B", "Intermediate A", "Root A"}, wantRecheck: time.Hour, wantLeft: f.now},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			out := planBundle(bundlePlan{current: []storeCAs{f.chainB()}, complete: tc.complete, published: published,
				retired: tc.retired, now: f.now, retainFor: tc.retainFor},
				func(known []*x509.Certificate) (map[string]bool, error) { called = true; return tc.inUse(known) })
			if !sameNames(out.certs, tc.wantCerts...) {
				t.Errorf("bundle = %v, want %v", names(out.certs), tc.wantCerts)
			}
			if !sameNames(out.added, "Intermediate B", "Root B") {
				t.Errorf("added = %v, want the new hierarchy", names(out.added))
			}
			if !sameNames(out.removed, tc.wantRemoved...) {
				t.Errorf("removed = %v, want %v", names(out.removed), tc.wantRemoved)
			}
			if called != tc.wantCalled {
				t.Errorf("certificates in use read: %v, want %v", called, tc.wantCalled)
			}
			if out.recheckAfter != tc.wantRecheck {
				t.Errorf("recheckAfter = %v, want %v", out.recheckAfter, tc.wantRecheck)
			}
			left, kept := out.retired[fpA]
			if kept != !tc.wantLeft.IsZero() || (kept && !left.Equal(tc.wantLeft)) {
				t.Errorf("retired[root A] = %v (recorded %v), want %v", left, kept, tc.wantLeft)
			}
			if _, ok := out.retired[caFingerprint(f.rootB.cert)]; ok {
				t.Errorf("the current root is recorded as retired")
			}
		})
	}
}

// TestPlanBundleFirstAndStable: a first bundle holds every template's
// chain once, intermediates before their root; deciding again on what was
// written changes nothing; a root that comes back to the chains loses its
// retirement record.
func TestPlanBundleFirstAndStable(t *testing.T) {
	f := newRotationFixture(t)
	never := func([]*x509.Certificate) (map[string]bool, error) {
		t.Fatal("certificates in use read although no CA certificate left the chains")
		return nil, nil
	}
	first := planBundle(bundlePlan{current: []storeCAs{f.chainA(), f.chainB(), f.chainA()}, complete: true, now: f.now}, never)
	if !sameNames(first.certs, "Intermediate A", "Root A", "Intermediate B", "Root B") || len(first.added) != 4 || len(first.removed) != 0 {
		t.Fatalf("first bundle = %v (added %v, removed %v)", names(first.certs), names(first.added), names(first.removed))
	}
	again := planBundle(bundlePlan{current: []storeCAs{f.chainA(), f.chainB()}, complete: true, published: first.certs, now: f.now}, never)
	if len(again.added)+len(again.removed) != 0 || encodeBundle(again.certs) != encodeBundle(first.certs) {
		t.Fatalf("deciding again changed the bundle: %v", names(again.certs))
	}
	back := planBundle(bundlePlan{current: []storeCAs{f.chainA()}, complete: true, published: []*x509.Certificate{f.interB.cert, f.rootB.cert, f.interA.cert, f.rootA.cert},
		retired: map[string]time.Time{caFingerprint(f.rootA.cert): f.now.Add(-time.Hour)}, now: f.now, retainFor: 2 * time.Hour}, never)
	if _, ok := back.retired[caFingerprint(f.rootA.cert)]; ok {
		t.Errorf("root A is back in the chains but still recorded as retired")
	}
	if !sameNames(back.certs, "Intermediate A", "Root A", "Intermediate B", "Root B") {
		t.Errorf("bundle = %v", names(back.certs))
	}
	if self := (storeCAs{signing: f.rootA.cert, roots: []*x509.Certificate{f.rootA.cert}}).bundleOrder(); !sameNames(self, "Root A") {
		t.Errorf("a template signing with the root itself lists %v", names(self))
	}
}

// TestCAsInUse: a leaf in use marks every CA certificate of its path; an
// expired leaf and a leaf of an unknown CA mark none.
func TestCAsInUse(t *testing.T) {
	f := newRotationFixture(t)
	known := []*x509.Certificate{f.interA.cert, f.rootA.cert, f.interB.cert, f.rootB.cert}
	used := casInUse([][]*x509.Certificate{{f.leafA.cert}}, known, f.now)
	if !used[caFingerprint(f.rootA.cert)] || !used[caFingerprint(f.interA.cert)] || used[caFingerprint(f.rootB.cert)] || used[caFingerprint(f.interB.cert)] {
		t.Errorf("leaf A marks %v", used)
	}
	// The intermediate may come from the Secret's own chain only.
	used = casInUse([][]*x509.Certificate{{f.leafA.cert, f.interA.cert}}, []*x509.Certificate{f.rootA.cert}, f.now)
	if !used[caFingerprint(f.rootA.cert)] {
		t.Errorf("leaf A with its intermediate in tls.crt does not mark root A: %v", used)
	}
	if used := casInUse([][]*x509.Certificate{{f.leafA.cert}}, known, f.now.Add(72*time.Hour)); len(used) != 0 {
		t.Errorf("an expired leaf marks %v", used)
	}
	early := newTestCert(t, "early.example", f.interA, false, f.now.Add(10*time.Second), time.Hour)
	if used := casInUse([][]*x509.Certificate{{early.cert}}, known, f.now); !used[caFingerprint(f.rootA.cert)] {
		t.Errorf("a leaf valid 10 s from now (clock skew) is not in use: %v", used)
	}
	other := newTestCert(t, "Other Root", nil, true, f.now.Add(-time.Hour), time.Hour*48)
	stranger := newTestCert(t, "c.example", other, false, f.now.Add(-time.Hour), time.Hour*24)
	if used := casInUse([][]*x509.Certificate{{stranger.cert}}, known, f.now); len(used) != 0 {
		t.Errorf("a leaf of an unknown CA marks %v", used)
	}
}

// TestRetiredAnnotationRoundTrip: the retirement records survive the
// annotation (a manager restart), and an unreadable one is no record.
func TestRetiredAnnotationRoundTrip(t *testing.T) {
	in := map[string]time.Time{"aa": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "bb": time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)}
	out := decodeRetired(encodeRetired(in))
	if len(out) != 2 || !out["aa"].Equal(in["aa"]) || !out["bb"].Equal(in["bb"]) {
		t.Errorf("round trip: %v", out)
	}
	if encodeRetired(nil) != "" {
		t.Errorf("no records should be no annotation")
	}
	if got := decodeRetired("{not json"); len(got) != 0 {
		t.Errorf("garbage decoded to %v", got)
	}
}
