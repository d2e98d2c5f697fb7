package emulator

import (
	"testing"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestPEMChainKeepsOrderAndCanLeaveTheRootOut(t *testing.T) {
	inter := db.Cert{Type: wire.TypeIntermediate, DER: []byte("intermediate")}
	root := db.Cert{Type: wire.TypeRoot, DER: []byte("root")}
	chain := []db.Cert{inter, root}
	if got, want := pemChain(chain, false), ca.CertPEM(inter.DER)+ca.CertPEM(root.DER); got != want {
		t.Errorf("full chain\n%s\nwant\n%s", got, want)
	}
	if got, want := pemChain(chain, true), ca.CertPEM(inter.DER); got != want {
		t.Errorf("chain without root\n%s\nwant\n%s", got, want)
	}
}
