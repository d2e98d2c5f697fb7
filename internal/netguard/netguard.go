// Package netguard keeps the manager from dialling addresses that a tenant
// must not reach through it. A PCAIssuer's url and tokenURL are chosen by
// whoever may write the issuer; without a guard, the manager would call the
// node's own services (loopback), the cloud metadata service (link-local
// 169.254.169.254) or "any address" (unspecified) on the tenant's behalf
// (docs/security.md, "Endpoints").
//
// The check runs on the address actually dialled, after name resolution,
// so a name that resolves to a refused address is refused too.
package netguard

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// Guard decides which addresses may be dialled. The zero value refuses
// every loopback, link-local and unspecified address.
type Guard struct {
	allowed []netip.Prefix
}

// New returns a Guard that also lets through the addresses of allowed
// (for example 127.0.0.0/8 for a PCA emulator on the same host).
func New(allowed []netip.Prefix) *Guard {
	return &Guard{allowed: append([]netip.Prefix(nil), allowed...)}
}

// RefusedError is an address the Guard refused.
type RefusedError struct {
	// Addr is the refused address.
	Addr netip.Addr
	// Kind says why: "loopback", "link-local" or "unspecified".
	Kind string
}

// Error names the address, the rule and the flag that lifts it.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to dial %s: %s addresses are not reachable from issuers (the manager's --allowed-networks flag can allow a range)", e.Addr, e.Kind)
}

// Check returns a *RefusedError when addr may not be dialled. IPv4
// addresses written in IPv6 form are judged as IPv4.
func (g *Guard) Check(addr netip.Addr) error {
	addr = addr.Unmap()
	kind := refusedKind(addr)
	if kind == "" {
		return nil
	}
	for _, p := range g.allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	return &RefusedError{Addr: addr, Kind: kind}
}

// refusedKind names why addr is refused by default, or "" when it is not.
func refusedKind(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "link-local"
	case addr.IsUnspecified():
		return "unspecified"
	}
	return ""
}

// Control is a net.Dialer Control function: it checks the "host:port" that
// is about to be dialled. An address that does not parse as an IP is
// refused, since the dialler only hands resolved addresses to Control.
func (g *Guard) Control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: %w", address, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("refusing to dial %q: not an IP address", address)
	}
	return g.Check(addr)
}
