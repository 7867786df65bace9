package audit

import (
	"math/rand/v2"
	"time"

	"bytes"
	"compress/gzip"
	"context"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func benchFile(b *testing.B) []byte {
	dir := os.Getenv("AUDIT_BENCH_DIR")
	if dir == "" {
		b.Skip("AUDIT_BENCH_DIR not set")
	}
	var first string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if first == "" && err == nil && filepath.Ext(p) == ".gz" {
			first = p
		}
		return nil
	})
	f, err := os.ReadFile(first)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkScanOnly(b *testing.B) {
	gz := benchFile(b)
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	data, _ := io.ReadAll(zr)
	x := &extractor{}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sc := newRecordScanner(bytes.NewReader(data), 0, x.relevant)
		for {
			rec, err := sc.next()
			if err != nil {
				break
			}
			_ = rec.marked || x.relevantUnmarked(rec.data)
		}
	}
}

func BenchmarkMarkerOnly(b *testing.B) {
	gz := benchFile(b)
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	data, _ := io.ReadAll(zr)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		bytes.Count(data, []byte(markerRolesAnywhere))
	}
}

func BenchmarkGunzip(b *testing.B) {
	gz := benchFile(b)
	b.SetBytes(int64(len(gz)) * 0)
	var n int64
	for b.Loop() {
		zr, _ := gzip.NewReader(bytes.NewReader(gz))
		n, _ = io.Copy(io.Discard, zr)
	}
	b.SetBytes(n)
}

func BenchmarkReadOneFile(b *testing.B) {
	gz := benchFile(b)
	dir := b.TempDir()
	p := filepath.Join(dir, "f.json.gz")
	os.WriteFile(p, gz, 0o600)
	var n int64
	for b.Loop() {
		st, err := Read(context.Background(), []string{p}, Options{Jobs: 1}, func(Event) {})
		if err != nil {
			b.Fatal(err)
		}
		n = st.Bytes
	}
	b.SetBytes(n)
}

// extractBench is a CreateSession record and an extractor for it.
func extractBench(b *testing.B) ([]byte, *extractor) {
	b.Helper()
	ws, err := cloudtrailgen.NewWorkloads(1, "example.com", 1, "host")
	if err != nil {
		b.Fatal(err)
	}
	cs, _ := cloudtrailgen.Session(cloudtrailgen.Config{}, rand.New(rand.NewPCG(1, 2)), ws[0], time.Unix(1795290581, 0), "123456", "192.0.2.1")
	x, _ := newExtractor(&Options{})
	return cs, x
}

func BenchmarkExtract(b *testing.B) {
	cs, x := extractBench(b)
	b.SetBytes(int64(len(cs)))
	for b.Loop() {
		if _, ok := x.extract(cs); !ok {
			b.Fatal("not extracted")
		}
	}
}

// BenchmarkExtractMap is BenchmarkExtract by way of encoding/json (the
// fallback), for comparison.
func BenchmarkExtractMap(b *testing.B) {
	cs, x := extractBench(b)
	b.SetBytes(int64(len(cs)))
	for b.Loop() {
		if _, ok := x.extractMap(cs); !ok {
			b.Fatal("not extracted")
		}
	}
}
