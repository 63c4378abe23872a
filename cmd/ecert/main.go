// Command ecert is the Henan construction-industry electronic training
// certificate service: the HTTP server and the operators' commands.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: ecert COMMAND [flags] [args]

commands:
  serve                                   run the HTTP server
  migrate                                 create or upgrade the database schema
  import FILE [--json]                    issue certificates from a roster (.xlsx or .csv)
  render -o FILE CERTNO                   write a certificate's current PDF
  revoke --reason CODE [--note TEXT] CERTNO
                                          revoke (注销); CODE: fraud, accident, misconduct, request
  wechat menu sync                        push the configured menu to the 公众号
  wechat notify --template KEY [--cert CERTNO | --org ORG | --all-bound] [--dry-run]
                                          send a template message to bound holders

every command takes -config PATH (default config.yaml)
`

// Exit codes: 0 done, 1 failed (or a roster had rejected rows), 2 usage.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(rest, stdout, stderr)
	case "import":
		return cmdImport(rest, stdout, stderr)
	case "render":
		return cmdRender(rest, stdout, stderr)
	case "revoke":
		return cmdRevoke(rest, stdout, stderr)
	case "wechat":
		return cmdWeChat(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "ecert: unknown command %q\n\n%s", cmd, usage)
	return 2
}
