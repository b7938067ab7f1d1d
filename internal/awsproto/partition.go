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
