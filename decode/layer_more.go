package decode

import (
	"encoding/binary"
	"errors"

	"github.com/mapiscope/mapiscope/decode/autodiscover"
	"github.com/mapiscope/mapiscope/decode/fxics"
	"github.com/mapiscope/mapiscope/decode/lz77"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// maxLZ77Out bounds what the lz77 layer will produce from standalone input.
const maxLZ77Out = 64 << 20

func init() {
	addLayer(&Layer{Name: "lz77", Aliases: []string{"compressed"},
		Help: "LZ77 (DIRECT2 / MS-XCA Plain LZ77) compressed bytes, as in RPC_HEADER_EXT",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "LZ77", func(c *wire.Codec) any {
				out, err := lz77.Decompress(b, maxLZ77Out)
				if c.Spans() {
					t := c.Tree()
					add := func(name string, v any, off, n int, hex bool) {
						t.Children = append(t.Children, &wire.Node{Name: name, Value: v, Off: off, Len: n, Hex: hex})
					}
					add("compressed", append([]byte(nil), b...), 0, len(b), false)
					if len(b) >= 4 {
						add("Flags", uint64(binary.LittleEndian.Uint32(b)), 0, 4, true)
					}
					if err == nil {
						add("decompressed", out, 0, len(b), false)
						add("decompressed_size", uint64(len(out)), 0, len(b), false)
					}
				}
				if err != nil {
					off := 0
					var le *lz77.Error
					if errors.As(err, &le) {
						off = le.Offset
					}
					c.NoteAt(off, "%v", err)
					return nil
				}
				c.Advance(len(b))
				return out
			})
		}})
	addLayer(&Layer{Name: "autodiscover", Aliases: []string{"pox"},
		Help: "an Autodiscover POX request or response (MS-OXDSCLI, schemas 2006/2006a)",
		Decode: func(b []byte, o Options) *Result {
			t, d, a := autodiscover.Inspect(b)
			return &Result{Tree: t, Anomalies: a, Value: d, Consumed: len(b)}
		}})
	addLayer(&Layer{Name: "fasttransfer", Aliases: []string{"fxics", "ftstream"}, NoAuto: true,
		Help: "a FastTransfer stream; --type names its root (contentsSync, hierarchySync, state, messageContent, folderContent, attachmentContent, messageList, topFolder; default: guess)",
		Decode: func(b []byte, o Options) *Result {
			root, err := fxics.ParseRoot(o.Type)
			if err != nil {
				return &Result{Anomalies: []wire.Anomaly{{Reason: err.Error()}}}
			}
			e, n, an := fxics.DecodeStream(b, root, true)
			if n != nil {
				n = &wire.Node{Name: "FastTransferStream", Kind: wire.KindStruct, Sym: e.Kind.String(), Len: len(b), Children: []*wire.Node{n}}
			}
			return &Result{Tree: n, Anomalies: an, Value: e, Consumed: len(b)}
		}})
	addLayer(&Layer{Name: "idset", NoAuto: true,
		Help: "an IDSET (ICS state: MetaTagCnsetSeen, MetaTagIdsetGiven, …); --type REPLGUID or REPLID (default: guess)",
		Decode: func(b []byte, o Options) *Result {
			form, err := fxics.ParseIDSetForm(o.Type)
			if err != nil {
				return &Result{Anomalies: []wire.Anomaly{{Reason: err.Error()}}}
			}
			set, _, n, an := fxics.DecodeIDSetNode(b, form, 0, true)
			return &Result{Tree: n, Anomalies: an, Value: set, Consumed: len(b)}
		}})
	addLayer(&Layer{Name: "guid", Aliases: []string{"nspi_guid", "flatuid"},
		Help: "a 16-byte GUID / FlatUID",
		Decode: func(b []byte, o Options) *Result {
			return run(b, o, "GUID", func(c *wire.Codec) any {
				var g [16]byte
				c.Array16(&g, "GUID")
				trailing(c)
				return g
			})
		}})
}
