// Command cloudtrailgen writes a generated CloudTrail corpus for the detect
// benchmarks (bench/detect.sh, bench/permissions.sh) and times commands:
//
//	cloudtrailgen gen [--seed N] [--files N] [--records N] [--ra-fraction F] [--calls-fraction F] DIR
//	cloudtrailgen activity [--seed N] DIR    (later calls of two roles' sessions: permissions generate)
//	cloudtrailgen time OUT COMMAND [ARG...]
//
// time runs COMMAND (stdin, stdout and stderr passed through) and writes
// "wall-seconds user-seconds system-seconds peak-RSS-KB" to OUT, like GNU
// time -f '%e %U %S %M', so the benchmark needs no extra package; it exits
// with the command's status.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cloudtrailgen gen|activity|time ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "activity":
		err = activity(os.Args[2:])
	case "time":
		os.Exit(timeCommand(os.Args[2:]))
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudtrailgen:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "random seed")
	files := fs.Int("files", 10, "number of files")
	records := fs.Int("records", 1000, "records per file")
	ra := fs.Float64("ra-fraction", 0.01, "fraction of Roles Anywhere records")
	bad := fs.Float64("bad-fraction", 0.1, "fraction of Roles Anywhere sessions that are not legit")
	assume := fs.Bool("assume-role", false, "also write the STS AssumeRole of each session")
	calls := fs.Float64("calls-fraction", 0, "fraction of records that are later calls (S3 GetObject) of legit sessions")
	jobs := fs.Int("jobs", runtime.GOMAXPROCS(0), "files written in parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("gen: want one DIR")
	}
	c, err := cloudtrailgen.Generate(fs.Arg(0), cloudtrailgen.Config{Seed: *seed, Files: *files, RecordsPerFile: *records, RolesAnywhereFraction: *ra, BadFraction: *bad, AssumeRole: *assume, CallsFraction: *calls, Jobs: *jobs})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"files": len(c.Files), "records": c.Records, "bytes": c.Bytes, "gzip_bytes": c.GzipBytes, "calls": c.Calls, "expected": c.Expected,
	})
}

// activity writes cloudtrailgen.GenerateActivity's corpus and prints its
// sessions (identity -> session name) as JSON.
func activity(args []string) error {
	fs := flag.NewFlagSet("activity", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("activity: want one DIR")
	}
	c, err := cloudtrailgen.GenerateActivity(fs.Arg(0), cloudtrailgen.Config{Seed: *seed})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"files": c.Files, "records": c.Records, "sessions": c.Sessions})
}

func timeCommand(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cloudtrailgen time OUT COMMAND [ARG...]")
		return 2
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "cloudtrailgen time:", err)
		return 127
	}
	maxRSS, ok := peakRSSKB(cmd.ProcessState)
	if !ok {
		fmt.Fprintln(os.Stderr, "cloudtrailgen time: peak RSS is not measured on this platform; writing 0")
	}
	line := fmt.Sprintf("%.2f %.2f %.2f %d\n", wall.Seconds(), cmd.ProcessState.UserTime().Seconds(), cmd.ProcessState.SystemTime().Seconds(), maxRSS)
	if werr := os.WriteFile(args[0], []byte(line), 0o644); werr != nil {
		fmt.Fprintln(os.Stderr, "cloudtrailgen time:", werr)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}
