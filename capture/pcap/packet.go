package pcap

import (
	"encoding/binary"
	"fmt"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Link types (LINKTYPE_* of the pcap and pcapng formats). gopacket's
// layers.LinkType is 8 bits wide, too narrow for SLL2 (276).
const (
	linkNull     = 0
	linkEthernet = 1
	linkRawA     = 12 // DLT_RAW as some systems number it
	linkRawB     = 14
	linkRaw      = 101
	linkLoop     = 108
	linkSLL      = 113
	linkIPv4     = 228
	linkIPv6     = 229
	linkSLL2     = 276
)

// linkSupported reports whether frames of a link type can be decoded.
func linkSupported(t uint32) bool {
	switch t {
	case linkEthernet, linkSLL, linkSLL2, linkRaw, linkRawA, linkRawB, linkIPv4, linkIPv6, linkNull, linkLoop:
		return true
	}
	return false
}

// linkName names a link type for messages.
func linkName(t uint32) string {
	if t == linkSLL2 {
		return "276 (Linux SLL2)"
	}
	if t < 256 {
		return fmt.Sprintf("%d (%s)", t, layers.LinkType(t))
	}
	return fmt.Sprint(t)
}

// skip says why a frame carried no usable TCP segment.
type skip uint8

const (
	skipNone     skip = iota
	skipLink          // unsupported link type
	skipNotIP         // ARP, LLDP, …
	skipNotTCP        // UDP, ICMP, …
	skipFragment      // IP fragment: not reassembled
	skipBad           // malformed or truncated before the TCP payload
)

// decoder decodes frames down to TCP with gopacket's layers, reusing one
// set of layer values (nothing is allocated per packet).
type decoder struct {
	eth  layers.Ethernet
	vlan layers.Dot1Q
	ip4  layers.IPv4
	ip6  layers.IPv6
	tcp  layers.TCP

	net     gopacket.Flow
	missing int // TCP payload bytes not captured (snap length), padded with zeros
	pad     []byte
}

// decode fills d.tcp and d.net from a frame. A panic in a layer decoder
// (gopacket's have had them on hostile input) makes the frame a bad one.
func (d *decoder) decode(data []byte, link uint32) (why skip) {
	defer func() {
		if recover() != nil {
			why = skipBad
		}
	}()
	return d.decodeLayers(data, link)
}

func (d *decoder) decodeLayers(data []byte, link uint32) skip {
	var etype layers.EthernetType
	var payload []byte
	nf := gopacket.NilDecodeFeedback
	switch link {
	case linkEthernet:
		if d.eth.DecodeFromBytes(data, nf) != nil {
			return skipBad
		}
		etype, payload = d.eth.EthernetType, d.eth.Payload
	case linkSLL:
		// Linux cooked: packet type (2), ARPHRD (2), address length (2),
		// address (8), protocol (2). (layers.LinuxSLL slices the address
		// by its length field unchecked: it panics on a bad one.)
		if len(data) < 16 {
			return skipBad
		}
		etype, payload = layers.EthernetType(binary.BigEndian.Uint16(data[14:])), data[16:]
	case linkSLL2:
		// Linux cooked v2: protocol (2), reserved (2), ifindex (4),
		// ARPHRD (2), packet type (1), address length (1), address (8).
		if len(data) < 20 {
			return skipBad
		}
		etype, payload = layers.EthernetType(binary.BigEndian.Uint16(data)), data[20:]
	case linkRaw, linkRawA, linkRawB, linkIPv4, linkIPv6:
		etype, payload = ipVersion(data), data
	case linkNull, linkLoop:
		// A 4-byte address family (host byte order for NULL, network
		// order for LOOP); the version nibble tells IPv4 from IPv6.
		if len(data) < 4 {
			return skipBad
		}
		etype, payload = ipVersion(data[4:]), data[4:]
	default:
		return skipLink
	}
	for tags := 0; etype == layers.EthernetTypeDot1Q || etype == layers.EthernetTypeQinQ || etype == 0x9100; tags++ {
		if tags == 4 || d.vlan.DecodeFromBytes(payload, nf) != nil {
			return skipBad
		}
		etype, payload = d.vlan.Type, d.vlan.Payload
	}
	var seg []byte
	switch etype {
	case layers.EthernetTypeIPv4:
		ip := &d.ip4
		if ip.DecodeFromBytes(payload, nf) != nil || ip.Version != 4 {
			return skipBad
		}
		if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
			return skipFragment
		}
		if ip.Protocol != layers.IPProtocolTCP {
			return skipNotTCP
		}
		seg = ip.Payload
		d.missing = int(ip.Length) - len(ip.Contents) - len(ip.Payload)
		d.net = ip.NetworkFlow()
	case layers.EthernetTypeIPv6:
		ip := &d.ip6
		if ip.DecodeFromBytes(payload, nf) != nil || ip.Version != 6 {
			return skipBad
		}
		next := ip.NextHeader
		hbh := 0
		if ip.HopByHop != nil {
			next = ip.HopByHop.NextHeader
			hbh = ip.HopByHop.ActualLength
		}
		d.missing = int(ip.Length) - hbh - len(ip.Payload)
		seg = ip.Payload
		for next != layers.IPProtocolTCP {
			switch next {
			case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolAH:
				if len(seg) < 8 {
					return skipBad
				}
				n := (int(seg[1]) + 1) * 8
				if next == layers.IPProtocolAH {
					n = (int(seg[1]) + 2) * 4
				}
				if n > len(seg) {
					return skipBad
				}
				next, seg = layers.IPProtocol(seg[0]), seg[n:]
			case layers.IPProtocolIPv6Fragment:
				return skipFragment
			default:
				return skipNotTCP
			}
		}
		d.net = ip.NetworkFlow()
	default:
		return skipNotIP
	}
	if d.missing < 0 {
		d.missing = 0
	}
	t := &d.tcp
	if t.DecodeFromBytes(seg, nf) != nil {
		return skipBad
	}
	if t.RST {
		// Some stacks put diagnostic text in a reset; it is not stream data.
		t.Payload, d.missing = nil, 0
	}
	if d.missing > 0 {
		// The snap length cut the segment: pad it to its real length so
		// the stream keeps its byte positions; the padding is reported.
		n := len(t.Payload) + d.missing
		if cap(d.pad) < n {
			d.pad = make([]byte, n, n+n/2)
		}
		d.pad = d.pad[:n]
		copy(d.pad, t.Payload)
		clear(d.pad[len(t.Payload):])
		t.Payload = d.pad
	}
	return skipNone
}

// ipVersion picks IPv4 or IPv6 from the version nibble of a raw packet.
func ipVersion(b []byte) layers.EthernetType {
	if len(b) == 0 {
		return 0
	}
	switch b[0] >> 4 {
	case 4:
		return layers.EthernetTypeIPv4
	case 6:
		return layers.EthernetTypeIPv6
	}
	return 0
}
