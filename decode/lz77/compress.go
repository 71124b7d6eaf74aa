package lz77

import (
	"encoding/binary"
	"math/bits"
)

// Compressor tuning.
const (
	// maxChain is how many hash-chain candidates are examined per position.
	maxChain = 16
	// niceLen stops the candidate search once a match this long is found.
	niceLen = 128
	// maxMatchLen caps a single match so that every encodable length
	// (stored as length-3 in at most 32 bits) and every matcher position
	// stays well inside int32 between rebases.
	maxMatchLen = 1 << 28
	maxHashBits = 14
	// After 2<<skipShift literals in a row the matcher starts skipping
	// positions, up to maxSkip at a time.
	skipShift = 5
	maxSkip   = 32
)

// rebaseAt is the distance from the matcher's base at which stored positions
// are shifted down so that they keep fitting in int32. A variable so that
// tests can exercise rebasing without gigabytes of input.
var rebaseAt = 1 << 30

// Compress compresses src with the LZ77/DIRECT2 (MS-XCA Plain LZ77)
// encoding. The output always decodes back to src with Decompress and
// follows the MS-XCA encoder exactly in its framing (the last flag word is
// always present and padded with 1 bits), so strict decoders accept it too.
// Compress never fails; incompressible input grows by at most
// len(src)/8 + 4 bytes.
func Compress(src []byte) []byte {
	n := len(src)
	e := encoder{
		out:       make([]byte, n+n/8+8),
		op:        4,
		nibblePos: -1,
	}
	if n < minMatch {
		for _, b := range src {
			e.literal(b)
		}
		return e.finish()
	}

	// Hash chains. head[h] and prev[p&pmask] hold p-base+1 for positions
	// p, 0 meaning "none". Small inputs get small tables.
	hashBits := bits.Len(uint(n))
	if hashBits > maxHashBits {
		hashBits = maxHashBits
	}
	if hashBits < 6 {
		hashBits = 6
	}
	hashShift := 32 - hashBits
	head := make([]int32, 1<<hashBits)
	psize := MaxOffset
	if n < psize {
		psize = 1 << bits.Len(uint(n-1))
	}
	prev := make([]int32, psize)
	pmask := psize - 1
	base := 0

	insert := func(p int) {
		h := hash3(src, p, hashShift)
		prev[p&pmask] = head[h]
		head[h] = int32(p - base + 1)
	}

	pos := 0
	misses := 0 // literals since the last match
	for pos < n {
		if pos-base >= rebaseAt {
			delta := pos - base - MaxOffset
			rebase(head, delta)
			rebase(prev, delta)
			base += delta
		}
		if pos+minMatch > n {
			e.literal(src[pos])
			pos++
			continue
		}

		h := hash3(src, pos, hashShift)
		bestLen, bestOff := 0, 0
		maxLen := n - pos
		if maxLen > maxMatchLen {
			maxLen = maxMatchLen
		}
		minPos := pos - MaxOffset
		v := head[h]
		for chain := maxChain; v != 0 && chain > 0; chain-- {
			cand := int(v) - 1 + base
			if cand < minPos {
				break
			}
			// Cheap rejection: a longer match must agree at bestLen.
			if src[cand+bestLen] == src[pos+bestLen] {
				if l := matchLen(src, cand, pos, maxLen); l > bestLen {
					bestLen, bestOff = l, pos-cand
					if l >= niceLen || l == maxLen {
						break
					}
				}
			}
			v = prev[cand&pmask]
		}
		// Insert pos only after walking the chain: its prev slot may be the
		// one of pos-MaxOffset, a still-valid candidate.
		prev[pos&pmask] = head[h]
		head[h] = int32(pos - base + 1)

		if bestLen < minMatch {
			e.literal(src[pos])
			pos++
			// Incompressible stretch: after a long run without matches,
			// emit the following bytes as literals without searching
			// (and without indexing them), more of them the longer the
			// run. Any match resets the run.
			misses++
			if skip := misses>>skipShift - 1; skip > 0 {
				if skip > maxSkip {
					skip = maxSkip
				}
				if skip > n-pos {
					skip = n - pos
				}
				for _, b := range src[pos : pos+skip] {
					e.literal(b)
				}
				pos += skip
			}
			continue
		}
		misses = 0
		e.match(bestOff, bestLen)
		end := pos + bestLen
		// Index the positions inside the match; positions more than a
		// window before its end could never be used again.
		p := pos + 1
		if p < end-MaxOffset {
			p = end - MaxOffset
		}
		last := end
		if last > n-minMatch+1 {
			last = n - minMatch + 1
		}
		// p-base stays below rebaseAt+maxMatchLen < 1<<31 here.
		for ; p < last; p++ {
			insert(p)
		}
		pos = end
	}
	return e.finish()
}

func rebase(t []int32, delta int) {
	for i, v := range t {
		if int(v) > delta {
			t[i] = v - int32(delta)
		} else {
			t[i] = 0
		}
	}
}

func hash3(src []byte, p int, shift int) uint32 {
	_ = src[p+2]
	x := uint32(src[p]) | uint32(src[p+1])<<8 | uint32(src[p+2])<<16
	return (x * 0x9E3779B1) >> uint(shift)
}

// matchLen returns the length of the common prefix of src[a:] and src[b:]
// (a < b), at most max, with max <= len(src)-b.
func matchLen(src []byte, a, b, max int) int {
	l := 0
	for l+8 <= max {
		x := binary.LittleEndian.Uint64(src[a+l:]) ^ binary.LittleEndian.Uint64(src[b+l:])
		if x != 0 {
			return l + bits.TrailingZeros64(x)>>3
		}
		l += 8
	}
	for l < max && src[a+l] == src[b+l] {
		l++
	}
	return l
}

// encoder writes the DIRECT2 bit stream into a buffer large enough for the
// worst case (every item costs at most as many bytes as it covers, plus one
// 4-byte flag word per 32 items and the final one).
type encoder struct {
	out       []byte
	op        int    // next output byte
	flagPos   int    // where the current flag word goes
	flags     uint32 // flag bits collected so far, newest in bit 0
	nflags    int    // number of bits in flags
	nibblePos int    // output position of a half-used length byte, or -1
}

func (e *encoder) pushFlag(bit uint32) {
	e.flags = e.flags<<1 | bit
	e.nflags++
	if e.nflags == 32 {
		binary.LittleEndian.PutUint32(e.out[e.flagPos:], e.flags)
		e.nflags = 0
		e.flags = 0
		e.flagPos = e.op
		e.op += 4
	}
}

func (e *encoder) literal(b byte) {
	e.out[e.op] = b
	e.op++
	e.pushFlag(0)
}

// match encodes a match of the given offset (1..MaxOffset) and length
// (3..maxMatchLen), following [MS-XCA] 2.3.4.
func (e *encoder) match(off, length int) {
	m := uint32(length - minMatch)
	meta := uint32(off-1) << 3
	out := e.out
	if m < 7 {
		binary.LittleEndian.PutUint16(out[e.op:], uint16(meta|m))
		e.op += 2
		e.pushFlag(1)
		return
	}
	binary.LittleEndian.PutUint16(out[e.op:], uint16(meta|7))
	e.op += 2
	m -= 7
	// 4-bit nibble, shared between two consecutive long matches.
	nib := m
	if nib > 15 {
		nib = 15
	}
	if e.nibblePos < 0 {
		e.nibblePos = e.op
		out[e.op] = byte(nib)
		e.op++
	} else {
		out[e.nibblePos] |= byte(nib) << 4
		e.nibblePos = -1
	}
	if m >= 15 {
		m -= 15
		if m < 255 {
			out[e.op] = byte(m)
			e.op++
		} else {
			out[e.op] = 255
			e.op++
			m += 15 + 7 // the 2- and 4-byte forms hold length-3
			if m < 1<<16 {
				binary.LittleEndian.PutUint16(out[e.op:], uint16(m))
				e.op += 2
			} else {
				binary.LittleEndian.PutUint16(out[e.op:], 0)
				binary.LittleEndian.PutUint32(out[e.op+2:], m)
				e.op += 6
			}
		}
	}
	e.pushFlag(1)
}

// finish writes the last flag word, padding the unused bits with 1s, and
// returns the compressed stream.
func (e *encoder) finish() []byte {
	pad := uint(32 - e.nflags)
	f := uint64(e.flags)<<pad | (1<<pad - 1)
	binary.LittleEndian.PutUint32(e.out[e.flagPos:], uint32(f))
	if e.op < len(e.out)/2 {
		// Do not pin a worst-case-sized buffer behind a small result.
		return append([]byte(nil), e.out[:e.op]...)
	}
	return e.out[:e.op:e.op]
}
