package controller

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBoundedMessage(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{name: "short-kept", in: "fine", limit: 10, want: "fine"},
		{name: "at-limit-kept", in: "0123456789", limit: 10, want: "0123456789"},
		{name: "long-cut-and-marked", in: "0123456789abc", limit: 10, want: "0123456..."},
		{name: "multibyte-rune-not-split", in: "ab" + strings.Repeat("é", 10), limit: 10, want: "abéé..."},
		{name: "invalid-byte-first-keeps-the-rest", in: "\xff" + strings.Repeat("a", 20), limit: 10, want: "aaaaaa..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := boundedMessage(tt.in, tt.limit)
			if got != tt.want || len(got) > tt.limit || !utf8.ValidString(got) {
				t.Fatalf("boundedMessage = %q (%d bytes), want %q", got, len(got), tt.want)
			}
		})
	}
}
