package trustpolicy

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/acme-signing-helper/acme-signing-helper/internal/certsubject"
)

// PrincipalTagPrefix starts the condition key of a principal tag.
const PrincipalTagPrefix = "aws:PrincipalTag/"

// The RDN attributes Roles Anywhere maps to tags, and their OIDs.
var tagRDNs = []struct {
	name string
	oid  asn1.ObjectIdentifier
}{
	{"C", asn1.ObjectIdentifier{2, 5, 4, 6}},
	{"O", asn1.ObjectIdentifier{2, 5, 4, 10}},
	{"OU", asn1.ObjectIdentifier{2, 5, 4, 11}},
	{"ST", asn1.ObjectIdentifier{2, 5, 4, 8}},
	{"L", asn1.ObjectIdentifier{2, 5, 4, 7}},
	{"CN", asn1.ObjectIdentifier{2, 5, 4, 3}},
}

// MaxTagValueLength is the longest session tag value STS accepts; longer
// certificate values are dropped like values failing the pattern.
const MaxTagValueLength = 256

var tagValueRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) })

// TagValueOK reports whether v passes the STS tag value pattern
// [\p{L}\p{Z}\p{N}_.:/=+\-@]*. Values that fail it are dropped from the
// session's tags, so a condition on them can never match (Let's Encrypt's
// O=Let's Encrypt fails because of the apostrophe).
func TagValueOK(v string) bool { return tagValueRE().MatchString(v) }

// TagsFromCertificate returns the principal tags IAM Roles Anywhere sets
// for a session made with cert, keyed by tag name without the
// "aws:PrincipalTag/" prefix: x509Subject/<RDN> and x509Issuer/<RDN> for
// C, O, OU, ST, L and CN, x509SAN/DNS, x509SAN/URI and x509SAN/Name/<RDN>
// (directoryName SANs), each from the first value of its kind. Values that
// fail the STS tag pattern or are longer than MaxTagValueLength are
// dropped, as the service does.
func TagsFromCertificate(cert *x509.Certificate) map[string]string {
	tags := map[string]string{}
	if cert == nil {
		return tags
	}
	put := func(k, v string) {
		if v == "" || utf8.RuneCountInString(v) > MaxTagValueLength || !TagValueOK(v) {
			return
		}
		if _, done := tags[k]; !done {
			tags[k] = v
		}
	}
	addName := func(prefix string, names []pkix.AttributeTypeAndValue) {
		for _, r := range tagRDNs {
			for _, a := range names {
				if a.Type.Equal(r.oid) {
					if s, ok := a.Value.(string); ok {
						put(prefix+r.name, s)
					}
					break
				}
			}
		}
	}
	addName("x509Subject/", cert.Subject.Names)
	addName("x509Issuer/", cert.Issuer.Names)
	if len(cert.DNSNames) > 0 {
		put("x509SAN/DNS", cert.DNSNames[0])
	}
	if len(cert.URIs) > 0 {
		put("x509SAN/URI", cert.URIs[0].String())
	}
	if dn := firstDirectoryName(cert); dn != nil {
		var n pkix.Name
		n.FillFromRDNSequence(dn)
		addName("x509SAN/Name/", n.Names)
	}
	return tags
}

// SourceIdentity is the source identity Roles Anywhere sets for cert:
// "CN=<cn>" when the subject CN is at most 61 characters, else
// "ID=<serial in hex>".
func SourceIdentity(cert *x509.Certificate) string {
	if cn := cert.Subject.CommonName; cn != "" && len(cn) <= 61 {
		return "CN=" + cn
	}
	return "ID=" + hex.EncodeToString(cert.SerialNumber.Bytes())
}

// CertificateContext is the request context of a CreateSession made with
// cert: every principal tag under its aws:PrincipalTag/ key.
func CertificateContext(cert *x509.Certificate) map[string][]string {
	ctx := map[string][]string{}
	for k, v := range TagsFromCertificate(cert) {
		ctx[PrincipalTagPrefix+k] = []string{v}
	}
	return ctx
}

var oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}

// firstDirectoryName returns the first directoryName ([4]) of the subject
// alternative name extension, which crypto/x509 does not expose.
func firstDirectoryName(cert *x509.Certificate) *pkix.RDNSequence {
	for _, e := range cert.Extensions {
		if !e.Id.Equal(oidSAN) {
			continue
		}
		var seq asn1.RawValue
		if rest, err := asn1.Unmarshal(e.Value, &seq); err != nil || len(rest) != 0 || !seq.IsCompound || seq.Tag != asn1.TagSequence {
			return nil
		}
		rest := seq.Bytes
		for len(rest) > 0 {
			var gn asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
				return nil
			}
			if gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 {
				var rdn pkix.RDNSequence
				if r, err := asn1.Unmarshal(gn.Bytes, &rdn); err != nil || len(r) != 0 {
					return nil
				}
				return &rdn
			}
		}
	}
	return nil
}

// tagKeyOf returns the tag name of a principal-tag condition key, or "".
func tagKeyOf(key string) string {
	if len(key) > len(PrincipalTagPrefix) && strings.EqualFold(key[:len(PrincipalTagPrefix)], PrincipalTagPrefix) {
		return key[len(PrincipalTagPrefix):]
	}
	return ""
}

// EmptySubject reports whether cert has an empty subject (no RDN at all),
// as Let's Encrypt's tlsserver and shortlived profiles issue them: IAM
// Roles Anywhere then has no x509Subject/CN to tag or match.
func EmptySubject(cert *x509.Certificate) bool { return certsubject.Empty(cert) }
