// Package fxics decodes and encodes the bulk-transfer data of
// [MS-OXCFXICS]: FastTransfer streams and the ICS state and IDSETs they
// carry.
//
// # FastTransfer streams
//
// Outlook's cached mode downloads folder hierarchies and contents as
// FastTransfer streams, returned piecewise in the TransferBuffer of
// RopFastTransferSourceGetBuffer responses and split at any byte; uploads
// go through RopFastTransferDestinationPutBuffer. Three layers:
//
//   - Lexer (2.2.4.1): bytes → atoms. An atom is a marker (StartMessage,
//     IncrSyncChg, ...) or a propValue: the property tag, for a named
//     property (id 0x8000 and up) its propertySet GUID and dispid or name,
//     then the value in FastTransfer encoding (fixed-size types as they are,
//     PtypBoolean on 2 bytes, variable-size types and code page strings
//     behind a 4-byte length, multi-valued types behind a 4-byte count,
//     MetaTagIdsetGiven's binary payload despite its PtypInteger32 type).
//     Feed takes the stream in pieces split anywhere; the atoms do not
//     depend on the split. Values over LexerOptions.MaxValue (1 MiB) are
//     streamed through with their first bytes kept and marked Truncated.
//   - Parser (2.2.4.2, 2.2.4.3): atoms → an Element tree with the grammar's
//     names (contentsSync, messageChangeFull, deletions, state, ...). It is
//     incremental, starts from a known root or guesses it, and turns
//     unexpected atoms into anomalies without stopping.
//   - Writer: elements or atoms → bytes, for the built-in server; the
//     builders (M, P, PL, E, ICSState.Element, MessageChangeFullElement, ...)
//     make the trees.
//
// Decoder combines the lexer and parser for the session layer;
// DecodeStream decodes a whole stream at once, with a wire.Node span tree
// for display.
//
// # ICS state, IDSETs, XIDs
//
// IDSet is a set of IDs or change numbers per replica (2.2.2.4), decoded
// from both serialized forms (REPLID and REPLGUID based) through the GLOBSET
// command language (2.2.2.6, 3.1.5.4.3: Push, Pop, Range, Bitmask, End)
// into explicit GLOBCNT ranges, re-encoded canonically, and combined with
// Union, Difference, Intersect and Contains. XID (2.2.2.2), the
// PredecessorChangeList (2.2.2.3) and CN (2.2.2.1) have decoders and
// encoders too, as do ProgressInformation (2.2.2.7), PropertyGroupInfo
// (2.2.2.8) and FolderReplicaInfo (2.2.2.9).
package fxics
