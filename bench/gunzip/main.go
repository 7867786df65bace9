// Command gunzip is bench/detect.sh's baseline: it decompresses every .gz
// file under its arguments to nothing, --jobs files at a time, with the
// standard library's compress/gzip or with github.com/klauspost/compress's
// gzip (the decompressor detect uses), and prints the bytes decompressed,
// the wall time and the throughput as JSON. It reads each file as detect
// does (a 64 KB bufio.Reader under the decompressor) and copies through a
// 256 KB buffer, detect's read chunk, so the only work it leaves out is
// detect's own: scanning and deciding records.
//
//	gunzip --impl std|klauspost [--jobs N] PATH...
//
// It reads only what it is given and writes nothing but its report; it is
// a benchmark tool, not part of the shipped binary.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gunzip:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fset := flag.NewFlagSet("gunzip", flag.ContinueOnError)
	impl := fset.String("impl", "std", "decompressor: std (compress/gzip) or klauspost (github.com/klauspost/compress/gzip)")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "files decompressed in parallel")
	if err := fset.Parse(args); err != nil {
		return err
	}
	var open func(r *bufio.Reader) (io.Reader, error)
	switch *impl {
	case "std":
		open = func(r *bufio.Reader) (io.Reader, error) { return gzip.NewReader(r) }
	case "klauspost":
		open = func(r *bufio.Reader) (io.Reader, error) { return kgzip.NewReader(r) }
	default:
		return fmt.Errorf("--impl %q: want std or klauspost", *impl)
	}
	var paths []string
	for _, p := range fset.Args() {
		err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && filepath.Ext(q) == ".gz" {
				paths = append(paths, q)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	start := time.Now()
	var total, next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, len(paths))
	for range max(*jobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				n, err := decompress(paths[i], open, buf)
				errs[i] = err
				total.Add(n)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	el := time.Since(start)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"impl": *impl, "files": len(paths), "jobs": *jobs, "bytes": total.Load(),
		"seconds": el.Seconds(), "mb_per_s": float64(total.Load()) / 1e6 / el.Seconds(),
	})
}

// decompress decompresses one file through buf (hiding any WriteTo of
// the decompressor: detect's scanner calls Read) and returns its size.
func decompress(path string, open func(*bufio.Reader) (io.Reader, error), buf []byte) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zr, err := open(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{zr}, buf)
	if err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}
