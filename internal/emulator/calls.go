package emulator

import (
	"maps"
	"sync"
)

// Operation names of APICallCount, named after the methods of the PCA
// client (internal/pca) that call each route.
const (
	OpToken                  = "Token"
	OpListStores             = "ListStores"
	OpGetStore               = "GetStore"
	OpCreateStore            = "CreateStore"
	OpModifyStore            = "ModifyStore"
	OpDeleteStore            = "DeleteStore"
	OpListCertificates       = "ListCertificates"
	OpGetCertificate         = "GetCertificate"
	OpIssueIssuerCertificate = "IssueIssuerCertificate"
	OpRevokeCertificate      = "RevokeCertificate"
	OpDownloadCertificate    = "DownloadCertificate"
	OpListTemplates          = "ListTemplates"
	OpGetTemplate            = "GetTemplate"
	OpCreateTemplate         = "CreateTemplate"
	OpModifyTemplate         = "ModifyTemplate"
	OpDeleteTemplate         = "DeleteTemplate"
	OpIssueWithTemplate      = "IssueWithTemplate"
	OpGetCRLInfo             = "GetCRLInfo"
	OpDownloadCRL            = "DownloadCRL"
	OpRenewCRL               = "RenewCRL"
	OpOCSP                   = "OCSP"
)

// callCounter counts the requests each route received.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[op]++
}

func (c *callCounter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

func (c *callCounter) all() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.n)
}

// APICallCount returns how many requests the route of op (an Op* name)
// received since New or ResetAPICallCounts: every request that reached it,
// whatever the answer, faulted ones included.
func (e *Emulator) APICallCount(op string) int { return e.calls.get(op) }

// APICallCounts returns a copy of every route's count, by Op* name.
func (e *Emulator) APICallCounts() map[string]int { return e.calls.all() }

// ResetAPICallCounts sets every route's count back to 0.
func (e *Emulator) ResetAPICallCounts() { e.calls.reset() }
