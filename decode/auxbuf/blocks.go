package auxbuf

import (
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// The auxiliary block structures of [MS-OXCRPC] 2.2.2.2.1 – 2.2.2.2.23.
// Field names are the specification's. Offset fields (MachineNameOffset,
// …) and the sizes of byte fields (ClientIPSize, …) are not struct
// fields: they are read to find the variable fields and computed when
// encoding; the span tree shows them under their names. An empty string or
// byte field has offset 0.

// ServerType values of AUX_PERF_SERVERINFO — 2.2.2.2.5.
var serverTypeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "SERVERTYPE_UNKNOWN"},
	wire.Flag{Mask: 0x01, Name: "SERVERTYPE_PRIVATE"},
	wire.Flag{Mask: 0x02, Name: "SERVERTYPE_PUBLIC"},
	wire.Flag{Mask: 0x03, Name: "SERVERTYPE_DIRECTORY"},
	wire.Flag{Mask: 0x04, Name: "SERVERTYPE_REFERRAL"},
)

// ClientMode values of AUX_PERF_CLIENTINFO — 2.2.2.2.4.
var clientModeSym = wire.Enum(
	wire.Flag{Mask: 0x00, Name: "CLIENTMODE_UNKNOWN"},
	wire.Flag{Mask: 0x01, Name: "CLIENTMODE_CLASSIC"},
	wire.Flag{Mask: 0x02, Name: "CLIENTMODE_CACHED"},
)

// EnableFlags of AUX_CLIENT_CONTROL — 2.2.2.2.15.
var enableFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "ENABLE_PERF_SENDTOSERVER"},
	wire.Flag{Mask: 0x04, Name: "ENABLE_COMPRESSION"},
	wire.Flag{Mask: 0x08, Name: "ENABLE_HTTP_TUNNELING"},
	wire.Flag{Mask: 0x10, Name: "ENABLE_PERF_SENDGCDATA"},
)

// OrgFlags of AUX_EXORGINFO — 2.2.2.2.17.
var orgFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "PUBLIC_FOLDERS_ENABLED"},
	wire.Flag{Mask: 0x02, Name: "USE_AUTODISCOVER_FOR_PUBLIC_FOLDER_CONFIGURATION"},
)

// ServerCapabilityFlags of AUX_SERVER_CAPABILITIES — 2.2.2.2.19.
var serverCapabilitySym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "PACKED_FAST_TRANSFER_UPLOAD_BUFFERS"},
	wire.Flag{Mask: 0x02, Name: "PACKED_WRITE_STREAM_UPLOAD_BUFFERS"},
	wire.Flag{Mask: 0x08, Name: "ULTRA_LARGE_PACKED_DOWNLOAD_BUFFERS"},
)

// EndpointCapabilityFlag of AUX_ENDPOINT_CAPABILITIES — 2.2.2.2.20.
var endpointCapabilitySym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "ENDPOINT_CAPABILITIES_SINGLE_ENDPOINT"},
)

// ConnectionFlags of AUX_CLIENT_CONNECTION_INFO — 2.2.2.2.21 (0x0001:
// the client runs in cached mode).
var connectionFlagsSym = wire.Flags(
	wire.Flag{Mask: 0x01, Name: "CachedMode"},
)

func guid(c *wire.Codec, g *prop.GUID, name string) {
	prop.CodecGUID(c, g, name)
}

func reserved(c *wire.Codec, p *[]byte, n int, name string) {
	c.Fixed(p, n, name)
	c.Hex()
}

// offsetField reads or writes a 16-bit offset (or size) field.
func offsetField(c *wire.Codec, v *uint16, name string) {
	c.U16(v, name)
}

// PerfRequestID — AUX_PERF_REQUESTID, 2.2.2.2.1.
type PerfRequestID struct {
	SessionID uint16
	RequestID uint16
}

func (*PerfRequestID) StructName() string { return "AUX_PERF_REQUESTID" }
func (r *PerfRequestID) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.RequestID, "RequestID")
}

// PerfSessionInfo — AUX_PERF_SESSIONINFO, 2.2.2.2.2.
type PerfSessionInfo struct {
	SessionID   uint16
	Reserved    uint16
	SessionGuid prop.GUID
}

func (*PerfSessionInfo) StructName() string { return "AUX_PERF_SESSIONINFO" }
func (r *PerfSessionInfo) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.Reserved, "Reserved")
	guid(c, &r.SessionGuid, "SessionGuid")
}

// PerfSessionInfoV2 — AUX_PERF_SESSIONINFO_V2, 2.2.2.2.3.
type PerfSessionInfoV2 struct {
	SessionID    uint16
	Reserved     uint16
	SessionGuid  prop.GUID
	ConnectionID uint32
}

func (*PerfSessionInfoV2) StructName() string { return "AUX_PERF_SESSIONINFO_V2" }
func (r *PerfSessionInfoV2) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.Reserved, "Reserved")
	guid(c, &r.SessionGuid, "SessionGuid")
	c.U32(&r.ConnectionID, "ConnectionID")
}

// PerfClientInfo — AUX_PERF_CLIENTINFO, 2.2.2.2.4.
type PerfClientInfo struct {
	AdapterSpeed uint32 // kilobits per second
	ClientID     uint16
	ClientMode   uint16
	Reserved     uint16
	MachineName  string
	UserName     string
	ClientIP     []byte
	ClientIPMask []byte
	AdapterName  string
	MacAddress   []byte
}

func (*PerfClientInfo) StructName() string { return "AUX_PERF_CLIENTINFO" }

const clientInfoFixed = 28

func (r *PerfClientInfo) codec(c *wire.Codec, x *blockCtx) {
	var machineOff, userOff, ipSize, ipOff, maskSize, maskOff, adapterOff, macSize, macOff uint16
	if c.Encoding() {
		x.layout(clientInfoFixed)
		machineOff = x.placeString(r.MachineName)
		userOff = x.placeString(r.UserName)
		ipSize, ipOff = uint16(len(r.ClientIP)), x.place(len(r.ClientIP))
		maskSize, maskOff = uint16(len(r.ClientIPMask)), x.place(len(r.ClientIPMask))
		adapterOff = x.placeString(r.AdapterName)
		macSize, macOff = uint16(len(r.MacAddress)), x.place(len(r.MacAddress))
	}
	c.U32(&r.AdapterSpeed, "AdapterSpeed")
	c.U16(&r.ClientID, "ClientID")
	offsetField(c, &machineOff, "MachineNameOffset")
	offsetField(c, &userOff, "UserNameOffset")
	offsetField(c, &ipSize, "ClientIPSize")
	offsetField(c, &ipOff, "ClientIPOffset")
	offsetField(c, &maskSize, "ClientIPMaskSize")
	offsetField(c, &maskOff, "ClientIPMaskOffset")
	offsetField(c, &adapterOff, "AdapterNameOffset")
	offsetField(c, &macSize, "MacAddressSize")
	offsetField(c, &macOff, "MacAddressOffset")
	c.U16(&r.ClientMode, "ClientMode")
	c.Named(clientModeSym)
	c.U16(&r.Reserved, "Reserved")
	if c.Failed() {
		return
	}
	x.str(c, machineOff, &r.MachineName, "MachineName", clientInfoFixed)
	x.str(c, userOff, &r.UserName, "UserName", clientInfoFixed)
	x.bin(c, ipOff, ipSize, &r.ClientIP, "ClientIP", clientInfoFixed)
	x.bin(c, maskOff, maskSize, &r.ClientIPMask, "ClientIPMask", clientInfoFixed)
	x.str(c, adapterOff, &r.AdapterName, "AdapterName", clientInfoFixed)
	x.bin(c, macOff, macSize, &r.MacAddress, "MacAddress", clientInfoFixed)
	finishVariable(c)
}

// PerfServerInfo — AUX_PERF_SERVERINFO, 2.2.2.2.5.
type PerfServerInfo struct {
	ServerID   uint16
	ServerType uint16
	ServerDN   string
	ServerName string
}

func (*PerfServerInfo) StructName() string { return "AUX_PERF_SERVERINFO" }

const serverInfoFixed = 8

func (r *PerfServerInfo) codec(c *wire.Codec, x *blockCtx) {
	var dnOff, nameOff uint16
	if c.Encoding() {
		x.layout(serverInfoFixed)
		dnOff = x.placeString(r.ServerDN)
		nameOff = x.placeString(r.ServerName)
	}
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.ServerType, "ServerType")
	c.Named(serverTypeSym)
	offsetField(c, &dnOff, "ServerDNOffset")
	offsetField(c, &nameOff, "ServerNameOffset")
	if c.Failed() {
		return
	}
	x.str(c, dnOff, &r.ServerDN, "ServerDN", serverInfoFixed)
	x.str(c, nameOff, &r.ServerName, "ServerName", serverInfoFixed)
	finishVariable(c)
}

// PerfProcessInfo — AUX_PERF_PROCESSINFO, 2.2.2.2.6.
type PerfProcessInfo struct {
	ProcessID   uint16
	Reserved_1  uint16
	ProcessGuid prop.GUID
	Reserved_2  uint16
	ProcessName string
}

func (*PerfProcessInfo) StructName() string { return "AUX_PERF_PROCESSINFO" }

const processInfoFixed = 24

func (r *PerfProcessInfo) codec(c *wire.Codec, x *blockCtx) {
	var nameOff uint16
	if c.Encoding() {
		x.layout(processInfoFixed)
		nameOff = x.placeString(r.ProcessName)
	}
	c.U16(&r.ProcessID, "ProcessID")
	c.U16(&r.Reserved_1, "Reserved_1")
	guid(c, &r.ProcessGuid, "ProcessGuid")
	offsetField(c, &nameOff, "ProcessNameOffset")
	c.U16(&r.Reserved_2, "Reserved_2")
	if c.Failed() {
		return
	}
	x.str(c, nameOff, &r.ProcessName, "ProcessName", processInfoFixed)
	finishVariable(c)
}

// PerfDefMdbSuccess — AUX_PERF_DEFMDB_SUCCESS, 2.2.2.2.7.
type PerfDefMdbSuccess struct {
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
	RequestID             uint16
	Reserved              uint16
}

func (*PerfDefMdbSuccess) StructName() string { return "AUX_PERF_DEFMDB_SUCCESS" }
func (r *PerfDefMdbSuccess) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
	c.U16(&r.RequestID, "RequestID")
	c.U16(&r.Reserved, "Reserved")
}

// PerfDefGcSuccess — AUX_PERF_DEFGC_SUCCESS, 2.2.2.2.8.
type PerfDefGcSuccess struct {
	ServerID              uint16
	SessionID             uint16
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
	RequestOperation      uint8
	Reserved              []byte // 3 bytes
}

func (*PerfDefGcSuccess) StructName() string { return "AUX_PERF_DEFGC_SUCCESS" }
func (r *PerfDefGcSuccess) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
	c.U8(&r.RequestOperation, "RequestOperation")
	reserved(c, &r.Reserved, 3, "Reserved")
}

// PerfMdbSuccess — AUX_PERF_MDB_SUCCESS, 2.2.2.2.9.
type PerfMdbSuccess struct {
	ClientID              uint16
	ServerID              uint16
	SessionID             uint16
	RequestID             uint16
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
}

func (*PerfMdbSuccess) StructName() string { return "AUX_PERF_MDB_SUCCESS" }
func (r *PerfMdbSuccess) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.RequestID, "RequestID")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
}

// PerfMdbSuccessV2 — AUX_PERF_MDB_SUCCESS_V2, 2.2.2.2.10.
type PerfMdbSuccessV2 struct {
	ProcessID             uint16
	ClientID              uint16
	ServerID              uint16
	SessionID             uint16
	RequestID             uint16
	Reserved              uint16
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
}

func (*PerfMdbSuccessV2) StructName() string { return "AUX_PERF_MDB_SUCCESS_V2" }
func (r *PerfMdbSuccessV2) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ProcessID, "ProcessID")
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.RequestID, "RequestID")
	c.U16(&r.Reserved, "Reserved")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
}

// PerfGcSuccess — AUX_PERF_GC_SUCCESS, 2.2.2.2.11.
type PerfGcSuccess struct {
	ClientID              uint16
	ServerID              uint16
	SessionID             uint16
	Reserved_1            uint16
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
	RequestOperation      uint8
	Reserved_2            []byte // 3 bytes
}

func (*PerfGcSuccess) StructName() string { return "AUX_PERF_GC_SUCCESS" }
func (r *PerfGcSuccess) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.Reserved_1, "Reserved_1")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
	c.U8(&r.RequestOperation, "RequestOperation")
	reserved(c, &r.Reserved_2, 3, "Reserved_2")
}

// PerfGcSuccessV2 — AUX_PERF_GC_SUCCESS_V2, 2.2.2.2.12.
type PerfGcSuccessV2 struct {
	ProcessID             uint16
	ClientID              uint16
	ServerID              uint16
	SessionID             uint16
	TimeSinceRequest      uint32
	TimeToCompleteRequest uint32
	RequestOperation      uint8
	Reserved              []byte // 3 bytes
}

func (*PerfGcSuccessV2) StructName() string { return "AUX_PERF_GC_SUCCESS_V2" }
func (r *PerfGcSuccessV2) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ProcessID, "ProcessID")
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToCompleteRequest, "TimeToCompleteRequest")
	c.U8(&r.RequestOperation, "RequestOperation")
	reserved(c, &r.Reserved, 3, "Reserved")
}

// PerfFailure — AUX_PERF_FAILURE, 2.2.2.2.13.
type PerfFailure struct {
	ClientID          uint16
	ServerID          uint16
	SessionID         uint16
	RequestID         uint16
	TimeSinceRequest  uint32
	TimeToFailRequest uint32
	ResultCode        uint32
	RequestOperation  uint8
	Reserved          []byte // 3 bytes
}

func (*PerfFailure) StructName() string { return "AUX_PERF_FAILURE" }
func (r *PerfFailure) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.RequestID, "RequestID")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToFailRequest, "TimeToFailRequest")
	c.U32(&r.ResultCode, "ResultCode")
	c.Hex().Named(prop.ErrorSym)
	c.U8(&r.RequestOperation, "RequestOperation")
	reserved(c, &r.Reserved, 3, "Reserved")
}

// PerfFailureV2 — AUX_PERF_FAILURE_V2, 2.2.2.2.14.
type PerfFailureV2 struct {
	ProcessID         uint16
	ClientID          uint16
	ServerID          uint16
	SessionID         uint16
	RequestID         uint16
	Reserved_1        uint16
	TimeSinceRequest  uint32
	TimeToFailRequest uint32
	ResultCode        uint32
	RequestOperation  uint8
	Reserved_2        []byte // 3 bytes
}

func (*PerfFailureV2) StructName() string { return "AUX_PERF_FAILURE_V2" }
func (r *PerfFailureV2) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ProcessID, "ProcessID")
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.ServerID, "ServerID")
	c.U16(&r.SessionID, "SessionID")
	c.U16(&r.RequestID, "RequestID")
	c.U16(&r.Reserved_1, "Reserved_1")
	c.U32(&r.TimeSinceRequest, "TimeSinceRequest")
	c.U32(&r.TimeToFailRequest, "TimeToFailRequest")
	c.U32(&r.ResultCode, "ResultCode")
	c.Hex().Named(prop.ErrorSym)
	c.U8(&r.RequestOperation, "RequestOperation")
	reserved(c, &r.Reserved_2, 3, "Reserved_2")
}

// ClientControl — AUX_CLIENT_CONTROL, 2.2.2.2.15.
type ClientControl struct {
	EnableFlags uint32
	ExpiryTime  uint32 // milliseconds
}

func (*ClientControl) StructName() string { return "AUX_CLIENT_CONTROL" }
func (r *ClientControl) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.EnableFlags, "EnableFlags")
	c.Hex().Named(enableFlagsSym)
	c.U32(&r.ExpiryTime, "ExpiryTime")
}

// OSVersionInfo — AUX_OSVERSIONINFO, 2.2.2.2.16.
type OSVersionInfo struct {
	OSVersionInfoSize uint32
	MajorVersion      uint32
	MinorVersion      uint32
	BuildNumber       uint32
	Reserved1         []byte // 132 bytes
	ServicePackMajor  uint16
	ServicePackMinor  uint16
	Reserved2         uint32
}

func (*OSVersionInfo) StructName() string { return "AUX_OSVERSIONINFO" }
func (r *OSVersionInfo) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.OSVersionInfoSize, "OSVersionInfoSize")
	c.U32(&r.MajorVersion, "MajorVersion")
	c.U32(&r.MinorVersion, "MinorVersion")
	c.U32(&r.BuildNumber, "BuildNumber")
	reserved(c, &r.Reserved1, 132, "Reserved1")
	c.U16(&r.ServicePackMajor, "ServicePackMajor")
	c.U16(&r.ServicePackMinor, "ServicePackMinor")
	c.U32(&r.Reserved2, "Reserved2")
}

// ExOrgInfo — AUX_EXORGINFO, 2.2.2.2.17.
type ExOrgInfo struct {
	OrgFlags uint32
}

func (*ExOrgInfo) StructName() string { return "AUX_EXORGINFO" }
func (r *ExOrgInfo) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.OrgFlags, "OrgFlags")
	c.Hex().Named(orgFlagsSym)
}

// PerfAccountInfo — AUX_PERF_ACCOUNTINFO, 2.2.2.2.18.
type PerfAccountInfo struct {
	ClientID uint16
	Reserved uint16
	Account  prop.GUID
}

func (*PerfAccountInfo) StructName() string { return "AUX_PERF_ACCOUNTINFO" }
func (r *PerfAccountInfo) codec(c *wire.Codec, _ *blockCtx) {
	c.U16(&r.ClientID, "ClientID")
	c.U16(&r.Reserved, "Reserved")
	guid(c, &r.Account, "Account")
}

// ServerCapabilities — AUX_SERVER_CAPABILITIES, 2.2.2.2.19.
type ServerCapabilities struct {
	ServerCapabilityFlags uint32
}

func (*ServerCapabilities) StructName() string { return "AUX_SERVER_CAPABILITIES" }
func (r *ServerCapabilities) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.ServerCapabilityFlags, "ServerCapabilityFlags")
	c.Hex().Named(serverCapabilitySym)
}

// EndpointCapabilities — AUX_ENDPOINT_CAPABILITIES, 2.2.2.2.20.
type EndpointCapabilities struct {
	EndpointCapabilityFlag uint32
}

func (*EndpointCapabilities) StructName() string { return "AUX_ENDPOINT_CAPABILITIES" }
func (r *EndpointCapabilities) codec(c *wire.Codec, _ *blockCtx) {
	c.U32(&r.EndpointCapabilityFlag, "EndpointCapabilityFlag")
	c.Hex().Named(endpointCapabilitySym)
}

// ClientConnectionInfo — AUX_CLIENT_CONNECTION_INFO, 2.2.2.2.21.
type ClientConnectionInfo struct {
	ConnectionGUID        prop.GUID
	Reserved              uint16
	ConnectionAttempts    uint32
	ConnectionFlags       uint32
	ConnectionContextInfo string
}

func (*ClientConnectionInfo) StructName() string { return "AUX_CLIENT_CONNECTION_INFO" }

const clientConnectionInfoFixed = 28

func (r *ClientConnectionInfo) codec(c *wire.Codec, x *blockCtx) {
	var off uint16
	if c.Encoding() {
		x.layout(clientConnectionInfoFixed)
		off = x.placeString(r.ConnectionContextInfo)
	}
	guid(c, &r.ConnectionGUID, "ConnectionGUID")
	offsetField(c, &off, "OffsetConnectionContextInfo")
	c.U16(&r.Reserved, "Reserved")
	c.U32(&r.ConnectionAttempts, "ConnectionAttempts")
	c.U32(&r.ConnectionFlags, "ConnectionFlags")
	c.Hex().Named(connectionFlagsSym)
	if c.Failed() {
		return
	}
	x.str(c, off, &r.ConnectionContextInfo, "ConnectionContextInfo", clientConnectionInfoFixed)
	finishVariable(c)
}

// ServerSessionInfo — AUX_SERVER_SESSION_INFO, 2.2.2.2.22.
type ServerSessionInfo struct {
	ServerSessionContextInfo string
}

func (*ServerSessionInfo) StructName() string { return "AUX_SERVER_SESSION_INFO" }

const serverSessionInfoFixed = 2

func (r *ServerSessionInfo) codec(c *wire.Codec, x *blockCtx) {
	var off uint16
	if c.Encoding() {
		x.layout(serverSessionInfoFixed)
		off = x.placeString(r.ServerSessionContextInfo)
	}
	offsetField(c, &off, "OffsetServerSessionContextInfo")
	if c.Failed() {
		return
	}
	x.str(c, off, &r.ServerSessionContextInfo, "ServerSessionContextInfo", serverSessionInfoFixed)
	finishVariable(c)
}

// ProtocolDeviceIdentification — AUX_PROTOCOL_DEVICE_IDENTIFICATION,
// 2.2.2.2.23.
type ProtocolDeviceIdentification struct {
	DeviceManufacturer    string
	DeviceModel           string
	DeviceSerialNumber    string
	DeviceVersion         string
	DeviceFirmwareVersion string
}

func (*ProtocolDeviceIdentification) StructName() string {
	return "AUX_PROTOCOL_DEVICE_IDENTIFICATION"
}

const deviceIdentificationFixed = 10

func (r *ProtocolDeviceIdentification) codec(c *wire.Codec, x *blockCtx) {
	var manOff, modelOff, serialOff, verOff, fwOff uint16
	if c.Encoding() {
		x.layout(deviceIdentificationFixed)
		manOff = x.placeString(r.DeviceManufacturer)
		modelOff = x.placeString(r.DeviceModel)
		serialOff = x.placeString(r.DeviceSerialNumber)
		verOff = x.placeString(r.DeviceVersion)
		fwOff = x.placeString(r.DeviceFirmwareVersion)
	}
	offsetField(c, &manOff, "DeviceManufacturerOffset")
	offsetField(c, &modelOff, "DeviceModelOffset")
	offsetField(c, &serialOff, "DeviceSerialNumberOffset")
	offsetField(c, &verOff, "DeviceVersionOffset")
	offsetField(c, &fwOff, "DeviceFirmwareVersionOffset")
	if c.Failed() {
		return
	}
	f := deviceIdentificationFixed
	x.str(c, manOff, &r.DeviceManufacturer, "DeviceManufacturer", f)
	x.str(c, modelOff, &r.DeviceModel, "DeviceModel", f)
	x.str(c, serialOff, &r.DeviceSerialNumber, "DeviceSerialNumber", f)
	x.str(c, verOff, &r.DeviceVersion, "DeviceVersion", f)
	x.str(c, fwOff, &r.DeviceFirmwareVersion, "DeviceFirmwareVersion", f)
	finishVariable(c)
}
