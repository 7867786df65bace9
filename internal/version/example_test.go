package version_test

import (
	"fmt"
	"runtime/debug"

	"github.com/acme-signing-helper/acme-signing-helper/internal/version"
)

func ExampleFromBuildInfo() {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "8b16346"},
		{Key: "vcs.modified", Value: "true"},
	}}
	fmt.Println("acme-signing-helper", version.FromBuildInfo(bi))
	// Output: acme-signing-helper v0.4.0 revision 8b16346 (modified)
}
