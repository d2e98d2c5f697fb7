package emulator

import (
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestPEMChainKeepsOrderAndCanLeaveTheRootOut(t *testing.T) {
	inter := certRecord{Type: wire.TypeIntermediate, DER: []byte("intermediate")}
	root := certRecord{Type: wire.TypeRoot, DER: []byte("root")}
	chain := []certRecord{inter, root}
	if got, want := pemChain(chain, false), pemCert(inter.DER)+pemCert(root.DER); got != want {
		t.Errorf("full chain\n%s\nwant\n%s", got, want)
	}
	if got, want := pemChain(chain, true), pemCert(inter.DER); got != want {
		t.Errorf("chain without root\n%s\nwant\n%s", got, want)
	}
}
