package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"
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
// It tracks only nesting depth and string boundaries, so the cost per
// byte stays far below the cost of decompressing it: a byte loop (strings
// skipped 8 bytes at a time) walks the structure around the records, and
// the records of a log file or array are crossed 64 bytes at a time by
// blockRecord (bitmasks of quotes, backslashes and brackets, SIMD on
// amd64), falling back to the byte loop where it cannot decide.
// Irrelevant records are never decoded: the scanner marks the records that
// have the Roles Anywhere marker near their top. Records that are not
// objects (numbers, strings inside the Records array) are skipped.
//
// Memory is bounded by maxRecord plus one read chunk: a record larger than
// maxRecord is not kept; Next reports it as oversized, with whether any of
// its bytes matched the relevance test.
type recordScanner struct {
	r         io.Reader
	maxRecord int
	chunk     int               // read size (readChunk; tests make it tiny)
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
	marked    bool // the current record has "rolesanywhere.amazonaws.com" as a string near its top
	topArray  bool
	wrapper   bool // the current top-level object is a {"Records":[...]} file

	// Bitmasks of '"', '\\' and {}[] of the 64-byte blocks
	// buf[mBase+64k:], k < mN (see blockRecord); mN is 0 after fill.
	mBase, mN    int
	mq, mbs, mst [maskBatch]uint64
	noBlocks     bool // tests: the byte loop only
	noWalk       bool // tests: blockRecord without walkBlocks
}

// blockWalk is the state blockRecord and walkBlocks share between blocks
// (the layout is walkBlocksAVX2's).
type blockWalk struct {
	inStr    uint64 // all ones when the last block ended inside a string
	prevOpen uint64 // the opening quotes of the last block
	slack    int    // depth above the record's (s.recDepth)
	marked   int    // 1: the record is marked, strings of the marker's length no longer matter
}

// maskBatch is the number of 64-byte blocks whose masks are computed at
// once: about one CloudTrail record.
const maskBatch = 32

func newRecordScanner(r io.Reader, maxRecord int, relevant func([]byte) bool) *recordScanner {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecordBytes
	}
	return &recordScanner{
		r:         r,
		maxRecord: maxRecord,
		chunk:     readChunk,
		relevant:  relevant,
		buf:       getScanBuf(),
		recStart:  -1,
		strStart:  -1,
	}
}

// scanBufs keeps the read buffers of finished scanners: a file's scanner
// takes one instead of allocating readChunk bytes (one per file; the
// garbage collector ran for them on a directory of small files).
var scanBufs sync.Pool

func getScanBuf() []byte {
	if b, ok := scanBufs.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, readChunk)
}

// release gives the scanner's buffer back for the next scanner; rec.data
// of the last record is invalid after it. A buffer grown for a large
// record is left to the garbage collector, so the pool holds small ones.
func (s *recordScanner) release() {
	if b := s.buf; cap(b) <= 4*readChunk {
		b = b[:cap(b)]
		scanBufs.Put(&b)
	}
	s.buf = nil
}

// rawRecord is one record found by the scanner.
type rawRecord struct {
	data      []byte // valid until the next call to next; nil when oversized
	offset    int64  // input offset of the record's first byte
	oversized bool
	relevant  bool // for oversized records: some part matched the relevance test
	// marked: the string "rolesanywhere.amazonaws.com" is a key or value of
	// the record's top-level object or of an object directly in it
	// (eventSource, sourceIPAddress, userIdentity.invokedBy).
	marked bool
}

// next returns the next record, or io.EOF at a clean end of input.
func (s *recordScanner) next() (rawRecord, error) {
	for {
		b := s.buf[:s.end]
		i := s.pos
		if s.inStr {
			// Resume a string cut by the end of the previous chunk.
			if s.escPend {
				s.escPend = false
				i++
			}
			q := findQuote(b, i)
			if q < 0 {
				s.escPend = q == -2
				s.pos = len(b)
				if err := s.fill(); err != nil {
					return rawRecord{}, err
				}
				continue
			}
			s.inStr = false
			s.closeString(b, q)
			i = q + 1
		}
		depth := s.depth
		for i < len(b) {
			c := b[i]
			if c == '"' {
				// The hot path: skip a string, and the ':' or ',' that
				// usually follows it straight into the next string.
				for {
					start := i + 1
					// Find the closing quote 8 bytes at a time (SWAR): a
					// quote preceded by an odd run of backslashes is
					// escaped; runs are counted back only when one is
					// there, which is rare.
					q := start
				search:
					for {
						for q+8 <= len(b) {
							x := binary.LittleEndian.Uint64(b[q:]) ^ (swarLo * '"')
							if m := (x - swarLo) &^ x & swarHi; m != 0 {
								q += bits.TrailingZeros64(m) >> 3
								goto found
							}
							q += 8
						}
						for q < len(b) && b[q] != '"' {
							q++
						}
						if q >= len(b) {
							q = -1
							break search
						}
					found:
						if q > start && b[q-1] == '\\' {
							k := q - 1
							for k > start && b[k-1] == '\\' {
								k--
							}
							if (q-k)%2 == 1 {
								q++
								continue
							}
						}
						break
					}
					if q < 0 {
						// Cut by the end of the chunk.
						k := len(b)
						for k > start && b[k-1] == '\\' {
							k--
						}
						s.inStr = true
						s.escPend = (len(b)-k)%2 == 1
						s.strStart = start
						s.depth = depth
						i = len(b)
						break
					}
					if q-start == len(markerRolesAnywhere) || depth == 1 {
						s.depth = depth
						s.strStart = start
						s.closeString(b, q)
					}
					i = q + 1
					if i+1 < len(b) && (b[i] == ':' || b[i] == ',') && b[i+1] == '"' {
						i++
						continue
					}
					break
				}
				continue
			}
			switch c {
			case '{':
				if depth == s.recDepth && !s.inRec {
					s.inRec = true
					s.recStart = i
					s.oversized = false
					s.overRel = false
					s.marked = false
					if s.recDepth >= 1 && !s.noBlocks {
						// A record in a log file or array: find its end a
						// block at a time; the byte loop takes over where
						// that cannot (end of the buffer, not JSON).
						if end, marked, ok := s.blockRecord(b, i+1, depth+1); ok {
							s.marked = marked
							depth = s.recDepth + 1
							i = end // the record's closing '}', handled below
							continue
						}
					}
				}
				depth++
			case '[':
				switch {
				case depth == 0:
					s.topArray = true
					s.recDepth = 1
				case depth == 1 && s.lastKeyRA && !s.topArray && (s.recDepth == 0 || s.wrapper && s.recDepth == -1):
					// {"Records":[ : the top-level object is a log file,
					// its array elements are the records.
					s.wrapper = true
					s.inRec = false
					s.recStart = -1
					s.recDepth = 2
				}
				depth++
			case '}', ']':
				if depth == 0 {
					s.depth = depth
					return rawRecord{}, fmt.Errorf("offset %d: unexpected %q: %w", s.base+int64(i), c, ErrNotJSON)
				}
				depth--
				if s.wrapper && depth == 1 && c == ']' && s.recDepth == 2 {
					s.recDepth = -1 // end of the Records array
				}
				if depth == 0 {
					s.wrapper = false
					s.topArray = false
					s.lastKeyRA = false
				}
				if s.inRec && depth == s.recDepth && c == '}' {
					s.inRec = false
					rec := rawRecord{offset: s.base + int64(s.recStart), marked: s.marked}
					if s.oversized {
						rec.oversized = true
						rec.relevant = s.overRel
						rec.offset = -1
					} else {
						rec.data = b[s.recStart : i+1]
					}
					s.recStart = -1
					s.pos = i + 1
					if depth == 0 {
						s.recDepth = 0
					}
					s.depth = depth
					return rec, nil
				}
				if depth == 0 {
					s.recDepth = 0
				}
			case ' ', '\n', '\r', '\t', ',', ':':
			default:
				if depth == 0 {
					s.depth = depth
					return rawRecord{}, fmt.Errorf("offset %d: unexpected %q: %w", s.base+int64(i), c, ErrNotJSON)
				}
			}
			i++
		}
		s.depth = depth
		s.pos = len(b)
		if err := s.fill(); err != nil {
			return rawRecord{}, err
		}
	}
}

// blockRecord finds the end of a record from i, just after its opening
// '{' (depth: the depth there, s.recDepth+1), 64 bytes at a time: the
// bitmasks of quotes, backslashes and brackets of a block (scanMasks,
// SSE2 on amd64) give the strings (escapes resolved, then a prefix XOR of
// the quotes), hence the brackets outside strings; only those are looked
// at one by one. It returns the index of the record's closing '}' and
// whether the record is marked exactly as the byte loop marks it (the
// string rolesanywhere.amazonaws.com one or two levels into the record:
// strings of that length are checked). ok is false when the record does
// not end within b in whole blocks, or holds something that is not JSON
// (a backslash outside strings, a ']' closing it): the byte loop then
// scans the record again from i, with the same result it always had.
func (s *recordScanner) blockRecord(b []byte, i, depth int) (end int, marked, ok bool) {
	rd := s.recDepth
	var inStr, escNext, prevOpen uint64
	blk := i &^ 63
	lo := ^uint64(0) << uint(i-blk) // the first block's bits from i
	batch := maskBatch
	walk := hasWalk && !s.noWalk
	if walk {
		batch = 1 // Go sees only the blocks walkBlocks leaves
	}
	for blk+64 <= len(b) {
		if walk && lo == ^uint64(0) && escNext == 0 && blk >= 64 {
			w := blockWalk{inStr: inStr, prevOpen: prevOpen, slack: depth - rd}
			if marked {
				w.marked = 1
			}
			blk = walkBlocks(b, blk, &w)
			inStr, prevOpen, depth = w.inStr, w.prevOpen, w.slack+rd
			if blk+64 > len(b) {
				break
			}
		}
		k0 := (blk - s.mBase) / 64
		if s.mN == 0 || blk < s.mBase || k0 >= s.mN {
			n := min((len(b)-blk)/64, batch)
			scanMasks(b[blk:blk+64*n], s.mq[:n], s.mbs[:n], s.mst[:n])
			s.mBase, s.mN, k0 = blk, n, 0
		}
		mbs, mst := s.mbs[k0:s.mN], s.mst[k0:s.mN]
		for k, q := range s.mq[k0:s.mN] {
			q, bsl, st := q&lo, mbs[k]&lo, mst[k]&lo
			lo = ^uint64(0)
			if bsl|escNext != 0 {
				var esc uint64
				esc, escNext = escapedBits(bsl, escNext)
				q &^= esc
			}
			// x: the bytes inside strings, opening quotes included.
			x := q
			x ^= x << 1
			x ^= x << 2
			x ^= x << 4
			x ^= x << 8
			x ^= x << 16
			x ^= x << 32
			x ^= inStr
			inStr = uint64(int64(x) >> 63)
			if bsl&^x != 0 {
				return 0, false, false // a backslash outside strings
			}
			st &^= x
			d0 := depth
			endBit := 64
			for m := st; m != 0; m &= m - 1 {
				p := bits.TrailingZeros64(m)
				if c := b[blk+p]; c == '{' || c == '[' {
					depth++
				} else if depth--; depth == rd {
					if c != '}' {
						return 0, false, false
					}
					endBit = p
					break
				}
			}
			// Strings as long as the marker: opening quote at p, closing
			// at p+28, in this block or from the block before.
			open, closing := q&x, q&^x
			cand := open & (closing >> len(`"`+markerRolesAnywhere))
			cross := (prevOpen >> (64 - len(`"`+markerRolesAnywhere))) & closing
			prevOpen = open
			if !marked && cand|cross != 0 {
				marked = s.markerIn(b, blk, st, d0, cand, cross, endBit)
			}
			if endBit < 64 {
				return blk + endBit, marked, true
			}
			blk += 64
		}
	}
	return 0, false, false
}

// escapedBits returns the bits of the bytes escaped by the backslashes
// bsl of a block (esc: the first byte is escaped by the block before),
// and whether the first byte of the next block is escaped.
func escapedBits(bsl, esc uint64) (escaped, next uint64) {
	for m := bsl &^ esc; m != 0; m &= m - 1 {
		p := bits.TrailingZeros64(m)
		if esc>>p&1 != 0 {
			continue // an escaped backslash
		}
		if p == 63 {
			next = 1
		} else {
			esc |= 1 << (p + 1)
		}
	}
	return esc, next
}

// markerIn reports whether one of the strings of the marker's length in
// the block at b[blk:] is the marker, one or two levels into the record
// (st: the block's brackets outside strings, d0: the depth at its start).
// cand has the opening quotes of such strings in the block, cross the
// closing quotes of those that began in the block before; only strings
// that close before bit endBit (the record's end, 64 if not here) count.
func (s *recordScanner) markerIn(b []byte, blk int, st uint64, d0 int, cand, cross uint64, endBit int) bool {
	const n = len(markerRolesAnywhere)
	before := uint64(1)<<endBit - 1 // all ones for 64
	rd := s.recDepth
	for m := cand & (before >> (n + 1)); m != 0; m &= m - 1 {
		p := bits.TrailingZeros64(m)
		if string(b[blk+p+1:blk+p+1+n]) == markerRolesAnywhere {
			if d := depthAt(b, blk, st, d0, p); d == rd+1 || d == rd+2 {
				return true
			}
		}
	}
	for m := cross & before; m != 0; m &= m - 1 {
		j := bits.TrailingZeros64(m) // the closing quote
		if string(b[blk+j-n:blk+j]) == markerRolesAnywhere {
			if d := depthAt(b, blk, st, d0, j); d == rd+1 || d == rd+2 {
				return true
			}
		}
	}
	return false
}

// depthAt is the depth at bit p of the block at b[blk:], from the depth
// d at its start and its brackets outside strings st.
func depthAt(b []byte, blk int, st uint64, d, p int) int {
	for m := st & (uint64(1)<<p - 1); m != 0; m &= m - 1 {
		if c := b[blk+bits.TrailingZeros64(m)]; c == '{' || c == '[' {
			d++
		} else {
			d--
		}
	}
	return d
}

// closeString looks at a string that ends at b[q] (s.strStart is its
// first byte, -1 if that was in a chunk already dropped): a "Records" key
// at depth 1, or the Roles Anywhere marker near the top of a record.
func (s *recordScanner) closeString(b []byte, q int) {
	d := s.depth
	if s.strStart < 0 {
		if d == 1 {
			s.lastKeyRA = false
		}
		return
	}
	str := b[s.strStart:q]
	if d == 1 {
		s.lastKeyRA = string(str) == "Records"
	}
	if s.inRec && (d == s.recDepth+1 || d == s.recDepth+2) && string(str) == markerRolesAnywhere {
		s.marked = true
	}
}

const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// findQuote returns the index of the first unescaped '"' in b at or
// after i; -1 when there is none, -2 when there is none and b ends with an
// unescaped backslash (the next byte is escaped). It looks at 8 bytes at a
// time for '"' or '\\' (SWAR), which beats bytes.IndexByte on the short
// strings JSON is made of and needs no backward scan over backslash runs.
func findQuote(b []byte, i int) int {
	const lo = 0x0101010101010101
	const hi = 0x8080808080808080
	for {
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			q := x ^ (lo * '"')
			e := x ^ (lo * '\\')
			m := ((q-lo)&^q | (e-lo)&^e) & hi
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return -1
		}
		if b[i] == '"' {
			return i
		}
		if i+1 >= len(b) {
			return -2
		}
		i += 2
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
	if s.inStr && s.depth == 1 && s.strStart >= 0 && s.strStart < keep && s.end-s.strStart <= len("Records") {
		// Keep a short key at depth 1 whole: it may be "Records".
		keep = s.strStart
	}
	if s.inStr && s.strStart >= keep {
		s.strStart -= keep
	} else {
		s.strStart = -1
	}
	s.mN = 0 // the bytes move: block masks are stale
	n := copy(s.buf, s.buf[keep:s.end])
	s.base += int64(keep)
	if s.recStart >= 0 {
		s.recStart -= keep
	}
	s.pos, s.end = n, n
	if len(s.buf)-s.end < s.chunk/2+1 {
		nb := make([]byte, 2*len(s.buf)+s.chunk)
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	limit := min(len(s.buf), s.end+s.chunk)
	for s.end < limit {
		m, err := s.r.Read(s.buf[s.end:limit])
		s.end += m
		if err != nil {
			s.readErr = err
			break
		}
		if m == 0 {
			continue
		}
		if s.end-s.pos >= s.chunk/2 {
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
