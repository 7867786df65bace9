package hints

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// signerErrors are an example of each exported error of package signer,
// by name. TestSignerHints checks that the list is complete.
var signerErrors = map[string]error{
	"ErrNoCertificate":             signer.ErrNoCertificate,
	"ErrNoPrivateKey":              signer.ErrNoPrivateKey,
	"ErrKeyPasswordRequired":       signer.ErrKeyPasswordRequired,
	"ErrKeyPassword":               signer.ErrKeyPassword,
	"ErrUnsupportedEncryption":     signer.ErrUnsupportedEncryption,
	"ErrUnsupportedKey":            signer.ErrUnsupportedKey,
	"ErrKeyMismatch":               signer.ErrKeyMismatch,
	"ErrExpired":                   signer.ErrExpired,
	"ErrNotYetValid":               signer.ErrNotYetValid,
	"ErrLeafIsCA":                  signer.ErrLeafIsCA,
	"ErrNoDigitalSignature":        signer.ErrNoDigitalSignature,
	"ErrWeakSignature":             signer.ErrWeakSignature,
	"ErrChainTooLong":              signer.ErrChainTooLong,
	"ErrUnsupportedDigest":         signer.ErrUnsupportedDigest,
	"ErrLayoutNotFound":            signer.ErrLayoutNotFound,
	"ErrFileTooLarge":              signer.ErrFileTooLarge,
	"ErrSourceConflict":            signer.ErrSourceConflict,
	"ErrAcmeDirOrDomain":           signer.ErrAcmeDirOrDomain,
	"ErrNoCertificatePath":         signer.ErrNoCertificatePath,
	"ErrNoPrivateKeyPath":          signer.ErrNoPrivateKeyPath,
	"ErrUnsupportedFormat":         signer.ErrUnsupportedFormat,
	"PKCS11Error":                  &signer.PKCS11Error{Field: "PrivateKey"},
	"ErrRequired":                  signer.ErrRequired,
	"ErrSessionNameConflict":       signer.ErrSessionNameConflict,
	"FieldError":                   &signer.FieldError{Field: "RoleARN", Err: signer.ErrRequired},
	"ErrInvalidARN":                signer.ErrInvalidARN,
	"ErrRegionMismatch":            signer.ErrRegionMismatch,
	"ErrSigningRegion":             signer.ErrSigningRegion,
	"ErrDuration":                  signer.ErrDuration,
	"ErrNoRegion":                  signer.ErrNoRegion,
	"ErrSessionName":               signer.ErrSessionName,
	"ErrUntrustedCertificate":      signer.ErrUntrustedCertificate,
	"ErrRoleSessionNameNotAllowed": signer.ErrRoleSessionNameNotAllowed,
	"ErrSessionNameDenied":         signer.ErrSessionNameDenied,
	"ErrClockSkew":                 signer.ErrClockSkew,
	"ErrAccessDenied":              signer.ErrAccessDenied,
	"ErrValidation":                signer.ErrValidation,
	"ErrResourceNotFound":          signer.ErrResourceNotFound,
	"ErrThrottled":                 signer.ErrThrottled,
	"ErrServer":                    signer.ErrServer,
	"ErrBadResponse":               signer.ErrBadResponse,
	"ErrTimeout":                   signer.ErrTimeout,
	"ErrConnect":                   signer.ErrConnect,
	"ErrAPI":                       signer.ErrAPI,

	"FileError":                &signer.FileError{What: "certificate", Path: "c.pem", Err: &fs.PathError{Op: "open", Path: "c.pem", Err: fs.ErrNotExist}},
	"CertificateError":         &signer.CertificateError{Path: "c.pem"},
	"LayoutError":              &signer.LayoutError{Dir: "/etc/lego", Domain: "h.example.com"},
	"DomainError":              &signer.DomainError{Domain: "../x"},
	"CABundleError":            &signer.CABundleError{Path: "ca.pem"},
	"APIError":                 &signer.APIError{Kind: signer.ErrAPI, StatusCode: 418},
	"EmptySubjectRefusedError": &signer.EmptySubjectRefusedError{Path: "c.pem", Err: &signer.APIError{Kind: signer.ErrAccessDenied, StatusCode: 403}},
	"AnswerTooLargeError":      &signer.AnswerTooLargeError{Limit: signer.MaxAnswerBytes},
}

// exportedSignerErrors lists, from signer's source, the exported Err*
// variables and the exported types with an Error method.
func exportedSignerErrors(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "signer")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
							out = append(out, n.Name)
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || d.Name.Name != "Error" || len(d.Recv.List) != 1 {
					continue
				}
				typ := d.Recv.List[0].Type
				if st, ok := typ.(*ast.StarExpr); ok {
					typ = st.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.IsExported() {
					out = append(out, id.Name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestSignerHints: every exported error of signer gets a hint, so a new
// sentinel or type without one fails here.
func TestSignerHints(t *testing.T) {
	names := exportedSignerErrors(t)
	if len(names) < 30 {
		t.Fatalf("found only %v in signer's source", names)
	}
	for _, name := range names {
		err, ok := signerErrors[name]
		if !ok {
			t.Errorf("signer.%s: add an example to signerErrors and its hint to signerHint", name)
			continue
		}
		if h := For(err); h == "" {
			t.Errorf("signer.%s (%v) has no hint", name, err)
		}
		// Wrapped, as signer returns most of them.
		if h := For(errors.Join(errors.New("context"), err)); h == "" {
			t.Errorf("wrapped signer.%s has no hint", name)
		}
	}
	for name := range signerErrors {
		if !slices.Contains(names, name) {
			t.Errorf("signerErrors lists %s, which signer does not export", name)
		}
	}
}

// TestSignerHintFacts: hints that depend on the error's facts.
func TestSignerHintFacts(t *testing.T) {
	skew := &signer.APIError{Kind: signer.ErrClockSkew, StatusCode: 403, Skew: -7 * time.Minute}
	if h := For(skew); !strings.HasPrefix(h, "the local clock is 7m0s ahead of the server's: synchronise") {
		t.Errorf("clock skew hint %q", h)
	}
	if h := For(&signer.APIError{Kind: signer.ErrUntrustedCertificate}); h != signerHint(signer.ErrUntrustedCertificate) {
		t.Errorf("API error hint %q is not its kind's", h)
	}
	perm := &signer.FileError{What: "private key", Path: "k.pem", Err: &fs.PathError{Op: "open", Path: "k.pem", Err: fs.ErrPermission}}
	if h := For(perm); !strings.Contains(h, "owns the private key file") {
		t.Errorf("permission hint %q", h)
	}
	if h := For(&signer.FileError{What: "certificate", Path: "c.pem", Err: signer.ErrFileTooLarge}); !strings.Contains(h, "not an archive") {
		t.Errorf("too large hint %q", h)
	}
}
