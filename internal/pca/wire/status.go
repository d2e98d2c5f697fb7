package wire

// Status values of stores (ACTIVE, INACTIVE, DELETED) and certificates
// (ACTIVE, INACTIVE, REVOKED, EXPIRED, DELETED): the status field.
const (
	// StatusActive is a store or certificate in use.
	StatusActive = "ACTIVE"
	// StatusInactive is a store or certificate switched off.
	StatusInactive = "INACTIVE"
	// StatusRevoked is a revoked certificate.
	StatusRevoked = "REVOKED"
	// StatusExpired is a certificate past its notAfter.
	StatusExpired = "EXPIRED"
	// StatusDeleted is a deleted store or certificate.
	StatusDeleted = "DELETED"
)
