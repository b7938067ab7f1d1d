// Package sigv4 verifies AWS Signature Version 4 signatures on incoming HTTP
// requests, so that the AWS SDKs' own signers can talk to cognitod unchanged.
//
// It is written by hand: the AWS SDKs only sign, and no maintained library
// verifies SigV4 on the server side. Verification here means re-doing, from
// the request as received, exactly what the SDK signers did before sending,
// and the rules below follow what aws-sdk-go-v2 and aws-sdk-go v1 actually
// produce (the tests sign with both and check the results pass):
//
//   - The canonical URI is the path as it travelled (r.URL.EscapedPath, which
//     for a Go server is the wire form), percent-encoded once more per RFC
//     3986 with '/' kept. This is the "double encoding" AWS asks of every
//     service but S3: the SDKs escape path parameters once to build the URL
//     (a Cognito Sync identity ID "us-east-1:abc" goes out as
//     "us-east-1%3Aabc") and the signer escapes that string again
//     ("us-east-1%253Aabc"). A bare ':' that was sent unescaped is signed as
//     "%3A". The Go SDKs do not normalise the path; AWS itself removes "."
//     and ".." segments and repeated slashes (as botocore does before
//     signing). So the un-normalised form is tried first, and only when it
//     does not match are the normalised form and, for the rare byte Go's
//     EscapedPath re-escapes, the path exactly as on the wire tried too:
//     every kind of client passes, and the common case costs one HMAC.
//   - The canonical query is the query decoded as net/url does (the SDK
//     signers read it through url.URL.Query), each name and value re-encoded
//     per RFC 3986 (space as %20), sorted by encoded name then value;
//     X-Amz-Signature is left out of presigned URLs.
//   - Canonical headers are the signed headers, lower-cased, values trimmed
//     with inner runs of spaces collapsed and repeated headers joined with
//     ','. Go's server moves Host out of the header map into r.Host, so host
//     comes from there; content-length falls back to r.ContentLength.
//   - The payload hash is the hex SHA-256 of the body, unless
//     X-Amz-Content-Sha256 is sent: then its value is what was signed, and a
//     value other than UNSIGNED-PAYLOAD must also match the body. A presigned
//     URL, which cannot carry that header, is also accepted when it was
//     signed over UNSIGNED-PAYLOAD, as S3's presigned URLs are, but only
//     for a request without a body: a URL must not let its holder choose
//     what a write carries.
//   - Requests dated more than 15 minutes away from the server's clock are
//     refused, with AWS's own message; a presigned URL lives for its
//     X-Amz-Expires (at most 7 days) instead of 15 minutes.
//
// Errors carry the AWS error code and, where AWS's wording is known, AWS's
// message, so clients that match on them behave as against AWS.
//
// This runs on every request, so it is written not to allocate on the common
// path: the canonical request and string to sign are built in a pooled
// buffer and hashed with sha256.Sum256, the final HMAC is computed over that
// same buffer, and derived signing keys (four HMACs each) are kept in a small
// lock-free cache keyed by secret, date, region and service, since they
// change only once a day per credential.
package sigv4
