package main

import (
	"fmt"
	"io"
)

// cmdMigrate creates or upgrades the schema; every command also does so at
// start, so this exists for deployments that migrate as a separate step.
func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("migrate", stderr)
	_, err := parseArgs(fs, args, 0, "no arguments")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	a, err := openApp(fs, *configPath, stderr, needs{})
	if err != nil {
		fmt.Fprintln(stderr, "ecert migrate:", err)
		return 1
	}
	defer a.close()
	fmt.Fprintln(stdout, "schema is up to date")
	return 0
}
