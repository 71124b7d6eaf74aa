// Package replay re-runs recorded MAPI sessions against a server and
// compares the answers ROP by ROP, compares two recorded sessions (diff),
// and answers a client from a recorded trace (mock). Byte-equal
// comparison cannot work for MAPI — handles, ids, cookies, GUIDs and times
// change on every run — so comparison works on the decoded ROPs after
// normalisation: this file.
package replay

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/mapiscope/mapiscope/decode/propnames"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Difference is one field that differs between a recorded and a live (or
// a second recorded) ROP.
type Difference struct {
	Path     string `json:"path"`
	Recorded string `json:"recorded"`
	Live     string `json:"live"`
}

func (d Difference) String() string {
	return fmt.Sprintf("%s: %s → %s", d.Path, d.Recorded, d.Live)
}

// Normalizer decides which fields to leave out of a comparison and maps
// server-generated values (ids, GUIDs) between the two sides.
type Normalizer struct {
	fields map[string]bool   // field names, lower case
	props  map[uint16]bool   // property ids
	paths  []string          // path.Match patterns over "/"-joined paths
	rops   map[string]bool   // ROP names, lower case, without "Rop"
	IDs    *BiMap            // FolderID/MessageID strings RRRR-GGGGGGGGGGGG
	GUIDs  *BiMap            // 32-hex-digit GUID bytes
	guidRe map[string]string // recorded → live GUID bytes, for binary values

	fieldHit map[string]bool // ignoredField's answers by spelling
}

// DefaultFields are the fields every comparison leaves out: times and
// GUIDs a server makes up per logon or per mailbox (GUIDs are learnt and
// mapped inside binary values), handles.
var DefaultFields = []string{
	"LogonTime", "GwartTime", "MailboxGuid", "ReplGuid", "PerUserGuid", "ServerGuid",
	"NotificationHandle", "SessionIndex",
}

// DefaultProps are the properties every comparison leaves out: times,
// change tracking (change numbers and keys, predecessor change lists),
// and keys the server generates.
var DefaultProps = []uint16{
	0x3007, // PidTagCreationTime
	0x3008, // PidTagLastModificationTime
	0x0E06, // PidTagMessageDeliveryTime
	0x0039, // PidTagClientSubmitTime
	0x0E23, // PidTagInternetArticleNumber
	0x6709, // PidTagLocalCommitTime
	0x670A, // PidTagLocalCommitTimeMax
	0x65E2, // PidTagChangeKey
	0x65E3, // PidTagPredecessorChangeList
	0x67A4, // PidTagChangeNumber
	0x65E0, // PidTagSourceKey
	0x65E1, // PidTagParentSourceKey
	0x0FF6, // PidTagInstanceKey
	0x300B, // PidTagSearchKey
	0x1035, // PidTagInternetMessageId
	0x0071, // PidTagConversationIndex
	0x3013, // PidTagConversationId
	0x6641, // PidTagDeletedCountTotal
	0x7C06, // PidTagRoamingDatatypes (per-user)
}

// NewNormalizer returns a normaliser with the default rules.
func NewNormalizer() *Normalizer {
	n := &Normalizer{fields: map[string]bool{}, props: map[uint16]bool{}, rops: map[string]bool{}, IDs: NewBiMap(), GUIDs: NewBiMap(), guidRe: map[string]string{}}
	for _, f := range DefaultFields {
		n.fields[strings.ToLower(f)] = true
	}
	for _, p := range DefaultProps {
		n.props[p] = true
	}
	return n
}

// IgnoreField, IgnoreProp, IgnorePath and IgnoreRop add rules.
func (n *Normalizer) IgnoreField(name string) { n.fields[strings.ToLower(name)] = true }
func (n *Normalizer) IgnoreProp(id uint16)    { n.props[id] = true }
func (n *Normalizer) IgnorePath(p string)     { n.paths = append(n.paths, p) }
func (n *Normalizer) IgnoreRop(name string) {
	n.rops[strings.ToLower(strings.TrimPrefix(name, "Rop"))] = true
}

// IgnoresRop reports whether a ROP is left out of comparisons entirely.
func (n *Normalizer) IgnoresRop(name string) bool {
	return n.rops[strings.ToLower(strings.TrimPrefix(name, "Rop"))]
}

// LoadRules reads an --ignore file: one rule per line, # comments.
//
//	field NAME        a field of any ROP (LogonTime, ReturnValue, …)
//	prop  TAG         a property, by name (PidTagSubject) or tag/id (0x0037001F, 0x0037)
//	path  PATTERN     a path, with * and ? (RopGetPropertiesAll/*/PidTagSubject)
//	rop   NAME        a whole ROP (RopGetStoreState)
func (n *Normalizer) LoadRules(r io.Reader) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		kind, arg, _ := strings.Cut(s, " ")
		arg = strings.TrimSpace(arg)
		if arg == "" {
			return fmt.Errorf("line %d: %q needs an argument", line, kind)
		}
		switch strings.ToLower(kind) {
		case "field":
			n.IgnoreField(arg)
		case "prop":
			id, err := propID(arg)
			if err != nil {
				return fmt.Errorf("line %d: %v", line, err)
			}
			n.IgnoreProp(id)
		case "path":
			if _, err := path.Match(arg, ""); err != nil {
				return fmt.Errorf("line %d: pattern %q: %v", line, arg, err)
			}
			n.IgnorePath(arg)
		case "rop":
			n.IgnoreRop(arg)
		default:
			return fmt.Errorf("line %d: unknown rule %q (field, prop, path or rop)", line, kind)
		}
	}
	return sc.Err()
}

func propID(s string) (uint16, error) {
	if strings.HasPrefix(strings.ToLower(s), "0x") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, fmt.Errorf("property %q: %v", s, err)
		}
		if len(s) > 6 {
			return uint16(v >> 16), nil
		}
		return uint16(v), nil
	}
	if tag, ok := propnames.LookupTag(s); ok {
		return uint16(tag >> 16), nil
	}
	return 0, fmt.Errorf("unknown property %q", s)
}

// BiMap is a one-to-one mapping learnt as values are first seen together.
type BiMap struct {
	fwd, rev map[string]string
}

func NewBiMap() *BiMap { return &BiMap{fwd: map[string]string{}, rev: map[string]string{}} }

// Match reports whether rec and live correspond: learnt when neither was
// seen before, checked afterwards.
func (m *BiMap) Match(rec, live string) bool {
	if l, ok := m.fwd[rec]; ok {
		return l == live
	}
	if r, ok := m.rev[live]; ok {
		return r == rec
	}
	m.fwd[rec], m.rev[live] = live, rec
	return true
}

// Live returns the live value of a recorded one, if learnt.
func (m *BiMap) Live(rec string) (string, bool) { v, ok := m.fwd[rec]; return v, ok }

// Recorded returns the recorded value of a live one, if learnt.
func (m *BiMap) Recorded(live string) (string, bool) { v, ok := m.rev[live]; return v, ok }

// Len returns how many pairs are known.
func (m *BiMap) Len() int { return len(m.fwd) }

var (
	idRe   = regexp.MustCompile(`^[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	guidRe = regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)
)

// mappedProps are Integer64 properties whose values the server generates
// and that are compared through a learnt mapping rather than as numbers:
// PidTagRuleId, PidTagMemberId.
var mappedProps = map[uint16]bool{0x6674: true, 0x6671: true}

// Compare returns the differences between a recorded and a live decoded
// structure (ROP responses, or requests), after normalisation. root names
// the top of the paths.
func (n *Normalizer) Compare(rec, live *wire.Node) []Difference {
	var out []Difference
	if rec == nil || live == nil {
		if rec != live {
			out = append(out, Difference{Path: nodeName(rec, live), Recorded: present(rec), Live: present(live)})
		}
		return out
	}
	n.compare(&pathT{name: rec.Name}, rec, live, &out, 0)
	return out
}

func present(nd *wire.Node) string {
	if nd == nil {
		return "(none)"
	}
	return "(present)"
}

func nodeName(a, b *wire.Node) string {
	if a != nil {
		return a.Name
	}
	if b != nil {
		return b.Name
	}
	return ""
}

// pathT is a node's path, built into a string only when a difference or
// a path rule needs it.
type pathT struct {
	parent *pathT
	name   string
}

func (p *pathT) String() string {
	if p.parent == nil {
		return p.name
	}
	return p.parent.String() + "/" + p.name
}

// ignoredField looks a field name up case-insensitively, remembering the
// answer per spelling (node names come from a fixed set).
func (n *Normalizer) ignoredField(name string) bool {
	if v, ok := n.fieldHit[name]; ok {
		return v
	}
	v := n.fields[strings.ToLower(name)]
	if n.fieldHit == nil {
		n.fieldHit = map[string]bool{}
	}
	n.fieldHit[name] = v
	return v
}

func (n *Normalizer) skip(p *pathT, nd *wire.Node) bool {
	if nd.Derived || nd.Alias {
		return true
	}
	if nd.Name != "" && n.ignoredField(nd.Name) {
		return true
	}
	if nd.Prop != 0 && n.props[uint16(nd.Prop>>16)] {
		return true
	}
	if len(n.paths) > 0 {
		ps := p.String()
		for _, pat := range n.paths {
			if ok, _ := path.Match(pat, ps); ok {
				return true
			}
		}
	}
	return false
}

// compare walks two trees; tag is the property of the tagged value the
// nodes belong to, when their parent carries it in a PropertyTag child.
func (n *Normalizer) compare(p *pathT, rec, live *wire.Node, out *[]Difference, tag uint32) {
	if n.skip(p, rec) {
		n.learnGUID(rec, live)
		return
	}
	if n.skipTagged(rec) {
		return
	}
	if len(rec.Children) == 0 && len(live.Children) == 0 {
		if !n.sameValue(rec, live, tag) {
			*out = append(*out, Difference{Path: p.String(), Recorded: show(rec), Live: show(live)})
		}
		return
	}
	rc, lc := kids(rec), kids(live)
	inner := uint32(0)
	for _, c := range rc {
		if c.Name == "PropertyTag" && c.Prop != 0 {
			inner = c.Prop
		}
	}
	if len(rc) != len(lc) {
		*out = append(*out, Difference{Path: p.String(), Recorded: fmt.Sprintf("%d items", len(rc)), Live: fmt.Sprintf("%d items", len(lc))})
	}
	for i := 0; i < len(rc) && i < len(lc); i++ {
		child := pathT{parent: p, name: rc[i].Name}
		if rc[i].Prop != 0 && rc[i].Name == "" {
			child.name = propLabel(rc[i].Prop)
		} else if child.name == "" || (i > 0 && rc[i-1].Name == child.name) || (i+1 < len(rc) && rc[i+1].Name == child.name) {
			child.name = child.name + "[" + strconv.Itoa(i) + "]"
		}
		n.compare(&child, rc[i], lc[i], out, inner)
	}
}

// skipTagged reports a tagged property value (a struct whose PropertyTag
// child names an ignored property): the whole value is left out, not only
// its tag.
func (n *Normalizer) skipTagged(nd *wire.Node) bool {
	for _, c := range nd.Children {
		if c.Name == "PropertyTag" && c.Prop != 0 {
			return n.props[uint16(c.Prop>>16)]
		}
	}
	return false
}

// kids returns the children that take part in comparisons.
func kids(nd *wire.Node) []*wire.Node {
	out := make([]*wire.Node, 0, len(nd.Children))
	for _, c := range nd.Children {
		if !c.Derived && !c.Alias {
			out = append(out, c)
		}
	}
	return out
}

func propLabel(tag uint32) string {
	if name, ok := propnames.TagName(tag); ok {
		return name
	}
	return fmt.Sprintf("0x%08X", tag)
}

// learnGUID remembers a GUID pair from GUID fields (decoded as their
// string form), so that the same GUIDs inside binary values (entry ids,
// source keys) map too.
func (n *Normalizer) learnGUID(rec, live *wire.Node) bool {
	a, ok1 := rec.Value.(string)
	b, ok2 := live.Value.(string)
	if !ok1 || !ok2 {
		return false
	}
	ga, err1 := wire.ParseGUID(a)
	gb, err2 := wire.ParseGUID(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if !n.GUIDs.Match(a, b) {
		return false
	}
	n.guidRe[string(ga[:])] = string(gb[:])
	return true
}

func (n *Normalizer) sameValue(rec, live *wire.Node, tag uint32) bool {
	if rec.Prop != 0 {
		tag = rec.Prop
	}
	switch a := rec.Value.(type) {
	case string:
		if b, ok := live.Value.(string); ok && idRe.MatchString(a) && idRe.MatchString(b) {
			return n.IDs.Match(a, b)
		}
		if a != fmt.Sprint(live.Value) && guidRe.MatchString(a) {
			return n.learnGUID(rec, live)
		}
	case int64:
		if b, ok := live.Value.(int64); ok && tag != 0 && mappedProps[uint16(tag>>16)] {
			return a == b || n.IDs.Match(fmt.Sprintf("%d", a), fmt.Sprintf("%d", b))
		}
		// Integer64 id-valued properties carry the id as their Sym.
		if b, ok := live.Value.(int64); ok && idRe.MatchString(rec.Sym) && idRe.MatchString(live.Sym) {
			return a == b || n.IDs.Match(rec.Sym, live.Sym)
		}
	case []byte:
		b, ok := live.Value.([]byte)
		if !ok {
			return false
		}
		if bytes.Equal(a, b) {
			return true
		}
		return bytes.Equal(n.mapGUIDs(a), b)
	}
	return fmt.Sprint(rec.Value) == fmt.Sprint(live.Value)
}

// mapGUIDs replaces the recorded GUIDs learnt so far by their live
// counterparts inside a binary value.
func (n *Normalizer) mapGUIDs(b []byte) []byte {
	if len(n.guidRe) == 0 || len(b) < 16 {
		return b
	}
	out := b
	for rec, live := range n.guidRe {
		if bytes.Contains(out, []byte(rec)) {
			out = bytes.ReplaceAll(out, []byte(rec), []byte(live))
		}
	}
	return out
}

func show(nd *wire.Node) string {
	s := ""
	switch v := nd.Value.(type) {
	case []byte:
		if len(v) > 32 {
			s = fmt.Sprintf("%X… (%d bytes)", v[:32], len(v))
		} else {
			s = fmt.Sprintf("%X", v)
		}
	case nil:
		s = "(empty)"
	default:
		s = fmt.Sprint(v)
	}
	if nd.Sym != "" && nd.Sym != s {
		s += " (" + nd.Sym + ")"
	}
	return s
}
