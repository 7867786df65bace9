package cliflags

import (
	"strings"

	"github.com/spf13/pflag"
)

// Args renders the flags of fs for which include is true back into
// arguments, in fs.VisitAll order (by name unless fs.SortFlags is false): booleans as --name or --name=false,
// repeated flags once per value, FILE and DIR values (IsPathFlag) and
// file: fingerprint sources made absolute with abs, so that the
// arguments mean the same from any working directory.
func Args(fs *pflag.FlagSet, include func(*pflag.Flag) bool, abs func(string) string) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !include(f) {
			return
		}
		name := "--" + f.Name
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				if f.Name == "fingerprint" {
					if rest, ok := strings.CutPrefix(v, "file:"); ok {
						v = "file:" + abs(rest)
					}
				}
				out = append(out, name, v)
			}
			return
		}
		v := f.Value.String()
		if f.Value.Type() == "bool" {
			if v == "true" {
				out = append(out, name)
			} else {
				out = append(out, name+"=false")
			}
			return
		}
		if IsPathFlag(f) { // a FILE or DIR: made absolute
			v = abs(v)
		}
		out = append(out, name, v)
	})
	return out
}
