package credentials

// UncheckedModes is what a caller says about path where a permission
// check (an owner, a 0600 or 0700 mode) was skipped because it means
// nothing on this platform; "" where FileModesChecked is true.
func UncheckedModes(path string) string {
	if FileModesChecked {
		return ""
	}
	return "permissions of " + path + " not checked: on this platform ACLs, not file modes, decide who can read it"
}
