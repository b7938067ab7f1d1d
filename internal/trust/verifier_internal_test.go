package trust

import "testing"

func TestAWSUserPoolNames(t *testing.T) {
	for name, want := range map[string]bool{
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123":         true,
		"cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_X1":        true,
		"cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1":           true,
		"cognito-idp.us-east-1.amazonaws.com.evil.com/us-east-1_X1":       false,
		"cognito-idp.localhost:9229/us-east-1_X1":                         false,
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_X1/../../internal": false,
		"169.254.169.254/latest":                                          false,
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_X1?x=/.well-known": false,
	} {
		if got := awsUserPool.MatchString(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}
