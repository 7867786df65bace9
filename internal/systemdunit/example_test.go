package systemdunit_test

import (
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
)

func Example() {
	files, err := systemdunit.Files(systemdunit.Options{
		Mode: "update", Domain: "host.example.com", Email: "ops@example.com",
		DNS: "route53", DNSEnvDir: "/etc/iam_aws_dns",
		LegoPath: "/etc/lego", LegoBinary: "/usr/local/bin/lego", LegoUser: "lego", CertGroup: "acme-cert",
		Binary: "/usr/local/bin/acme-signing-helper", ConfigFile: "/etc/acme-signing-helper/acme-signing-helper.env",
		OnCalendar: "weekly", RandomizedDelaySec: 420, AppUser: "web", Profile: "default",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.Name)
	}
	for _, line := range strings.Split(string(files[3].Content), "\n") {
		if strings.HasPrefix(line, "ExecStart=") {
			fmt.Println(line)
		}
	}
	// Output:
	// lego-new-cert.service
	// lego-renew-cert.service
	// lego-renew-cert.timer
	// acme-signing-helper-update.service
	// acme-signing-helper.env
	// ExecStart=/usr/local/bin/acme-signing-helper update --profile default
}

func ExampleOptionError() {
	_, err := systemdunit.Files(systemdunit.Options{Mode: "serve", Domain: "host.example.com", Email: "ops@example.com; rm -rf /"})
	fmt.Println(err)
	// Output:
	// email "ops@example.com; rm -rf /" is not an e-mail address
}
