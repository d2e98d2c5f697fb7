package revocation

import (
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// TestRevokedThroughCRL: with the store's CRL active, a certificate
// revoked through the PCA API (and the CRL re-issued, as the console's
// "renew CRL" does; the PCA publishes a revocation on its CRL only when it
// re-issues it) is replaced in its Secret within the check interval, with
// a Warning event naming the old serial; OCSP then answers revoked for the
// old serial and good for the new. One CRL download per check interval
// covers every Certificate of the CA.
func TestRevokedThroughCRL(t *testing.T) {
	pc := pcaClient(t)
	setStore(t, pc, true, true)
	ns := newIssuer(t, "revocation-crl").Namespace
	start, downloadsBefore := time.Now(), h.Emulator.APICallCount(emulator.OpDownloadCRL)
	crt, old := issue(t, ns, "web")
	// More Certificates of the same CA: their checks share the CRL.
	issue(t, ns, "api")
	issue(t, ns, "db")

	revokeInPCA(t, pc, old)
	if err := pc.RenewCRL(t.Context(), h.PCA.CAStoreID, h.PCA.IntermediateCertID); err != nil {
		t.Fatal(err)
	}
	renewed := waitRenewed(t, crt, old)
	serial := wire.FormatSerial(old.SerialNumber)
	waitEvent(t, ns, "Certificate", crt.Name, "Warning", v1alpha1.ReasonCertificateRevoked, "serial "+serial+" was revoked in the PCA (reason unspecified")

	if got := ocspStatus(t, pc, old); got.Status != ocsp.Revoked {
		t.Errorf("OCSP status of the revoked serial %s = %d, want revoked (%d)", serial, got.Status, ocsp.Revoked)
	}
	if got := ocspStatus(t, pc, renewed); got.Status != ocsp.Good {
		t.Errorf("OCSP status of the new serial %s = %d, want good (%d)", wire.FormatSerial(renewed.SerialNumber), got.Status, ocsp.Good)
	}
	// One download per interval (the first, then one each time the cached
	// CRL is an interval old), whatever the number of Certificates.
	downloads := h.Emulator.APICallCount(emulator.OpDownloadCRL) - downloadsBefore
	if most := int(time.Since(start)/checkInterval) + 2; downloads > most || downloads < 1 {
		t.Errorf("%d CRL downloads in %s for 3 Certificates checked every %s, want 1 to %d", downloads, time.Since(start).Round(time.Second), checkInterval, most)
	}
}

// TestRevokedThroughOCSP: with only OCSP published, each certificate is
// checked through the store's OCSP responder. While the store publishes
// neither, the issuer gets a Warning event saying revocations are not
// noticed. The PCA caches an OCSP answer for ocspRefreshPeriod hours
// (at least one), so the certificate is revoked while the responder is
// off and the responder turned on after: its first answer is the
// revocation, which the check must notice within the interval.
func TestRevokedThroughOCSP(t *testing.T) {
	pc := pcaClient(t)
	setStore(t, pc, false, false)
	ns := newIssuer(t, "revocation-ocsp").Namespace
	crt, old := issue(t, ns, "web")
	waitEvent(t, ns, "PCAIssuer", "pca", "Warning", v1alpha1.ReasonRevocationUnchecked, "publishes neither a CRL nor OCSP")

	revokeInPCA(t, pc, old)
	setStore(t, pc, false, true)
	renewed := waitRenewed(t, crt, old)
	serial := wire.FormatSerial(old.SerialNumber)
	waitEvent(t, ns, "Certificate", crt.Name, "Warning", v1alpha1.ReasonCertificateRevoked, "serial "+serial+" was revoked in the PCA")

	if got := ocspStatus(t, pc, old); got.Status != ocsp.Revoked {
		t.Errorf("OCSP status of the revoked serial %s = %d, want revoked (%d)", serial, got.Status, ocsp.Revoked)
	}
	if got := ocspStatus(t, pc, renewed); got.Status != ocsp.Good {
		t.Errorf("OCSP status of the new serial %s = %d, want good (%d)", wire.FormatSerial(renewed.SerialNumber), got.Status, ocsp.Good)
	}
}
