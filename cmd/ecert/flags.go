package main

import (
	"flag"
	"fmt"
	"io"
)

// newFlags makes a command's flag set with the -config flag every command
// shares.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("ecert "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "config.yaml", "configuration file")
	return fs, config
}

// parseInterleaved lets flags stand before or after the arguments
// (ecert revoke HN… --reason fraud), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseArgs parses flags anywhere among the arguments and checks that
// exactly n positional arguments remain (what describes them for the error).
func parseArgs(fs *flag.FlagSet, args []string, n int, what string) ([]string, error) {
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) != n {
		return nil, fmt.Errorf("%s: want %s, got %d argument(s)", fs.Name(), what, len(rest))
	}
	return rest, nil
}

// configExplicit reports whether -config was given, so a missing file the
// operator named is an error while the default may be absent.
func configExplicit(fs *flag.FlagSet) bool {
	explicit := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			explicit = true
		}
	})
	return explicit
}
