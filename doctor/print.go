package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the checklist for a terminal: one line per check
// (status, name, detail), a "fix:" line under each check that did not pass
// and has a Fix, and a closing verdict line.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "%-4s  %-11s  %s\n", c.Status, c.Name, c.Detail)
		if c.Fix != "" && c.Status != Pass {
			fmt.Fprintf(&b, "      %-11s  fix: %s\n", "", c.Fix)
		}
	}
	if r.OK {
		b.WriteString("doctor: no failures\n")
	} else {
		b.WriteString("doctor: failures found; apply the fixes above\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as one indented JSON object (checks and ok;
// a check's Err is not part of it, its Fix is), followed by a newline.
func (r Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("doctor: encode report: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
