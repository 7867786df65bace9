package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrNotJSON is returned (wrapped, with the offset) when input is not a
// JSON object, array, JSON lines or a CloudTrail log file.
var ErrNotJSON = errors.New("not JSON")

// ErrTruncated is returned (wrapped, with the offset) when input ends in
// the middle of a JSON value: a truncated file or gzip member.
var ErrTruncated = errors.New("unexpected end of input (truncated file?)")

// DefaultMaxRecordBytes bounds the size of one record held in memory.
// CloudTrail limits an event to 256 KB; larger records are reported as
// malformed when they look relevant, and skipped otherwise.
const DefaultMaxRecordBytes = 1 << 20

const readChunk = 256 << 10

// recordScanner splits a byte stream into raw records without decoding
// them. It understands three shapes, freely mixed: a CloudTrail log file
// {"Records":[{...},...]}, a single event object, and JSON lines (any
// whitespace-separated sequence of objects); a top-level array of events
// is accepted too.
//
// It tracks only nesting depth and string boundaries: strings are skipped
// with bytes.IndexByte, so the cost per byte stays far below the cost of
// decompressing it. Irrelevant records are never decoded; callers check
// the raw bytes with bytes.Contains first. Records that are not objects
// (numbers, strings inside the Records array) are skipped.
//
// Memory is bounded by maxRecord plus one read chunk: a record larger than
// maxRecord is not kept; Next reports it as oversized, with whether any of
// its bytes matched the relevance test.
type recordScanner struct {
	r         io.Reader
	maxRecord int
	relevant  func([]byte) bool // used on the parts of an oversized record

	buf      []byte
	pos, end int
	base     int64 // input offset of buf[0]
	readErr  error

	depth     int
	inStr     bool
	escPend   bool // the byte at the resume point is escaped
	strStart  int  // index in buf of the current string's first byte, -1 if before buf
	lastKeyRA bool // the last string closed at depth 1 was "Records"

	recDepth  int // records are objects opening at this depth; -1: none here
	recStart  int // index in buf of the current record's '{', -1 when not buffering
	inRec     bool
	oversized bool
	overRel   bool // an oversized record had a relevant part
	topArray  bool
	wrapper   bool // the current top-level object is a {"Records":[...]} file
}

func newRecordScanner(r io.Reader, maxRecord int, relevant func([]byte) bool) *recordScanner {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecordBytes
	}
	return &recordScanner{
		r:         r,
		maxRecord: maxRecord,
		relevant:  relevant,
		buf:       make([]byte, readChunk),
		recStart:  -1,
		strStart:  -1,
	}
}

// rawRecord is one record found by the scanner.
type rawRecord struct {
	data      []byte // valid until the next call to next; nil when oversized
	offset    int64  // input offset of the record's first byte
	oversized bool
	relevant  bool // for oversized records: some part matched the relevance test
}

// next returns the next record, or io.EOF at a clean end of input.
func (s *recordScanner) next() (rawRecord, error) {
	for {
		b := s.buf[:s.end]
		i := s.pos
		for i < len(b) {
			if s.inStr {
				if s.escPend {
					s.escPend = false
					i++
					continue
				}
				j := bytes.IndexByte(b[i:], '"')
				if j < 0 {
					// Count the trailing backslashes: an odd run escapes
					// the first byte of the next chunk.
					n := 0
					for k := len(b) - 1; k >= i && b[k] == '\\'; k-- {
						n++
					}
					s.escPend = n%2 == 1
					i = len(b)
					break
				}
				q := i + j
				n := 0
				for k := q - 1; k >= i && b[k] == '\\'; k-- {
					n++
				}
				if n%2 == 1 {
					i = q + 1
					continue
				}
				s.inStr = false
				if s.depth == 1 {
					s.lastKeyRA = s.strStart >= 0 && string(b[s.strStart:q]) == "Records"
				}
				i = q + 1
				continue
			}
			c := b[i]
			switch c {
			case '"':
				s.inStr = true
				s.strStart = i + 1
			case '{':
				if s.depth == s.recDepth && !s.inRec {
					s.inRec = true
					s.recStart = i
					s.oversized = false
					s.overRel = false
				}
				s.depth++
			case '[':
				switch {
				case s.depth == 0:
					s.topArray = true
					s.recDepth = 1
				case s.depth == 1 && s.lastKeyRA && !s.topArray && s.recDepth == 0:
					// {"Records":[ : the top-level object is a log file,
					// its array elements are the records.
					s.wrapper = true
					s.inRec = false
					s.recStart = -1
					s.recDepth = 2
				}
				s.depth++
			case '}', ']':
				if s.depth == 0 {
					return rawRecord{}, fmt.Errorf("offset %d: unexpected %q: %w", s.base+int64(i), c, ErrNotJSON)
				}
				s.depth--
				if s.wrapper && s.depth == 1 && c == ']' && s.recDepth == 2 {
					s.recDepth = -1 // end of the Records array
				}
				if s.depth == 0 {
					s.wrapper = false
					s.topArray = false
					s.lastKeyRA = false
				}
				if s.inRec && s.depth == s.recDepth && c == '}' {
					s.inRec = false
					rec := rawRecord{offset: s.base + int64(s.recStart)}
					if s.oversized {
						rec.oversized = true
						rec.relevant = s.overRel
						rec.offset = -1
					} else {
						rec.data = b[s.recStart : i+1]
					}
					s.recStart = -1
					s.pos = i + 1
					if s.depth == 0 {
						s.recDepth = 0
					}
					return rec, nil
				}
				if s.depth == 0 {
					s.recDepth = 0
				}
			case ' ', '\n', '\r', '\t', ',', ':':
			default:
				if s.depth == 0 {
					return rawRecord{}, fmt.Errorf("offset %d: unexpected %q: %w", s.base+int64(i), c, ErrNotJSON)
				}
			}
			i++
		}
		s.pos = i
		if err := s.fill(); err != nil {
			return rawRecord{}, err
		}
	}
}

// fill makes room and reads more input. It returns io.EOF at a clean end,
// ErrTruncated when the input stops inside a value, or the read error.
func (s *recordScanner) fill() error {
	if s.readErr != nil {
		return s.endErr()
	}
	keep := s.end
	if s.inRec && !s.oversized {
		keep = s.recStart
		if s.end-s.recStart >= s.maxRecord {
			// Too large to keep: remember whether it looked relevant and
			// drop it, scanning on to its end.
			if s.relevant != nil && s.relevant(s.buf[s.recStart:s.end]) {
				s.overRel = true
			}
			s.oversized = true
			s.recStart = -1
			keep = s.end
		}
	} else if s.inRec && s.oversized {
		if !s.overRel && s.relevant != nil && s.relevant(s.buf[:s.end]) {
			s.overRel = true
		}
	}
	if s.inStr && s.strStart >= keep {
		s.strStart -= keep
	} else {
		s.strStart = -1
	}
	n := copy(s.buf, s.buf[keep:s.end])
	s.base += int64(keep)
	if s.recStart >= 0 {
		s.recStart -= keep
	}
	s.pos, s.end = n, n
	if len(s.buf)-s.end < readChunk/2 {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for s.end < len(s.buf) {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			s.readErr = err
			break
		}
		if m == 0 {
			continue
		}
		if s.end-s.pos >= readChunk/2 {
			break
		}
	}
	if s.end > s.pos {
		return nil
	}
	return s.endErr()
}

func (s *recordScanner) endErr() error {
	if s.readErr == io.EOF {
		if s.depth > 0 || s.inStr {
			return fmt.Errorf("offset %d: %w", s.base+int64(s.end), ErrTruncated)
		}
		return io.EOF
	}
	if errors.Is(s.readErr, io.ErrUnexpectedEOF) {
		return fmt.Errorf("offset %d: %w: %w", s.base+int64(s.end), ErrTruncated, s.readErr)
	}
	return fmt.Errorf("offset %d: %w", s.base+int64(s.end), s.readErr)
}
