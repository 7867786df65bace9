package lambdadetect

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// The rules of DeployOptions.Check.
var (
	// ErrNothingToDeploy is a DeployOptions asking neither for the
	// template nor for the package.
	ErrNothingToDeploy = errors.New("nothing to do")
	// ErrTemplateAndPackage is a DeployOptions asking for the template
	// and the package at once.
	ErrTemplateAndPackage = errors.New("the template and the package are made one at a time")
	// ErrBootstrapWithoutPackage is a bootstrap binary without a package
	// to put it in.
	ErrBootstrapWithoutPackage = errors.New("a bootstrap binary without a package to write")
)

// TemplateFormatError is a template format other than "cloudformation".
type TemplateFormatError struct{ Format string }

func (e *TemplateFormatError) Error() string {
	return fmt.Sprintf("format %q is not cloudformation", e.Format)
}

// DeployOptions ask for one of the two things deployment needs: the
// stack's template (Format "cloudformation") or the deployment package
// written to Zip, whose bootstrap is the binary at Bootstrap (empty: the
// running program).
type DeployOptions struct {
	Format    string
	Zip       string
	Bootstrap string
}

// Check returns ErrNothingToDeploy, ErrTemplateAndPackage, a
// *TemplateFormatError or ErrBootstrapWithoutPackage, the first rule o
// breaks in that order.
func (o DeployOptions) Check() error {
	switch {
	case o.Format == "" && o.Zip == "":
		return ErrNothingToDeploy
	case o.Format != "" && o.Zip != "":
		return ErrTemplateAndPackage
	case o.Format != "" && o.Format != "cloudformation":
		return &TemplateFormatError{Format: o.Format}
	case o.Bootstrap != "" && o.Zip == "":
		return ErrBootstrapWithoutPackage
	}
	return nil
}

// Deploy does what o (checked) asks: it writes the template to w, or the
// package to Zip (WritePackage). It returns the bootstrap packaged and
// the package's size ("" and 0 for the template).
func (o DeployOptions) Deploy(w io.Writer) (bootstrap string, size int, err error) {
	if o.Format != "" {
		b, err := Template()
		if err != nil {
			return "", 0, err
		}
		_, err = w.Write(b)
		return "", 0, err
	}
	bootstrap = o.Bootstrap
	if bootstrap == "" {
		if bootstrap, err = os.Executable(); err != nil {
			return "", 0, fmt.Errorf("find the running program: %w", err)
		}
	}
	size, err = WritePackage(o.Zip, bootstrap)
	return bootstrap, size, err
}
