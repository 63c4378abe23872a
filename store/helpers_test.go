package store_test

import (
	"fmt"
	"testing"
	"time"

	"ecert/model"
	"ecert/store"
	"ecert/store/storetest"
)

var day = time.Date(2026, 3, 1, 0, 0, 0, 0, model.ChinaZone)

// person makes the i-th distinct valid request.
func person(i int) model.IssueRequest {
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%15000)
	male := i%2 == 0
	sex := "女"
	if male {
		sex = "男"
	}
	return model.IssueRequest{
		Row:        i + 2,
		Name:       fmt.Sprintf("测试%d", i),
		Sex:        sex,
		IDNumber:   model.MakeIDNumber("410102", birth, i/15000*2+1, male),
		Occupation: "砌筑工",
		Level:      4,
		OrgName:    fmt.Sprintf("培训机构%d", i%7),
		Employer:   "郑州建工",
		IssuedOn:   day,
		Source:     model.SourceElectronic,
	}
}

func newRegistry(t testing.TB) (*store.Registry, *storetest.DB) {
	db := storetest.MustOpenDB(t, nil)
	return store.NewRegistry(db.DB), db
}

func count(t testing.TB, db *storetest.DB, m any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(m).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
