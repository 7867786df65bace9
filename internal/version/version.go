// Package version tells which build of the program is running: the module
// version and the VCS revision Go stamped into the binary (runtime/debug's
// build information), for the version command and bug reports.
//
// Security considerations: the build information holds the module path,
// version and VCS settings of the build, no secrets; String prints only the
// version, the revision and whether the tree was modified.
package version

import "runtime/debug"

// Info is the version of a build.
type Info struct {
	Version  string // the module version, "(devel)" for a build from a work tree
	Revision string // the VCS revision, "unknown" when not stamped
	Modified bool   // the work tree had uncommitted changes
}

// Read is the Info of the running binary.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo is the Info of bi (nil: nothing known).
func FromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Version: "(devel)", Revision: "unknown"}
	if bi == nil {
		return in
	}
	if bi.Main.Version != "" {
		in.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String is "VERSION revision REVISION", with " (modified)" for a modified
// work tree.
func (in Info) String() string {
	s := in.Version + " revision " + in.Revision
	if in.Modified {
		s += " (modified)"
	}
	return s
}
