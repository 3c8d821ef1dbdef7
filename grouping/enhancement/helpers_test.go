package enhancement

// all returns the rules of one kind across sets, in order (matching goes
// through the indexed lists).
func (r *Rules) all(kind func(*ruleSet) *ruleList) []*rule {
	var out []*rule
	if r != nil {
		for _, s := range r.sets {
			out = append(out, kind(s).rules...)
		}
	}
	return out
}

func classifierOf(s *ruleSet) *ruleList  { return &s.classifier }
func contributesOf(s *ruleSet) *ruleList { return &s.contributes }
