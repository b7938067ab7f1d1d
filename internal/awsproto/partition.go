package awsproto

import "strings"

// Partition is the ARN partition of an AWS region: aws-cn for the China
// regions, aws-us-gov for GovCloud, the isolated partitions for theirs,
// aws for every other. cognitod writes the ARNs it makes (identity pools,
// OIDC providers in tokens) in the pool's partition, and an ARN naming a
// resource of a region in another partition names nothing.
func Partition(region string) string {
	for _, p := range partitions {
		if strings.HasPrefix(region, p.prefix) {
			return p.name
		}
	}
	return "aws"
}

// ValidRegion reports whether s can be a region: 1 to 32 lower-case
// letters, digits and '-' (us-east-1, us-gov-west-1; also the "local" some
// test setups configure). A region keys accounts' pools, throttling
// buckets and signing keys, so it must look like one, not be a megabyte of
// anything.
func ValidRegion(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// partitions maps region prefixes to partitions, the longer prefix first
// where one extends another (us-isob- before us-iso-).
var partitions = []struct{ prefix, name string }{
	{"cn-", "aws-cn"},
	{"us-gov-", "aws-us-gov"},
	{"us-isob-", "aws-iso-b"},
	{"us-iso-", "aws-iso"},
	{"eu-isoe-", "aws-iso-e"},
	{"us-isof-", "aws-iso-f"},
}
