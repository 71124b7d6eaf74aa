package prop

import "github.com/mapiscope/mapiscope/decode/wire"

// Row is a PropertyRow — [MS-OXCDATA] 2.8.1. Flag 0x00 is a
// StandardPropertyRow whose Values are plain values; Flag 0x01 is a
// FlaggedPropertyRow whose Values are FlaggedValue. A column of type
// PtypUnspecified holds a TypedValue (standard) or a FlaggedValue with its
// Type set (flagged).
type Row struct {
	Flag   uint8
	Values []any
}

// Flagged reports a FlaggedPropertyRow.
func (r *Row) Flagged() bool { return r.Flag == 0x01 }

// CodecRow reads or writes a PropertyRow against a column set.
func CodecRow(c *wire.Codec, r *Row, columns []Tag, name string, w Width) {
	c.Begin(name)
	c.U8(&r.Flag, "Flag")
	c.Hex()
	if r.Flag > 1 {
		if c.Decoding() {
			c.Fail("PropertyRow: Flag 0x%02X is neither 0x00 (standard) nor 0x01 (flagged)", r.Flag)
		} else {
			c.EncodeError("PropertyRow: Flag 0x%02X", r.Flag)
		}
		c.End()
		return
	}
	if c.Decoding() {
		if len(r.Values) != len(columns) { // CodecRows hands out pre-sized rows
			r.Values = make([]any, len(columns))
		}
	} else if len(r.Values) != len(columns) {
		c.EncodeError("PropertyRow: %d values for %d columns", len(r.Values), len(columns))
		c.End()
		return
	}
	c.BeginArray("ValueArray")
	for i, col := range columns {
		if c.Failed() {
			break
		}
		var label string
		if c.Spans() {
			label = col.Name()
			if label == "" {
				label = NamedTagName(c, col)
			}
			if label == "" {
				label = col.String()
			}
		}
		t := col.Type()
		if r.Flag == 0x01 {
			fv, _ := r.Values[i].(FlaggedValue)
			CodecFlagged(c, &fv, t, label, w)
			c.SetProp(uint32(col))
			r.Values[i] = fv
			continue
		}
		if t == PtypUnspecified {
			tv, _ := r.Values[i].(TypedValue)
			CodecTyped(c, &tv, label, w)
			c.SetProp(uint32(col))
			r.Values[i] = tv
			continue
		}
		CodecValue(c, t, &r.Values[i], label, w)
		c.SetProp(uint32(col))
		annotateID(c, col, r.Values[i])
	}
	c.End()
	c.End()
}

// RowSet is a PropertyRowSet: RowCount then rows — [MS-OXCDATA] 2.8.2.
type RowSet struct {
	Rows []Row
}

// CodecRowSet reads or writes a PropertyRowSet with a 16-bit RowCount.
func CodecRowSet(c *wire.Codec, s *RowSet, columns []Tag, name string, w Width) {
	c.Begin(name)
	n := c.Count16(len(s.Rows), 1, "RowCount")
	wire.Make(c, &s.Rows, n)
	CodecRows(c, s.Rows, columns, "Rows", w)
	c.End()
}

// CodecRows reads or writes rows whose count was read elsewhere.
func CodecRows(c *wire.Codec, rows []Row, columns []Tag, name string, w Width) {
	if c.Decoding() && len(rows) > 0 && len(columns) > 0 {
		// One backing array for every cell of the row set.
		cells := make([]any, len(rows)*len(columns))
		for i := range rows {
			rows[i].Values = cells[i*len(columns) : (i+1)*len(columns) : (i+1)*len(columns)]
		}
	}
	c.BeginArray(name)
	for i := range rows {
		if c.Failed() {
			break
		}
		CodecRow(c, &rows[i], columns, "", w)
	}
	c.End()
}

// Problem is a PropertyProblem — [MS-OXCDATA] 2.7.
type Problem struct {
	Index       uint16
	PropertyTag Tag
	ErrorCode   ErrorCode
}

// CodecProblem reads or writes a PropertyProblem.
func CodecProblem(c *wire.Codec, p *Problem, name string) {
	c.Begin(name)
	c.U16(&p.Index, "Index")
	CodecTag(c, &p.PropertyTag, "PropertyTag")
	u := uint32(p.ErrorCode)
	c.U32(&u, "ErrorCode")
	c.Hex().Named(ErrorSym)
	p.ErrorCode = ErrorCode(u)
	c.End()
}

// CodecProblems reads or writes a 16-bit count and PropertyProblems.
func CodecProblems(c *wire.Codec, l *[]Problem, countName, name string) {
	n := c.Count16(len(*l), 10, countName)
	wire.Make(c, l, n)
	c.BeginArray(name)
	for i := range *l {
		CodecProblem(c, &(*l)[i], "")
	}
	c.End()
}
