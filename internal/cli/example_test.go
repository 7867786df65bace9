package cli_test

import (
	"fmt"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/internal/cli"
)

func ExampleDispatch() {
	cmds := []cli.Entry{{Name: "greet", Summary: "print a greeting"}}
	greet := func(args []string) error {
		if len(args) > 0 {
			return &cli.UsageError{Err: fmt.Errorf("greet: unexpected argument %q", args[0]), Fix: "greet takes no arguments"}
		}
		fmt.Println("hello")
		return nil
	}
	for _, args := range [][]string{{"greet"}, {"greet", "x"}, {"gret"}} {
		i, rest, err := cli.Dispatch(os.Stdout, os.Stdout, "prog", "PROG_", cmds, args)
		if i >= 0 {
			err = greet(rest)
		}
		fmt.Println("exit", cli.Report(os.Stdout, "prog", err))
	}
	// Output:
	// hello
	// exit 0
	// prog: greet: unexpected argument "x"
	// hint: greet takes no arguments
	// exit 2
	// prog: unknown command "gret"
	// hint: did you mean 'greet'? run 'prog help' for the list of commands
	// exit 2
}
