package awsproto

import (
	"strings"
	"testing"
)

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":       "aws",
		"eu-west-1":       "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"local":           "aws",
	} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1": true, "us-gov-west-1": true, "local": true, strings.Repeat("a", 32): true,
		"": false, strings.Repeat("a", 33): false, "US-EAST-1": false, "us_east_1": false, "us-east-1/x": false, "é": false,
	} {
		if got := ValidRegion(s); got != want {
			t.Errorf("ValidRegion(%q) = %v, want %v", s, got, want)
		}
	}
}
