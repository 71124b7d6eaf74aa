package store

import (
	"database/sql"

	"github.com/mapiscope/mapiscope/decode/prop"
	"github.com/mapiscope/mapiscope/decode/wire"
)

// Rule is one row of a folder's rules table — [MS-OXORULE] 2.2.1.3.
type Rule struct {
	ID           uint64 // PidTagRuleId
	Sequence     uint32
	State        uint32
	Name         string
	Provider     string
	UserFlags    uint32
	Level        uint32
	ProviderData []byte
	Condition    *prop.Restriction
	Actions      *prop.RuleActions
}

// ModifyRulesFlags / RuleData flags — [MS-OXCROPS] 2.2.11.1.
const (
	RowAdd       uint8 = 0x01
	RowModify    uint8 = 0x02
	RowRemove    uint8 = 0x04
	RulesReplace uint8 = 0x01 // ModifyRulesFlags ROWLIST_REPLACE
)

// RuleOp is one RuleData of RopModifyRules: for RowModify and RowRemove
// Rule.ID names the rule; Set lists which properties a RowModify carries.
type RuleOp struct {
	Op   uint8
	Rule Rule
	Set  []prop.Tag // properties present on RowModify (nil: all)
}

// Props returns the rule as a rules-table row.
func (r *Rule) Props() Props {
	p := Props{}
	p.Set(TagRuleId, int64(r.ID))
	p.Set(TagRuleSequence, int32(r.Sequence))
	p.Set(TagRuleState, int32(r.State))
	p.Set(TagRuleName, r.Name)
	p.Set(TagRuleProvider, r.Provider)
	p.Set(TagRuleUserFlags, int32(r.UserFlags))
	p.Set(TagRuleLevel, int32(r.Level))
	if r.ProviderData != nil {
		p.Set(TagRuleProviderData, r.ProviderData)
	}
	if r.Condition != nil {
		p.Set(TagRuleCondition, r.Condition)
	}
	if r.Actions != nil {
		p.Set(TagRuleActions, r.Actions)
	}
	return p
}

// RuleFromProps builds a rule from the PropertyValues of a RuleData.
func RuleFromProps(vals []prop.TaggedValue) (Rule, []prop.Tag) {
	var r Rule
	var set []prop.Tag
	for _, v := range vals {
		set = append(set, v.Tag)
		switch v.Tag.ID() {
		case TagRuleId.ID():
			x, _ := v.Value.(int64)
			r.ID = uint64(x)
		case TagRuleSequence.ID():
			x, _ := v.Value.(int32)
			r.Sequence = uint32(x)
		case TagRuleState.ID():
			x, _ := v.Value.(int32)
			r.State = uint32(x)
		case TagRuleName.ID():
			r.Name, _ = v.Value.(string)
		case TagRuleProvider.ID():
			r.Provider, _ = v.Value.(string)
		case TagRuleUserFlags.ID():
			x, _ := v.Value.(int32)
			r.UserFlags = uint32(x)
		case TagRuleLevel.ID():
			x, _ := v.Value.(int32)
			r.Level = uint32(x)
		case TagRuleProviderData.ID():
			r.ProviderData, _ = v.Value.([]byte)
		case TagRuleCondition.ID():
			r.Condition, _ = v.Value.(*prop.Restriction)
		case TagRuleActions.ID():
			r.Actions, _ = v.Value.(*prop.RuleActions)
		}
	}
	return r, set
}

func encodeActions(a *prop.RuleActions) ([]byte, error) {
	if a == nil {
		return nil, nil
	}
	c := wire.NewEncoder(nil)
	prop.CodecRuleActions(c, a, "", prop.ROP)
	return c.Output(), c.Err()
}

func decodeActions(b []byte) (*prop.RuleActions, error) {
	if len(b) == 0 {
		return nil, nil
	}
	a := &prop.RuleActions{}
	c := wire.NewDecoder(b, false, "")
	prop.CodecRuleActions(c, a, "", prop.ROP)
	return a, c.Err()
}

// Rules lists a folder's rules by sequence (the rules table).
func (s *Store) Rules(mb *Mailbox, fid prop.ID) ([]Rule, error) {
	var out []Rule
	err := s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		var err error
		out, err = loadRules(tx, mb, fid)
		return err
	})
	return out, err
}

func loadRules(tx *sql.Tx, mb *Mailbox, fid prop.ID) ([]Rule, error) {
	rows, err := tx.Query(`SELECT rule_id, seq, state, name, provider, user_flags, level, provider_data, condition, actions
	  FROM rules WHERE mailbox = ? AND fid = ? ORDER BY seq, rule_id`, mb.ID, int64(fid))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var cond, acts []byte
		var id int64 // rule ids use all 64 bits; SQLite integers are signed
		if err := rows.Scan(&id, &r.Sequence, &r.State, &r.Name, &r.Provider, &r.UserFlags, &r.Level, &r.ProviderData, &cond, &acts); err != nil {
			return nil, err
		}
		r.ID = uint64(id)
		if r.Condition, err = decodeRestriction(cond); err != nil {
			return nil, err
		}
		if r.Actions, err = decodeActions(acts); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func saveRule(tx *sql.Tx, mb *Mailbox, fid prop.ID, r *Rule) error {
	cond, err := encodeRestriction(r.Condition)
	if err != nil {
		return ErrInvalidParam
	}
	acts, err := encodeActions(r.Actions)
	if err != nil {
		return ErrInvalidParam
	}
	_, err = tx.Exec(`INSERT OR REPLACE INTO rules(mailbox, fid, rule_id, seq, state, name, provider, user_flags, level, provider_data, condition, actions)
	  VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`, mb.ID, int64(fid), int64(r.ID), r.Sequence, r.State, r.Name, r.Provider, r.UserFlags, r.Level, r.ProviderData, cond, acts)
	return err
}

// ModifyRules applies RopModifyRules: with replace all rules are removed
// first; RowAdd gives the rule a new PidTagRuleId (returned in order of
// the adds); RowModify changes the listed properties of an existing rule;
// RowRemove deletes one. An unknown id gives ErrNotFound.
func (s *Store) ModifyRules(mb *Mailbox, fid prop.ID, replace bool, ops []RuleOp) ([]uint64, error) {
	var added []uint64
	err := s.tx(func(tx *sql.Tx) error {
		if _, err := getFolder(tx, mb, fid); err != nil {
			return err
		}
		if replace {
			if _, err := tx.Exec(`DELETE FROM rules WHERE mailbox = ? AND fid = ?`, mb.ID, int64(fid)); err != nil {
				return err
			}
		}
		existing := func(id uint64) (*Rule, error) {
			rules, err := loadRules(tx, mb, fid)
			if err != nil {
				return nil, err
			}
			for i := range rules {
				if rules[i].ID == id {
					return &rules[i], nil
				}
			}
			return nil, ErrNotFound
		}
		for _, op := range ops {
			switch op.Op {
			case RowAdd:
				gc, err := allocGlobCnt(tx, mb.ID, 1)
				if err != nil {
					return err
				}
				r := op.Rule
				r.ID = uint64(prop.MakeID(1, gc))
				if r.Provider == "" {
					r.Provider = "RuleOrganizer"
				}
				if err := saveRule(tx, mb, fid, &r); err != nil {
					return err
				}
				added = append(added, r.ID)
			case RowModify:
				r, err := existing(op.Rule.ID)
				if err != nil {
					return err
				}
				merge(r, &op.Rule, op.Set)
				if err := saveRule(tx, mb, fid, r); err != nil {
					return err
				}
			case RowRemove:
				res, err := tx.Exec(`DELETE FROM rules WHERE mailbox = ? AND fid = ? AND rule_id = ?`, mb.ID, int64(fid), int64(op.Rule.ID))
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return ErrNotFound
				}
			default:
				return ErrInvalidParam
			}
		}
		return nil
	})
	return added, err
}

func merge(dst, src *Rule, set []prop.Tag) {
	if set == nil {
		id := dst.ID
		*dst = *src
		dst.ID = id
		return
	}
	for _, t := range set {
		switch t.ID() {
		case TagRuleSequence.ID():
			dst.Sequence = src.Sequence
		case TagRuleState.ID():
			dst.State = src.State
		case TagRuleName.ID():
			dst.Name = src.Name
		case TagRuleProvider.ID():
			dst.Provider = src.Provider
		case TagRuleUserFlags.ID():
			dst.UserFlags = src.UserFlags
		case TagRuleLevel.ID():
			dst.Level = src.Level
		case TagRuleProviderData.ID():
			dst.ProviderData = src.ProviderData
		case TagRuleCondition.ID():
			dst.Condition = src.Condition
		case TagRuleActions.ID():
			dst.Actions = src.Actions
		}
	}
}
