package controller

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"slices"
	"time"
)

// caFingerprint is the SHA-256 of a certificate's DER, lower-case hex: how
// the bundle's certificates are told apart and the key of
// v1alpha1.AnnotationRetiredCAs.
func caFingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// bundleOrder returns the CA certificates of one template's chain as the
// bundle lists them: the intermediates, signing certificate first (see
// chainIntermediates), then the root.
func (c storeCAs) bundleOrder() []*x509.Certificate {
	return slices.Concat(chainIntermediates(c), c.roots) // a copy: the chain may be a shared pin
}

// bundlePlan is what planBundle decides from.
type bundlePlan struct {
	// current are the chains of the issuer's templates, spec.templateId
	// first, then spec.allowedTemplateIds in their order.
	current []storeCAs
	// complete is false when the chain of some template could not be read
	// this time: then no certificate leaves the bundle, since the one
	// missing may be in that chain.
	complete bool
	// published are the certificates of the bundle as last written, in
	// its order.
	published []*x509.Certificate
	// retired is v1alpha1.AnnotationRetiredCAs of the published bundle:
	// when each published certificate that left the chains left them.
	retired map[string]time.Time
	// now is the time of the decision.
	now time.Time
	// retainFor is spec.trustBundle.retainPreviousRootsFor (0 when unset).
	retainFor time.Duration
}

// bundleOutcome is the bundle planBundle decided on.
type bundleOutcome struct {
	// certs are the bundle's certificates in order: the current chains'
	// (see storeCAs.bundleOrder), then the retained ones in their
	// published order. Never empty when some chain is current.
	certs []*x509.Certificate
	// retired holds, for each retained certificate that is in no current
	// chain, when it left.
	retired map[string]time.Time
	// added and removed are the certificates the bundle gains and loses
	// against the published one.
	added, removed []*x509.Certificate
	// recheckAfter is when the first retention window of a retained
	// certificate ends; 0 when none is pending.
	recheckAfter time.Duration
	// usageErr is why the certificates in use could not be read; every
	// certificate past its window was kept.
	usageErr error
}

// caUsage returns the fingerprints of the CA certificates that some
// certificate in use chains through, given every CA certificate known
// (the current chains and the published bundle). It is called only when
// a retired certificate is past its window, since it reads Secrets.
type caUsage func(known []*x509.Certificate) (map[string]bool, error)

// planBundle decides the bundle (docs/trust-bundle.md, "Root rotation"):
// every CA certificate of the current chains, and each published one that
// left them while (a) some chain was not read this time, (b) less than
// retainFor has passed since it left, or (c) a certificate this issuer
// issued that is still in a Certificate's Secret chains through it. A
// certificate without a recorded leaving time left now. inUse is called
// at most once, and only for rule (c).
func planBundle(p bundlePlan, inUse caUsage) bundleOutcome {
	out := bundleOutcome{retired: map[string]time.Time{}}
	inBundle := map[string]bool{}
	for _, chain := range p.current {
		for _, c := range chain.bundleOrder() {
			if fp := caFingerprint(c); !inBundle[fp] {
				inBundle[fp] = true
				out.certs = append(out.certs, c)
			}
		}
	}
	current := len(out.certs)
	var pastWindow []*x509.Certificate
	seen := map[string]bool{}
	for _, c := range p.published {
		fp := caFingerprint(c)
		if inBundle[fp] || seen[fp] {
			continue
		}
		seen[fp] = true
		left, ok := p.retired[fp]
		if !ok || left.After(p.now) {
			left = p.now // a clock moved back, or no record: it leaves now
		}
		switch until := left.Add(p.retainFor); {
		case !p.complete:
			out.keep(c, fp, left, inBundle)
		case p.now.Before(until):
			out.keep(c, fp, left, inBundle)
			if wait := until.Sub(p.now); out.recheckAfter == 0 || wait < out.recheckAfter {
				out.recheckAfter = wait
			}
		default:
			pastWindow = append(pastWindow, c)
		}
	}
	if len(pastWindow) > 0 && current > 0 {
		known := append(append([]*x509.Certificate{}, out.certs...), pastWindow...)
		used, err := inUse(known)
		out.usageErr = err
		for _, c := range pastWindow {
			if fp := caFingerprint(c); err != nil || used[fp] {
				left, ok := p.retired[fp]
				if !ok || left.After(p.now) {
					left = p.now
				}
				out.keep(c, fp, left, inBundle)
			}
		}
	} else {
		for _, c := range pastWindow {
			out.keep(c, caFingerprint(c), p.now, inBundle) // no current chain: nothing to rotate to
		}
	}
	out.certs = append(out.certs[:current], sortedLike(out.certs[current:], p.published)...)
	published := map[string]bool{}
	for _, c := range p.published {
		published[caFingerprint(c)] = true
	}
	for _, c := range out.certs {
		if !published[caFingerprint(c)] {
			out.added = append(out.added, c)
		}
	}
	for _, c := range p.published {
		if fp := caFingerprint(c); !inBundle[fp] && !containsFingerprint(out.removed, fp) {
			out.removed = append(out.removed, c)
		}
	}
	return out
}

// keep adds a retired certificate to the outcome.
func (o *bundleOutcome) keep(c *x509.Certificate, fp string, left time.Time, inBundle map[string]bool) {
	if inBundle[fp] {
		return
	}
	inBundle[fp] = true
	o.certs = append(o.certs, c)
	o.retired[fp] = left
}

// sortedLike returns certs in the order they have in ref.
func sortedLike(certs, ref []*x509.Certificate) []*x509.Certificate {
	want := map[string]bool{}
	for _, c := range certs {
		want[caFingerprint(c)] = true
	}
	out := make([]*x509.Certificate, 0, len(certs))
	for _, c := range ref {
		if fp := caFingerprint(c); want[fp] {
			out = append(out, c)
			delete(want, fp)
		}
	}
	return out
}

func containsFingerprint(certs []*x509.Certificate, fp string) bool {
	for _, c := range certs {
		if caFingerprint(c) == fp {
			return true
		}
	}
	return false
}
