package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"none", nil, "(devel) revision unknown"},
		{"devel", &debug.BuildInfo{}, "(devel) revision unknown"},
		{"release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "false"}}}, "v1.2.3 revision 0123abcd"},
		{"modified", &debug.BuildInfo{Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}, "(devel) revision 0123abcd (modified)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FromBuildInfo(tc.bi).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	// A test binary has build information; its main module is this one.
	if in := Read(); in.Version == "" || in.Revision == "" {
		t.Errorf("got %+v, want a version and a revision", in)
	}
}
