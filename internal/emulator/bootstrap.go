package emulator

import (
	"fmt"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// BootstrapOptions chooses the keys of Bootstrap's CA (the root and the
// intermediate); the leaf templates are the same for both.
type BootstrapOptions struct {
	// KeyAlgorithm is "RSA" (RSA 2048, SHA256_WITH_RSA) or "EC" (P-256,
	// SHA256_WITH_ECDSA); empty means EC.
	KeyAlgorithm string
}

// BootstrapResult holds the ids Bootstrap made.
type BootstrapResult struct {
	CAStoreID          int64 `json:"caStoreId"`
	RootCertID         int64 `json:"rootCertId"`
	IntermediateCertID int64 `json:"intermediateCertId"`
	// TemplateID is the leaf template for cert-manager's default key (RSA
	// 2048): the same as RSATemplateID.
	TemplateID int64 `json:"templateId"`
	// RSATemplateID, ECTemplateID and Ed25519TemplateID are the leaf
	// templates whose keyInfo is RSA 2048, EC 256 (P-256) and ED25519.
	RSATemplateID     int64 `json:"rsaTemplateId"`
	ECTemplateID      int64 `json:"ecTemplateId"`
	Ed25519TemplateID int64 `json:"ed25519TemplateId"`
}

// LeafTemplateIDs returns the leaf templates in the order an issuer lists
// them: RSA 2048 (spec.templateId), then EC P-256 and Ed25519
// (spec.allowedTemplateIds).
func (r *BootstrapResult) LeafTemplateIDs() []int64 {
	return []int64{r.RSATemplateID, r.ECTemplateID, r.Ed25519TemplateID}
}

// bootstrapLeafKeys are the keyInfo of Bootstrap's leaf templates, by name.
var bootstrapLeafKeys = []struct {
	name    string
	keyInfo wire.KeyInfo
}{
	{"server-client-rsa", wire.KeyInfo{Algorithm: wire.KeyAlgorithmRSA, KeySize: 2048}},
	{"server-client-ec", wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}},
	{"server-client-ed25519", wire.KeyInfo{Algorithm: wire.KeyAlgorithmEd25519}},
}

// Bootstrap lifetimes, in seconds.
const (
	bootstrapRootTTL         = 315_360_000 // 10 years of 365 days, the seed's maximum
	bootstrapIntermediateTTL = 157_680_000 // 5 years
	bootstrapLeafMaxTTL      = 31_536_000  // 1 year
)

// bootstrapActor is the creationUser of what Bootstrap makes.
const bootstrapActor = "bootstrap"

// Bootstrap makes a ready CA through the service layer (no HTTP): a store
// with crlActive and ocspActive (default periods; certificates carry CRL and
// OCSP URLs when Options.BaseURL is set),
// a ROOT (maxDepth 1), an INTERMEDIATE under it (maxDepth 0) and three leaf
// templates under the intermediate for server and client auth, one per key
// kind: RSA 2048 (cert-manager's default key), EC P-256 and Ed25519
// (useCsrCommonName, useCsrSans and allowIpSans on, maxTTL one year, key usage
// DIGITAL_SIGNATURE and KEY_ENCIPHERMENT, extended key usage
// SERVER_AUTHENTICATION and CLIENT_AUTHENTICATION). It fails on an unknown
// KeyAlgorithm.
func (e *Emulator) Bootstrap(opts BootstrapOptions) (*BootstrapResult, error) {
	keyInfo, sig := wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}, wire.SHA256WithECDSA
	switch opts.KeyAlgorithm {
	case "", wire.KeyAlgorithmEC:
	case wire.KeyAlgorithmRSA:
		keyInfo, sig = wire.KeyInfo{Algorithm: wire.KeyAlgorithmRSA, KeySize: 2048}, wire.SHA256WithRSA
	default:
		return nil, fmt.Errorf("emulator: bootstrap key algorithm %q, want RSA or EC", opts.KeyAlgorithm)
	}
	store, err := e.svc.CreateStore(bootstrapActor, wire.StoreRequest{
		Name: "Local CA Store", Description: "Made by the emulator's bootstrap", CRLActive: true, OCSPActive: true,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: bootstrap store: %w", err)
	}
	root, err := e.svc.CreateIssuerCert(bootstrapActor, store.ID, wire.IssuerCertRequest{
		CertificateType: wire.TypeRoot, Name: "Local Root CA",
		SubjectInfo: wire.SubjectInfo{CommonName: "PCA Emulator Root CA", Organization: "PCA Emulator"},
		TTLValue:    bootstrapRootTTL, MaxDepth: ptr(1), KeyInfo: keyInfo, SignatureAlgorithm: sig,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: bootstrap root: %w", err)
	}
	inter, err := e.svc.CreateIssuerCert(bootstrapActor, store.ID, wire.IssuerCertRequest{
		CertificateType: wire.TypeIntermediate, ParentCertID: root.CertificateID, Name: "Local Intermediate CA",
		SubjectInfo: wire.SubjectInfo{CommonName: "PCA Emulator Intermediate CA", Organization: "PCA Emulator"},
		TTLValue:    bootstrapIntermediateTTL, MaxDepth: ptr(0), KeyInfo: keyInfo, SignatureAlgorithm: sig,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: bootstrap intermediate: %w", err)
	}
	ids := make([]int64, len(bootstrapLeafKeys))
	for i, leaf := range bootstrapLeafKeys {
		id, err := e.bootstrapLeafTemplate(store.ID, inter.CertificateID, leaf.name, leaf.keyInfo)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return &BootstrapResult{
		CAStoreID: store.ID, RootCertID: root.CertificateID, IntermediateCertID: inter.CertificateID,
		TemplateID: ids[0], RSATemplateID: ids[0], ECTemplateID: ids[1], Ed25519TemplateID: ids[2],
	}, nil
}

// bootstrapLeafTemplate makes one leaf template for server and client auth
// of keys of keyInfo under the intermediate parent.
func (e *Emulator) bootstrapLeafTemplate(storeID, parent int64, name string, keyInfo wire.KeyInfo) (int64, error) {
	tmpl, err := e.svc.CreateTemplate(bootstrapActor, storeID, wire.TemplateRequest{
		Name: name, Description: "TLS server and client certificates, " + keyInfo.Algorithm + " keys",
		ParentCertID: parent, MaxTTL: ptr(int64(bootstrapLeafMaxTTL)),
		AllowIPSans: true, UseCsrCommonName: true, UseCsrSans: true, KeyInfo: keyInfo,
		KeyUsage:         []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth, wire.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return 0, fmt.Errorf("emulator: bootstrap template %s: %w", name, err)
	}
	return tmpl.TemplateID, nil
}

// BootstrapHeld reports whether the emulator still holds what r names: the
// store (not deleted), the root and intermediate in that store and the
// template in that store. A caller that kept r across restarts (the
// command's bootstrap.json) bootstraps again when it does not, for example
// after the data file was emptied or deleted. Errors are storage failures.
func (e *Emulator) BootstrapHeld(r BootstrapResult) (bool, error) {
	s := e.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	lookups := []func() *apiError{
		func() *apiError { _, err := s.loadStore(r.CAStoreID); return err },
		func() *apiError { _, err := s.loadCert(r.CAStoreID, r.RootCertID); return err },
		func() *apiError { _, err := s.loadCert(r.CAStoreID, r.IntermediateCertID); return err },
		func() *apiError { _, err := s.loadTemplate(r.CAStoreID, r.TemplateID); return err },
	}
	for _, lookup := range lookups {
		switch err := lookup(); {
		case err == nil:
		case err.Status == http.StatusNotFound:
			return false, nil
		default:
			return false, fmt.Errorf("emulator: bootstrap lookup: %w", err)
		}
	}
	return true, nil
}
