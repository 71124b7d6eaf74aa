package prop

import "github.com/mapiscope/mapiscope/decode/wire"

// SortOrder is one sort key — [MS-OXCDATA] 2.13.1. On the wire the type
// comes before the id, the reverse of a PropertyTag.
type SortOrder struct {
	PropertyType Type
	PropertyId   uint16
	Order        uint8
}

// Tag returns the sort key as a property tag.
func (s SortOrder) Tag() Tag { return NewTag(s.PropertyId, s.PropertyType) }

// Order values.
const (
	OrderAscending       uint8 = 0x00
	OrderDescending      uint8 = 0x01
	OrderMaximumCategory uint8 = 0x04
)

func orderSym(v uint64) string {
	switch uint8(v) {
	case OrderAscending:
		return "Ascending"
	case OrderDescending:
		return "Descending"
	case OrderMaximumCategory:
		return "MaximumCategory"
	}
	return ""
}

// CodecSortOrder reads or writes one SortOrder.
func CodecSortOrder(c *wire.Codec, s *SortOrder, name string) {
	c.Begin(name)
	CodecType(c, &s.PropertyType, "PropertyType")
	c.U16(&s.PropertyId, "PropertyId")
	c.Hex()
	if c.Spans() {
		t := s.Tag()
		c.Derive("PropertyTag", uint64(t), true, TagSym(uint64(t)))
	}
	c.U8(&s.Order, "Order")
	c.Hex().Named(orderSym)
	c.End()
}

// SortOrderSet — [MS-OXCDATA] 2.13.2.
type SortOrderSet struct {
	CategorizedCount uint16
	ExpandedCount    uint16
	SortOrders       []SortOrder
}

// CodecSortOrderSet reads or writes a SortOrderSet.
func CodecSortOrderSet(c *wire.Codec, s *SortOrderSet, name string) {
	c.Begin(name)
	n := c.Count16(len(s.SortOrders), 5, "SortOrderCount")
	c.U16(&s.CategorizedCount, "CategorizedCount")
	c.U16(&s.ExpandedCount, "ExpandedCount")
	wire.Make(c, &s.SortOrders, n)
	CodecSortOrders(c, s.SortOrders, "SortOrders")
	c.End()
}

// CodecSortOrders reads or writes SortOrders whose count was read elsewhere.
func CodecSortOrders(c *wire.Codec, l []SortOrder, name string) {
	c.BeginArray(name)
	for i := range l {
		CodecSortOrder(c, &l[i], "")
	}
	c.End()
}
