package pca

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

const (
	// findLeafPageSize and findLeafMaxPages bound how much of a store
	// FindLeaf reads: at most 1,000 list items per search.
	findLeafPageSize = 100
	findLeafMaxPages = 10
	// findLeafMaxDetails bounds the GetCertificate calls of one search: a
	// real store holds a handful of live leaves of one common name issued
	// within a minute, and a server that lists more (or ignores the page
	// size) must not turn one search into thousands of calls.
	findLeafMaxDetails = 20
)

// FindLeaf looks for a leaf certificate already issued in a store, for
// example one whose IssueWithTemplate answer was lost: the API has no
// idempotency key, so searching is the only way not to issue twice.
//
// It pages through ListCertificates (type leaf, search commonName, pages of
// 100, at most 10 pages) and keeps the items that
//   - have exactly commonName as Common Name (search also matches parts),
//   - are not REVOKED or EXPIRED, and
//   - were issued at or after issuedAfter, compared in whole seconds as the
//     API writes times: by creationDatetime when the item has it; otherwise
//     by notBefore, which the server backdates by the template's
//     backDateValidation (at most 2,592,000 s), so an item is skipped only
//     when notBefore plus that maximum is still before issuedAfter.
//
// issuedAfter is read on the caller's clock and compared with the server's:
// pass a time some margin earlier to allow for clock skew.
//
// For each kept item, in list order, it fetches the detail with
// GetCertificate and returns the first detail for which match returns true
// (typically: the certificate's public key equals the CSR's). An item that
// is gone by then (HTTP 404) is skipped. It returns (nil, nil) when no
// certificate matches, including when the search stopped at its cap with
// pages left.
//
// Only the first 100 items of a page are read, however many the server
// sends, and at most 20 details are fetched in one search.
//
// Errors: an error for an empty commonName or a nil match; an error when
// more than 20 candidates needed their detail; otherwise the first error of
// ListCertificates or GetCertificate, unchanged.
func (c *Client) FindLeaf(ctx context.Context, caStoreID int64, commonName string, issuedAfter time.Time, match func(*wire.Certificate) bool) (*wire.Certificate, error) {
	if strings.TrimSpace(commonName) == "" {
		return nil, errors.New("pca: FindLeaf: common name is empty")
	}
	if match == nil {
		return nil, errors.New("pca: FindLeaf: match func is nil")
	}
	after := issuedAfter.UTC().Truncate(time.Second)
	details := 0
	for page := 0; page < findLeafMaxPages; page++ {
		list, err := c.ListCertificates(ctx, caStoreID, wire.ListTypeLeaf, wire.ListOptions{Page: page, Size: findLeafPageSize, Search: commonName})
		if err != nil {
			return nil, err
		}
		// A page is at most what was asked for, whatever the server sent.
		items := list.ListCerts[:min(len(list.ListCerts), findLeafPageSize)]
		for _, item := range items {
			if !leafCandidate(item, commonName, after) {
				continue
			}
			if details++; details > findLeafMaxDetails {
				return nil, fmt.Errorf("pca: FindLeaf: more than %d certificates of common name %q were issued since %s: stopped reading details", findLeafMaxDetails, commonName, after.Format(time.RFC3339))
			}
			cert, err := c.GetCertificate(ctx, caStoreID, item.ID)
			if IsNotFound(err) {
				continue // deleted since it was listed
			}
			if err != nil {
				return nil, err
			}
			if match(cert) {
				return cert, nil
			}
		}
		if lastPage(list, page) {
			return nil, nil
		}
	}
	return nil, nil
}

// leafCandidate reports whether a list item may be the leaf FindLeaf looks
// for, before its detail is fetched.
func leafCandidate(item wire.CertificateListItem, commonName string, after time.Time) bool {
	if item.CommonName != commonName || item.Status == wire.StatusRevoked || item.Status == wire.StatusExpired {
		return false
	}
	if item.Type != "" && item.Type != wire.TypeLeaf {
		return false
	}
	switch {
	case !item.CreationDatetime.IsZero():
		return !item.CreationDatetime.Before(after)
	case !item.NotBefore.IsZero():
		return !item.NotBefore.Add(wire.MaxBackDate).Before(after)
	default:
		return true // no time to judge by; let match decide
	}
}

// lastPage reports whether page (from 0) of list is the last one: by
// totalPageNo when the API sent it, else by a short page.
func lastPage(list *wire.CertificateList, page int) bool {
	if list.TotalPageNo > 0 {
		return page+1 >= list.TotalPageNo
	}
	return len(list.ListCerts) < findLeafPageSize
}
