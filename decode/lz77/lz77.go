// Package lz77 implements the compression and obfuscation that
// MAPI-over-HTTP / ROP buffers use behind an RPC_HEADER_EXT:
//
//   - the LZ77 compression with DIRECT2 encoding of [MS-OXCRPC] "Compression
//     Algorithm" (section 3.1.4.1.1.2 in current revisions, 3.1.7.2 in
//     older ones), which is the same bit stream as the "Plain LZ77" variant
//     of [MS-XCA] sections 2.3 and 2.4;
//   - the XorMagic obfuscation of [MS-OXCRPC] (every byte XORed with 0xA5).
//
// # Stream format
//
// The stream is a sequence of groups. Each group starts with a 32-bit
// little-endian flag word whose bits are consumed from the most significant
// bit down. A 0 bit means the next input byte is a literal; a 1 bit means the
// next two input bytes are little-endian match metadata: the low 3 bits hold
// the match length minus 3 and the high 13 bits hold the match offset minus 1
// (offsets 1..8192).
//
// A 3-bit length of 7 means the length continues in a 4-bit nibble. Nibbles
// are shared: the first long match appends a byte after its metadata and
// uses its low nibble; the next long match uses the high nibble of that same
// byte and appends nothing. A nibble of 15 means the length continues in the
// next byte; a byte of 255 means the next 2 bytes hold the whole length
// minus 3; if those 2 bytes are 0, the next 4 bytes hold it instead.
//
// The encoder pads the final flag word with 1 bits. The decoder stops
// successfully when a match flag is seen with no input left (the MS-XCA
// rule), and, leniently, also when the input is exhausted exactly where a
// flag word or a literal would be read.
package lz77

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ErrCorrupt is matched (with errors.Is) by every error that reports
// malformed compressed input.
var ErrCorrupt = errors.New("lz77: corrupt input")

// ErrTooLarge is matched (with errors.Is) by errors reporting that the
// decompressed data would exceed the caller's maxOut limit.
var ErrTooLarge = errors.New("lz77: output exceeds limit")

// Error describes why decompression failed. Offset is the position in the
// compressed input of the element (flag word, metadata, length byte, literal)
// being decoded when the problem was found.
type Error struct {
	Offset int
	Reason string
	kind   error // ErrCorrupt or ErrTooLarge
}

func (e *Error) Error() string {
	return fmt.Sprintf("lz77: %s at input offset %d", e.Reason, e.Offset)
}

// Unwrap returns ErrCorrupt or ErrTooLarge.
func (e *Error) Unwrap() error { return e.kind }

func corrupt(off int, format string, args ...any) error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, args...), kind: ErrCorrupt}
}

func tooLarge(off int, format string, args ...any) error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, args...), kind: ErrTooLarge}
}

const (
	// MaxOffset is the largest match distance the format can express.
	MaxOffset = 1 << 13
	// minMatch is the shortest match the format can express.
	minMatch = 3
	// initialRatio bounds the speculative preallocation of the decoder:
	// before any output has been validated it allocates at most
	// initialRatio*len(src)+initialSlack bytes (and never more than maxOut).
	initialRatio = 4
	initialSlack = 64
)

// Decompress decompresses src, which must be a complete LZ77/DIRECT2 stream.
// maxOut is the size the caller was promised (RPC_HEADER_EXT SizeActual);
// producing more than maxOut bytes is an error, and no more than maxOut
// bytes of output buffer are ever allocated. The result may be shorter than
// maxOut; callers that require an exact size must compare lengths.
func Decompress(src []byte, maxOut int) ([]byte, error) {
	out, err := DecompressAppend(nil, src, maxOut)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DecompressAppend is like Decompress but appends the output to dst and
// returns the extended slice, reusing dst's spare capacity when it suffices.
// maxOut limits the number of bytes appended. Matches may only refer to data
// produced by this call, never to the existing contents of dst. All of dst's
// spare capacity may be used as scratch space, so it must not overlap src.
// On error the original dst is returned (its spare capacity may have been
// overwritten).
func DecompressAppend(dst, src []byte, maxOut int) ([]byte, error) {
	if maxOut < 0 {
		return dst, tooLarge(0, "negative output limit %d", maxOut)
	}
	base := len(dst)
	limit := base + maxOut
	if limit < base { // overflow
		limit = math.MaxInt
	}

	buf := dst[:cap(dst)]
	if spare := len(buf) - base; spare < maxOut && spare < initialRatio*len(src)+initialSlack {
		want := initialRatio*len(src) + initialSlack
		if want > maxOut || want < 0 {
			want = maxOut
		}
		nb := make([]byte, base+want)
		copy(nb, dst)
		buf = nb
	}

	var (
		n         = len(src)
		ip        = 0 // input position
		op        = base
		flags     uint32
		nflags    = 0  // flag bits left in flags
		nibblePos = -1 // input position of the half-used shared length byte
	)
	for {
		if nflags == 0 {
			if ip == n {
				break // input ends on a group boundary
			}
			if n-ip < 4 {
				return dst, corrupt(ip, "truncated flag word (%d of 4 bytes)", n-ip)
			}
			flags = binary.LittleEndian.Uint32(src[ip:])
			ip += 4
			nflags = 32
		}

		if flags&(1<<31) == 0 {
			// A run of literals: every leading zero bit is one literal.
			run := bits.LeadingZeros32(flags)
			if run > nflags {
				run = nflags
			}
			if run <= 8 && n-ip >= 8 && op+8 <= len(buf) && run <= limit-op {
				// Short run with room to spare: move one word.
				binary.LittleEndian.PutUint64(buf[op:], binary.LittleEndian.Uint64(src[ip:]))
				op += run
				ip += run
				flags <<= uint(run)
				nflags -= run
				continue
			}
			last := false
			if avail := n - ip; run >= avail {
				// Input exhausted where a literal would be read: end of
				// stream (or exactly consumed by this run).
				last = run > avail
				run = avail
			}
			if run > limit-op {
				return dst, tooLarge(ip+(limit-op), "output exceeds limit of %d bytes", maxOut)
			}
			if op+run > len(buf) {
				buf = grow(buf, op, op+run, limit)
			}
			copy(buf[op:op+run], src[ip:ip+run])
			op += run
			ip += run
			flags <<= uint(run)
			nflags -= run
			if last {
				break
			}
			continue
		}

		// Match.
		flags <<= 1
		nflags--
		if ip == n {
			break // a match flag with no input left marks the end
		}
		mpos := ip
		if n-ip < 2 {
			return dst, corrupt(ip, "truncated match metadata (1 of 2 bytes)")
		}
		meta := uint(binary.LittleEndian.Uint16(src[ip:]))
		ip += 2
		off := int(meta>>3) + 1
		length := uint64(meta & 7)
		if length == 7 {
			if nibblePos < 0 {
				if ip >= n {
					return dst, corrupt(ip, "truncated match length nibble")
				}
				length = uint64(src[ip] & 0x0f)
				nibblePos = ip
				ip++
			} else {
				length = uint64(src[nibblePos] >> 4)
				nibblePos = -1
			}
			if length == 15 {
				if ip >= n {
					return dst, corrupt(ip, "truncated match length byte")
				}
				length = uint64(src[ip])
				ip++
				if length == 255 {
					if n-ip < 2 {
						return dst, corrupt(ip, "truncated 2-byte match length")
					}
					length = uint64(binary.LittleEndian.Uint16(src[ip:]))
					ip += 2
					if length == 0 {
						if n-ip < 4 {
							return dst, corrupt(ip, "truncated 4-byte match length")
						}
						length = uint64(binary.LittleEndian.Uint32(src[ip:]))
						ip += 4
					}
					if length < 15+7 {
						return dst, corrupt(mpos, "extended match length field %d below minimum %d", length, 15+7)
					}
					length -= 15 + 7
				}
				length += 15
			}
			length += 7
		}
		length += minMatch

		if off > op-base {
			return dst, corrupt(mpos, "match offset %d before start of output", off)
		}
		if length > uint64(limit-op) {
			return dst, tooLarge(mpos, "match length %d exceeds output limit of %d bytes (%d already produced)", length, maxOut, op-base)
		}
		l := int(length)
		end := op + l
		if end > len(buf) {
			buf = grow(buf, op, end, limit)
		}
		from := op - off
		switch {
		case off >= 8 && l <= 32 && op+32 <= len(buf):
			// Short match, distance of at least a word: copy whole
			// words. Each word is read entirely from bytes already final
			// (off >= 8), so this equals a byte-by-byte copy even when the
			// match overlaps itself. Bytes written past end are scratch.
			for i := 0; i < l; i += 8 {
				binary.LittleEndian.PutUint64(buf[op+i:], binary.LittleEndian.Uint64(buf[from+i:]))
			}
		case off >= l:
			copy(buf[op:end], buf[from:from+l])
		case l <= 32:
			// Short overlapping match: byte by byte, as the spec says.
			for i := op; i < end; i++ {
				buf[i] = buf[i-off]
			}
		default:
			// Long overlapping match: the source region is periodic with
			// period off, so copying the growing already-written part
			// doubles it each step; equivalent to a byte-by-byte copy.
			for op < end {
				op += copy(buf[op:end], buf[from:op])
			}
		}
		op = end
	}
	return buf[:op], nil
}

// grow returns a buffer holding buf[:op] with length at least need, never
// larger than limit (need <= limit must hold).
func grow(buf []byte, op, need, limit int) []byte {
	newLen := 2 * len(buf)
	if newLen < need || newLen < 0 {
		newLen = need
	}
	if newLen > limit {
		newLen = limit
	}
	nb := make([]byte, newLen)
	copy(nb, buf[:op])
	return nb
}

// XOR applies the [MS-OXCRPC] XorMagic obfuscation in place: every byte is
// XORed with 0xA5. It is its own inverse.
func XOR(b []byte) {
	const m = 0xa5a5a5a5a5a5a5a5
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^m)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= 0xa5
	}
}
