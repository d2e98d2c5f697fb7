package wire

import (
	"fmt"
	"strings"
	"time"
)

// DateTime is the API's "LocalDateTime": a date-time without a zone.
//
// The zone is taken as UTC (docs/pca-api.md, Emulator assumptions A3). The
// provider's guide spells it both as "2024-01-15T10:00:00" and as
// "2034-01-15 10:00:00"; both parse. It is written in the first spelling
// (docs/pca-api.md#date-times-and-units).
type DateTime struct {
	time.Time
}

// DateTimeLayout is the layout DateTime is written in.
const DateTimeLayout = "2006-01-02T15:04:05"

// dateTimeLayouts are the spellings DateTime accepts, most common first.
var dateTimeLayouts = []string{DateTimeLayout, "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", time.RFC3339Nano}

// NewDateTime returns t in UTC, truncated to whole seconds as on the wire.
func NewDateTime(t time.Time) DateTime {
	return DateTime{t.UTC().Truncate(time.Second)}
}

// ParseDateTime parses either spelling of a LocalDateTime as UTC. It returns
// an error naming the value when neither spelling fits.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date-time %q is neither 2006-01-02T15:04:05 nor 2006-01-02 15:04:05", s)
}

// MarshalJSON writes the date-time as "2006-01-02T15:04:05", or null when zero.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(DateTimeLayout)+2)
	b = append(b, '"')
	b = d.UTC().AppendFormat(b, DateTimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads either spelling; null and "" leave the zero time.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		d.Time = time.Time{}
		return nil
	}
	t, err := ParseDateTime(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}
