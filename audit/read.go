package audit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
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

// Options control Read and Detect.
type Options struct {
	// Jobs is the number of files read in parallel; 0 means GOMAXPROCS.
	Jobs int
	// MaxRecordBytes bounds one record in memory; 0 means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// Sessions also considers later calls made with a Roles Anywhere
	// session, timed by the session's creationDate.
	Sessions bool
	// Compat reads every record the seed script's way (x509Subject,
	// eventTime, roleSessionName), whatever its eventSource.
	Compat bool
	// IdentityFields, SessionNameFields and TimeFields, when set, replace
	// the rules of Fields for that field (dot paths, tried in order).
	IdentityFields    []string
	SessionNameFields []string
	TimeFields        []string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Progress, if set, is called (from one goroutine at a time) after each
	// file with the totals so far.
	Progress func(Progress)
}

// Progress is reported after each file.
type Progress struct {
	FilesDone, Files int
	Records          int64
	Elapsed          time.Duration
}

// Stats are totals of a run.
type Stats struct {
	Files   int
	Records int64 // records scanned
	Events  int64 // records considered (decoded)
	Bytes   int64 // JSON bytes after decompression
}

// FileError is a problem reading one input: it names the path. Read goes
// on with the other inputs.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("read %q: %v", e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// input is one file to read, in input order.
type input struct {
	path  string // "-" for stdin
	index int
	// fromDir: found by walking a directory, skipped silently when it is
	// neither JSON nor gzip.
	fromDir bool
}

// expand turns paths into files in a deterministic order: the given order,
// directories walked in lexical order.
func expand(paths []string) ([]input, []error) {
	var ins []input
	var errs []error
	for _, p := range paths {
		if p == "-" {
			ins = append(ins, input{path: p, index: len(ins)})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &FileError{Path: p, Err: unwrapPathErr(err)})
			continue
		}
		if !fi.IsDir() {
			ins = append(ins, input{path: p, index: len(ins)})
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &FileError{Path: q, Err: unwrapPathErr(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				ins = append(ins, input{path: q, index: len(ins), fromDir: true})
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &FileError{Path: p, Err: err})
		}
	}
	return ins, errs
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read reads CloudTrail from paths (files, directories walked recursively,
// "-" for o.Stdin), gzip or not (told by content), and calls fn for every
// record detect considers. fn is called concurrently from o.Jobs
// goroutines. A file that cannot be read, is truncated or corrupt gives a
// *FileError in the returned error (errors.Join) and the others are still
// read; the events before the damage are kept.
func Read(ctx context.Context, paths []string, o Options, fn func(Event)) (Stats, error) {
	x, err := newExtractor(&o)
	if err != nil {
		return Stats{}, err
	}
	ins, errs := expand(paths)
	st, readErrs := readInputs(ctx, ins, &o, func(i int) (Stats, bool, error) {
		return readInput(ctx, ins[i], &o, x, fn)
	}, nil)()
	return st, errors.Join(append(errs, readErrs...)...)
}

// readInputs is the worker pool of Read and Stream. It starts o.Jobs
// goroutines (GOMAXPROCS when 0, no more than there are inputs), each
// taking the next input index in turn and calling read(i), which reads
// ins[i] and returns readInput's results; the files' totals are summed
// and o.Progress is reported under a lock after each file. Once ctx is
// done the inputs not yet taken are not read: when skipped is nil the
// workers stop, otherwise skipped(i) is called for each of them. It
// returns at once; wait blocks until every worker is done and returns the
// totals and the errors: those of the inputs in input order, then ctx's
// if it is done.
func readInputs(ctx context.Context, ins []input, o *Options, read func(i int) (Stats, bool, error), skipped func(i int)) (wait func() (Stats, []error)) {
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = min(jobs, max(len(ins), 1))
	var (
		mu       sync.Mutex
		st       Stats
		done     int
		start    = time.Now()
		next     atomic.Int64
		wg       sync.WaitGroup
		fileErrs = make([]error, len(ins))
	)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ins) {
					return
				}
				if ctx.Err() != nil {
					if skipped == nil {
						return
					}
					skipped(i)
					continue
				}
				fst, counted, err := read(i)
				fileErrs[i] = err
				mu.Lock()
				if counted {
					st.Files++
				}
				st.Records += fst.Records
				st.Events += fst.Events
				st.Bytes += fst.Bytes
				done++
				if o.Progress != nil {
					o.Progress(Progress{FilesDone: done, Files: len(ins), Records: st.Records, Elapsed: time.Since(start)})
				}
				mu.Unlock()
			}
		}()
	}
	return func() (Stats, []error) {
		wg.Wait()
		var errs []error
		for _, e := range fileErrs {
			if e != nil {
				errs = append(errs, e)
			}
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
		}
		return st, errs
	}
}

// countingReader counts bytes read (the decompressed size).
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readInput reads one file. counted is false for a file found in a
// directory that is neither gzip nor JSON (skipped).
func readInput(ctx context.Context, in input, o *Options, x *extractor, fn func(Event)) (Stats, bool, error) {
	return scanInput(ctx, in, o, x.relevant, func(n int64, rec rawRecord, maxRecord int) bool {
		if rec.oversized {
			if !rec.relevant {
				return false
			}
			fn(Event{Kind: KindEvent, Path: in.path, Offset: rec.offset, fileIndex: in.index, seq: n,
				Problem: fmt.Sprintf("record larger than %d bytes (CloudTrail's limit is 256 KB): not decoded", maxRecord)})
			return true
		}
		if !rec.marked && !x.relevantUnmarked(rec.data) {
			return false
		}
		ev, ok := x.extract(rec.data)
		if !ok {
			return false
		}
		ev.Path, ev.Offset, ev.fileIndex, ev.seq = in.path, rec.offset, in.index, n
		fn(ev)
		return true
	})
}

// scanInput is the record loop Read and ReadCalls share: it opens input
// in (openInput), scans its records with relevant as the cheap filter,
// honours ctx every 1024 records and hands each record to each, which
// reports whether it made an event of it (counted in Stats.Events). The
// errors are openInput's, ctx's, or a *FileError of the scanner.
func scanInput(ctx context.Context, in input, o *Options, relevant func([]byte) bool, each func(n int64, rec rawRecord, maxRecord int) bool) (st Stats, counted bool, err error) {
	cr, closeIn, counted, err := openInput(in, o)
	if cr == nil {
		return st, counted, err
	}
	defer closeIn()
	sc := newRecordScanner(cr, o.MaxRecordBytes, relevant)
	defer sc.release()
	defer func() { st.Bytes = cr.n }()
	st.Files = 1
	for n := int64(0); ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return st, true, ctx.Err()
		}
		rec, err := sc.next()
		if err == io.EOF {
			return st, true, nil
		}
		if err != nil {
			return st, true, &FileError{Path: in.path, Err: err}
		}
		st.Records++
		if each(n, rec, sc.maxRecord) {
			st.Events++
		}
	}
}

// openInput opens one input for reading: the file (or o.Stdin for "-"),
// gunzipped when it starts with the gzip magic, a leading BOM dropped,
// counting the decompressed bytes. cr is nil when there is nothing to read:
// err says why, or counted is false for a file found in a directory that
// is neither gzip nor JSON (skipped). closeIn releases the input.
func openInput(in input, o *Options) (cr *countingReader, closeIn func(), counted bool, err error) {
	var r io.Reader
	var closers []io.Closer
	closeIn = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}
	if in.path == "-" {
		if o.Stdin == nil {
			return nil, nil, true, &FileError{Path: "-", Err: errors.New("no standard input")}
		}
		r = o.Stdin
	} else {
		f, err := os.Open(in.path)
		if err != nil {
			return nil, nil, true, &FileError{Path: in.path, Err: unwrapPathErr(err)}
		}
		closers = append(closers, f)
		r = f
	}
	br := getBufReader(r)
	closers = append(closers, pooledBuf{br})
	head, _ := br.Peek(2)
	var src io.Reader = br
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		// klauspost/compress's gzip: about 25 % faster here than
		// compress/gzip, and decompression is most of detect's time
		// (docs/benchmarks.md). Its ErrChecksum and ErrHeader are
		// compress/gzip's.
		zr, err := getGzipReader(br)
		if err != nil {
			closeIn()
			return nil, nil, true, &FileError{Path: in.path, Err: fmt.Errorf("gzip: %w", err)}
		}
		closers = append(closers, zr)
		src = zr
	} else if in.fromDir && !looksLikeJSON(br) {
		closeIn()
		return nil, nil, false, nil
	}
	return &countingReader{r: skipBOM(src)}, closeIn, true, nil
}

// bufReaders keeps the 64 KB read buffers of finished inputs for the
// next input.
var bufReaders sync.Pool

// pooledBuf is a bufio.Reader that goes back to bufReaders when closed.
type pooledBuf struct{ *bufio.Reader }

func (b pooledBuf) Close() error {
	b.Reset(nil)
	bufReaders.Put(b.Reader)
	return nil
}

func getBufReader(r io.Reader) *bufio.Reader {
	if br, ok := bufReaders.Get().(*bufio.Reader); ok {
		br.Reset(r)
		return br
	}
	return bufio.NewReaderSize(r, 64<<10)
}

// gzipReaders keeps the decompressors of finished inputs (their window and
// tables, about 40 KB each) for the next input: one per worker instead of
// one per file.
var gzipReaders sync.Pool

// pooledGzip is a gzip reader that goes back to gzipReaders when closed.
type pooledGzip struct{ *kgzip.Reader }

func (z pooledGzip) Close() error {
	err := z.Reader.Close()
	gzipReaders.Put(z.Reader)
	return err
}

// getGzipReader returns a gzip reader of br, reused from gzipReaders when
// one is there.
func getGzipReader(br *bufio.Reader) (pooledGzip, error) {
	if zr, ok := gzipReaders.Get().(*kgzip.Reader); ok {
		if err := zr.Reset(br); err != nil {
			gzipReaders.Put(zr)
			return pooledGzip{}, err
		}
		return pooledGzip{zr}, nil
	}
	zr, err := kgzip.NewReader(br)
	return pooledGzip{zr}, err
}

// utf8BOM is the byte order mark some editors and tools put first.
const utf8BOM = "\xef\xbb\xbf"

// skipBOM drops a leading UTF-8 byte order mark. A read error is left for
// the scanner to meet again (gzip and file errors are sticky).
func skipBOM(r io.Reader) io.Reader {
	head := make([]byte, len(utf8BOM))
	n, _ := io.ReadFull(r, head)
	if n == len(utf8BOM) && string(head) == utf8BOM {
		return r
	}
	return io.MultiReader(bytes.NewReader(head[:n]), r)
}

// looksLikeJSON peeks past a byte order mark and leading whitespace for
// '{' or '['.
func looksLikeJSON(br *bufio.Reader) bool {
	start := 1
	if b, _ := br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		start = len(utf8BOM) + 1
	}
	for n := start; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return false
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			if err != nil {
				return false
			}
			continue
		case '{', '[':
			return true
		default:
			return false
		}
	}
	return false
}

// Detect reads paths, checks every event with c and returns the results
// through Finish (sorted, merged, replays marked). The error is Read's:
// results are valid even when it is not nil.
func Detect(ctx context.Context, paths []string, o Options, c *Checker) ([]Result, Stats, error) {
	var mu sync.Mutex
	var rs []Result
	st, err := Read(ctx, paths, o, func(ev Event) {
		r := c.Check(ev)
		mu.Lock()
		rs = append(rs, r)
		mu.Unlock()
	})
	return Finish(rs), st, err
}
