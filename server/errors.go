package server

import (
	"errors"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// Error codes the server returns — [MS-OXCDATA] 2.4.
const (
	ecSuccess          prop.ErrorCode = 0x00000000
	ecUnknownUser      prop.ErrorCode = 0x000003EB
	ecLoginPerm        prop.ErrorCode = 0x000003F2
	ecWrongServer      prop.ErrorCode = 0x00000478
	ecRpcFormat        prop.ErrorCode = 0x000004B6
	ecNullObject       prop.ErrorCode = 0x000004B9
	ecDstNullObject    prop.ErrorCode = 0x00000503
	ecNotSupported     prop.ErrorCode = 0x80040102
	ecObjectModified   prop.ErrorCode = 0x80040109
	ecObjectDeleted    prop.ErrorCode = 0x8004010A
	ecInvalidObject    prop.ErrorCode = 0x80040108
	ecNotFound         prop.ErrorCode = 0x8004010F
	ecTooBig           prop.ErrorCode = 0x80040305
	ecAccessDenied     prop.ErrorCode = 0x80070005
	ecInvalidParam     prop.ErrorCode = 0x80070057
	ecError            prop.ErrorCode = 0x80004005
	ecNotImplemented   prop.ErrorCode = 0x80040FFF
	ecBufferTooSmall   prop.ErrorCode = 0x0000047D
	ecTooManyRecips    prop.ErrorCode = 0x00000505
	ecUnableToAbort    prop.ErrorCode = 0x80040114
	ecStreamSizeError  prop.ErrorCode = 0x80030070
	ecStreamAccessDeny prop.ErrorCode = 0x80030005
	ecNotInitialized   prop.ErrorCode = 0x80040605
	ecTooComplex       prop.ErrorCode = 0x80040117
	ecWarnWithErrors   prop.ErrorCode = 0x00040380
)

// ecOf maps a store error to the error code to return.
func ecOf(err error) prop.ErrorCode {
	if err == nil {
		return ecSuccess
	}
	var ec prop.ErrorCode
	if errors.As(err, &ec) {
		return ec
	}
	return ecError
}
