//go:build ignore

// gen.go turns oxprops.tsv into table_gen.go.
//
// Usage (from this directory, normally through `go generate`):
//
//	go run gen.go [-in oxprops.tsv] [-out table_gen.go]
//
// The TSV has five tab-separated columns:
//
//	kind  canonical_name  id_or_name  type  property_set
//
// with kind one of set, tag, lid, name. Lines that are empty or start with
// '#' are ignored. See the header of oxprops.tsv for details.
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
)

type set struct {
	name string
	guid [16]byte
}

type tag struct {
	name   string
	id     uint16
	typ    uint16
	order  int
	lineNo int
}

type lid struct {
	name   string
	set    string
	lid    uint32
	typ    uint16
	order  int
	lineNo int
}

type strName struct {
	name   string
	set    string
	str    string
	typ    uint16
	order  int
	lineNo int
}

func main() {
	in := flag.String("in", "oxprops.tsv", "input table")
	out := flag.String("out", "table_gen.go", "output Go file")
	flag.Parse()

	sets, tags, lids, names, err := parse(*in)
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(*in, sets, tags, lids, names)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func parse(path string) ([]set, []tag, []lid, []strName, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	defer f.Close()

	var (
		sets    []set
		tags    []tag
		lids    []lid
		names   []strName
		setSeen = map[string]bool{}
		guids   = map[[16]byte]string{}
		keys    = map[string]int{} // lower-cased canonical names, for uniqueness
		order   int
	)
	sc := bufio.NewScanner(f)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 {
			return nil, nil, nil, nil, fmt.Errorf("%s:%d: want 5 tab-separated columns, got %d", path, lineNo, len(cols))
		}
		kind, name, key, typStr, setName := cols[0], cols[1], cols[2], cols[3], cols[4]
		fail := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", path, lineNo, fmt.Sprintf(format, a...))
		}
		if name == "" {
			return nil, nil, nil, nil, fail("empty canonical name")
		}
		if kind != "set" {
			k := strings.ToLower(name)
			if prev, dup := keys[k]; dup {
				return nil, nil, nil, nil, fail("canonical name %q already used on line %d", name, prev)
			}
			keys[k] = lineNo
		}
		order++
		switch kind {
		case "set":
			g, err := parseGUID(key)
			if err != nil {
				return nil, nil, nil, nil, fail("%v", err)
			}
			if typStr != "" || setName != "" {
				return nil, nil, nil, nil, fail("set rows take no type or property set")
			}
			if setSeen[name] {
				return nil, nil, nil, nil, fail("duplicate property set %s", name)
			}
			if other, dup := guids[g]; dup {
				return nil, nil, nil, nil, fail("GUID of %s already used by %s", name, other)
			}
			setSeen[name] = true
			guids[g] = name
			sets = append(sets, set{name: name, guid: g})
		case "tag":
			id, err := parseHex(key, 4, 16)
			if err != nil {
				return nil, nil, nil, nil, fail("property ID: %v", err)
			}
			typ, err := parseHex(typStr, 4, 16)
			if err != nil {
				return nil, nil, nil, nil, fail("type: %v", err)
			}
			if setName != "" {
				return nil, nil, nil, nil, fail("tag rows take no property set")
			}
			tags = append(tags, tag{name: name, id: uint16(id), typ: uint16(typ), order: order, lineNo: lineNo})
		case "lid":
			v, err := parseHex(key, 8, 32)
			if err != nil {
				return nil, nil, nil, nil, fail("LID: %v", err)
			}
			typ, err := parseHex(typStr, 4, 16)
			if err != nil {
				return nil, nil, nil, nil, fail("type: %v", err)
			}
			if !setSeen[setName] {
				return nil, nil, nil, nil, fail("unknown property set %q (set rows must come first)", setName)
			}
			lids = append(lids, lid{name: name, set: setName, lid: uint32(v), typ: uint16(typ), order: order, lineNo: lineNo})
		case "name":
			if key == "" {
				return nil, nil, nil, nil, fail("empty property name")
			}
			typ, err := parseHex(typStr, 4, 16)
			if err != nil {
				return nil, nil, nil, nil, fail("type: %v", err)
			}
			if !setSeen[setName] {
				return nil, nil, nil, nil, fail("unknown property set %q (set rows must come first)", setName)
			}
			names = append(names, strName{name: name, set: setName, str: key, typ: uint16(typ), order: order, lineNo: lineNo})
		default:
			return nil, nil, nil, nil, fail("unknown kind %q", kind)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, nil, err
	}
	if len(sets) > 255 {
		return nil, nil, nil, nil, fmt.Errorf("%s: too many property sets (%d)", path, len(sets))
	}
	// Stripped PidTag names must not collide with marker names, since
	// LookupTag accepts names with or without the "PidTag" prefix.
	stripped := map[string]string{}
	for _, t := range tags {
		k := strings.ToLower(strings.TrimPrefix(t.name, "PidTag"))
		if other, dup := stripped[k]; dup {
			return nil, nil, nil, nil, fmt.Errorf("%s:%d: %s collides with %s once the PidTag prefix is dropped", path, t.lineNo, t.name, other)
		}
		stripped[k] = t.name
	}
	return sets, tags, lids, names, nil
}

// parseHex parses "0x" followed by exactly digits hexadecimal digits.
func parseHex(s string, digits, bits int) (uint64, error) {
	if len(s) != 2+digits || (s[:2] != "0x" && s[:2] != "0X") {
		return 0, fmt.Errorf("%q is not 0x followed by %d hex digits", s, digits)
	}
	return strconv.ParseUint(s[2:], 16, bits)
}

// parseGUID converts the textual form of a GUID into its wire form: Data1,
// Data2 and Data3 little-endian, then Data4 as written.
func parseGUID(s string) ([16]byte, error) {
	var g [16]byte
	parts := strings.Split(s, "-")
	if len(parts) != 5 || len(parts[0]) != 8 || len(parts[1]) != 4 || len(parts[2]) != 4 || len(parts[3]) != 4 || len(parts[4]) != 12 {
		return g, fmt.Errorf("malformed GUID %q", s)
	}
	raw, err := hex.DecodeString(strings.Join(parts, ""))
	if err != nil {
		return g, fmt.Errorf("malformed GUID %q: %v", s, err)
	}
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

func render(in string, sets []set, tags []tag, lids []lid, names []strName) ([]byte, error) {
	sort.SliceStable(sets, func(i, j int) bool { return bytes.Compare(sets[i].guid[:], sets[j].guid[:]) < 0 })
	setIdx := map[string]int{}
	for i, s := range sets {
		setIdx[s.name] = i
	}
	sort.SliceStable(tags, func(i, j int) bool {
		if tags[i].id != tags[j].id {
			return tags[i].id < tags[j].id
		}
		return tags[i].order < tags[j].order
	})
	sort.SliceStable(lids, func(i, j int) bool {
		a, b := setIdx[lids[i].set], setIdx[lids[j].set]
		if a != b {
			return a < b
		}
		if lids[i].lid != lids[j].lid {
			return lids[i].lid < lids[j].lid
		}
		return lids[i].order < lids[j].order
	})
	sort.SliceStable(names, func(i, j int) bool {
		a, b := setIdx[names[i].set], setIdx[names[j].set]
		if a != b {
			return a < b
		}
		if names[i].str != names[j].str {
			return names[i].str < names[j].str
		}
		return names[i].order < names[j].order
	})

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gen.go from %s; DO NOT EDIT.\n\n", in)
	b.WriteString("package propnames\n\n")

	b.WriteString("// propertySets holds the well-known property sets, sorted by GUID (wire order).\n")
	b.WriteString("var propertySets = []setEntry{\n")
	for _, s := range sets {
		b.WriteString("\t{GUID: [16]byte{")
		for i, c := range s.guid {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "0x%02x", c)
		}
		fmt.Fprintf(&b, "}, Name: %q},\n", s.name)
	}
	b.WriteString("}\n\n")

	b.WriteString("// tagTable holds PidTag properties and FastTransfer markers, sorted by\n")
	b.WriteString("// property ID; rows sharing an ID keep their order in the TSV.\n")
	b.WriteString("var tagTable = []tagEntry{\n")
	for _, t := range tags {
		fmt.Fprintf(&b, "\t{ID: 0x%04X, Type: 0x%04X, Name: %q},\n", t.id, t.typ, t.name)
	}
	b.WriteString("}\n\n")

	b.WriteString("// lidTable holds PidLid properties, sorted by property set index (into\n")
	b.WriteString("// propertySets) and LID.\n")
	b.WriteString("var lidTable = []lidEntry{\n")
	for _, l := range lids {
		fmt.Fprintf(&b, "\t{Set: %d, LID: 0x%08X, Type: 0x%04X, Name: %q},\n", setIdx[l.set], l.lid, l.typ, l.name)
	}
	b.WriteString("}\n\n")

	b.WriteString("// nameTable holds PidName properties, sorted by property set index (into\n")
	b.WriteString("// propertySets) and string name (byte order).\n")
	b.WriteString("var nameTable = []nameEntry{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t{Set: %d, Name: %q, Type: 0x%04X, Canonical: %q},\n", setIdx[n.set], n.str, n.typ, n.name)
	}
	b.WriteString("}\n")

	return format.Source(b.Bytes())
}
