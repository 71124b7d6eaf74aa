package prop

import "fmt"

// ErrorCode is a 32-bit error code — [MS-OXCDATA] 2.4. The table of names
// is errorNames (errors_table.go).
type ErrorCode uint32

const (
	Success          ErrorCode = 0x00000000
	ecError          ErrorCode = 0x80004005
	ecNotFound       ErrorCode = 0x8004010F
	ecNullObject     ErrorCode = 0x000004B9
	ecBufferTooSmall ErrorCode = 0x0000047D
)

// Name returns the specification name of the code ("ecNotFound"), or "".
func (e ErrorCode) Name() string { return errorNames[e] }

func (e ErrorCode) String() string {
	if n := e.Name(); n != "" {
		return fmt.Sprintf("%s (0x%08X)", n, uint32(e))
	}
	return fmt.Sprintf("0x%08X", uint32(e))
}

// Error lets an ErrorCode be returned as a Go error.
func (e ErrorCode) Error() string { return e.String() }

// ErrorSym names an error code value for the span tree.
func ErrorSym(v uint64) string {
	if n := ErrorCode(v).Name(); n != "" {
		return n
	}
	return ""
}

// LookupError finds a code by name (case-insensitive, with or without
// the "ec" prefix) or parses 0xNNNNNNNN.
func LookupError(s string) (ErrorCode, bool) {
	var v uint32
	if _, err := fmt.Sscanf(s, "0x%x", &v); err == nil {
		return ErrorCode(v), true
	}
	for code, name := range errorNames {
		if equalFoldPrefix(name, s, "ec") || equalFoldPrefix(name, s, "MAPI_E_") {
			return code, true
		}
	}
	return 0, false
}

func equalFoldPrefix(name, s, prefix string) bool {
	lower := func(x string) string {
		b := []byte(x)
		for i, ch := range b {
			if ch >= 'A' && ch <= 'Z' {
				b[i] = ch + 32
			}
		}
		return string(b)
	}
	n, q := lower(name), lower(s)
	return n == q || n == lower(prefix)+q
}
