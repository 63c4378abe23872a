package main

import (
	"context"
	"fmt"
	"io"

	"ecert/model"
)

func cmdRevoke(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("revoke", stderr)
	reasonFlag := fs.String("reason", "", "fraud | accident | misconduct | request (required)")
	note := fs.String("note", "", "free-text note recorded with the event")
	operator := fs.String("operator", operatorName(), "who is revoking, for the event history")
	rest, err := parseArgs(fs, args, 1, "one CERTNO")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	reason, err := model.ParseRevokeReason(*reasonFlag)
	if err != nil {
		fmt.Fprintln(stderr, "ecert revoke: --reason:", err)
		return 2
	}
	certNo := model.NormalizeCertNo(rest[0])
	if err := model.ValidateCertNo(certNo); err != nil {
		fmt.Fprintf(stderr, "ecert revoke: %s: %v\n", rest[0], err)
		return 1
	}
	a, err := openApp(fs, *configPath, stderr, needs{})
	if err != nil {
		fmt.Fprintln(stderr, "ecert revoke:", err)
		return 1
	}
	defer a.close()
	cert, err := a.registry.Revoke(context.Background(), certNo, reason, *note, *operator)
	if err != nil {
		fmt.Fprintln(stderr, "ecert revoke:", err)
		return 1
	}
	fmt.Fprintf(stdout, "revoked %s (%s): %s, version %d\n", cert.CertNo, cert.Name, reason.Label(), cert.Version)
	return 0
}
