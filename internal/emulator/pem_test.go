package emulator

import (
	"bytes"
	"encoding/pem"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// pemCert sizes its buffer by hand; its output must stay what encoding/pem
// writes, at every length around the 48-octet line and 3-octet group edges.
func TestPEMCertMatchesEncodingPEM(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 500, 1200} {
		der := bytes.Repeat([]byte{0xA5}, n)
		want := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		if got := pemCert(der); got != want {
			t.Errorf("%d octets: pemCert\n%s\nwant\n%s", n, got, want)
		}
	}
}

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
