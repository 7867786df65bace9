package credentials

import (
	"regexp"
	"sync"
)

var profileNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.@+-]+$`) })

// ValidProfileName reports whether name can be a profile of the shared
// credentials and config files as SharedFile and ConfigProfile write
// them: letters, digits and _.@+-, nothing that would end or nest a
// [section] header.
func ValidProfileName(name string) bool { return profileNameRE().MatchString(name) }
