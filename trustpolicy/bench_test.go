package trustpolicy

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkEvaluate is one CreateSession decision (three actions) against
// the seed's trust policy, as the emulator makes per call.
func BenchmarkEvaluate(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed-001-role-trust-policy.json"))
	if err != nil {
		b.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	ctx := map[string][]string{KeySourceArn: {seedAnchor}, KeySubjectCN: {"web.not-your-co.com"}, KeyRoleSessionName: {"123456"}}
	b.ReportAllocs()
	for b.Loop() {
		for _, a := range RolesAnywhereActions {
			d, err := Evaluate(p, Request{Principal: RolesAnywhereService, Action: a, Context: ctx})
			if err != nil || !d.Allowed {
				b.Fatal(d, err)
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed-001-role-trust-policy.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
