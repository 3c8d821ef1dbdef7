package enhancement

import (
	"bytes"
	"slices"
)

// An index picks, for a stack trace, the few rules worth trying on each
// frame, so that a few hundred rules cost little more than the handful
// that can match.
//
// Most rules test a frame field against a pattern that starts with a
// literal: function:std::*, module:java.*, package:/usr/lib/**. That
// literal is the rule's key. The index holds the keys in one trie per
// field; walking a frame's value down the trie finds every rule whose key
// is a prefix of it, and only those rules look at that frame. Rules
// without a key (category:..., path:**/node_modules/**) look at every
// frame. The fields keys use never change while rules run, so the
// candidates are found once per stack trace. The rule itself still decides;
// the index only skips frames it cannot match.

type trieNode struct {
	edges []byte
	next  []int32
	rules []int32 // rules whose key ends here
}

type trie struct{ nodes []trieNode }

func (t *trie) add(key string, id int32) {
	if len(t.nodes) == 0 {
		t.nodes = append(t.nodes, trieNode{})
	}
	n := int32(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		k := slices.Index(t.nodes[n].edges, c)
		if k < 0 {
			t.nodes = append(t.nodes, trieNode{})
			t.nodes[n].edges = append(t.nodes[n].edges, c)
			t.nodes[n].next = append(t.nodes[n].next, int32(len(t.nodes)-1))
			k = len(t.nodes[n].edges) - 1
		}
		n = t.nodes[n].next[k]
	}
	t.nodes[n].rules = append(t.nodes[n].rules, id)
}

// walk calls fn for every rule whose key is a prefix of v.
func (t *trie) walk(v string, fn func(id int32)) {
	if len(t.nodes) == 0 {
		return
	}
	n := int32(0)
	for i := 0; ; i++ {
		node := &t.nodes[n]
		for _, id := range node.rules {
			fn(id)
		}
		if i == len(v) {
			return
		}
		k := bytes.IndexByte(node.edges, v[i])
		if k < 0 {
			return
		}
		n = node.next[k]
	}
}

// A ruleList is a list of rules with its index.
type ruleList struct {
	rules []*rule
	keyed []bool // rules[i] has a key
	tries [fieldPackage + 1]trie
}

func newRuleList(rules []*rule) ruleList {
	l := ruleList{rules: rules, keyed: make([]bool, len(rules))}
	for i, r := range rules {
		if f, key, ok := r.key(); ok {
			l.tries[f].add(key, int32(i))
			l.keyed[i] = true
		}
	}
	return l
}

// key returns the most selective literal prefix some field of a matching
// frame must start with.
func (r *rule) key() (field int, key string, ok bool) {
	for _, m := range r.frame {
		if m.kind != fmField || m.negated || m.offset != 0 || m.field == fieldCategory {
			continue
		}
		if p, _, _ := m.g.Literals(); len(p) > len(key) {
			field, key, ok = m.field, p, true
		}
	}
	return field, key, ok
}

type candidate struct{ rule, frame int32 }

// plainScan makes scan try every rule on every frame; tests set it to
// check the index and the stack-level shortcuts against plain scanning.
var plainScan bool

// scan runs the list over a stack trace: for each rule in order that
// applies, it finds the frames the rule matches, all before acting, and
// hands them to act, which may change in_app and categories for the rules
// that follow.
func (l *ruleList) scan(st *matchState, sum *stackSummary, exc *Exception, hits []int, act func(r *rule, hits []int)) []int {
	if len(l.rules) == 0 {
		return hits
	}
	if plainScan {
		for _, r := range l.rules {
			if r.never || !r.matchException(exc) {
				continue
			}
			hits = hits[:0]
			for i := range st.views {
				if r.matchFrame(st, i) {
					hits = append(hits, i)
				}
			}
			if len(hits) > 0 {
				act(r, hits)
			}
		}
		return hits
	}
	// Candidate (rule, frame) pairs of the keyed rules, in rule order.
	var cands []candidate
	for i := range st.views {
		v := &st.views[i]
		add := func(id int32) { cands = append(cands, candidate{id, int32(i)}) }
		l.tries[fieldFunction].walk(v.function, add)
		if v.hasModule {
			l.tries[fieldModule].walk(v.module, add)
		}
		if v.hasPath {
			l.tries[fieldPath].walk(v.path, add)
			if v.pathSlash != "" {
				l.tries[fieldPath].walk(v.pathSlash, add)
			}
		}
		if v.hasPkg {
			l.tries[fieldPackage].walk(v.pkg, add)
			if v.pkgSlash != "" {
				l.tries[fieldPackage].walk(v.pkgSlash, add)
			}
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.rule != b.rule {
			return int(a.rule - b.rule)
		}
		return int(a.frame - b.frame)
	})
	cands = slices.Compact(cands)
	next := 0
	for id, r := range l.rules {
		var mine []candidate
		if l.keyed[id] {
			for next < len(cands) && cands[next].rule < int32(id) {
				next++
			}
			end := next
			for end < len(cands) && cands[end].rule == int32(id) {
				end++
			}
			mine, next = cands[next:end], end
			if len(mine) == 0 {
				continue
			}
		}
		if !r.applies(*sum, exc) || r.needCategory != "" && !hasCategory(st.frames, r.needCategory) {
			continue
		}
		hits = hits[:0]
		if l.keyed[id] {
			for _, c := range mine {
				if r.matchFrame(st, int(c.frame)) {
					hits = append(hits, int(c.frame))
				}
			}
		} else {
			for i := range st.views {
				if r.matchFrame(st, i) {
					hits = append(hits, i)
				}
			}
		}
		if len(hits) > 0 {
			act(r, hits)
		}
	}
	return hits
}

func hasCategory(frames []Frame, c string) bool {
	for i := range frames {
		if frames[i].Category == c {
			return true
		}
	}
	return false
}
