package db

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by OpenBolt when another process holds the bbolt
// file (bbolt takes an exclusive file lock while open).
var ErrLocked = errors.New("another process holds the database")

// ErrDamaged is returned by OpenBolt when the bbolt file
// is not a bbolt file or fails bbolt's consistency check (Tx.Check).
var ErrDamaged = errors.New("the database is damaged")

// LockWait is how long OpenBolt waits for another process to release the bbolt
// file: long enough for a restart racing the old process's exit, short
// enough that a second instance gets its answer at once.
const LockWait = 500 * time.Millisecond

// maxCheckErrors bounds the consistency errors quoted in ErrDamaged.
const maxCheckErrors = 3

// openChecked opens the bbolt file at path for writing after checking it.
// A file that already has content is first opened read-only and run
// through bbolt's consistency check (checkFile): read-only, bbolt loads
// nothing beyond the meta pages at open, so the check meets any damage
// inside its own recover and the file can be closed again; a writable open
// would load the freelist at once and may panic holding the file lock.
func openChecked(path string) (*bolt.DB, error) {
	if info, err := os.Stat(path); err == nil && info.Size() > 0 {
		if err := checkFile(path); err != nil {
			return nil, err
		}
	}
	return openBolt(path, false)
}

// checkFile opens path read-only, runs checkBolt and closes it again. bbolt
// panics on some damage (a page of the wrong type) instead of returning an
// error; such panics become ErrDamaged too, so that a damaged file is
// refused with a message rather than a crash or a server whose every
// request fails.
func checkFile(path string) (err error) {
	db, err := openBolt(path, true)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("emulator: %s: %w (%v)", path, ErrDamaged, r)
		}
		closeQuietly(db)
	}()
	if problems := checkBolt(db); len(problems) > 0 {
		return fmt.Errorf("emulator: %s: %w (%s)", path, ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// openBolt opens path, read-only or for writing, waiting LockWait for
// another process's lock, and names the failures: ErrLocked, or
// ErrDamaged for a file whose meta pages are not bbolt's (or a panic
// while reading them).
func openBolt(path string, readOnly bool) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("emulator: %s: %w (%v)", path, ErrDamaged, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: LockWait, ReadOnly: readOnly})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("emulator: %s: %w", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("emulator: %s: %w (%v)", path, ErrDamaged, err)
	case err != nil:
		return nil, fmt.Errorf("emulator: open %s: %w", path, err)
	}
	return db, nil
}

// checkBolt runs Tx.Check and returns up to maxCheckErrors of the problems
// it finds (Tx.Check turns its own panics into errors). The whole file is
// read; the emulator's files are small.
func checkBolt(db *bolt.DB) []string {
	var problems []string
	err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			if len(problems) < maxCheckErrors {
				problems = append(problems, err.Error())
			}
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// closeQuietly closes a database found damaged, releasing its file lock;
// a panic or error while closing a damaged file changes nothing to report.
func closeQuietly(db *bolt.DB) {
	if db == nil {
		return
	}
	defer func() { _ = recover() }()
	_ = db.Close()
}
