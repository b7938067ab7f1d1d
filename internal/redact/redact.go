// Package redact shows URLs, and the errors that quote them, in logs and
// messages without the secrets they may carry: a password in the user
// information, API keys and tokens in the query.
package redact

import (
	"errors"
	"net/url"
)

// URL returns u without its user information's password, its query and
// its fragment.
func URL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	return c.String()
}

// Err returns what an *url.Error wraps (the *url.Error's own text quotes
// the whole URL, secrets included), or err itself.
func Err(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
