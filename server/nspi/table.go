package nspi

import (
	"sort"
	"strings"

	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
)

// stateOr returns the request's STAT, or the STAT of a fresh session
// (the GAL, sorted by display name, at its beginning).
func stateOr(s *nsp.STAT) nsp.STAT {
	if s != nil {
		return *s
	}
	return nsp.STAT{SortType: nsp.SortTypeDisplayName, CodePage: defaultCodePage, TemplateLocale: 0x409, SortLocale: 0x409}
}

// checkTable validates the table a STAT names: a code page the server
// serves (CP_WINUNICODE leaves the behaviour to the server, [MS-OXNSPI]
// 3.1.4.1.4 constraint 1; this one refuses it), and the Global Address
// List, the only container (InvalidBookmark otherwise — 3.1.4.1.4
// constraint 4, 3.1.4.1.8 constraint 5).
func checkTable(st nsp.STAT) prop.ErrorCode {
	if !serviceCodePage(st.CodePage) {
		return InvalidCodepage
	}
	if st.ContainerID != galContainerID {
		return InvalidBookmark
	}
	return Success
}

// locate finds the Current Position a STAT specifies, then moves it by
// Delta — [MS-OXNSPI] 3.1.4.5.1 (Absolute Positioning: CurrentRec names a
// row or MID_BEGINNING_OF_TABLE / MID_END_OF_TABLE; NotFound when the row
// is not in the table) and 3.1.4.5.2 (Fractional Positioning: CurrentRec
// MID_CURRENT, the row at NumPos × TotalRecs(server) ÷ TotalRecs(client)).
// A position before the first row becomes the first row; one past the
// last row becomes MID_END_OF_TABLE. It returns the row index before and
// after Delta (len(table) for the end of the table).
func locate(table []*object, pos map[uint32]int, st nsp.STAT) (start, end int, code prop.ErrorCode) {
	n := len(table)
	switch st.CurrentRec {
	case nsp.MIDBeginningOfTable:
		start = 0
	case nsp.MIDEndOfTable:
		start = n
	case nsp.MIDCurrent:
		if st.TotalRecs != 0 {
			start = int(uint64(n) * uint64(st.NumPos) / uint64(st.TotalRecs))
		}
		if start > n {
			start = n
		}
	default:
		i, ok := pos[st.CurrentRec]
		if !ok {
			return 0, 0, NotFound
		}
		start = i
	}
	end = start + int(st.Delta)
	if end < 0 {
		end = 0
	}
	if end > n {
		end = n
	}
	return start, end, Success
}

// positioned returns st with the position set to row index i of table:
// CurrentRec the row's Minimal Entry ID (MID_END_OF_TABLE past the last
// row), NumPos i (reported exactly), TotalRecs the row count, and Delta 0
// since the move has been made.
func positioned(st nsp.STAT, table []*object, i int) *nsp.STAT {
	if i < len(table) {
		st.CurrentRec = table[i].mid
	} else {
		st.CurrentRec = nsp.MIDEndOfTable
	}
	st.NumPos = uint32(i)
	st.TotalRecs = uint32(len(table))
	st.Delta = 0
	return &st
}

// updateStat is NspiUpdateStat — [MS-OXNSPI] 3.1.4.1.4: the STAT moved to
// its new position and, when asked, the number of rows moved.
func (g *gal) updateStat(r *nsp.UpdateStatRequest) nsp.Body {
	st := stateOr(r.State)
	if code := checkTable(st); code != Success {
		return &nsp.UpdateStatResponse{ResponseHeader: header(code)}
	}
	start, end, code := locate(g.rows, g.pos, st)
	if code != Success {
		return &nsp.UpdateStatResponse{ResponseHeader: header(code)}
	}
	resp := &nsp.UpdateStatResponse{ResponseHeader: header(Success), State: positioned(st, g.rows, end)}
	if r.DeltaRequested.Set() {
		resp.HasDelta, resp.Delta = nsp.True, int32(end-start)
	}
	return resp
}

// queryRows is NspiQueryRows — [MS-OXNSPI] 3.1.4.1.8. With an explicit
// table the rows are those of its Minimal Entry IDs, in order (an unknown
// one gives a row of errors), and the STAT is returned as sent; otherwise
// the rows are read from the STAT's position, at most Count of them, and
// the position moves past them.
func (g *gal) queryRows(r *nsp.QueryRowsRequest) nsp.Body {
	st := stateOr(r.State)
	cols := columnsOr(r.Columns)
	if len(r.ExplicitTable) > 0 {
		if !knownCodePage(st.CodePage) {
			return &nsp.QueryRowsResponse{ResponseHeader: header(InvalidCodepage)}
		}
		ids := r.ExplicitTable
		if r.RowCount != 0 && int(r.RowCount) < len(ids) {
			ids = ids[:r.RowCount]
		}
		objs := make([]*object, len(ids))
		for i, mid := range ids {
			objs[i] = g.lookup(mid)
		}
		return &nsp.QueryRowsResponse{
			ResponseHeader: header(Success),
			State:          &st,
			HasColsAndRows: nsp.True,
			Columns:        cols,
			RowData:        g.rowSet(objs, cols, r.Flags),
		}
	}
	if code := checkTable(st); code != Success {
		return &nsp.QueryRowsResponse{ResponseHeader: header(code)}
	}
	if r.RowCount == 0 {
		return &nsp.QueryRowsResponse{ResponseHeader: header(InvalidParameter)}
	}
	_, at, code := locate(g.rows, g.pos, st)
	if code != Success {
		return &nsp.QueryRowsResponse{ResponseHeader: header(code)}
	}
	n := len(g.rows) - at
	if uint64(n) > uint64(r.RowCount) {
		n = int(r.RowCount)
	}
	objs := g.rows[at : at+n]
	return &nsp.QueryRowsResponse{
		ResponseHeader: header(Success),
		State:          positioned(st, g.rows, at+n),
		HasColsAndRows: nsp.True,
		Columns:        cols,
		RowData:        g.rowSet(objs, cols, r.Flags),
	}
}

// seekEntries is NspiSeekEntries — [MS-OXNSPI] 3.1.4.1.9: position the
// table (the GAL, or the explicit table sent) on the first row whose
// display name is greater than or equal to Target. Only the display name
// sort is served (GeneralFailure for any other, constraints 9 to 12); no
// such row is NotFound (constraint 13). The rows returned are those
// QueryRows would return from the new position (constraint 15), at most
// maxSeekRows.
func (g *gal) seekEntries(r *nsp.SeekEntriesRequest) nsp.Body {
	st := stateOr(r.State)
	fail := func(code prop.ErrorCode) nsp.Body { return &nsp.SeekEntriesResponse{ResponseHeader: header(code)} }
	if code := checkTable(st); code != Success {
		return fail(code)
	}
	if st.SortType != nsp.SortTypeDisplayName {
		return fail(GeneralFailure)
	}
	if r.Target == nil {
		return fail(InvalidParameter)
	}
	target, ok := r.Target.Value.(string)
	if r.Target.PropertyId != tagDisplayName.ID() || !ok ||
		(r.Target.PropertyType != prop.PtypString && r.Target.PropertyType != prop.PtypString8) {
		return fail(GeneralFailure)
	}
	table := g.rows
	if len(r.ExplicitTable) > 0 {
		table = make([]*object, 0, len(r.ExplicitTable))
		for _, mid := range r.ExplicitTable {
			if o := g.lookup(mid); o != nil {
				table = append(table, o)
			}
		}
	}
	key := strings.ToLower(target)
	found := -1
	for i, o := range table {
		if strings.ToLower(o.displayName) >= key {
			found = i
			break
		}
	}
	if found < 0 {
		return fail(NotFound)
	}
	out := st
	out.CurrentRec = table[found].mid
	out.NumPos = uint32(found)
	out.TotalRecs = uint32(len(table))
	resp := &nsp.SeekEntriesResponse{ResponseHeader: header(Success), State: &out}
	if len(r.Columns) > 0 {
		last := found + maxSeekRows
		if last > len(table) {
			last = len(table)
		}
		resp.HasColsAndRows = nsp.True
		resp.Columns = r.Columns
		resp.RowData = g.rowSet(table[found:last], r.Columns, nsp.FEphID)
	}
	return resp
}

// compareMIds is NspiCompareMIds — [MS-OXNSPI] 3.1.4.1: the difference
// of the two rows' positions (negative when MinimalId1 comes first);
// GeneralFailure when either is not in the table (constraint 5).
func (g *gal) compareMIds(r *nsp.CompareMIdsRequest) nsp.Body {
	st := stateOr(r.State)
	if code := checkTable(st); code != Success {
		return &nsp.CompareMIdsResponse{ResponseHeader: header(code)}
	}
	a, ok1 := g.pos[r.MinimalId1]
	b, ok2 := g.pos[r.MinimalId2]
	if !ok1 || !ok2 {
		return &nsp.CompareMIdsResponse{ResponseHeader: header(GeneralFailure)}
	}
	return &nsp.CompareMIdsResponse{ResponseHeader: header(Success), Result: int32(a - b)}
}

// resortRestriction is NspiResortRestriction — [MS-OXNSPI] 3.1.4.1:
// the explicit table sorted by display name (unknown Minimal Entry IDs
// dropped), positioned on CurrentRec when it is in the table and at its
// beginning otherwise.
func (g *gal) resortRestriction(r *nsp.ResortRestrictionRequest) nsp.Body {
	st := stateOr(r.State)
	if !serviceCodePage(st.CodePage) {
		return &nsp.ResortRestrictionResponse{ResponseHeader: header(InvalidCodepage)}
	}
	if st.SortType != nsp.SortTypeDisplayName {
		return &nsp.ResortRestrictionResponse{ResponseHeader: header(GeneralFailure)}
	}
	seen := map[uint32]bool{}
	var objs []*object
	for _, mid := range r.MinimalIds {
		if o := g.lookup(mid); o != nil && !seen[mid] {
			seen[mid] = true
			objs = append(objs, o)
		}
	}
	sort.SliceStable(objs, func(i, j int) bool { return g.before(objs[i], objs[j]) })
	ids := make([]uint32, len(objs))
	out := st
	out.CurrentRec, out.NumPos = nsp.MIDBeginningOfTable, 0
	for i, o := range objs {
		ids[i] = o.mid
		if o.mid == st.CurrentRec {
			out.CurrentRec, out.NumPos = o.mid, uint32(i)
		}
	}
	out.TotalRecs = uint32(len(ids))
	out.Delta = 0
	return &nsp.ResortRestrictionResponse{
		ResponseHeader: header(Success),
		State:          &out,
		HasMinimalIds:  nsp.True,
		MinimalIds:     ids,
	}
}

// before orders two objects as the GAL does: by position, hidden objects
// last, by display name among themselves.
func (g *gal) before(a, b *object) bool {
	i, okA := g.pos[a.mid]
	j, okB := g.pos[b.mid]
	switch {
	case okA && okB:
		return i < j
	case okA != okB:
		return okA
	}
	return strings.ToLower(a.displayName) < strings.ToLower(b.displayName)
}
