package controller

import (
	"context"
	"crypto"
	"fmt"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// AnnotationIssuanceStarted is the in-flight marker: the time (RFC 3339)
// at which pca-issuer was about to send a request's CSR to the PCA. A
// request found with the marker but without a certificate may have been
// issued already (the manager stopped between the PCA's answer and the
// status write), so the issued certificate is looked up and adopted before
// issuing again. The PCA has no idempotency key; this is what keeps
// issuance to one certificate per request.
const AnnotationIssuanceStarted = "nhnpca.issuer.dev/issuance-started"

// adoptionSkew widens the search for an already issued certificate to
// certificates created this long before the marker, for clock skew between
// the cluster and the PCA. It is kept short: a renewal that reuses its key
// (rotationPolicy: Never) must not adopt the certificate it renews.
const adoptionSkew = 30 * time.Second

// signRequest is what the pipeline hands to the signing core, the same for
// every request kind.
type signRequest struct {
	csrPEM     []byte
	duration   time.Duration
	isCA       bool
	usages     []cmapi.KeyUsage
	templateID int64
	// started is the in-flight marker's time, zero when absent.
	started time.Time
	// now is the time of this attempt.
	now time.Time
	// cas is the CA chain pinned for the template: an answer must be
	// issued by its signing certificate and chain to its root.
	cas storeCAs
	// markInFlight records the marker; it returns errConflict when the
	// request changed since it was read.
	markInFlight func(ctx context.Context) error
}

// signResult is the chain to write back, and what the user should hear.
type signResult struct {
	certificate, ca []byte
	adopted         bool
	// serial is the issued leaf's own serial number, PCA spelling.
	serial        string
	certificateID int64
	warnings      []signer.Warning
}

// issue signs req through the issuer's PCA client: it fits the duration to
// the template, looks for a certificate issued by an earlier attempt, marks
// the request in flight, posts the CSR and checks the answer. Errors are the
// kinds of internal/signer, or errConflict.
func issue(ctx context.Context, pc pcaAPI, storeID int64, tmpl *wire.Template, req signRequest) (*signResult, error) {
	res := &signResult{}
	duration, capped := signer.FitDuration(req.duration, tmpl)
	if capped {
		res.warnings = append(res.warnings, signer.Warning{Reason: v1alpha1.ReasonTemplateFit, Message: fmt.Sprintf(
			"the requested duration %s exceeds template %d's maxTTL; requesting %s instead", req.duration, req.templateID, duration)})
	}
	for _, w := range []*signer.Warning{signer.UsageWarning(req.usages, tmpl), signer.SubjectWarning(req.csrPEM, tmpl)} {
		if w != nil {
			res.warnings = append(res.warnings, *w)
		}
	}
	body, err := signer.BuildSignRequest(req.csrPEM, duration, req.isCA)
	if err != nil {
		return nil, err
	}
	if !req.started.IsZero() {
		found, err := findIssued(ctx, pc, storeID, body.CommonName, req.started, req.csrPEM)
		if err != nil {
			return nil, signer.Classify(err)
		}
		if found != nil {
			res.adopted = true
			return res.fill(req, found, req.expectation(duration, tmpl, body.CommonName, req.started))
		}
	}
	if err := req.markInFlight(ctx); err != nil {
		return nil, err
	}
	resp, err := pc.IssueWithTemplate(ctx, storeID, req.templateID, body)
	if err != nil {
		return nil, signer.Classify(err)
	}
	return res.fill(req, resp, req.expectation(duration, tmpl, body.CommonName, req.now))
}

// expectation is what the answer to req is held to: sent at sent with
// commonName by tmpl, for duration (zero: cert-manager's default),
// back-dated at most as tmpl says, issued by the pinned signing certificate
// under its root.
func (req signRequest) expectation(duration time.Duration, tmpl *wire.Template, commonName string, sent time.Time) signer.Expectation {
	if duration == 0 {
		duration = cmapi.DefaultCertificateDuration
	}
	return signer.Expectation{
		TemplateID: req.templateID, Now: req.now, Sent: sent, Duration: duration,
		BackDate: signer.BackDate(tmpl.BackDateValidation), CommonName: commonName,
		Roots: req.cas.roots, Signing: req.cas.signing,
	}
}

// fill checks the PCA's certificate (signer.VerifyAnswer) and keeps its
// chain.
func (res *signResult) fill(req signRequest, cert *wire.Certificate, exp signer.Expectation) (*signResult, error) {
	v, err := signer.VerifyAnswer(req.csrPEM, cert, exp)
	if err != nil {
		return nil, err
	}
	res.certificate, res.ca, res.serial, res.certificateID = v.Certificate, v.CA, wire.FormatSerial(v.Leaf.SerialNumber), cert.CertificateID
	return res, nil
}

// findIssued looks for a leaf certificate issued for this CSR since the
// marker: same common name, created after started (less adoptionSkew), and
// the CSR's public key. It returns nil when there is none.
func findIssued(ctx context.Context, pc pcaAPI, storeID int64, commonName string, started time.Time, csrPEM []byte) (*wire.Certificate, error) {
	csr, err := pki.DecodeX509CertificateRequestBytes(csrPEM)
	if err != nil {
		return nil, signer.Classify(err)
	}
	return pc.FindLeaf(ctx, storeID, commonName, started.Add(-adoptionSkew), func(c *wire.Certificate) bool {
		leaf, err := pki.DecodeX509CertificateBytes([]byte(c.CertificatePem))
		if err != nil {
			return false
		}
		equal, err := pki.PublicKeysEqual(leaf.PublicKey.(crypto.PublicKey), csr.PublicKey)
		return err == nil && equal
	})
}
