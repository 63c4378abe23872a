package store_test

import (
	"context"
	"reflect"
	"testing"

	"ecert/model"
)

// The public lookups scan rows by hand (store/lookup.go). They must return
// exactly what GORM returns for the same rows, and every field of
// model.Certificate must be among their columns: the fixtures below give
// every field a value in at least one certificate, so a field added to the
// model and not to the lookups' column list fails here.
func TestLookupsMatchGORM(t *testing.T) {
	reg, db := newRegistry(t)
	ctx := context.Background()
	paper := person(1)
	paper.Source, paper.PaperNo = model.SourcePaper, "豫建培2019-000123"
	rep, err := reg.Issue(ctx, []model.IssueRequest{person(0), paper}, nil, "t")
	if err != nil {
		t.Fatal(err)
	}
	converted := rep.Issued[1]
	if _, err := reg.Revoke(ctx, converted.CertNo, model.RevokeFraud, "伪造材料", "admin"); err != nil {
		t.Fatal(err)
	}

	var viaGORM []model.Certificate
	if err := db.Order("id").Find(&viaGORM).Error; err != nil {
		t.Fatal(err)
	}
	if len(viaGORM) != 2 {
		t.Fatalf("%d certificates in the table, want 2", len(viaGORM))
	}
	var viaLookups []model.Certificate
	for _, want := range viaGORM {
		byNo, err := reg.FindByNo(ctx, want.CertNo)
		if err != nil {
			t.Fatal(err)
		}
		byNameAndNo, err := reg.FindByNameAndNo(ctx, want.Name, want.CertNo)
		if err != nil || len(byNameAndNo) != 1 {
			t.Fatalf("FindByNameAndNo: %v, %d found", err, len(byNameAndNo))
		}
		byNameAndID, err := reg.FindByNameAndID(ctx, want.Name, want.IDNumber)
		if err != nil || len(byNameAndID) != 1 {
			t.Fatalf("FindByNameAndID: %v, %d found", err, len(byNameAndID))
		}
		for name, got := range map[string]model.Certificate{"FindByNo": *byNo, "FindByNameAndNo": byNameAndNo[0], "FindByNameAndID": byNameAndID[0]} {
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s(%s):\n got %+v\nwant %+v (GORM)", name, want.CertNo, got, want)
			}
		}
		viaLookups = append(viaLookups, *byNo)
	}

	typ := reflect.TypeFor[model.Certificate]()
	for i := range typ.NumField() {
		set := false
		for _, c := range viaLookups {
			set = set || !reflect.ValueOf(c).Field(i).IsZero()
		}
		if !set {
			t.Errorf("model.Certificate.%s is empty in every fixture: give it a value here so the lookups' column list is checked", typ.Field(i).Name)
		}
	}
}
