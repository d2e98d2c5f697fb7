package wire

import (
	"fmt"
	"net/url"
	"strconv"
)

// Header is the "header" object of every JSON response envelope.
type Header struct {
	// ResultCode is 0 on success and non-zero on failure.
	ResultCode int `json:"resultCode"`
	// ResultMessage is "SUCCESS" or a human-readable reason.
	ResultMessage string `json:"resultMessage"`
	// IsSuccessful is false on every failure, even under HTTP 200.
	IsSuccessful bool `json:"isSuccessful"`
}

// Envelope is the JSON response of every endpoint other than the downloads,
// CRL files and OCSP: {"header": {...}, "body": T}.
type Envelope[T any] struct {
	// Header says whether the call succeeded.
	Header Header `json:"header"`
	// Body is the answer proper; null on failure.
	Body T `json:"body"`
}

// Page is the paging part of every list response. Pages start at 0.
type Page struct {
	// TotalCnt is the number of items over all pages.
	TotalCnt int `json:"totalCnt"`
	// TotalPageNo is the number of pages at the requested size.
	TotalPageNo int `json:"totalPageNo"`
	// CurrentPageNo is the page returned, from 0.
	CurrentPageNo int `json:"currentPageNo"`
}

// ListOptions are the query parameters of the list endpoints.
type ListOptions struct {
	// Page is the page to return, from 0.
	Page int
	// Size is the number of items per page; the server's default (10)
	// when 0.
	Size int
	// Search filters the items; the field it matches depends on the
	// endpoint (store name or description, certificate Common Name,
	// template name).
	Search string
}

// Query returns o as the page, size and search query parameters, leaving
// out zero values so that the server's defaults apply (page 0, size 10).
// It returns an error for a negative page or size.
func (o ListOptions) Query() (url.Values, error) {
	if o.Page < 0 || o.Size < 0 {
		return nil, fmt.Errorf("list options: page %d and size %d must not be negative", o.Page, o.Size)
	}
	q := url.Values{}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.Size > 0 {
		q.Set("size", strconv.Itoa(o.Size))
	}
	if o.Search != "" {
		q.Set("search", o.Search)
	}
	return q, nil
}
