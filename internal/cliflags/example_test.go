package cliflags_test

import (
	"os"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cliflags"
)

func ExamplePrintHelp() {
	fs := pflag.NewFlagSet("greet", pflag.ContinueOnError)
	fs.String("name", "world", "greet `NAME`")
	fs.Bool("debug", false, "log details")
	cliflags.SetGroup(fs, cliflags.Other, "debug")
	cliflags.PrintHelp(os.Stdout, "prog", fs, "[flags]\n\nPrint a greeting.")
	// Output:
	// usage: prog greet [flags]
	//
	// Print a greeting.
	//
	// flags:
	//       --name NAME   greet NAME (default "world")
	//
	// other:
	//       --debug   log details
}
