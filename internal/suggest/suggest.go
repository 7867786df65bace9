// Package suggest finds the known name closest to a mistyped one, for
// "did you mean" hints on unknown flags, commands and settings.
//
// Security considerations: none; the names compared are flag, command and
// variable names, never values.
package suggest

// Closest returns the candidate with the smallest edit distance to name
// (insertions, deletions, substitutions and swaps of neighbours), or ""
// when none is within a third of name's length (at least 2 edits).
func Closest(name string, candidates []string) string {
	limit := max(2, len(name)/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := distance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance of a and b.
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
