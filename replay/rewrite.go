package replay

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/mapiscope/mapiscope/decode/prop"
)

// rewriter turns recorded requests into live ones: server object handles
// through the handle table learnt from live responses, folder, message
// and attachment ids and GUIDs through the normaliser's maps (learnt as
// responses are compared), address book Minimal Entry IDs through their
// own map, and the recorded user's DN into the live one. Everything it
// does not know is sent as recorded.
type rewriter struct {
	n       *Normalizer
	handles map[uint32]uint32
	mids    map[uint32]uint32
	// recDN and liveDN are the user's distinguished names (Connect UserDn,
	// Autodiscover LegacyDN); strings equal to recDN are sent as liveDN.
	recDN, liveDN string
}

func newRewriter(n *Normalizer) *rewriter {
	return &rewriter{n: n, handles: map[uint32]uint32{}, mids: map[uint32]uint32{}}
}

// unsetHandle is the ServerObjectHandleTable's empty slot — [MS-OXCROPS]
// 2.2.1.
const unsetHandle = 0xFFFFFFFF

// handle returns the live handle of a recorded one.
func (w *rewriter) handle(h uint32) uint32 {
	if h == unsetHandle {
		return h
	}
	if l, ok := w.handles[h]; ok {
		return l
	}
	return h
}

// learnHandles pairs the slots of a recorded and a live response handle
// table: the object in slot i is the same on both sides, since the
// requests were the same.
func (w *rewriter) learnHandles(rec, live []uint32) {
	for i := 0; i < len(rec) && i < len(live); i++ {
		if rec[i] != unsetHandle && live[i] != unsetHandle {
			w.handles[rec[i]] = live[i]
		}
	}
}

// id returns the live id of a recorded FolderID/MessageID.
func (w *rewriter) id(id prop.ID) prop.ID {
	if l, ok := w.n.IDs.Live(id.String()); ok {
		if v, err := prop.ParseID(l); err == nil {
			return v
		}
	}
	return id
}

// guid returns the live GUID of a recorded one (replica, mailbox GUIDs),
// as the normaliser learnt it.
func (w *rewriter) guid(g prop.GUID) prop.GUID {
	if l, ok := w.n.guidRe[string(g[:])]; ok && len(l) == 16 {
		copy(g[:], l)
	}
	return g
}

// counter returns the live GlobalCounter of a recorded one: that of the
// live id learnt for a recorded id with this counter.
func (w *rewriter) counter(g prop.GlobCnt) prop.GlobCnt {
	suffix := fmt.Sprintf("-%012X", uint64(g))
	for rec, live := range w.n.IDs.fwd {
		if strings.HasSuffix(rec, suffix) {
			if v, err := prop.ParseID(live); err == nil {
				return prop.GlobCnt(v.GlobalCounter())
			}
		}
	}
	return g
}

// longTerm rewrites a LongTermID — [MS-OXCDATA] 2.2.1.3.1.
func (w *rewriter) longTerm(l *prop.LongTermID) {
	l.DatabaseGuid = w.guid(l.DatabaseGuid)
	l.GlobalCounter = w.counter(l.GlobalCounter)
}

// entryID rewrites a Folder or Message EntryID — [MS-OXCDATA] 2.2.4.1,
// 2.2.4.2 — held in a binary value; other binaries are returned as they
// are.
func (w *rewriter) entryID(b []byte) []byte {
	if len(b) != 46 && len(b) != 70 {
		return b
	}
	_, v, _, an := prop.DecodeEntryID(b, false)
	if len(an) > 0 {
		return b
	}
	switch e := v.(type) {
	case *prop.FolderEntryID:
		e.ProviderUID = w.guid(e.ProviderUID)
		e.DatabaseGuid = w.guid(e.DatabaseGuid)
		e.GlobalCounter = w.counter(e.GlobalCounter)
	case *prop.MessageEntryID:
		e.ProviderUID = w.guid(e.ProviderUID)
		e.FolderDatabaseGuid = w.guid(e.FolderDatabaseGuid)
		e.FolderGlobalCounter = w.counter(e.FolderGlobalCounter)
		e.MessageDatabaseGuid = w.guid(e.MessageDatabaseGuid)
		e.MessageGlobalCounter = w.counter(e.MessageGlobalCounter)
	default:
		return b
	}
	out, err := prop.EncodeEntryID(v)
	if err != nil {
		return b
	}
	return out
}

// idProps are the PtypInteger64 properties whose values are FolderIDs or
// MessageIDs: PidTagFolderId, PidTagParentFolderId, PidTagMid,
// PidTagInstID ([MS-OXPROPS]); the same set the decoder shows as ids.
var idProps = map[uint16]bool{0x6748: true, 0x6749: true, 0x674A: true, 0x674D: true}

// tagged rewrites a tagged property value: an id property's value, an
// EntryID, or whatever the value holds (restrictions, rule actions).
func (w *rewriter) tagged(tv *prop.TaggedValue) {
	switch x := tv.Value.(type) {
	case int64:
		switch {
		case idProps[tv.Tag.ID()]:
			tv.Value = int64(w.id(prop.ID(uint64(x))))
		case mappedProps[tv.Tag.ID()]:
			// The normaliser maps these by their decimal values.
			if l, ok := w.n.IDs.Live(strconv.FormatInt(x, 10)); ok {
				if v, err := strconv.ParseInt(l, 10, 64); err == nil {
					tv.Value = v
				}
			}
		}
	case []byte:
		tv.Value = w.entryID(x)
	case string:
		tv.Value = w.str(x)
	case nil:
	default:
		v := reflect.ValueOf(&tv.Value).Elem()
		w.walk(v)
	}
}

func (w *rewriter) str(s string) string {
	if w.recDN != "" && w.liveDN != "" && strings.EqualFold(s, w.recDN) {
		return w.liveDN
	}
	return s
}

var (
	typID     = reflect.TypeOf(prop.ID(0))
	typGUID   = reflect.TypeOf(prop.GUID{})
	typLTID   = reflect.TypeOf(prop.LongTermID{})
	typTagged = reflect.TypeOf(prop.TaggedValue{})
	typString = reflect.TypeOf("")
)

// request rewrites a decoded request structure in place: every prop.ID,
// []prop.ID, LongTermID, learnt GUID, id-valued tagged value (in
// restrictions too), EntryID and the user's DN, found by reflection.
func (w *rewriter) request(r any) {
	v := reflect.ValueOf(r)
	if v.Kind() != reflect.Pointer || v.IsNil() || !mayRewrite(v.Type()) {
		return
	}
	w.walk(v.Elem())
}

func (w *rewriter) walk(v reflect.Value) {
	t := v.Type()
	switch t {
	case typID:
		v.SetUint(uint64(w.id(prop.ID(v.Uint()))))
		return
	case typGUID:
		v.Set(reflect.ValueOf(w.guid(v.Interface().(prop.GUID))))
		return
	case typLTID:
		l := v.Interface().(prop.LongTermID)
		w.longTerm(&l)
		v.Set(reflect.ValueOf(l))
		return
	case typTagged:
		tv := v.Interface().(prop.TaggedValue)
		w.tagged(&tv)
		v.Set(reflect.ValueOf(tv))
		return
	case typString:
		if s := v.String(); s != "" {
			v.SetString(w.str(s))
		}
		return
	}
	if !mayRewrite(t) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				w.walk(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if e := v.Index(i); e.CanSet() {
				w.walk(e)
			}
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			w.walk(e)
			return
		}
		cp := reflect.New(e.Type()).Elem()
		cp.Set(e)
		w.walk(cp)
		v.Set(cp)
	}
}

// rewritable caches, per type, whether a value of it can hold anything
// the rewriter changes (most ROP requests hold none, and are skipped).
var rewritable sync.Map // reflect.Type → bool

func mayRewrite(t reflect.Type) bool {
	if v, ok := rewritable.Load(t); ok {
		return v.(bool)
	}
	b := typeMayRewrite(t, map[reflect.Type]bool{})
	rewritable.Store(t, b)
	return b
}

func typeMayRewrite(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t {
	case typID, typGUID, typLTID, typTagged, typString:
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return typeMayRewrite(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && typeMayRewrite(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// ---- address book Minimal Entry IDs ----

// midFields are the fields of address book bodies that hold Minimal Entry
// IDs — [MS-OXNSPI] 2.2.9.1 — the server assigns.
var midFields = map[string]bool{"MinimalId": true, "MinimalId1": true, "MinimalId2": true, "MinimalIds": true,
	"CurrentRec": true, "ContainerID": true}

// firstMID is the first Minimal Entry ID a server assigns: smaller values
// are positions and MID_* markers ([MS-OXNSPI] 2.2.1.8, 2.2.1.13).
const firstMID = 0x10

// mids collects, in walk order, the Minimal Entry IDs a body holds.
func mids(body any) []uint32 {
	var out []uint32
	collectMIDs(reflect.ValueOf(body), "", &out)
	return out
}

func collectMIDs(v reflect.Value, name string, out *[]uint32) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			collectMIDs(v.Elem(), name, out)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				collectMIDs(v.Field(i), t.Field(i).Name, out)
			}
		}
	case reflect.Uint32:
		if midFields[name] {
			*out = append(*out, uint32(v.Uint()))
		}
	case reflect.Slice:
		if midFields[name] && v.Type().Elem().Kind() == reflect.Uint32 {
			for i := 0; i < v.Len(); i++ {
				*out = append(*out, uint32(v.Index(i).Uint()))
			}
		}
	}
}

// learnMIDs pairs the Minimal Entry IDs of a recorded and a live response
// body when both hold as many.
func (w *rewriter) learnMIDs(rec, live any) {
	a, b := mids(rec), mids(live)
	if len(a) != len(b) {
		return
	}
	for i := range a {
		if a[i] >= firstMID && b[i] >= firstMID {
			w.mids[a[i]] = b[i]
		}
	}
}

// nspiRequest rewrites an address book request in place: Minimal Entry
// IDs, restrictions' values and the user's DN.
func (w *rewriter) nspiRequest(body any) {
	v := reflect.ValueOf(body)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	w.walkNSPI(v.Elem(), "")
}

func (w *rewriter) walkNSPI(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			w.walkNSPI(v.Elem(), name)
		}
	case reflect.Struct:
		if v.Type() == typTagged {
			tv := v.Interface().(prop.TaggedValue)
			w.tagged(&tv)
			v.Set(reflect.ValueOf(tv))
			return
		}
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				w.walkNSPI(f, t.Field(i).Name)
			}
		}
	case reflect.Uint32:
		if midFields[name] && v.CanSet() {
			if l, ok := w.mids[uint32(v.Uint())]; ok {
				v.SetUint(uint64(l))
			}
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(w.str(v.String()))
		}
	case reflect.Slice:
		if midFields[name] && v.Type().Elem().Kind() == reflect.Uint32 {
			for i := 0; i < v.Len(); i++ {
				e := v.Index(i)
				if l, ok := w.mids[uint32(e.Uint())]; ok {
					e.SetUint(uint64(l))
				}
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			w.walkNSPI(v.Index(i), name)
		}
	}
}

// mappedMID reports a difference that is only a Minimal Entry ID the
// server assigned differently, consistently with the ids learnt.
func (w *rewriter) mappedMID(d Difference) bool {
	leaf := d.Path[strings.LastIndexByte(d.Path, '/')+1:]
	if i := strings.IndexByte(leaf, '['); i >= 0 {
		leaf = leaf[:i]
	}
	if !midFields[leaf] {
		return false
	}
	a, ok1 := leadingUint(d.Recorded)
	b, ok2 := leadingUint(d.Live)
	if !ok1 || !ok2 {
		return false
	}
	l, ok := w.mids[a]
	return ok && l == b
}

func leadingUint(s string) (uint32, bool) {
	v, err := strconv.ParseUint(firstField(s), 0, 32)
	return uint32(v), err == nil
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
