package harness

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// PCAClient returns a PCA API client for the emulator with its ADMIN key.
func (h *Harness) PCAClient() (*pca.Client, error) {
	return pca.New(pca.Config{
		URL: h.PCAURL, TokenURL: h.PCAURL, AppKey: AppKey, AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey,
		HTTPClient: &http.Client{Transport: h.emulator.server.Client().Transport},
	})
}

// CreateLeafTemplate adds a server and client template for keys of
// algorithm ("RSA", "EC") and size under the bootstrap intermediate, with
// the bootstrap template's switches, and returns its id. The emulator
// enforces a template's keyInfo on SIGN requests.
func (h *Harness) CreateLeafTemplate(ctx context.Context, name, algorithm string, size int) (int64, error) {
	pc, err := h.PCAClient()
	if err != nil {
		return 0, err
	}
	maxTTL := int64(365 * 24 * 3600)
	created, err := pc.CreateTemplate(ctx, h.PCA.CAStoreID, pca.TemplateRequest{
		Name: name, ParentCertID: h.PCA.IntermediateCertID, MaxTTL: &maxTTL,
		AllowIPSans: true, UseCsrCommonName: true, UseCsrSans: true,
		KeyInfo:          pca.KeyInfo{Algorithm: algorithm, KeySize: size},
		KeyUsage:         []string{pca.KeyUsageDigitalSignature, pca.KeyUsageKeyEncipherment},
		ExtendedKeyUsage: []string{pca.ExtKeyUsageServerAuth, pca.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return 0, err
	}
	return created.TemplateID, nil
}
