package wire

import (
	"strings"
	"testing"
)

func TestListOptionsQueryLeavesDefaultsOut(t *testing.T) {
	tests := []struct {
		opts ListOptions
		want string
	}{
		{ListOptions{}, ""},
		{ListOptions{Page: 2, Size: 5, Search: "prod ca"}, "page=2&search=prod+ca&size=5"},
		{ListOptions{Size: 100}, "size=100"},
	}
	for _, tt := range tests {
		q, err := tt.opts.Query()
		if err != nil || q.Encode() != tt.want {
			t.Errorf("%+v: %q, %v; want %q", tt.opts, q.Encode(), err, tt.want)
		}
	}
}

func TestListOptionsQueryRefusesNegatives(t *testing.T) {
	for _, o := range []ListOptions{{Page: -1}, {Size: -5}} {
		if _, err := o.Query(); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Errorf("%+v: error = %v, want one mentioning negative", o, err)
		}
	}
}
