package controller

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// inUseMemo remembers, per issuer and Certificate Secret, which known CA
// certificates the Secret's chain runs through, by the Secret's
// resourceVersion (from the metadata cache) and the set of known CA
// certificates. While a previous root is retained for a certificate in
// use, every Certificate change and every issuer check reconciles the
// bundle: without it each pass read every Secret of the issuer again
// past the cache (up to maxInUseSecrets), so a wave of N renewals cost
// N×N Secret reads from the API server. With it a pass reads only the
// Secrets that changed.
type inUseMemo struct {
	mu sync.Mutex
	m  map[types.NamespacedName]map[types.NamespacedName]inUseEntry
}

// inUseEntry is what one Secret's chain was found to run through.
type inUseEntry struct {
	resourceVersion string
	known           string
	// used are the fingerprints of the known CA certificates of the
	// chain's paths; none when it has no leaf or does not verify.
	used []string
	// notBefore and notAfter are the leaf's: used counts only while the
	// leaf is valid (at its notBefore, if that is ahead of now).
	notBefore, notAfter time.Time
}

func newInUseMemo() *inUseMemo {
	return &inUseMemo{m: map[types.NamespacedName]map[types.NamespacedName]inUseEntry{}}
}

// forget drops a deleted issuer's entries.
func (m *inUseMemo) forget(issuer types.NamespacedName) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, issuer)
}

// knownKey names a set of CA certificates, whatever their order.
func knownKey(known []*x509.Certificate) string {
	fps := make([]string, 0, len(known))
	for _, c := range known {
		fps = append(fps, caFingerprint(c))
	}
	slices.Sort(fps)
	sum := sha256.New()
	for _, fp := range fps {
		sum.Write([]byte(fp))
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// usedCAs returns the fingerprints of the CA certificates of known that a
// certificate in use for the issuer chains through (as casInUse does for
// the chains certificatesInUse reads), reading past the cache only the
// Secrets whose resourceVersion in the metadata cache changed since the
// issuer's last pass, or all of them when known changed. The entries of
// Secrets no Certificate of the issuer names any more are dropped. A nil
// memo reads every Secret.
func (m *inUseMemo) usedCAs(ctx context.Context, cache, apiReader client.Reader, issuer types.NamespacedName, kind string, known []*x509.Certificate, now time.Time) (map[string]bool, error) {
	var list cmapi.CertificateList
	var opts []client.ListOption
	if kind == kindIssuer {
		opts = append(opts, client.InNamespace(issuer.Namespace))
	}
	if err := cache.List(ctx, &list, opts...); err != nil {
		return nil, fmt.Errorf("listing Certificates: %w", err)
	}
	kk := knownKey(known)
	var prev map[types.NamespacedName]inUseEntry
	if m != nil {
		m.mu.Lock()
		prev = m.m[issuer]
		m.mu.Unlock()
	}
	next := map[types.NamespacedName]inUseEntry{}
	used := map[string]bool{}
	count := 0
	for i := range list.Items {
		crt := &list.Items[i]
		if issuerKind(crt.Spec.IssuerRef) != kind || crt.Spec.IssuerRef.Name != issuer.Name || crt.Spec.SecretName == "" {
			continue
		}
		if count++; count > maxInUseSecrets {
			return nil, fmt.Errorf("the issuer has more than %d Certificates: every retired CA certificate is kept", maxInUseSecrets)
		}
		key := types.NamespacedName{Namespace: crt.Namespace, Name: crt.Spec.SecretName}
		meta := secretMetadata()
		if err := cache.Get(ctx, key, meta); err != nil {
			if apierrors.IsNotFound(err) {
				continue // no Secret yet: no chain in use
			}
			return nil, fmt.Errorf("reading Secret %s: %w", key, err)
		}
		e, ok := prev[key]
		if !ok || e.resourceVersion != meta.GetResourceVersion() || e.known != kk {
			var err error
			if e, err = readInUse(ctx, apiReader, crt, known, now); err != nil {
				return nil, err
			}
			e.resourceVersion, e.known = meta.GetResourceVersion(), kk
		}
		next[key] = e
		at := now
		if at.Before(e.notBefore) {
			at = e.notBefore
		}
		if at.After(e.notAfter) {
			continue // expired since: not in use
		}
		for _, fp := range e.used {
			used[fp] = true
		}
	}
	if m != nil {
		m.mu.Lock()
		m.m[issuer] = next
		m.mu.Unlock()
	}
	return used, nil
}

// readInUse reads crt's Secret past the cache and finds what its chain
// runs through (casInUse). A Secret gone meanwhile, without a
// certificate or with one that does not parse, runs through nothing.
func readInUse(ctx context.Context, apiReader client.Reader, crt *cmapi.Certificate, known []*x509.Certificate, now time.Time) (inUseEntry, error) {
	leaf, cas, err := secretChain(ctx, apiReader, crt)
	if errors.Is(err, errNoLeaf) || errors.Is(err, errBadLeaf) {
		return inUseEntry{}, nil
	}
	if err != nil {
		return inUseEntry{}, err
	}
	e := inUseEntry{notBefore: leaf.NotBefore, notAfter: leaf.NotAfter}
	at := now
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore
	}
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter // expired now; the memo holds it until its Secret changes
	}
	for fp := range casInUse([][]*x509.Certificate{append([]*x509.Certificate{leaf}, cas...)}, known, at) {
		e.used = append(e.used, fp)
	}
	return e, nil
}
