package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"ecert/model"
)

func cmdRender(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("render", stderr)
	out := fs.String("o", "", "output PDF file (required)")
	rest, err := parseArgs(fs, args, 1, "one CERTNO")
	if err == nil && *out == "" {
		err = fmt.Errorf("ecert render: -o FILE is required")
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	certNo := model.NormalizeCertNo(rest[0])
	if err := model.ValidateCertNo(certNo); err != nil {
		fmt.Fprintf(stderr, "ecert render: %s: %v\n", rest[0], err)
		return 1
	}
	a, err := openApp(fs, *configPath, stderr, needs{renderer: true})
	if err != nil {
		fmt.Fprintln(stderr, "ecert render:", err)
		return 1
	}
	defer a.close()
	cert, err := a.registry.FindByNo(context.Background(), certNo)
	if err != nil {
		fmt.Fprintf(stderr, "ecert render: no certificate %s (%v)\n", certNo, err)
		return 1
	}
	doc, err := a.docs.PDF(cert)
	if err != nil {
		fmt.Fprintln(stderr, "ecert render:", err)
		return 1
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintln(stderr, "ecert render:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%s, version %d, %d bytes)\n", *out, cert.CertNo, cert.Version, len(doc))
	return 0
}
