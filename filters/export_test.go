package filters

// WithoutQuick makes c scan every message with its full automaton, for
// tests that compare verdicts with and without the quick filter.
func WithoutQuick(c *Classifier) { c.quick = nil }
