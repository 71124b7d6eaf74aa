package nspi

import (
	"strings"

	nsp "github.com/mapiscope/mapiscope/decode/nspi"
	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/server/store"
)

// anrMatch is ambiguous name resolution of one string against one object
// — [MS-OXNSPI] ambiguous name resolution (ANR), as Exchange does it: exact is a
// case-insensitive match of the whole SMTP address (with or without
// "SMTP:"), alias, display name or distinguished name (with or without
// "EX:"); prefix is a match of the beginning of the display name, of any
// word of it, of the alias or of the SMTP address. A leading "=" asks for
// exact matches only.
func anrMatch(o *object, s string) (exact, prefix bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	exactOnly := strings.HasPrefix(s, "=")
	if exactOnly {
		s = strings.TrimSpace(s[1:])
	}
	if s == "" || o == nil {
		return false, false
	}
	name, alias, email := strings.ToLower(o.displayName), strings.ToLower(o.alias), strings.ToLower(o.email)
	dn := strings.ToLower(o.dn)
	bare := strings.TrimPrefix(strings.TrimPrefix(s, "smtp:"), "ex:")
	if (email != "" && bare == email) || (alias != "" && s == alias) || s == name || bare == dn {
		return true, false
	}
	if exactOnly {
		return false, false
	}
	if strings.HasPrefix(name, s) || (alias != "" && strings.HasPrefix(alias, s)) || (email != "" && strings.HasPrefix(email, bare)) {
		return false, true
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '-' }) {
		if strings.HasPrefix(w, s) {
			return false, true
		}
	}
	return false, false
}

// resolve is the ANR result of one name over the GAL: a single exact
// match wins; else a single prefix match; several are ambiguous —
// [MS-OXNSPI] 2.2.1.9 (MID_UNRESOLVED, MID_AMBIGUOUS).
func (g *gal) resolve(name string) (uint32, *object) {
	var exact, prefix []*object
	for _, o := range g.rows {
		e, p := anrMatch(o, name)
		switch {
		case e:
			exact = append(exact, o)
		case p:
			prefix = append(prefix, o)
		}
	}
	for _, set := range [][]*object{exact, prefix} {
		switch len(set) {
		case 0:
			continue
		case 1:
			return set[0].mid, set[0]
		default:
			return nsp.MIDAmbiguous, nil
		}
	}
	return nsp.MIDUnresolved, nil
}

// resolveNames is NspiResolveNamesW — [MS-OXNSPI] 3.1.4.1 and
// [MS-OXCMAPIHTTP] 2.2.5.14: one Minimal Entry ID (or MID_UNRESOLVED,
// MID_AMBIGUOUS) per name, and a row of the requested columns (the
// default columns when none) per resolved name.
func (g *gal) resolveNames(r *nsp.ResolveNamesRequest) nsp.Body {
	st := stateOr(r.State)
	if code := checkTable(st); code != Success {
		return &nsp.ResolveNamesResponse{ResponseHeader: header(code)}
	}
	resp := &nsp.ResolveNamesResponse{ResponseHeader: header(Success), CodePage: st.CodePage}
	if len(r.NameValues) == 0 {
		return resp
	}
	cols := columnsOr(r.PropertyTags)
	var hits []*object
	resp.MinimalIds = make([]uint32, len(r.NameValues))
	for i, name := range r.NameValues {
		mid, o := g.resolve(name)
		resp.MinimalIds[i] = mid
		if o != nil {
			hits = append(hits, o)
		}
	}
	resp.HasMinimalIds = nsp.True
	if len(hits) > 0 {
		resp.HasRowsAndCols = nsp.True
		resp.PropertyTags = cols
		resp.RowData = g.rowSet(hits, cols, 0)
	}
	return resp
}

// dnToMId is NspiDNToMId — [MS-OXNSPI] 3.1.4.1: the Minimal Entry ID
// of each distinguished name, 0 for a name the server does not know.
func (g *gal) dnToMId(r *nsp.DNToMIdRequest) nsp.Body {
	resp := &nsp.DNToMIdResponse{ResponseHeader: header(Success), HasMinimalIds: nsp.True}
	resp.MinimalIds = make([]uint32, len(r.NameValues))
	for i, dn := range r.NameValues {
		if o := g.byName(dn); o != nil {
			resp.MinimalIds[i] = o.mid
		}
	}
	return resp
}

// getMatches is NspiGetMatches — [MS-OXNSPI] 3.1.4.1.10: the rows of the
// GAL (or of the explicit table of MinimalIds) that satisfy Filter, as an
// explicit table, with the requested columns. A filter on PidTagAnr is
// ambiguous name resolution (anrMatch); other restrictions are evaluated
// with the store's evaluator. More matches than RowCount is TableTooBig
// (constraint 16). Without a filter the request names a property of the
// object at CurrentRec holding links (PidTagAddressBookMember and the
// like); users have none, so the table is empty, and an object that
// cannot be located is GeneralFailure (constraint 10).
func (g *gal) getMatches(r *nsp.GetMatchesRequest) nsp.Body {
	st := stateOr(r.State)
	fail := func(code prop.ErrorCode) nsp.Body { return &nsp.GetMatchesResponse{ResponseHeader: header(code)} }
	if !serviceCodePage(st.CodePage) {
		return fail(InvalidCodepage)
	}
	var matches []*object
	if r.Filter == nil {
		if g.lookup(st.CurrentRec) == nil {
			return fail(GeneralFailure)
		}
	} else {
		if st.SortType != nsp.SortTypeDisplayName && st.SortType != nsp.SortTypePhoneticDisplayName {
			return fail(TooComplex)
		}
		if st.ContainerID != galContainerID {
			return fail(InvalidBookmark)
		}
		candidates := g.rows
		if len(r.MinimalIds) > 0 {
			candidates = nil
			for _, mid := range r.MinimalIds {
				if o := g.lookup(mid); o != nil {
					candidates = append(candidates, o)
				}
			}
		}
		for _, o := range candidates {
			if g.matches(r.Filter, o) {
				matches = append(matches, o)
			}
		}
	}
	if uint64(len(matches)) > uint64(r.RowCount) {
		return fail(TableTooBig)
	}
	ids := make([]uint32, len(matches))
	for i, o := range matches {
		ids[i] = o.mid
	}
	out := st
	out.CurrentRec, out.Delta, out.NumPos, out.TotalRecs = nsp.MIDBeginningOfTable, 0, 0, uint32(len(ids))
	resp := &nsp.GetMatchesResponse{
		ResponseHeader: header(Success),
		State:          &out,
		HasMinimalIds:  nsp.True,
		MinimalIds:     ids,
	}
	if len(r.Columns) > 0 {
		resp.HasColsAndRows = nsp.True
		resp.Columns = r.Columns
		resp.RowData = g.rowSet(matches, r.Columns, nsp.FEphID)
	}
	return resp
}

// matches evaluates a restriction over one object. And, Or, Not and
// Comment are walked here so that a PidTagAnr leaf anywhere in the tree
// is name resolution; every other leaf goes to store.Eval.
func (g *gal) matches(r *prop.Restriction, o *object) bool {
	if r == nil {
		return true
	}
	switch r.RestrictType {
	case prop.RestrictAnd:
		for i := range r.Restricts {
			if !g.matches(&r.Restricts[i], o) {
				return false
			}
		}
		return true
	case prop.RestrictOr:
		for i := range r.Restricts {
			if g.matches(&r.Restricts[i], o) {
				return true
			}
		}
		return false
	case prop.RestrictNot:
		return r.Restriction != nil && !g.matches(r.Restriction, o)
	case prop.RestrictComment:
		return r.Restriction == nil || g.matches(r.Restriction, o)
	case prop.RestrictProperty, prop.RestrictContent:
		if r.PropTag.ID() == tagAnr.ID() {
			s, ok := r.TaggedValue.Value.(string)
			if !ok {
				return false
			}
			e, p := anrMatch(o, s)
			return e || p
		}
	}
	return store.Eval(r, source{g, o})
}
