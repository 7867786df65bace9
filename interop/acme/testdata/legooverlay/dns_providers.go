// This file replaces lego's generated providers/dns/zz_gen_dns_providers.go
// (through go build -overlay) so the lego CLI is built with only the DNS
// providers the interop test uses. Every other file of the CLI is lego's own.

package dns

import (
	"fmt"

	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/providers/dns/exec"
)

// NewDNSChallengeProviderByName Factory for DNS providers.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	switch name {
	case "manual":
		return dns01.NewDNSProviderManual()
	case "exec":
		return exec.NewDNSProvider()
	default:
		return nil, fmt.Errorf("unrecognized DNS provider: %s (the interop build of lego only has exec and manual)", name)
	}
}
