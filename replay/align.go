package replay

// Alignment of two ROP sequences for diff: a longest common subsequence of
// their keys by Myers' O((N+M)·D) algorithm ("An O(ND) Difference
// Algorithm and Its Variations", 1986) in its linear-space form — find the
// middle snake of the shortest edit script, split there and recurse — so
// that two long sessions that differ little cost little, whatever their
// length.

// alignStep is one step of an alignment: A and B are indexes into the two
// sequences, -1 where the step has no element on that side.
type alignStep struct{ A, B int }

// maxAlignCost bounds the edit distance one bisection explores. Two
// sessions that differ by more than this within one stretch are not
// worth a minimal alignment: that stretch is reported as removed and
// inserted (and the name-level pass still pairs what it can).
const maxAlignCost = 4096

// lcsPairs returns the index pairs of a longest common subsequence of a
// and b (ascending in both), within the cost bound.
func lcsPairs(a, b []uint64) [][2]int {
	var out [][2]int
	lcsRec(a, b, 0, 0, &out)
	return out
}

func lcsRec(a, b []uint64, ao, bo int, out *[][2]int) {
	// Common prefix.
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		*out = append(*out, [2]int{ao + n, bo + n})
		n++
	}
	a, b, ao, bo = a[n:], b[n:], ao+n, bo+n
	// Common suffix, emitted after the middle.
	s := 0
	for s < len(a) && s < len(b) && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ma, mb := a[:len(a)-s], b[:len(b)-s]
	if len(ma) > 0 && len(mb) > 0 {
		if x, y, ok := bisect(ma, mb); ok {
			lcsRec(ma[:x], mb[:y], ao, bo, out)
			lcsRec(ma[x:], mb[y:], ao+x, bo+y, out)
		}
	}
	for i := 0; i < s; i++ {
		*out = append(*out, [2]int{ao + len(ma) + i, bo + len(mb) + i})
	}
}

// bisect finds the middle snake of the shortest edit script between a
// and b (both non-empty, first and last elements differing) and returns
// where to split them. ok is false when a and b have nothing in common
// or when the edit distance passes maxAlignCost.
func bisect(a, b []uint64) (x, y int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	if maxD > maxAlignCost {
		maxD = maxAlignCost
	}
	off := maxD + 1
	size := 2*maxD + 3
	v1 := make([]int, size)
	v2 := make([]int, size)
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0
	// Diagonals that ran off the grid are not explored again.
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				j := off + delta - k1
				if j >= 0 && j < size && v2[j] != -1 && x1 >= n-v2[j] {
					return x1, y1, true
				}
			}
		}
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				j := off + delta - k2
				if j >= 0 && j < size && v1[j] != -1 {
					x1 := v1[j]
					y1 := off + x1 - j
					if x1 >= n-x2 {
						return x1, y1, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// align lines up two operation sequences in two passes: a longest common
// subsequence on the full keys (name and normalised request), then, in
// each stretch between two matches, one on the names alone, so that a ROP
// sent with other arguments pairs with its counterpart (and shows as
// changed) instead of being removed and inserted. The steps cover every
// index of both sides once, in order; in a stretch, what only A has comes
// before what only B has, as in a unified diff.
func align(keyA, keyB, nameA, nameB []uint64) []alignStep {
	out := make([]alignStep, 0, max(len(keyA), len(keyB)))
	gap := func(a0, a1, b0, b1 int) {
		pairs := lcsPairs(nameA[a0:a1], nameB[b0:b1])
		i, j := a0, b0
		for _, p := range pairs {
			pa, pb := a0+p[0], b0+p[1]
			for ; i < pa; i++ {
				out = append(out, alignStep{i, -1})
			}
			for ; j < pb; j++ {
				out = append(out, alignStep{-1, j})
			}
			out = append(out, alignStep{pa, pb})
			i, j = pa+1, pb+1
		}
		for ; i < a1; i++ {
			out = append(out, alignStep{i, -1})
		}
		for ; j < b1; j++ {
			out = append(out, alignStep{-1, j})
		}
	}
	i, j := 0, 0
	for _, p := range lcsPairs(keyA, keyB) {
		gap(i, p[0], j, p[1])
		out = append(out, alignStep{p[0], p[1]})
		i, j = p[0]+1, p[1]+1
	}
	gap(i, len(keyA), j, len(keyB))
	return out
}
