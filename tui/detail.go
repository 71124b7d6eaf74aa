package tui

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/tview"

	"github.com/mapiscope/mapiscope/decode/wire"
	"github.com/mapiscope/mapiscope/trace"
)

// nodeRef ties a tree row to its wire node and to the bytes its offsets
// refer to: the request or response body, or the decoded payload of the
// nearest ancestor with Data.
type nodeRef struct {
	n    *wire.Node
	buf  []byte
	root *wire.Node // Find from here maps a byte of buf back to a node
}

func (u *UI) loadDetail(r *trace.ExchangeRow) {
	u.treeOf = map[*wire.Node]*tview.TreeNode{}
	root := tview.NewTreeNode(fmt.Sprintf("exchange %d %s", r.ID, r.RequestType))
	u.decoded = nil
	d, err := u.t.DecodeExchange(r.ID)
	if err != nil {
		root.AddChild(tview.NewTreeNode("decode: " + err.Error()))
	} else {
		u.decoded = d
		add := func(title string, n *wire.Node, body []byte) {
			if n == nil {
				tn := tview.NewTreeNode(fmt.Sprintf("%s (%d bytes, not decoded)", title, len(body)))
				tn.SetReference(&nodeRef{buf: body})
				root.AddChild(tn)
				return
			}
			tn := u.buildTree(n, "", body, n, 0)
			tn.SetText(fmt.Sprintf("%s: %s", title, tn.GetText()))
			root.AddChild(tn)
		}
		add("Request", d.ReqTree, d.ReqBody)
		add("Response", d.RespTree, d.RespBody)
	}
	u.tree.SetRoot(root).SetCurrentNode(root)
	u.hex.SetData(nil, 0, 0)
	if kids := root.GetChildren(); len(kids) > 0 {
		u.tree.SetCurrentNode(kids[0])
		u.onTreeNode(kids[0])
	}
	u.loadHTTP(r)
	u.loadTiming(r)
	u.loadObjects(r)
	u.loadAnomalies(r)
}

func nodeLabel(n *wire.Node, label string) string {
	name := n.Name
	if label != "" {
		name = label
	}
	switch n.Kind {
	case wire.KindStruct, wire.KindArray:
		s := name
		if n.Sym != "" {
			s += " (" + n.Sym + ")"
		}
		if n.Kind == wire.KindArray {
			s += fmt.Sprintf(" [%d]", len(n.Children))
		}
		return s + fmt.Sprintf("  @%d+%d", n.Off, n.Len)
	}
	return name + ": " + wire.FormatValue(n)
}

func (u *UI) buildTree(n *wire.Node, label string, buf []byte, root *wire.Node, depth int) *tview.TreeNode {
	if n.Data != nil {
		buf, root = n.Data, n
	}
	tn := tview.NewTreeNode(tview.Escape(nodeLabel(n, label))).SetReference(&nodeRef{n: n, buf: buf, root: root}).SetSelectable(true)
	u.treeOf[n] = tn
	for i, ch := range n.Children {
		if ch.Alias {
			continue
		}
		l := ""
		if n.Kind == wire.KindArray || ch.Name == "" {
			l = "[" + strconv.Itoa(i) + "]"
			if ch.Name != "" {
				l += " " + ch.Name
			}
		}
		tn.AddChild(u.buildTree(ch, l, buf, root, depth+1))
	}
	if len(n.Children) > 0 && n.Kind == wire.KindStruct && depth >= 3 || n.Kind == wire.KindArray && len(n.Children) > 8 {
		tn.SetExpanded(false)
	}
	if len(n.Children) > 0 {
		tn.SetColor(tview.Styles.SecondaryTextColor)
	}
	return tn
}

// onTreeNode highlights the selected node's bytes in the hex view.
func (u *UI) onTreeNode(tn *tview.TreeNode) {
	if u.linking || tn == nil {
		return
	}
	ref, ok := tn.GetReference().(*nodeRef)
	if !ok {
		return
	}
	if ref.n == nil {
		u.hex.SetData(ref.buf, 0, 0)
		return
	}
	u.hex.SetData(ref.buf, ref.n.Off, ref.n.Len)
	u.hex.SetTitle(fmt.Sprintf(" hex %s @%d+%d ", ref.n.Name, ref.n.Off, ref.n.Len))
}

// onHexCursor selects the deepest node covering the cursor's byte.
func (u *UI) onHexCursor(off int) {
	tn := u.tree.GetCurrentNode()
	if tn == nil {
		return
	}
	ref, ok := tn.GetReference().(*nodeRef)
	if !ok || ref.root == nil {
		return
	}
	n := ref.root.Find(off)
	if n == nil {
		return
	}
	next := u.treeOf[n]
	if next == nil {
		return
	}
	u.expandTo(next)
	u.linking = true
	u.tree.SetCurrentNode(next)
	u.linking = false
	u.hex.selOff, u.hex.selLen = n.Off, n.Len
	u.hex.SetTitle(fmt.Sprintf(" hex %s @%d+%d ", n.Name, n.Off, n.Len))
}

// expandTo expands the ancestors of tn.
func (u *UI) expandTo(tn *tview.TreeNode) {
	root := u.tree.GetRoot()
	if root == nil {
		return
	}
	var walk func(n *tview.TreeNode) bool
	walk = func(n *tview.TreeNode) bool {
		if n == tn {
			return true
		}
		for _, c := range n.GetChildren() {
			if walk(c) {
				n.SetExpanded(true)
				return true
			}
		}
		return false
	}
	walk(root)
}

func hexDump(b []byte, limit int) string {
	var sb strings.Builder
	for i := 0; i < len(b) && i < limit; i += 16 {
		end := min(i+16, len(b))
		fmt.Fprintf(&sb, "  %08x  % x\n", i, b[i:end])
	}
	if len(b) > limit {
		fmt.Fprintf(&sb, "  … %d more bytes (the Decoded tab's hex view shows all)\n", len(b)-limit)
	}
	return sb.String()
}

func (u *UI) loadHTTP(r *trace.ExchangeRow) {
	var reqH, respH sql.NullString
	var reqB, respB []byte
	u.t.DB.QueryRow(`SELECT req_headers, resp_headers, req_body, resp_body FROM exchanges WHERE id = ?`, r.ID).Scan(&reqH, &respH, &reqB, &respB)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n%s\n", r.Method, r.URL, strings.TrimRight(reqH.String, "\n"))
	fmt.Fprintf(&b, "\nrequest body (%d bytes):\n%s", len(reqB), hexDump(reqB, 4096))
	fmt.Fprintf(&b, "\nHTTP %d\n%s\n", r.HTTPStatus, strings.TrimRight(respH.String, "\n"))
	fmt.Fprintf(&b, "\nresponse body (%d bytes):\n%s", len(respB), hexDump(respB, 4096))
	u.httpView.SetText(tview.Escape(b.String())).ScrollToBeginning()
}

func (u *UI) loadTiming(r *trace.ExchangeRow) {
	var b strings.Builder
	var started, reqDone, respStart, ended sql.NullInt64
	u.t.DB.QueryRow(`SELECT started, request_done, response_start, ended FROM exchanges WHERE id = ?`, r.ID).Scan(&started, &reqDone, &respStart, &ended)
	at := func(n sql.NullInt64) string {
		if !n.Valid || !started.Valid {
			return "-"
		}
		return fmt.Sprintf("+%.3f ms", float64(n.Int64-started.Int64)/1e6)
	}
	if started.Valid {
		fmt.Fprintf(&b, "started         %s\n", time.Unix(0, started.Int64).UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(&b, "request done    %s\nresponse start  %s\nended           %s\n\nresponse chunks:\n", at(reqDone), at(respStart), at(ended))
	rows, err := u.t.DB.Query(`SELECT offset, length, at, coalesce(tag, '') FROM chunks WHERE exchange_id = ? ORDER BY seq LIMIT 5000`, r.ID)
	if err == nil {
		for rows.Next() {
			var off, n int
			var t sql.NullInt64
			var tag string
			rows.Scan(&off, &n, &t, &tag)
			fmt.Fprintf(&b, "  %12s  %6d bytes at %-7d %s\n", at(t), n, off, tag)
		}
		rows.Close()
	}
	u.timing.SetText(tview.Escape(b.String())).ScrollToBeginning()
}

// loadObjects shows the session's server objects as the lineage of
// handles: logon → folder → table/message → stream.
func (u *UI) loadObjects(r *trace.ExchangeRow) {
	if r.Session == nil {
		u.objects.SetText("(not a MAPI session)")
		return
	}
	rows, err := u.t.DB.Query(`SELECT id, kind, coalesce(name, ''), handle, parent_id, created_exchange, released_exchange
		FROM objects WHERE session_id = ? ORDER BY seq LIMIT 5000`, *r.Session)
	if err != nil {
		u.objects.SetText(err.Error())
		return
	}
	defer rows.Close()
	type obj struct {
		id               int64
		kind, name       string
		handle, parent   sql.NullInt64
		created, release sql.NullInt64
	}
	var all []obj
	kids := map[int64][]int{}
	var roots []int
	for rows.Next() {
		var o obj
		if rows.Scan(&o.id, &o.kind, &o.name, &o.handle, &o.parent, &o.created, &o.release) != nil {
			break
		}
		all = append(all, o)
	}
	ids := map[int64]bool{}
	for _, o := range all {
		ids[o.id] = true
	}
	for i, o := range all {
		if o.parent.Valid && ids[o.parent.Int64] {
			kids[o.parent.Int64] = append(kids[o.parent.Int64], i)
		} else {
			roots = append(roots, i)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "objects of session %d (★: touched by exchange %d)\n", *r.Session, r.ID)
	var walk func(i, depth int)
	walk = func(i, depth int) {
		o := all[i]
		h := "-"
		if o.handle.Valid {
			h = fmt.Sprintf("0x%X", o.handle.Int64)
		}
		life := ""
		if o.created.Valid {
			life = fmt.Sprintf("created in %d", o.created.Int64)
		}
		if o.release.Valid {
			life += fmt.Sprintf(", released in %d", o.release.Int64)
		}
		star := " "
		if o.created.Valid && o.created.Int64 == r.ID || o.release.Valid && o.release.Int64 == r.ID {
			star = "★"
		}
		fmt.Fprintf(&b, "%s %s└ %s %s  handle %s  %s\n", star, strings.Repeat("  ", depth), o.kind, o.name, h, life)
		for _, k := range kids[o.id] {
			walk(k, depth+1)
		}
	}
	for _, i := range roots {
		walk(i, 0)
	}
	u.objects.SetText(tview.Escape(b.String())).ScrollToBeginning()
}

func (u *UI) loadAnomalies(r *trace.ExchangeRow) {
	var b strings.Builder
	rows, err := u.t.DB.Query(`SELECT coalesce(direction, ''), coalesce(offset, 0), coalesce(path, ''), reason FROM anomalies
		WHERE exchange_id = ? ORDER BY id LIMIT 5000`, r.ID)
	n := 0
	if err == nil {
		for rows.Next() {
			var dir, path, reason string
			var off int
			rows.Scan(&dir, &off, &path, &reason)
			fmt.Fprintf(&b, "⚠ %s @%d %s: %s\n", dir, off, path, reason)
			n++
		}
		rows.Close()
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "⚠ exchange: %s\n", r.Error)
		n++
	}
	if n == 0 {
		b.WriteString("no anomalies")
	}
	u.anoms.SetText(tview.Escape(b.String())).ScrollToBeginning()
}
