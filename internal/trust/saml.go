package trust

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// SAML namespaces.
const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
	statusOK    = "urn:oasis:names:tc:SAML:2.0:status:Success"
	cmBearer    = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// verifySAML checks a SAML login: the Logins value is the base64 SAML
// Response (as AWS takes it; a bare Assertion is accepted too). The Response
// or its one Assertion must carry an enveloped XML signature by the
// configured IdP certificate; only the signed XML is read afterwards, so
// nothing outside the signature (a wrapped second assertion) counts. Then
// the issuer (when configured), the audience restriction and the validity
// windows are checked; the subject is the NameID.
func (r *Registry) verifySAML(l *Login, p *Provider, now time.Time) (*Result, error) {
	if p == nil || len(p.certs) == 0 {
		return nil, notConfigured(l.Name, fmt.Sprintf(`set providers[%q].certificate or .certificateFile (the IdP's signing certificate, PEM)`, l.Name))
	}
	raw := strings.TrimSpace(l.Token)
	var xml []byte
	if strings.HasPrefix(raw, "<") {
		xml = []byte(raw)
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(raw), ""))
		if err != nil {
			return nil, invalid("Not a base64-encoded SAML response.")
		}
		xml = b
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil || doc.Root() == nil {
		return nil, invalid("Not a SAML response.")
	}
	root := doc.Root()
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: p.certs})
	vctx.Clock = dsig.NewFakeClockAt(now)

	if n := len(root.FindElements("//EncryptedAssertion")); n > 0 {
		return nil, invalid("Encrypted SAML assertions are not supported.")
	}
	var assertion *etree.Element
	switch {
	case isEl(root, nsProtocol, "Response"):
		if st := child(child(root, nsProtocol, "Status"), nsProtocol, "StatusCode"); st != nil && st.SelectAttrValue("Value", "") != statusOK {
			return nil, invalid("The SAML response does not report success.")
		}
		// Exactly one assertion, directly under the Response: anything
		// else is how signature-wrapping attacks begin.
		if len(allNS(root, nsAssertion, "Assertion")) != 1 || len(children(root, nsAssertion, "Assertion")) != 1 {
			return nil, invalid("A SAML response must hold exactly one assertion.")
		}
		if child(root, nsDSig, "Signature") != nil {
			signed, err := vctx.Validate(root)
			if err != nil {
				return nil, refused(MsgBadSignature)
			}
			as := children(signed, nsAssertion, "Assertion")
			if len(as) != 1 {
				return nil, invalid("A SAML response must hold exactly one assertion.")
			}
			assertion = as[0]
		} else {
			signed, err := vctx.Validate(children(root, nsAssertion, "Assertion")[0])
			if err != nil {
				return nil, refused(MsgBadSignature)
			}
			assertion = signed
		}
	case isEl(root, nsAssertion, "Assertion"):
		signed, err := vctx.Validate(root)
		if err != nil {
			return nil, refused(MsgBadSignature)
		}
		assertion = signed
	default:
		return nil, invalid("Not a SAML response.")
	}
	return checkAssertion(assertion, l, p, now, r.cfg.skew())
}

// checkAssertion checks a signed assertion's claims.
func checkAssertion(a *etree.Element, l *Login, p *Provider, now time.Time, skew time.Duration) (*Result, error) {
	issuer := strings.TrimSpace(textOf(child(a, nsAssertion, "Issuer")))
	if p.Issuer != "" && issuer != p.Issuer {
		return nil, refused(MsgIssuerMismatch)
	}
	window := false
	cond := child(a, nsAssertion, "Conditions")
	if cond != nil {
		if err := checkWindow(cond, now, skew); err != nil {
			return nil, err
		}
		window = cond.SelectAttr("NotOnOrAfter") != nil
	}
	audience := p.Audience
	if audience == "" {
		audience = DefaultSAMLAudience
	}
	restrictions := children(cond, nsAssertion, "AudienceRestriction")
	if len(restrictions) == 0 {
		return nil, invalid("Missing a required claim: Audience")
	}
	for _, ar := range restrictions {
		ok := false
		for _, au := range children(ar, nsAssertion, "Audience") {
			if strings.TrimSpace(au.Text()) == audience {
				ok = true
			}
		}
		if !ok {
			return nil, refused(MsgWrongAudience)
		}
	}
	subj := child(a, nsAssertion, "Subject")
	nameID := strings.TrimSpace(textOf(child(subj, nsAssertion, "NameID")))
	if nameID == "" {
		return nil, invalid("Missing a required claim: NameID")
	}
	// Bearer confirmations: at least one must hold when any is given.
	var confErr *Error
	confirmed, bearers := false, 0
	for _, sc := range children(subj, nsAssertion, "SubjectConfirmation") {
		if sc.SelectAttrValue("Method", "") != cmBearer {
			continue
		}
		bearers++
		d := child(sc, nsAssertion, "SubjectConfirmationData")
		if d == nil {
			continue
		}
		if err := checkWindow(d, now, skew); err != nil {
			confErr = err
			continue
		}
		if p.Recipient != "" && d.SelectAttrValue("Recipient", "") != p.Recipient {
			confErr = invalid("The SAML assertion is for another recipient.")
			continue
		}
		if d.SelectAttr("NotOnOrAfter") != nil {
			window = true
		}
		confirmed = true
	}
	if bearers > 0 && !confirmed {
		if confErr == nil {
			confErr = invalid("The SAML assertion has no valid bearer confirmation.")
		}
		return nil, confErr
	}
	if !window {
		return nil, invalid("Missing a required claim: NotOnOrAfter")
	}
	claims := map[string]any{"sub": nameID, "iss": issuer}
	for _, st := range children(a, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			if name == "" {
				continue
			}
			var vals []any
			for _, v := range children(at, nsAssertion, "AttributeValue") {
				vals = append(vals, strings.TrimSpace(v.Text()))
			}
			if len(vals) == 1 {
				claims[name] = vals[0]
			} else {
				claims[name] = vals
			}
		}
	}
	return &Result{Subject: nameID, Claims: claims}, nil
}

// checkWindow checks NotBefore / NotOnOrAfter attributes of el.
func checkWindow(el *etree.Element, now time.Time, skew time.Duration) *Error {
	if v := el.SelectAttrValue("NotBefore", ""); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalid("Malformed NotBefore.")
		}
		if now.Add(skew).Before(t) {
			return invalid(fmt.Sprintf("Token is not valid yet: %d < %d", now.Unix(), t.Unix()))
		}
	}
	if v := el.SelectAttrValue("NotOnOrAfter", ""); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalid("Malformed NotOnOrAfter.")
		}
		if !now.Before(t.Add(skew)) {
			return invalid(fmt.Sprintf("Token expired: %d >= %d", now.Unix(), t.Unix()))
		}
	}
	return nil
}

func isEl(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

func child(el *etree.Element, ns, tag string) *etree.Element {
	if c := children(el, ns, tag); len(c) > 0 {
		return c[0]
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if isEl(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// allNS finds every element named tag in namespace ns under el, at any depth.
func allNS(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.FindElements("//" + tag) {
		if c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func textOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}
