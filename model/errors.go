// Package model is the domain of ecert: certificates, their holders' identity
// rules, the event history, and the sentinel errors every layer maps onto.
package model

import "errors"

// Sentinel errors. Lower layers wrap them with %w and context; the HTTP layer
// maps them onto status codes with errors.Is, so a caller never parses text.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)

// FieldError is a validation failure a person can act on. Message is written
// for the person who typed the value (Chinese), and Unwrap reports ErrInvalid
// so callers can classify it without string matching.
type FieldError struct {
	Field   string // the roster column / form field, e.g. "身份证号"
	Message string // e.g. "身份证号校验位错误"
}

func (e *FieldError) Error() string { return e.Message }
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, msg string) *FieldError { return &FieldError{Field: field, Message: msg} }
