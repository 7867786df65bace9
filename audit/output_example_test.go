package audit_test

import (
	"fmt"
	"os"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// CheckPolicy refuses a setting with an *OptionError that names it; a
// command line restates it with its flag.
func ExampleCheckPolicy() {
	err := audit.CheckPolicy(totp.Policy{Window: 1, Lag: 2 * time.Hour})
	fmt.Println(err)
	fmt.Printf("detect: --%v\n", err)
	// Output:
	// skew 2h0m0s is out of range -1h..1h
	// detect: --skew 2h0m0s is out of range -1h..1h
}

// Output writes a run's results the way detect prints them: here the
// summary table.
func ExampleOutput_Write() {
	rs := []audit.Result{
		{Event: audit.Event{Identity: "web1.example.com", SessionName: "799040", HasSessionName: true}, Verdict: audit.Legit},
		{Event: audit.Event{Identity: "web1.example.com", SessionName: "000000", HasSessionName: true}, Verdict: audit.Mismatch},
	}
	out := audit.Output{Summary: true}
	out.Write(os.Stdout, rs, audit.Stats{Files: 1, Records: 40})
	fmt.Println("legit:", out.Legit(rs))
	// Output:
	// files 1  records 40  sessions 2
	//
	// legit             1
	// mismatch          1
	// no-session-name   0
	// unknown-identity  0
	// malformed         0
	// replay            0
	//
	// identity legit mismatch no-session-name unknown-identity malformed replay
	// web1.example.com 1 1 0 0 0 0
	// legit: false
}
