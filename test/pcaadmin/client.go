package pcaadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// Client is a PCA API client with the administration calls. It embeds the
// product's *pca.Client, so the product's calls (GetStore, GetTemplate,
// IssueWithTemplate, FindLeaf, ...) are there too.
type Client struct {
	*pca.Client
}

// New returns a Client for cfg; it fails as pca.New does.
func New(cfg pca.Config) (*Client, error) {
	c, err := pca.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Client: c}, nil
}

// callJSON makes r and decodes the envelope's body into a new T. Errors:
// as pca.Client.Call, or an error naming r.Op when the body is not a T.
func callJSON[T any](ctx context.Context, c *Client, r pca.Request) (*T, error) {
	body, err := c.Call(ctx, r)
	if err != nil {
		return nil, err
	}
	var out T
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("pcaadmin: %s: decoding answer: %w", r.Op, err)
	}
	return &out, nil
}

// storePath is the escaped path of one store below the appkey's store list.
func storePath(caStoreID int64) string { return "/" + strconv.FormatInt(caStoreID, 10) }

// certPath is the escaped path of one certificate.
func certPath(caStoreID, certID int64) string {
	return storePath(caStoreID) + "/certs/" + strconv.FormatInt(certID, 10)
}

// templatePath is the escaped path of one template.
func templatePath(caStoreID, templateID int64) string {
	return storePath(caStoreID) + "/templates/" + strconv.FormatInt(templateID, 10)
}
