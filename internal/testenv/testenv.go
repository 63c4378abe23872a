// Package testenv holds the rule every test follows when something it
// needs from the machine (a tool, Redis) is missing: skip on a developer's
// machine, fail under CI, where a silently skipped check would be a false
// green. `make test` installs and starts what the tests need.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Unavailable skips the test, or fails it when CI=true.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required when CI=true)")
	}
	t.Skip(msg)
}

// Tool returns the path of a command the test runs, or calls Unavailable.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "%s not installed", name)
	}
	return path
}
