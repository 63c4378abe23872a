package store

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// serial is the per-year counter behind 证书编号. Allocation takes the row's
// write lock for the rest of the issuing transaction, so numbers are unique
// and in order of issue across processes.
type serial struct {
	Year       int `gorm:"primaryKey;autoIncrement:false"`
	LastSerial int `gorm:"not null"`
}

func (serial) TableName() string { return "cert_serials" }

// allocateSerials reserves n consecutive serials in year and returns the first.
func allocateSerials(tx *gorm.DB, year, n int) (int, error) {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&serial{Year: year}).Error; err != nil {
		return 0, fmt.Errorf("create serial counter %d: %w", year, err)
	}
	res := tx.Model(&serial{}).Where("year = ?", year).Update("last_serial", gorm.Expr("last_serial + ?", n))
	if res.Error != nil {
		return 0, fmt.Errorf("advance serial counter %d: %w", year, res.Error)
	}
	var s serial
	if err := tx.Where("year = ?", year).Take(&s).Error; err != nil {
		return 0, fmt.Errorf("read serial counter %d: %w", year, err)
	}
	return s.LastSerial - n + 1, nil
}
