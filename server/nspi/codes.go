package nspi

import (
	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// NSPI return values — [MS-OXNSPI] 2.2.1.2 (the ErrorCode of a response
// body's success layout).
const (
	Success          prop.ErrorCode = 0x00000000
	UnbindSuccess    prop.ErrorCode = 0x00000001
	UnbindFailure    prop.ErrorCode = 0x00000002
	ErrorsReturned   prop.ErrorCode = 0x00040380 // ecWarnWithErrors
	GeneralFailure   prop.ErrorCode = 0x80004005
	NotSupported     prop.ErrorCode = 0x80040102
	InvalidObject    prop.ErrorCode = 0x80040108
	OutOfResources   prop.ErrorCode = 0x8004010E
	NotFound         prop.ErrorCode = 0x8004010F
	LogonFailed      prop.ErrorCode = 0x80040111
	TooComplex       prop.ErrorCode = 0x80040117
	InvalidCodepage  prop.ErrorCode = 0x8004011E
	InvalidLocale    prop.ErrorCode = 0x8004011F
	TableTooBig      prop.ErrorCode = 0x80040403
	InvalidBookmark  prop.ErrorCode = 0x80040405
	AccessDenied     prop.ErrorCode = 0x80070005
	NotEnoughMemory  prop.ErrorCode = 0x8007000E
	InvalidParameter prop.ErrorCode = 0x80070057
)

// defaultCodePage is the code page of a request that carries no STAT.
const defaultCodePage = 1252

// codePages are the code pages the server serves 8-bit strings in. Strings
// are converted as Latin-1 whatever the code page (characters above
// U+00FF become '?'); the list exists so that a code page no Windows
// client would send is refused as Exchange refuses it.
var codePages = map[uint32]bool{
	437: true, 708: true, 720: true, 737: true, 775: true, 850: true, 852: true, 855: true,
	857: true, 858: true, 860: true, 861: true, 862: true, 863: true, 864: true, 865: true,
	866: true, 869: true, 874: true, 932: true, 936: true, 949: true, 950: true,
	1250: true, 1251: true, 1252: true, 1253: true, 1254: true, 1255: true, 1256: true,
	1257: true, 1258: true, 10000: true, 20127: true, 20866: true, 21866: true,
	28591: true, 28592: true, 28593: true, 28594: true, 28595: true, 28596: true,
	28597: true, 28598: true, 28599: true, 28603: true, 28605: true,
	50220: true, 50221: true, 50222: true, 51932: true, 51949: true, 54936: true,
	65000: true, 65001: true,
	nsp.CPTeletex: true,
}

// serviceCodePage reports a code page a session may use: a known 8-bit
// code page. CP_WINUNICODE is refused, as [MS-OXNSPI] NspiBind (3.1.4.1) lets a
// server refuse it at Bind.
func serviceCodePage(cp uint32) bool { return codePages[cp] }

// knownCodePage reports a code page a request may name for its strings:
// a served one or CP_WINUNICODE.
func knownCodePage(cp uint32) bool { return cp == nsp.CPWinUnicode || codePages[cp] }
