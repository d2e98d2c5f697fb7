package emulator

import (
	"errors"
	"fmt"
	"log"
	"net/http"
)

// recoverPanics answers a request whose handler panicked with a 500 in the
// error envelope and logs one line naming the request and the panic,
// instead of net/http's default: a closed connection without an answer and
// a stack trace. A handler that drops its connection on purpose
// (panic(http.ErrAbortHandler), faults.go) keeps doing so. Handlers write
// their answer last, so a panic comes before any header.
func recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			log.Printf("emulator: %s %s failed: %v", r.Method, r.URL.Path, p)
			writeFailure(w, http.StatusInternalServerError, fmt.Sprintf("internal error: %v", p))
		}()
		h.ServeHTTP(w, r)
	})
}
