package normalize

// qmark is an open quotation mark waiting for its closing mark.
type qmark struct {
	kind uint8
	tok  int // index of the first token after the mark
}

// quotes reads the quotation marks among cells [from, to), which lie
// between tokens, and marks as Quoted the tokens between an opening mark
// and its closing mark. Marks that never close quote nothing.
func (t *Text) quotes(from, to int) {
	cs := t.cells
	for i := from; i < to; i++ {
		c := &cs[i]
		if c.cls != clsPunct || c.aux == qNone {
			continue
		}
		// A run of the same mark ("```", "''") counts once.
		j := i + 1
		for j < len(cs) && cs[j].cls == clsPunct && cs[j].aux == c.aux {
			j++
		}
		prev := i > 0 && wordy(&cs[i-1])
		next := j < len(cs) && wordy(&cs[j])
		t.quote(c.aux, prev, next)
		i = j - 1
	}
}

// quote applies one quotation mark of kind k; prev and next report
// whether a word touches it on the left and on the right.
func (t *Text) quote(k uint8, prev, next bool) {
	switch k {
	case qSingle, qBacktick:
		switch {
		case prev && next: // an apostrophe inside a word
		case next: // at a word start
			t.open(k)
		case prev: // at a word end
			t.close(k, k, k)
		case k == qBacktick: // alone: "` code `"
			if !t.close(k, k, k) {
				t.open(k)
			}
		}
	case qDouble:
		if !t.close(k, k, k) {
			t.open(k)
		}
	case qDoubleLeft: // “ opens, or closes German „…“
		if !t.close(qDoubleLow, qDoubleLow, qDoubleLow) {
			t.open(k)
		}
	case qDoubleRight: // ” closes “…”, „…” and Swedish ”…”
		if !t.close(qDoubleLeft, qDoubleLow, qDoubleRight) {
			t.open(k)
		}
	case qDoubleLow, qCornerLeft, qWCornerLeft:
		t.open(k)
	case qGuilLeft, qAngleLeft: // «…», or closes »…«
		if !t.close(k+1, k+1, k+1) {
			t.open(k)
		}
	case qGuilRight, qAngleRight:
		if !t.close(k-1, k-1, k-1) {
			t.open(k)
		}
	case qCornerRight, qWCornerRight:
		t.close(k-1, k-1, k-1)
	}
}

func (t *Text) open(k uint8) {
	t.stack = append(t.stack, qmark{kind: k, tok: len(t.Tokens)})
}

// close looks for the innermost open mark of kind a, b or c; when found,
// the tokens since that mark are quoted and the marks opened after it,
// left unclosed, are forgotten.
func (t *Text) close(a, b, c uint8) bool {
	for x := len(t.stack) - 1; x >= 0; x-- {
		if k := t.stack[x].kind; k == a || k == b || k == c {
			for i := t.stack[x].tok; i < len(t.Tokens); i++ {
				t.Quoted[i] = true
			}
			t.stack = t.stack[:x]
			return true
		}
	}
	return false
}
