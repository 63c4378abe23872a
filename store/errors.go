package store

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"ecert/model"
)

// translate maps GORM's errors onto the model sentinels, keeping the
// original text for operators.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, model.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %v: %w", what, err, model.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}
