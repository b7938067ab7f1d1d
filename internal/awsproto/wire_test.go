package awsproto

import (
	"strconv"
	"testing"
	"time"
)

func TestTimeMarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		ms   int64
		want string
	}{
		{1413836234607, "1413836234.607"},
		{1413836234600, "1413836234.6"},
		{1413836234000, "1413836234"},
		{1413836234007, "1413836234.007"},
		{0, "0"},
		{-1500, "-1.5"},
	} {
		b, err := Time(time.UnixMilli(tc.ms)).MarshalJSON()
		if err != nil || string(b) != tc.want {
			t.Errorf("%d: %s, %v; want %s", tc.ms, b, err, tc.want)
		}
		f, _ := strconv.ParseFloat(string(b), 64)
		var back Time
		if err := back.UnmarshalJSON(b); err != nil || time.Time(back).UnixMilli() != tc.ms {
			t.Errorf("%d: round trip %v (%v)", tc.ms, time.Time(back).UnixMilli(), f)
		}
	}
}
