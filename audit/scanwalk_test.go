package audit

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// scanWalk is scanWith with the block path, with or without walkBlocks.
func scanWalk(data []byte, chunk int, walk bool) []string {
	sc := newRecordScanner(bytes.NewReader(data), 1<<20, func(b []byte) bool {
		return bytes.Contains(b, []byte(markerRolesAnywhere))
	})
	sc.noWalk = !walk
	sc.chunk = chunk
	sc.buf = make([]byte, chunk)
	var out []string
	for {
		rec, err := sc.next()
		if err != nil {
			if err != io.EOF {
				out = append(out, "error: "+err.Error())
			}
			return out
		}
		out = append(out, fmt.Sprintf("%d %v %v %s", rec.offset, rec.marked, rec.oversized, rec.data))
	}
}

// randLog is a random log file of n records (randJSON), padded with long
// strings so that records cross several blocks, sometimes damaged.
func randLog(r *rand.Rand, n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for k := n; k >= 0; k-- {
		b.WriteString(`{"p":"` + strings.Repeat("p", r.IntN(150)) + `","k":`)
		randJSON(r, &b, 1)
		b.WriteString(`,"m":["rolesanywhere.amazonaws.com","` + strings.Repeat("q", r.IntN(90)) + `"]`)
		if r.IntN(4) == 0 {
			b.WriteString(`,"eventSource":"rolesanywhere.amazonaws.com"`)
		}
		b.WriteString(`,"z":{"y":{"x":[` + strings.Repeat(`{"w":"}]"},`, r.IntN(8)) + `0]}}}`)
		if k > 0 {
			b.WriteString(",")
		}
	}
	b.WriteString("]}")
	data := []byte(b.String())
	if r.IntN(5) == 0 {
		for k := 1 + r.IntN(3); k > 0; k-- {
			data[r.IntN(len(data))] = `"\{}[],:`[r.IntN(8)]
		}
	}
	return data
}

// TestWalkBlocks holds walkBlocks (AVX2 where the CPU has it) to
// walkBlocksGeneric, from random blocks and states of random log files at
// every alignment.
func TestWalkBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 3000; n++ {
		data := randLog(r, r.IntN(6))
		data = append(make([]byte, r.IntN(64)), data...)[r.IntN(64):]
		if len(data) < 128 {
			continue
		}
		blk := 64 * (1 + r.IntN(len(data)/64-1))
		w0 := blockWalk{prevOpen: r.Uint64() & r.Uint64(), slack: 1 + r.IntN(6), marked: r.IntN(2)}
		if r.IntN(3) == 0 {
			w0.inStr = ^uint64(0)
		}
		wa, wg := w0, w0
		ea, eg := walkBlocks(data, blk, &wa), walkBlocksGeneric(data, blk, &wg)
		if ea != eg || wa != wg {
			t.Fatalf("from %d with %+v of %q:\nwalkBlocks        %d %+v\nwalkBlocksGeneric %d %+v", blk, w0, data, ea, wa, eg, wg)
		}
	}
}

// TestWalkScanner: the scanner with walkBlocks finds the same records,
// offsets, marks and errors as without it and as the byte loop.
func TestWalkScanner(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 1000; n++ {
		data := randLog(r, r.IntN(10))
		want := scanWith(data, 1<<16, false)
		for _, chunk := range []int{1 << 16, 300, 1000} {
			for _, walk := range []bool{true, false} {
				if got := scanWalk(data, chunk, walk); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("chunk %d walk %v: input %q:\ngot  %q\nwant %q", chunk, walk, data, got, want)
				}
			}
		}
	}
}

// FuzzWalk holds walkBlocks to walkBlocksGeneric and the scanner with
// walkBlocks to the byte loop on arbitrary input.
func FuzzWalk(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 10))
	for n := 0; n < 8; n++ {
		f.Add(randLog(r, n), uint8(n), uint64(n)<<60)
	}
	f.Fuzz(func(t *testing.T, data []byte, state uint8, prevOpen uint64) {
		if len(data) >= 128 {
			blk := 64 * (1 + int(state)%(len(data)/64-1))
			w0 := blockWalk{prevOpen: prevOpen, slack: 1 + int(state>>4)%8, marked: int(state>>3) & 1}
			if state&4 != 0 {
				w0.inStr = ^uint64(0)
			}
			wa, wg := w0, w0
			if ea, eg := walkBlocks(data, blk, &wa), walkBlocksGeneric(data, blk, &wg); ea != eg || wa != wg {
				t.Fatalf("from %d with %+v: walkBlocks %d %+v, walkBlocksGeneric %d %+v", blk, w0, ea, wa, eg, wg)
			}
		}
		if got, want := scanWalk(data, 1<<16, true), scanWith(data, 1<<16, false); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("walk %q, byte loop %q", got, want)
		}
	})
}
