package harness

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/pcaadmin"
)

// PCAClient returns a PCA API client for the emulator with its ADMIN key,
// with the administration calls of pcaadmin.
func (h *Harness) PCAClient() (*pcaadmin.Client, error) {
	return pcaadmin.New(pca.Config{
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
	created, err := pc.CreateTemplate(ctx, h.PCA.CAStoreID, wire.TemplateRequest{
		Name: name, ParentCertID: h.PCA.IntermediateCertID, MaxTTL: &maxTTL,
		AllowIPSans: true, UseCsrCommonName: true, UseCsrSans: true,
		KeyInfo:          wire.KeyInfo{Algorithm: algorithm, KeySize: size},
		KeyUsage:         []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth, wire.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return 0, err
	}
	return created.TemplateID, nil
}
